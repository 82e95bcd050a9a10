#!/usr/bin/env bash
# Build the collection's docs site (`make docs`) into .build/docs/html, offline, warnings as errors:
#   1. stage the collection (in a temporary folder), as ansible-doc and antsibull-docs read it
#   2. antsibull-docs lint-collection-docs: plugin documentation markup, docs/docsite (guides, links)
#   3. antsibull-docs collection: one page per module, plugin and role, the guides of
#      docs/docsite/extra-docs.yml, the changelog (changelogs/changelog.yaml), the indexes
#   4. sphinx-build -W -n with scripts/docs/conf.py (no intersphinx download)
#
#   scripts/docs.sh [--check OUT]
#
# --check OUT then opens every page in headless Chromium (scripts/docs/check_site.py, after its own
# tests in tests/docs; Debian's chromium, installed by scripts/setup-browser.sh where possible),
# writing JUnit reports (OUT/junit.xml: one case per page; OUT/checker-tests.xml), OUT/summary.json
# and a screenshot of a module page under OUT. Exit status 0 when all passed. When no browser can
# be had, it writes the reason to OUT/browser-unavailable and exits 0 without checking.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=$ROOT/.build/docs
CHECK_OUT=
if [ "${1:-}" = --check ]; then CHECK_OUT=${2:?usage: scripts/docs.sh [--check OUT]}; fi

[ -n "${SKIP_SETUP:-}" ] && [ -x .venv-docs/bin/python ] || scripts/setup.sh --docs
export PATH="$ROOT/.venv-docs/bin:$PATH" ANSIBLE_NOCOLOR=1
unset ANSIBLE_CONFIG

# Staged outside this tree: ansible-doc lists no roles of a collection whose path holds
# "ansible_collections" twice (a checkout inside an ansible_collections/allura/forge tree).
STAGED=$(mktemp -d "${TMPDIR:-/tmp}/allura-forge-docs.XXXXXX")
trap 'rm -rf "$STAGED"' EXIT
scripts/stage.sh "$STAGED" >/dev/null
COLLECTION=$STAGED/ansible_collections/allura/forge
export ANSIBLE_COLLECTIONS_PATH=$STAGED
mkdir -p "$OUT"

# ansible-doc, which antsibull-docs runs, also finds the collection of the working directory (a checkout
# inside an ansible_collections/allura/forge tree), and then lists no roles: run it from elsewhere.
cd "$OUT"
echo "docs: linting the collection's documentation"
antsibull-docs lint-collection-docs --plugin-docs "$COLLECTION"

echo "docs: writing the pages"
rm -rf "$OUT/rst" "$OUT/html" "$OUT/doctrees"
mkdir -p "$OUT/rst" && chmod og-w "$OUT/rst"  # antsibull-docs wants that directory writable by itself only
antsibull-docs --config-file "$ROOT/scripts/docs/antsibull-docs.cfg" collection --use-current --squash-hierarchy \
  --fail-on-error --cleanup everything --dest-dir "$OUT/rst" allura.forge

# Before the first release antsibull-docs writes a changelog page without a title, which Sphinx
# cannot link: give it one (a released changelog has its own).
if ! grep -q '^====' "$OUT/rst/changelog.rst"; then
  { echo 'Changelog'; echo '========='; echo; cat "$OUT/rst/changelog.rst"; } >"$OUT/rst/changelog.rst.new"
  mv "$OUT/rst/changelog.rst.new" "$OUT/rst/changelog.rst"
fi

echo "docs: building the site"
sphinx-build -q -W --keep-going -n -b html -c "$ROOT/scripts/docs" -d "$OUT/doctrees" "$OUT/rst" "$OUT/html"
echo "docs: $OUT/html/index.html ($(find "$OUT/html" -name '*.html' | wc -l) pages)"

[ -n "$CHECK_OUT" ] || exit 0
cd "$ROOT"
mkdir -p "$CHECK_OUT"
rm -f "$CHECK_OUT/browser-unavailable"
scripts/setup-browser.sh "$CHECK_OUT/browser"
read -r kind browser <"$CHECK_OUT/browser"
if [ "$kind" != chromium ]; then
  echo "$browser" >"$CHECK_OUT/browser-unavailable"
  echo "docs: NOT checked in a browser: $browser"
  exit 0
fi
rc=0
# the checker's own tests first (tests/docs: it finds what it must), then the site
DOCS_BROWSER=$browser python -m pytest -q -p no:cacheprovider -o console_output_style=classic \
  --junitxml="$CHECK_OUT/checker-tests.xml" tests/docs || rc=1
python scripts/docs/check_site.py --browser "$browser" --site "$OUT/html" --collection "$COLLECTION" --out "$CHECK_OUT" || rc=1
exit $rc
