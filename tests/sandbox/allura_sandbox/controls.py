"""Test controls under ``/_sandbox/`` (no authentication, JSON in and out).

The real server has no such path.  Control requests are not logged and never
hit fault rules or latency.

    POST   /_sandbox/reset       back to the seed; clears log, faults, latency and service time
    GET    /_sandbox/log         request log + counters
    POST   /_sandbox/log/clear
    GET    /_sandbox/faults      active fault rules
    POST   /_sandbox/faults      add a rule (see FaultRule)
    DELETE /_sandbox/faults      remove all rules
    POST   /_sandbox/faults/release  {"id": N}: let the requests a hold rule keeps waiting go on
    GET    /_sandbox/latency     current added latency
    POST   /_sandbox/latency     {"ms": 50}
    GET    /_sandbox/service     current service time (each request holds the one service lock that long)
    POST   /_sandbox/service     {"ms": 20}
    GET    /_sandbox/state       dump of the internal state (incl. webhook secrets)
    GET    /_sandbox/config      runtime settings
    POST   /_sandbox/config      {"export_seconds": 0.2, "stock_webhook_validation": true}
    POST   /_sandbox/topics      a forum topic (REST cannot create one)
    POST   /_sandbox/acl         the least role holding a permission on one tool
    POST   /_sandbox/tracker     a tracker's status names and custom fields, as its Field Management page sets them
    POST   /_sandbox/member      a user's role in a project, as Admin > User Permissions sets it
"""

import collections
import json
import random
import re
import threading
import time

from .api.forums import seed_topic
from .model import tool_by_mount

# tracker_main.NONALNUM_RE: how Allura makes a custom field's name from its label
NONALNUM_RE = re.compile(r'\W+')
ACL_ROLES = ('*anonymous', '*authenticated', 'Member', 'Developer', 'Admin', None)

FAULT_KINDS = ('429', '429-retry-after', '502', '503', '504', 'reset', 'reset-after', 'delay', 'hang', 'hold')
MAX_LOG_ENTRIES = 50000


class ControlError(Exception):
    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.message = message


class RequestLog:
    """Every non-control request with its outcome, plus running counters."""

    def __init__(self):
        self.lock = threading.Lock()
        self.clear()

    def clear(self):
        with self.lock:
            self.seq = 0
            self.entries = collections.deque(maxlen=MAX_LOG_ENTRIES)
            self.counters = {'total': 0, 'writes': 0, 'by_method': {}, 'by_status': {}, 'by_path': {},
                             'internal_errors': 0}

    def add(self, method, path, query, status, user, write, fault, duration_ms, internal_error=False):
        with self.lock:
            self.seq += 1
            entry = {'seq': self.seq, 'method': method, 'path': path, 'query': query, 'status': status, 'user': user,
                     'write': write, 'fault': fault, 'duration_ms': round(duration_ms, 3),
                     'started': round(time.time() - duration_ms / 1000.0, 4)}  # when it arrived (epoch seconds)
            self.entries.append(entry)
            counters = self.counters
            counters['total'] += 1
            counters['writes'] += int(bool(write))
            counters['internal_errors'] += int(internal_error)
            for key, value in (('by_method', method), ('by_status', str(status)), ('by_path', path)):
                counters[key][value] = counters[key].get(value, 0) + 1
            return entry

    def snapshot(self):
        with self.lock:
            return {'requests': list(self.entries), 'counters': json.loads(json.dumps(self.counters))}


class FaultRule:
    """One injected failure.

    ``kind``: 429 | 429-retry-after | 502 | 503 | 504 (answer that status
    without touching the state), reset (drop the connection before
    processing), reset-after (process - state changes! - then drop without
    answering), delay (sleep ``delay_ms`` then process), hang (never answer;
    close after ``delay_ms``), hold (wait until the rule is released - POST
    /_sandbox/faults/release - or for ``delay_ms`` at most, then process: a test
    orders concurrent requests by what it sees, never by how long it waits).  ``count``: how many times it fires (null =
    until removed); ``fraction`` + ``seed``: fire randomly but reproducibly;
    ``match``: ``{"method": "POST", "path_regex": "..."}`` (re.search on the
    path without query string).
    """

    _ids = iter(range(1, 1 << 30))

    def __init__(self, spec):
        if not isinstance(spec, dict):
            raise ControlError(400, 'a fault rule is a JSON object')
        unknown = set(spec) - {'kind', 'count', 'fraction', 'seed', 'retry_after', 'delay_ms', 'match'}
        if unknown:
            raise ControlError(400, 'unknown fault rule keys: %s' % ', '.join(sorted(unknown)))
        self.kind = str(spec.get('kind'))
        if self.kind not in FAULT_KINDS:
            raise ControlError(400, 'kind must be one of %s' % ', '.join(FAULT_KINDS))
        self.count = spec.get('count')
        if self.count is not None and (not isinstance(self.count, int) or isinstance(self.count, bool) or self.count < 1):
            raise ControlError(400, 'count must be a positive integer or null')
        self.fraction = spec.get('fraction', 1.0)
        if not isinstance(self.fraction, (int, float)) or not 0 <= self.fraction <= 1:
            raise ControlError(400, 'fraction must be between 0 and 1')
        self.seed = spec.get('seed')
        self.random = random.Random(self.seed)
        self.retry_after = spec.get('retry_after', 1)
        default_delay = 30000 if self.kind in ('hang', 'hold') else 500
        self.delay_ms = spec.get('delay_ms', default_delay)
        if not isinstance(self.delay_ms, (int, float)) or self.delay_ms < 0:
            raise ControlError(400, 'delay_ms must be a non-negative number')
        match = spec.get('match') or {}
        if not isinstance(match, dict) or set(match) - {'method', 'path_regex'}:
            raise ControlError(400, 'match takes "method" and "path_regex"')
        self.method = match.get('method')
        self.path_regex = match.get('path_regex')
        try:
            self.pattern = re.compile(self.path_regex) if self.path_regex else None
        except (re.error, TypeError) as exc:
            raise ControlError(400, 'bad path_regex: %s' % exc) from exc
        self.id = next(self._ids)
        self.fired = 0
        self.waiting = 0  # requests a hold rule keeps waiting now
        self.released = threading.Event()
        self.lock = threading.Lock()

    def hold(self):
        """Keep a request waiting until the rule is released (at most delay_ms)."""
        with self.lock:
            self.waiting += 1
        try:
            self.released.wait(self.delay_ms / 1000.0)
        finally:
            with self.lock:
                self.waiting -= 1

    def matches(self, method, path):
        if self.method and self.method.upper() != method.upper():
            return False
        return self.pattern is None or bool(self.pattern.search(path))

    def describe(self):
        return {'id': self.id, 'kind': self.kind, 'count': self.count, 'fraction': self.fraction, 'seed': self.seed,
                'retry_after': self.retry_after, 'delay_ms': self.delay_ms,
                'match': {'method': self.method, 'path_regex': self.path_regex}, 'fired': self.fired,
                'waiting': self.waiting, 'released': self.released.is_set()}


class Faults:
    def __init__(self):
        self.lock = threading.Lock()
        self.rules = []
        self.holds = {}  # every hold rule since the last clear, by id, used up or not: what waits, and releasing it

    def add(self, spec):
        rule = FaultRule(spec)
        with self.lock:
            self.rules.append(rule)
            if rule.kind == 'hold':
                self.holds[rule.id] = rule
        return rule

    def clear(self):
        with self.lock:
            self.rules = []
            holds, self.holds = self.holds, {}
        for rule in holds.values():  # nothing stays held by a rule that is gone
            rule.released.set()

    def release(self, spec):
        with self.lock:
            rule = self.holds.get(spec.get('id') if isinstance(spec, dict) else None)
        if rule is None:
            raise ControlError(404, 'no hold rule with id %r' % (spec.get('id') if isinstance(spec, dict) else spec))
        rule.released.set()
        return rule.describe()

    def pick(self, method, path):
        """The first matching rule that fires for this request (consumes its count)."""
        with self.lock:
            for rule in list(self.rules):
                if not rule.matches(method, path) or rule.random.random() >= rule.fraction:
                    continue
                rule.fired += 1
                if rule.count is not None:
                    rule.count -= 1
                    if rule.count <= 0:
                        self.rules.remove(rule)
                return rule
        return None

    def describe(self):
        with self.lock:
            return [rule.describe() for rule in self.rules]

    def describe_holds(self):
        with self.lock:
            return [rule.describe() for rule in self.holds.values()]


def _json_body(body):
    if not body:
        return {}
    try:
        return json.loads(body)
    except ValueError as exc:
        raise ControlError(400, 'body is not JSON: %s' % exc) from exc


def set_acl(data, spec):
    """One permission of one tool, as the tool's permission page in the web admin sets it."""
    if not isinstance(spec, dict) or set(spec) - {'project', 'mount_point', 'permission', 'role'}:
        raise ValueError('{"project", "mount_point", "permission", "role"} expected')
    project = data['projects'].get(spec.get('project', 'p/test'))
    tool = tool_by_mount(project, spec.get('mount_point')) if project else None
    if tool is None:
        raise ValueError('no tool %r in project %r' % (spec.get('mount_point'), spec.get('project', 'p/test')))
    if not isinstance(spec.get('permission'), str) or spec.get('role', '') not in ACL_ROLES:
        raise ValueError('permission is a name, role one of %s' % ', '.join(str(r) for r in ACL_ROLES))
    tool.setdefault('acl', {})[spec['permission']] = spec['role']
    return {'project': spec.get('project', 'p/test'), 'mount_point': tool['mount_point'], 'acl': tool['acl']}


def _tool_of(data, spec, keys, kind=None):
    if not isinstance(spec, dict) or set(spec) - set(keys):
        raise ValueError('{%s} expected' % ', '.join('"%s"' % k for k in keys))
    project = data['projects'].get(spec.get('project', 'p/test'))
    tool = tool_by_mount(project, spec.get('mount_point')) if project else None
    if tool is None or (kind and tool['tool'] != kind):
        raise ValueError('no %s tool %r in project %r' % (kind or '', spec.get('mount_point'), spec.get('project', 'p/test')))
    return project, tool


def set_tracker_fields(data, spec):
    """A tracker's Field Management page (TrackerAdminController.set_custom_fields): the form always posts the status
    names and the whole list of custom fields; a field left out is deleted, a name is made from the label when none is
    given, a milestone's "/" becomes "-"; tickets lose the values of deleted milestone fields and of deleted milestones
    (those become ''), and follow a milestone renamed with `old_name`."""
    _project, tool = _tool_of(data, spec, ('project', 'mount_point', 'open_status_names', 'closed_status_names', 'custom_fields'),
                              'tickets')
    opened, closed, fields = spec.get('open_status_names'), spec.get('closed_status_names'), spec.get('custom_fields')
    if not isinstance(opened, str) or not isinstance(closed, str) or not isinstance(fields, list):
        raise ValueError('open_status_names and closed_status_names (space-separated strings) and custom_fields (a list) '
                         'are required: the page always sends all three')
    stored = []
    for field in fields:
        if not isinstance(field, dict) or not isinstance(field.get('label'), str) or field.get('type') not in FIELD_TYPES:
            raise ValueError('a custom field is {"label", "type" (%s), "name", "options", "milestones"}' % ', '.join(FIELD_TYPES))
        name = field.get('name') or '_' + '_'.join(w for w in NONALNUM_RE.split(field['label'].lower()) if w)
        entry = {'name': name, 'label': field['label'], 'type': field['type'], 'options': field.get('options') or '',
                 'show_in_search': bool(field.get('show_in_search'))}
        if field['type'] == 'milestone':
            entry['milestones'] = []
            for milestone in field.get('milestones') or []:
                item = {'name': str(milestone['name']).replace('/', '-'), 'due_date': milestone.get('due_date') or '',
                        'description': milestone.get('description') or '', 'complete': bool(milestone.get('complete'))}
                if milestone.get('default'):
                    item['default'] = 'True'
                if milestone.get('old_name'):
                    item['old_name'] = milestone['old_name']
                entry['milestones'].append(item)
        stored.append(entry)
    before = {f['name']: f for f in tool['data']['custom_fields'] if f['type'] == 'milestone'}
    for ticket in tool['data']['tickets']:
        values = ticket['custom_fields']
        for name, old in before.items():
            new = next((f for f in stored if f['name'] == name and f['type'] == 'milestone'), None)
            if new is None:
                values.pop(name, None)
                continue
            renamed = {m['old_name']: m['name'] for m in new['milestones'] if m.get('old_name')}
            kept = {m['name'] for m in new['milestones']} | set(renamed)
            if values.get(name) in renamed:
                values[name] = renamed[values[name]]
            elif values.get(name) and values[name] not in kept and values[name] in {m['name'] for m in old['milestones']}:
                values[name] = ''
    for entry in stored:
        for milestone in entry.get('milestones', ()):
            milestone.pop('old_name', None)
    tool['data'].update(open_status_names=opened, closed_status_names=closed, custom_fields=stored)
    return {'project': spec.get('project', 'p/test'), 'mount_point': tool['mount_point'], 'open_status_names': opened,
            'closed_status_names': closed, 'custom_fields': stored}


def set_member(data, spec):
    """Admin > User Permissions: a user added to a project group (Member, Developer or Admin), or removed (null)."""
    if not isinstance(spec, dict) or set(spec) - {'project', 'user', 'role'}:
        raise ValueError('{"project", "user", "role"} expected')
    project = data['projects'].get(spec.get('project', 'p/test'))
    if project is None:
        raise ValueError('no project %r' % spec.get('project', 'p/test'))
    user, role = spec.get('user'), spec.get('role')
    if user not in data['users'] or role not in ('Member', 'Developer', 'Admin', None):
        raise ValueError('user is an existing user name, role one of Member, Developer, Admin or null')
    if role is None:
        project['roles'].pop(user, None)
    else:
        project['roles'][user] = role
    return {'project': spec.get('project', 'p/test'), 'roles': project['roles']}


CONTROLS = {'topics': seed_topic, 'acl': set_acl, 'tracker': set_tracker_fields, 'member': set_member}
FIELD_TYPES = ('string', 'number', 'boolean', 'select', 'milestone', 'user')


def handle(app, method, path, body):
    """Run one control request; returns (status, JSON-able object)."""
    name = path[len('/_sandbox'):].strip('/')
    try:
        if name == 'reset' and method == 'POST':
            app.reset()
            return 200, {'status': 'ok'}
        if name == 'log' and method == 'GET':
            return 200, app.log.snapshot()
        if name == 'log/clear' and method == 'POST':
            app.log.clear()
            return 200, {'status': 'ok'}
        if name == 'faults':
            if method == 'GET':
                return 200, {'rules': app.faults.describe(), 'holds': app.faults.describe_holds()}
            if method == 'POST':
                spec = _json_body(body)
                for item in spec if isinstance(spec, list) else [spec]:
                    app.faults.add(item)
                return 200, {'status': 'ok', 'rules': app.faults.describe()}
            if method == 'DELETE':
                app.faults.clear()
                return 200, {'status': 'ok', 'rules': []}
        if name == 'faults/release' and method == 'POST':
            return 200, {'status': 'ok', 'rule': app.faults.release(_json_body(body))}
        if name in ('latency', 'service'):
            attribute = name + '_ms'
            if method == 'POST':
                spec = _json_body(body)
                ms = spec.get('ms') if isinstance(spec, dict) else None
                if not isinstance(ms, (int, float)) or isinstance(ms, bool) or ms < 0:
                    raise ControlError(400, '{"ms": <non-negative number>} expected')
                setattr(app, attribute, ms)
            if method in ('GET', 'POST'):
                return 200, {'ms': getattr(app, attribute)}
        if name == 'state' and method == 'GET':
            state = app.store.snapshot()
            now = time.time()
            for export in state['exports']:
                export['status'] = 'busy' if export['finish_at'] > now else 'done'
            return 200, state
        if name == 'config':
            if method == 'POST':
                app.configure(_json_body(body))
            if method in ('GET', 'POST'):
                return 200, app.config()
        if name in CONTROLS and method == 'POST':
            with app.store.lock:
                try:
                    created = CONTROLS[name](app.store.data, _json_body(body))
                except (ValueError, TypeError) as exc:
                    raise ControlError(400, str(exc)) from exc
                app.store.changed()
                app.store.save()
            return 200, created
        if name in ('reset', 'log', 'log/clear', 'faults', 'faults/release', 'latency', 'service', 'state', 'config') or name in CONTROLS:
            raise ControlError(405, 'method %s not allowed on /_sandbox/%s' % (method, name))
        raise ControlError(404, 'unknown control /_sandbox/%s' % name)
    except ControlError as exc:
        return exc.status, {'error': exc.message}
