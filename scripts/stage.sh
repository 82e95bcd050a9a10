#!/usr/bin/env bash
# Stage a real (not symlinked) copy of the collection where ansible-test and ansible find it:
#   <root>/ansible_collections/allura/forge   (a git repo of its own: ansible-test lists files via git)
# <root> is the first argument, default .build (scripts/test.sh uses .build/test, so a test run
# never sees its copy replaced by someone else's staging). Prints the staged path.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT_DIR=${1:-.build}
DEST=$ROOT_DIR/ansible_collections/allura/forge
mkdir -p "$ROOT_DIR/ansible_collections/allura"
# two stagings into the same place at once would trip over each other's temporary copy
exec 9>"$ROOT_DIR/.stage.lock"
command -v flock >/dev/null && flock 9
rm -rf "$DEST.new" && mkdir -p "$DEST.new"
tar -c --exclude=./.git --exclude='./.venv*' --exclude=./.build --exclude=./.cache --exclude=./collections \
    --exclude=./tests/output --exclude='__pycache__' --exclude=.pytest_cache --exclude='*.tar.gz' \
    --exclude=./importer_result.json --exclude=./tests/integration/integration_config.yml \
    --exclude=./bench/results --exclude=./.ansible . | tar -x -C "$DEST.new"
# keep the staged git repo (ansible-test lists files through it) and the virtualenvs that
# `ansible-test units --venv` builds under tests/output/.tmp/delegation (rebuilding costs ~10 s)
if [ -d "$DEST/.git" ]; then mv "$DEST/.git" "$DEST.new/.git"; fi
if [ -d "$DEST/tests/output/.tmp/delegation" ]; then
  mkdir -p "$DEST.new/tests/output/.tmp" && mv "$DEST/tests/output/.tmp/delegation" "$DEST.new/tests/output/.tmp/"
fi
rm -rf "$DEST" && mv "$DEST.new" "$DEST"
(cd "$DEST" && { [ -d .git ] || git init -q; } && git add -A >/dev/null 2>&1)
cd "$DEST" && pwd
