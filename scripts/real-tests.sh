#!/usr/bin/env bash
# The tests of the `real` step, against the real Allura that scripts/real-allura.sh runs:
#
#   scripts/real-allura.sh run scripts/real-tests.sh STAGE LOGDIR COUNTS
#
# STAGE: the staged collection (ansible_collections/allura/forge); LOGDIR: where the pytest junit
# file real.xml goes; COUNTS: a file this script writes "PASSED FAILED" into for the integration
# targets and molecule scenarios. In order:
#   1. pytest tests/real: the recordings replayed against the server (the contract in reverse),
#      the differential test (the same module runs on the sandbox and on the server agree), OAuth
#      1.0a through the TLS front on both execution paths;
#   2. every integration target without the alias sandbox_only (those need the sandbox's faults, latency
#      or request log), the server restarted before each one (setup_sandbox);
#   3. the molecule scenarios: converge, idempotence, check and verify, the server restarted first.
# Exits non-zero when anything failed.
set -uo pipefail
STAGE=$1 LOGDIR=$2 COUNTS=$3
ROOT=$(cd "$(dirname "$0")/.." && pwd)
: "${ALLURA_REAL_URL:?run this through scripts/real-allura.sh run}"
PY=$(python -c 'import sys; print("%d.%d" % sys.version_info[:2])')
export ANSIBLE_COLLECTIONS_PATH
ANSIBLE_COLLECTIONS_PATH=$(cd "$STAGE/../../.." && pwd)
ADMIN_TOKEN=a0000000000000000001 USER_TOKEN=a0000000000000000002 ROOT_TOKEN=a0000000000000000000
[ -d "$ROOT/../shared/allura-api" ] && export ALLURA_API_DIR=$ROOT/../shared/allura-api
passed=0 failed=0 rc=0
t0=$SECONDS
took() { echo "--- $1 took $((SECONDS - t0)) s"; t0=$SECONDS; }

echo "=== pytest tests/real"
(cd "$STAGE" && python -m pytest -p no:cacheprovider -o console_output_style=classic -q -rfE \
    --junitxml="$LOGDIR/real.xml" tests/real) || rc=1
took "pytest tests/real"

echo "=== integration targets against $ALLURA_REAL_URL"
cat >"$STAGE/tests/integration/integration_config.yml" <<EOF
---
allura_backend: real
allura_url: $ALLURA_REAL_URL
allura_real_home: $ALLURA_REAL_HOME
allura_restart_command: $ALLURA_REAL_RESTART
allura_admin_token: $ADMIN_TOKEN
allura_user_token: $USER_TOKEN
allura_root_token: $ROOT_TOKEN
EOF
out=$LOGDIR/.real-integration.out
(cd "$STAGE" && ansible-test integration --python "$PY" --local --continue-on-error --color no --exclude sandbox_only/) 2>&1 | tee "$out"
[ "${PIPESTATUS[0]}" -eq 0 ] || rc=1
total=$(grep -cE '^Running [^ ]+ integration test (role|script)' "$out")
f=$(sed -n 's/.*The \([0-9]*\) integration test(s) listed below (out of [0-9]*) failed.*/\1/p' "$out" | tail -1)
f=${f:-0}
[ "$total" -gt 0 ] || { echo "no integration target ran"; rc=1; f=1; }
passed=$((passed + total - f)) failed=$((failed + f))
took "the integration targets"

echo "=== molecule against $ALLURA_REAL_URL"
shopt -s nullglob
for scenario in "$STAGE"/extensions/molecule/*/molecule.yml; do
  name=$(basename "$(dirname "$scenario")")
  echo "--- molecule scenario $name"
  if $ALLURA_REAL_RESTART >/dev/null && (cd "$STAGE/extensions" && ALLURA_BACKEND=real ALLURA_URL=$ALLURA_REAL_URL \
      ALLURA_TOKEN=$ADMIN_TOKEN ALLURA_USER_TOKEN=$USER_TOKEN ALLURA_ROOT_TOKEN=$ROOT_TOKEN molecule test -s "$name"); then
    passed=$((passed + 1))
  else
    failed=$((failed + 1)) rc=1
  fi
done
took "molecule"

echo "$passed $failed" >"$COUNTS"
exit "$rc"
