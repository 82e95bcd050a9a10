# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A spec that adds a tool and something in it to an existing project: every way of entering check mode predicts
it (a new tool's page is "would be created", never a failure), the same way, and the real run does just that.

The defect this guards against: the drift playbook (check mode by play keyword) and include_role with
`apply: {check_mode: true}` failed with "project p/test2 has no tool at mount_point 'hodocs2'", because the role
took check mode from `ansible_check_mode` (the CLI flag only) and recognised "missing" by matching message text.
"""

from __future__ import annotations

import json

SPEC = {'allura_projects': [{
    'name': 'test2',
    'tools': [{'tool': 'wiki', 'mount_point': 'hodocs2', 'mount_label': 'Docs Two'}],
    'wiki': [{'mount_point': 'hodocs2', 'title': 'Intro', 'text': 'a page in a tool that does not exist yet\n'}],
}]}
EXPECTED = [('project', 'none'), ('tool hodocs2', 'create'), ('wiki hodocs2/Intro', 'create')]

WAYS = '''
- name: Check mode by include_role's apply
  hosts: localhost
  gather_facts: false
  connection: local
  vars:
    ansible_python_interpreter: "{{ ansible_playbook_python }}"
  tasks:
    - name: The role, in check mode by apply
      ansible.builtin.include_role:
        name: allura.forge.project
        apply: {check_mode: true}
      vars:
        allura_project: "{{ allura_projects[0] }}"
    - name: Its report
      ansible.builtin.copy:
        dest: "{{ out }}/apply.json"
        content: "{{ allura_project_report | to_json }}"
        mode: "0600"
'''


def actions(report):
    return [(r['resource'], r['action']) for r in report['resources']]


def test_a_page_in_a_tool_to_be_installed_is_predicted_by_every_way_of_check_mode(ansible_playbook, sandbox, tmp_path):
    spec = tmp_path / 'spec.json'
    spec.write_text(json.dumps(SPEC), encoding='utf-8')

    drift = ansible_playbook('allura.forge.drift', '-e', '@%s' % spec, '-e', 'drift_report_dir=%s' % tmp_path)
    assert drift.returncode == 0, (drift.stdout + drift.stderr)[-4000:]
    report = json.loads((tmp_path / 'allura-drift.json').read_text(encoding='utf-8'))
    assert report['errors'] == [] and report['reports'][0]['check_mode'] is True
    assert actions(report['reports'][0]) == EXPECTED
    assert [(row['resource'], row['action']) for row in report['rows']] == EXPECTED[1:]

    apply = ansible_playbook(WAYS, '-e', '@%s' % spec, '-e', 'out=%s' % tmp_path)
    assert apply.returncode == 0, (apply.stdout + apply.stderr)[-4000:]
    assert actions(json.loads((tmp_path / 'apply.json').read_text(encoding='utf-8'))) == EXPECTED

    cli = ansible_playbook('allura.forge.provision', '-e', '@%s' % spec, '--check', '-e', 'provision_report_file=%s' % (tmp_path / 'cli.json'))
    assert cli.returncode == 0, (cli.stdout + cli.stderr)[-4000:]
    assert actions(json.loads((tmp_path / 'cli.json').read_text(encoding='utf-8'))['reports'][0]) == EXPECTED

    real = ansible_playbook('allura.forge.provision', '-e', '@%s' % spec, '-e', 'provision_report_file=%s' % (tmp_path / 'real.json'))
    assert real.returncode == 0, (real.stdout + real.stderr)[-4000:]
    done = json.loads((tmp_path / 'real.json').read_text(encoding='utf-8'))
    assert done['check_mode'] is False and actions(done['reports'][0]) == EXPECTED
