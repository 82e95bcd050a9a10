# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
name: drift_merge
short_description: Combine parts of a drift check (hosts of a play, slices of a job) into one report
version_added: 0.3.0
description:
  - Takes parts of a drift check - what each host of the C(allura.forge.drift) playbook checked, the JSON reports of
    runs over parts of the projects (C(--limit), AWX/AAP job slices), or the job artifacts the playbook leaves for AWX -
    and returns one C({reports, origins, errors}), as one run over all the projects gives it. The
    C(allura.forge.drift) playbook renders its report from it, and C(allura.forge.drift_merge) writes the combined
    report of many runs.
  - Reports and errors follow the projects' order (O(order)), and a project of it that no part reports nor lists under
    errors is listed under errors (its host failed, or a slice is missing).
positional: _input
options:
  _input:
    description: The parts, each a dict with C(reports) (the role's reports), C(origins) and C(errors).
    type: list
    elements: dict
    required: true
  order:
    description:
      - The projects of the whole run, in its order - their specs, or their names as reports give them (V(p/myproj),
        V(u/alice)).
      - Default - the parts' own C(projects) (the names of what each part checked), in the parts' order.
    type: list
    elements: raw
  failed:
    description: Projects (specs or names) whose host failed before it gave its part; each is listed under errors.
    type: list
    elements: raw
  neighborhood:
    description: The neighborhood of a spec of O(order) that names none (the template's).
    type: str
    default: p
author:
  - allura.forge developers (@allura-forge)
'''

EXAMPLES = r'''
- name: Combine the JSON reports of two slices, in the inventory's order
  ansible.builtin.set_fact:
    drift_all: >-
      {{ [lookup('file', 'slice1/allura-drift.json') | from_json, lookup('file', 'slice2/allura-drift.json') | from_json]
         | allura.forge.drift_merge(order=groups.allura_projects | map('extract', hostvars, 'allura_project')) }}
'''

RETURN = r'''
_value:
  description: C(reports) (a list), C(origins) (a dict by project) and C(errors) (a list of strings).
  type: dict
'''

from ansible.errors import AnsibleFilterError

from ansible_collections.allura.forge.plugins.plugin_utils._drift import merge_parts


def drift_merge(parts, order=None, failed=None, neighborhood='p'):
    if not isinstance(parts, list) or not all(isinstance(part, dict) for part in parts):
        raise AnsibleFilterError('drift_merge: the input must be a list of parts (dicts with reports, origins, errors)')
    if order is not None and (not isinstance(order, list) or not all(isinstance(item, (str, dict)) for item in order)):
        raise AnsibleFilterError('drift_merge: order must be a list of project specs or names (p/myproj)')
    return merge_parts(parts, order, failed, neighborhood)


class FilterModule:
    def filters(self):
        return {'drift_merge': drift_merge}
