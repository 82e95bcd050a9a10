#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: allura_ticket
short_description: Ensure tickets of an Allura tracker exist with the given fields
version_added: 0.1.0
description:
  - Creates a ticket in a tracker (C(tickets) tool) of an Allura project, or updates an existing one, so that the
    fields you give have the values you want. Fields you leave out are never changed.
  - A ticket is found by O(ticket_num) or else by an exact match of O(summary) over every page of the tracker's
    ticket list (the server's search index is asynchronous, so it is not used). Two tickets with that summary are
    an error that lists their numbers; no ticket with it is created.
  - An update re-sends everything the server would otherwise clear or drop (the full label list, the milestone and
    every custom field, merged from the live ticket), so no field you did not mention is lost. Every save makes a new
    ticket version on the server, so nothing is saved when nothing differs.
  - Values are compared the way the server stores them (labels as a set of trimmed labels, V(3) equal to V("3")
    for number fields, V(false) equal to an absent or V("False") boolean field), so a second run reports no change.
  - Give O(tickets) to converge many tickets in one task, with reads, and updates of existing tickets, done O(parallel)
    at a time. New tickets are created one after the other, in the order given, so that their numbers follow it.
  - Tickets cannot be deleted or moved through the REST API; this module never does either.
options:
  project:
    description: Shortname of the project.
    type: str
    required: true
  mount_point:
    description:
      - Mount point of the tracker (a C(tickets) tool) in the project.
      - SourceForge projects usually mount it at V(tickets); Allura's test projects at V(bugs).
    type: str
    default: tickets
  ticket_num:
    description:
      - Number of the ticket. It must exist (numbers are given by the server when a ticket is created).
      - Without it the ticket is found by O(summary).
    type: int
  summary:
    description:
      - The ticket's title. Identifies the ticket (exact match) when O(ticket_num) is not given, and is then
        required; with O(ticket_num) it is the title to set.
      - Must not be empty nor start or end with whitespace.
    type: str
  description:
    description: The ticket's text (Markdown). Shown as a text diff with C(--diff).
    type: str
  status:
    description:
      - Status name, exactly as configured in the tracker (Allura's defaults are V(open), V(unread), V(accepted),
        V(pending), V(closed), V(wont-fix)); V('') is also accepted.
      - The configured names are not readable over REST; a wrong one fails with the server's list of allowed values.
    type: str
  assigned_to:
    description:
      - User name of the assignee; V('') for nobody.
      - The server silently ignores users who are not members of the project; this module checks that the user
        exists before any write and fails when the server did not store the assignee.
    type: str
  labels:
    description:
      - The complete list of labels (replaces the live list). Compared as a set of trimmed, non-empty labels.
      - A label cannot contain a comma.
    type: list
    elements: str
  milestone:
    description: Milestone name of the tracker's C(_milestone) field, for example V('1.0').
    type: str
  private:
    description: Whether the ticket is visible only to project developers and its reporter.
    type: bool
  discussion_disabled:
    description: Whether the ticket's discussion is closed for posts.
    type: bool
  custom_fields:
    description:
      - Values of the tracker's custom fields, by field name B(without) the leading underscore (field C(_severity)
        is V(severity)). Fields not listed are kept.
      - Use YAML types for number and boolean fields (for example C(estimate) V(3), C(public) V(false)); strings
        such as V("3") are accepted and compared as the server stores them.
      - A name the tracker does not have is dropped by the server without an error. Allura publishes no field
        definitions over REST, so this is found only by reading the ticket back after the write; the task then fails
        naming the field, and a ticket it created stays created (without that field).
    type: dict
  tickets:
    description:
      - Many tickets in one task, each a dict with the keys of the single-ticket options (O(tickets[].ticket_num),
        O(tickets[].summary), O(tickets[].description), O(tickets[].status), O(tickets[].assigned_to),
        O(tickets[].labels), O(tickets[].milestone), O(tickets[].private), O(tickets[].discussion_disabled),
        O(tickets[].custom_fields)).
      - Mutually exclusive with the single-ticket options. Everything is read and validated before the first write.
        Updates of existing tickets are made O(parallel) at a time; new tickets are created one after the other, in
        the order given. The first failure stops further writes (those in flight finish and are reported); after an
        HTTP 429 or 5xx the remaining writes go one at a time.
    type: list
    elements: dict
    suboptions:
      ticket_num:
        description: See O(ticket_num).
        type: int
      summary:
        description: See O(summary).
        type: str
      description:
        description: See O(description).
        type: str
      status:
        description: See O(status).
        type: str
      assigned_to:
        description: See O(assigned_to).
        type: str
      labels:
        description: See O(labels).
        type: list
        elements: str
      milestone:
        description: See O(milestone).
        type: str
      private:
        description: See O(private).
        type: bool
      discussion_disabled:
        description: See O(discussion_disabled).
        type: bool
      custom_fields:
        description: See O(custom_fields).
        type: dict
  parallel:
    description: How many tickets are read, and how many existing tickets are updated, at the same time (1 to 16).
    type: int
    default: 8
extends_documentation_fragment:
  - allura.forge.auth
  - allura.forge.attributes
  - allura.forge.lock
  - allura.forge.results
notes:
  - Updating a ticket needs the tracker's C(update) permission (project Developers and Admins); creating one needs
    C(create) (any logged-in user by default).
  - Assigning nobody to a ticket that has an assignee sends the assignee V(*anonymous), the only value the server
    clears the assignee with.
seealso:
  - name: 'Allura REST API: new ticket'
    description: Creates a ticket.
    link: https://forge-allura.apache.org/p/allura/rest-api-docs#operation/POST_neighborhood-project-tracker-new
  - name: 'Allura REST API: ticket save'
    description: Updates a ticket (fields not sent are cleared).
    link: https://forge-allura.apache.org/p/allura/rest-api-docs#operation/POST_neighborhood-project-tracker-ticketNumber-save
author:
  - allura.forge developers (@allura-forge)
'''

EXAMPLES = r'''
- name: Ensure a ticket exists (found by its summary)
  allura.forge.allura_ticket:
    project: myproj
    summary: Release 2.0 checklist
    description: |
      - [ ] changelog
      - [ ] tag
    status: open
    labels: [release]
    milestone: "2.0"
    custom_fields:
      severity: high
      estimate: 3
    token: "{{ vault_sourceforge_token }}"

- name: Close ticket 42, keeping its labels and custom fields
  allura.forge.allura_ticket:
    project: myproj
    ticket_num: 42
    status: closed

- name: Many tickets in one task
  allura.forge.allura_ticket:
    project: test
    mount_point: bugs
    tickets: "{{ query('sequence', 'start=1 end=200') | map('regex_replace', '^', 'Task ') | map('community.general.dict_kv', 'summary') }}"
'''

RETURN = r'''
action:
  description: What was done to the ticket (or would be, in check mode).
  returned: success, single-ticket form
  type: str
  choices: [create, update, none]
ticket:
  description:
    - The ticket as the server stores it after the run (predicted in check mode; C(ticket_num) is null for a ticket
      that check mode would create).
    - C(custom_fields) is keyed by field name without the leading underscore; boolean fields are booleans;
      C(milestone) is the C(_milestone) field.
    - A write that sends none of O(assigned_to), O(custom_fields) and O(discussion_disabled) (which the server may
      drop without an error) is not read back, since the server stores the other fields as sent; then C(mod_date)
      is null, and so are C(reported_by) and C(created_date) of a new ticket, whose C(custom_fields) lists only the
      fields given (the server sets the tracker's boolean fields to false). Check mode reports the same.
  returned: success, single-ticket form
  type: dict
  sample: {"ticket_num": 4, "summary": "Custom fields ticket", "description": "", "status": "open",
           "assigned_to": "test-admin", "labels": ["cf", "api"], "milestone": "2.0", "private": false,
           "discussion_disabled": false, "custom_fields": {"severity": "high", "public": true, "estimate": 3},
           "reported_by": "test-admin", "created_date": "2026-11-28 05:46:24.640000", "mod_date": "2026-11-28 05:46:24.658000"}
tickets:
  description: One entry per item of O(tickets), in order, shaped like RV(ticket) plus C(action).
  returned: success, O(tickets) form
  type: list
  elements: dict
summary:
  description: How many tickets were created, updated and left unchanged.
  returned: success, O(tickets) form
  type: dict
  sample: {"created": 1, "updated": 0, "unchanged": 199}
setup:
  description:
    - What the tickets need that only the web interface can set up, as the REST API can neither create it nor (but
      for milestones and members) show it - one entry per thing, with the tickets that need it.
    - C(what) is V(status), V(milestone) (of the field C(field)), V(custom_field) (C(name) is the field, C(detail) the
      value the server refused, or that it has no such field) or V(member) (of the project, to be assigned tickets or
      be the value of a user field); C(where) says where to set it up; C(verified) is false for a check run's status
      names and custom fields that the REST API cannot show and no ticket read shows (the C(allura.forge.project)
      role reports those as notes, not as differences - the real run may find them there).
    - Milestones and members are checked before anything is written (a real run then fails and writes nothing; a check
      run reports them and goes on); status names and custom fields show only in the server's answer to a write, and
      that ticket fails.
  returned: when something is missing (check mode, or a failure)
  type: list
  elements: dict
  sample: [{"what": "milestone", "name": "3.0", "field": "_milestone", "tracker": "bugs", "detail": null, "verified": true,
            "tickets": ["p/myproj bugs new ticket 'Release 3.0'"],
            "where": "the tracker's Field Management page (web admin of the project: bugs > Field Management)"}]
'''

import re
from functools import partial
from urllib.parse import urlsplit

from ansible_collections.allura.forge.plugins.module_utils._allura import TRACKER_TOOLS, form_bool, form_number
from ansible_collections.allura.forge.plugins.module_utils._client import AlluraError, ParameterError
from ansible_collections.allura.forge.plugins.module_utils._module import run_module
from ansible_collections.allura.forge.plugins.module_utils._resource import PARALLEL, Resource
from ansible_collections.allura.forge.plugins.module_utils._state import LABELS, Field, as_text, check_labels, clean_labels, named
from ansible_collections.allura.forge.plugins.module_utils._tracker_setup import before_writes, dropped, explain_refusal, to_send

# A ticket as returned, with what the server gives a new ticket for each field nobody set.
EMPTY = dict(ticket_num=None, summary=None, description='', status='', assigned_to=None, labels=[], milestone=None,
             private=False, discussion_disabled=False, custom_fields={}, reported_by=None, created_date=None, mod_date=None)


def field_equal(have, want):
    """A custom field value, typed by whichever side shows the type (the live one for "3" vs 3)."""
    if isinstance(have, bool) or isinstance(want, bool):
        return form_bool(have) == form_bool(want)
    if isinstance(have, (int, float)) or isinstance(want, (int, float)):
        return form_number(have) == form_number(want)
    return as_text(have) == as_text(want)


def typed(have, want):
    """The desired value in the type the server will store, as far as it is known."""
    if isinstance(have, bool) or isinstance(want, bool):
        value = form_bool(want)
        return value if isinstance(value, bool) else want
    return form_number(want) if isinstance(have, (int, float)) and want != '' else want


# verify: what the server may drop without an error (REFERENCE 8.3-8.5) - a non-member assignee, unknown and
# user-type custom fields, discussion_disabled on create. A write that sends none of them is not read back:
# the number of a new ticket is in the answer's Location, and the other fields are stored as sent.
FIELDS = dict(summary=Field(), description=Field(normalise=as_text, text=True), status=Field(normalise=as_text),
              assigned_to=Field(normalise=as_text, verify=True), labels=LABELS, milestone=Field(normalise=as_text),
              private=Field(normalise=bool), discussion_disabled=Field(normalise=bool, verify=True),
              custom_fields=Field(partial=True, equal=field_equal, verify=True))


def from_server(ticket):
    fields = dict(ticket.get('custom_fields') or {})
    milestone = fields.pop('_milestone', None)
    out = {k: ticket.get(k, v) for k, v in EMPTY.items()}
    out.update(labels=list(ticket.get('labels') or []), milestone=milestone, custom_fields={
        (k[1:] if k.startswith('_') else k): (v == 'True' if v in ('True', 'False') else v) for k, v in fields.items()})
    return out


def check_custom(fields, opt):
    """The custom fields given a value (null: not given), each checked."""
    for name, value in (fields or {}).items():
        option = '%scustom_fields.%s' % (opt, name)
        if name == 'milestone':
            raise ParameterError('%s: give the milestone with the milestone option (the server ignores it here)' % option)
        if name.startswith('_') or not re.match(r'^\w+$', name) or name != name.lower():
            raise ParameterError('%s: invalid field name %r: give the name without the leading underscore, as the server '
                                 'makes it from the label (lower case, words joined by "_"; label "My Num" is my_num)' % (option, name))
        if not isinstance(value, (str, bool, int, float, type(None))):
            raise ParameterError('%s: %r is not a string, number or boolean' % (option, value))
    return {name: value for name, value in (fields or {}).items() if value is not None} or None


class Ticket(Resource):
    one, many, key, number, listed = 'ticket', 'tickets', ('summary',), 'ticket_num', 'tickets'
    options = dict(ticket_num=dict(type='int'), summary=dict(type='str'), description=dict(type='str'), status=dict(type='str'),
                   assigned_to=dict(type='str'), labels=dict(type='list', elements='str'), milestone=dict(type='str'),
                   private=dict(type='bool'), discussion_disabled=dict(type='bool'), custom_fields=dict(type='dict'))
    kinds, purpose, fields, returns, volatile = TRACKER_TOOLS, 'allura_ticket', FIELDS, EMPTY, ('mod_date',)
    twins, newest_first = ('close one of them as a duplicate and change its summary (tickets cannot be deleted over REST), or '
                           'give ticket_num to choose one'), True
    # A save changes that ticket alone and meets no creation limit (REFERENCE 8.4, 1.9); creates go one at a time in
    # the order given, which is the order of their numbers (8.3)
    concurrent = ('update',)

    def check(self, item):
        values, opt = item.values, item.opt
        num, summary = values['ticket_num'], values['summary']
        if num is not None and num < 1:
            raise ParameterError('%sticket_num %r is invalid: ticket numbers start at 1' % (opt, num))
        if summary is not None and (not summary.strip() or summary != summary.strip()):
            raise ParameterError('%ssummary %r is invalid: it must not be empty nor start or end with whitespace' % (opt, summary))
        if num is None and summary is None:
            raise ParameterError('%sticket_num or %ssummary is required (summary finds or creates the ticket)' % (opt, opt))
        values['labels'] = check_labels(values['labels'], opt + 'labels')
        values['custom_fields'] = check_custom(values['custom_fields'], opt)

    def path(self, *segments, **kwargs):
        return self.project.path(self.mount_point, *segments, **kwargs)

    milestones = None  # the names of the tracker's milestones, once its index was read

    def run(self):
        out = super().run()
        if self.setup:  # what the tickets need that only the web interface can set up (see RETURN)
            out['setup'] = self.setup
        return out

    def index(self, key=None, limit=None):
        """{summary: [ticket numbers]} over every page of the ticket list (with limit, of its first `limit` tickets)."""
        first, listed = self.client.read_list(self.path(), 'tickets', max_items=limit)
        self.milestones = [m.get('name') for m in first.get('milestones') or ()]
        return self.indexed(listed)

    def read(self, item):
        body = self.client.exists(self.path(item.values['ticket_num'])) if item.values['ticket_num'] else None
        return None if body is None else from_server(body.get('ticket') or {})

    def ready(self, items):
        """Before the first write: what the writes would send that only the web interface can set up (see before_writes)."""
        super().ready(items)
        sent = [dict(to_send(self.label(item), item.values, item.live or EMPTY, field_equal), opt=item.opt) for item in items]
        if self.milestones is None and any(wants['milestone'] for wants in sent):
            self.index(limit=1)
        self.setup = before_writes(self.client, self.project, self.mount_point, sent, self.milestones or (),
                                   [item.live for item in items if item.live], self.ctx)

    def desired(self, item):
        desired = super().desired(item)
        if item.live and desired['custom_fields']:
            desired['custom_fields'] = {k: typed(item.live['custom_fields'].get(k), v) for k, v in desired['custom_fields'].items()}
        return desired

    def form(self, want, live):
        form = {'ticket_form.' + k: want.get(k) for k in ('summary', 'description', 'status', 'private', 'discussion_disabled')}
        if want.get('assigned_to') is not None:  # '' is ignored by the server; *anonymous clears (REFERENCE 8.4)
            form['ticket_form.assigned_to'] = want['assigned_to'] or ('*anonymous' if live and live['assigned_to'] else None)
        labels = want['labels'] if want.get('labels') is not None else live and clean_labels(live['labels'])
        form['ticket_form.labels'] = None if labels is None else ','.join(labels)
        # A save that sends a custom field or the milestone leaves the ticket only those sent, and one that sends none
        # resets every boolean field to false (REFERENCE 8.4, 17): so none is sent, or all of them, as they are unless
        # wanted otherwise (a user field of someone no longer a member would be emptied: send it only when needed).
        custom = {k: '' if v is None else v for k, v in (live or EMPTY)['custom_fields'].items()}
        custom.update(want.get('custom_fields') or {})
        if want.get('custom_fields') or want.get('milestone') is not None or True in custom.values():
            form['ticket_form._milestone'] = want['milestone'] if want.get('milestone') is not None else live and live['milestone']
            form.update(('ticket_form.custom_fields._' + k, v) for k, v in sorted(custom.items()))
        return form

    def create(self, item, desired):
        done = self.write(item, 'create', self.path('new', trailing_slash=False), desired, None, partial(self.find, item))
        if isinstance(done, int):  # an ambiguous failure, and a re-read found the ticket created
            return dict(ticket_num=done)
        # the number is in the answer's Location (never followed: it names the server's own base URL)
        match = re.search(r'/(\d+)/?$', urlsplit(done.headers.get('Location') or '').path)
        if not match:
            raise AlluraError('the server created a ticket but its answer has no ticket URL (Location %r); look for it in the '
                              'tracker before running again' % done.headers.get('Location'))
        return dict(ticket_num=int(match.group(1)))

    def update(self, item, live, sent, desired):
        num = item.values['ticket_num']
        self.write(item, 'update', self.path(num, 'save', trailing_slash=False), sent, live, partial(self.stored, item, sent))
        return dict(ticket_num=num)

    def write(self, item, action, path, want, live, recheck):
        who = 'a logged-in user' if action == 'create' else 'a project member with the Developer role or above'
        num = item.values['ticket_num']
        try:
            return self.client.post(path, self.form(want, live), expect=(302,), recheck=recheck, denied=self.denied(item, action, who),
                                    not_found=self.project.not_found(self.mount_point, num and 'ticket #%d' % num))
        except AlluraError as exc:
            explain_refusal(exc, want, self.mount_point, self.label(item))
            if exc.status not in (401, 403):  # a refusal names the ticket already
                named(exc, self.label(item))
            raise

    def reread(self, item, after):
        """The ticket read back after a write that sent what the server may drop, checked for values it ignored."""
        created, item.values['ticket_num'] = item.live is None, after['ticket_num']
        ticket = self.read(item)
        if created and item.values['discussion_disabled'] and not ticket['discussion_disabled']:  # ignored on create (REFERENCE 8.3)
            self.update(item, ticket, dict(discussion_disabled=True), None)
            ticket = self.read(item)
        dropped(self.label(item), self.desired(item), ticket, self.mount_point, self.project.label, created)
        return ticket


ARGUMENT_SPEC = Ticket.argument_spec(mount_point=dict(type='str', default='tickets'), parallel=PARALLEL)
MUTUALLY_EXCLUSIVE = Ticket.mutually_exclusive()


def run(params, client, ctx):
    return Ticket(params, client, ctx).run()


def main():
    run_module(ARGUMENT_SPEC, run)


if __name__ == '__main__':
    main()
