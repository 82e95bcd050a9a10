# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What each task of the project role costs every project: the filters stay light, the tasks few."""

from __future__ import annotations

import os
import subprocess
import sys

import yaml

from ansible_collections.allura.forge.plugins.plugin_utils._plan import loop_results

FILTERS = ('drift_report', 'project_access_errors', 'project_created', 'project_merge', 'project_plan', 'project_report',
           'project_task', 'project_unmanaged', 'spec_file')
ROOT = os.path.join(os.path.dirname(__file__), '..', '..', '..', '..')
ROLE_TASKS = os.path.join(ROOT, 'roles', 'project', 'tasks')


def test_filters_do_not_load_the_http_stack():
    """A task's worker that only templates the role's filters must not import requests (about 60 ms each)."""
    code = ('import sys\n'
            'for name in %r:\n'
            '    __import__("ansible_collections.allura.forge.plugins.filter." + name)\n'
            'print(sorted(m for m in ("requests", "urllib3") if m in sys.modules))\n' % (FILTERS,))
    out = subprocess.run([sys.executable, '-c', code], check=True, stdout=subprocess.PIPE, text=True,
                         env=dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))).stdout
    assert out.strip() == '[]'


def test_every_filter_is_preloaded_with_the_action_plugins():
    """The controller loads our action plugins before it forks a task's worker; they load every filter of the
    role then, so each worker inherits them instead of importing them again."""
    from ansible_collections.allura.forge.plugins.plugin_utils import _action
    for name in FILTERS:
        assert getattr(_action, name).__name__.endswith('.filter.' + name)


def _tasks(tasks):
    for task in tasks:
        yield task
        for key in ('block', 'rescue', 'always'):
            yield from _tasks(task.get(key) or [])


def _load(path):
    with open(path, encoding='utf-8') as handle:
        return yaml.safe_load(handle)


def test_the_role_converges_a_project_in_one_task():
    """Each task costs every project a process and templating: the role's module work is one task, with no loop."""
    tasks = list(_tasks(_load(os.path.join(ROLE_TASKS, 'converge.yml'))))
    assert [key for task in tasks for key in task if key.startswith('allura.forge.')] == ['allura.forge.allura_project_spec']
    assert len(tasks) == 2 and not [task for task in tasks if 'loop' in task]
    engine = [task for task in tasks if 'allura.forge.allura_project_spec' in task][0]['allura.forge.allura_project_spec']
    assert engine['validate_role'] is True
    # the main entry point: Ansible's validation task, then the same tasks (imported: no task of its own)
    assert [task.get('ansible.builtin.import_tasks') for task in _load(os.path.join(ROLE_TASKS, 'main.yml'))] == ['converge.yml']


def test_the_playbooks_run_the_role_without_the_validation_task():
    """Ansible's validation task of the role costs every project a task; the playbooks run the entry point `converge`,
    whose engine validates the same variables."""
    uses = []
    for name in ('drift.yml', 'provision.yml', 'tasks/drift_project.yml'):
        data = _load(os.path.join(ROOT, 'playbooks', name))
        tasks = data if name.startswith('tasks/') else [task for play in data for task in play.get('tasks') or ()]
        for task in _tasks(tasks):
            role = task.get('ansible.builtin.import_role') or task.get('ansible.builtin.include_role')
            if role:
                uses.append((name, role['name'], role.get('tasks_from')))
    assert uses == [('drift.yml', 'allura.forge.project', 'converge'), ('provision.yml', 'allura.forge.project', 'converge'),
                    ('tasks/drift_project.yml', 'allura.forge.project', 'converge')]


def test_loop_results_leave_out_the_none_item():
    none = dict(skipped=True, ansible_loop_var='item', skip_reason='Conditional result was False')  # as ansible-core registers it
    assert loop_results(dict(skipped=True, results=[none])) == []
    skipped = dict(skipped=True, item=dict(mount_point='docs'))
    assert loop_results(dict(results=[dict(changed=True, item='a'), skipped])) == [dict(changed=True, item='a'), skipped]
