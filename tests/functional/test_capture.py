# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""allura.forge.capture as users run it: a migration between two servers, bad input, partial failures, one file for
many projects. (The round trip on one server is the integration target `capture`.)"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import urllib.error
import urllib.parse
import urllib.request

import pytest

import yaml

from conftest import sandbox_process


class Unsafe(str):
    """Text that looks like a template: written with !unsafe, so Ansible keeps it as it is."""


yaml.SafeDumper.add_representer(Unsafe, lambda dumper, value: dumper.represent_scalar('!unsafe', str(value), style='"'))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
_SCHEMA = importlib.util.spec_from_file_location('spec_schema', os.path.join(ROOT, 'scripts', 'spec_schema.py'))
spec_schema = importlib.util.module_from_spec(_SCHEMA)
_SCHEMA.loader.exec_module(spec_schema)

# Added to p/test as seeded (its bugs tracker has the recorded custom fields; test-admin is its admin).
SOURCE = {
    'name': 'test',
    'tools': [{'tool': 'wiki', 'mount_point': 'docs', 'mount_label': 'Docs & notes'}],
    'link': 'https://test.example.org/',
    'wiki': [{'title': 'Home', 'text': 'Welcome\r\nto the migrated wiki  \n', 'labels': ['start here']},
             {'mount_point': 'docs', 'title': 'Café 100%', 'text': Unsafe('{{ stays text }}\n\tand a tab'), 'labels': []}],
    'tickets': [{'mount_point': 'bugs', 'summary': 'First', 'status': 'open', 'milestone': '2.0', 'assigned_to': 'test-admin',
                 'custom_fields': {'severity': 'high', 'estimate': 2, 'public': True}},
                {'mount_point': 'bugs', 'summary': 'Second ✓', 'description': 'no final newline', 'status': 'closed',
                 'labels': ['a b'], 'private': True}],
    'webhooks': [{'url': 'https://ci.example.org/hook', 'secret': 'old'}],
}
TRACKER_SETUP = {'mount_point': 'bugs', 'open_status_names': 'open unread accepted pending', 'closed_status_names': 'closed wont-fix',
                 'custom_fields': [{'label': 'Milestone', 'name': '_milestone', 'type': 'milestone',
                                    'milestones': [{'name': '1.0', 'default': True}, {'name': '2.0'}]},
                                   {'label': 'Severity', 'type': 'select', 'options': 'low *normal high'},
                                   {'label': 'Public', 'type': 'boolean'}, {'label': 'Estimate', 'type': 'number'},
                                   {'label': 'Reviewer', 'type': 'user'}]}
VAULT = ['-e', 'vault_webhook_code_ci_example_org_hook=new']


def control(url, name, body):
    request = urllib.request.Request('%s/_sandbox/%s' % (url, name), data=json.dumps(body).encode(), method='POST',
                                     headers={'Content-Type': 'application/json'})
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.load(answer)


def log(url):
    with urllib.request.urlopen(url + '/_sandbox/log', timeout=10) as answer:
        return json.load(answer)


def write(path, data):
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding='utf-8')  # Unsafe: !unsafe
    return '@%s' % path


@pytest.mark.scenario
def test_migration_between_two_servers(ansible_playbook, sandbox, tmp_path):
    """Capture from one server, provision into a new project on another (with what REST cannot create set up there as
    the web interface would), drift-check it: 0 differences - on the controller path and as modules."""
    ansible_playbook('allura.forge.provision', '-e', write(tmp_path / 'source.yml', {'allura_projects': [SOURCE]}), check=True)
    ansible_playbook('allura.forge.capture', '-e', 'capture_projects=test', '-e', 'capture_dir=%s' % tmp_path, check=True)
    captured = (tmp_path / 'test.yml').read_text(encoding='utf-8')
    data = spec_schema.load_spec(str(tmp_path / 'test.yml'))
    assert spec_schema.errors(data) == []  # the published JSON Schema of the spec
    spec = data['allura_projects'][0]
    assert [p['title'] for p in spec['wiki']] == ['Home', 'Café 100%', 'Home']  # each wiki's pages by title
    assert spec['wiki'][0]['text'] == 'Welcome\r\nto the migrated wiki  \n' and spec['wiki'][1]['text'] == '{{ stays text }}\n\tand a tab'
    assert 'text: !unsafe "{{ stays text }}\\n\\\n' in captured
    assert [t['summary'] for t in spec['tickets']] == ['First', 'Second ✓'] and spec['tickets'][1]['private'] is True

    with sandbox_process() as port:
        target = 'http://127.0.0.1:%d' % port
        migrated = captured.replace('  - name: test\n    neighborhood: p\n',
                                    '  - name: migrated\n    neighborhood: adobe\n    create: true\n    admin: test-admin\n')
        (tmp_path / 'migrated.yml').write_text(migrated, encoding='utf-8')
        env = {'ALLURA_URL': target}
        first = ansible_playbook('allura.forge.provision', '-e', '@%s' % (tmp_path / 'migrated.yml'), '-e',
                                 'provision_report_file=%s' % (tmp_path / 'first.json'), *VAULT, env=env)
        assert first.returncode == 2, first.stdout
        setup = [r for r in json.load(open(tmp_path / 'first.json', encoding='utf-8'))['reports'][0]['resources'] if r['kind'] == 'setup']
        assert [r['resource'] for r in setup] == ['setup tracker bugs custom field _estimate', 'setup tracker bugs custom field _public',
                                                  'setup tracker bugs custom field _severity']
        assert all(r['note'].startswith('set this up in the web interface') for r in setup)
        control(target, 'tracker', dict(TRACKER_SETUP, project='adobe/migrated'))
        ansible_playbook('allura.forge.provision', '-e', '@%s' % (tmp_path / 'migrated.yml'), *VAULT, env=env, check=True)
        drift = ansible_playbook('allura.forge.drift', '-e', '@%s' % (tmp_path / 'migrated.yml'), '-e', 'fail_on_drift=true',
                                 '-e', 'drift_report_dir=%s' % tmp_path, *VAULT, env=dict(env, ALLURA_FORGE_RUN_AS_MODULE='1'))
        assert drift.returncode == 0, drift.stdout
        assert json.load(open(tmp_path / 'allura-drift.json', encoding='utf-8'))['rows'] == []
        with urllib.request.urlopen(target + '/_sandbox/state', timeout=10) as answer:
            hook = [t for t in json.load(answer)['projects']['adobe/migrated']['tools'] if t['mount_point'] == 'code'][0]
        assert [(h['hook_url'], h['secret']) for h in hook['data']['webhooks']] == [('https://ci.example.org/hook', 'new')]


def test_bad_input_fails_before_anything_is_read_or_written(ansible_playbook, sandbox, tmp_path):
    cases = [
        ([], 'capture_projects must name the projects to capture'),
        (['-e', 'capture_projects=test', '-e', 'capture_dir=%s' % (tmp_path / 'nowhere')], 'it does not exist (capture_dir)'),
        (['-e', 'capture_projects=test', '-e', 'capture_dir=%s' % tmp_path, '-e', 'capture_parts=wiki,blogs'],
         'value of parts must be one or more of: fields, tools, link, wiki, tickets, webhooks. Got no match for: blogs'),
        (['-e', 'capture_projects=test', '-e', 'capture_dir=%s' % tmp_path, '-e', 'capture_file=x.yml'], 'not both'),
    ]
    for args, message in cases:
        proc = ansible_playbook('allura.forge.capture', *args)
        assert proc.returncode == 2 and message in proc.stdout, (args, proc.stdout[-3000:])
    assert log(sandbox)['counters']['total'] == 0 and list(tmp_path.iterdir()) == []


def test_a_capture_that_fails_half_way_leaves_no_file(ansible_playbook, sandbox, tmp_path):
    (tmp_path / 'test.yml').write_text('kept\n', encoding='utf-8')
    missing = ansible_playbook('allura.forge.capture', '-e', 'capture_projects=test,nosuch', '-e', 'capture_dir=%s' % tmp_path)
    assert missing.returncode == 2
    assert "project 'nosuch' does not exist in neighborhood 'p', or this user cannot see it" in missing.stdout
    control(sandbox, 'faults', {'kind': '502', 'match': {'path_regex': '/rest/p/test/wiki/Home$'}})
    broken = ansible_playbook('allura.forge.capture', '-e', 'capture_projects=test', '-e', 'capture_dir=%s' % tmp_path,
                              '-e', 'allura_retries=0')
    assert broken.returncode == 2 and 'HTTP 502' in broken.stdout
    assert [p.name for p in tmp_path.iterdir()] == ['test.yml'] and (tmp_path / 'test.yml').read_text(encoding='utf-8') == 'kept\n'
    assert log(sandbox)['counters']['writes'] == 0


def test_many_projects_in_one_file_with_some_parts_and_a_partial_tracker(ansible_playbook, sandbox, tmp_path):
    for number in range(1, 8):
        form = urllib.parse.urlencode({'ticket_form.summary': 'T%d' % number, 'ticket_form.status': 'open' if number % 2 else 'closed'})
        request = urllib.request.Request(sandbox + '/rest/p/test/bugs/new', data=form.encode(), method='POST',
                                         headers={'Authorization': 'Bearer a0000000000000000001'})
        with contextlib.suppress(urllib.error.HTTPError):  # the 302 to the new ticket
            urllib.request.urlopen(request, timeout=10).close()
    proc = ansible_playbook('allura.forge.capture', '-e', 'capture_projects=test,test2', '-e', 'capture_file=%s' % (tmp_path / 'all.yml'),
                            '-e', '{"capture_parts": [tools, tickets], "capture_ticket_status": [open], "capture_max_items": 3}',
                            check=True)
    assert 'PARTIAL: tracker bugs: only the newest 3 tickets of status open' in proc.stdout
    text = (tmp_path / 'all.yml').read_text(encoding='utf-8')
    data = spec_schema.load_spec(str(tmp_path / 'all.yml'))
    assert [(p['name'], sorted(p)) for p in data['allura_projects']] == [
        ('test', ['name', 'neighborhood', 'tickets', 'tools']), ('test2', ['name', 'neighborhood', 'tools'])]
    assert [t['summary'] for t in data['allura_projects'][0]['tickets']] == ['T3', 'T5', 'T7']
    assert '# allura.forge spec of p/test2, captured from' in text and '# Partial (p/test):' in text
    drift = ansible_playbook('allura.forge.drift', '-e', '@%s' % (tmp_path / 'all.yml'), '-e', 'fail_on_drift=true',
                             '-e', 'drift_report_dir=')
    assert drift.returncode == 0, drift.stdout
