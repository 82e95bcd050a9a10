# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Overlapping runs: the lock of a project keeps the runs of one controller apart, and what it cannot keep apart
(runs on other controllers, or with the lock off) is detected, never silently duplicated.

Every run is a whole ansible-playbook process, started the way cron or CI starts them. The end state is read from
the sandbox's state: how many tools, pages (and page versions), tickets and webhooks exist. Run with `-s` to see
how long the concurrent runs took.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import threading
import time
import urllib.parse
import urllib.request
from collections import Counter

import pytest
import yaml

ADMIN_TOKEN = 'a0000000000000000001'
HOOK_A, HOOK_B = 'http://127.0.0.1:8099/hooks/a', 'http://127.0.0.1:8099/hooks/b'
# One spec for p/test with some of everything: two new tools, pages in a new and an existing wiki, tickets in an
# existing and a new tracker, webhooks on an existing and a new repository.
SPEC = dict(
    name='test',
    tools=[dict(tool='wiki', mount_point='docs', mount_label='Docs'), dict(tool='tickets', mount_point='support', mount_label='Support'),
           dict(tool='git', mount_point='repo', mount_label='Repo')],
    wiki=[dict(mount_point='docs', title='Home', text='Start here\n'), dict(mount_point='docs', title='Install', text='pip install\n'),
          dict(mount_point='wiki', title='FAQ', text='Ask\n', labels=['faq'])],
    tickets=[dict(mount_point='bugs', summary='First', labels=['a']), dict(mount_point='bugs', summary='Second', status='open'),
             dict(mount_point='support', summary='Help')],
    webhooks=[dict(mount_point='code', url=HOOK_A), dict(mount_point='repo', url=HOOK_B)],
)
EXPECTED = dict(
    tools={'docs': 1, 'support': 1, 'repo': 1},
    pages={('docs', 'Home'): 2, ('docs', 'Install'): 1, ('wiki', 'FAQ'): 1},  # versions: Home is the new wiki's, updated once
    tickets={('bugs', 'First'): 1, ('bugs', 'Second'): 1, ('support', 'Help'): 1},
    webhooks={('code', HOOK_A): 1, ('repo', HOOK_B): 1},
)
RUN_AS_MODULE = {'ALLURA_FORGE_RUN_AS_MODULE': '1'}
GO = 'go'  # the file that tells the holder to let go
WAITING = re.compile(r'p/test on \S+ is locked by another run converging it: ansible-playbook pid (\d+)')


# -- the sandbox ----------------------------------------------------------------------------------

def control(url, path, body=None, method=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url + path, data=data, method=method or ('POST' if data is not None else 'GET'),
                                 headers={'Content-Type': 'application/json'})
    with urllib.request.urlopen(req, timeout=10) as response:
        text = response.read().decode()
    return json.loads(text) if text else None


def rest(url, path, form):
    """A write through the REST API by someone else (another controller), as test-admin."""
    req = urllib.request.Request(url + path, data=urllib.parse.urlencode(form).encode(), method='POST',
                                 headers={'Authorization': 'Bearer ' + ADMIN_TOKEN, 'Accept': 'application/json'})

    class Keep(urllib.request.HTTPRedirectHandler):  # a created ticket answers 302: keep it
        def redirect_request(self, *args, **kwargs):
            return None
    try:
        with urllib.request.build_opener(Keep).open(req, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def inventory(url, project='p/test'):
    """What the project holds: {tools: {mount point: n}, pages: {(mount, title): versions}, tickets: {(mount, summary): n},
    webhooks: {(mount, url): n}}."""
    state = control(url, '/_sandbox/state')['projects'][project]
    out = dict(tools=Counter(), pages={}, tickets=Counter(), webhooks=Counter())
    for tool in state['tools']:
        mount = tool['mount_point']
        out['tools'][mount] += 1
        for page in tool['data'].get('pages') or ():
            if not page.get('deleted'):
                out['pages'][(mount, page['title'])] = page['version']
        for ticket in tool['data'].get('tickets') or ():
            out['tickets'][(mount, ticket['summary'])] += 1
        for hook in tool['data'].get('webhooks') or ():
            out['webhooks'][(mount, hook['hook_url'])] += 1
    return out


def assert_one_of_each(url):
    found = inventory(url)
    assert {k: found['tools'][k] for k in EXPECTED['tools']} == EXPECTED['tools']
    assert {k: found['pages'].get(k) for k in EXPECTED['pages']} == EXPECTED['pages']  # nothing written twice
    assert dict(found['tickets']) == EXPECTED['tickets']
    assert dict(found['webhooks']) == EXPECTED['webhooks']


def spec_file(tmp_path, spec=None, name='spec.yml'):
    path = tmp_path / name
    path.write_text(yaml.safe_dump({'allura_projects': [spec or SPEC]}), encoding='utf-8')
    return '@%s' % path


class Started:
    """A run started in the background (Popen with text pipes), its output read as it comes."""

    def __init__(self, proc):
        self.proc, self.pid, self.lines = proc, proc.pid, []
        self.readers = [threading.Thread(target=self.read, args=(stream,), daemon=True) for stream in (proc.stdout, proc.stderr)]
        for reader in self.readers:
            reader.start()

    def read(self, stream):
        for line in stream:
            self.lines.append(line)

    def output(self):
        return ''.join(self.lines)

    def finish(self, timeout=300):
        """(returncode, stdout + stderr), once it has ended."""
        self.proc.wait(timeout)
        for reader in self.readers:
            reader.join(10)
        return self.proc.returncode, self.output()


@pytest.fixture
def background(ansible_playbook):
    """background(playbook, *args, env=None) -> Started: ansible_playbook in the background; what still runs when the
    test ends is killed."""
    runs = []

    def start(*args, **kwargs):
        runs.append(Started(ansible_playbook(*args, background=True, **kwargs)))
        return runs[-1]
    yield start
    for run in runs:
        kill(run.proc)
        run.finish()


def kill(proc):
    """Kill a background run with its task processes: each has a session of its own (Ansible detaches them) and
    outlives a killed ansible-playbook; they are found by the run's command line, which they share."""
    marker = ' '.join(proc.args)
    groups = {proc.pid}
    for entry in os.listdir('/proc'):
        with contextlib.suppress(OSError, ValueError):
            with open('/proc/%s/cmdline' % entry, 'rb') as handle:
                if handle.read().replace(b'\0', b' ').decode(errors='replace').strip().endswith(marker):
                    groups.add(os.getpgid(int(entry)))
    for group in groups:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(group, signal.SIGKILL)


def until(condition, what, timeout=300):
    """Wait for condition() (a state the test can see, never a length of time); fail naming `what` after `timeout`."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, 'gave up waiting for %s' % what
        time.sleep(0.05)


def actions(report_file):
    """{(kind, resource): action} of a provision report."""
    with open(report_file, encoding='utf-8') as handle:
        report = json.load(handle)
    return {(entry['kind'], entry['resource']): entry['action'] for entry in report['reports'][0]['resources']}


# -- runs of one controller: the lock -------------------------------------------------------------------

@pytest.mark.parametrize('runs, env', [(2, {}), (4, {}), (2, RUN_AS_MODULE)], ids=['2 runs', '4 runs', '2 runs as modules'])
def test_concurrent_provisions_of_one_spec_make_each_thing_once(ansible_playbook, background, sandbox, tmp_path, holder, runs,
                                                                env):
    """The runs start while another run holds the lock, and all wait for it; when it lets go, they all race for it
    at the same moment. So they surely overlap, however fast or slow the machine."""
    spec = spec_file(tmp_path)
    reports = [str(tmp_path / ('run-%d.json' % n)) for n in range(runs)]
    started = time.monotonic()
    procs = [background('allura.forge.provision', '-e', spec, '-e', 'provision_report_file=' + report, env=env)
             for report in reports]
    for proc in procs:
        until(lambda proc=proc: WAITING.search(proc.output()) or proc.proc.poll() is not None, 'run %d to wait' % proc.pid)
        waiting = WAITING.search(proc.output())
        assert waiting and int(waiting.group(1)) == holder.pid, proc.finish()
    (tmp_path / GO).touch()  # the holder lets go
    results = [proc.finish() for proc in procs]
    took = time.monotonic() - started
    for code, output in results:
        assert code == 0, output
    assert holder.wait(60) == 0
    assert_one_of_each(sandbox)
    # one run made everything; every other one waited for it, then found nothing to do
    made = [actions(report) for report in reports]
    creators = [n for n, done in enumerate(made) if any(action != 'none' for action in done.values())]
    assert len(creators) == 1, made
    assert all(action == 'none' for n, done in enumerate(made) if n != creators[0] for action in done.values())
    found = inventory(sandbox)
    print('\n%d concurrent provisions%s: %.1f s; tickets %d (duplicates %d), tools %d, webhooks %d' % (
        runs, ' (as modules)' if env else '', took, sum(found['tickets'].values()),
        sum(found['tickets'].values()) - len(found['tickets']), sum(found['tools'][k] for k in EXPECTED['tools']),
        sum(found['webhooks'].values())))
    # a third run changes nothing
    third = ansible_playbook('allura.forge.provision', '-e', spec, env=env, check=True)
    assert re.search(r'localhost\s+: ok=\d+\s+changed=0\s', third.stdout), third.stdout
    assert_one_of_each(sandbox)


HOLD = '''
- hosts: localhost
  gather_facts: false
  tasks:
    - name: Hold the lock of p/test
      allura.forge.allura_lock: {project: test}
    - name: Tell the test, and keep it until the test says go
      ansible.builtin.file: {path: "{{ held }}", state: touch, mode: "0644"}
    - ansible.builtin.wait_for: {path: "{{ go }}", timeout: 600}
    - allura.forge.allura_lock: {project: test, state: released}
'''
ONE_TICKET = '''
- hosts: localhost
  gather_facts: false
  tasks:
    - allura.forge.allura_ticket: {project: test, mount_point: bugs, summary: Waiting, lock_timeout: %s}
'''


@pytest.fixture
def holder(ansible_playbook, tmp_path):
    """An ansible-playbook holding the lock of p/test (allura_lock) until the file GO appears in tmp_path, then
    releasing it: its Popen, once it holds it."""
    held = tmp_path / 'held'
    proc = ansible_playbook(HOLD, '-e', 'held=%s' % held, '-e', 'go=%s' % (tmp_path / GO), background=True)
    until(lambda: held.exists() or proc.poll() is not None, 'the holder to take the lock', 120)
    assert held.exists(), proc.communicate()
    yield proc
    kill(proc)
    proc.communicate()


@pytest.mark.parametrize('env', [{}, RUN_AS_MODULE], ids=['in process', 'as a module'])
def test_a_held_lock_times_out_with_a_message_naming_its_holder(ansible_playbook, sandbox, holder, env):
    started = time.monotonic()
    proc = ansible_playbook(ONE_TICKET % 3, env=env)
    assert proc.returncode == 2 and time.monotonic() - started < 120, proc.stdout
    assert re.search(r'p/test on %s is locked by another run converging it: ansible-playbook pid %d of user \S+ on host \S+, '
                     r'started \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC, holding the lock since .* Gave up after waiting 3 s \(lock_timeout\)'
                     % (re.escape(sandbox), holder.pid), proc.stdout), proc.stdout
    assert '"lock_holder": {"command": "ansible-playbook", "host": ' in proc.stdout and '"pid": %d' % holder.pid in proc.stdout
    assert inventory(sandbox)['tickets'] == Counter()  # nothing was written


def test_the_lock_of_a_killed_run_is_taken_over_at_once(ansible_playbook, sandbox, holder):
    holder.kill()  # SIGKILL: no chance to release anything
    holder.wait()
    started = time.monotonic()
    proc = ansible_playbook(ONE_TICKET % 600, check=True)
    assert not WAITING.search(proc.stdout) and time.monotonic() - started < 120, proc.stdout
    assert inventory(sandbox)['tickets'] == Counter({('bugs', 'Waiting'): 1})


def test_check_mode_never_waits_and_names_the_run_converging_the_project(ansible_playbook, sandbox, holder, tmp_path):
    proc = ansible_playbook('allura.forge.drift', '-e', spec_file(tmp_path), '-e', 'drift_report_dir=', check=True)
    assert holder.poll() is None  # done while the other run still holds the lock: it did not wait for it
    warning = ('[WARNING]: p/test on %s is being converged by another run: ansible-playbook pid %d of user ' % (sandbox, holder.pid))
    assert proc.stdout.count(warning) + proc.stderr.count(warning) == 1  # said once, however many tasks saw it
    assert 'This check-mode run does not wait for it, so what it reports may change when that run ends' in proc.stderr + proc.stdout
    assert not WAITING.search(proc.stdout)
    assert inventory(sandbox)['tickets'] == Counter()


# -- what the lock cannot keep apart -------------------------------------------------------------------

MODULES = '''
- hosts: localhost
  gather_facts: false
  tasks:
    - allura.forge.allura_tool: {project: test, tool: wiki, mount_point: docs, mount_label: Docs}
      register: tool
    - allura.forge.allura_webhook: {project: test, mount_point: code, url: "%s"}
      register: hook
    - allura.forge.allura_ticket:
        project: test
        mount_point: bugs
        tickets: [{summary: One}, {summary: Two}, {summary: Three}]
      register: tickets
      ignore_errors: true
    - ansible.builtin.copy:
        dest: "{{ out }}"
        content: "{{ {'tool': tool, 'hook': hook, 'tickets': tickets} | to_json }}"
        mode: "0644"
''' % HOOK_A


class Gatekeeper(threading.Thread):
    """Holds the POSTs matching each pattern at the sandbox (a `hold` fault, `count` requests each), and lets those
    of a pattern go on once release_when(number waiting) is true, after doing before(pattern). Stop it at the end."""

    def __init__(self, url, patterns, release_when, before=lambda pattern: None, count=1):
        super().__init__(daemon=True)
        self.url, self.release_when, self.before, self.stopped = url, release_when, before, threading.Event()
        self.left = {pattern: control(url, '/_sandbox/faults', {'kind': 'hold', 'count': count, 'delay_ms': 300000,
                                                                'match': {'method': 'POST', 'path_regex': pattern}})['rules'][-1]['id']
                     for pattern in patterns}
        self.start()

    def run(self):
        while self.left and not self.stopped.wait(0.02):
            waiting = {rule['id']: rule['waiting'] for rule in control(self.url, '/_sandbox/faults')['holds']}
            for pattern, rule in list(self.left.items()):
                if waiting[rule] and self.release_when(waiting[rule]):
                    self.before(pattern)
                    control(self.url, '/_sandbox/faults/release', {'id': rule})
                    del self.left[pattern]

    def stop(self):
        self.stopped.set()
        self.join(30)
        control(self.url, '/_sandbox/faults', method='DELETE')  # releases whatever is still held


def another_controller(url, creates):
    """Do each of `creates` ({path regex of the run's create: (path, form)}) through REST as another controller would,
    after the run has read that the thing is missing and sent its create, before the server processes it (the
    sandbox holds it until then)."""
    return Gatekeeper(url, creates, release_when=lambda waiting: True, before=lambda pattern: rest(url, *creates[pattern]))


@pytest.mark.parametrize('env', [{}, RUN_AS_MODULE], ids=['in process', 'as a module'])
def test_what_another_controller_creates_meanwhile_is_converged_or_fails_naming_both(ansible_playbook, sandbox, tmp_path, env):
    out = tmp_path / 'results.json'
    watcher = another_controller(sandbox, {
        '/admin/install_tool$': ('/rest/p/test/admin/install_tool', dict(tool='wiki', mount_point='docs', mount_label='Docs')),
        '/webhooks/repo-push$': ('/rest/p/test/admin/code/webhooks/repo-push', dict(url=HOOK_A)),
        '/bugs/new$': ('/rest/p/test/bugs/new', {'ticket_form.summary': 'One'}),
    })
    proc = ansible_playbook(MODULES, '-e', 'out=%s' % out, env=env)
    watcher.stop()
    assert not watcher.left, watcher.left  # every create was held, and the other controller's came first
    assert proc.returncode == 0, proc.stdout  # the ticket task's failure is ignored, to see every result
    results = json.loads(out.read_text(encoding='utf-8'))
    # the tool and the webhook the other controller made are what the spec wants: converged, with a warning
    assert results['tool']['action'] == 'none' and results['tool']['changed'] is False
    assert results['hook']['action'] == 'none' and results['hook']['changed'] is False
    for result in (results['tool'], results['hook']):
        assert any('was created meanwhile by another run' in str(w) for w in result['warnings']), result
    # the ticket: its twin is named, with both addresses, and nothing after it is created
    tickets = results['tickets']
    assert tickets['failed'] is True and tickets['changed'] is True and tickets['duplicates'] == [1, 2]
    assert ("tickets[0]: the ticket with summary 'One' was created in p/test bugs as #2 (%s/p/test/bugs/2/), but p/test bugs "
            'now also has #1 (%s/p/test/bugs/1/) with this summary' % (sandbox, sandbox)) in tickets['msg']
    found = inventory(sandbox)
    assert found['tools']['docs'] == 1 and dict(found['webhooks']) == {('code', HOOK_A): 1}
    assert dict(found['tickets']) == {('bugs', 'One'): 2}
    if env:
        return  # what follows runs the same code on both paths
    # the next run adds no third, and says how to resolve it; nothing is written
    control(sandbox, '/_sandbox/log/clear', method='POST')
    proc = ansible_playbook(MODULES, '-e', 'out=%s' % out, env=env)
    tickets = json.loads(out.read_text(encoding='utf-8'))['tickets']
    assert tickets['failed'] is True and tickets['duplicates'] == [1, 2] and (
        "tickets[0].summary 'One' matches 2 tickets in p/test bugs: #1, #2; close one of them as a duplicate and change its "
        'summary (tickets cannot be deleted over REST), or give ticket_num to choose one') in tickets['msg']
    assert [r for r in control(sandbox, '/_sandbox/log')['requests'] if r['write']] == []
    # resolved by hand: the duplicate closed and renamed; then the run goes on
    assert rest(sandbox, '/rest/p/test/bugs/1/save', {'ticket_form.summary': 'One (duplicate of #2)',
                                                      'ticket_form.status': 'closed'}) == 302
    proc = ansible_playbook(MODULES, '-e', 'out=%s' % out, env=env)
    tickets = json.loads(out.read_text(encoding='utf-8'))['tickets']
    assert not tickets.get('failed') and [t['action'] for t in tickets['tickets']] == ['none', 'create', 'create']


BARRIER = '''
- hosts: localhost
  gather_facts: false
  tasks:
    - ansible.builtin.file: {path: "{{ ready }}", state: touch, mode: "0644"}
    - ansible.builtin.wait_for: {path: "{{ go }}", timeout: 120}
    - ansible.builtin.include_role: {name: allura.forge.project}
      vars:
        allura_project: "{{ allura_projects[0] }}"
'''


def race_without_the_lock(background, sandbox, tmp_path, spec):
    """Two controllers, simulated by two runs of the project role with the lock off, started at the same moment: the
    first create of each kind is held by the server until every run still going has sent it, so that both read
    before either writes. [(returncode, output)] of the runs."""
    go = tmp_path / 'go'
    ready = [tmp_path / ('ready-%d' % n) for n in range(2)]
    for path in ready + [go]:
        path.unlink(missing_ok=True)
    procs = [background(BARRIER, '-e', spec, '-e', 'ready=%s' % path, '-e', 'go=%s' % go, env={'ALLURA_LOCK': 'false'})
             for path in ready]
    gate = Gatekeeper(sandbox, ('/admin/install_tool$', '/webhooks/repo-push$', '/new$'), count=2,
                      release_when=lambda waiting: waiting >= sum(proc.proc.poll() is None for proc in procs))
    until(lambda: all(path.exists() for path in ready), 'both runs to be ready')
    go.touch()
    results = [proc.finish() for proc in procs]
    gate.stop()
    return results


def test_two_runs_without_the_lock_never_duplicate_silently(ansible_playbook, background, sandbox, tmp_path):
    # tools and webhooks: one each, and neither run fails on them (a mount point or URL taken meanwhile is converged)
    results = race_without_the_lock(background, sandbox, tmp_path, spec_file(tmp_path, dict(SPEC, tickets=[]), 'untracked.yml'))
    found = inventory(sandbox)
    assert {k: found['tools'][k] for k in EXPECTED['tools']} == EXPECTED['tools']
    assert dict(found['webhooks']) == EXPECTED['webhooks']
    for code, output in results:
        assert code == 0 and 'install_tool refused' not in output, output
    outputs = ''.join(output for code, output in results)
    for meanwhile in ("tool 'docs' of project p/test was created meanwhile by another run",
                      'repo-push webhook %s of p/test/code was created meanwhile by another run' % HOOK_A):
        assert meanwhile in outputs, outputs
    # tickets: both runs create the first one; never silently - each pair is named by a failing run
    spec = spec_file(tmp_path)
    results = race_without_the_lock(background, sandbox, tmp_path, spec)
    found = inventory(sandbox)
    twins = {key: n for key, n in found['tickets'].items() if n > 1}
    assert twins and all(n == 2 for n in twins.values()), found['tickets']
    failures = [output for code, output in results if code != 0]
    assert failures
    for (mount, summary), _n in twins.items():
        assert any(re.search(r"the ticket with summary '%s' was created in p/test %s as #\d+ \(.*\), but p/test %s now also has #\d+"
                             % (summary, mount, mount), output) for output in failures), (summary, results)
    # the next run, locked again, adds no third and writes nothing to the tickets
    before = inventory(sandbox)['tickets']
    proc = ansible_playbook('allura.forge.provision', '-e', spec)
    assert proc.returncode == 2 and 'matches 2 tickets' in proc.stdout and 'give ticket_num to choose one' in proc.stdout
    assert inventory(sandbox)['tickets'] == before
