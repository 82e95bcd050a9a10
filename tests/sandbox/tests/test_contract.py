"""Contract test: replay every recorded exchange against a fresh sandbox.

The recordings (``tests/sandbox/recordings`` and ``recordings-wave2``, one
batch each, see BATCHES) were taken from a real Allura in order, each batch
from the starting state the sandbox seeds.  Each one is replayed with the
recorded method, path, query, headers and body; the response must have the
same status, the same Content-Type, the same kind of body (JSON / HTML /
text / empty), the same JSON shape (keys and value types, recursively; lists
compared by the set of shapes of their items) and, for redirects, the same
``Location`` path.  A batch compared by value (``values``) goes further: the
JSON and the bodies of redirects and WebOb errors must be equal, and the
title and message of error pages, except for the values the server
generates, which must correspond one to one (``contract_values``); only its
``shape_only`` exchanges are compared by shape.

Ids the server generates are mapped on the way (webhook ids from the create
responses).  Requests get ``Accept: */*`` because that is what the recording
client (python-requests) sent: it is why the recorded error bodies are HTML.

Skipped, per the recordings README: entries without an HTTP exchange (notes)
and ``code__repo_after_push.json`` (follows a real ``git push``).  The README
also lists the two "busy export" recordings and the ftp:// webhook pair as
out-of-band; the sandbox reproduces them (its export stays busy for a
configurable time, and its default webhook validation is the recording
server's relaxed one), so they are replayed too.
"""

import http.client
import json
import os
import re
import time
from urllib.parse import urlsplit

import pytest

from contract_values import Generated

SANDBOX = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RECORDINGS = os.path.join(SANDBOX, 'recordings')
OUT_OF_BAND = {'code__repo_after_push.json': 'follows a real git push to the repository'}
EXPORT_OK = 'admin_export__ok.json'
EXPORT_READY = 'admin_export_status__ready.json'

# Each batch was recorded on its own fresh server: directory, how it is compared, what is not replayed.
# The recording servers' ticket search was Allura's in-process Solr stand-in (recordings-wave2/README.md):
# those answers are compared by their shape only, an empty list or object standing for any.
BATCHES = {
    'recordings': dict(directory=RECORDINGS, values=False, shape_only=('tracker__search',),
                       skipped={'webhook_delivery__repo_push.json', 'admin_export__artifact.json',
                                'smtp_sink__messages.json', 'code__repo_after_push.json'}),
    'recordings-wave2': dict(directory=os.path.join(SANDBOX, 'recordings-wave2'), values=True,
                             shape_only=('tracker_search__',), skipped=set()),
    # has_access at every level and on every kind of tool, unknown names included (recorded with record.py)
    'recordings-access': dict(directory=os.path.join(SANDBOX, 'recordings-access'), values=True, shape_only=(),
                              skipped=set()),
}


def load_recordings(directory=RECORDINGS):
    with open(os.path.join(directory, 'index.json'), encoding='utf-8') as handle:
        index = json.load(handle)
    result = []
    for entry in index['recordings']:
        with open(os.path.join(directory, entry['file']), encoding='utf-8') as handle:
            result.append((entry['file'], json.load(handle)))
    return index, result


# -- comparison helpers -------------------------------------------------------------

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
    """Human readable differences between two JSON values' shapes.

    loose: an empty recorded list or object stands for any list or object (what a recording of a
    stand-in shows empty, such as the Solr stand-in's hits and facets, may be filled by the real thing).
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


def location_path(location, id_map):
    path = urlsplit(location).path
    for old, new in id_map.items():
        path = path.replace(old, new)
    return re.sub(r'/blog/\d{4}/\d{2}/', '/blog/YYYY/MM/', path)


# -- replay ------------------------------------------------------------------------

def send(base_url, method, path, headers, body):
    parts = urlsplit(base_url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        conn.request(method, path, body=body.encode('utf-8') if body is not None else None, headers=headers)
        resp = conn.getresponse()
        return resp.status, resp.getheader('Content-Type', ''), resp.getheader('Location'), resp.getheader('Allow'), resp.read()
    finally:
        conn.close()


def wait_export_ready(sb, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        _status, body = sb.json('GET', '/rest/p/test/admin/export_status', token=sb.ADMIN_TOKEN)
        if body == {'status': 'ready'}:
            return
        time.sleep(0.1)
    raise AssertionError('export still busy after %ss' % timeout)


def error_page_text(body):
    """What an Allura error page (403/404/500) says: its title and its message; the rest is site chrome."""
    title = re.search(r'<title>(.*?)</title>', body, re.S)
    message = re.search(r'<p>(.*?)</p>', body.split('id="content_base"', 1)[-1], re.S)
    return '%s | %s' % (title.group(1).strip() if title else '', message.group(1).strip() if message else '')


def body_diff(generated, status, expected, served):
    """[problem] between a recorded and a served non-JSON body, by value."""
    if status in (403, 404, 500):
        return generated.text_diff(error_page_text(expected), error_page_text(served), 'error page')
    return generated.text_diff(expected, served, 'body')


def replay(sb, batch='recordings'):
    """Replay a batch; returns (replayed names, skipped {name: reason}, mismatches [str])."""
    config = BATCHES[batch]
    index, recordings = load_recordings(config['directory'])
    generated = Generated(index['base_url'], sb.url)
    id_map, replayed, skipped, mismatches = {}, [], {}, []
    for name, rec in recordings:
        request = rec.get('request')
        if not request or not request.get('method'):
            skipped[name] = 'a note, not an HTTP exchange'
            continue
        if name in OUT_OF_BAND:
            skipped[name] = OUT_OF_BAND[name]
            continue
        if name == EXPORT_OK:
            sb.config(export_seconds=3)  # long enough for the two "busy" recordings that follow
        if name == EXPORT_READY:
            wait_export_ready(sb)  # the recording itself was taken after polling
        stand_in = name.startswith(config['shape_only'])
        by_value = config['values'] and not stand_in
        path = request['path']
        for old, new in id_map.items():
            path = path.replace(old, new)
        if config['values']:
            path = generated.translate(path)
        if request.get('query'):
            path += '?' + request['query']
        headers = dict(request.get('headers') or {})
        headers.setdefault('Accept', '*/*')
        status, content_type, location, allow, body = send(sb.url, request['method'], path, headers, request.get('body'))
        replayed.append(name)
        expected = rec['response']
        problems = []
        if status != expected['status']:
            problems.append('status %s, recorded %s' % (status, expected['status']))
        if content_type.lower() != expected['content_type'].lower():
            problems.append('Content-Type %r, recorded %r' % (content_type, expected['content_type']))
        want_kind = body_kind(expected['content_type'], expected['body'])
        got_kind = body_kind(content_type, body)
        if want_kind != got_kind:
            problems.append('body kind %s, recorded %s' % (got_kind, want_kind))
        elif got_kind == 'json':
            served = json.loads(body)
            problems += (generated.diff(expected['json'], served) if by_value
                         else shape_diff(expected['json'], served, loose=stand_in))
            if status == 201 and isinstance(served, dict) and '_id' in served and isinstance(expected['json'], dict):
                id_map[expected['json']['_id']] = served['_id']
        elif by_value and status == expected['status']:
            problems += body_diff(generated, status, expected['body'], body.decode('utf-8'))
        recorded_location = expected['headers'].get('Location')
        if recorded_location or location:
            if not recorded_location or not location:
                problems.append('Location %r, recorded %r' % (location, recorded_location))
            elif by_value:
                problems += generated.text_diff(recorded_location, location, 'Location')
            elif location_path(recorded_location, id_map) != location_path(location, {}):
                problems.append('Location path %r, recorded %r' % (urlsplit(location).path, urlsplit(recorded_location).path))
        if (expected['headers'].get('Allow') or None) != allow:
            problems.append('Allow %r, recorded %r' % (allow, expected['headers'].get('Allow')))
        if problems:
            mismatches.append('%s (%s %s): %s' % (name, request['method'], path, '; '.join(problems)))
    return replayed, skipped, mismatches


@pytest.mark.parametrize('batch', sorted(BATCHES))
def test_replay_all_recordings(fresh_sandbox, batch):
    sb = fresh_sandbox()
    replayed, skipped, mismatches = replay(sb, batch)
    assert not mismatches, '%d of %d recordings differ:\n%s' % (len(mismatches), len(replayed), '\n'.join(mismatches))
    assert len(replayed) + len(skipped) == len(load_recordings(BATCHES[batch]['directory'])[1])
    assert set(skipped) == BATCHES[batch]['skipped']
    assert sb.log()['counters']['internal_errors'] == 0


@pytest.mark.parametrize('batch', sorted(BATCHES))
def test_index_is_complete(batch):
    directory = BATCHES[batch]['directory']
    index, recordings = load_recordings(directory)
    assert index['count'] == len(recordings)
    files = {name for name in os.listdir(directory) if name.endswith('.json') and name != 'index.json'}
    assert files == {name for name, _rec in recordings}


@pytest.mark.parametrize('expected,actual,ok', [
    ({'a': [1, 'x']}, {'a': ['y', 2, 3]}, True),
    ({'a': [{'b': 1}]}, {'a': []}, False),
    ({'a': None}, {'a': 'x'}, False),
    ({'a': 1}, {'a': 1, 'b': 2}, False),
])
def test_shape_comparison(expected, actual, ok):
    assert (not shape_diff(expected, actual)) is ok


@pytest.mark.parametrize('expected,actual,ok', [
    ({'a': [], 'f': {}}, {'a': [{'n': 1}], 'f': {'status': [['open', 1]]}}, True),
    ({'a': [{'n': 1}]}, {'a': []}, True),
    ({'a': [{'n': 1}]}, {'a': [{'n': 'x'}]}, False),
    ({'f': {}}, {'f': []}, False),
    ({'a': 1}, {'a': 1, 'b': 2}, False),
])
def test_loose_shape_comparison(expected, actual, ok):
    assert (not shape_diff(expected, actual, loose=True)) is ok
