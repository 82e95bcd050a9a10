# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
name: project_unmanaged
short_description: What an Allura project holds that its spec does not declare, and what to purge of it
version_added: 0.2.0
description:
  - Used by the C(allura.forge.project) role to find unmanaged resources - tools, repository webhooks, wiki pages
    (of the wikis whose pages the spec declares), blog posts (of the blogs whose posts the spec declares) and tickets
    (of the trackers whose tickets the spec declares) - and to plan their purge.
positional: _input, part
options:
  _input:
    description: The C(allura_project) spec (see the role's documentation).
    type: dict
    required: true
  part:
    description:
      - V(reads) - what to read - C({webhooks, wiki, blog, tickets}) - from O(project) and O(kinds).
      - V(found) - C({unmanaged, purge}) - the unmanaged entries (C(kind), C(resource), C(mount_point) and what
        identifies them), those O(purge) deletes apart.
      - V(purge_items) - the C(allura_webhook) items (C(state=absent)) deleting the webhooks to purge.
      - V(purge_posts) - per blog (a dict keyed by its mount point), the C(allura_blog_post) items (C(url),
        C(state=absent)) deleting the posts to purge.
      - V(guard) - the message failing a purge of more than O(purge_max) items, or an empty string.
      - V(refused) - the message refusing kinds of O(purge) the REST API cannot delete, or an empty string.
    type: str
    choices: [reads, found, purge_items, purge_posts, guard, refused]
    default: found
  project:
    description: The registered result of the role's C(allura_project) task (its C(project) holds the tools).
    type: dict
  webhooks:
    description: The registered result of C(allura_webhook_info) over every repository tool.
    type: dict
  wiki:
    description: The registered result of the C(allura_wiki_page_info) loop over the mount points of V(reads).
    type: dict
  blog:
    description: The registered result of the C(allura_blog_post_info) loop (C(details=false)) over the mount points of V(reads).
    type: dict
  tickets:
    description: The registered result of the C(allura_ticket_info) loop over the mount points of V(reads).
    type: dict
  kinds:
    description: The kinds to look at (V(tools), V(webhooks), V(pages), V(posts), V(tickets)).
    type: list
    elements: str
  tickets_too:
    description: Whether tickets are looked at at all (the role's C(allura_unmanaged_tickets)).
    type: bool
    default: false
  purge:
    description: The kinds to purge (the role's C(allura_purge)).
    type: list
    elements: str
  purge_max:
    description: The most items one run may purge in the project.
    type: int
    default: 10
author:
  - allura.forge developers
'''

EXAMPLES = r'''
- name: What the project holds beyond its spec
  ansible.builtin.debug:
    msg: "{{ allura_project | allura.forge.project_unmanaged('found', project=project_result, webhooks=hooks) }}"
'''

RETURN = r'''
_value:
  description: See O(part).
  type: raw
'''

from ansible.errors import AnsibleFilterError

from ansible_collections.allura.forge.plugins.plugin_utils._unmanaged import (
    KINDS, looked_at, project_unmanaged as found, purge_guard, purge_items, purge_posts, purge_refused, unmanaged_reads)


def project_unmanaged(spec, part='found', project=None, webhooks=None, wiki=None, tickets=None, kinds=KINDS, tickets_too=False,
                      purge=(), purge_max=10, blog=None):
    kinds = looked_at(kinds, tickets_too, purge)
    if part == 'reads':
        return unmanaged_reads(spec, project, kinds, tickets=tickets_too)
    if part == 'refused':
        return purge_refused(purge)
    result = found(spec, project, webhooks, wiki, tickets, kinds, purge, blog=blog)
    if part == 'found':
        return result
    if part == 'purge_items':
        return purge_items(result)
    if part == 'purge_posts':
        return purge_posts(result)
    if part == 'guard':
        return purge_guard(result, purge_max)
    raise AnsibleFilterError('project_unmanaged: part must be reads, found, purge_items, purge_posts, guard or refused, not %r' % (part,))


class FilterModule:
    def filters(self):
        return {'project_unmanaged': project_unmanaged}
