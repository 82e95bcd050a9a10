#!/usr/bin/env bash
# Stage a real (not symlinked) copy of the collection where ansible-test and ansible find it:
#   .build/ansible_collections/allura/forge  (a git repo of its own: ansible-test lists files via git)
# Prints the staged path.
set -euo pipefail
cd "$(dirname "$0")/.."
DEST=.build/ansible_collections/allura/forge
rm -rf "$DEST.new" && mkdir -p "$DEST.new"
tar -c --exclude=./.git --exclude='./.venv*' --exclude=./.build --exclude=./.cache --exclude=./collections \
    --exclude=./tests/output --exclude='__pycache__' --exclude=.pytest_cache --exclude='*.tar.gz' \
    --exclude=./importer_result.json --exclude=./tests/integration/integration_config.yml --exclude=./bench/results --exclude=./.ansible . | tar -x -C "$DEST.new"
# keep the staged git repo (ansible-test lists files through it)
if [ -d "$DEST/.git" ]; then mv "$DEST/.git" "$DEST.new/.git"; fi
rm -rf "$DEST" && mv "$DEST.new" "$DEST"
(cd "$DEST" && { [ -d .git ] || git init -q; } && git add -A >/dev/null 2>&1)
echo "$PWD/$DEST"
