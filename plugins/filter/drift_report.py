# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
name: drift_report
short_description: Render project reports as a drift report (rows, terminal lines or Markdown)
version_added: 0.1.0
description:
  - Takes one or more reports of the C(allura.forge.project) role (its fact C(allura_project_report)) and lists every
    difference from the spec - one row per differing field of an updated resource, one row per resource that is
    missing (or would be deleted), one row per access check that does not hold.
  - Used by the C(allura.forge.drift) playbook for its summary and its JSON and Markdown files.
positional: _input
options:
  _input:
    description: A report, or a list of reports.
    type: list
    elements: dict
    required: true
  format:
    description:
      - V(rows) - a list of dicts C({project, kind, resource, action, field, live, desired, text}); C(field) is null
        for a missing resource (C(live) V(absent), C(desired) V(present)). With O(origins), each has C(origin) too.
      - V(lines) - a list of short lines for a terminal, or one line saying there is no drift.
      - V(summary) - per project a line of counts by action, then a line per resource that was (or would be)
        changed or whose access check does not hold.
      - V(markdown) - a Markdown document with a table of the differences, a unified diff of each text field and a
        section listing the unmanaged resources.
      - V(unmanaged) - a list of dicts C({project, kind, resource, mount_point, ...}), one per unmanaged resource (what a
        project holds that its spec does not declare; the reports' C(unmanaged)). Terminal lines and the summary list
        them too.
    type: str
    choices: [rows, lines, summary, markdown, unmanaged]
    default: rows
  title:
    description: Title of the Markdown document.
    type: str
    default: Allura drift report
  generated:
    description: A time stamp (or any text) to print under the Markdown title.
    type: str
  origins:
    description:
      - Where each project's resources come from when a template was applied - by project (as in the reports,
        V(p/myproj)), the P(allura.forge.project_merge#filter) filter's C(origins) output.
      - Each row then has C(origin) - V(template) or V(project) (the project's own part), null for a project
        without a template; the lines end with V([template]) or V([project]), and the Markdown table has a column
        C(from) when a row has an origin.
    type: dict
    version_added: 0.2.0
author:
  - allura.forge developers
'''

EXAMPLES = r'''
- name: Show the differences
  ansible.builtin.debug:
    msg: "{{ reports | allura.forge.drift_report('lines') }}"

- name: Write them as Markdown
  ansible.builtin.copy:
    content: "{{ reports | allura.forge.drift_report('markdown', generated=now(utc=true).isoformat()) }}"
    dest: drift.md
    mode: "0644"
'''

RETURN = r'''
_value:
  description: The rows (a list of dicts), the lines (a list of strings) or the Markdown text (a string).
  type: raw
'''

from ansible.errors import AnsibleFilterError

from ansible_collections.allura.forge.plugins.plugin_utils._drift import drift_lines, drift_markdown, drift_rows, summary_lines, unmanaged_rows


def drift_report(reports, format='rows', title='Allura drift report', generated=None, origins=None):  # pylint: disable=redefined-builtin
    if format == 'rows':
        return drift_rows(reports, origins)
    if format == 'lines':
        return drift_lines(reports, origins)
    if format == 'summary':
        return summary_lines(reports)
    if format == 'markdown':
        return drift_markdown(reports, title=title, generated=generated, origins=origins)
    if format == 'unmanaged':
        return unmanaged_rows(reports)
    raise AnsibleFilterError('drift_report: format must be rows, lines, summary, markdown or unmanaged, not %r' % (format,))


class FilterModule:
    def filters(self):
        return {'drift_report': drift_report}
