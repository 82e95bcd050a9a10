# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
name: project_report
short_description: Turn the results of the project role's tasks into one entry per resource
version_added: 0.1.0
description:
  - Used by the C(allura.forge.project) role to build its fact C(allura_project_report); usable in your own
    playbooks that register the results of the allura.forge modules the same way.
  - Every resource of the spec (the project, each tool, the link, each wiki page, blog post, ticket, ticket comment,
    webhook and access check)
    becomes one entry saying what was done (or would be done in check mode) and, with diff mode, which fields differ
    with their live and desired values (long text in full).
  - Items that could not be read because what they depend on does not exist yet in a check run (a page of a wiki
    about to be installed, anything of a project about to be created, as the result's C(missing) says) become
    predicted entries (C(pending)) with the
    action the real run will report - C(create), except the C(Home) page a new wiki starts with (C(update)), a
    link whose URL is given when its tool is installed (C(none)) and a blog post to delete from a blog to install
    (C(none) - a new blog has no posts). The comments of a ticket that check mode would create are predicted as
    created too.
positional: _input
options:
  _input:
    description: The C(allura_project) spec (see the role's documentation).
    type: dict
    required: true
  check_mode:
    description:
      - Whether the results come from a check run. By default, what the results say (every allura.forge module result has
        C(check_mode)), which is right however check mode was entered; C(ansible_check_mode) follows only C(--check).
    type: bool
  project:
    description: The registered result of the C(allura_project) task.
    type: dict
  tools:
    description: The registered result of the C(allura_tool) task with C(tools) (the tool entries of the spec, as C(project_plan) arranges them).
    type: dict
  link:
    description: The registered result of the C(allura_link) task.
    type: dict
  wiki:
    description: The registered result of the C(allura_wiki_page) loop (items are C({mount_point, pages})).
    type: dict
  tickets:
    description: The registered result of the C(allura_ticket) loop (items are C({mount_point, tickets})).
    type: dict
  blog:
    description: The registered result of the C(allura_blog_post) loop (items are C({mount_point, posts})).
    type: dict
  comments:
    description: The registered result of the C(allura_comment) task with C(comments) (the comments of the tickets, as
      C(project_plan) arranges them from the result of the tickets loop).
    type: dict
  webhooks:
    description: The registered result of the C(allura_webhook) task with C(webhooks) (the webhook entries of the spec).
    type: dict
  access:
    description: The registered result of the C(allura_access_info) loop (one item per level, as C(project_plan) groups the access entries).
    type: dict
  unmanaged:
    description:
      - What the project holds that the spec does not declare, as the C(project_unmanaged) filter finds it
        (C({unmanaged, purge})). The report lists C(unmanaged); the entries of O(webhooks) after the spec's webhooks are
        the deletions of C(purge).
    type: dict
    version_added: 0.2.0
author:
  - allura.forge developers
'''

EXAMPLES = r'''
- name: Build the report of a project
  ansible.builtin.set_fact:
    report: >-
      {{ allura_project | allura.forge.project_report(project=project_result,
         tools=tool_results, wiki=wiki_results) }}
'''

RETURN = r'''
_value:
  description: The report.
  type: dict
  contains:
    project:
      description: C(neighborhood/shortname).
      type: str
    check_mode:
      description: Whether it was a check run.
      type: bool
    changed:
      description: Whether any resource was (or would be) created, updated or deleted.
      type: bool
    drift:
      description: Whether anything differs from the spec (a change, an access check that does not hold, or an unmanaged resource).
      type: bool
    summary:
      description: Counts of resources by action (C(create), C(update), C(delete), C(none)) and the totals C(changed),
        C(mismatch) (access checks that do not hold), C(drift), C(pending) (predicted without asking the server) and
        C(unmanaged).
      type: dict
    resources:
      description: One entry per resource - C(kind), C(resource) (a readable name such as C(wiki docs/Install)),
        C(action), C(changed), C(drift), C(pending), C(mismatch), C(changes) (a list of C({field, live, desired, text})
        for an update or an access mismatch, with diff mode) and, for predictions, C(note).
      type: list
      elements: dict
    unmanaged:
      description: What the project holds that the spec does not declare (and is not purged) - C(kind) (V(tool),
        V(webhook), V(wiki_page), V(ticket)), C(resource), C(mount_point) and what identifies it (C(tool); C(type),
        C(url), C(id); C(title); C(ticket_num), C(summary)).
      type: list
      elements: dict
      version_added: 0.2.0
'''

from ansible_collections.allura.forge.plugins.plugin_utils._report import project_report


class FilterModule:
    def filters(self):
        return {'project_report': project_report}
