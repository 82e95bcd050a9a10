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
  - With O(order), reports and errors follow the projects' order, and a project of O(order) that no part reports nor
    lists under errors is listed under errors (its host failed, or a slice is missing).
positional: _input
options:
  _input:
    description: The parts, each a dict with C(reports) (the role's reports), C(origins) and C(errors).
    type: list
    elements: dict
    required: true
  order:
    description:
      - The projects of the whole run, in its order, as reports name them (V(p/myproj), V(u/alice)); or the host names
        of the C(allura.forge.projects) inventory plugin (V(myproj), V(u/alice)) with O(hosts=true).
    type: list
    elements: str
  hosts:
    description: O(order) lists inventory host names of the C(allura.forge.projects) inventory plugin.
    type: bool
    default: false
author:
  - allura.forge developers
'''

EXAMPLES = r'''
- name: Combine the JSON reports of two slices, in the inventory's order
  ansible.builtin.set_fact:
    drift_all: >-
      {{ [lookup('file', 'slice1/allura-drift.json') | from_json, lookup('file', 'slice2/allura-drift.json') | from_json]
         | allura.forge.drift_merge(order=groups.allura_projects, hosts=true) }}
'''

RETURN = r'''
_value:
  description: C(reports) (a list), C(origins) (a dict by project) and C(errors) (a list of strings).
  type: dict
'''

from ansible.errors import AnsibleFilterError

from ansible_collections.allura.forge.plugins.plugin_utils._drift import merge_parts, project_of_host


def drift_merge(parts, order=None, hosts=False):
    if not isinstance(parts, list) or not all(isinstance(part, dict) for part in parts):
        raise AnsibleFilterError('drift_merge: the input must be a list of parts (dicts with reports, origins, errors)')
    if order is not None and hosts:
        order = [project_of_host(host) for host in order]
    return merge_parts(parts, order)


class FilterModule:
    def filters(self):
        return {'drift_merge': drift_merge}
