# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reading a live project as the spec of the `allura.forge.project` role (what `allura_project_spec_info` returns).

A part of the spec (a key of `allura_project`) is read by one function of PARTS, declared there and nowhere else:
capture_parts names them, and the spec gets a key of the same name (when there is something to hold). Each part reads
its lists first and then every item of them, `parallel` at a time.

Besides the spec, a capture says what the spec relies on that the REST API cannot create (tracker statuses,
milestones and custom fields, project members to assign tickets to: REFERENCE 8.3, 8.5), which webhook secrets it
leaves to vault variables, and what it left out (`partial`).
"""

from __future__ import annotations

import re
import time
from urllib.parse import urlsplit

from ansible_collections.allura.forge.plugins.module_utils._allura import (
    LINK_TOOLS, NOT_INSTALLABLE_TOOLS, REPOSITORY_TOOLS, TRACKER_TOOLS, WIKI_TOOLS)
from ansible_collections.allura.forge.plugins.module_utils._client import Denied, ParameterError
from ansible_collections.allura.forge.plugins.module_utils._read import read_ticket, read_wiki_page
from ansible_collections.allura.forge.plugins.module_utils._state import DEFAULT_PARALLEL, clean_labels, read_many

PROJECT_FIELDS = ('name', 'summary', 'short_description', 'labels', 'private', 'external_homepage', 'video_url')
# A ticket as the spec holds it, with what a ticket the server shows without a value gets.
TICKET_FIELDS = dict(summary=None, description='', status='', assigned_to='', labels=[], milestone='', private=False,
                     discussion_disabled=False)


class Capture:
    """The reads of one project's capture, and what they found besides the spec."""

    def __init__(self, project, parallel=DEFAULT_PARALLEL, ticket_status=None, max_items=None, progress=None):
        self.project = project
        self.client = project.client
        self.parallel = parallel
        self.ticket_status = ticket_status
        self.max_items = max_items
        self.progress = progress
        self.partial = []  # what the spec leaves out, one sentence each
        self.trackers = []  # per tracker: what its tickets need that REST cannot create
        self.secrets = []  # the vault variables the webhook secrets refer to
        self.counts = {}

    def read_many(self, read, keys):
        return read_many(read, keys, self.parallel)

    def tools(self, kinds):
        return [tool for tool in self.project.tools() if tool.get('name') in kinds]

    def limited(self, items, what):
        """The first max_items of a list (a note says what was left out)."""
        if self.max_items is not None and len(items) > self.max_items:
            self.partial.append('%s: the first %d of %d (capture_max_items)' % (what, self.max_items, len(items)))
            return items[:self.max_items]
        return items


# --- the parts ---------------------------------------------------------------------------------

def read_fields(cap):
    data = cap.project.read()
    fields = {name: data.get(name) for name in PROJECT_FIELDS if data.get(name) is not None}
    fields['labels'] = list(fields.get('labels') or [])
    cap.counts['fields'] = len(fields)
    return fields


def read_tools(cap):
    tools = []
    for tool in cap.project.tools():
        if tool.get('name') in NOT_INSTALLABLE_TOOLS:
            continue
        tools.append(dict(tool=tool['name'], mount_point=tool['mount_point'], mount_label=tool.get('mount_label')))
    # a link tool elsewhere than at `link` (whose URL is the spec's `link`) keeps its URL as the one to install it with
    others = [t for t in tools if t['tool'] in LINK_TOOLS and t['mount_point'] != 'link']
    for tool, url in zip(others, cap.read_many(lambda t: link_url(cap, t['mount_point']), others)):
        if url:
            tool['url'] = url
    cap.counts['tools'] = len(tools)
    return tools


def link_url(cap, mount_point):
    return cap.client.get_json(cap.project.path(mount_point), not_found=cap.project.not_found(mount_point)).get('url')


def read_link(cap):
    tool = cap.project.tool('link')
    url = link_url(cap, 'link') if tool and tool.get('name') in LINK_TOOLS else None
    cap.counts['link'] = int(bool(url))
    return url or None


def read_wiki(cap):
    wikis = [tool['mount_point'] for tool in cap.tools(WIKI_TOOLS)]
    listings = cap.read_many(lambda mount: cap.client.get_json(cap.project.path(mount), not_found=cap.project.not_found(mount)), wikis)
    wanted = []
    for mount, listing in zip(wikis, listings):
        titles = []
        # by title: the listing is in the order the pages were created, which a provision writing pages several at a
        # time does not keep (REFERENCE 7.1), so that a round trip gives the same file
        for title in sorted(listing.get('pages') or []):
            if title == 'index' or '/' in title:  # REST cannot address them (REFERENCE 7.4)
                cap.partial.append('wiki %s: page %r cannot be read or written over REST and is left out' % (mount, title))
            else:
                titles.append(title)
        wanted += [(mount, title) for title in cap.limited(titles, 'wiki %s: pages' % mount)]
    pages = cap.read_many(lambda key: read_wiki_page(cap.project, *key), wanted)
    cap.counts['wiki'] = len(pages)
    return [dict(mount_point=mount, title=page['title'], text=page.get('text') or '', labels=clean_labels(page.get('labels')))
            for (mount, _title), page in zip(wanted, pages)]


def read_tickets(cap):
    trackers = [tool['mount_point'] for tool in cap.tools(TRACKER_TOOLS)]
    tickets = []
    for mount in trackers:
        tickets += read_tracker(cap, mount)
    cap.counts['tickets'] = len(tickets)
    return tickets


def read_tracker(cap, mount):
    """The tickets of one tracker, oldest first (a new project numbers them in that order)."""
    first, listed = cap.client.read_list(cap.project.path(mount), 'tickets', not_found=cap.project.not_found(mount),
                                         max_items=None if cap.ticket_status else cap.max_items)
    total = first.get('count') if isinstance(first.get('count'), int) else len(listed)

    def read(ticket):
        return read_ticket(cap.project, mount, ticket['ticket_num'])

    if not cap.ticket_status:
        found = cap.read_many(read, listed)
        if len(found) < total and cap.max_items is not None:
            cap.partial.append('tracker %s: the newest %d of %d tickets (capture_max_items)' % (mount, len(found), total))
    else:  # the list shows no status: read newest first, until max_items tickets matched
        found, step = [], cap.parallel * 8
        for start in range(0, len(listed), step):
            found += [t for t in cap.read_many(read, listed[start:start + step]) if t.get('status') in cap.ticket_status]
            if cap.max_items is not None and len(found) >= cap.max_items:
                break
        found = found[:cap.max_items]
        cap.partial.append('tracker %s: only the %s%d tickets of status %s (capture_ticket_status%s), of %d' % (
            mount, 'newest ' if cap.max_items is not None else '', len(found), ', '.join(cap.ticket_status),
            ', capture_max_items' if cap.max_items is not None else '', total))
    found.sort(key=lambda t: t['ticket_num'])
    summaries = {}
    for ticket in found:
        summaries.setdefault(ticket.get('summary'), []).append(ticket['ticket_num'])
    entries = [spec_ticket(cap, mount, ticket, summaries[ticket.get('summary')]) for ticket in found]
    cap.trackers.append(tracker_needs(mount, entries, first.get('milestones') or []))
    return entries


def spec_ticket(cap, mount, ticket, same_summary):
    """A ticket as the spec holds it: found by its summary, or by its number where the summary cannot find it."""
    fields = dict(ticket.get('custom_fields') or {})
    summary = ticket.get('summary')
    addressable = summary is not None and summary.strip() != '' and summary == summary.strip()  # as allura_ticket takes it
    entry = dict(mount_point=mount)
    if not addressable or len(same_summary) > 1:
        entry['ticket_num'] = ticket['ticket_num']
        cap.partial.append('tracker %s: ticket #%d is addressed by ticket_num (%s), which only finds it in this project'
                           % (mount, ticket['ticket_num'], 'tickets %s share its summary' % ', '.join('#%d' % n for n in same_summary)
                              if addressable else 'allura_ticket does not take its summary %r' % summary))
    values = dict(ticket, milestone=fields.pop('_milestone', None), labels=clean_labels(ticket.get('labels')))
    for name, empty in TICKET_FIELDS.items():
        if name != 'summary' or addressable:
            entry[name] = empty if values.get(name) is None else values[name]
    custom = {name[1:] if name.startswith('_') else name: (value == 'True' if value in ('True', 'False') else value)
              for name, value in sorted(fields.items()) if value is not None}
    if custom:
        entry['custom_fields'] = custom
    return entry


def tracker_needs(mount, tickets, milestones):
    """What the tickets of one tracker need that the REST API cannot create: the statuses they use, the tracker's
    milestones, the custom fields they set (with the kind of value seen) and the users they are assigned to."""
    fields = {}
    for ticket in tickets:
        for name, value in (ticket.get('custom_fields') or {}).items():
            field = fields.setdefault('_' + name, dict(kind=None, values=[]))
            kind = 'boolean' if isinstance(value, bool) else 'number' if isinstance(value, (int, float)) else 'text'
            field['kind'] = kind if field['kind'] in (None, kind) else 'text'
            if kind == 'text' and value != '' and value not in field['values']:
                field['values'].append(value)
    for field in fields.values():
        field['values'].sort()
    return dict(
        mount_point=mount,
        statuses=sorted({t['status'] for t in tickets if t.get('status')}),
        milestones=[m.get('name') for m in milestones if m.get('name')],
        milestones_used=sorted({t['milestone'] for t in tickets if t.get('milestone')}),
        custom_fields=dict(sorted(fields.items())),
        assignees=sorted({t['assigned_to'] for t in tickets if t.get('assigned_to')}),
    )


def read_webhooks(cap):
    repositories = [tool['mount_point'] for tool in cap.tools(REPOSITORY_TOOLS)]
    label = cap.project.label
    listings = cap.read_many(lambda mount: cap.client.get_json(
        cap.project.path('admin', mount, 'webhooks', trailing_slash=False), not_found=cap.project.not_found(mount),
        denied=Denied('read', 'the webhooks of %s %s' % (label, mount), 'admin', 'project %s' % label,
                      'a project admin (or leave webhooks out of the parts to capture)')), repositories)
    hooks = []
    for mount, listing in zip(repositories, listings):
        for hook in listing.get('webhooks') or []:
            variable = secret_variable(mount, hook.get('type') or 'repo-push', hook.get('hook_url') or '',
                                       {s['variable'] for s in cap.secrets})
            cap.secrets.append(dict(variable=variable, mount_point=mount, type=hook.get('type'), url=hook.get('hook_url')))
            hooks.append(dict(mount_point=mount, type=hook.get('type'), url=hook.get('hook_url'), secret='{{ %s }}' % variable))
    cap.counts['webhooks'] = len(hooks)
    return hooks


def secret_variable(mount_point, hook_type, url, taken):
    """The vault variable named after a webhook: vault_webhook_<mount point>[_<type>]_<host and path>."""
    parts = urlsplit(url)
    words = [mount_point] + ([hook_type] if hook_type != 'repo-push' else []) + [parts.hostname or '', parts.path]
    base = 'vault_webhook_' + re.sub(r'[^a-z0-9]+', '_', ' '.join(words).lower()).strip('_')[:60].rstrip('_')
    name, number = base, 1
    while name in taken:
        number += 1
        name = '%s_%d' % (base, number)
    return name


# capture_parts: each part, in the order the spec holds them; its reader returns the value of the spec key of the same
# name (None or empty: the spec has nothing there). Blog posts join as `blog` once the role takes them.
PARTS = dict(fields=read_fields, tools=read_tools, link=read_link, wiki=read_wiki, tickets=read_tickets,
             webhooks=read_webhooks)


def checked_parts(parts):
    """The parts to capture (None: all) in PARTS order; an empty list fails before anything is read."""
    if parts is None:
        return list(PARTS)
    if not parts:
        raise ParameterError('parts must name at least one part (leave it out to read all of them: %s)' % ', '.join(PARTS))
    return [part for part in PARTS if part in parts]


def capture(cap, parts):
    """The spec of the project (name, neighborhood and the parts asked for), reading the project first: a project that
    does not exist or that this user cannot read fails before any other read."""
    project = cap.project
    project.read()
    spec = dict(name=project.shortname, neighborhood=project.neighborhood)
    for part in parts:
        started = time.monotonic()
        value = PARTS[part](cap)
        if value not in (None, [], {}):
            spec[part] = value
        if cap.progress:
            cap.progress('%s: %s: %d read in %.1fs' % (project.label, part, cap.counts.get(part, 0), time.monotonic() - started))
    return spec


def setup_needs(cap):
    """What the spec relies on that only the web interface can set up: per tracker, and the project members."""
    trackers = [t for t in cap.trackers if t['statuses'] or t['milestones_used'] or t['custom_fields'] or t['assignees']]
    return dict(trackers=trackers, members=sorted({user for t in cap.trackers for user in t['assignees']}))
