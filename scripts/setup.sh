#!/usr/bin/env bash
# Prepare everything `make test` / `make demo` need, from a fresh clone:
#   .venv          Python 3.12 (+ ansible-core 2.21) where the machine has it, else 3.11 (+ 2.19)
#   .venv-compat   the oldest supported ansible-core (requirements-compat.txt) on the same Python as
#                  .venv: the compatibility leg (only with --compat, which `make test` passes); every
#                  supported ansible-core runs on Python 3.11 and 3.12, so it exists wherever .venv does
#   .venv-docs     the docs site's tools and the browser check's Playwright (requirements-docs.txt);
#                  only with --docs (scripts/docs.sh: `make docs`, the docs step of `make test`)
#   the ansible-test pip bootstrap stand-in (ansible-test cannot download get-pip here)
#   .build/ansible_collections/allura/forge   a staged real copy of the collection
# Idempotent and quick when nothing changed.
set -euo pipefail
cd "$(dirname "$0")/.."

find_python() {  # find_python 3.12 -> path of a working interpreter, or nothing
  local v=$1 c
  # plain names first (they may be broken pyenv shims: the check below weeds those out), then
  # pyenv's own versions, then the usual system places
  for c in "python$v" "${PYENV_ROOT:-$HOME/.pyenv}/versions/$v"*/bin/python"$v" "$HOME/.pyenv/versions/$v"*/bin/python"$v" \
           "/usr/local/bin/python$v" "/usr/bin/python$v"; do
    for p in $c; do
      if [ -x "$p" ] && "$p" -c 'import sys, venv' >/dev/null 2>&1; then echo "$p"; return 0; fi
    done
  done
  return 1
}

make_venv() {  # make_venv DIR PYTHON REQUIREMENTS
  local dir=$1 py=$2 req=$3 stamp want
  stamp="$dir/.requirements.sha"
  want=$(cat "$req" requirements.txt | sha256sum | cut -c1-16)
  if [ -x "$dir/bin/python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then return 0; fi
  if [ -x "$dir/bin/python" ] && "$dir/bin/python" -c 'import sys; sys.exit(sys.version_info[:2] != tuple(map(int, sys.argv[1].split("."))))' \
       "$("$py" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"; then
    # requirements changed: install on top (quick, and a venv in use elsewhere keeps working)
    echo "setup: updating $dir from $req"
  else
    echo "setup: creating $dir with $("$py" --version) from $req"
    rm -rf "$dir"
    "$py" -m venv "$dir"
    pipq "$dir" --upgrade pip
  fi
  pipq "$dir" -r "$req"
  "$dir/bin/python" -c 'import ansible, requests' # fail here, not later, when the install did not work
  echo "$want" > "$stamp"
}

pipq() {  # pipq VENV PIP-ARGS... : quiet pip install that still fails when pip fails
  local dir=$1; shift
  "$dir/bin/python" -m pip install -q --disable-pip-version-check "$@" 2>&1 | { grep -v 'is ignored: it is neither' || true; }
  return "${PIPESTATUS[0]}"
}

PY312=$(find_python 3.12 || true)
PY311=$(find_python 3.11 || true)
if [ -n "$PY312" ]; then
  PY=$PY312
  make_venv .venv "$PY" requirements-dev.txt
else
  [ -n "$PY311" ] || { echo "setup: need Python 3.12 or 3.11" >&2; exit 1; }
  PY=$PY311
  make_venv .venv "$PY" requirements-compat.txt
fi
if [ "${1:-}" = "--docs" ]; then
  make_venv .venv-docs "$PY" requirements-docs.txt
fi
if [ "${1:-}" = "--compat" ]; then
  make_venv .venv-compat "$PY" requirements-compat.txt
fi

# ansible-test bootstraps pip in each sanity venv from a URL this kind of machine cannot reach;
# it uses a cached get_pip_<version>.py first, so put a stand-in there for every pip it may ask for.
mkdir -p "$HOME/.ansible/test/cache"
for venv in .venv .venv-compat; do
  [ -x "$venv/bin/python" ] || continue
  ver=$("$venv/bin/python" -c 'import re, inspect, ansible_test._internal.python_requirements as m; print(re.search(r"pip=.([0-9.]+)", inspect.getsource(m.get_venv_packages)).group(1))')
  [ -n "$ver" ] || continue
  install -m 0644 scripts/get_pip_standin.py "$HOME/.ansible/test/cache/get_pip_${ver//./_}.py"
done

# ansible-test and the galaxy tools need a real copy at ansible_collections/allura/forge.
scripts/stage.sh >/dev/null
