"""Test controls under ``/_sandbox/`` (no authentication, JSON in and out).

The real server has no such path.  Control requests are not logged and never
hit fault rules or latency.

    POST   /_sandbox/reset       back to the seed; clears log, faults and latency
    GET    /_sandbox/log         request log + counters
    POST   /_sandbox/log/clear
    GET    /_sandbox/faults      active fault rules
    POST   /_sandbox/faults      add a rule (see FaultRule)
    DELETE /_sandbox/faults      remove all rules
    GET    /_sandbox/latency     current added latency
    POST   /_sandbox/latency     {"ms": 50}
    GET    /_sandbox/state       dump of the internal state (incl. webhook secrets)
    GET    /_sandbox/config      runtime settings
    POST   /_sandbox/config      {"export_seconds": 0.2, "stock_webhook_validation": true}
"""

import collections
import json
import random
import re
import threading
import time

from .api.forums import seed_topic
from .model import tool_by_mount

ACL_ROLES = ('*anonymous', '*authenticated', 'Member', 'Developer', 'Admin', None)

FAULT_KINDS = ('429', '429-retry-after', '502', '503', '504', 'reset', 'reset-after', 'delay', 'hang')
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
                     'write': write, 'fault': fault, 'duration_ms': round(duration_ms, 3)}
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
    close after ``delay_ms``).  ``count``: how many times it fires (null =
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
        default_delay = 30000 if self.kind == 'hang' else 500
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

    def matches(self, method, path):
        if self.method and self.method.upper() != method.upper():
            return False
        return self.pattern is None or bool(self.pattern.search(path))

    def describe(self):
        return {'id': self.id, 'kind': self.kind, 'count': self.count, 'fraction': self.fraction, 'seed': self.seed,
                'retry_after': self.retry_after, 'delay_ms': self.delay_ms,
                'match': {'method': self.method, 'path_regex': self.path_regex}, 'fired': self.fired}


class Faults:
    def __init__(self):
        self.lock = threading.Lock()
        self.rules = []

    def add(self, spec):
        rule = FaultRule(spec)
        with self.lock:
            self.rules.append(rule)
        return rule

    def clear(self):
        with self.lock:
            self.rules = []

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
                return 200, {'rules': app.faults.describe()}
            if method == 'POST':
                spec = _json_body(body)
                for item in spec if isinstance(spec, list) else [spec]:
                    app.faults.add(item)
                return 200, {'status': 'ok', 'rules': app.faults.describe()}
            if method == 'DELETE':
                app.faults.clear()
                return 200, {'status': 'ok', 'rules': []}
        if name == 'latency':
            if method == 'POST':
                spec = _json_body(body)
                ms = spec.get('ms') if isinstance(spec, dict) else None
                if not isinstance(ms, (int, float)) or isinstance(ms, bool) or ms < 0:
                    raise ControlError(400, '{"ms": <non-negative number>} expected')
                app.latency_ms = ms
            if method in ('GET', 'POST'):
                return 200, {'ms': app.latency_ms}
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
        if name in ('topics', 'acl') and method == 'POST':
            with app.store.lock:
                try:
                    created = (seed_topic if name == 'topics' else set_acl)(app.store.data, _json_body(body))
                except (ValueError, TypeError) as exc:
                    raise ControlError(400, str(exc)) from exc
                app.store.changed()
                app.store.save()
            return 200, created
        if name in ('reset', 'log', 'log/clear', 'faults', 'latency', 'state', 'config', 'topics', 'acl'):
            raise ControlError(405, 'method %s not allowed on /_sandbox/%s' % (method, name))
        raise ControlError(404, 'unknown control /_sandbox/%s' % name)
    except ControlError as exc:
        return exc.status, {'error': exc.message}
