# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
name: project_created
short_description: What a check run of the project role would create, from the results of its project and tools tasks
version_added: 0.2.0
description:
  - Used by the C(allura.forge.project) role. Takes the registered result of its C(allura_project) task and of its
    C(allura_tool) task (with C(tools)) and says what this run would create and so cannot read yet - nothing in a real
    run, where what is created exists for the tasks after it.
  - Check mode is taken from the results themselves (every allura.forge module result has C(check_mode)), so it is the
    same however check mode was entered - C(--check), or the C(check_mode) keyword of a play, a block, a task or
    C(include_role)'s C(apply).
positional: _input, tools, tool_items
options:
  _input:
    description: The registered result of the C(allura_project) task.
    type: dict
    required: true
  tools:
    description: The registered result of the C(allura_tool) task.
    type: dict
  tool_items:
    description: The tool entries that task was given (C(project_plan('tools'))), in the same order.
    type: list
    elements: dict
author:
  - allura.forge developers
'''

EXAMPLES = r'''
- name: What the check run would create
  ansible.builtin.debug:
    msg: "{{ project_result | allura.forge.project_created(tools_result, allura_project | allura.forge.project_plan('tools')) }}"
'''

RETURN = r'''
_value:
  description: What would be created.
  type: dict
  contains:
    check_mode:
      description: Whether the results come from a check run.
      type: bool
    project:
      description: Whether the project would be created (then everything in it would be, too).
      type: bool
    mounts:
      description: The mount points of the tools that would be installed, as the spec gives them and as the server stores them.
      type: list
      elements: str
  sample: {"check_mode": true, "project": false, "mounts": ["docs"]}
'''

from ansible_collections.allura.forge.plugins.plugin_utils._plan import project_created


class FilterModule:
    def filters(self):
        return {'project_created': project_created}
