# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Faults survived: transient failures, ambiguous creates and a server that stops answering.

Each test resets the sandbox (the `sandbox` fixture) and injects faults through
`POST /_sandbox/faults`. The example spec is provisioned fault-free on a reset sandbox and with
about 30% of requests failing; the two end states must be the same, down to the number of wiki
page versions, tickets, webhooks and tools. Run with `-s` to see the request counts.
"""

from __future__ import annotations

import json
import os
import re
import socket
import threading
import time
import urllib.request
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLE = '@' + os.path.join(os.path.dirname(os.path.dirname(HERE)), 'examples', 'projects.yml')
ROOT_TOKEN = os.environ.get('ALLURA_ROOT_TOKEN') or 'a0000000000000000000'  # creating a project needs it
ADMIN_TOKEN = os.environ.get('ALLURA_ADMIN_TOKEN') or 'a0000000000000000001'
RUN_AS_MODULE = {'ALLURA_FORGE_RUN_AS_MODULE': '1'}

# The creates of the example spec: add_project, install_tool, tickets/new, webhook create (wiki
# page writes have their own re-read too, and are faulted by the generic rules below).
CREATES = r'/(add_project|install_tool|new|webhooks/repo-push)$'
# Share of all requests per fault kind; with the rules below, about 30% of all requests fail.
MIX = [('429', 0.02), ('429-retry-after', 0.01), ('502', 0.015), ('503', 0.02), ('504', 0.01), ('reset', 0.015),
       ('delay', 0.01)]
# Each kind at least once, whatever the random draws, on requests of every sort: reads, re-reads,
# creates and updates.
ONCE = [('429', 'GET', '/admin/installable_tools$'), ('429-retry-after', 'POST', '/admin/install_tool$'),
        ('502', 'POST', '/docs/Install$'), ('503', 'GET', '/docs/Home$'), ('504', 'POST', '/tickets/new$'),
        ('reset', 'GET', '/tickets/$'), ('delay', 'GET', '/has_access$'), ('reset-after', 'POST', '/webhooks/repo-push$'),
        ('reset-after', 'POST', '/docs/Home$')]
RETRIES = 10


# -- sandbox helpers ------------------------------------------------------------------------------

def control(url, path, body=None, method=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url + path, data=data, method=method or ('POST' if data is not None else 'GET'),
                                 headers={'Content-Type': 'application/json'})
    with urllib.request.urlopen(req, timeout=10) as response:
        text = response.read().decode()
    return json.loads(text) if text else None


def reset(url):
    control(url, '/_sandbox/reset', method='POST')


def faults(url, *rules):
    control(url, '/_sandbox/faults', list(rules))


def log(url):
    return control(url, '/_sandbox/log')


def transient_mix(seed):
    """Rules that make each request fail with the shares of MIX (the first matching rule that fires wins,
    so each later rule's fraction is raised to keep its share of all requests)."""
    rules = [{'kind': kind, 'count': 1, 'match': {'method': method, 'path_regex': regex}} for kind, method, regex in ONCE]
    rules.append({'kind': 'reset-after', 'fraction': 0.15, 'seed': seed, 'match': {'method': 'POST', 'path_regex': CREATES}})
    left = 1.0
    for offset, (kind, share) in enumerate(MIX, 1):
        rule = {'kind': kind, 'fraction': round(share / left, 4), 'seed': seed + offset, 'retry_after': 1}
        if kind == 'delay':
            rule['delay_ms'] = 300
        rules.append(rule)
        left -= share
    return rules


VOLATILE_KEYS = {'_id', 'thread_id', 'discussion_id', 'mod_date', 'created_date', 'installed', 'last_updated',
                 'creation_date', 'joined'}
DATE = re.compile(r'^\d{4}-\d{2}-\d{2}')
GENERATED_SECRET = re.compile(r'^[0-9a-f]{40}$')
COMMENT_SLUG = re.compile(r'^[0-9a-f]{4}(/[0-9a-f]{4})*$')  # random, as Allura makes them


def comparable(value, key=None):
    """The state without what differs between two equal runs: ids, dates, server-generated secrets and comment slugs,
    discussion threads by their posts (they are keyed by generated ids), the order the wiki pages were created in."""
    if isinstance(value, dict) and key == 'threads':
        return sorted((comparable(posts) for posts in value.values()), key=repr)
    if isinstance(value, list) and key == 'pages':  # a wiki's pages are written several at a time: stored in any order
        return sorted((comparable(page) for page in value), key=lambda page: page['title'])
    if isinstance(value, dict):
        return {k: comparable(v, k) for k, v in value.items() if k not in VOLATILE_KEYS}
    if isinstance(value, list):
        return [comparable(v) for v in value]
    if isinstance(value, str) and DATE.match(value):
        return '<date>'
    if key == 'secret' and isinstance(value, str) and GENERATED_SECRET.match(value):
        return '<generated>'
    if key == 'slug' and isinstance(value, str) and COMMENT_SLUG.match(value):
        return '<generated>'
    return value


def state(url):
    return comparable(control(url, '/_sandbox/state'))


def recap(proc):
    found = re.findall(r'^localhost\s*:\s*(.*)$', proc.stdout, re.M)
    assert found, proc.stdout + proc.stderr
    return dict((k, int(v)) for k, v in re.findall(r'(\w+)=(\d+)', found[-1]))


def output(proc):
    return proc.stdout + proc.stderr


def resources(snapshot, project='p/forge-demo'):
    """What must never be duplicated, counted: tools by mount point, tickets by summary, webhooks by
    URL, blog posts by title, comments by text, and the version of every wiki page."""
    tools, tickets, hooks, versions, posts, comments = Counter(), Counter(), Counter(), {}, Counter(), Counter()
    for tool in snapshot['projects'][project]['tools']:
        tools[tool['mount_point']] += 1
        data = tool.get('data') or {}
        for ticket in data.get('tickets') or ():
            tickets[ticket['summary']] += 1
        for post in data.get('posts') or ():
            posts[post['title']] += 1
        threads = data.get('threads') or {}
        for thread in threads.values() if isinstance(threads, dict) else threads:  # a list once comparable()
            comments.update(post['text'] for post in thread)
        for hook in data.get('webhooks') or ():
            hooks[hook['hook_url']] += 1
        for page in data.get('pages') or ():
            versions['%s/%s' % (tool['mount_point'], page['title'])] = page['version']
    return dict(tools=tools, tickets=tickets, webhooks=hooks, wiki_versions=versions, blog_posts=posts, comments=comments)


_BASELINE = {}


def baseline(ansible_playbook, url):
    """State and request count of a fault-free provision of the example spec on a reset sandbox."""
    if not _BASELINE:
        reset(url)
        proc = ansible_playbook('allura.forge.provision', '-e', EXAMPLE, token=ROOT_TOKEN)
        assert proc.returncode == 0, output(proc)
        _BASELINE.update(state=state(url), requests=log(url)['counters']['total'], changed=recap(proc)['changed'])
        reset(url)
    return _BASELINE


# -- 1. transient faults --------------------------------------------------------------------------

def test_provision_under_30_percent_transient_faults_ends_in_the_fault_free_state(ansible_playbook, sandbox):
    clean = baseline(ansible_playbook, sandbox)

    faults(sandbox, *transient_mix(seed=7))
    started = time.monotonic()
    proc = ansible_playbook('allura.forge.provision', '-e', EXAMPLE, token=ROOT_TOKEN, env={'ALLURA_RETRIES': str(RETRIES)})
    elapsed = time.monotonic() - started
    assert proc.returncode == 0, output(proc)[-6000:]
    entries = log(sandbox)
    control(sandbox, '/_sandbox/faults', method='DELETE')
    faulted = Counter(r['fault'] for r in entries['requests'] if r['fault'])
    total = entries['counters']['total']
    failed = sum(n for kind, n in faulted.items() if kind != 'delay')  # a delayed request still succeeds
    print('\nRELIABILITY fault-free provision: %d requests; with faults: %d requests, %d failed (%.0f%%), %d delayed, %s; %.1fs'
          % (clean['requests'], total, failed, 100.0 * failed / total, faulted['delay'], dict(sorted(faulted.items())), elapsed))

    # The faults really happened, every kind of them, at the rate asked for, and were surfaced.
    assert set(faulted) == {kind for kind, _share in MIX} | {'reset-after'}, faulted
    assert 0.2 <= failed / total <= 0.45, faulted
    assert 'retrying in' in proc.stderr
    assert 'a re-read shows the change was made; not sending it again' in proc.stderr
    assert recap(proc)['changed'] == clean['changed']

    # Exactly the fault-free end state: no duplicate tool, ticket or webhook, no extra page version.
    after = state(sandbox)
    assert resources(after) == resources(clean['state'])
    assert after == clean['state']

    control(sandbox, '/_sandbox/log/clear', method='POST')
    rerun = ansible_playbook('allura.forge.provision', '-e', EXAMPLE, token=ROOT_TOKEN)
    assert rerun.returncode == 0 and recap(rerun)['changed'] == 0, rerun.stdout[-3000:]
    assert log(sandbox)['counters']['writes'] == 0


def test_retries_running_out_fail_clearly_and_the_next_run_converges(ansible_playbook, sandbox):
    clean = baseline(ansible_playbook, sandbox)
    one_retry = {'ALLURA_RETRIES': '1'}

    # Every write refused: the first one (creating the project) fails, naming the request, and nothing changes.
    faults(sandbox, {'kind': '503', 'match': {'method': 'POST'}})
    proc = ansible_playbook('allura.forge.provision', '-e', EXAMPLE, token=ROOT_TOKEN, env=one_retry)
    assert proc.returncode != 0
    assert 'POST /rest/p/add_project failed after 2 attempts: HTTP 503' in proc.stdout, output(proc)[-3000:]
    assert 'raise retries or timeout, or run again later' in proc.stdout
    assert 'retrying in' in proc.stderr and '(attempt 2 of 2)' in proc.stderr
    assert log(sandbox)['counters']['writes'] == 0
    control(sandbox, '/_sandbox/faults', method='DELETE')

    # Half-way: project, tools and pages are written, then ticket creates are refused.
    faults(sandbox, {'kind': '503', 'match': {'method': 'POST', 'path_regex': '/tickets/new$'}})
    proc = ansible_playbook('allura.forge.provision', '-e', EXAMPLE, token=ROOT_TOKEN, env=one_retry)
    assert proc.returncode != 0
    assert 'POST /rest/p/forge-demo/tickets/new failed after 2 attempts: HTTP 503' in proc.stdout, output(proc)[-3000:]
    partial = resources(state(sandbox))
    assert partial['tickets'] == Counter() and partial['wiki_versions'] == resources(clean['state'])['wiki_versions']
    control(sandbox, '/_sandbox/faults', method='DELETE')

    # The next fault-free run finishes the job: the same end state as one clean run.
    proc = ansible_playbook('allura.forge.provision', '-e', EXAMPLE, token=ROOT_TOKEN)
    assert proc.returncode == 0, output(proc)[-3000:]
    assert state(sandbox) == clean['state']


# -- 2. ambiguous creates -------------------------------------------------------------------------

AMBIGUOUS_PLAYBOOK = """
- hosts: localhost
  gather_facts: false
  vars:
    ansible_python_interpreter: "{{ ansible_playbook_python }}"
  module_defaults:
    group/allura.forge.allura:
      project: test
  tasks:
    - name: Project
      allura.forge.allura_project: {project: amb-proj, name: Ambiguous, admin: test-admin, token: "%(root)s"}
      register: r_project
    - name: Tool
      allura.forge.allura_tool: {tool: wiki, mount_point: amb-docs, mount_label: Amb Docs}
      register: r_tool
    - name: Ticket
      allura.forge.allura_ticket: {mount_point: bugs, summary: Ambiguous ticket, status: open, labels: [amb]}
      register: r_ticket
    - name: Webhook
      allura.forge.allura_webhook: {url: "http://127.0.0.1:9/amb", secret: amb-secret-51c2}
      register: r_webhook
    - name: Wiki page
      allura.forge.allura_wiki_page: {title: Amb page, text: "Written once\\n"}
      register: r_page
    - name: Blog post
      allura.forge.allura_blog_post: {title: Ambiguous post, text: Posted once, state: published}
      register: r_post
    - name: Comment
      allura.forge.allura_comment: {mount_point: bugs, ticket_num: "{{ r_ticket.ticket.ticket_num }}", text: Ambiguous comment}
      register: r_comment
    - name: Results
      ansible.builtin.copy:
        content: "{{ {'project': r_project, 'tool': r_tool, 'ticket': r_ticket, 'webhook': r_webhook, 'page': r_page, 'post': r_post,
                      'comment': r_comment} | to_json }}"
        dest: "{{ out }}"
        mode: "0644"
      changed_when: false
""" % dict(root=ROOT_TOKEN)

AMBIGUOUS_CREATES = {  # the path of each create, as a regular expression
    'project': re.escape('/rest/p/add_project'),
    'tool': re.escape('/rest/p/test/admin/install_tool'),
    'ticket': re.escape('/rest/p/test/bugs/new'),
    'webhook': re.escape('/rest/p/test/admin/code/webhooks/repo-push'),
    'page': re.escape('/rest/p/test/wiki/Amb%20page'),
    'post': re.escape('/rest/p/test/blog/'),
    'comment': re.escape('/rest/p/test/bugs/_discuss/thread/') + r'\w+/new',
}


def _ambiguous_run(ansible_playbook, sandbox, tmp_path, env):
    for path in AMBIGUOUS_CREATES.values():
        faults(sandbox, {'kind': 'reset-after', 'count': 1, 'match': {'method': 'POST', 'path_regex': path + '$'}})
    out = tmp_path / 'results.json'
    proc = ansible_playbook(AMBIGUOUS_PLAYBOOK, '-e', 'out=%s' % out, env=env)
    assert proc.returncode == 0, output(proc)[-4000:]
    return proc, json.loads(out.read_text(encoding='utf-8'))


def test_a_lost_create_answer_is_reread_never_resent(ansible_playbook, sandbox, tmp_path):
    for env in ({}, RUN_AS_MODULE):  # in process (action plugin), then as a module
        reset(sandbox)
        proc, results = _ambiguous_run(ansible_playbook, sandbox, tmp_path, env)
        entries = log(sandbox)['requests']
        for name, path in AMBIGUOUS_CREATES.items():
            result = results[name]
            assert result['changed'] and not result.get('failed'), (name, result)
            assert any('but a re-read shows the change was made; not sending it again' in w and re.search(path + ':', w)
                       for w in result.get('warnings', ())), (name, result.get('warnings'))
            posts = [r for r in entries if r['method'] == 'POST' and re.fullmatch(path, r['path'])]
            assert len(posts) == 1 and posts[0]['fault'] == 'reset-after' and posts[0]['write'], (name, posts)

        snapshot = control(sandbox, '/_sandbox/state')
        assert 'p/amb-proj' in snapshot['projects']
        test = resources(snapshot, 'p/test')
        assert test['tools']['amb-docs'] == 1
        assert test['tickets'] == Counter({'Ambiguous ticket': 1})
        assert test['webhooks'] == Counter({'http://127.0.0.1:9/amb': 1})
        assert test['wiki_versions']['wiki/Amb page'] == 1
        assert test['blog_posts'] == Counter({'Ambiguous post': 1}) and test['comments'] == Counter({'Ambiguous comment': 1})
        hook = [h for t in snapshot['projects']['p/test']['tools'] for h in (t.get('data') or {}).get('webhooks') or ()]
        assert [h['secret'] for h in hook] == ['amb-secret-51c2']  # the lost create carried the secret
        assert 'amb-secret-51c2' not in output(proc) and 'amb-secret-51c2' not in json.dumps(results)

        again = ansible_playbook(AMBIGUOUS_PLAYBOOK, '-e', 'out=%s' % (tmp_path / 'again.json'), env=env)
        assert again.returncode == 0 and recap(again)['changed'] == 0, again.stdout
        assert not any(r['write'] for r in log(sandbox)['requests'] if r['seq'] > entries[-1]['seq'])


# -- 3. timeouts ----------------------------------------------------------------------------------

HANG_PLAYBOOK = """
- hosts: localhost
  gather_facts: false
  vars:
    ansible_python_interpreter: "{{ ansible_playbook_python }}"
  tasks:
    - name: Read a project
      allura.forge.allura_project_info: {project: test, timeout: %(timeout)s, retries: %(retries)s}
      when: what == 'read'
    - name: Write a page
      allura.forge.allura_wiki_page: {project: test, title: Hung, text: "x\\n", timeout: %(timeout)s, retries: %(retries)s}
      when: what == 'write'
"""
TIMEOUT, TASK_RETRIES = 1, 1
HANG_MS = 20000  # how long the sandbox holds a hung request before it closes the connection unanswered


def test_a_server_that_stops_answering_fails_the_task_after_its_timeouts(ansible_playbook, sandbox):
    """Counted, not timed: each attempt ends by the client's own timeout (its message says so; a client that waited for
    the server instead would see the connection closed after HANG_MS), and the attempts are exactly 1 + retries."""
    attempts = TASK_RETRIES + 1
    playbook = HANG_PLAYBOOK % dict(timeout=TIMEOUT, retries=TASK_RETRIES)
    for what, env, match in (('read', {}, {}), ('read', RUN_AS_MODULE, {}), ('write', {}, {'method': 'POST'})):
        reset(sandbox)
        faults(sandbox, {'kind': 'hang', 'delay_ms': HANG_MS, 'match': match})
        proc = ansible_playbook(playbook, '-e', 'what=%s' % what, env=env)
        assert proc.returncode != 0
        entries = log(sandbox)['requests']
        hung = [r for r in entries if r['fault'] == 'hang']
        assert all(r['status'] is None for r in hung), hung  # none was ever answered
        if what == 'read':
            assert 'GET /rest/p/test/ failed after %d attempts: no answer within %.1fs' % (attempts, TIMEOUT) in proc.stdout, \
                output(proc)[-3000:]
            assert len(hung) == len(entries) == attempts, entries
        else:  # the server may still carry out a write it did not answer: it is re-read, never sent again
            assert ('POST /rest/p/test/wiki/Hung got no answer within %.1fs, and %d re-reads do not show the change: it was '
                    'not sent again' % (TIMEOUT, attempts)) in proc.stdout, output(proc)[-3000:]
            assert len(hung) == 1 and log(sandbox)['counters']['writes'] == 0, hung
            assert [r['method'] for r in entries if r['path'] == '/rest/p/test/wiki/Hung'] == ['GET', 'POST'] + ['GET'] * attempts


SLOW_CREATE_PLAYBOOK = """
- hosts: localhost
  gather_facts: false
  vars:
    ansible_python_interpreter: "{{ ansible_playbook_python }}"
  tasks:
    - name: A ticket whose create answers after the timeout
      allura.forge.allura_ticket: {project: test, mount_point: bugs, summary: Slow ticket, timeout: 1, retries: 4}
"""


def test_a_create_slower_than_the_timeout_is_never_sent_twice(ansible_playbook, sandbox):
    # The server carries the create out after the client gave up waiting: a re-read right away finds
    # nothing, yet sending it again would make a second ticket once the first one lands.
    faults(sandbox, {'kind': 'delay', 'delay_ms': 2500, 'count': 1, 'match': {'method': 'POST', 'path_regex': '/bugs/new$'}})
    proc = ansible_playbook(SLOW_CREATE_PLAYBOOK)
    time.sleep(2.0)  # past the delayed create, whatever the client did
    assert proc.returncode == 0, output(proc)[-3000:]
    assert 'POST /rest/p/test/bugs/new: no answer within 1.0s, but a re-read shows the change was made' in proc.stderr
    assert resources(control(sandbox, '/_sandbox/state'), 'p/test')['tickets'] == Counter({'Slow ticket': 1})
    assert [r['method'] for r in log(sandbox)['requests'] if r['path'] == '/rest/p/test/bugs/new'] == ['POST']


# -- an answer cut off half-way -------------------------------------------------------------------

def _cutting_server(cuts):
    """A server answering every request with a project's JSON, the first `cuts` answers cut off half-way
    (the connection drops after part of the body). Returns (server socket, list of request lines)."""
    body = json.dumps({'shortname': 'test', 'name': 'Test Project', 'tools': []}).encode()
    listener = socket.socket()
    listener.bind(('127.0.0.1', 0))
    listener.listen(8)
    seen = []

    def serve():
        while True:
            try:
                conn, _addr = listener.accept()
            except OSError:
                return
            with conn:
                request = conn.recv(65536).decode('latin-1')
                seen.append(request.split('\r\n', 1)[0])
                head = ('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n'
                        % len(body)).encode()
                conn.sendall(head + (body[:len(body) // 2] if len(seen) <= cuts else body))

    threading.Thread(target=serve, daemon=True).start()
    return listener, seen


CUT_PLAYBOOK = """
- hosts: localhost
  gather_facts: false
  vars:
    ansible_python_interpreter: "{{ ansible_playbook_python }}"
  tasks:
    - name: Read a project whose first answer is cut off
      allura.forge.allura_project_info: {project: test, server_url: "{{ url }}", retries: 2}
      register: r_cut
    - name: Show
      ansible.builtin.debug: {var: r_cut.project.name}
"""


def test_an_answer_cut_off_half_way_is_retried(ansible_playbook):
    listener, seen = _cutting_server(cuts=1)
    try:
        proc = ansible_playbook(CUT_PLAYBOOK, '-e', 'url=http://127.0.0.1:%d' % listener.getsockname()[1])
    finally:
        listener.close()
    assert proc.returncode == 0, output(proc)[-3000:]
    assert '"r_cut.project.name": "Test Project"' in proc.stdout
    assert 'GET /rest/p/test/: connection broken; retrying in' in proc.stderr
    assert seen == ['GET /rest/p/test/ HTTP/1.1'] * 2
