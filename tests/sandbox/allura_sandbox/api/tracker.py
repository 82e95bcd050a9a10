"""Tracker REST root (REFERENCE 8 and 17, recordings README "Tracker fields").

``new`` and ``{n}/save`` run in Allura's order: POST check (405), form
validation (400 JSON text served as text/plain), then the permission check,
then the write and a 302 to the ticket.
"""

import json
import re
import shlex
from urllib.parse import urljoin

from .. import model, perms, validators
from ..responses import Abort, Response, json_response, method_not_allowed, not_found, redirect, server_error
from ..util import now_str, object_id, thread_id
from . import discuss
from .common import handle_paging, has_access, has_access_params, paging, rest_url, to_int, touch


def route(ctx, project, tool, rest):
    perms.require(perms.tool_access(ctx.data, project, tool, 'read', ctx.user), 'read', ctx.user)
    if not rest or rest == ['index']:
        return index(ctx, project, tool)
    head = rest[0]
    if len(rest) == 1 and head == 'new':
        return new(ctx, project, tool)
    if len(rest) == 1 and head == 'search':
        return search(ctx, project, tool)
    if len(rest) == 1 and head == 'has_access' and has_access_params(ctx):
        return has_access(ctx, perms.tool_access(ctx.data, project, tool, 'admin', ctx.user),
                          lambda user, perm: perms.tool_access(ctx.data, project, tool, perm, user))
    if head == '_discuss':
        return discuss.route(ctx, project, tool, rest[1:])
    if not head.isdigit():
        raise not_found()
    ticket = find_ticket(tool, to_int(head))  # str.isdigit() accepts digits int() rejects: a 500, like Allura
    if ticket is None:
        raise not_found()
    perms.require(perms.ticket_access(ctx.data, project, tool, ticket, 'read', ctx.user), 'read', ctx.user)
    if len(rest) == 1:
        return json_response({'ticket': ticket_json(ctx, project, tool, ticket)})
    if rest[1:] == ['save']:
        return save(ctx, project, tool, ticket)
    raise not_found()


def find_ticket(tool, number):
    for ticket in tool['data']['tickets']:
        if ticket['ticket_num'] == number and not ticket.get('deleted'):
            return ticket
    return None


# -- reading --------------------------------------------------------------------

def ticket_json(ctx, project, tool, ticket):
    users = ctx.data['users']
    reporter = users.get(ticket['reported_by'])
    assignee = users.get(ticket['assigned_to']) if ticket['assigned_to'] else None
    return {
        'votes_up': ticket['votes_up'], 'votes_down': ticket['votes_down'], '_id': ticket['_id'],
        'mod_date': ticket['mod_date'], 'labels': ticket['labels'], 'related_artifacts': [],
        'discussion_thread': discuss.thread_json(tool, ticket),
        'discussion_thread_url': rest_url(ctx, project, tool) + '_discuss/thread/%s/' % ticket['thread_id'],
        'created_date': ticket['created_date'], 'ticket_num': ticket['ticket_num'], 'summary': ticket['summary'],
        'description': ticket['description'], 'reported_by': ticket['reported_by'] if reporter else 'nobody',
        'assigned_to': ticket['assigned_to'] if assignee else None,
        'reported_by_id': reporter['_id'] if reporter else None, 'assigned_to_id': assignee['_id'] if assignee else None,
        'status': ticket['status'], 'private': ticket['private'], 'discussion_disabled': ticket['discussion_disabled'],
        'attachments': [], 'custom_fields': ticket['custom_fields'],
    }


def _closed_names(tool):
    return tool['data']['closed_status_names'].split()


def milestones(tool):
    tickets = [t for t in tool['data']['tickets'] if not t.get('deleted')]
    closed_names = _closed_names(tool)
    result = []
    for field in tool['data']['custom_fields']:
        if field['name'] != '_milestone':
            continue
        for milestone in field.get('milestones', []):
            hits = [t for t in tickets if t['custom_fields'].get('_milestone') == milestone['name']]
            result.append({'name': milestone['name'], 'due_date': milestone.get('due_date'),
                           'description': milestone.get('description'), 'complete': milestone.get('complete', False),
                           'default': milestone.get('default'), 'total': len(hits),
                           'closed': sum(1 for t in hits if t['status'] in closed_names)})
    return result


def index(ctx, project, tool):
    limit = to_int(ctx.req.param('limit', 100))
    page = to_int(ctx.req.param('page', 0))
    limit, page, start = paging(limit, page)
    tickets = sorted((t for t in tool['data']['tickets'] if not t.get('deleted')), key=lambda t: -t['ticket_num'])
    window = tickets[start:start + limit]
    visible = [t for t in window if perms.ticket_access(ctx.data, project, tool, t, 'read', ctx.user)]
    options = {'mount_point': tool['mount_point'], 'mount_label': tool['mount_label'], 'ordinal': tool['ordinal']}
    options.update(tool['options'])
    options['url'] = model.project_url(project) + tool['mount_point'] + '/'
    if not perms.tool_access(ctx.data, project, tool, 'admin', ctx.user):
        options.pop('TicketMonitoringEmail', None)
    return json_response({
        'tickets': [{'ticket_num': t['ticket_num'], 'summary': t['summary']} for t in visible],
        'count': len(tickets) - (len(window) - len(visible)), 'limit': limit, 'page': page,
        'tracker_config': {'_id': tool['_id'], 'options': options},
        'milestones': milestones(tool),
        'saved_bins': sorted(tool['data']['saved_bins'], key=lambda b: b['summary']),
    })


# Ticket fields of the search index: text fields match words (any case), string fields the whole value.
SEARCH_TEXT = {'summary': 'summary', 'description': 'description', 'labels': 'labels'}
SEARCH_STRING = {'status': 'status', 'assigned_to': 'assigned_to', 'reported_by': 'reported_by', 'ticket_num': 'ticket_num',
                 'milestone': '_milestone', 'private': 'private', 'discussion_disabled': 'discussion_disabled'}
SEARCH_SORT = {'ticket_num_i': 'ticket_num', 'created_date_dt': 'created_date', 'mod_date_dt': 'mod_date', 'status_s': 'status',
               'assigned_to_s': 'assigned_to', 'reported_by_s': 'reported_by', '_milestone_s': '_milestone'}
FACETS = ('_milestone', 'status', 'assigned_to', 'reported_by')
_TERM = re.compile(r'(-?)(?:([\w.]+):)?("[^"]*"|\S+)')


def _ticket_value(ticket, name):
    if name.startswith('_'):
        return ticket['custom_fields'].get(name)
    return ticket.get(name)


def _words(value):
    return set(re.findall(r'\w+', ' '.join(value) if isinstance(value, list) else str(value or ''), re.U))


def _matches(ticket, field, value, user):
    value = value.strip('"')
    if value == '$USER':
        value = user or ''
    if not field:
        wanted = {w.lower() for w in _words(value)}
        return wanted <= {w.lower() for name in SEARCH_TEXT.values() for w in _words(ticket.get(name))}
    if field in SEARCH_TEXT:
        return {w.lower() for w in _words(value)} <= {w.lower() for w in _words(ticket.get(SEARCH_TEXT[field]))}
    have = _ticket_value(ticket, SEARCH_STRING.get(field, field))
    if isinstance(have, bool) or have in ('False', 'True'):
        have = str(have).lower() == 'true'
        return value.lower() == str(have).lower()
    if value == '*':
        return have not in (None, '')
    return str(have if have is not None else '') == value


def _search_hits(tickets, q, user):
    """A Solr query as the tracker's index answers it: terms all required (q.op AND), ``OR`` between terms
    takes either, ``-`` excludes; ``field:value`` on the indexed fields, bare words in summary, description
    and labels, in any case."""
    clauses, excluded, alternative = [], [], False
    for sign, field, value in _TERM.findall(q):
        if not field and value in ('AND', 'OR'):
            alternative = value == 'OR'
            continue
        if sign:
            excluded.append((field, value))
        elif alternative and clauses:
            clauses[-1].append((field, value))
        else:
            clauses.append([(field, value)])
        alternative = False
    return [t for t in tickets
            if all(any(_matches(t, f, v, user) for f, v in clause) for clause in clauses)
            and not any(_matches(t, f, v, user) for f, v in excluded)]


def search(ctx, project, tool):
    """``Ticket.paged_search`` against a real Solr: words in any case, field terms, sort, paging, facets.
    (The recordings' server had Allura's stand-in instead; only their shape is production's.)  No ``q``
    finds nothing; an unknown sort field is a Solr error, which the server answers with a 500."""
    q = ctx.req.param('q')
    sort = ctx.req.param('sort')
    limit, page = handle_paging(ctx.req.param('limit', 100), ctx.req.param('page', 0))
    order = []
    for part in (sort or 'ticket_num_i desc').split(','):
        name, _sep, direction = part.strip().partition(' ')
        if name not in SEARCH_SORT or direction.strip() not in ('asc', 'desc', ''):
            raise server_error()
        order.append((SEARCH_SORT[name], direction.strip() == 'desc'))
    tickets, choices = [], {}
    if q:
        candidates = [t for t in tool['data']['tickets'] if not t.get('deleted')]
        hits = _search_hits(candidates, q, ctx.user)
        for key, descending in reversed(order + [('ticket_num', False)]):
            hits.sort(key=lambda t, k=key: str(_ticket_value(t, k) or '') if k != 'ticket_num' else t[k], reverse=descending)
        for facet in FACETS:
            counts = {}
            for ticket in hits:
                value = _ticket_value(ticket, facet)
                if value:
                    counts[value] = counts.get(value, 0) + 1
            if counts:
                choices[facet] = [[value, counts[value]] for value in sorted(counts)]
        window = hits[page * limit:(page + 1) * limit]
        readable = [t for t in window if perms.ticket_access(ctx.data, project, tool, t, 'read', ctx.user)]
        tickets = readable
        count = len(hits) - (len(window) - len(readable))
    else:
        count = 0
    items = []
    for ticket in tickets:
        item = ticket_json(ctx, project, tool, ticket)
        item.pop('description')
        item.pop('discussion_thread')
        items.append(item)
    return json_response({'tickets': items, 'count': count, 'q': q, 'limit': limit, 'page': page, 'sort': sort,
                          'filter': {}, 'filter_choices': choices, 'solr_error': None})


# -- validation -----------------------------------------------------------------

def _select_options(options):
    try:
        items = shlex.split(options)
    except ValueError:
        items = options.split()
    return [item[1:] if item.startswith('*') else item for item in items]


def _validation_error(ctx, errors, value):
    """``h.json_validation_error``: JSON text, status 400, served as text/plain."""
    params = {name: value for name, value in ((n, ctx.req.param(n)) for n in ctx.req.params) if not name.startswith('ticket_form')}
    params['ticket_form'] = value
    body = {'status': 'Validation Error', 'errors': errors, 'value': value, 'params': params}
    return Response(400, json.dumps(body, indent=2), 'text/plain; charset=utf-8')


def _format_errors(errors):
    """formencode's ``format_compound_error``: sorted ``key: message`` lines."""
    lines = []
    for key in sorted(errors):
        message = errors[key]
        if isinstance(message, dict):
            message = _format_errors(message)
        lines.append('%s: %s' % (key, message))
    return '\n'.join(lines)


def validate(ctx, tool, form):
    """TicketForm: returns the converted fields that were sent (absent keys stay absent)."""
    if form is None:
        raise Abort(_validation_error(ctx, {'ticket_form': 'Missing value'}, {}))
    data = tool['data']
    fields, errors = {}, {}

    def check(key, func, *args):
        if key in form and not isinstance(form[key], dict):
            try:
                fields[key] = func(form[key], *args)
            except validators.Invalid as exc:
                errors[key] = str(exc)

    for key in ('description', 'assigned_to'):
        check(key, lambda value: value)
    if 'summary' in form and not isinstance(form['summary'], dict):
        if form['summary'] == '':
            errors['summary'] = 'You must provide a Title'
        else:
            fields['summary'] = form['summary']
    check('labels', lambda value: value.split(',') if value else [])
    check('status', validators.one_of, (data['open_status_names'] + ' ' + data['closed_status_names']).split())
    check('private', validators.string_bool)
    if fields.get('private') and ctx.user is None:
        errors['private'] = 'Log in to Mark as Private'
    check('discussion_disabled', validators.string_bool)
    sent_custom = form.get('custom_fields') if isinstance(form.get('custom_fields'), dict) else None
    custom, custom_errors = {}, {}
    for field in data['custom_fields']:
        name = field['name']
        if field['type'] == 'milestone':  # milestone fields are top-level form fields
            check(name, validators.one_of, [m['name'] for m in field.get('milestones', [])])
            continue
        if sent_custom is None or name not in sent_custom or isinstance(sent_custom[name], dict):
            continue
        value = sent_custom[name]
        try:
            if field['type'] == 'select':
                custom[name] = validators.one_of(value, _select_options(field.get('options', '')))
            elif field['type'] == 'number':
                custom[name] = validators.number(value)
            elif field['type'] == 'boolean':
                custom[name] = validators.string_bool(value)
            else:
                custom[name] = value
        except validators.Invalid as exc:
            custom_errors[name] = str(exc)
    if custom_errors:
        errors['custom_fields'] = custom_errors
    if errors:
        raise Abort(_validation_error(ctx, {'ticket_form': _format_errors(errors)}, form))
    if sent_custom is not None:
        fields['custom_fields'] = custom
    return fields


# -- writing --------------------------------------------------------------------

def apply(project, tool, ticket, fields, creating):
    """``Ticket.update``: labels are reset when not sent; custom fields (``update_fields_basics``) are replaced by the
    form's when it sends any of them or the milestone (booleans not sent false, other fields not sent gone), else kept
    with every boolean reset to the string "False"."""
    ticket['labels'] = fields.get('labels', [])
    for key in ('summary', 'description', 'status'):
        if key in fields:
            ticket[key] = fields[key]
    if 'private' in fields:
        ticket['private'] = fields['private']
    if 'discussion_disabled' in fields and not creating:  # on create the thread does not exist yet: lost
        ticket['discussion_disabled'] = fields['discussion_disabled']
    assignee = fields.get('assigned_to')
    if assignee == '*anonymous':
        ticket['assigned_to'] = None
    elif assignee and model.is_member(project, assignee):
        ticket['assigned_to'] = assignee
    sent_custom = fields.get('custom_fields')
    definitions = tool['data']['custom_fields']
    if sent_custom is None and not any(f['type'] == 'milestone' and f['name'] in fields for f in definitions):
        for field in definitions:
            if field['type'] == 'boolean':
                ticket['custom_fields'][field['name']] = 'False'
    else:
        replaced = {}
        for field in definitions:
            name = field['name']
            if field['type'] == 'milestone':
                if name in fields:
                    replaced[name] = fields[name]
            elif sent_custom is not None and name in sent_custom:
                value = sent_custom[name]
                if field['type'] == 'user':
                    value = value if model.is_member(project, value) else ''
                replaced[name] = value
            elif sent_custom is not None and field['type'] == 'boolean':  # the form's schema makes it false
                replaced[name] = False
        ticket['custom_fields'] = replaced
    ticket['version'] += 1
    ticket['mod_date'] = now_str()


def new(ctx, project, tool):
    if ctx.method != 'POST':
        raise method_not_allowed()
    fields = validate(ctx, tool, ctx.req.nested('ticket_form'))
    perms.require(perms.tool_access(ctx.data, project, tool, 'create', ctx.user), 'create', ctx.user)
    tickets = tool['data']['tickets']
    now = now_str()
    ticket = {'_id': object_id(), 'ticket_num': max([t['ticket_num'] for t in tickets] or [0]) + 1, 'summary': None,
              'description': '', 'status': '', 'labels': [], 'assigned_to': None, 'reported_by': ctx.user,
              'private': False, 'discussion_disabled': False, 'custom_fields': {}, 'created_date': now, 'mod_date': now,
              'version': 0, 'thread_id': thread_id(), 'votes_up': 0, 'votes_down': 0, 'deleted': False}
    apply(project, tool, ticket, fields, creating=True)
    tickets.append(ticket)
    touch(ctx, project)
    raise redirect(urljoin(ctx.abs(ctx.req.raw_path), '%d/' % ticket['ticket_num']))


def save(ctx, project, tool, ticket):
    if ctx.method != 'POST':
        raise method_not_allowed()
    fields = validate(ctx, tool, ctx.req.nested('ticket_form'))
    perms.require(perms.ticket_access(ctx.data, project, tool, ticket, 'update', ctx.user), 'update', ctx.user)
    apply(project, tool, ticket, fields, creating=False)
    touch(ctx, project)
    raise redirect(urljoin(ctx.abs(ctx.req.raw_path), '.'))
