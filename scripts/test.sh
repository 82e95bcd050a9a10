#!/usr/bin/env bash
# Run every check CI runs (`make test`, `.ci/run`), or only the steps named on the command line:
#
#   scripts/test.sh [STEP...]
#
# Steps (in this order; each also works alone, on a fresh clone):
#   runner         the runner's own self-test (tests/runner): a step that fails, exits 3, crashes or
#                  runs no tests fails the run; a skip needs the step's own marker
#   changelog      antsibull-changelog lint
#   build          ansible-galaxy collection build; tarball listing check; install into a temp
#                  collections path; ansible-doc for every module of meta/runtime.yml's action
#                  group (and every role with meta/argument_specs.yml)
#   importer       galaxy-importer on the built tarball (builds it first when the build step has not)
#   lint           ansible-lint, production profile, offline (.ansible-lint)
#   sanity         ansible-test sanity --local --junit (no ignore file, ever); a test ansible-test
#                  skipped counts as skipped, and fails the step unless SANITY_NOT_APPLICABLE lists it
#   units          ansible-test units --venv --requirements (tests/unit)
#   sandbox-tests  pytest tests/sandbox/tests (the fake server's own contract tests)
#   functional     pytest tests/functional and tests/e2e, whichever exist (see below)
#   integration    ansible-test integration --local against a fresh sandbox
#   molecule       every scenario under extensions/molecule/ against a fresh sandbox
#   real           against a real Apache Allura (scripts/real-allura.sh builds it from
#                  ../shared/allura-server or ALLURA_SRC and runs it on free ports):
#                  scripts/real-tests.sh - the recordings replayed, the differential test,
#                  OAuth 1.0a, the integration targets not marked sandbox_only, molecule.
#                  Skipped, with the reason, when there is no Allura source to build from
#   ee             pytest tests/ee: the example execution environment through `ansible-builder create`
#   docs           scripts/docs.sh --check: build the docs site (warnings are errors), then open every
#                  page in headless Chromium (tests/output/docs: reports, screenshot); skipped, with
#                  the reason, only where no Chromium can be installed
#   sanity-compat, units-compat, functional-compat, integration-compat
#                  the same steps with .venv-compat: the oldest supported ansible-core
#                  (requirements-compat.txt) on the main venv's Python (scripts/setup.sh --compat)
#
# Every step runs even when an earlier one failed. Each prints a header; its output goes to
# .cache/test-logs/<step>.log and is shown (the last TEST_LOG_LINES lines, default 400) only when
# the step fails; VERBOSE=1 streams all output. The run ends with a summary table and exactly one
# line "N passed, M failed, K skipped", where N, M and K count real tests: pytest cases, sanity
# tests, integration targets, molecule scenarios, and 1 for single-shot steps (lint, build,
# importer, changelog). Exit status is non-zero when anything failed.
#
# A step's result is decided by data, never guessed from an exit status: the step is "ok" when it
# returned 0, counted no failure and at least one passed test; "skipped" only when it returned 0
# after calling `skip REASON` (a marker file in this run's temporary directory, which no tool
# writes); anything else, any non-zero status included (3 as well: tools exit 3 on real errors),
# is FAILED. A step that runs no test fails: a suite that collects nothing proves nothing.
#
# ansible-test, ansible-lint, molecule and the pytest suites run in a staged copy
# (.build/test/ansible_collections/allura/forge, re-staged before each step so fresh edits count).
#
# Sandbox: integration and molecule start `tests/sandbox/server.py --port 0 --port-file F`
# (override with SANDBOX_SERVER=path), wait for the port, and stop it however the step ends. The URL
# and tokens reach the tests as:
#   integration  tests/integration/integration_config.yml, written into the staged copy:
#                allura_url, allura_admin_token, allura_user_token, allura_root_token
#   molecule     environment ALLURA_URL, ALLURA_TOKEN (the admin token), ALLURA_USER_TOKEN,
#                ALLURA_ROOT_TOKEN
#   functional   the tokens in the same environment, ALLURA_SANDBOX_SERVER (the server to start)
#                and ANSIBLE_COLLECTIONS_PATH pointing at the staged copy; no ALLURA_URL: the suite
#                runs in parallel (pytest-xdist, FUNCTIONAL_WORKERS processes, default one per CPU,
#                at least 2), and each process starts sandboxes of its own.
#
# tests/functional/ and tests/e2e/ convention: plain pytest files (test_*.py) that drive
# ansible-playbook / ansible-runner against the sandbox. Tests run side by side in several
# processes: each process starts its own sandbox with $ALLURA_SANDBOX_SERVER (the conftest's
# `allura_url` fixture), and a test resets it before use (POST /_sandbox/reset); any inventory
# they write must pin ansible_python_interpreter (interpreter discovery finds broken shims on some
# machines). They run with the Python of the venv of their leg (.venv, or .venv-compat).
#
# Adding a step: write a function step_NAME (set PASSED, FAILED and SKIPPED, return 0 or non-zero,
# or call `skip REASON` and return 0 when it cannot apply) and add NAME to ALL_STEPS (and to STEPS
# in the Makefile). TEST_EXTRA_STEPS=FILE sources FILE after ALL_STEPS is set, to add steps without
# editing this file; the runner's self-test uses it to run fake steps.
# Step functions are called by name (step_$step): tell shellcheck they are used.
# shellcheck disable=SC2329
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
ROOT=$PWD

ALL_STEPS=(runner changelog build importer lint sanity units sandbox-tests functional integration molecule
           real ee docs sanity-compat units-compat functional-compat integration-compat)
# shellcheck source=/dev/null
if [ -n "${TEST_EXTRA_STEPS:-}" ]; then source "$TEST_EXTRA_STEPS" || exit 2; fi
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
# Every step function sets PASSED, FAILED and SKIPPED (test counts) and returns 0 when it passed,
# non-zero when it failed; a step that cannot apply calls `skip REASON` and returns 0.
PASSED=0 FAILED=0 SKIPPED=0

skip() {  # skip REASON: this step does not apply here (it must still return 0)
  printf '%s\n' "$*" >"$TMPROOT/skip"
}

junit_counts() {  # junit_counts FILE... -> sets PASSED FAILED SKIPPED from the files that exist;
  local out        # writes "name: reason" of each skipped test case to $TMPROOT/junit-skipped
  out=$(.venv/bin/python - "$TMPROOT/junit-skipped" "$@" <<'EOF'
import sys, xml.etree.ElementTree as ET
p = f = s = 0
skipped = []
for path in sys.argv[2:]:
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError):
        continue
    for case in root.iter("testcase"):
        kinds = {child.tag: child for child in case}
        if "failure" in kinds or "error" in kinds:
            f += 1
        elif "skipped" in kinds:
            s += 1
            why = kinds["skipped"].get("message") or kinds["skipped"].text or ""
            skipped.append("%s: %s" % (case.get("name"), " ".join(why.split())))
        else:
            p += 1
with open(sys.argv[1], "w") as handle:
    handle.writelines(line + "\n" for line in skipped)
print(p, f, s)
EOF
)
  read -r PASSED FAILED SKIPPED <<<"$out"
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

py_version() {  # py_version VENV -> "3.12"
  "$ROOT/$1/bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])'
}

# The compatibility leg: .venv-compat holds the oldest supported ansible-core on the main venv's
# Python (every supported ansible-core runs on it), so it exists wherever .venv does.
compat_venv() {
  [ -x .venv-compat/bin/python ] || scripts/setup.sh --compat
}

# Sanity tests with nothing to check in this collection (it holds no PowerShell): ansible-test
# skipping them is expected. Any other skipped test means a checker (shellcheck, a Python, a
# virtual environment) is missing, and fails the step.
SANITY_NOT_APPLICABLE=(pslint)

ansible_test_sanity() {  # ansible_test_sanity VENV
  local venv=$1 rc name test required=()
  stage
  rm -rf "$STAGE/tests/output/junit"
  (cd "$STAGE" && with_venv "$venv" ansible-test sanity --python "$(py_version "$venv")" --local --junit --color no)
  rc=$?
  junit_counts "$STAGE"/tests/output/junit/*.xml
  while IFS= read -r name; do  # "pslint-python-3.12: No tests applicable."
    test=${name%%:*}
    [[ " ${SANITY_NOT_APPLICABLE[*]} " == *" ${test%-python-*} "* ]] || required+=("$name")
  done <"$TMPROOT/junit-skipped"
  if [ ${#required[@]} -gt 0 ]; then
    echo "ERROR: ansible-test skipped sanity tests this collection needs (is a checker missing?):"
    printf '  %s\n' "${required[@]}"
    FAILED=$((FAILED + ${#required[@]})) SKIPPED=$((SKIPPED - ${#required[@]})) rc=1
  fi
  settle "$rc"
}

# --venv, not --local: in the controller context pytest-ansible (in our venvs for plain
# `pytest tests/unit`) replaces ansible-test's collection path, and every controller-side test
# (filters, plugin_utils, action plugins) fails to collect. ansible-test's own venv holds only
# its pytest plugins plus tests/unit/requirements.txt, which also proves that file is complete.
ansible_test_units() {  # ansible_test_units VENV
  local venv=$1 rc
  stage
  rm -rf "$STAGE/tests/output/junit"
  (cd "$STAGE" && with_venv "$venv" ansible-test units --python "$(py_version "$venv")" --venv --requirements --color no)
  rc=$?
  junit_counts "$STAGE"/tests/output/junit/*.xml
  settle "$rc"
}

step_changelog() {
  stage
  (cd "$STAGE" && antsibull-changelog lint -v && antsibull-changelog lint-changelog-yaml changelogs/changelog.yaml)
  settle $? && PASSED=1
}

# The tarball this run built, from the source tree itself (not the staged copy): that is what a
# maintainer publishes, so galaxy.yml's build_ignore is what is being tested. Steps run in
# subshells: the path is handed on in $TMPROOT/tarball.
build_tarball() {
  local out=$ROOT/.cache/dist
  rm -rf "$out" && mkdir -p "$out"
  ansible-galaxy collection build "$ROOT" --output-path "$out" || return 1
  find "$out" -name 'allura-forge-*.tar.gz' | head -1 >"$TMPROOT/tarball"
  [ -s "$TMPROOT/tarball" ]
}

step_build() {
  local collections=$TMPROOT/collections rc=0 m r bad TARBALL
  build_tarball || { settle 1; return 1; }
  TARBALL=$(cat "$TMPROOT/tarball")
  echo "built $(basename "$TARBALL") ($(du -k "$TARBALL" | cut -f1) KiB, $(tar -tzf "$TARBALL" | wc -l) entries)"
  # Nothing local or generated may ship.
  bad=$(tar -tzf "$TARBALL" | grep -E '^(\.venv[^/]*|\.build|\.cache|\.git|\.ansible|\.pytest_cache|\.ci|collections|scripts|tests/output|bench)(/|$)|^requirements-(dev|compat|docs)\.txt$|(^|/)__pycache__(/|$)|\.pyc$|\.tar\.gz$|(^|/)importer_result\.json$|integration_config\.yml$' || true)
  if [ -n "$bad" ]; then echo "ERROR: the tarball contains files that must not ship (extend build_ignore in galaxy.yml):"; echo "$bad" | head -50; rc=1; fi
  # What users need must ship: the license, the runtime requirements, the spec schema, the AWX
  # credential type, the example execution environment and AWX project, the docs site's guides.
  local need missing='' listing
  listing=$(tar -tzf "$TARBALL")
  for need in LICENSE README.md requirements.txt meta/runtime.yml meta/execution-environment.yml \
              schemas/project_spec.schema.json extensions/awx/allura_credential_type.yml \
              examples/projects.yml examples/execution-environment/execution-environment.yml \
              examples/execution-environment/requirements.yml examples/awx_project/drift.yml \
              docs/docsite/extra-docs.yml docs/docsite/links.yml docs/docsite/config.yml changelogs/changelog.yaml; do
    grep -qxF "$need" <<<"$listing" || missing+=" $need"
  done
  if [ -n "$missing" ]; then echo "ERROR: the tarball lacks files users need (check build_ignore in galaxy.yml):$missing"; rc=1; fi
  ANSIBLE_COLLECTIONS_PATH=$collections ansible-galaxy collection install "$TARBALL" -p "$collections" --force --offline || rc=1
  # Every module that takes the connection options (the auth fragment) must be in the action group (module_defaults),
  # no other, and the group must name no ghosts.
  local modules; modules=$(.venv/bin/python - "$ROOT" <<'EOF'
import ast, os, sys, yaml
root = sys.argv[1]


def connects(path):
    with open(path) as f:
        tree = ast.parse(f.read())
    doc = next(node.value.value for node in tree.body if isinstance(node, ast.Assign)
               and [t.id for t in node.targets if isinstance(t, ast.Name)] == ["DOCUMENTATION"])
    return "allura.forge.auth" in (yaml.safe_load(doc).get("extends_documentation_fragment") or [])


with open(os.path.join(root, "meta/runtime.yml")) as f:
    groups = (yaml.safe_load(f) or {}).get("action_groups", {})
names = [n.split(".")[-1] for n in groups.get("allura", []) if isinstance(n, str)]
moddir = os.path.join(root, "plugins/modules")
mods = sorted(f[:-3] for f in os.listdir(moddir) if f.endswith(".py") and not f.startswith("_")) if os.path.isdir(moddir) else []
bad = False
for m in mods:
    if connects(os.path.join(moddir, m + ".py")) != (m in names):
        print("ERROR: plugins/modules/%s.py %s in meta/runtime.yml action_groups.allura" % (m, "is not" if m not in names else "takes no connection options but is"), file=sys.stderr)
        bad = True
for n in names:
    if n not in mods:
        print("ERROR: action_groups.allura lists %s, but plugins/modules/%s.py does not exist" % (n, n), file=sys.stderr)
        bad = True
print("\n".join(mods))
sys.exit(1 if bad else 0)
EOF
) || rc=1
  for m in $modules; do
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
  local dir=$TMPROOT/importer rc TARBALL
  # the tarball of this run's build step; alone, the step builds its own (never an older one)
  [ -s "$TMPROOT/tarball" ] || build_tarball || { echo "ERROR: building the tarball failed"; settle 1; return 1; }
  TARBALL=$(cat "$TMPROOT/tarball")
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

step_sanity() { ansible_test_sanity .venv; }
step_units() { ansible_test_units .venv; }

run_pytest() {  # run_pytest JUNIT DIR... (with the python first on PATH)
  local junit=$1; shift
  (cd "$STAGE" && python -m pytest -p no:cacheprovider -o console_output_style=classic -q -rfEs \
      --junitxml="$junit" "$@")
}

# The runner's self-test: tests/runner runs copies of this script on fake steps.
step_runner() {
  local rc
  stage
  run_pytest "$LOGDIR/runner.xml" tests/runner
  rc=$?
  junit_counts "$LOGDIR/runner.xml"
  settle "$rc"
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

functional() {  # functional VENV [PYTEST ARG...]
  local venv=$1 dirs=() d rc junit=$LOGDIR/functional-$1.xml workers=${FUNCTIONAL_WORKERS:-}; shift
  stage
  for d in tests/functional tests/e2e; do [ -d "$STAGE/$d" ] && dirs+=("$d"); done
  if [ ${#dirs[@]} -eq 0 ]; then echo "no tests/functional or tests/e2e suite"; settle 1; return 1; fi
  # at least 2: tests also wait (retry back-off, timeouts, delayed answers), which another can use
  [ -n "$workers" ] || workers=$(( $(nproc) > 2 ? $(nproc) : 2 ))
  (sandbox_env; unset ALLURA_URL; with_venv "$venv" run_pytest "$junit" -n "$workers" "$@" "${dirs[@]}")
  rc=$?
  junit_counts "$junit"
  settle "$rc"
}

# The targets are split into INTEGRATION_SHARDS groups (default 2) that run side by side, each in its
# own staged copy (ansible-test writes into the collection) against its own sandbox; each target
# still runs alone against its sandbox, and resets it itself.
integration_shard() {  # integration_shard VENV STAGE_PARENT OUT TARGET... (as a job of its own)
  local venv=$1 parent=$2 out=$3 stage rc; shift 3
  stage=$(scripts/stage.sh "$parent") || { echo "staging into $parent failed" >"$out"; return 1; }
  sandbox_start >"$out" 2>&1 || return 1
  # ansible-test hands this file's variables to every target.
  cat >"$stage/tests/integration/integration_config.yml" <<EOF
---
allura_url: $ALLURA_URL
allura_admin_token: $ADMIN_TOKEN
allura_user_token: $USER_TOKEN
allura_root_token: $ROOT_TOKEN
EOF
  # The inventory ansible-test writes for --local pins ansible_python_interpreter to the
  # controller's Python (the venv's python3.x, first on PATH), so discovery never meets a
  # broken shim.
  (cd "$stage" && with_venv "$venv" ansible-test integration --python "$(py_version "$venv")" --local --continue-on-error \
     --color no "$@") >>"$out" 2>&1
  rc=$?
  sandbox_stop
  return "$rc"
}

integration() {  # integration VENV
  local venv=$1 rc=0 out=$LOGDIR/.integration-$1.out total failed=0 n k t shards=${INTEGRATION_SHARDS:-2} pids=() targets=() shard
  stage
  mapfile -t targets < <(cd "$STAGE" && with_venv "$venv" ansible-test integration --list-targets 2>/dev/null)
  if [ ${#targets[@]} -eq 0 ]; then echo "ansible-test lists no integration target"; settle 1; return 1; fi
  [ "$shards" -le ${#targets[@]} ] || shards=${#targets[@]}
  for ((k = 0; k < shards; k++)); do
    shard=()
    for ((t = k; t < ${#targets[@]}; t += shards)); do shard+=("${targets[t]}"); done
    integration_shard "$venv" "$STAGE_PARENT-integration-$k" "$TMPROOT/integration-$k.out" "${shard[@]}" &
    pids+=($!)
  done
  for ((k = 0; k < shards; k++)); do wait "${pids[k]}" || rc=1; done
  for ((k = 0; k < shards; k++)); do
    echo "--- integration targets, group $((k + 1)) of $shards"
    cat "$TMPROOT/integration-$k.out"
  done | tee "$out"
  total=$(grep -cE '^Running [^ ]+ integration test (role|script)' "$out")
  while read -r n; do failed=$((failed + n)); done < <(sed -n 's/.*The \([0-9]*\) integration test(s) listed below (out of [0-9]*) failed.*/\1/p' "$out")
  FAILED=$failed
  PASSED=$((total - FAILED)); [ "$PASSED" -ge 0 ] || PASSED=0
  if [ "$total" -ne ${#targets[@]} ]; then echo "ERROR: ${#targets[@]} targets listed, $total run"; rc=1; fi
  settle "$rc"
}

step_functional() { functional .venv; }
step_integration() { integration .venv; }
step_sanity-compat() { compat_venv || { settle 1; return 1; }; ansible_test_sanity .venv-compat; }
step_units-compat() { compat_venv || { settle 1; return 1; }; ansible_test_units .venv-compat; }
# The check-mode property test runs its 30 changes on the main leg; on the oldest ansible-core, 2 rounds (12 changes).
# The oldest ansible-core: every test but the long scenarios (marker `scenario`), which prove the collection's own logic
# more than ansible-core's interfaces, and a shorter property test.
step_functional-compat() {
  compat_venv || { settle 1; return 1; }
  ALLURA_PROPERTY_ROUNDS=${ALLURA_PROPERTY_ROUNDS:-2} functional .venv-compat -m 'not scenario'
}
step_integration-compat() { compat_venv || { settle 1; return 1; }; integration .venv-compat; }

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
    skip "no Allura to build: neither ALLURA_SRC nor ../shared/allura-server (with its allura/ source tree) exists"
    return 0
  fi
  rm -f "$LOGDIR/real.xml"
  scripts/real-allura.sh run scripts/real-tests.sh "$STAGE" "$LOGDIR" "$counts"
  rc=$?
  junit_counts "$LOGDIR/real.xml"  # pytest tests/real; the targets and scenarios are in $counts
  [ -s "$counts" ] && read -r p f <"$counts" && PASSED=$((PASSED + p)) FAILED=$((FAILED + f))
  settle "$rc"
}

step_ee() {
  local rc
  stage
  run_pytest "$LOGDIR/ee.xml" tests/ee
  rc=$?
  junit_counts "$LOGDIR/ee.xml"
  settle "$rc"
}

step_docs() {
  local out=$ROOT/tests/output/docs rc
  rm -rf "$out"
  SKIP_SETUP='' scripts/docs.sh --check "$out"
  rc=$?
  junit_counts "$out/checker-tests.xml" "$out/junit.xml"
  if [ "$rc" -eq 0 ] && [ -f "$out/browser-unavailable" ]; then
    PASSED=1  # the site was built
    skip "the docs site was built, but NOT checked in a browser: $(cat "$out/browser-unavailable")"
    return 0
  fi
  [ "$rc" -ne 0 ] || PASSED=$((PASSED + 1))  # the build itself
  settle "$rc"
}

# --- runner --------------------------------------------------------------------------------------
now() { echo "$EPOCHREALTIME"; }
run_step() {  # run_step STEP (in a background job): run it, hand its counts to the parent
  "step_$1"
  local rc=$?
  printf '%s %s %s\n' "$PASSED" "$FAILED" "$SKIPPED" >"$TMPROOT/counts"
  return "$rc"
}
verdict() {  # verdict RC -> sets RESULT (ok, skipped or FAILED) and WHY from the step's status and data
  WHY=
  if [ "$1" -ne 0 ]; then
    RESULT=FAILED WHY="exit status $1"
  elif [ "$COUNTED" != yes ]; then
    RESULT=FAILED WHY="the step ended without reporting its counts"
  elif [ "$FAILED" -gt 0 ]; then
    RESULT=FAILED WHY="$FAILED failed"
  elif [ -f "$TMPROOT/skip" ]; then
    RESULT=skipped WHY=$(cat "$TMPROOT/skip")
  elif [ "$PASSED" -eq 0 ]; then
    RESULT=FAILED WHY="no test ran (a suite that collects nothing proves nothing)"
  else
    RESULT=ok
  fi
}
SUM_PASSED=0 SUM_FAILED=0 SUM_SKIPPED=0 ANY_FAILED=0
ROWS=() SKIPS=()
n=0
for step in "${STEPS[@]}"; do
  n=$((n + 1))
  log=$LOGDIR/$step.log
  printf '\n==> [%d/%d] %s\n' "$n" "${#STEPS[@]}" "$step"
  PASSED=0 FAILED=0 SKIPPED=0
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
  COUNTED=no
  if [ -s "$TMPROOT/counts" ] && read -r PASSED FAILED SKIPPED <"$TMPROOT/counts" \
     && [[ "$PASSED $FAILED $SKIPPED" =~ ^[0-9]+\ [0-9]+\ [0-9]+$ ]]; then
    COUNTED=yes
  else
    PASSED=0 FAILED=0 SKIPPED=0
  fi
  verdict "$rc"
  [ "$RESULT" != FAILED ] || [ "$FAILED" -gt 0 ] || FAILED=1  # a failed step counts at least one failure
  secs=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.0f", b - a }')
  case $RESULT in
    skipped) echo "    skipped: $WHY"; SKIPS+=("$step: $WHY") ;;
    FAILED) ANY_FAILED=1; echo "    failed: $WHY"
       [ -n "${VERBOSE:-}" ] || { echo "    --- last ${TEST_LOG_LINES:-400} lines of its output (all of it: .cache/test-logs/$step.log)"; tail -n "${TEST_LOG_LINES:-400}" "$log" | sed 's/^/    /'; } ;;
  esac
  SUM_PASSED=$((SUM_PASSED + PASSED)) SUM_FAILED=$((SUM_FAILED + FAILED)) SUM_SKIPPED=$((SUM_SKIPPED + SKIPPED))
  printf '    %s: %d passed, %d failed, %d skipped (%ss)\n' "$RESULT" "$PASSED" "$FAILED" "$SKIPPED" "$secs"
  ROWS+=("$(printf '%-19s %-8s %7d %7d %7d %6s' "$step" "$RESULT" "$PASSED" "$FAILED" "$SKIPPED" "$secs")")
done

printf '\n%-19s %-8s %7s %7s %7s %6s\n' step result passed failed skipped secs
printf '%s\n' "-------------------------------------------------------------"
printf '%s\n' "${ROWS[@]}"
[ ${#SKIPS[@]} -eq 0 ] || { echo; echo "skipped steps:"; printf '  %s\n' "${SKIPS[@]}"; }
echo
echo "$SUM_PASSED passed, $SUM_FAILED failed, $SUM_SKIPPED skipped"
exit $ANY_FAILED
