# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
name: project_plan
short_description: Arrange a project spec as the project role's tasks consume it
version_added: 0.1.0
description:
  - Used by the C(allura.forge.project) role. Takes the C(allura_project) spec and returns what its tasks loop over -
    the tools (with a link tool at mount point C(link) added when the spec has a C(link) and no tool there, and the
    link's URL given to that tool for its installation), the wiki pages grouped by wiki and the tickets grouped by
    tracker (one bulk task each), the webhooks and the access checks.
  - With O(part), only that part of the plan, computed from only the part of the spec it needs (cheaper for a large
    spec than the whole plan when a task needs one part).
positional: _input, part
options:
  _input:
    description: The C(allura_project) spec (see the role's documentation).
    type: dict
    required: true
  part:
    description: Return only this part of the plan.
    type: str
    choices: [tools, link, wiki, tickets, webhooks, access]
author:
  - allura.forge developers
'''

EXAMPLES = r'''
- name: One wiki page task per wiki
  allura.forge.allura_wiki_page:
    project: "{{ allura_project.name }}"
    mount_point: "{{ item.mount_point }}"
    pages: "{{ item.pages }}"
  loop: "{{ allura_project | allura.forge.project_plan('wiki') }}"
'''

RETURN = r'''
_value:
  description: The plan (with O(part), the value of that key alone).
  type: dict
  contains:
    tools:
      description: The tool entries to converge, in order.
      type: list
      elements: dict
    wiki:
      description: One C({mount_point, pages}) per wiki, in order of first appearance; pages without C(mount_point).
      type: list
      elements: dict
    tickets:
      description: One C({mount_point, tickets}) per tracker, in order of first appearance.
      type: list
      elements: dict
    webhooks:
      description: The webhook entries.
      type: list
      elements: dict
    access:
      description: The access checks.
      type: list
      elements: dict
  sample: {"tools": [{"tool": "link", "mount_point": "link", "url": "https://example.org"}],
           "wiki": [{"mount_point": "wiki", "pages": [{"title": "Home", "text": "Welcome"}]}],
           "tickets": [], "webhooks": [], "access": []}
'''

from ansible_collections.allura.forge.plugins.plugin_utils._plan import project_plan


class FilterModule:
    def filters(self):
        return {'project_plan': project_plan}
