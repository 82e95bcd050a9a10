#!/usr/bin/env bash
# A real Apache Allura for tests: build it when needed, run it on free loopback ports, stop it.
#
#   scripts/real-allura.sh source          print the Allura source tree to build from (nothing: none)
#   scripts/real-allura.sh build           build the server when needed (see "Build" below)
#   scripts/real-allura.sh run CMD [ARG...]
#                                          build when needed, start the server on free ports, run CMD,
#                                          stop the server however CMD ends (also on INT/TERM); exits
#                                          with CMD's status
#   scripts/real-allura.sh restart         (from CMD) fresh data: restart the server on its ports
#
# Where from: the harness scripts (serve.py, allura-harness.sh, setup.sh) in ALLURA_HARNESS_DIR
# (default ../shared/allura-server beside the repository) and the Allura source tree in ALLURA_SRC
# (default the `allura` snapshot inside the harness directory). `source` prints nothing when
# ALLURA_SRC is unset and the harness directory does not exist - a caller reports the step as
# skipped - and fails when what is there is incomplete.
#
# Build: a harness home holds the venv and a copy of the source. $HOME/.cache/allura-harness is used
# as it is when it was built from the same revision (CI's warm cache); otherwise the home
# ALLURA_FORGE_HARNESS_HOME (default $HOME/.cache/allura-forge-harness) is built with setup.sh, only
# when its venv is missing or its revision differs from the source's.
#
# CMD sees: ALLURA_REAL_URL (plain http, bearer tokens work there), ALLURA_REAL_TLS_URL (the TLS
# front, OAuth 1.0a signatures verify only there), ALLURA_REAL_CA (the front's CA file),
# ALLURA_REAL_HOME (the run's harness home: data/bulk_export holds the exports) and
# ALLURA_REAL_RESTART (the command that restarts the server with fresh data). Logs are copied to
# .cache/real-allura/logs when the run ends.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SELF=$ROOT/scripts/real-allura.sh
HARNESS=${ALLURA_HARNESS_DIR:-$ROOT/../shared/allura-server}
SHARED_HOME=$HOME/.cache/allura-harness
OWN_HOME=${ALLURA_FORGE_HARNESS_HOME:-$HOME/.cache/allura-forge-harness}

die() { echo "real-allura: $*" >&2; exit 1; }

source_tree() {  # the Allura source tree; nothing when there is none to build from (ALLURA_SRC unset, no harness)
  local src=${ALLURA_SRC:-}
  if [ -z "$src" ]; then
    [ -e "$HARNESS" ] || return 0
    src=$HARNESS/allura
  fi
  [ -f "$src/Allura/setup.py" ] || die "not an Allura source tree: $src"
  [ -f "$HARNESS/serve.py" ] && [ -x "$HARNESS/allura-harness.sh" ] && [ -x "$HARNESS/setup.sh" ] ||
    die "the harness scripts (serve.py, allura-harness.sh, setup.sh) are not in $HARNESS: set ALLURA_HARNESS_DIR"
  (cd "$src" && pwd)
}

revision() {  # revision of source tree $1, as setup.sh records it in src/.harness-source-rev
  if [ -f "$1/ALLURA_REVISION" ]; then cat "$1/ALLURA_REVISION"
  elif [ -e "$1/.git" ]; then git -C "$1" rev-parse HEAD
  else echo unknown; fi
}

built_from() {  # built_from HOME REV: HOME holds a working venv built from revision REV
  [ -x "$1/venv/bin/python" ] && [ -f "$1/src/.harness-source-rev" ] &&
    [ "$(cat "$1/src/.harness-source-rev")" = "$2" ] && [ "$2" != unknown ] &&
    "$1/venv/bin/python" -c 'import allura' 2>/dev/null
}

BUILD_HOME=
build() {  # sets BUILD_HOME to a home whose venv and src serve the current source
  local src rev
  src=$(source_tree)
  [ -n "$src" ] || die "no Allura source: neither ALLURA_SRC nor $HARNESS/allura (with the harness scripts) exists"
  rev=$(revision "$src")
  if built_from "$SHARED_HOME" "$rev"; then BUILD_HOME=$SHARED_HOME; return 0; fi
  mkdir -p "$OWN_HOME"
  # two runs building the same home at once would break each other's venv
  exec 7>"$OWN_HOME/.build.lock"
  if command -v flock >/dev/null; then flock 7; fi
  if ! built_from "$OWN_HOME" "$rev"; then
    echo "real-allura: building the server from $src (revision $rev) into $OWN_HOME"
    ALLURA_HARNESS_HOME=$OWN_HOME "$HARNESS/setup.sh" "$src" || die "setup.sh failed (log: $OWN_HOME/logs/setup.log)"
    built_from "$OWN_HOME" "$rev" || die "setup.sh finished, but $OWN_HOME does not hold a working build of revision $rev"
  fi
  exec 7>&-
  BUILD_HOME=$OWN_HOME
}

free_ports() {  # free_ports N: N distinct free loopback ports
  python3 - "$1" <<'EOF'
import socket, sys
socks = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in socks:
    s.bind(('127.0.0.1', 0))
print(' '.join(str(s.getsockname()[1]) for s in socks))
EOF
}

harness() {  # harness start|stop|restart, for the server of this run (settings in $RUN_HOME/env)
  (set -a && . "$RUN_HOME/env" && exec "$HARNESS/allura-harness.sh" "$@")
}

RUN_HOME='' CMD_PID=''
stop_server() {
  [ -n "$RUN_HOME" ] || return 0
  if [ -n "$CMD_PID" ]; then kill "$CMD_PID" 2>/dev/null; wait "$CMD_PID" 2>/dev/null; CMD_PID=; fi
  harness stop >/dev/null
  mkdir -p "$ROOT/.cache/real-allura" && rm -rf "$ROOT/.cache/real-allura/logs" &&
    cp -r "$RUN_HOME/logs" "$ROOT/.cache/real-allura/logs" 2>/dev/null
  rm -rf "$RUN_HOME"
  RUN_HOME=
}

run() {
  local ports attempt rc
  [ $# -gt 0 ] || die "run: no command given"
  build || return 1
  trap 'stop_server' EXIT
  trap 'echo "real-allura: interrupted" >&2; exit 130' INT TERM
  RUN_HOME=$(mktemp -d "${TMPDIR:-/tmp}/allura-forge-real.XXXXXX")
  ln -s "$BUILD_HOME/venv" "$RUN_HOME/venv"
  ln -s "$BUILD_HOME/src" "$RUN_HOME/src"
  # a port taken between choosing and binding it fails the start: choose again
  for attempt in 1 2 3; do
    read -r -a ports < <(free_ports 3)
    cat >"$RUN_HOME/env" <<EOF
ALLURA_HARNESS_HOME=$RUN_HOME
ALLURA_HARNESS_PORT=${ports[0]}
ALLURA_HARNESS_SMTP_PORT=${ports[1]}
ALLURA_HARNESS_TLS_PORT=${ports[2]}
EOF
    harness start && break
    harness stop >/dev/null
    [ "$attempt" -lt 3 ] || { echo "real-allura: the server did not start (logs: .cache/real-allura/logs)" >&2; return 1; }
  done
  export ALLURA_REAL_URL=http://127.0.0.1:${ports[0]} ALLURA_REAL_TLS_URL=https://127.0.0.1:${ports[2]}
  export ALLURA_REAL_CA=$RUN_HOME/tls/ca.pem ALLURA_REAL_HOME=$RUN_HOME
  export ALLURA_REAL_RESTART="$SELF restart $RUN_HOME"
  # in the background, so that INT/TERM reach the trap at once rather than after CMD
  "$@" &
  CMD_PID=$!
  wait "$CMD_PID"
  rc=$?
  CMD_PID=
  return "$rc"
}

case ${1:-} in
  source) source_tree ;;
  build) build && echo "real-allura: built in $BUILD_HOME" ;;
  run) shift; run "$@" ;;
  restart)
    RUN_HOME=${2:-${ALLURA_REAL_HOME:-}}
    [ -f "$RUN_HOME/env" ] || die "restart: no running server of this script at '$RUN_HOME'"
    harness restart ;;
  *) sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2 ;;
esac
