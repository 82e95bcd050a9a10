# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What tickets need that only the web interface can set up: a tracker's status names, milestones and custom fields,
and the project members tickets are assigned to (REFERENCE 8.3, 8.5).

The REST API cannot create any of them. It shows a tracker's milestones (its index) and the projects a user is a member
of (the user's profile), so those are checked before anything is written; status names and custom fields it neither
creates nor shows, so only the server's answer to a write tells they are missing: a refused form (its validation errors)
or a value it dropped. A need is data - {what, name, tracker, field, tickets, where, detail} - that callers (the
project role's report) use as it is; `describe` words it for people.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from ansible_collections.allura.forge.plugins.module_utils._allura import NEW_TRACKER_STATUSES
from ansible_collections.allura.forge.plugins.module_utils._client import AlluraError, ParameterError

FIELD_PAGE = "the tracker's Field Management page (web admin of the project: %s > Field Management)"
MEMBERS_PAGE = "the project's web admin (Admin > User Permissions: add the user to a group)"
WHAT = dict(status='status', milestone='milestone', custom_field='custom field', member='project member')


def need(what, name, tracker, ticket=None, field=None, detail=None, verified=True):
    """verified: the server showed it is missing; False: it cannot be read over REST, and nothing read shows it exists."""
    return dict(what=what, name=name, tracker=tracker, field=field, tickets=[ticket] if ticket else [], detail=detail,
                verified=verified, where=MEMBERS_PAGE if what == 'member' else FIELD_PAGE % tracker)


def merged(needs):
    """The needs, one per thing to set up, with the tickets that need it."""
    out = {}
    for item in needs:
        key = (item['what'], item['name'], item['tracker'], item['field'])
        if key in out:
            out[key]['tickets'] += [t for t in item['tickets'] if t not in out[key]['tickets']]
        else:
            out[key] = dict(item, tickets=list(item['tickets']))
    return list(out.values())


def describe(needs):
    """What to set up where, in words."""
    def listed(items):
        return '; '.join('%s %r%s%s' % (
            WHAT[item['what']] + (' of field %s' % item['field'] if item['field'] and item['what'] != 'custom_field' else ''),
            item['name'], ' (%s)' % item['detail'] if item['detail'] else '',
            ' for %s' % ', '.join(item['tickets']) if item['tickets'] else '') for item in items)
    missing = [item for item in needs if item['verified']]
    unknown = [item for item in needs if not item['verified']]
    wheres = ' and '.join(sorted({item['where'] for item in needs}))
    return ' - '.join(filter(None, [
        'set this up in the web interface, as the REST API cannot: %s' % listed(missing) if missing else '',
        'make sure this is set up in the web interface, as the REST API can neither show nor create it: %s'
        % listed(unknown) if unknown else '', 'in %s' % wheres]))


def unverified(tracker, sent, lives):
    """The status names and custom fields the writes would send ([{ticket, status, fields}]) that no ticket read (`lives`,
    as allura_ticket holds them) shows and that a new tracker does not have (its status names are taken to exist): the
    REST API cannot tell whether the tracker has them (a write would: the server refuses an unknown status and drops an
    unknown field)."""
    statuses = set(NEW_TRACKER_STATUSES) | {ticket['status'] for ticket in lives}
    fields = {name for ticket in lives for name in ticket['custom_fields']}
    needs = []
    for item in sent:
        if item['status'] and item['status'] not in statuses:
            needs.append(need('status', item['status'], tracker, item['ticket'], verified=False))
        needs += [need('custom_field', '_' + name, tracker, item['ticket'], verified=False) for name in item['fields']
                  if name not in fields]
    return merged(needs)


def to_send(ticket, values, live, equal):
    """What writing a ticket (`values` as allura_ticket takes them, over `live`, its live fields or a new ticket's)
    would send that the tracker or the project must have: {ticket, assignee, milestone, status, fields}, each None
    (or empty) when it would not change. equal(live value, wanted value) compares a custom field."""
    def changed(name):
        return values[name] if values[name] not in (None, '', live[name]) else None
    return dict(ticket=ticket, assignee=changed('assigned_to'), milestone=changed('milestone'), status=changed('status'),
                fields=sorted(k for k, v in (values['custom_fields'] or {}).items() if not equal(live['custom_fields'].get(k), v)))


def missing(tracker, sent, milestones, profiles, project_url):
    """What the writes (`sent`, see to_send) need that the REST API shows missing: milestones of the tracker's
    _milestone field (`milestones`), members of the project (a user's profile lists every project where the user is in
    a group; `profiles`: {user: profile JSON}; `project_url` None: a user project, which no profile lists)."""
    path = project_url and urlsplit(project_url).path
    needs = [need('milestone', s['milestone'], tracker, s['ticket'], field='_milestone') for s in sent
             if s['milestone'] and s['milestone'] not in milestones]
    needs += [need('member', s['assignee'], tracker, s['ticket']) for s in sent if s['assignee'] and path and not any(
        urlsplit(p.get('url') or '').path == path for p in (profiles[s['assignee']] or {}).get('projects') or ())]
    return merged(needs)


def before_writes(client, project, tracker, sent, milestones, lives, ctx):
    """Before the first write of a task's tickets (`sent`: to_send's, each with `opt`, the ticket's option prefix): each
    assignee is a user of the server. What the REST API shows missing (see `missing`; `milestones`: the tracker's) fails
    a real run, as nothing was written yet; a check run warns of it and of what it cannot verify (see `unverified`;
    `lives`: the tickets read). Returns the needs."""
    profiles = {}
    for wants in sent:
        who = wants['assignee']
        if who and who not in profiles:
            profiles[who] = client.exists(client.path('u', who, 'profile'))
            if profiles[who] is None:
                raise ParameterError('%sassigned_to %r: no such user on the server' % (wants['opt'], who))
    url = None if project.neighborhood == 'u' else project.read().get('url')
    needs = missing(tracker, sent, milestones, profiles, url)
    if needs and not ctx.check_mode:
        raise AlluraError('%s %s: %s; nothing was written' % (project.label, tracker, describe(needs)), setup=needs)
    needs += unverified(tracker, sent, lives) if ctx.check_mode else []
    if needs:
        ctx.warn('%s %s: %s' % (project.label, tracker, describe(needs)))
    return needs


def dropped(ticket, want, stored, tracker, project, created):
    """After a write that sent what the server may drop without an error (a non-member assignee, unknown custom fields,
    a user field's non-member): a failure naming what it dropped and what to set up (REFERENCE 8.4, 8.5). `want`: the
    fields written and `stored`: the ticket read back, as allura_ticket holds them; `project`: its label; `created`: the
    write created the ticket."""
    problems, needs, fields = [], [], stored['custom_fields']
    if want.get('assigned_to') and want['assigned_to'] != stored['assigned_to']:
        problems.append('assigned_to %r was ignored by the server: only members of project %s can be assigned tickets'
                        % (want['assigned_to'], project))
        needs.append(need('member', want['assigned_to'], tracker, ticket))
    for name, value in sorted((want.get('custom_fields') or {}).items()):
        if name not in fields:
            problems.append('custom_fields.%s was dropped by the server: the tracker has no field _%s (fields seen on '
                            'this ticket: %s)' % (name, name, ', '.join(sorted(fields)) or 'none'))
            needs.append(need('custom_field', '_' + name, tracker, ticket, detail='the tracker has no such field'))
        elif fields[name] == '' and value not in (None, ''):
            problems.append('custom_fields.%s %r was stored as "" (a user field only takes members of project %s)'
                            % (name, value, project))
            needs.append(need('member', value, tracker, ticket, detail='user field _%s' % name))
    if problems:
        needs = merged(needs)
        raise AlluraError('%s: %s%s; %s' % (ticket, 'the ticket was created, but ' if created else '', '; '.join(problems),
                                            describe(needs)), resource=stored, changed=True, setup=needs)


def explain_refusal(exc, want, tracker, ticket):
    """A write the server refused (AlluraError `exc`) for a status, milestone or field value the tracker does not have:
    the needs added to it (see from_validation)."""
    needs = exc.status == 400 and from_validation(exc.details.get('validation_errors'), want, tracker, ticket)
    if needs:
        exc.details['setup'] = needs
        exc.message += '; %s' % describe(needs)


def from_validation(errors, want, tracker, ticket):
    """The needs behind a refused ticket form, or None when any of its errors is about something else (a bad value).

    errors: the server's validation errors ({'ticket_form': "status: Value must be one of: ...\\n..."}: one line per
    field, sorted; a custom field's lines follow `custom_fields: `); want: the ticket's fields as allura_ticket takes
    them (custom_fields without the leading underscore).
    """
    text = (errors or {}).get('ticket_form')
    if not isinstance(text, str):
        return None
    custom = want.get('custom_fields') or {}
    needs, in_custom = [], False
    for line in text.split('\n'):
        name, _sep, message = line.partition(': ')
        if name == 'custom_fields':
            in_custom = True
            name, _sep, message = message.partition(': ')
        elif not name.startswith('_'):
            in_custom = False
        if name == 'status':
            needs.append(need('status', want.get('status'), tracker, ticket))
        elif in_custom and name.startswith('_'):
            needs.append(need('custom_field', name, tracker, ticket, detail='%r: %s' % (custom.get(name[1:]), message)))
        elif name == '_milestone':  # a milestone field is a top-level form field
            needs.append(need('milestone', want.get('milestone'), tracker, ticket, field=name))
        else:
            return None
    return merged(needs) or None
