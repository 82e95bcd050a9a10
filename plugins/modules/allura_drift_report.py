#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: allura_drift_report
short_description: Write the report of a drift check (JSON and Markdown) on the controller
version_added: 0.3.0
description:
  - Takes the reports of the C(allura.forge.project) role (combined by the P(allura.forge.drift_merge#filter) filter)
    and returns the differences from the specs - as the P(allura.forge.drift_report#filter) filter's rows, unmanaged
    resources and summary lines - and, with O(dest), writes them as C(NAME.json) and C(NAME.md) there.
  - The report of the C(allura.forge.drift) and C(allura.forge.drift_merge) playbooks.
  - Runs on the controller, in its action plugin, whatever host the task is for - the files are written in one task
    without a module process (C(ansible.builtin.copy) runs two per file, about half a second each).
  - Talks to no Allura server; not in the C(allura.forge.allura) action group.
options:
  report:
    description:
      - The combined report - C(reports) (the role's C(allura_project_report) of each project), C(origins) (by
        project, where each resource comes from when a template was applied) and C(errors) (the projects that could not
        be checked) - as P(allura.forge.drift_merge#filter) returns it.
    type: dict
    required: true
  dest:
    description:
      - The directory to write the files to (made when missing), on the controller. A relative path is relative to the
        current directory of C(ansible-playbook).
      - Not set or empty - nothing is written; the differences are still returned.
    type: path
  name:
    description: The base name of the two files.
    type: str
    default: allura-drift
  generated:
    description: When the report was made, as written in it. Default - now, in UTC (V(2026-12-04T10:00:00Z)).
    type: str
attributes:
  check_mode:
    description: Can run in check mode.
    support: full
    details: Writes nothing in check mode, and returns what it would write (C(files)). Run it with C(check_mode=false)
      to write a drift check's report (a local file, not the managed state).
  diff_mode:
    description: Shows what differs, in diff mode.
    support: none
  platform:
    description: Where it runs.
    support: full
    platforms: controller
author:
  - allura.forge developers (@allura-forge)
'''

EXAMPLES = r'''
- name: Write the report of the projects the play checked
  allura.forge.allura_drift_report:
    report: "{{ ansible_play_hosts | map('extract', hostvars) | map('allura.forge.drift_part') | list
                | allura.forge.drift_merge }}"
    dest: reports
  check_mode: false
  register: drift

- name: Fail on drift
  ansible.builtin.fail:
    msg: "{{ drift.lines | join('\n') }}"
  when: drift.drift
'''

RETURN = r'''
drift:
  description: Whether anything differs from the specs or is unmanaged.
  returned: always
  type: bool
rows:
  description: Each difference (the P(allura.forge.drift_report#filter) filter's C(rows)).
  returned: always
  type: list
  elements: dict
unmanaged:
  description: Each unmanaged resource (the filter's C(unmanaged)).
  returned: always
  type: list
  elements: dict
lines:
  description: The summary, one line per project and difference (the filter's C(lines)).
  returned: always
  type: list
  elements: str
errors:
  description: "The projects that could not be checked, each C(project: why)."
  returned: always
  type: list
  elements: str
files:
  description: The files written (or, in check mode, that would be), absolute paths; empty without O(dest).
  returned: always
  type: list
  elements: str
  sample: [/srv/drift/allura-drift.json, /srv/drift/allura-drift.md]
generated:
  description: When the report was made, as written in it.
  returned: always
  type: str
'''

from ansible.module_utils.basic import AnsibleModule

ARGUMENT_SPEC = dict(
    report=dict(type='dict', required=True),
    dest=dict(type='path'),
    name=dict(type='str', default='allura-drift'),
    generated=dict(type='str'),
)


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    module.fail_json(msg='allura.forge.allura_drift_report runs on the controller, in its action plugin; it cannot run as a module')


if __name__ == '__main__':
    main()
