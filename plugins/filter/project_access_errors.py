# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
name: project_access_errors
short_description: Why access checks of a project spec cannot be asked
version_added: 0.2.0
description:
  - Used by the C(allura.forge.project) role, before anything is sent. Takes the C(allura_project) spec and returns one
    message per access check whose permission the project or the tool's kind does not have (suggesting the closest
    name), or whose tool has no C(has_access), each naming the check's path in the spec
    (C(allura_project.access[2].permission)).
  - The kind of a tool is that of the spec's tool at its mount point, else that of the project JSON's (O(project)).
    A check on a tool of neither, or of a kind Allura does not ship, is left to M(allura.forge.allura_access_info).
positional: _input, project
options:
  _input:
    description: The C(allura_project) spec (see the role's documentation).
    type: dict
    required: true
  project:
    description: The project JSON (the C(project) of the C(allura_project) result), for the kinds of its tools.
    type: dict
author:
  - allura.forge developers
'''

EXAMPLES = r'''
- name: Stop on a permission name the tool does not have
  ansible.builtin.fail:
    msg: "{{ allura_project | allura.forge.project_access_errors | join('; ') }}"
  when: allura_project | allura.forge.project_access_errors | length > 0
'''

RETURN = r'''
_value:
  description: The messages, in the order of the access checks; empty when every check can be asked.
  type: list
  elements: str
  sample: ["allura_project.access[2].permission 'rade' (did you mean 'read'?) is not a permission of the wiki tool at
           mount_point 'docs' (the server does not tell unknown names from denied ones); a wiki tool has: configure,
           read, create, edit, delete, unmoderated_post, post, moderate, admin"]
'''

from ansible_collections.allura.forge.plugins.plugin_utils._plan import access_errors


class FilterModule:
    def filters(self):
        return {'project_access_errors': access_errors}
