#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: allura_ticket_info
short_description: Read one ticket of an Allura tracker, or its tickets filtered by status, labels, milestone, assignee or summary
version_added: 0.2.0
description:
  - With O(ticket_num), returns that ticket as the server shows it, optionally with its comments.
  - Otherwise returns the tickets of the tracker that match every filter given (O(status), O(labels), O(milestone),
    O(assigned_to), O(summary)), newest first. The tracker's ticket list is read over every page, so no ticket is
    missed and nothing depends on the server's search index; each candidate ticket is then read in full,
    O(parallel) at a time. Give O(summary) or O(limit) to read fewer tickets.
  - O(query) uses the server's search (Solr) instead of the ticket list to find candidates. The search index is
    updated asynchronously, so tickets created or changed a moment ago may be missing or stale; use the filters
    alone when the answer must be complete and current.
  - Never changes anything.
options:
  project:
    description: Shortname of the project.
    type: str
    required: true
  mount_point:
    description: Mount point of the tracker (a C(tickets) tool); SourceForge projects usually mount it at V(tickets).
    type: str
    default: tickets
  ticket_num:
    description: Number of the one ticket to read. Mutually exclusive with the filters, O(query) and O(limit).
    type: int
  status:
    description: Only tickets with one of these statuses (exact names, as configured in the tracker).
    type: list
    elements: str
  labels:
    description: Only tickets that have all these labels.
    type: list
    elements: str
  milestone:
    description: Only tickets of this milestone (the tracker's C(_milestone) field).
    type: str
  assigned_to:
    description: Only tickets assigned to this user name; V('') for tickets assigned to nobody.
    type: str
  summary:
    description: Only tickets whose summary contains this text (ignoring case).
    type: str
  query:
    description:
      - A query for the server's ticket search, in its syntax (for example V(status:open AND labels:docs), or words
        to find in summaries and descriptions). Tickets it finds must also match the other filters.
      - The search index is asynchronous; see the description.
    type: str
  comments:
    description: Also return each ticket's comments (every post of its discussion thread) under C(comments).
    type: bool
    default: false
  limit:
    description: Return at most this many tickets (1 or more); by default all that match.
    type: int
  parallel:
    description: How many tickets are read at the same time (1 to 16).
    type: int
    default: 8
extends_documentation_fragment:
  - allura.forge.auth
  - allura.forge.attributes.info_module
  - allura.forge.results
notes:
  - Private tickets are listed only to users who may read them.
author:
  - allura.forge developers (@allura-forge)
'''

EXAMPLES = r'''
- name: One ticket with its comments
  allura.forge.allura_ticket_info:
    project: myproj
    ticket_num: 42
    comments: true
  register: found

- name: Show its status and the last comment
  ansible.builtin.debug:
    msg: "{{ found.ticket.status }}: {{ (found.ticket.comments | last).text }}"

- name: Open documentation tickets assigned to nobody
  allura.forge.allura_ticket_info:
    project: myproj
    status: [open, unread]
    labels: [docs]
    assigned_to: ''
  register: docs

- name: The ten newest tickets the search finds about crashes
  allura.forge.allura_ticket_info:
    project: myproj
    query: crash
    limit: 10
'''

RETURN = r'''
ticket:
  description: The ticket as the server returns it, plus C(comments) when O(comments=true).
  returned: when O(ticket_num) is given
  type: dict
  sample: {"ticket_num": 42, "summary": "Crash on start", "status": "open", "labels": ["bug"], "assigned_to": null,
           "custom_fields": {"_milestone": "1.0"}, "description": "It crashes.", "private": false}
tickets:
  description:
    - The matching tickets, newest first, each as the server returns it, plus C(comments) when O(comments=true).
    - Each comment has C(slug), C(text), C(author), C(timestamp), C(subject), C(last_edited), C(attachments).
  returned: when O(ticket_num) is not given
  type: list
  elements: dict
'''

from ansible_collections.allura.forge.plugins.module_utils._client import ParameterError
from ansible_collections.allura.forge.plugins.module_utils._module import run_module
from ansible_collections.allura.forge.plugins.module_utils._project import Project
from ansible_collections.allura.forge.plugins.module_utils._read import (
    check_limit, check_not_blank, read_checked, read_ticket, with_comments)
from ansible_collections.allura.forge.plugins.module_utils._state import DEFAULT_PARALLEL, clean_labels, parallel_option, read_many

FILTERS = ('status', 'labels', 'milestone', 'assigned_to', 'summary', 'query')
ARGUMENT_SPEC = dict(
    project=dict(type='str', required=True),
    mount_point=dict(type='str', default='tickets'),
    ticket_num=dict(type='int'),
    status=dict(type='list', elements='str'),
    labels=dict(type='list', elements='str'),
    milestone=dict(type='str'),
    assigned_to=dict(type='str'),
    summary=dict(type='str'),
    query=dict(type='str'),
    comments=dict(type='bool', default=False),
    limit=dict(type='int'),
    parallel=dict(type='int', default=DEFAULT_PARALLEL),
)
MUTUALLY_EXCLUSIVE = [('ticket_num', name) for name in FILTERS + ('limit',)]


def checked_filters(params):
    """{filter: wanted value} of the filters given, checked before anything is sent."""
    given = {name: params[name] for name in FILTERS if params.get(name) is not None}
    for name in ('status', 'labels'):
        if name in given and not given[name]:
            raise ParameterError('%s must list at least one value (leave it out not to filter by %s)' % (name, name))
    check_not_blank(params, 'summary', 'query', 'milestone')
    if 'labels' in given:
        given['labels'] = clean_labels(given['labels'])
    return given


def matches(ticket, wanted):
    """Whether a ticket (as the server shows it) passes every filter but query."""
    if 'status' in wanted and ticket.get('status') not in wanted['status']:
        return False
    if 'labels' in wanted and not set(wanted['labels']) <= set(clean_labels(ticket.get('labels'))):
        return False
    if 'milestone' in wanted and (ticket.get('custom_fields') or {}).get('_milestone') != wanted['milestone']:
        return False
    if 'assigned_to' in wanted and (ticket.get('assigned_to') or '') != wanted['assigned_to']:
        return False
    return 'summary' not in wanted or wanted['summary'].lower() in (ticket.get('summary') or '').lower()


def run(params, client, ctx):
    project = Project(client, params['neighborhood'], params['project'])
    mount_point = params['mount_point']
    limit, parallel = check_limit(params), parallel_option(params)
    wanted = checked_filters(params)

    def complete(tickets):
        return with_comments(project, mount_point, tickets, parallel) if params['comments'] else tickets

    if params.get('ticket_num') is not None:
        ticket = read_checked(project, mount_point, ('tickets',), 'allura_ticket_info',
                              lambda: read_ticket(project, mount_point, params['ticket_num']))
        return dict(changed=False, ticket=complete([ticket])[0])

    def candidates():
        if 'query' in wanted:  # search hits carry the fields the filters need, but not the description
            path = project.path(mount_point, 'search', trailing_slash=False)
            return client.read_list(path, 'tickets', params=dict(q=wanted['query']))[1]
        return client.read_list(project.path(mount_point), 'tickets', not_found=project.not_found(mount_point))[1]

    # What a candidate already shows is filtered at once: the summary of a list entry, every field of a search hit.
    shown = wanted if 'query' in wanted else {name: value for name, value in wanted.items() if name == 'summary'}
    listed = [t for t in read_checked(project, mount_point, ('tickets',), 'allura_ticket_info', candidates) if matches(t, shown)]
    found = []
    step = limit if limit and shown == wanted else parallel * 4  # read in chunks, to stop once `limit` tickets matched
    for start in range(0, len(listed), step):
        chunk = read_many(lambda t: read_ticket(project, mount_point, t['ticket_num']), listed[start:start + step], parallel)
        found += [t for t in chunk if matches(t, wanted)]
        if limit and len(found) >= limit:
            break
    return dict(changed=False, tickets=complete(found[:limit] if limit else found))


def main():
    run_module(ARGUMENT_SPEC, run)


if __name__ == '__main__':
    main()
