# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A refused request is worded one way, the same on both execution paths (in process, and as a module): a user
whose token lacks a permission is told which one and whose token would do; a request sent without any credentials
is never blamed on a token, and says how to give them."""

from __future__ import annotations

import json

USER_TOKEN = 'a0000000000000000002'  # test-user: a member of nothing

PLAYBOOK = '''
- hosts: localhost
  gather_facts: false
  connection: local
  vars:
    ansible_python_interpreter: "{{ ansible_playbook_python }}"
  tasks:
    - name: A read that anonymous users may make
      allura.forge.allura_project_info:
        project: test
      register: r_read
    - name: A write they may not
      allura.forge.allura_wiki_page:
        project: test
        title: Written without a token
        text: x
      register: r_page
      ignore_errors: true
    - name: An admin request
      allura.forge.allura_tool:
        project: test
        tool: wiki
        mount_point: refused
      register: r_tool
      ignore_errors: true
    - name: Save them
      ansible.builtin.copy:
        dest: "{{ out }}"
        content: "{{ {'read': r_read, 'page': r_page, 'tool': r_tool} | to_json }}"
        mode: "0600"
'''

NO_CREDENTIALS = ('authentication required - the request was sent without credentials (no token, no oauth_* options, no '
                  'ALLURA_TOKEN), and anonymous users lack ')
HOW = 'give token (or set ALLURA_TOKEN, or give the four oauth_* options) of '


def results(ansible_playbook, tmp_path, token, as_module):
    out = tmp_path / ('%s-%s.json' % (token or 'anonymous', as_module))
    env = {'ALLURA_FORGE_RUN_AS_MODULE': '1'} if as_module else {}
    proc = ansible_playbook(PLAYBOOK, '-e', 'out=%s' % out, token=token, env=env)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-4000:]
    return json.loads(out.read_text(encoding='utf-8'))


def both_paths(ansible_playbook, tmp_path, token):
    """The results in process and as a module, which must be equal (refusals included)."""
    in_process, as_module = (results(ansible_playbook, tmp_path, token, path) for path in (False, True))
    for name in ('page', 'tool'):
        assert (in_process[name]['msg'], in_process[name]['status']) == (as_module[name]['msg'], as_module[name]['status']), name
    return in_process


def test_anonymous_requests_are_sent_and_their_refusals_say_no_credentials_were_given(ansible_playbook, tmp_path):
    got = both_paths(ansible_playbook, tmp_path, '')
    assert got['read']['project']['shortname'] == 'test'  # sent without credentials, and served
    assert got['page']['failed'] and got['page']['status'] == 401
    assert got['page']['msg'].startswith("cannot create p/test wiki page 'Written without a token': " + NO_CREDENTIALS +
                                         "the 'create' permission on the wiki tool at mount_point 'wiki' (")
    assert got['page']['msg'].endswith(HOW + 'a project member or admin')
    assert got['tool']['msg'].startswith("cannot install a tool in project p/test: " + NO_CREDENTIALS + "the 'admin' permission")
    for result in (got['page'], got['tool']):
        assert 'this token' not in result['msg'] and not result['changed']


def test_a_token_without_the_permission_is_told_which_one_and_whose_token_would_do(ansible_playbook, tmp_path):
    got = both_paths(ansible_playbook, tmp_path, USER_TOKEN)
    assert got['page']['status'] == 403 and got['page']['msg'].startswith(
        "cannot create p/test wiki page 'Written without a token': the user of this token lacks the 'create' permission on the "
        "wiki tool at mount_point 'wiki' (")
    assert got['page']['msg'].endswith('); use the token of a project member or admin')
    assert got['tool']['status'] == 403 and got['tool']['msg'].startswith(
        "cannot install a tool in project p/test: the user of this token lacks the 'admin' permission on the project (")
