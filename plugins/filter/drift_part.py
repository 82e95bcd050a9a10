# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
name: drift_part
short_description: What one host of the drift playbook checked, as a part of the drift report
version_added: 0.3.0
description:
  - Takes the variables of a host of the C(allura.forge.drift) playbook (C(hostvars[host])) after it checked its
    projects, and returns its part of the report - C({projects, reports, origins, errors}) - as
    P(allura.forge.drift_merge#filter) combines them.
  - The host's projects are its C(allura_project) when it is a host of the C(allura_projects) group (the
    C(allura.forge.projects) inventory), else O(projects). Its reports are the C(allura_project_reports) the project
    role left; its errors are the projects C(allura_project_template) could not be applied to (C(drift_merged)) and
    those that could not be checked (C(drift_errors)).
  - The drift playbook computes the parts in its report play, from what each host recorded; a host spends no task of
    its own on it.
positional: _input
options:
  _input:
    description: The variables of one host (C(hostvars[host])).
    type: dict
    required: true
  projects:
    description: The projects the host checked when it is not a host of the C(allura_projects) group (the playbook's
      C(allura_projects)).
    type: list
    elements: dict
    default: []
  neighborhood:
    description: The neighborhood of a project whose spec names none (the template's).
    type: str
    default: p
author:
  - allura.forge developers (@allura-forge)
'''

EXAMPLES = r'''
- name: The report of every host of the play
  ansible.builtin.set_fact:
    drift_all: >-
      {{ ansible_play_hosts | map('extract', hostvars) | map('allura.forge.drift_part', projects=allura_projects)
         | list | allura.forge.drift_merge }}
'''

RETURN = r'''
_value:
  description: C(projects) (their names, V(p/myproj)), C(reports), C(origins) (a dict by project) and C(errors).
  type: dict
'''

import re

from ansible.errors import AnsibleFilterError

from ansible_collections.allura.forge.plugins.plugin_utils._drift import project_label

# a template error names the filter first: the project's own message follows it
_MERGE_PREFIX = re.compile(r'^.*?project_merge: ')


def drift_part(host, projects=None, neighborhood='p'):
    if not hasattr(host, 'get'):
        raise AnsibleFilterError('drift_part: the input must be the variables of a host (hostvars[host])')
    if 'allura_projects' in (host.get('group_names') or ()) and host.get('allura_project') is not None:
        projects = [host.get('allura_project')]
    merged = (host.get('drift_merged') or {}).get('results') or ()
    origins = {}
    for result in merged:
        origins.update((result.get('ansible_facts') or {}).get('drift_project_origins') or {})
    return dict(
        projects=[project_label(project if isinstance(project, dict) else {}, neighborhood) for project in projects or ()],
        reports=list(host.get('allura_project_reports') or ()),
        origins=origins,
        errors=[_MERGE_PREFIX.sub('', result.get('msg') or '') for result in merged if result.get('failed')]
        + list(host.get('drift_errors') or ()))


class FilterModule:
    def filters(self):
        return {'drift_part': drift_part}
