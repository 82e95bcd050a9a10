"""Replay recorded exchanges against a server and compare the answers, values included.

Standard library only. Used by the sandbox's contract test (tests/sandbox/tests/test_contract.py,
against a fresh sandbox) and by the reverse contract test (tests/real, against a real Allura).

Each recording is sent with its method, path, query, headers and body (plus ``Accept: */*``, what
the recording client sent). The answer must have the recorded status, Content-Type, ``Allow`` and
``Location``, the same kind of body and:

* JSON: the recorded values, except the values the server generates, which the recordings'
  READMEs document as dynamic:
  - ids (``_id``, every ``*_id`` key, a comment's ``slug``): any value, but consistently - a
    recorded id stands for one served id throughout the replay, and later requests, paths and
    URLs carry the served one;
  - dates (``2026-11-28``, ``2026-11-28 05:46:19.469000``): any date;
  - the server's own address (scheme, host, port) in URLs;
  - the paths the server generates for new things (comment slugs, blog post paths with their
    month and ``-NNN`` suffix): taken from ``Location`` and carried forward;
  - file system paths of the server's data (``path_map``).
  Where a README says to take only the shape (``SHAPE_ONLY``: the tracker search answers of a
  server without Solr), keys and value types are compared, recursively, an empty recorded list
  or object standing for any.
* HTML: the page title and, for the short WebOb bodies (redirects, 201, 400, 401, 405), the text.
* Other text (DOAP's RDF/XML): the text, with the server's address and dates masked.
"""

import http.client
import json
import os
import re
import ssl
import time
from html.parser import HTMLParser
from urllib.parse import urlsplit

HERE = os.path.dirname(os.path.abspath(__file__))
RECORDING_SETS = {
    'recordings': os.path.join(HERE, 'recordings'),
    'recordings-wave2': os.path.join(HERE, 'recordings-wave2'),
    # has_access at every level and on every kind of tool, unknown names included (recorded with record.py)
    'recordings-access': os.path.join(HERE, 'recordings-access'),
    # this project's own cases, recorded from a real Allura (tests/real/cases.py, record_cases.py)
    'contract-cases': os.path.join(HERE, 'contract-cases'),
}
# Ticket searches: the recording servers had Allura's in-process stand-in for Solr (both READMEs say
# so: "take only the response shape"), so these answers are compared by shape, an empty recorded
# list or object standing for any (what the stand-in found nothing for, Solr may fill).
SHAPE_ONLY = re.compile(r'^(tracker__search|tracker_search__)')
DATE = re.compile(r'^\d{4}-\d{2}-\d{2}( \d{2}:\d{2}:\d{2}(\.\d+)?)?$')
# a date and time in a generated name (an export's file name: test-backup-2026-11-28-054623.zip)
DATE_IN_NAME = re.compile(r'\d{4}-\d{2}-\d{2}-\d{6}')
DATE_IN_TEXT = re.compile(r'\d{4}-\d{2}-\d{2}( \d{2}:\d{2}:\d{2}(\.\d+)?)?')
ID_KEYS = re.compile(r'^(_id|.+_id|slug)$')
WEBOB_BODY_LIMIT = 2000  # longer HTML bodies are Allura's full error page: the title is compared


def load(name):
    """[(file name, recording)] of a recording set, in the recorded order, and its base URL."""
    directory = RECORDING_SETS[name]
    with open(os.path.join(directory, 'index.json'), encoding='utf-8') as handle:
        index = json.load(handle)
    result = []
    for entry in index['recordings']:
        with open(os.path.join(directory, entry['file']), encoding='utf-8') as handle:
            result.append((entry['file'], json.load(handle)))
    return result, index['base_url']


def is_exchange(recording):
    request = recording.get('request')
    return bool(request and request.get('method'))


# -- shapes -------------------------------------------------------------------------------------

def shape(value):
    if isinstance(value, dict):
        return ('object', tuple(sorted((key, shape(item)) for key, item in value.items())))
    if isinstance(value, list):
        return ('array', frozenset(shape(item) for item in value))
    if isinstance(value, bool):
        return 'bool'
    if isinstance(value, (int, float)):
        return 'number'
    if value is None:
        return 'null'
    return 'string'


def shape_diff(expected, actual, path='$', loose=False):
    """Differences between two JSON values' shapes (lists: by the set of their item shapes).

    loose: an empty recorded list or object stands for any list or object, and an empty served
    list for any recorded one.
    """
    if loose and expected in ([], {}) and type(actual) is type(expected):
        return []
    if isinstance(expected, dict) and isinstance(actual, dict):
        problems = []
        for key in sorted(set(expected) | set(actual)):
            if key not in actual:
                problems.append('%s.%s missing' % (path, key))
            elif key not in expected:
                problems.append('%s.%s unexpected' % (path, key))
            else:
                problems += shape_diff(expected[key], actual[key], '%s.%s' % (path, key), loose)
        return problems
    if isinstance(expected, list) and isinstance(actual, list):
        if loose and not actual:
            return []
        want = {shape(item) for item in expected}
        got = {shape(item) for item in actual}
        if want == got:
            return []
        if len(want) == 1 and len(got) == 1:
            return shape_diff(expected[0], actual[0], path + '[]', loose)
        return ['%s: item shapes differ (%d recorded kinds, %d served, %d vs %d items)'
                % (path, len(want), len(got), len(expected), len(actual))]
    if shape(expected) != shape(actual):
        return ['%s: %s recorded, %s served (%r)' % (path, shape(expected), shape(actual), actual)]
    return []


# -- generated values ---------------------------------------------------------------------------

class Generated:
    """What the server generated so far: recorded value -> served value, both ways unique."""

    def __init__(self, recorded_base, served_base, path_map=None):
        self.recorded_base = recorded_base.rstrip('/')
        self.served_base = served_base.rstrip('/')
        self.path_map = dict(path_map or {})  # served file system prefix -> recorded one
        self.ids = {}
        self._served_ids = {}
        self.prefixes = {}  # recorded path segments (tuple) -> served ones

    def learn_id(self, recorded, served):
        """False when the pair contradicts an earlier one (one id standing for two)."""
        if recorded == served and recorded not in self.ids:
            return self._served_ids.get(served, recorded) == recorded
        known = self.ids.get(recorded)
        if known is not None:
            return known == served
        if self._served_ids.get(served, recorded) != recorded:
            return False
        self.ids[recorded] = served
        self._served_ids[served] = recorded
        return True

    def learn_location(self, recorded_path, served_path):
        """Record the generated segments of a new thing's path (comment slug, blog post)."""
        old = self.path(recorded_path).split('/')
        new = served_path.split('/')
        differ = [number for number, (a, b) in enumerate(zip(old, new)) if a != b]
        if len(old) == len(new) and differ:
            self.prefixes[tuple(old[:differ[-1] + 1])] = tuple(new[:differ[-1] + 1])

    def path(self, path):
        """A recorded path with the generated values the server chose instead."""
        segments = [self.ids.get(segment, segment) for segment in path.split('/')]
        for old in self.prefixes:  # in the order learned: each was learned on a path with the earlier ones applied
            for start in range(len(segments) - len(old) + 1):
                if tuple(segments[start:start + len(old)]) == old:
                    segments[start:start + len(old)] = self.prefixes[old]
        return '/'.join(segments)

    def recorded_string(self, value):
        """A recorded string as this server should serve it."""
        if value in self.ids:
            return self.ids[value]
        if value.startswith(self.recorded_base + '/'):
            path, sep, query = value[len(self.recorded_base):].partition('?')
            return self.served_base + self.path(path) + sep + query
        if value.startswith('/'):
            return self.path(value)
        return value

    def recorded_text(self, text):
        """A recorded text (an HTML body) with its URLs as this server should serve them."""
        return re.sub(re.escape(self.recorded_base) + r'/[^\s"<>]*', lambda m: self.recorded_string(m.group(0)), text)

    def learn_ids(self, expected, actual, key=None):
        """Learn the ids of a whole answer first: later keys (URLs) may carry them."""
        if isinstance(expected, dict) and isinstance(actual, dict):
            for name in set(expected) & set(actual):
                self.learn_ids(expected[name], actual[name], name)
        elif isinstance(expected, list) and isinstance(actual, list) and len(expected) == len(actual):
            for want, got in zip(expected, actual):
                self.learn_ids(want, got, key)
        elif isinstance(expected, str) and isinstance(actual, str) and key and ID_KEYS.match(key):
            self.learn_id(expected, self.served_string(actual))

    def served_string(self, value):
        for served, recorded in self.path_map.items():
            value = value.replace(served, recorded)
        return value


def value_diff(expected, actual, generated, path='$', key=None):
    """Differences between a recorded JSON value and a served one (see the module docstring)."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        problems = []
        for name in sorted(set(expected) | set(actual)):
            if name not in actual:
                problems.append('%s.%s missing' % (path, name))
            elif name not in expected:
                problems.append('%s.%s unexpected (%r)' % (path, name, actual[name]))
            else:
                problems += value_diff(expected[name], actual[name], generated, '%s.%s' % (path, name), name)
        return problems
    if isinstance(expected, list) and isinstance(actual, list):
        if len(expected) != len(actual):
            return ['%s: %d items recorded, %d served (%s)' % (path, len(expected), len(actual), _short(actual))]
        problems = []
        for number, (want, got) in enumerate(zip(expected, actual)):
            problems += value_diff(want, got, generated, '%s[%d]' % (path, number), key)
        return problems
    if isinstance(expected, str) and isinstance(actual, str):
        actual = generated.served_string(actual)
        if key is not None and ID_KEYS.match(key):
            if generated.learn_id(expected, actual):
                return []
            return ['%s: id %r recorded, %r served, which stands for another one' % (path, expected, actual)]
        if DATE.match(expected) and DATE.match(actual):
            return []
        if DATE_IN_NAME.sub('DATE', expected) == DATE_IN_NAME.sub('DATE', actual):
            return []
        if generated.recorded_string(expected) == actual:
            return []
        return ['%s: %s recorded, %s served' % (path, _short(expected), _short(actual))]
    if type(expected) is not type(actual) or expected != actual:  # True == 1, but not in JSON
        return ['%s: %s recorded, %s served' % (path, _short(expected), _short(actual))]
    return []


def _short(value, limit=160):
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[:limit] + '...'


# -- HTML ---------------------------------------------------------------------------------------

class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.title, self.text, self._in_title = '', [], False

    def handle_starttag(self, tag, attrs):
        self._in_title = tag == 'title'

    def handle_endtag(self, tag):
        self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data
        self.text.append(data)


def html_summary(body):
    """(title, visible text with collapsed whitespace or None for a full page)."""
    parser = _Text()
    parser.feed(body)
    text = ' '.join(' '.join(parser.text).split()) if len(body) < WEBOB_BODY_LIMIT else None
    return parser.title.strip(), text


# -- replay -------------------------------------------------------------------------------------

def body_kind(content_type, body):
    if not body:
        return 'empty'
    media = (content_type or '').split(';')[0].strip().lower()
    if media == 'application/json':
        return 'json'
    if media == 'text/html':
        return 'html'
    if media.startswith('text/'):
        return 'text'
    return media


def send(base_url, method, path, headers, body, ca_file=None):
    parts = urlsplit(base_url)
    if parts.scheme == 'https':
        context = ssl.create_default_context(cafile=ca_file)
        conn = http.client.HTTPSConnection(parts.hostname, parts.port, timeout=60, context=context)
    else:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    try:
        conn.request(method, path, body=body.encode('utf-8') if body is not None else None, headers=headers)
        resp = conn.getresponse()
        return resp.status, dict(resp.getheaders()), resp.read()
    finally:
        conn.close()


def _header(headers, name):
    for key, value in headers.items():
        if key.lower() == name.lower():
            return value
    return None


def compare(name, expected, status, headers, body, generated):
    """Problems of one served answer against the recorded one (learns the generated values)."""
    problems = []
    content_type = _header(headers, 'Content-Type') or ''
    if status != expected['status']:
        problems.append('status %s, recorded %s' % (status, expected['status']))
    if content_type.lower() != expected['content_type'].lower():
        problems.append('Content-Type %r, recorded %r' % (content_type, expected['content_type']))
    recorded_location = expected['headers'].get('Location')
    location = _header(headers, 'Location')
    if recorded_location or location:
        if not recorded_location or not location:
            problems.append('Location %r, recorded %r' % (location, recorded_location))
        else:
            generated.learn_location(urlsplit(recorded_location).path, urlsplit(location).path)
            want = generated.recorded_string(recorded_location)
            if want != location:
                problems.append('Location %r, recorded %r (expected here: %r)' % (location, recorded_location, want))
    if (expected['headers'].get('Allow') or None) != _header(headers, 'Allow'):
        problems.append('Allow %r, recorded %r' % (_header(headers, 'Allow'), expected['headers'].get('Allow')))
    text = body.decode('utf-8', 'replace')
    want_kind = body_kind(expected['content_type'], expected['body'])
    got_kind = body_kind(content_type, text)
    if want_kind != got_kind:
        problems.append('body kind %s, recorded %s' % (got_kind, want_kind))
    elif got_kind == 'json':
        served = json.loads(text)
        if SHAPE_ONLY.match(name):
            problems += shape_diff(expected['json'], served, loose=True)
        else:
            generated.learn_ids(expected['json'], served)
            problems += value_diff(expected['json'], served, generated)
    elif got_kind not in ('html', 'empty'):  # other text (DOAP's RDF/XML): the text itself
        want_text = DATE_IN_TEXT.sub('DATE', generated.recorded_text(expected['body']))
        if want_text != DATE_IN_TEXT.sub('DATE', generated.served_string(text)):
            problems.append('body %s, recorded %s' % (_short(text), _short(expected['body'])))
    elif got_kind == 'html':
        want_title, want_text = html_summary(expected['body'])
        got_title, got_text = html_summary(text)
        if want_title != got_title:
            problems.append('HTML title %r, recorded %r' % (got_title, want_title))
        elif want_text is not None and generated.recorded_text(want_text) != generated.served_string(got_text or ''):
            problems.append('HTML text %r, recorded %r' % (got_text, want_text))
    return problems


def replay(recordings, recorded_base, served_base, skip=None, before=None, path_map=None, ca_file=None):
    """Replay the exchanges in order; returns (replayed names, {skipped name: reason}, [mismatch]).

    skip: {file name: reason} left out (notes without an HTTP exchange are always left out);
    before(name): called before each replayed exchange (e.g. to wait for an export).
    """
    skip = dict(skip or {})
    generated = Generated(recorded_base, served_base, path_map)
    replayed, skipped, mismatches = [], {}, []
    for name, recording in recordings:
        if not is_exchange(recording):
            skipped[name] = 'a note, not an HTTP exchange'
            continue
        if name in skip:
            skipped[name] = skip[name]
            continue
        if before:
            before(name)
        request = recording['request']
        path = generated.path(request['path'])
        if request.get('query'):
            path += '?' + request['query']
        headers = dict(request.get('headers') or {})
        headers.setdefault('Accept', '*/*')
        status, served_headers, body = send(served_base, request['method'], path, headers, request.get('body'), ca_file)
        replayed.append(name)
        problems = compare(name, recording['response'], status, served_headers, body, generated)
        if problems:
            mismatches.append('%s (%s %s): %s' % (name, request['method'], path, '; '.join(problems)))
    return replayed, skipped, mismatches


def wait_until(probe, timeout=20, step=0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if probe():
            return True
        time.sleep(step)
    return False
