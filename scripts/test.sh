#!/usr/bin/env bash
# Run every check CI runs (`make test`, `.ci/run`), or only the steps named on the command line:
#
#   scripts/test.sh [STEP...]
#
# Steps (in this order):
#   changelog      antsibull-changelog lint
#   build          ansible-galaxy collection build; tarball listing check; install into a temp
#                  collections path; ansible-doc for every module of meta/runtime.yml's action
#                  group (and every role with meta/argument_specs.yml)
#   importer       galaxy-importer on the built tarball (fails on any ERROR it logs)
#   lint           ansible-lint, production profile, offline (.ansible-lint)
#   sanity         ansible-test sanity --python 3.12 --local (no ignore file, ever)
#   units          ansible-test units --python 3.12 --venv --requirements (tests/unit)
#   sandbox-tests  pytest tests/sandbox/tests (the fake server's own contract tests)
#   functional     pytest tests/functional and tests/e2e, whichever exist (see below)
#   integration    ansible-test integration --python 3.12 --local against a fresh sandbox
#   molecule       every scenario under extensions/molecule/ against a fresh sandbox
#   real           against a real Apache Allura (scripts/real-allura.sh builds it from
#                  ../shared/allura-server or ALLURA_SRC and runs it on free ports):
#                  scripts/real-tests.sh - the recordings replayed, the differential test,
#                  OAuth 1.0a, the integration targets not marked sandbox_only, molecule.
#                  Skipped, with the reason, when there is no Allura source to build from
#   sanity-compat  ansible-test sanity --python 3.11 with .venv-compat (ansible-core 2.19)
#   units-compat   ansible-test units --python 3.11 --venv with .venv-compat
#
# Every step runs even when an earlier one failed. Each prints a header; its output goes to
# .cache/test-logs/<step>.log and is shown (the last TEST_LOG_LINES lines, default 400) only when
# the step fails; VERBOSE=1 streams all output. The run ends with a summary table and exactly one
# line "N passed, M failed", where N and M count real tests: pytest cases, sanity tests,
# integration targets, molecule scenarios, and 1 for single-shot steps (lint, build, importer,
# changelog). Exit status is non-zero when anything failed.
#
# ansible-test, ansible-lint, molecule and the pytest suites run in a staged copy
# (.build/test/ansible_collections/allura/forge, re-staged before each step so fresh edits count).
#
# Sandbox: integration, molecule and functional start `tests/sandbox/server.py --port 0
# --port-file F` (override with SANDBOX_SERVER=path), wait for the port, and stop it however the
# step ends. The URL and tokens reach the tests as:
#   integration  tests/integration/integration_config.yml, written into the staged copy:
#                allura_url, allura_admin_token, allura_user_token, allura_root_token
#   molecule     environment ALLURA_URL, ALLURA_TOKEN (the admin token), ALLURA_USER_TOKEN,
#                ALLURA_ROOT_TOKEN
#   functional   the same environment, plus ALLURA_SANDBOX_SERVER (to start private instances)
#                and ANSIBLE_COLLECTIONS_PATH pointing at the staged copy.
#
# tests/functional/ and tests/e2e/ convention: plain pytest files (test_*.py) that drive
# ansible-playbook / ansible-runner against the sandbox. They reset the shared sandbox themselves
# (POST $ALLURA_URL/_sandbox/reset) or start their own with $ALLURA_SANDBOX_SERVER; any inventory
# they write must pin ansible_python_interpreter (interpreter discovery finds broken shims on some
# machines). They run with the main .venv's Python.
# Step functions are called by name (step_$step): tell shellcheck they are used.
# shellcheck disable=SC2329
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
ROOT=$PWD

ALL_STEPS=(changelog build importer lint sanity units sandbox-tests functional integration molecule real
           sanity-compat units-compat)
ADMIN_TOKEN=a0000000000000000001
USER_TOKEN=a0000000000000000002
ROOT_TOKEN=a0000000000000000000

if [ $# -gt 0 ]; then STEPS=("$@"); else STEPS=("${ALL_STEPS[@]}"); fi
for s in "${STEPS[@]}"; do
  [[ " ${ALL_STEPS[*]} " == *" $s "* ]] || { echo "test.sh: unknown step '$s' (known: ${ALL_STEPS[*]})" >&2; exit 2; }
done

# --- environment -------------------------------------------------------------------------------
if [ -z "${SKIP_SETUP:-}" ]; then
  scripts/setup.sh --compat || { echo "test.sh: setup failed; nothing can run" >&2; exit 1; }
fi
[ -x .venv/bin/python ] || { echo "test.sh: .venv is missing; run scripts/setup.sh" >&2; exit 1; }
export PATH="$ROOT/.venv/bin:$PATH"
export PYTHONDONTWRITEBYTECODE=1 ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0 PY_COLORS=0 NO_COLOR=1
export PIP_DISABLE_PIP_VERSION_CHECK=1
unset ANSIBLE_CONFIG  # a developer's own ansible.cfg must not change what is tested
MAIN_PY=$(.venv/bin/python -c 'import sys; print("%d.%d" % sys.version_info[:2])')
# A staged copy of our own (not .build/ansible_collections, which setup, the demo and people
# re-stage at will): nobody replaces it under a running ansible-test.
STAGE_PARENT=$ROOT/.build/test
STAGE=$STAGE_PARENT/ansible_collections/allura/forge
LOGDIR=$ROOT/.cache/test-logs
mkdir -p "$ROOT/.build" "$ROOT/.cache"
# One run at a time per tree: a second run waits instead of sharing the copy, logs and tarball.
if command -v flock >/dev/null; then
  exec 8>"$ROOT/.build/test.lock"
  flock -n 8 || { echo "test.sh: another test run holds .build/test.lock; waiting for it"; flock 8; }
fi
rm -rf "$LOGDIR" && mkdir -p "$LOGDIR"
TMPROOT=$(mktemp -d "${TMPDIR:-/tmp}/allura-forge-test.XXXXXX")

stage() { scripts/stage.sh .build/test >/dev/null; }

# --- sandbox ---------------------------------------------------------------------------------
SB_PID=
sandbox_start() {  # sets ALLURA_URL; returns non-zero when the sandbox did not come up
  local server=${SANDBOX_SERVER:-$STAGE/tests/sandbox/server.py} dir port
  if [ ! -f "$server" ]; then echo "sandbox: $server does not exist (tests/sandbox is not written yet?)"; return 1; fi
  dir=$(mktemp -d "$TMPROOT/sandbox.XXXXXX")
  .venv/bin/python "$server" --port 0 --port-file "$dir/port" >"$dir/server.log" 2>&1 8>&- &
  SB_PID=$!
  echo "$SB_PID" >>"$TMPROOT/sandbox.pids"  # for cleanup() should this step be killed
  for _ in $(seq 1 300); do
    if [ -s "$dir/port" ]; then
      port=$(tr -dc 0-9 <"$dir/port")
      # the port file may be written before the socket accepts: wait for a TCP connect too
      if [ -n "$port" ] && .venv/bin/python -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).close()' "$port" 2>/dev/null; then
        export ALLURA_URL="http://127.0.0.1:$port"
        echo "sandbox: $ALLURA_URL (pid $SB_PID)"
        return 0
      fi
    fi
    if ! kill -0 "$SB_PID" 2>/dev/null; then break; fi
    sleep 0.1
  done
  echo "sandbox: did not start within 30 s; its output:"; cat "$dir/server.log"
  sandbox_stop
  return 1
}
sandbox_stop() {
  if [ -n "$SB_PID" ]; then
    kill "$SB_PID" 2>/dev/null
    wait "$SB_PID" 2>/dev/null
    SB_PID=
  fi
  unset ALLURA_URL
}
# Each step runs as a background job that this shell waits for, so INT/TERM are handled at once:
# the step's whole process tree and any sandbox it started are stopped before exiting.
STEP_PID=
kill_tree() {  # kill_tree PID: TERM a process and all its descendants (by pid, children first)
  local child
  for child in $(ps -o pid= --ppid "$1" 2>/dev/null); do kill_tree "$child"; done
  kill "$1" 2>/dev/null
}
cleanup() {
  local pid
  if [ -n "$STEP_PID" ]; then kill_tree "$STEP_PID"; wait "$STEP_PID" 2>/dev/null; fi
  if [ -f "$TMPROOT/sandbox.pids" ]; then
    while read -r pid; do kill "$pid" 2>/dev/null; done <"$TMPROOT/sandbox.pids"
  fi
  rm -rf "$TMPROOT"
}
trap cleanup EXIT
trap 'echo "test.sh: interrupted" >&2; exit 130' INT TERM

# --- counting helpers ------------------------------------------------------------------------
# Every step function sets PASSED and FAILED (test counts) and returns 0 (pass), 1 (fail) or
# 3 (skip, with SKIP_REASON).
PASSED=0 FAILED=0 SKIP_REASON=

junit_counts() {  # junit_counts FILE... -> sets PASSED FAILED from the files that exist
  local out
  out=$(.venv/bin/python - "$@" <<'EOF'
import sys, xml.etree.ElementTree as ET
p = f = 0
for path in sys.argv[1:]:
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError):
        continue
    for case in root.iter("testcase"):
        kinds = {child.tag for child in case}
        if kinds & {"failure", "error"}:
            f += 1
        elif "skipped" not in kinds:
            p += 1
print(p, f)
EOF
)
  read -r PASSED FAILED <<<"$out"
}

# Makes the counts consistent with the exit status: a failing step reports at least one failure.
settle() {  # settle RC
  if [ "$1" -ne 0 ] && [ "$FAILED" -eq 0 ]; then FAILED=1; fi
  return "$1"
}

# --- steps -------------------------------------------------------------------------------------
with_venv() {  # with_venv VENV CMD... : run CMD with VENV's bin first on PATH
  local venv=$1; shift
  PATH="$ROOT/$venv/bin:$PATH" VIRTUAL_ENV="$ROOT/$venv" "$@"
}

compat_available() {  # 0: go; 3: skip (SKIP_REASON says why); 1: setup failed
  if [ "$MAIN_PY" = 3.11 ]; then
    SKIP_REASON="the main leg already runs Python 3.11 with ansible-core 2.19 (no Python 3.12 here)"; return 3
  fi
  if [ ! -x .venv-compat/bin/python ]; then
    # setup creates .venv-compat whenever a Python 3.11 exists (and fails if it cannot)
    scripts/setup.sh --compat || { settle 1; return 1; }
  fi
  if [ ! -x .venv-compat/bin/python ]; then
    SKIP_REASON="Python 3.11 is not installed on this machine, so there is no .venv-compat"; return 3
  fi
}

ansible_test_sanity() {  # ansible_test_sanity VENV PYVER
  local venv=$1 py=$2 rc out total failed
  stage
  out=$LOGDIR/.sanity-$py.out
  (cd "$STAGE" && with_venv "$venv" ansible-test sanity --python "$py" --local --color no) 2>&1 | tee "$out"
  rc=${PIPESTATUS[0]}
  total=$(grep -c '^Running sanity test' "$out")
  failed=$(sed -n 's/.*The \([0-9]*\) sanity test(s) listed below (out of [0-9]*) failed.*/\1/p' "$out" | tail -1)
  FAILED=${failed:-0}
  PASSED=$((total - FAILED)); [ "$PASSED" -ge 0 ] || PASSED=0
  settle "$rc"
}

# --venv, not --local: in the controller context pytest-ansible (in our venvs for plain
# `pytest tests/unit`) replaces ansible-test's collection path, and every controller-side test
# (filters, plugin_utils, action plugins) fails to collect. ansible-test's own venv holds only
# its pytest plugins plus tests/unit/requirements.txt, which also proves that file is complete.
ansible_test_units() {  # ansible_test_units VENV PYVER
  local venv=$1 py=$2 rc
  stage
  rm -rf "$STAGE/tests/output/junit"
  (cd "$STAGE" && with_venv "$venv" ansible-test units --python "$py" --venv --requirements --color no)
  rc=$?
  junit_counts "$STAGE"/tests/output/junit/*.xml
  settle "$rc"
}

step_changelog() {
  stage
  (cd "$STAGE" && antsibull-changelog lint -v && antsibull-changelog lint-changelog-yaml changelogs/changelog.yaml)
  settle $? && PASSED=1
}

TARBALL=
step_build() {
  local out=$ROOT/.cache/dist collections=$TMPROOT/collections rc=0 m r bad
  rm -rf "$out" && mkdir -p "$out"
  # Build from the source tree itself (not the staged copy): that is what a maintainer publishes,
  # so galaxy.yml's build_ignore is what is being tested here.
  ansible-galaxy collection build "$ROOT" --output-path "$out" || { settle 1; return 1; }
  TARBALL=$(find "$out" -name 'allura-forge-*.tar.gz' | head -1)
  echo "built $(basename "$TARBALL") ($(du -k "$TARBALL" | cut -f1) KiB, $(tar -tzf "$TARBALL" | wc -l) entries)"
  # Nothing local or generated may ship.
  bad=$(tar -tzf "$TARBALL" | grep -E '^(\.venv[^/]*|\.build|\.cache|\.git|\.ansible|\.pytest_cache|\.ci|collections|scripts|tests/output|bench/results)(/|$)|(^|/)__pycache__(/|$)|\.pyc$|\.tar\.gz$|(^|/)importer_result\.json$|integration_config\.yml$' || true)
  if [ -n "$bad" ]; then echo "ERROR: the tarball contains files that must not ship (extend build_ignore in galaxy.yml):"; echo "$bad" | head -50; rc=1; fi
  ANSIBLE_COLLECTIONS_PATH=$collections ansible-galaxy collection install "$TARBALL" -p "$collections" --force --offline || rc=1
  # Every module must be in the action group (module_defaults), and the group must name no ghosts.
  local group; group=$(.venv/bin/python - "$ROOT" <<'EOF'
import os, sys, yaml
root = sys.argv[1]
with open(os.path.join(root, "meta/runtime.yml")) as f:
    groups = (yaml.safe_load(f) or {}).get("action_groups", {})
names = [n.split(".")[-1] for n in groups.get("allura", []) if isinstance(n, str)]
moddir = os.path.join(root, "plugins/modules")
mods = sorted(f[:-3] for f in os.listdir(moddir) if f.endswith(".py") and not f.startswith("_")) if os.path.isdir(moddir) else []
bad = False
for m in mods:
    if m not in names:
        print("ERROR: plugins/modules/%s.py is not in meta/runtime.yml action_groups.allura" % m, file=sys.stderr)
        bad = True
for n in names:
    if n not in mods:
        print("ERROR: action_groups.allura lists %s, but plugins/modules/%s.py does not exist" % (n, n), file=sys.stderr)
        bad = True
    else:
        print(n)
sys.exit(1 if bad else 0)
EOF
) || rc=1
  for m in $group; do
    if ANSIBLE_COLLECTIONS_PATH=$collections ansible-doc -t module "allura.forge.$m" >"$TMPROOT/doc.txt" 2>&1 \
       && ! grep -q '^\[WARNING\]\|^\[ERROR\]' "$TMPROOT/doc.txt"; then
      echo "ansible-doc allura.forge.$m: ok"
    else
      echo "ansible-doc allura.forge.$m: FAILED"; cat "$TMPROOT/doc.txt"; rc=1
    fi
  done
  for r in "$collections"/ansible_collections/allura/forge/roles/*/meta/argument_specs.y*ml; do
    [ -f "$r" ] || continue
    r=$(basename "$(dirname "$(dirname "$r")")")
    if ANSIBLE_COLLECTIONS_PATH=$collections ansible-doc -t role "allura.forge.$r" >"$TMPROOT/doc.txt" 2>&1; then
      echo "ansible-doc -t role allura.forge.$r: ok"
    else
      echo "ansible-doc -t role allura.forge.$r: FAILED"; cat "$TMPROOT/doc.txt"; rc=1
    fi
  done
  settle "$rc" && PASSED=1
}

step_importer() {
  local dir=$TMPROOT/importer rc
  [ -n "$TARBALL" ] || TARBALL=$(find "$ROOT/.cache/dist" -name 'allura-forge-*.tar.gz' 2>/dev/null | head -1)
  if [ -z "$TARBALL" ]; then echo "no tarball: the build step did not produce one"; settle 1; return 1; fi
  mkdir -p "$dir"
  # galaxy-importer writes importer_result.json into the working directory; keep it out of the tree.
  (cd "$dir" && python -m galaxy_importer.main "$TARBALL") 2>&1 | tee "$dir/importer.log"
  rc=${PIPESTATUS[0]}
  if [ ! -s "$dir/importer_result.json" ]; then echo "ERROR: galaxy-importer wrote no importer_result.json"; rc=1; fi
  if grep -q '^ERROR' "$dir/importer.log"; then echo "ERROR: galaxy-importer logged errors (above)"; rc=1; fi
  # Galaxy renders module pages from these: a module without doc_strings has no page.
  if [ -s "$dir/importer_result.json" ]; then
    python - "$dir/importer_result.json" <<'EOF' || rc=1
import json, sys
with open(sys.argv[1]) as f:
    result = json.load(f)
# docs_blob.contents holds what Galaxy renders: one entry per plugin, modules with their doc_strings
modules = [c for c in result.get("docs_blob", {}).get("contents", []) if c.get("content_type") == "module"]
bad = [c["content_name"] for c in modules if not c.get("doc_strings")] or ([] if modules else ["(none listed)"])
for name in bad:
    print("ERROR: importer_result.json: module %s has no documentation" % name)
sys.exit(1 if bad else 0)
EOF
  fi
  [ -s "$dir/importer_result.json" ] && cp "$dir/importer_result.json" "$LOGDIR/importer_result.json"
  settle "$rc" && PASSED=1
}

step_lint() {
  stage
  (cd "$STAGE" && ANSIBLE_COLLECTIONS_PATH=$STAGE_PARENT ansible-lint --offline --profile production --nocolor)
  settle $? && PASSED=1
}

step_sanity() { ansible_test_sanity .venv "$MAIN_PY"; }
step_units() { ansible_test_units .venv "$MAIN_PY"; }
step_sanity-compat() { compat_available || return; ansible_test_sanity .venv-compat 3.11; }
step_units-compat() { compat_available || return; ansible_test_units .venv-compat 3.11; }

run_pytest() {  # run_pytest JUNIT DIR...
  local junit=$1; shift
  (cd "$STAGE" && python -m pytest -p no:cacheprovider -o console_output_style=classic -q -rfE \
      --junitxml="$junit" "$@")
}

step_sandbox-tests() {
  local rc
  stage
  if [ ! -d "$STAGE/tests/sandbox/tests" ]; then
    echo "tests/sandbox/tests does not exist: the sandbox's contract tests are required"; settle 1; return 1
  fi
  run_pytest "$LOGDIR/sandbox-tests.xml" tests/sandbox/tests
  rc=$?
  [ "$rc" -eq 5 ] && echo "no tests collected in tests/sandbox/tests: the sandbox's contract tests are required"
  junit_counts "$LOGDIR/sandbox-tests.xml"
  settle "$rc"
}

sandbox_env() {
  export ALLURA_TOKEN=$ADMIN_TOKEN ALLURA_ADMIN_TOKEN=$ADMIN_TOKEN ALLURA_USER_TOKEN=$USER_TOKEN ALLURA_ROOT_TOKEN=$ROOT_TOKEN
  export ANSIBLE_COLLECTIONS_PATH=$STAGE_PARENT
  export ALLURA_SANDBOX_SERVER=${SANDBOX_SERVER:-$STAGE/tests/sandbox/server.py}
}

step_functional() {
  local dirs=() d rc
  stage
  for d in tests/functional tests/e2e; do [ -d "$STAGE/$d" ] && dirs+=("$d"); done
  if [ ${#dirs[@]} -eq 0 ]; then SKIP_REASON="no tests/functional or tests/e2e suite yet"; return 3; fi
  sandbox_start || { settle 1; return 1; }
  (sandbox_env; run_pytest "$LOGDIR/functional.xml" "${dirs[@]}")
  rc=$?
  sandbox_stop
  junit_counts "$LOGDIR/functional.xml"
  if [ "$rc" -eq 5 ]; then  # exit 5: no tests collected (fixtures only, no suite yet)
    SKIP_REASON="no tests in ${dirs[*]} yet"; return 3
  fi
  settle "$rc"
}

step_integration() {
  local rc out=$LOGDIR/.integration.out total failed
  stage
  sandbox_start || { settle 1; return 1; }
  # ansible-test hands this file's variables to every target.
  cat >"$STAGE/tests/integration/integration_config.yml" <<EOF
---
allura_url: $ALLURA_URL
allura_admin_token: $ADMIN_TOKEN
allura_user_token: $USER_TOKEN
allura_root_token: $ROOT_TOKEN
EOF
  # The inventory ansible-test writes for --local pins ansible_python_interpreter to the
  # controller's Python (the venv's python$MAIN_PY, first on PATH), so discovery never meets a
  # broken shim.
  (cd "$STAGE" && ansible-test integration --python "$MAIN_PY" --local --continue-on-error --color no) 2>&1 | tee "$out"
  rc=${PIPESTATUS[0]}
  sandbox_stop
  total=$(grep -cE '^Running [^ ]+ integration test (role|script)' "$out")
  failed=$(sed -n 's/.*The \([0-9]*\) integration test(s) listed below (out of [0-9]*) failed.*/\1/p' "$out" | tail -1)
  FAILED=${failed:-0}
  PASSED=$((total - FAILED)); [ "$PASSED" -ge 0 ] || PASSED=0
  settle "$rc"
}

step_molecule() {
  local scenario name rc=0
  stage
  shopt -s nullglob
  local scenarios=("$STAGE"/extensions/molecule/*/molecule.yml)
  shopt -u nullglob
  if [ ${#scenarios[@]} -eq 0 ]; then echo "no molecule scenarios under extensions/molecule/"; settle 1; return 1; fi
  for scenario in "${scenarios[@]}"; do
    name=$(basename "$(dirname "$scenario")")
    echo "--- molecule scenario $name"
    if sandbox_start; then
      if (sandbox_env; cd "$STAGE/extensions" && molecule test -s "$name"); then
        PASSED=$((PASSED + 1))
      else
        FAILED=$((FAILED + 1)); rc=1
      fi
      sandbox_stop
    else
      FAILED=$((FAILED + 1)); rc=1
    fi
  done
  return "$rc"
}

# One step for everything against the real server, which scripts/real-allura.sh starts on free
# ports (plain http, and the TLS front OAuth 1.0a needs) and stops however the step ends.
step_real() {
  local counts=$TMPROOT/real-counts rc src p f
  stage
  src=$(scripts/real-allura.sh source) || { echo "scripts/real-allura.sh source failed"; settle 1; return 1; }
  if [ -z "$src" ]; then
    SKIP_REASON="no Allura to build: neither ALLURA_SRC nor ../shared/allura-server (with its allura/ source tree) exists"
    return 3
  fi
  rm -f "$LOGDIR/real.xml"
  scripts/real-allura.sh run scripts/real-tests.sh "$STAGE" "$LOGDIR" "$counts"
  rc=$?
  junit_counts "$LOGDIR/real.xml"  # pytest tests/real; the targets and scenarios are in $counts
  [ -s "$counts" ] && read -r p f <"$counts" && PASSED=$((PASSED + p)) FAILED=$((FAILED + f))
  settle "$rc"
}

# --- runner --------------------------------------------------------------------------------------
now() { echo "$EPOCHREALTIME"; }
run_step() {  # run_step STEP (in a background job): run it, hand its counts to the parent
  "step_$1"
  local rc=$?
  printf '%s %s\n' "$PASSED" "$FAILED" >"$TMPROOT/counts"
  printf '%s\n' "$SKIP_REASON" >"$TMPROOT/skip"
  return $rc
}
SUM_PASSED=0 SUM_FAILED=0 ANY_FAILED=0
ROWS=()
n=0
for step in "${STEPS[@]}"; do
  n=$((n + 1))
  log=$LOGDIR/$step.log
  printf '\n==> [%d/%d] %s\n' "$n" "${#STEPS[@]}" "$step"
  PASSED=0 FAILED=0 SKIP_REASON=
  t0=$(now)
  rm -f "$TMPROOT/counts" "$TMPROOT/skip"
  if [ -n "${VERBOSE:-}" ]; then
    run_step "$step" > >(tee "$log") 2>&1 &
  else
    run_step "$step" >"$log" 2>&1 &
  fi
  STEP_PID=$!
  wait "$STEP_PID"
  rc=$?
  STEP_PID=
  if [ -s "$TMPROOT/counts" ]; then read -r PASSED FAILED <"$TMPROOT/counts"; else PASSED=0 FAILED=1; fi
  [ -f "$TMPROOT/skip" ] && SKIP_REASON=$(cat "$TMPROOT/skip")
  secs=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.0f", b - a }')
  case $rc in
    0) result=ok ;;
    3) result=skipped; echo "    skipped: $SKIP_REASON" ;;
    *) result=FAILED; ANY_FAILED=1
       [ -n "${VERBOSE:-}" ] || { echo "    --- last ${TEST_LOG_LINES:-400} lines of its output (all of it: .cache/test-logs/$step.log)"; tail -n "${TEST_LOG_LINES:-400}" "$log" | sed 's/^/    /'; } ;;
  esac
  if [ "$rc" -ne 3 ]; then
    SUM_PASSED=$((SUM_PASSED + PASSED)); SUM_FAILED=$((SUM_FAILED + FAILED))
  fi
  printf '    %s: %d passed, %d failed (%ss)\n' "$result" "$PASSED" "$FAILED" "$secs"
  ROWS+=("$(printf '%-15s %-8s %7d %7d %6s' "$step" "$result" "$PASSED" "$FAILED" "$secs")")
done

printf '\n%-15s %-8s %7s %7s %6s\n' step result passed failed secs
printf '%s\n' "---------------------------------------------------"
printf '%s\n' "${ROWS[@]}"
echo
echo "$SUM_PASSED passed, $SUM_FAILED failed"
exit $ANY_FAILED
