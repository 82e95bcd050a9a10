# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The controller-side action plugins return what the modules return.

The same playbook runs in process (action plugin) and as modules (ALLURA_FORGE_RUN_AS_MODULE), in
check mode with diff so that both see the same server state, and every registered result must be
equal: values, diffs, failures and their messages, and `invocation` exactly when Ansible would give
a module's result one (INJECT_INVOCATION, ansible-core 2.21 and later).
"""

from __future__ import annotations

import json

import pytest
from ansible import constants as C
from ansible.errors import AnsibleUndefinedConfigEntry
from conftest import untimed

RUN_AS_MODULE = {'ALLURA_FORGE_RUN_AS_MODULE': '1'}

PLAYBOOK = '''
- hosts: localhost
  gather_facts: false
  connection: local
  check_mode: true
  diff: true
  vars:
    ansible_python_interpreter: "{{ ansible_playbook_python }}"
  tasks:
    - name: A read
      allura.forge.allura_project_info:
        project: test
      register: r_info
    - name: A page that would change, and one that would be created
      allura.forge.allura_wiki_page:
        project: test
        pages:
          - {title: Home, text: "Other text", labels: [a]}
          - {title: New page, text: "New"}
      register: r_pages
    - name: A ticket that would be created
      allura.forge.allura_ticket:
        project: test
        mount_point: bugs
        summary: Parity ticket
        labels: [x]
      register: r_ticket
    - name: A tool that is there
      allura.forge.allura_tool:
        project: test
        tool: wiki
        mount_point: wiki
      register: r_tool
    - name: A webhook with a secret
      allura.forge.allura_webhook:
        project: test
        mount_point: code
        url: https://ci.example.org/parity
        secret: parity-secret-K4n
      register: r_hook
      ignore_errors: true
    - name: A blog post that would be created
      allura.forge.allura_blog_post:
        project: test
        title: Parity post
        text: x
        state: published
      register: r_post
    - name: A comment that would be posted
      allura.forge.allura_comment:
        project: test
        page: Home
        text: Parity comment
      register: r_comment
    - name: A comment on nothing
      allura.forge.allura_comment:
        project: test
        page: No such page
        text: x
      register: r_no_page
      ignore_errors: true
    - name: Bad input
      allura.forge.allura_wiki_page:
        project: test
        title: Home
        pages: [{title: Home}]
      register: r_bad
      ignore_errors: true
    - name: A missing project
      allura.forge.allura_wiki_page:
        project: no-such-project
        title: Home
        text: x
      register: r_missing
      ignore_errors: true
    - name: Save them
      ansible.builtin.copy:
        dest: "{{ out }}"
        content: "{{ {'info': r_info, 'pages': r_pages, 'ticket': r_ticket, 'tool': r_tool, 'hook': r_hook,
                      'bad': r_bad, 'missing': r_missing, 'post': r_post, 'comment': r_comment, 'no_page': r_no_page} | to_json }}"
        mode: "0600"
      check_mode: false
      diff: false
'''


def inject_invocation_setting_exists():
    try:
        C.config.get_config_value('INJECT_INVOCATION')
    except AnsibleUndefinedConfigEntry:
        return False
    return True


def run(ansible_playbook, sandbox, tmp_path, env):
    out = tmp_path / ('results-%d.json' % len(list(tmp_path.glob('results-*.json'))))
    proc = ansible_playbook(PLAYBOOK, '-e', 'out=%s' % out, env=env)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-4000:]
    return json.loads(out.read_text(encoding='utf-8'))


@pytest.mark.parametrize('inject', [None, '1'], ids=['default', 'inject-invocation'])
def test_in_process_results_equal_the_module_results(ansible_playbook, sandbox, tmp_path, inject):
    env = {'ANSIBLE_INJECT_INVOCATION': inject} if inject else {}
    in_process = run(ansible_playbook, sandbox, tmp_path, env)
    as_module = run(ansible_playbook, sandbox, tmp_path, dict(env, **RUN_AS_MODULE))

    # Not vacuous: each task did what it was meant to.
    assert in_process['pages']['changed'] and in_process['pages']['summary'] == dict(created=1, updated=1, unchanged=0)
    assert in_process['ticket']['action'] == 'create' and not in_process['tool']['changed']
    assert 'mutually exclusive' in in_process['bad']['msg'] and in_process['missing']['failed']
    assert in_process['post']['action'] == 'create' and in_process['comment']['action'] == 'create'
    assert in_process['no_page']['missing'] == 'item' and in_process['no_page']['msg'].startswith("page 'No such page': ")
    assert 'parity-secret-K4n' not in json.dumps(in_process) + json.dumps(as_module)

    for name in sorted(as_module):  # lock_waited is timing (returned from 0.05 s, reachable on a busy machine)
        assert untimed(in_process[name]) == untimed(as_module[name]), name

    if not inject_invocation_setting_exists():  # before it (ansible-core 2.21), a registered result never shows the invocation
        assert 'invocation' not in in_process['pages'] and 'invocation' not in in_process['hook']
    else:
        assert ('invocation' in in_process['pages']) is bool(inject)
        if inject:
            assert in_process['hook']['invocation']['module_args']['secret'] == 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'
