# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The projects of a spec file as inventory hosts (the allura.forge.projects inventory plugin) through the drift and
provision playbooks, against the sandbox: forks over projects, --limit, the report of every host in one JSON (the same
as the localhost run's), and AWX/AAP job slicing proven locally - the slices' reports and artifacts combine into the
report of one run."""

from __future__ import annotations

import json
import os
import re
import shutil
import time

import pytest
import yaml

from test_project_role import ROOT_TOKEN, clear_log, out_of_band, request

TEMPLATE = {
    'fields': {'summary': '{{ project.name }}, by the team'},
    'tools': [{'tool': 'wiki', 'mount_point': 'docs', 'mount_label': 'Docs'}],
    'link': 'https://{{ project.name }}.example.org/',
    'wiki': [{'mount_point': 'docs', 'title': 'Home', 'text': 'Welcome to {{ project.name }}.\n'}],
}
HERE = os.path.dirname(os.path.abspath(__file__))
COLLECTION_ROOT = os.path.dirname(os.path.dirname(HERE))
NAMES = ['inv-%d' % index for index in range(6)]


def projects(names=NAMES):
    return [{'name': name, 'create': True, 'admin': 'test-admin', 'fields': {'name': name.title()}} for name in names]


def write_inventory(tmp_path, spec):
    """projects.yml (the spec) and projects.allura.yml (the inventory source naming it); returns the source."""
    (tmp_path / 'projects.yml').write_text(yaml.safe_dump(spec, sort_keys=False), encoding='utf-8')
    source = tmp_path / 'projects.allura.yml'
    source.write_text('plugin: allura.forge.projects\nspec_file: projects.yml\n', encoding='utf-8')
    return str(source)


def report_of(folder, name='allura-drift'):
    with open(os.path.join(str(folder), name + '.json'), encoding='utf-8') as handle:
        report = json.load(handle)
    report.pop('generated')
    return report


def markdown_of(folder, name='allura-drift'):
    with open(os.path.join(str(folder), name + '.md'), encoding='utf-8') as handle:
        return re.sub(r'(?m)^.*\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ.*$', '(generated)', handle.read())


def hosts_ran(proc):
    """The hosts of the play recap."""
    return sorted(re.findall(r'^(\S+)\s*:\s*ok=', proc.stdout, re.M))


@pytest.fixture
def provisioned(ansible_playbook, sandbox, tmp_path):
    """The six projects created and provisioned through the inventory (4 forks); then one out-of-band change, so the
    drift check has a difference to report. Returns the inventory source."""
    source = write_inventory(tmp_path, {'allura_project_template': TEMPLATE, 'allura_projects': projects()})
    proc = ansible_playbook('allura.forge.provision', '-i', source, '-f', '4', token=ROOT_TOKEN, check=True)
    assert hosts_ran(proc) == sorted(NAMES)
    assert re.search(r'^inv-3\s*:.*failed=0', proc.stdout, re.M)
    assert request(sandbox + '/rest/p/inv-3/docs/Home', token=ROOT_TOKEN)['text'] == 'Welcome to inv-3.\n'
    out_of_band(sandbox, '/rest/p/inv-2/docs/Home', {'text': 'Changed behind Ansible\'s back\n'})
    return source


def test_inventory_drift_with_forks_reports_as_the_localhost_run(ansible_playbook, provisioned, tmp_path):
    spec = '@' + str(tmp_path / 'projects.yml')
    local = ansible_playbook('allura.forge.drift', '-e', spec, '-e', 'drift_report_dir=%s' % (tmp_path / 'local'),
                             token=ROOT_TOKEN)
    forks = ansible_playbook('allura.forge.drift', '-i', provisioned, '-f', '4',
                             '-e', 'drift_report_dir=%s' % (tmp_path / 'forks'), token=ROOT_TOKEN)
    assert local.returncode == 0 and forks.returncode == 0, local.stdout + forks.stdout
    assert hosts_ran(forks) == sorted(NAMES)
    report = report_of(tmp_path / 'forks')
    assert report == report_of(tmp_path / 'local')
    assert markdown_of(tmp_path / 'forks') == markdown_of(tmp_path / 'local')
    assert report['projects'] == ['p/%s' % name for name in NAMES]  # the spec's order
    assert [(row['project'], row['resource'], row['field'], row['origin']) for row in report['rows']] == [
        ('p/inv-2', 'wiki docs/Home', 'text', 'template')]
    assert report['drift'] is True and report['errors'] == []
    # written once: the report task ran on one host only
    assert len(re.findall(r'^(?:changed|ok): \[[^\]]+\]', forks.stdout.split('TASK [Write the report (JSON and Markdown)]')[1].split('TASK')[0], re.M)) == 1


def test_limit_picks_projects_also_of_other_neighborhoods(ansible_playbook, provisioned, tmp_path):
    spec = {'allura_project_template': TEMPLATE, 'allura_projects': projects() + [{'name': 'test-admin', 'neighborhood': 'u'}]}
    source = write_inventory(tmp_path, spec)
    proc = ansible_playbook('allura.forge.drift', '-i', source, '-f', '8', '--limit', 'u/test-admin,inv-2',
                            '-e', 'drift_report_dir=%s' % tmp_path, token=ROOT_TOKEN)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert hosts_ran(proc) == ['inv-2', 'u/test-admin']
    report = report_of(tmp_path)
    assert report['projects'] == ['p/inv-2', 'u/test-admin']
    assert {row['project'] for row in report['rows']} == {'p/inv-2', 'u/test-admin'}
    # the template applies to the user project too: its summary is the template's, with the project's name
    assert any(row['project'] == 'u/test-admin' and row['field'] == 'summary' and row['desired'] == 'test-admin, by the team'
               for row in report['rows'])


def test_a_project_that_cannot_be_checked_is_an_error_and_the_others_are_reported(ansible_playbook, provisioned, tmp_path):
    spec = {'allura_project_template': TEMPLATE,
            'allura_projects': projects() + [{'name': 'inv-missing'}, {'name': 'inv-badtemplate', 'wiki': 'not a list'}]}
    source = write_inventory(tmp_path, spec)
    local = ansible_playbook('allura.forge.drift', '-e', '@' + str(tmp_path / 'projects.yml'),
                             '-e', 'drift_report_dir=%s' % (tmp_path / 'local'), token=ROOT_TOKEN)
    forks = ansible_playbook('allura.forge.drift', '-i', source, '-f', '4', '-e', 'fail_on_drift=true',
                             '-e', 'drift_report_dir=%s' % (tmp_path / 'forks'), token=ROOT_TOKEN)
    assert local.returncode != 0 and forks.returncode != 0
    report = report_of(tmp_path / 'forks')
    assert report == report_of(tmp_path / 'local')
    assert report['projects'] == ['p/%s' % name for name in NAMES]
    assert [error.split(':')[0] for error in report['errors']] == ['p/inv-missing', 'p/inv-badtemplate']
    assert 'could not be checked' in forks.stdout


def test_fail_on_drift_fails_the_inventory_run_after_writing_the_report(ansible_playbook, provisioned, tmp_path):
    proc = ansible_playbook('allura.forge.drift', '-i', provisioned, '-f', '3', '-e', 'fail_on_drift=true',
                            '-e', 'drift_report_dir=%s' % tmp_path, token=ROOT_TOKEN)
    assert proc.returncode == 2, proc.stdout
    assert '1 difference(s) from the spec and 0 unmanaged resource(s) in p/inv-2' in proc.stdout
    assert report_of(tmp_path)['drift'] is True


def awx_slices(hosts, count):
    """The hosts of each job slice as AWX/AAP makes them: hosts ordered by name, host i to slice i % count (AWX's
    Inventory.get_script_data: hosts.order_by('name')[slice_number - 1::slice_count])."""
    ordered = sorted(hosts)
    return [ordered[number::count] for number in range(count)]


def test_job_slices_combine_into_the_report_of_one_run(ansible_playbook, provisioned, tmp_path):
    full = ansible_playbook('allura.forge.drift', '-i', provisioned, '-f', '4',
                            '-e', 'drift_report_dir=%s' % (tmp_path / 'full'), token=ROOT_TOKEN)
    assert full.returncode == 0, full.stdout
    artifacts = {}
    files = []
    slices = awx_slices(NAMES, 4)
    assert slices == [['inv-0', 'inv-4'], ['inv-1', 'inv-5'], ['inv-2'], ['inv-3']]
    for number, hosts in enumerate(slices):
        folder = tmp_path / ('slice-%d' % number)
        stats_file = tmp_path / ('stats-%d.json' % number)
        proc = ansible_playbook('allura.forge.drift', '-i', provisioned, '--limit', ','.join(hosts),
                                '-e', 'drift_report_dir=%s' % folder, '-e', 'drift_artifacts=true', token=ROOT_TOKEN,
                                env={'ANSIBLE_CALLBACK_PLUGINS': os.path.join(HERE, 'callback_plugins'),
                                     'ANSIBLE_CALLBACKS_ENABLED': 'custom_stats', 'ALLURA_TEST_CUSTOM_STATS': str(stats_file)})
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert report_of(folder)['projects'] == ['p/%s' % host for host in hosts]
        files.append(str(folder / 'allura-drift.json'))
        stats = json.loads(stats_file.read_text(encoding='utf-8'))
        assert len(stats) == len(hosts) and all(key.startswith('allura_drift_part_') for key in stats)
        artifacts.update(stats)  # as AWX combines the artifacts of a sliced job's jobs: one dict updated in turn
    assert len(artifacts) == len(NAMES)  # one key per host: no slice overwrote another's

    merged = ansible_playbook('allura.forge.drift_merge', '-i', provisioned, '-e', json.dumps({'drift_merge_files': files}),
                              '-e', 'drift_report_dir=%s' % (tmp_path / 'merged'))
    assert merged.returncode == 0, merged.stdout + merged.stderr
    assert report_of(tmp_path / 'merged') == report_of(tmp_path / 'full')
    assert markdown_of(tmp_path / 'merged') == markdown_of(tmp_path / 'full')

    (tmp_path / 'artifacts.json').write_text(json.dumps(artifacts), encoding='utf-8')
    from_artifacts = ansible_playbook('allura.forge.drift_merge', '-i', provisioned, '-e', '@' + str(tmp_path / 'artifacts.json'),
                                      '-e', 'drift_report_dir=%s' % (tmp_path / 'artifacts'))
    assert from_artifacts.returncode == 0, from_artifacts.stdout + from_artifacts.stderr
    assert report_of(tmp_path / 'artifacts') == report_of(tmp_path / 'full')

    # a missing slice is an error naming its projects, not a smaller report that looks complete
    partial = ansible_playbook('allura.forge.drift_merge', '-i', provisioned, '-e', json.dumps({'drift_merge_files': files[:3]}),
                               '-e', 'drift_report_dir=%s' % (tmp_path / 'partial'))
    assert partial.returncode != 0
    assert [error.split(':')[0] for error in report_of(tmp_path / 'partial')['errors']] == ['p/inv-3']


def test_provision_over_hosts_reports_every_project_and_changes_nothing_the_second_time(ansible_playbook, provisioned, tmp_path):
    proc = ansible_playbook('allura.forge.provision', '-i', provisioned, '-f', '4',
                            '-e', 'provision_report_file=%s' % (tmp_path / 'provision.json'), token=ROOT_TOKEN)
    assert proc.returncode == 0, proc.stdout
    # only inv-2's page was changed out of band: the rest is as provisioned
    assert re.findall(r'^(\S+)\s*:\s*ok=\d+\s+changed=([1-9]\d*)', proc.stdout, re.M) == [('inv-2', '1')]
    report = json.loads((tmp_path / 'provision.json').read_text(encoding='utf-8'))
    assert report['check_mode'] is False
    assert [item['project'] for item in report['reports']] == ['p/%s' % name for name in NAMES]


def test_the_awx_example_project_sliced_then_merged_in_a_workflow(ansible_playbook, provisioned, tmp_path):
    """examples/awx_project as AWX runs it: the sliced template (awx_job_id set, as AWX sets it: artifacts by default,
    no report files), then the workflow node of drift_merge.yml with the slices' artifacts as extra variables."""
    project = tmp_path / 'awx'
    shutil.copytree(os.path.join(COLLECTION_ROOT, 'examples', 'awx_project'), project)
    shutil.copy(tmp_path / 'projects.yml', project / 'projects.yml')
    inventory = str(project / 'projects.allura.yml')
    artifacts = {}
    for number, hosts in enumerate(awx_slices(NAMES, 2)):
        stats_file = tmp_path / ('stats-%d.json' % number)
        proc = ansible_playbook(str(project / 'drift_sliced.yml'), '-i', inventory, '--limit', ','.join(hosts),
                                '-e', 'awx_job_id=%d' % (100 + number), '-e', 'drift_report_dir=', token=ROOT_TOKEN,
                                env={'ANSIBLE_CALLBACK_PLUGINS': os.path.join(HERE, 'callback_plugins'),
                                     'ANSIBLE_CALLBACKS_ENABLED': 'custom_stats', 'ALLURA_TEST_CUSTOM_STATS': str(stats_file)})
        assert proc.returncode == 0, proc.stdout + proc.stderr
        artifacts.update(json.loads(stats_file.read_text(encoding='utf-8')))
    assert not list(project.glob('*.json')) and not list(tmp_path.glob('allura-drift.*'))  # no report files
    (tmp_path / 'artifacts.json').write_text(json.dumps(artifacts), encoding='utf-8')
    merged = ansible_playbook(str(project / 'drift_merge.yml'), '-i', inventory, '-e', '@' + str(tmp_path / 'artifacts.json'),
                              '-e', 'drift_report_dir=%s' % (tmp_path / 'merged'))
    assert merged.returncode == 2, merged.stdout  # fail_on_drift: the workflow fails, and AWX notifies
    report = report_of(tmp_path / 'merged')
    assert report['projects'] == ['p/%s' % name for name in NAMES] and report['errors'] == []
    assert [(row['project'], row['resource']) for row in report['rows']] == [('p/inv-2', 'wiki docs/Home')]


def test_backup_over_hosts_exports_the_projects_limit_picks(ansible_playbook, sandbox, tmp_path):
    source = write_inventory(tmp_path, {'allura_projects': [{'name': 'test'}, {'name': 'test2'}, {'name': 'test-admin', 'neighborhood': 'u'}]})
    proc = ansible_playbook('allura.forge.backup', '-i', source, '-f', '2', '--limit', 'test,u/test-admin',
                            '-e', 'allura_backup_poll_interval=0.2', '-e', '{"allura_backup_tools": ["wiki"]}', '--check')
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert hosts_ran(proc) == ['test', 'u/test-admin']
    assert 'p/test: would export wiki' in proc.stdout and 'u/test-admin: would export wiki' in proc.stdout
    assert 'p/test2' not in proc.stdout


def test_a_host_that_fails_outside_the_check_is_listed_and_the_others_reported(ansible_playbook, provisioned, tmp_path):
    """inv-4 gets a variable named `project` from a second inventory source, which the playbook refuses for that host
    alone (it would hide the template's `project`): the report lists it under errors and reports the others."""
    extra = tmp_path / 'extra.yml'
    extra.write_text('all:\n  hosts:\n    inv-4:\n      project: mine\n', encoding='utf-8')
    proc = ansible_playbook('allura.forge.drift', '-i', provisioned, '-i', str(extra), '-f', '4',
                            '-e', 'drift_report_dir=%s' % tmp_path, token=ROOT_TOKEN)
    assert proc.returncode == 2, proc.stdout
    report = report_of(tmp_path)
    assert report['projects'] == ['p/%s' % name for name in NAMES if name != 'inv-4']
    assert report['errors'] == ['p/inv-4: not checked: its host failed (see the task that failed)']
    assert [row['project'] for row in report['rows']] == ['p/inv-2']


def test_provision_over_hosts_sends_nothing_while_one_project_is_wrong(ansible_playbook, sandbox, tmp_path):
    spec = {'allura_project_template': TEMPLATE, 'allura_projects': projects(NAMES[:3]) + [{'name': 'inv-bad', 'wiki': 'not a list'}]}
    source = write_inventory(tmp_path, spec)
    clear_log(sandbox)
    proc = ansible_playbook('allura.forge.provision', '-i', source, '-f', '4', token=ROOT_TOKEN)
    assert proc.returncode == 2, proc.stdout
    assert 'inv-bad' in proc.stdout and 'wiki must be a list' in proc.stdout
    assert request(sandbox + '/_sandbox/log')['requests'] == []  # nothing at all was sent


def test_the_projects_of_the_inventory_are_checked_at_once_by_the_forks(ansible_playbook, provisioned, sandbox, tmp_path):
    """With 4 forks, 4 projects are read at the same time: the sandbox holds each project's first read until 4 wait.
    (An include whose loop label named each host's project made ansible-core run it host after host: one waited.)"""
    from test_locking import control
    hold = dict(kind='hold', delay_ms=60000, count=4, match=dict(method='GET', path_regex=r'^/rest/p/inv-\d/$'))
    rule = control(sandbox, '/_sandbox/faults', hold)['rules'][0]['id']
    run = ansible_playbook('allura.forge.drift', '-i', provisioned, '-f', '4', '-e', 'drift_report_dir=%s' % tmp_path,
                           token=ROOT_TOKEN, background=True)
    waiting, deadline = 0, time.monotonic() + 60
    try:
        while time.monotonic() < deadline and waiting < 4 and run.poll() is None:
            time.sleep(0.2)
            waiting = next(r for r in control(sandbox, '/_sandbox/faults')['holds'] if r['id'] == rule)['waiting']
    finally:
        control(sandbox, '/_sandbox/faults/release', {'id': rule})
        out, _err = run.communicate(timeout=300)
    assert waiting == 4, out
    assert run.returncode == 0, out
    assert report_of(tmp_path)['projects'] == ['p/%s' % name for name in NAMES]
