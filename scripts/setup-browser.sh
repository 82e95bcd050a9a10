#!/usr/bin/env bash
# Find a Chromium for the docs site's browser check, installing Debian's `chromium` package when
# there is none and this machine allows it (root with apt-get). Playwright drives that browser
# through executable_path; Playwright's own browser download is never used.
#
#   scripts/setup-browser.sh REPORT
#
# Writes one line to REPORT: "chromium PATH" when a browser is ready, or "unavailable REASON"
# when none can be had on this machine. CHROMIUM=path picks a browser of your own. Exits
# non-zero only when it could not even tell (bad usage).
set -uo pipefail
report=${1:?usage: scripts/setup-browser.sh REPORT}

find_chromium() {  # prints the path of a Chromium that starts, or nothing
  local name path names=(chromium chromium-browser)
  [ -z "${CHROMIUM:-}" ] || names=("$CHROMIUM")
  for name in "${names[@]}"; do
    path=$(command -v "$name") || continue
    if "$path" --headless --no-sandbox --version >/dev/null 2>&1; then echo "$path"; return 0; fi
  done
  return 1
}

unavailable() { echo "unavailable $*" >"$report"; echo "setup-browser: no Chromium: $*"; exit 0; }

if path=$(find_chromium); then echo "chromium $path" >"$report"; exit 0; fi
[ -z "${CHROMIUM:-}" ] || unavailable "CHROMIUM=$CHROMIUM does not start"
[ "$(id -u)" = 0 ] || unavailable "none installed, and installing Debian's chromium package needs root (apt-get install chromium)"
command -v apt-get >/dev/null || unavailable "none installed, and this machine has no apt-get to install Debian's chromium package"

log=$(mktemp)
trap 'rm -f "$log"' EXIT
install() {
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=300 chromium >>"$log" 2>&1
}
echo "setup-browser: installing Debian's chromium package"
# a machine whose package lists are missing or stale needs `apt-get update` first
if ! install; then apt-get update -q >>"$log" 2>&1; install; fi
if path=$(find_chromium); then echo "chromium $path" >"$report"; exit 0; fi
tail -n 5 "$log"
unavailable "apt-get install chromium failed: $(grep -E '^(E|W):' "$log" | tail -n 1)"
