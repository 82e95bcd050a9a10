# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The project role and the provision / drift / backup playbooks, driven by ansible-playbook against the sandbox."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import time
import urllib.parse
import urllib.request

import pytest
import yaml

# scripts/spec_schema.py: every spec file written here is checked against the published JSON Schema too
_SCHEMA_SCRIPT = importlib.util.spec_from_file_location(
    'spec_schema', os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), 'scripts', 'spec_schema.py'))
spec_schema = importlib.util.module_from_spec(_SCHEMA_SCRIPT)
_SCHEMA_SCRIPT.loader.exec_module(spec_schema)

ADMIN_TOKEN = os.environ.get('ALLURA_ADMIN_TOKEN') or 'a0000000000000000001'
ROOT_TOKEN = os.environ.get('ALLURA_ROOT_TOKEN') or 'a0000000000000000000'
SECRET = 'hook-secret-3f9c1a'

# p/test as seeded: wiki (Home), bugs (custom fields), discussion, blog, code (git), link; this adds to it, and declares
# every tool it holds (the spec's pages, tickets and webhooks declare wiki, bugs and code), so that nothing is unmanaged.
TEST_SPEC = {
    'name': 'test',
    'tools': [{'tool': 'wiki', 'mount_point': 'docs', 'mount_label': 'Docs'},
              {'tool': 'tickets', 'mount_point': 'issues', 'mount_label': 'Issues'},
              {'tool': 'discussion'}, {'tool': 'blog'}],
    'link': 'https://test.example.org/',
    'wiki': [{'title': 'Home', 'text': 'Welcome to the test project\n', 'labels': ['start']},
             {'mount_point': 'docs', 'title': 'Home', 'text': 'Docs home\n'},
             {'mount_point': 'docs', 'title': 'Guide', 'text': '# Guide\n\nStep one.\nStep two.\n', 'labels': ['docs']}],
    'tickets': [{'mount_point': 'bugs', 'summary': 'Crash on start', 'status': 'open', 'labels': ['crash'],
                 'custom_fields': {'severity': 'high'}},
                {'mount_point': 'issues', 'summary': 'Plan 2.0', 'status': 'accepted'}],
    'webhooks': [{'url': 'http://127.0.0.1:9/hook', 'secret': SECRET}],
    'access': [{'mount_point': 'docs', 'user': 'test-user', 'permission': 'edit', 'expected': False}],
}

# A project that does not exist yet: everything in it is created (root is neighborhood admin of p).
NEW_SPEC = {
    'name': 'fresh-one',
    'create': True,
    'admin': 'test-admin',
    'fields': {'name': 'Fresh One', 'summary': 'Made by a test', 'labels': ['test']},
    'tools': [{'tool': 'wiki', 'mount_point': 'wiki', 'mount_label': 'Wiki'},
              {'tool': 'tickets', 'mount_point': 'tickets', 'mount_label': 'Tickets'},
              {'tool': 'git', 'mount_point': 'code', 'mount_label': 'Code'}],
    'link': 'https://fresh.example.org/',
    'wiki': [{'title': 'Home', 'text': 'Fresh home\n'}, {'title': 'Second', 'text': 'Two\n', 'labels': ['x']}],
    'tickets': [{'summary': 'First ticket', 'status': 'open'}, {'summary': 'Second ticket', 'labels': ['b']}],
    'webhooks': [{'url': 'http://127.0.0.1:9/fresh'}],
    'access': [{'user': '*anonymous', 'permission': 'read'},
               {'mount_point': 'wiki', 'user': 'test-user', 'permission': 'edit', 'expected': False}],
}

# Includes the role for the first project of the file and writes its report where `out` says.
REPORT_PLAYBOOK = """
- hosts: localhost
  gather_facts: false
  tasks:
    - ansible.builtin.include_role:
        name: allura.forge.project
      vars:
        allura_project: "{{ allura_projects[0] }}"
    - ansible.builtin.copy:
        content: "{{ allura_project_report | to_nice_json }}"
        dest: "{{ out }}"
        mode: "0644"
      check_mode: false
      diff: false
      changed_when: false
"""


def request(url, method='GET', data=None, token=ADMIN_TOKEN):
    body = urllib.parse.urlencode(data).encode() if data is not None else (b'' if method == 'POST' else None)
    req = urllib.request.Request(url, data=body, method=method, headers={'Authorization': 'Bearer %s' % token})
    with urllib.request.urlopen(req, timeout=10) as response:
        text = response.read().decode()
    try:
        return json.loads(text) if text else None
    except ValueError:  # an answer that is no JSON: creating a blog post answers "201 Created"
        return text


def clear_log(url):
    request(url + '/_sandbox/log/clear', 'POST')


def out_of_band(url, path, data):
    """A write behind Ansible's back, through the REST API; returns once the sandbox has logged it.

    (The sandbox logs a request after answering it, so a log clear sent right after the answer
    could otherwise run before the entry is added, and the entry would count in the next run.)
    """
    request(url + path, 'POST', data)
    for _attempt in range(100):
        if any(r['path'] == path and r['write'] for r in request(url + '/_sandbox/log')['requests']):
            return
        time.sleep(0.02)
    raise AssertionError('the sandbox never logged POST %s' % path)


def counters(url):
    return request(url + '/_sandbox/log')['counters']


def spec_file(tmp_path, *projects, schema_errors=()):
    """A spec file of these projects; it must pass the JSON Schema with exactly `schema_errors` (their starts)."""
    data = {'allura_projects': list(projects)}
    found = spec_schema.errors(data)
    assert len(found) == len(schema_errors) and all(f.startswith(e) for f, e in zip(found, schema_errors)), found
    path = tmp_path / 'projects.yml'
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding='utf-8')
    return '@%s' % path


def recap(proc):
    found = re.findall(r'^localhost\s*:\s*(.*)$', proc.stdout, re.M)
    assert found, proc.stdout + proc.stderr
    return dict((k, int(v)) for k, v in re.findall(r'(\w+)=(\d+)', found[-1]))


def drift(ansible_playbook, spec, report_dir, *args, token=ADMIN_TOKEN):
    proc = ansible_playbook('allura.forge.drift', '-e', spec, '-e', 'drift_report_dir=%s' % report_dir, *args, token=token)
    path = os.path.join(str(report_dir), 'allura-drift.json')
    report = json.load(open(path, encoding='utf-8')) if os.path.exists(path) else None
    return proc, report


def actions(report):
    return [(r['resource'], r['action']) for r in report['resources']]


def test_drift_report_clean_then_exactly_the_one_change_made_out_of_band(ansible_playbook, sandbox, tmp_path):
    spec = spec_file(tmp_path, TEST_SPEC)
    ansible_playbook('allura.forge.provision', '-e', spec, check=True)

    clear_log(sandbox)
    proc, report = drift(ansible_playbook, spec, tmp_path / 'clean')
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert report['rows'] == [] and report['drift'] is False and report['errors'] == []
    assert report['projects'] == ['p/test']
    assert counters(sandbox)['writes'] == 0
    assert 'No drift' in (tmp_path / 'clean' / 'allura-drift.md').read_text(encoding='utf-8')

    live = '# Guide\n\nStep one.\nStep 2, edited in the web UI.\n'
    out_of_band(sandbox, '/rest/p/test/docs/Guide', {'text': live})
    clear_log(sandbox)
    proc, report = drift(ansible_playbook, spec, tmp_path / 'drifted')
    assert proc.returncode == 0, proc.stdout + proc.stderr  # fail_on_drift is off by default
    assert counters(sandbox)['writes'] == 0
    assert report['rows'] == [{'project': 'p/test', 'kind': 'wiki_page', 'resource': 'wiki docs/Guide', 'action': 'update',
                               'field': 'text', 'live': live, 'desired': '# Guide\n\nStep one.\nStep two.\n', 'text': True,
                               'origin': None}]  # no template
    assert report['drift'] is True
    assert report['lines'] == ['p/test  wiki docs/Guide  text line 4: "Step 2, edited in the web UI." -> "Step two."']
    markdown = (tmp_path / 'drifted' / 'allura-drift.md').read_text(encoding='utf-8')
    assert '| p/test | wiki docs/Guide | text |' in markdown
    assert '-Step 2, edited in the web UI.\n+Step two.' in markdown
    assert 'p/test  wiki docs/Guide  text line 4' in proc.stdout  # the summary printed at the end
    assert SECRET not in proc.stdout + json.dumps(report)


@pytest.mark.parametrize('spec, token', [(NEW_SPEC, ROOT_TOKEN), (TEST_SPEC, ADMIN_TOKEN)], ids=['new-project', 'new-tools'])
def test_check_mode_writes_nothing_and_predicts_the_real_run(ansible_playbook, sandbox, tmp_path, spec, token):
    path = spec_file(tmp_path, spec)
    clear_log(sandbox)
    check = ansible_playbook(REPORT_PLAYBOOK, '-e', path, '-e', 'out=%s' % (tmp_path / 'check.json'), '--check', '--diff',
                             token=token)
    assert check.returncode == 0, check.stdout + check.stderr
    assert counters(sandbox)['writes'] == 0
    predicted = json.load(open(tmp_path / 'check.json', encoding='utf-8'))
    assert predicted['check_mode'] is True

    real = ansible_playbook(REPORT_PLAYBOOK, '-e', path, '-e', 'out=%s' % (tmp_path / 'real.json'), token=token)
    assert real.returncode == 0, real.stdout + real.stderr
    done = json.load(open(tmp_path / 'real.json', encoding='utf-8'))

    assert actions(predicted) == actions(done)
    strip = ('pending',)
    assert {k: v for k, v in predicted['summary'].items() if k not in strip} == {k: v for k, v in done['summary'].items() if k not in strip}
    assert recap(check)['changed'] == recap(real)['changed']
    assert predicted['summary']['pending'] > 0 and done['summary']['pending'] == 0
    assert done['summary']['create'] > 0

    again = ansible_playbook(REPORT_PLAYBOOK, '-e', path, '-e', 'out=%s' % (tmp_path / 'again.json'), token=token)
    assert recap(again)['changed'] == 0, again.stdout
    assert json.load(open(tmp_path / 'again.json', encoding='utf-8'))['summary']['changed'] == 0


def test_fail_on_drift_fails_the_play_after_writing_the_report(ansible_playbook, sandbox, tmp_path):
    spec = spec_file(tmp_path, TEST_SPEC)
    ansible_playbook('allura.forge.provision', '-e', spec, check=True)
    out_of_band(sandbox, '/rest/p/test/link/', {'url': 'https://elsewhere.example.org/'})

    proc, report = drift(ansible_playbook, spec, tmp_path / 'strict', '-e', 'fail_on_drift=true')
    assert proc.returncode != 0
    assert '1 difference(s) from the spec and 0 unmanaged resource(s) in p/test' in proc.stdout
    assert [(r['resource'], r['field'], r['live'], r['desired']) for r in report['rows']] == [
        ('link link', 'url', 'https://elsewhere.example.org/', 'https://test.example.org/')]

    proc, report = drift(ansible_playbook, spec, tmp_path / 'lenient', '-e', 'fail_on_drift=false')
    assert proc.returncode == 0 and len(report['rows']) == 1


def test_a_misspelt_key_fails_naming_its_path_before_any_request(ansible_playbook, sandbox, tmp_path):
    bad = dict(TEST_SPEC, tickets=[{'mount_point': 'bugs', 'summary': 'Crash on start', 'staus': 'open'}])
    spec = spec_file(tmp_path, bad, schema_errors=['allura_projects[0].tickets[0].staus: unknown key, did you mean status?'])
    clear_log(sandbox)
    proc = ansible_playbook('allura.forge.provision', '-e', spec)
    assert proc.returncode != 0
    assert 'allura_project.tickets.staus' in proc.stdout + proc.stderr
    assert counters(sandbox)['total'] == 0

    proc, report = drift(ansible_playbook, spec, tmp_path / 'bad')  # the drift playbook names it too, and fails
    assert proc.returncode != 0
    assert counters(sandbox)['total'] == 0
    assert len(report['errors']) == 1 and 'allura_project.tickets.staus' in report['errors'][0]


def test_a_missing_project_without_create_fails_clearly(ansible_playbook, sandbox, tmp_path):
    proc = ansible_playbook('allura.forge.provision', '-e', spec_file(tmp_path, {'name': 'no-such-proj', 'wiki': [
        {'title': 'Home', 'text': 'x'}]}))
    assert proc.returncode != 0
    assert 'project p/no-such-proj does not exist (or this token cannot see it): set create: true' in proc.stdout
    assert counters(sandbox)['writes'] == 0


def test_a_real_run_with_field_drift_fails_clearly_and_changes_nothing_else(ansible_playbook, sandbox, tmp_path):
    """Fields REST cannot change (allura_project) that differ: the real run fails naming each field with both values
    and where to change it, before anything else of the spec is written."""
    spec = dict(TEST_SPEC, fields={'name': 'Test Project', 'summary': 'Not the live summary', 'labels': ['cli']})
    clear_log(sandbox)
    proc = ansible_playbook('allura.forge.provision', '-e', spec_file(tmp_path, spec), '-e', 'provision_report_file=%s'
                            % (tmp_path / 'run.json'))
    assert proc.returncode != 0
    failures = re.findall(r'^fatal: .*$', proc.stdout, re.M)
    assert len(failures) == 1, proc.stdout[-4000:]
    assert "project p/test: labels is [] on the server but ['cli'] is wanted; summary is '' on the server but " \
           "'Not the live summary' is wanted; the REST API cannot change labels, summary after creation: change it in " \
           "the project's web admin (Admin > Metadata), or adapt the task" in failures[0], failures[0]
    assert counters(sandbox)['writes'] == 0
    assert recap(proc)['changed'] == 0 and recap(proc)['failed'] == 1


def test_secrets_never_show_even_verbose(ansible_playbook, sandbox, tmp_path):
    spec = spec_file(tmp_path, TEST_SPEC)
    for args in ([], ['--check', '--diff']):
        proc = ansible_playbook('allura.forge.provision', '-e', spec, '-vvv', *args)
        assert proc.returncode == 0, proc.stdout[-3000:]
        assert SECRET not in proc.stdout + proc.stderr


def test_backup_exports_every_exportable_tool_and_check_mode_starts_nothing(ansible_playbook, sandbox, tmp_path):
    spec = spec_file(tmp_path, {'name': 'test'})
    fast = ['-e', 'allura_backup_poll_interval=0.2']
    clear_log(sandbox)
    proc = ansible_playbook('allura.forge.backup', '-e', spec, '--check', *fast)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert counters(sandbox)['writes'] == 0
    assert 'p/test: would export admin, wiki, bugs, discussion, blog, link' in proc.stdout

    proc = ansible_playbook('allura.forge.backup', '-e', spec, *fast)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert re.search(r'p/test: exported admin, wiki, bugs, discussion, blog, link -> test-backup-\S+\.zip \(ready\)', proc.stdout)
    exports = [r for r in request(sandbox + '/_sandbox/log')['requests'] if r['write']]
    assert [(r['method'], r['path']) for r in exports] == [('POST', '/rest/p/test/admin/export')]

    proc = ansible_playbook('allura.forge.backup', '-e', spec, '-e', '{"allura_backup_tools": ["wiki"]}', *fast)
    assert 'p/test: exported wiki -> ' in proc.stdout


def test_a_project_whose_only_drift_is_a_field_is_changed_in_check_mode(ansible_playbook, sandbox, tmp_path):
    """The project's own step counts for the task's changed, as each resource's does (the real run of such drift fails:
    the REST API cannot change the field, see the test above)."""
    path = spec_file(tmp_path, dict(name='test', fields={'summary': 'A summary set by the spec'}))
    check = ansible_playbook(REPORT_PLAYBOOK, '-e', path, '-e', 'out=%s' % (tmp_path / 'check.json'), '--check', '--diff')
    assert check.returncode == 0, check.stdout + check.stderr
    assert recap(check)['changed'] == 1 and 'A summary set by the spec' in check.stdout  # the diff
    report = json.load(open(tmp_path / 'check.json', encoding='utf-8'))
    assert report['summary']['update'] == 1 and report['summary']['changed'] == 1
