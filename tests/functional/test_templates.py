# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Project templates (allura_project_template) through the provision and drift playbooks, against the sandbox:
many projects from one template, a change of the template found in every project, bad input failing before
anything is sent, the one-command new project, and the team example of examples/."""

from __future__ import annotations

import json
import os

import pytest
import yaml

from test_project_role import ROOT_TOKEN, clear_log, counters, drift, out_of_band, recap, request, spec_schema

COLLECTION = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SECRET = 'tmpl-hook-secret-5e2b'
HOME = '# {{ project.fields.name }}\n\nWelcome to {{ project.name }}.\n'


class Unsafe(str):
    """A string written with YAML's !unsafe tag (Ansible never templates it)."""


class SpecDumper(yaml.SafeDumper):  # pylint: disable=too-many-ancestors
    pass


SpecDumper.add_representer(Unsafe, lambda dumper, value: dumper.represent_scalar('!unsafe', str(value), style='"'))


def template(**changes):
    """The team template of these tests (a change None: without that key)."""
    spec = dict({
        'create': True,
        'admin': 'test-admin',
        'fields': {'summary': '{{ project.fields.name }}, by the team', 'labels': ['team']},
        'tools': [{'tool': 'wiki', 'mount_point': 'docs', 'mount_label': 'Docs'},
                  {'tool': 'git', 'mount_point': 'code', 'mount_label': 'Code'}],
        'link': 'https://{{ project.name }}.example.org/',
        'wiki': [{'mount_point': 'docs', 'title': 'Home', 'text': HOME, 'labels': ['start']},
                 {'mount_point': 'docs', 'title': 'Install', 'text': 'pip install {{ project.name }}\n'},
                 {'mount_point': 'docs', 'title': 'Templating', 'text': Unsafe('Write {{ project.name }} in a template.\n')},
                 {'mount_point': 'docs', 'title': 'Release', 'text': 'Tag it {% raw %}v{{ version }}{% endraw %}.\n'}],
        'webhooks': [{'url': 'http://127.0.0.1:9/hooks/{{ project.name }}', 'secret': SECRET}],
        'access': [{'user': '*anonymous', 'permission': 'read'}],
    }, **changes)
    return {key: value for key, value in spec.items() if value is not None}


def write_spec(path, data, schema_errors=()):
    """A spec file (a vars file for -e @); it must pass the JSON Schema with exactly `schema_errors` (their starts)."""
    path.write_text(yaml.dump(data, Dumper=SpecDumper, sort_keys=False, allow_unicode=True), encoding='utf-8')
    found = spec_schema.errors(spec_schema.load_spec(str(path)))
    assert len(found) == len(schema_errors) and all(f.startswith(e) for f, e in zip(found, schema_errors)), found
    return '@%s' % path


def live_page(url, project, title):
    return request('%s/rest/p/%s/docs/%s' % (url, project, title), token=ROOT_TOKEN)['text']


def rows_of(report):
    return sorted((r['project'], r['resource'], r['field'], r['origin']) for r in report['rows'])


TEN = ['tmpl-%02d' % i for i in range(10)]


def ten_projects():
    projects = [{'name': name, 'fields': {'name': 'Team Project %d' % i}} for i, name in enumerate(TEN)]
    projects[0]['wiki'] = [{'mount_point': 'docs', 'title': 'Install', 'text': 'Build it from source.\n'}]  # its own
    projects[1]['omit_from_template'] = [{'webhooks': 'code repo-push http://127.0.0.1:9/hooks/tmpl-01'}]
    projects[2]['fields']['labels'] = ['team', 'special']
    return projects


@pytest.mark.scenario
def test_ten_projects_from_one_template(ansible_playbook, sandbox, tmp_path):
    spec = write_spec(tmp_path / 'team.yml', {'allura_project_template': template(), 'allura_projects': ten_projects()})
    report_file = tmp_path / 'run.json'
    first = ansible_playbook('allura.forge.provision', '-e', spec, '-e', 'provision_report_file=%s' % report_file,
                             token=ROOT_TOKEN)
    assert first.returncode == 0, first.stdout[-4000:] + first.stderr
    reports = {r['project']: r for r in json.loads(report_file.read_text(encoding='utf-8'))['reports']}
    assert list(reports) == ['p/%s' % name for name in TEN]
    hook = 'webhook code repo-push http://127.0.0.1:9/hooks/%s'
    made = ['project', 'tool docs', 'tool code', 'tool link', 'wiki docs/Install', 'wiki docs/Templating', 'wiki docs/Release']
    for name in TEN:  # a new wiki starts with its Home page: updated
        report = reports['p/' + name]
        assert [r['resource'] for r in report['resources'] if r['action'] == 'create'] == made + (
            [] if name == 'tmpl-01' else [hook % name]), report
        assert [r['resource'] for r in report['resources'] if r['action'] == 'update'] == ['wiki docs/Home']

    # rendered per project; literal {{ kept with !unsafe and {% raw %}; the project's own parts
    assert live_page(sandbox, 'tmpl-03', 'Home') == '# Team Project 3\n\nWelcome to tmpl-03.\n'
    assert live_page(sandbox, 'tmpl-03', 'Install') == 'pip install tmpl-03\n'
    assert live_page(sandbox, 'tmpl-00', 'Install') == 'Build it from source.\n'
    assert live_page(sandbox, 'tmpl-03', 'Templating') == 'Write {{ project.name }} in a template.\n'
    assert live_page(sandbox, 'tmpl-03', 'Release') == 'Tag it v{{ version }}.\n'
    info = request(sandbox + '/rest/p/tmpl-02/', token=ROOT_TOKEN)
    assert (info['summary'], sorted(info['labels'])) == ('Team Project 2, by the team', ['special', 'team'])
    hooks = {name: [h['hook_url'] for h in request(sandbox + '/rest/p/%s/admin/code/webhooks' % name, token=ROOT_TOKEN)['webhooks']]
             for name in TEN[:3]}
    assert hooks == {'tmpl-00': ['http://127.0.0.1:9/hooks/tmpl-00'], 'tmpl-01': [], 'tmpl-02': ['http://127.0.0.1:9/hooks/tmpl-02']}

    clear_log(sandbox)
    again = ansible_playbook('allura.forge.provision', '-e', spec, '-v', token=ROOT_TOKEN)  # -v: facts shown
    assert again.returncode == 0 and recap(again)['changed'] == 0, again.stdout[-4000:]
    assert counters(sandbox)['writes'] == 0

    # the template changes once; behind Ansible's back, tmpl-00's own Install page changes too
    changed = template(wiki=[dict(template()['wiki'][0], text=HOME.replace('Welcome', 'You are welcome'))] + template()['wiki'][1:])
    spec = write_spec(tmp_path / 'team.yml', {'allura_project_template': changed, 'allura_projects': ten_projects()})
    out_of_band(sandbox, '/rest/p/tmpl-00/docs/Install', {'text': 'Edited by hand.\n'})
    clear_log(sandbox)
    checked, report = drift(ansible_playbook, spec, tmp_path / 'drift', '-v', token=ROOT_TOKEN)
    assert checked.returncode == 0, checked.stdout[-4000:]
    assert counters(sandbox)['writes'] == 0
    assert report['errors'] == []
    assert rows_of(report) == sorted([('p/%s' % name, 'wiki docs/Home', 'text', 'template') for name in TEN]
                                     + [('p/tmpl-00', 'wiki docs/Install', 'text', 'project')])
    home = [r for r in report['rows'] if r['project'] == 'p/tmpl-07' and r['resource'] == 'wiki docs/Home'][0]
    assert (home['live'], home['desired']) == ('# Team Project 7\n\nWelcome to tmpl-07.\n',
                                               '# Team Project 7\n\nYou are welcome to tmpl-07.\n')
    assert 'p/tmpl-07  wiki docs/Home  text line 3: "Welcome to tmpl-07." -> "You are welcome to tmpl-07."  [template]' \
        in report['lines']
    assert '| p/tmpl-00 | wiki docs/Install | text | line 1: `"Edited by hand."` | line 1: `"Build it from source."` ' \
           '| project |' in (tmp_path / 'drift' / 'allura-drift.md').read_text(encoding='utf-8')

    fix = ansible_playbook('allura.forge.provision', '-e', spec, '-e', 'provision_report_file=%s' % report_file, token=ROOT_TOKEN)
    assert fix.returncode == 0 and recap(fix)['changed'] == 10, fix.stdout[-4000:]  # one wiki task per project
    updated = sorted((r['project'], res['resource']) for r in json.loads(report_file.read_text(encoding='utf-8'))['reports']
                     for res in r['resources'] if res['action'] != 'none')
    assert updated == sorted([('p/%s' % name, 'wiki docs/Home') for name in TEN] + [('p/tmpl-00', 'wiki docs/Install')])
    for i, name in enumerate(TEN):
        assert live_page(sandbox, name, 'Home') == '# Team Project %d\n\nYou are welcome to %s.\n' % (i, name)
    assert live_page(sandbox, 'tmpl-00', 'Install') == 'Build it from source.\n'
    for run in (first, again, checked, fix):
        assert SECRET not in run.stdout + run.stderr


# For p/test and p/test2 of the sandbox (wiki, code, link): the drift check reads what exists.
BAD_TEMPLATE = {
    'link': 'https://{{ project.name }}.example.org/',
    'wiki': [{'title': 'Home', 'text': HOME}, {'title': 'Install', 'text': 'pip install {{ project.name }}\n'}],
    'webhooks': [{'url': 'http://127.0.0.1:9/hooks/{{ project.name }}', 'secret': SECRET}],
}
BAD = [  # (id, template changes, the second project's own keys, schema errors, error, projects failing it)
    ('a template key that does not exist', {'toolz': [{'tool': 'wiki'}]}, {},
     ['allura_project_template.toolz: unknown key, did you mean tools?'],
     'allura_project_template.toolz: unknown key, did you mean tools? (known: access, admin, ', ['test', 'test2']),
    ('an override naming no inherited item', {}, {'omit_from_template': [{'wiki': 'wiki/Instal'}]}, [],
     'omit_from_template names wiki: wiki/Instal, which allura_project_template.wiki does not have, did you mean '
     'wiki/Install? (it has: wiki/Home, wiki/Install)', ['test2']),
    ('an undefined template variable', {'link': 'https://{{ project.fields.nmae }}.example.org/'}, {}, [],
     'cannot template allura_project_template.link: ', ['test', 'test2']),
    ('an undefined variable of a project', {}, {'wiki': [{'title': 'X', 'text': '{{ no_such_var }}'}]},
     [], "cannot template wiki[0].text: 'no_such_var' is undefined", ['test2']),
]


@pytest.mark.parametrize('template_changes, second_project, schema_errors, message, failing', [c[1:] for c in BAD],
                         ids=[c[0] for c in BAD])
def test_bad_input_fails_clearly_before_anything_is_sent(ansible_playbook, sandbox, tmp_path, template_changes,
                                                         second_project, schema_errors, message, failing):
    """The second project (or the template) is wrong: nothing is sent for any project, the first included."""
    projects = [{'name': 'test', 'fields': {'name': 'Test'}}, dict({'name': 'test2', 'fields': {'name': 'Test 2'}}, **second_project)]
    spec = write_spec(tmp_path / 'bad.yml', {'allura_project_template': dict(BAD_TEMPLATE, **template_changes),
                                             'allura_projects': projects}, schema_errors=schema_errors)
    clear_log(sandbox)
    proc = ansible_playbook('allura.forge.provision', '-e', spec)
    assert proc.returncode != 0
    assert 'project_merge: p/%s: %s' % (failing[0], message) in proc.stdout, proc.stdout[-3000:]
    assert counters(sandbox)['total'] == 0
    assert SECRET not in proc.stdout + proc.stderr

    # the drift check lists each project that cannot be checked, and checks the others
    if message.startswith('cannot template'):
        return  # the drift check of the two other cases shows how it lists what it cannot check
    proc, report = drift(ansible_playbook, spec, tmp_path / 'drift')
    assert proc.returncode != 0
    assert [error.split(': ', 1)[0] for error in report['errors']] == ['p/%s' % name for name in failing]
    assert all(error.split(': ', 1)[1].startswith(message) for error in report['errors']), report['errors']
    assert report['projects'] == (['p/test'] if failing == ['test2'] else [])
    assert counters(sandbox)['writes'] == 0


def test_the_team_example_and_a_new_project_in_one_command(ansible_playbook, sandbox, tmp_path):
    team = os.path.join(COLLECTION, 'examples', 'team-template.yml')
    projects = os.path.join(COLLECTION, 'examples', 'team-projects.yml')
    proc = ansible_playbook('allura.forge.provision', '-e', '@' + team, '-e', '@' + projects, token=ROOT_TOKEN)
    assert proc.returncode == 0, proc.stdout[-4000:]
    assert live_page(sandbox, 'team-cli', 'Install') == 'pip install team-cli\n'
    assert live_page(sandbox, 'team-web', 'Install') == 'npm install team-web\n'
    assert live_page(sandbox, 'team-web', 'Contributing') == 'Release notes are generated: write {{ version }} where the version goes.\n'
    assert [t['mount_point'] for t in request(sandbox + '/rest/p/team-docs/', token=ROOT_TOKEN)['tools']
            if t['mount_point'] in ('docs', 'tickets', 'code', 'link')] == ['docs', 'tickets', 'link']

    new = ['-e', '@' + team, '-e', 'allura_new_project=newproj', '-e', 'allura_new_project_name="New Project"',
           '-e', 'allura_new_project_admin=test-admin']
    proc = ansible_playbook('allura.forge.provision', *new, '-e', 'provision_report_file=%s' % (tmp_path / 'new.json'),
                            token=ROOT_TOKEN)
    assert proc.returncode == 0, proc.stdout[-4000:]
    [made] = json.loads((tmp_path / 'new.json').read_text(encoding='utf-8'))['reports']
    assert made['project'] == 'p/newproj' and ('project', 'create') in [(r['resource'], r['action']) for r in made['resources']]
    assert request(sandbox + '/rest/p/newproj/', token=ROOT_TOKEN)['name'] == 'New Project'
    assert live_page(sandbox, 'newproj', 'Home').startswith('# New Project\n')
    again = ansible_playbook('allura.forge.provision', *new, token=ROOT_TOKEN)
    assert again.returncode == 0 and recap(again)['changed'] == 0, again.stdout[-4000:]

    no_admin = write_spec(tmp_path / 'no-admin.yml', {'allura_project_template': template(admin=None)})
    clear_log(sandbox)
    proc = ansible_playbook('allura.forge.provision', '-e', no_admin, '-e', 'allura_new_project=other', token=ROOT_TOKEN)
    assert proc.returncode != 0
    assert 'creating project other needs its first admin (-e allura_new_project_admin=USER' in proc.stdout, proc.stdout[-3000:]
    assert counters(sandbox)['total'] == 0
    # the drift playbook checks the same before anything is read, and so does it for a spec that is not a list
    for extra in (['-e', no_admin, '-e', 'allura_new_project=other'], ['-e', 'allura_projects=myproj']):
        proc = ansible_playbook('allura.forge.drift', *extra, '-e', 'drift_report_dir=', token=ROOT_TOKEN)
        assert proc.returncode != 0 and recap(proc)['failed'] == 1, proc.stdout[-3000:]
        assert ('creating project other needs its first admin' if len(extra) == 4 else
                'allura_projects must be a list of project specs') in proc.stdout, proc.stdout[-3000:]
    assert counters(sandbox)['total'] == 0

    # `project` is the template's: another variable of that name would hide it
    proc = ansible_playbook('allura.forge.drift', '-e', '@' + team, '-e', '@' + projects, '-e', 'project=mine', token=ROOT_TOKEN)
    assert proc.returncode != 0
    assert 'a variable named project is set (in the inventory, with -e, set_fact or include_vars)' in proc.stdout, proc.stdout[-3000:]
    assert counters(sandbox)['total'] == 0


# A user's own playbook, as the project_merge filter's examples show it: each project merged once (a fact, `project`
# bound to it), then the role in check mode by include_role's `apply` keyword; the reports written to `out`.
KEYWORD_PLAYBOOK = '''
- hosts: localhost
  gather_facts: false
  connection: local
  vars:
    ansible_python_interpreter: "{{ ansible_playbook_python }}"
  tasks:
    - name: Apply the template
      ansible.builtin.set_fact:
        specs: "{{ specs | default([]) + [project | allura.forge.project_merge(allura_project_template)] }}"
      loop: "{{ allura_projects }}"
      loop_control: {loop_var: project, label: "{{ project.name }}"}
      no_log: true
    - name: Converge in check mode, by keyword
      ansible.builtin.include_role:
        name: allura.forge.project
        apply: {check_mode: true, diff: true}
      vars:
        allura_project: "{{ specs[index] }}"
      loop: "{{ range(specs | length) | list }}"
      loop_control: {loop_var: index}
    - name: The reports
      ansible.builtin.copy:
        content: "{{ allura_project_reports | to_json }}"
        dest: "{{ out }}"
        mode: "0600"
      check_mode: false
      diff: false
'''
# The seeded p/test and p/test2 (wiki, code, link): each gets a page, a webhook and its link from the template.
PATH_TEMPLATE = {
    'link': 'https://{{ project.name }}.example.org/',
    'wiki': [{'title': 'Team', 'text': 'The team page of {{ project.fields.name }}.\n'},
             {'title': 'Install', 'text': 'pip install {{ project.name }}\n'}],
    'webhooks': [{'url': 'http://127.0.0.1:9/hooks/{{ project.name }}', 'secret': SECRET}],
}
PATH_PROJECTS = [{'name': 'test', 'fields': {'name': 'Test Project'}},  # the names they have
                 {'name': 'test2', 'fields': {'name': 'Test 2'}, 'omit_from_template': [{'wiki': 'wiki/Install'}]}]


def resource_actions(reports):
    return [(r['project'], res['resource'], res['action']) for r in reports for res in r['resources'] if res['action'] != 'none']


def through(ansible_playbook, sandbox, tmp_path, path, env):
    """Check mode by keyword, the real run, a changed template's drift check (check mode by play keyword), the fix:
    what each reports, on one execution path, from the seeded sandbox."""
    request(sandbox + '/_sandbox/reset', 'POST')
    spec = write_spec(tmp_path / ('%s.yml' % path), {'allura_project_template': PATH_TEMPLATE, 'allura_projects': PATH_PROJECTS})
    runs, seen = {}, {}

    clear_log(sandbox)
    runs['keyword'] = ansible_playbook(KEYWORD_PLAYBOOK, '-e', spec, '-e', 'out=%s' % (tmp_path / 'keyword.json'), env=env)
    assert runs['keyword'].returncode == 0, runs['keyword'].stdout[-4000:]
    assert counters(sandbox)['writes'] == 0
    predicted = json.loads((tmp_path / 'keyword.json').read_text(encoding='utf-8'))
    assert all(r['check_mode'] is True for r in predicted)
    seen['predicted'] = resource_actions(predicted)

    runs['real'] = ansible_playbook('allura.forge.provision', '-e', spec, '-e', 'provision_report_file=%s' % (tmp_path / 'real.json'), env=env)
    assert runs['real'].returncode == 0, runs['real'].stdout[-4000:]
    seen['done'] = resource_actions(json.loads((tmp_path / 'real.json').read_text(encoding='utf-8'))['reports'])
    assert request(sandbox + '/rest/p/test2/wiki/Team', token=ROOT_TOKEN)['text'] == 'The team page of Test 2.\n'

    changed = dict(PATH_TEMPLATE, wiki=[{'title': 'Team', 'text': 'The team page of {{ project.name }}.\n'}] + PATH_TEMPLATE['wiki'][1:])
    spec = write_spec(tmp_path / ('%s.yml' % path), {'allura_project_template': changed, 'allura_projects': PATH_PROJECTS})
    clear_log(sandbox)
    runs['drift'] = ansible_playbook('allura.forge.drift', '-e', spec, '-e', 'drift_report_dir=%s' % tmp_path, env=env)
    report = json.loads((tmp_path / 'allura-drift.json').read_text(encoding='utf-8'))
    assert runs['drift'].returncode == 0 and report['errors'] == [], runs['drift'].stdout[-4000:]
    assert counters(sandbox)['writes'] == 0
    seen['drift'] = [(r['project'], r['resource'], r['field'], r['live'], r['desired'], r['origin']) for r in report['rows']]

    runs['fix'] = ansible_playbook('allura.forge.provision', '-e', spec, '-e', 'provision_report_file=%s' % (tmp_path / 'fix.json'), env=env)
    assert runs['fix'].returncode == 0, runs['fix'].stdout[-4000:]
    seen['fixed'] = resource_actions(json.loads((tmp_path / 'fix.json').read_text(encoding='utf-8'))['reports'])
    for name, run in runs.items():
        assert SECRET not in run.stdout + run.stderr, name
    return seen


@pytest.mark.scenario
def test_templated_projects_on_both_execution_paths_with_check_mode_by_keyword(ansible_playbook, sandbox, tmp_path):
    """Check mode by keyword predicts exactly what the real run then does; the drift check of a changed template
    names it, from the template; in process and as modules alike."""
    in_process = through(ansible_playbook, sandbox, tmp_path, 'in-process', {})
    as_module = through(ansible_playbook, sandbox, tmp_path, 'as-module', {'ALLURA_FORGE_RUN_AS_MODULE': '1'})

    hook = 'webhook code repo-push http://127.0.0.1:9/hooks/%s'
    assert in_process['predicted'] == in_process['done'] == [
        ('p/test', 'link link', 'update'), ('p/test', 'wiki wiki/Team', 'create'), ('p/test', 'wiki wiki/Install', 'create'),
        ('p/test', hook % 'test', 'create'),
        ('p/test2', 'link link', 'update'), ('p/test2', 'wiki wiki/Team', 'create'), ('p/test2', hook % 'test2', 'create')]
    assert in_process['drift'] == [
        ('p/test', 'wiki wiki/Team', 'text', 'The team page of Test Project.\n', 'The team page of test.\n', 'template'),
        ('p/test2', 'wiki wiki/Team', 'text', 'The team page of Test 2.\n', 'The team page of test2.\n', 'template')]
    assert in_process['fixed'] == [('p/test', 'wiki wiki/Team', 'update'), ('p/test2', 'wiki wiki/Team', 'update')]
    assert as_module == in_process
