#!/usr/bin/env bash
# `make demo`: the collection end to end against a local, in-memory Allura sandbox, in four steps:
#   1. provision examples/projects.yml (creates project p/forge-demo with tools, link, wiki pages, a
#      published announcement on its blog, tickets and a comment, a webhook; checks access)
#                                             ansible-playbook allura.forge.provision
#   2. provision again: nothing to change (idempotence)
#   3. edit one wiki page and add a webhook behind Ansible's back, through the REST API (curl)
#   4. drift check: exactly that change and that unmanaged webhook are reported   ansible-playbook allura.forge.drift
# The sandbox is stopped however the demo ends. Full Ansible output and the reports go to
# .cache/demo/. Needs the .venv of scripts/setup.sh (the Makefile's demo target runs it first).
# The demo checks its own claims (changed=0 on the rerun, exactly that drift) and fails otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PY=$ROOT/.venv/bin/python
OUT=$ROOT/.cache/demo
SPEC=examples/projects.yml
ROOT_TOKEN=a0000000000000000000   # the sandbox's neighborhood admin of p (can create projects)
T0=$EPOCHREALTIME

[ -x "$PY" ] || { echo "demo: .venv is missing; run 'make demo' (or scripts/setup.sh first)" >&2; exit 1; }
rm -rf "$OUT" && mkdir -p "$OUT"

SB_PID=
cleanup() {
  if [ -n "$SB_PID" ]; then kill "$SB_PID" 2>/dev/null || true; wait "$SB_PID" 2>/dev/null || true; fi
}
trap cleanup EXIT
trap 'echo "demo: interrupted" >&2; exit 130' INT TERM

secs() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f s", b - a }'; }
say() { printf '%s\n' "$*"; }
if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then
  step() { printf '\n\033[1m%s\033[0m\n' "$*"; }
else
  step() { printf '\n%s\n' "$*"; }
fi
fail() { printf 'demo FAILED: %s\n' "$*" >&2; exit 1; }

# --- the sandbox and a private staged copy of the collection --------------------------------------
"$PY" tests/sandbox/server.py --port 0 --port-file "$OUT/port" >"$OUT/sandbox.log" 2>&1 &
SB_PID=$!
COLLECTIONS=$ROOT/.build/demo
scripts/stage.sh "$COLLECTIONS" >/dev/null
for _ in $(seq 1 300); do
  if [ -s "$OUT/port" ] && "$PY" -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).close()' \
      "$(tr -dc 0-9 <"$OUT/port")" 2>/dev/null; then break; fi
  kill -0 "$SB_PID" 2>/dev/null || { cat "$OUT/sandbox.log" >&2; fail "the sandbox did not start"; }
  sleep 0.1
done
[ -s "$OUT/port" ] || fail "the sandbox did not start within 30 s"
URL=http://127.0.0.1:$(tr -dc 0-9 <"$OUT/port")

export ALLURA_URL=$URL ALLURA_TOKEN=$ROOT_TOKEN ANSIBLE_COLLECTIONS_PATH=$COLLECTIONS
export ANSIBLE_NOCOLOR=1 ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false
export ANSIBLE_RETRY_FILES_ENABLED=false ANSIBLE_DISPLAY_SKIPPED_HOSTS=false
unset ANSIBLE_CONFIG

say "allura.forge demo"
say "  sandbox  $URL  (a local Allura-compatible server, in memory; stopped at the end)"
say "  spec     $SPEC  (project p/forge-demo: tools, link, wiki pages, a blog post, tickets, a webhook, access checks)"

# Runs a playbook with its full output in $OUT/<name>.log; sets RC and RECAP (the PLAY RECAP counts).
playbook() {  # playbook NAME ARGS...
  local name=$1; shift
  set +e
  .venv/bin/ansible-playbook "$@" >"$OUT/$name.log" 2>&1
  RC=$?
  set -e
  RECAP=$(sed -n 's/^localhost *: *//p' "$OUT/$name.log" | tail -1 | tr -s ' ' | cut -d' ' -f1-2,4)
}

# Prints the per-project summary of a provision report: counts, then what was created or updated.
summary() {  # summary REPORT.json
  "$PY" - "$1" <<'EOF'
import json, sys
from collections import Counter
words = {'project': ('project', 'project'), 'tool': ('tool', 'tools'), 'link': ('link', 'links'),
         'wiki_page': ('wiki page', 'wiki pages'), 'blog_post': ('blog post', 'blog posts'), 'ticket': ('ticket', 'tickets'),
         'comment': ('comment', 'comments'), 'webhook': ('webhook', 'webhooks')}
for report in json.load(open(sys.argv[1]))['reports']:
    s = report['summary']
    counts = ', '.join('%d %s' % (s[a], w) for a, w in (('create', 'created'), ('update', 'updated'), ('none', 'unchanged')) if s[a] or a == 'none')
    print('      %s: %s' % (report['project'], counts))
    for action in ('create', 'update'):
        kinds = Counter(r['kind'] for r in report['resources'] if r['action'] == action)
        if kinds:
            print('        %-8s %s' % (action + 'd', ', '.join('%d %s' % (n, words.get(k, (k, k + 's'))[n != 1]) for k, n in kinds.items())))
    bad = [r['resource'] for r in report['resources'] if r['mismatch']]
    print('        access   %d check(s) as expected%s' % (sum(1 for r in report['resources'] if r['kind'] == 'access') - len(bad),
                                                       '; NOT as expected: ' + ', '.join(bad) if bad else ''))
EOF
}

# --- 1. provision -------------------------------------------------------------------------------
step "[1/4] Provision    ansible-playbook allura.forge.provision -e @$SPEC"
t=$EPOCHREALTIME
playbook provision allura.forge.provision -e "@$SPEC" -e "provision_report_file=$OUT/provision.json"
[ "$RC" -eq 0 ] || { tail -30 "$OUT/provision.log" >&2; fail "provision failed (full output: $OUT/provision.log)"; }
summary "$OUT/provision.json"
say "      ($RECAP; $(secs "$t"))"
# The announcement as anyone reads it (no token): published, so visible without write permission on the blog.
"$PY" - "$URL" <<'EOF' || fail "the announcement is not published on the blog (see $OUT/provision.log)"
import json, sys, urllib.request
def get(url):
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.load(response)
posts = get(sys.argv[1] + '/rest/p/forge-demo/news/')['posts']
assert posts, 'no published post'
post = get(posts[0]['url'])
assert post['state'] == 'published', post
print('      blog     "%s" (%s): %s' % (post['title'], post['state'], post['url']))
print('               %s' % post['text'].split('\n', 1)[0])
EOF

# --- 2. idempotence -----------------------------------------------------------------------------
step "[2/4] Provision again: nothing to do"
t=$EPOCHREALTIME
playbook provision-again allura.forge.provision -e "@$SPEC" -e "provision_report_file=$OUT/provision-again.json"
[ "$RC" -eq 0 ] || { tail -30 "$OUT/provision-again.log" >&2; fail "the second provision failed"; }
summary "$OUT/provision-again.json"
say "      ($RECAP; $(secs "$t"))"
[[ $RECAP == *"changed=0"* ]] || fail "the second run changed something ($RECAP): see $OUT/provision-again.log"

# --- 3. changes behind Ansible's back -----------------------------------------------------------
# POST to the REST API as someone would by hand: curl where there is one, else Python's urllib.
post() {  # post URL FIELD VALUE
  if command -v curl >/dev/null; then
    curl -sSf -o /dev/null -X POST -H "Authorization: Bearer $ROOT_TOKEN" --data-urlencode "$2=$3" "$1"
  else
    "$PY" -c 'import sys, urllib.parse, urllib.request
req = urllib.request.Request(sys.argv[1], data=urllib.parse.urlencode({sys.argv[3]: sys.argv[4]}).encode(),
                             headers={"Authorization": "Bearer " + sys.argv[2]}, method="POST")
urllib.request.urlopen(req, timeout=10).close()' "$1" "$ROOT_TOKEN" "$2" "$3"
  fi
}
step "[3/4] Someone edits wiki page docs/Install and adds a webhook through the REST API, not through Ansible"
PAGE="$URL/rest/p/forge-demo/docs/Install"
NEW_TEXT=$'# Install\n\npip install forge-demo==0.9\nforge-demo --version\n'
say "      POST $PAGE  text=..."
post "$PAGE" text "$NEW_TEXT"
say '      line 3 is now "pip install forge-demo==0.9" (the spec says "pip install forge-demo")'
HOOKS="$URL/rest/p/forge-demo/admin/code/webhooks/repo-push"
STRAY_HOOK=http://127.0.0.1:8099/hooks/unknown
say "      POST $HOOKS  url=$STRAY_HOOK"
post "$HOOKS" url "$STRAY_HOOK"
say '      the code repository now posts every push to a URL the spec does not declare'

# --- 4. drift check -----------------------------------------------------------------------------
step "[4/4] Drift check  ansible-playbook allura.forge.drift -e @$SPEC -e fail_on_drift=true"
t=$EPOCHREALTIME
playbook drift allura.forge.drift -e "@$SPEC" -e "drift_report_dir=$OUT" -e fail_on_drift=true
[ -s "$OUT/allura-drift.json" ] || { tail -30 "$OUT/drift.log" >&2; fail "the drift playbook wrote no report"; }
"$PY" - "$OUT/allura-drift.json" <<'EOF'
import json, sys
report = json.load(open(sys.argv[1]))
print('      %d difference(s), %d unmanaged resource(s):' % (len(report['rows']), len(report['unmanaged'])))
for line in report['lines']:
    print('      ' + line)
EOF
# shellcheck disable=SC2016  # the backquotes are Markdown, not a command substitution
sed -n '/^```diff$/,/^```$/p' "$OUT/allura-drift.md" | sed '1d;$d' | sed 's/^/        /'
say "      exit status $RC: fail_on_drift=true fails the play on drift (for CI); $(secs "$t")"
say "      report: ${OUT#"$ROOT"/}/allura-drift.md and .json"
"$PY" - "$OUT/allura-drift.json" "$STRAY_HOOK" <<'EOF' || fail "the drift check did not report exactly the edit and the webhook (see .cache/demo/drift.log)"
import json, sys
report = json.load(open(sys.argv[1]))
rows, unmanaged = report['rows'], report['unmanaged']
assert len(rows) == 1 and rows[0]['resource'] == 'wiki docs/Install' and rows[0]['field'] == 'text', rows
assert 'forge-demo==0.9' in rows[0]['live'] and 'forge-demo==0.9' not in rows[0]['desired'], rows
assert [(u['kind'], u['mount_point'], u['url']) for u in unmanaged] == [('webhook', 'code', sys.argv[2])], unmanaged
EOF
[ "$RC" -ne 0 ] || fail "fail_on_drift=true did not fail the play"

printf '\nDone in %s: provisioned, idempotent, the edit and the unmanaged webhook found. Full Ansible output: %s/*.log\n' "$(secs "$T0")" "${OUT#"$ROOT"/}"
