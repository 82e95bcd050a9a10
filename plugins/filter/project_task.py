# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
name: project_task
short_description: The one rule by which the project role's tasks fail and change
version_added: 0.2.0
description:
  - Used by the C(allura.forge.project) role for the C(failed_when) and C(changed_when) of each of its tasks.
  - A task that failed because the project or a tool it needs does not exist (the result's C(missing) is V(project) or
    V(tool)) has not failed when this check run would create that project or tool first (see C(project_created)) - what
    lives there cannot be read yet. It is pending instead, and changed as the real run will be (O(predicted)).
  - Any other failure is a failure; any other task is changed as its result says.
positional: _input, created, mounts, predicted, left_out
options:
  _input:
    description: The result of the task (of the loop item).
    type: dict
    required: true
  created:
    description: What the run would create (C(project_created)).
    type: dict
    required: true
  mounts:
    description: The mount points of the tools the task needs (none - only the project).
    type: list
    elements: str
    default: []
  predicted:
    description: Whether the real run will change something, when the task is pending.
    type: bool
    default: false
  left_out:
    description: Whether the real run will change something that the task left out (the webhooks of a repository still to be installed).
    type: bool
    default: false
author:
  - allura.forge developers
'''

EXAMPLES = r'''
- name: Pages of a wiki that a check run may install first
  allura.forge.allura_wiki_page:
    project: "{{ allura_project.name }}"
    mount_point: "{{ item.mount_point }}"
    pages: "{{ item.pages }}"
  loop: "{{ allura_project | allura.forge.project_plan('wiki') }}"
  register: pages
  failed_when: outcome.failed
  changed_when: outcome.changed
  vars:
    outcome: "{{ pages | allura.forge.project_task(created, [item.mount_point], item.predicted_change) }}"
'''

RETURN = r'''
_value:
  description: The verdict.
  type: dict
  contains:
    failed:
      description: Whether the task failed.
      type: bool
    changed:
      description: Whether it (or the real run, for a pending task) changed something.
      type: bool
    pending:
      description: Whether it waits for a project or tool this check run would create.
      type: bool
  sample: {"failed": false, "changed": true, "pending": true}
'''

from ansible_collections.allura.forge.plugins.plugin_utils._plan import project_task


class FilterModule:
    def filters(self):
        return {'project_task': project_task}
