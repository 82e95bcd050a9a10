# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Access checks that cannot lie: a permission name the neighborhood, the project or the tool's kind does not have is
refused before anything is asked - by allura_access_info on both execution paths, and by the project role and the
drift playbook naming the check's path in the spec - at every level and on every kind of tool the sandbox has."""

from __future__ import annotations

import json
import os
import urllib.parse
import urllib.request

import pytest
import yaml

ADMIN_TOKEN = 'a0000000000000000001'  # test-admin: admin of p/test and of its own user project
ROOT_TOKEN = 'a0000000000000000000'  # root: admin of the neighborhoods p and u
RUN_AS_MODULE = {'ALLURA_FORGE_RUN_AS_MODULE': '1'}
USERS = ['test-admin', 'test-user']

# (name, where, permissions): every name of the level or kind (the module's documentation lists them), then a typo.
LEVELS = [
    ('neighborhood', dict(token=ROOT_TOKEN), ['read', 'update', 'admin', 'create', 'register'], 'registr'),
    ('project', dict(project='test'), ['read', 'update', 'admin', 'create'], 'updte'),
    ('wiki', dict(project='test', mount_point='wiki'),
     ['configure', 'read', 'create', 'edit', 'delete', 'unmoderated_post', 'post', 'moderate', 'admin'], 'edt'),
    ('tickets', dict(project='test', mount_point='bugs'),
     ['configure', 'read', 'update', 'create', 'save_searches', 'unmoderated_post', 'post', 'moderate', 'admin', 'delete'],
     'craete'),
    ('discussion', dict(project='test', mount_point='discussion'),
     ['configure', 'read', 'unmoderated_post', 'post', 'moderate', 'admin'], 'pots'),
    ('blog', dict(project='test', mount_point='blog'),
     ['configure', 'read', 'write', 'unmoderated_post', 'post', 'moderate', 'admin'], 'wirte'),
    ('link', dict(project='test', mount_point='link'), ['configure', 'read', 'admin'], 'rade'),
    ('git', dict(project='test', mount_point='code'),
     ['read', 'write', 'create', 'unmoderated_post', 'post', 'moderate', 'admin', 'configure'], 'writ'),
    ('activity', dict(project='test', mount_point='activity'), ['configure', 'admin', 'read'], 'red'),
    ('profile', dict(neighborhood='u', project='test-admin', mount_point='profile'), ['configure', 'admin'], 'admn'),
]
# Tools without has_access: search and user stats come with every project, chat, feedback and files are installed first.
NO_HAS_ACCESS = [('search', 'test', 'search'), ('chat', 'test', 'chat'), ('feedback', 'test', 'feedback'),
                 ('files', 'test', 'files'), ('userstats', 'test-admin', 'userstats')]

PLAY = '''
- hosts: localhost
  gather_facts: false
  connection: local
  vars:
    ansible_python_interpreter: "{{ ansible_playbook_python }}"
  tasks:
'''
PLAYBOOK = PLAY + '''
    - name: Tools without has_access
      allura.forge.allura_tool:
        project: test
        tools: [{tool: chat}, {tool: feedback}, {tool: files}]
    - name: Clear the request log
      ansible.builtin.uri: {url: "{{ lookup('ansible.builtin.env', 'ALLURA_URL') }}/_sandbox/log/clear", method: POST}
    - name: Every case
      allura.forge.allura_access_info:
        token: "{{ item.token | default(omit) }}"
        neighborhood: "{{ item.neighborhood | default(omit) }}"
        project: "{{ item.project | default(omit) }}"
        mount_point: "{{ item.mount_point | default(omit) }}"
        users: "{{ item.users }}"
        permissions: "{{ item.permissions }}"
      loop: "{{ cases }}"
      register: checked
      ignore_errors: true
    - name: Save them
      ansible.builtin.copy:
        dest: "{{ out }}"
        content: "{{ checked.results | map('dict2items') | map('rejectattr', 'key', 'in', ['item', 'invocation',
                     'ansible_loop_var', '_ansible_no_log', '_ansible_item_label', '_ansible_ignore_errors']) | map('items2dict')
                     | list | to_json }}"
        mode: "0600"
'''


def cases():
    out = []
    for _name, where, names, typo in LEVELS:
        out.append(dict(where, users=USERS, permissions=names))
        out.append(dict(where, users=USERS, permissions=[names[0], typo]))
    out += [dict(project=project, neighborhood='u' if project == 'test-admin' else 'p', mount_point=mount_point,
                 users=USERS, permissions=['read']) for _kind, project, mount_point in NO_HAS_ACCESS]
    return out


def sandbox_log(url):
    with urllib.request.urlopen(url + '/_sandbox/log', timeout=10) as response:
        return json.loads(response.read())['requests']


def run_cases(ansible_playbook, sandbox, tmp_path, env, selected=None):
    out = tmp_path / ('results-%s.json' % bool(env))
    vars_file = tmp_path / 'cases.yml'
    chosen = [case for index, case in enumerate(cases()) if selected is None or index in selected]
    vars_file.write_text(yaml.safe_dump(dict(cases=chosen, out=str(out))), encoding='utf-8')
    proc = ansible_playbook(PLAYBOOK, '-e', '@%s' % vars_file, env=env)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-4000:]
    return json.loads(out.read_text(encoding='utf-8')), sandbox_log(sandbox)


def test_every_level_and_kind_typos_included(ansible_playbook, sandbox, tmp_path):
    results, log = run_cases(ansible_playbook, sandbox, tmp_path, {})
    assert len(results) == 2 * len(LEVELS) + len(NO_HAS_ACCESS)
    asked = [dict(urllib.parse.parse_qsl(r['query'])) for r in log if r['path'].endswith('/has_access')]
    for index, (name, where, names, typo) in enumerate(LEVELS):
        good, bad = results[2 * index], results[2 * index + 1]
        assert not good.get('failed') and 'warnings' not in good, (name, good)
        assert {user: sorted(perms) for user, perms in good['access'].items()} == {user: sorted(names) for user in USERS}
        assert good.get('tool') == (name if 'mount_point' in where else None)
        assert bad['failed'] is True and bad['invalid_permissions'] == [typo] and bad['valid_permissions'] == names, bad
        assert bad['msg'].startswith('permissions %r (did you mean ' % typo) and ' has: %s' % ', '.join(names) in bad['msg']
    # every valid pair asked once, no typo ever
    assert len(asked) == sum(len(USERS) * len(names) for _n, _w, names, _t in LEVELS)
    assert not {a['perm'] for a in asked} & {typo for _n, _w, _names, typo in LEVELS}
    for result, (kind, project, mount_point) in zip(results[2 * len(LEVELS):], NO_HAS_ACCESS):
        assert result['failed'] is True and result['missing'] == 'item'
        assert ('the tool %r of project %s/%s (a %s tool) has no has_access'
                % (mount_point, 'u' if project == 'test-admin' else 'p', project, kind)) in result['msg']
    # the project is read once per tool-level case (for the kind of its tool), and nothing else is sent
    tool_cases = sum(2 for _n, where, _names, _t in LEVELS if 'mount_point' in where) + len(NO_HAS_ACCESS)
    assert len(log) == len(asked) + tool_cases
    assert {r['method'] for r in log} == {'GET'}

    # what the server answers, as a real Allura does (tests/sandbox/recordings-access): the admins' unknown names
    # never reach it; a project admin holds every name of the project's tools, an ordinary user what the ACL gives
    by_level = {name: results[2 * index]['access'] for index, (name, _w, _n, _t) in enumerate(LEVELS)}
    assert all(by_level[kind]['test-admin'] == dict.fromkeys(by_level[kind]['test-admin'], True)
               for kind in ('wiki', 'tickets', 'discussion', 'blog', 'link', 'git', 'activity', 'profile'))
    assert by_level['neighborhood']['test-user'] == dict(read=True, update=False, admin=False, create=False, register=True)
    assert by_level['project']['test-user'] == dict(read=True, update=False, admin=False, create=False)
    assert [perm for perm, held in by_level['wiki']['test-user'].items() if held] == ['read', 'unmoderated_post', 'post']
    assert [perm for perm, held in by_level['tickets']['test-user'].items() if held] == [
        'read', 'create', 'unmoderated_post', 'post']
    assert by_level['profile']['test-user'] == dict(configure=False, admin=False)

    # as a module (ALLURA_FORGE_RUN_AS_MODULE): the same results, for a typo at each level, a whole kind and a tool
    # without has_access (the logic is shared; this proves the way there and back)
    selected = (1, 3, 4, 5, 2 * len(LEVELS) + 1)
    request = urllib.request.Request(sandbox + '/_sandbox/reset', data=b'', method='POST')
    urllib.request.urlopen(request, timeout=10).close()  # pylint: disable=consider-using-with
    as_module, _log = run_cases(ansible_playbook, sandbox, tmp_path, RUN_AS_MODULE, selected)
    assert as_module == [results[index] for index in selected]


# -- the project role and the drift playbook ---------------------------------------------------------------------

def spec_file(tmp_path, spec, name='projects.yml'):
    path = tmp_path / name
    path.write_text(yaml.safe_dump({'allura_projects': [spec]}, sort_keys=False), encoding='utf-8')
    return '@%s' % path


def clear(url):
    urllib.request.urlopen(urllib.request.Request(url + '/_sandbox/log/clear', data=b'', method='POST'), timeout=10).close()


def drift(ansible_playbook, spec, report_dir, env=None):
    proc = ansible_playbook('allura.forge.drift', '-e', spec, '-e', 'drift_report_dir=%s' % report_dir, env=env)
    with open(os.path.join(str(report_dir), 'allura-drift.json'), encoding='utf-8') as handle:
        return proc, json.load(handle)


ROLE_SPEC = {
    'name': 'test',
    'tools': [{'tool': 'wiki', 'mount_point': 'docs', 'mount_label': 'Docs'}, {'tool': 'chat'}],
    'access': [{'user': '*anonymous', 'permission': 'read'},
               {'mount_point': 'docs', 'user': 'test-user', 'permission': 'edit', 'expected': False},
               {'mount_point': 'bugs', 'user': 'test-user', 'permission': 'create'},
               {'mount_point': 'blog', 'user': 'test-user', 'permission': 'write', 'expected': False}],
}


@pytest.mark.parametrize('spec, messages', [
    (dict(ROLE_SPEC, access=[dict(ROLE_SPEC['access'][0], permission='rade'),
                             dict(ROLE_SPEC['access'][1], permission='edt')] + ROLE_SPEC['access'][2:]
          + [{'mount_point': 'chat', 'user': 'test-user', 'permission': 'read'}]),
     ["allura_project.access[0].permission 'rade' (did you mean 'read'?) is not a permission of the project (the server "
      "does not tell unknown names from denied ones); a project has: read, update, admin, create",
      # a wiki the spec installs: its kind is the spec's
      "allura_project.access[1].permission 'edt' (did you mean 'edit'?) is not a permission of the wiki tool at "
      "mount_point 'docs'",
      "allura_project.access[4].mount_point 'chat' is a chat tool, which has no has_access"]),
    (dict(ROLE_SPEC, name='brand-new', create=True, admin='test-admin', fields={'name': 'Brand new'},
          access=[{'user': 'test-user', 'permission': 'register'}]),  # nothing is created
     ["allura_project.access[0].permission 'register' is not a permission of the project"]),
], ids=['project-spec-tools-no-has-access', 'new-project'])
def test_the_role_refuses_before_anything_is_sent(ansible_playbook, sandbox, tmp_path, spec, messages):
    """The checks on the project and on the tools the spec installs: nothing is sent, by provision (here as a
    neighborhood admin, who could create the project) nor by the drift check."""
    path = spec_file(tmp_path, spec)
    clear(sandbox)
    proc = ansible_playbook('allura.forge.provision', '-e', path, token=ROOT_TOKEN)
    assert proc.returncode != 0 and all(message in proc.stdout for message in messages), proc.stdout[-3000:]
    assert sandbox_log(sandbox) == []
    proc, report = drift(ansible_playbook, path, tmp_path / 'drift')
    assert proc.returncode != 0 and len(report['errors']) == 1, report['errors']
    assert all(message in report['errors'][0] for message in messages), report['errors']
    assert sandbox_log(sandbox) == []


def test_the_role_refuses_a_name_of_a_tool_the_project_has_once_it_is_read(ansible_playbook, sandbox, tmp_path):
    """A check on a tool the spec does not install: refused once the project task has read the project - before the
    spec's tools are installed, in a real run and in check mode."""
    spec = dict(ROLE_SPEC, access=ROLE_SPEC['access'][:2] + [dict(ROLE_SPEC['access'][2], permission='craete')])
    path = spec_file(tmp_path, spec)
    message = ("allura_project.access[2].permission 'craete' (did you mean 'create'?) is not a permission of the tickets "
               "tool at mount_point 'bugs'")
    for args in ([], ['--check', '--diff']):
        clear(sandbox)
        proc = ansible_playbook('allura.forge.provision', '-e', path, *args)
        assert proc.returncode != 0 and message in proc.stdout, proc.stdout[-3000:]
        assert [(r['method'], r['path']) for r in sandbox_log(sandbox)] == [('GET', '/rest/p/test/')]
    proc, report = drift(ansible_playbook, path, tmp_path / 'drift')
    assert proc.returncode != 0 and message in report['errors'][0]


def test_the_role_checks_valid_names_on_every_kind(ansible_playbook, sandbox, tmp_path):
    path = spec_file(tmp_path, ROLE_SPEC)
    proc = ansible_playbook('allura.forge.provision', '-e', path)
    assert proc.returncode == 0, proc.stdout[-3000:]
    proc, report = drift(ansible_playbook, path, tmp_path / 'drift')
    assert proc.returncode == 0 and report['errors'] == [] and report['rows'] == [], report
    access = [r for r in report['reports'][0]['resources'] if r['kind'] == 'access']
    assert [(r['resource'], r['mismatch']) for r in access] == [
        ('access project: *anonymous read', False), ('access docs: test-user edit', False),
        ('access bugs: test-user create', False), ('access blog: test-user write', False)]


def test_each_project_is_checked_against_its_own_tools(ansible_playbook, sandbox, tmp_path):
    """With several projects, a check is judged by its own project's tools, never by the project converged before it:
    `notes` is a blog in p/test (its spec installs it) and a wiki in p/test2, where `edit` is a permission."""
    proc = ansible_playbook(PLAYBOOK_NOTES_WIKI)
    assert proc.returncode == 0, proc.stdout[-3000:]
    path = tmp_path / 'projects.yml'
    path.write_text(yaml.safe_dump({'allura_projects': [
        {'name': 'test', 'tools': [{'tool': 'blog', 'mount_point': 'notes'}],
         'access': [{'mount_point': 'notes', 'user': 'test-user', 'permission': 'write', 'expected': False}]},
        {'name': 'test2', 'access': [{'mount_point': 'notes', 'user': 'test-user', 'permission': 'edit', 'expected': False}]},
    ]}, sort_keys=False), encoding='utf-8')
    proc = ansible_playbook('allura.forge.provision', '-e', '@%s' % path)
    assert proc.returncode == 0, proc.stdout[-3000:]
    proc, report = drift(ansible_playbook, '@%s' % path, tmp_path / 'drift')
    assert proc.returncode == 0 and report['errors'] == [], report['errors']
    assert [[(r['resource'], r['mismatch']) for r in project['resources'] if r['kind'] == 'access']
            for project in report['reports']] == [[('access notes: test-user write', False)],
                                                  [('access notes: test-user edit', False)]]


PLAYBOOK_NOTES_WIKI = PLAY + '''
    - name: A wiki at notes in p/test2
      allura.forge.allura_tool:
        project: test2
        tools: [{tool: wiki, mount_point: notes}]
'''
