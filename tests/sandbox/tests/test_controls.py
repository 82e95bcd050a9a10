"""The /_sandbox/ controls: reset, request log, faults, latency, state, config."""

import http.client
import json
import socket
import threading
import time
from urllib.parse import urlsplit

import pytest

from harness import SandboxError
from sandbox_http import ADMIN, USER, call, concurrently, get, post


def _connection(base, timeout=10):
    parts = urlsplit(base)
    return http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)


def test_reset_restores_the_seed(sandbox, sb):
    post(sandbox, '/rest/p/test/wiki/Temp', {'text': 'x'})
    post(sandbox, '/rest/p/test/admin/code/webhooks/repo-push', {'url': 'http://example.com/h'})
    sb.faults(kind='503')
    sb.latency(5)
    sb.reset()
    assert get(sandbox, '/rest/p/test/wiki/Temp').status == 404
    assert get(sandbox, '/rest/p/test/admin/code/webhooks').json['webhooks'] == []
    assert sb.log()['counters']['total'] == 2  # the two GETs above; faults are gone
    assert sb.latency(0) == {'ms': 0}


def test_log_entries_and_counters(sandbox, sb):
    get(sandbox, '/rest/p/test/wiki/Home?x=1')
    post(sandbox, '/rest/p/test/wiki/Logged', {'text': 'x'})
    post(sandbox, '/rest/p/test/wiki/Denied', {'text': 'x'}, token=USER)
    get(sandbox, '/rest/p/nope/', token=None)
    log = sb.log()
    entries = log['requests']
    assert [e['seq'] for e in entries] == [1, 2, 3, 4]
    first = entries[0]
    assert set(first) == {'seq', 'method', 'path', 'query', 'status', 'user', 'write', 'fault', 'duration_ms', 'started'}
    assert (first['method'], first['path'], first['query'], first['status'], first['user'], first['write'],
            first['fault']) == ('GET', '/rest/p/test/wiki/Home', 'x=1', 200, 'test-admin', False, None)
    assert isinstance(first['duration_ms'], float)
    assert [e['started'] for e in entries] == sorted(e['started'] for e in entries)
    assert abs(entries[-1]['started'] - time.time()) < 5
    assert entries[1]['write'] is True and entries[1]['status'] == 200
    assert entries[2]['write'] is False and entries[2]['status'] == 403 and entries[2]['user'] == 'test-user'
    assert entries[3]['user'] is None and entries[3]['status'] == 404
    counters = log['counters']
    assert counters['total'] == 4 and counters['writes'] == 1
    assert counters['by_method'] == {'GET': 2, 'POST': 2}
    assert counters['by_status'] == {'200': 2, '403': 1, '404': 1}
    assert counters['by_path']['/rest/p/test/wiki/Home'] == 1
    sb.clear_log()
    assert sb.log() == {'requests': [], 'counters': {'total': 0, 'writes': 0, 'by_method': {}, 'by_status': {},
                                                     'by_path': {}, 'internal_errors': 0}}


def test_failed_writes_are_not_writes(sandbox, sb):
    post(sandbox, '/rest/p/test/admin/install_tool', {'tool': 'wiki', 'mount_point': 'wiki', 'mount_label': 'W'})
    post(sandbox, '/rest/p/test/bugs/new', {'ticket_form.status': 'bogus'})
    post(sandbox, '/rest/p/test/link/', {'url': ''})
    assert sb.log()['counters']['writes'] == 0


@pytest.mark.parametrize('kind,status', [('429', 429), ('502', 502), ('503', 503), ('504', 504)])
def test_status_faults(sandbox, sb, kind, status):
    sb.faults(kind=kind, count=1)
    result = post(sandbox, '/rest/p/test/wiki/Faulted', {'text': 'x'})
    assert result.status == status
    assert 'retry-after' not in result.headers
    assert get(sandbox, '/rest/p/test/wiki/Faulted').status == 404  # not processed
    assert post(sandbox, '/rest/p/test/wiki/Faulted', {'text': 'x'}).status == 200  # count used up
    entry = sb.log()['requests'][0]
    assert (entry['status'], entry['fault'], entry['write']) == (status, kind, False)


def test_429_with_retry_after(sandbox, sb):
    sb.faults(kind='429-retry-after', retry_after=7, count=2)
    for _attempt in range(2):
        result = get(sandbox, '/rest/p/test/')
        assert result.status == 429 and result.headers['retry-after'] == '7'
        assert result.json['title'] == 'Too Many Requests'
    assert get(sandbox, '/rest/p/test/').status == 200


def test_reset_fault_drops_before_processing(sandbox, sb):
    sb.faults(kind='reset', count=1, match={'method': 'POST'})
    with pytest.raises((ConnectionResetError, http.client.RemoteDisconnected, BrokenPipeError)):
        post(sandbox, '/rest/p/test/wiki/Dropped', {'text': 'x'})
    assert get(sandbox, '/rest/p/test/wiki/Dropped').status == 404
    entry = sb.log()['requests'][0]
    assert (entry['fault'], entry['status'], entry['write']) == ('reset', None, False)


def test_reset_after_fault_processes_then_drops(sandbox, sb):
    sb.faults(kind='reset-after', count=1, match={'method': 'POST', 'path_regex': r'/bugs/new$'})
    with pytest.raises((ConnectionResetError, http.client.RemoteDisconnected)):
        post(sandbox, '/rest/p/test/bugs/new', {'ticket_form.summary': 'created once'})
    tickets = get(sandbox, '/rest/p/test/bugs/').json['tickets']
    assert tickets == [{'ticket_num': 1, 'summary': 'created once'}]  # the state changed
    entry = sb.log()['requests'][0]
    assert (entry['fault'], entry['status'], entry['write']) == ('reset-after', 302, True)


def test_delay_fault(sandbox, sb):
    sb.faults(kind='delay', delay_ms=300, count=1)
    started = time.monotonic()
    assert get(sandbox, '/rest/p/test/').status == 200
    assert time.monotonic() - started >= 0.3
    assert sb.log()['requests'][0]['fault'] == 'delay'


def test_hang_fault(sandbox, sb):
    sb.faults(kind='hang', delay_ms=1500, count=1)
    started = time.monotonic()
    with pytest.raises((socket.timeout, TimeoutError)):
        get(sandbox, '/rest/p/test/', timeout=0.3)
    assert time.monotonic() - started < 1.5
    sb.faults(kind='hang', delay_ms=200, count=1)
    with pytest.raises(http.client.RemoteDisconnected):
        get(sandbox, '/rest/p/test/', timeout=5)  # closed without an answer after delay_ms
    assert get(sandbox, '/rest/p/test/').status == 200
    assert [e['fault'] for e in sb.log()['requests']] == ['hang', 'hang', None]


def test_hold_fault_keeps_requests_until_released(sandbox, sb):
    rule = sb.faults(kind='hold', count=2, match={'path_regex': '^/rest/p/test/$'})['rules'][0]
    answers = []
    threads = [threading.Thread(target=lambda: answers.append(get(sandbox, '/rest/p/test/').status)) for _thread in range(3)]
    for thread in threads:
        thread.start()

    def held():
        return [h for h in sb.holds() if h['id'] == rule['id']][0]
    deadline = time.monotonic() + 30
    while held()['waiting'] < 2 or answers != [200]:  # two held (the count), the third answered
        assert time.monotonic() < deadline, (held(), answers)
        time.sleep(0.02)
    assert sb.faults()['rules'] == []  # used up, still listed under holds
    assert sb.release(rule['id'])['released'] is True
    for thread in threads:
        thread.join(10)
    assert answers == [200, 200, 200] and held()['waiting'] == 0
    with pytest.raises(SandboxError):
        sb.release(0)


def test_fault_match_and_fraction_are_reproducible(sandbox, sb):
    def run():
        sb.reset()
        sb.faults(kind='503', fraction=0.5, seed=42, match={'path_regex': '^/rest/p/test/wiki/'})
        statuses = [get(sandbox, '/rest/p/test/wiki/Home').status for _attempt in range(20)]
        assert get(sandbox, '/rest/p/test/').status == 200  # not matched
        return statuses

    first = run()
    assert set(first) == {200, 503}
    assert run() == first


def test_several_rules_and_clearing(sandbox, sb):
    sb.faults({'kind': '502', 'count': 1, 'match': {'method': 'GET'}}, {'kind': '504', 'count': 1, 'match': {'method': 'POST'}})
    assert len(sb._control('GET', 'faults')['rules']) == 2  # pylint: disable=protected-access
    assert post(sandbox, '/rest/p/test/wiki/R', {'text': 'x'}).status == 504
    sb.clear_faults()
    assert get(sandbox, '/rest/p/test/').status == 200


@pytest.mark.parametrize('rule', [{'kind': 'explode'}, {'kind': '503', 'count': 0}, {'kind': '503', 'fraction': 2},
                                  {'kind': '503', 'match': {'path_regex': '('}}, {'kind': '503', 'colour': 'red'}])
def test_invalid_fault_rules(sb, rule):
    with pytest.raises(SandboxError):
        sb.faults(rule)


def test_controls_are_not_faulted_or_logged(sandbox, sb):
    sb.faults(kind='reset')
    assert sb.state()['projects']
    sb.clear_faults()
    assert sb.log()['counters']['total'] == 0
    assert call(sandbox, 'GET', '/_sandbox/nope').status == 404
    assert call(sandbox, 'GET', '/_sandbox/reset').status == 405


def test_latency(sandbox, sb):
    sb.latency(150)
    started = time.monotonic()
    get(sandbox, '/rest/')
    assert time.monotonic() - started >= 0.15
    sb.reset()
    started = time.monotonic()
    get(sandbox, '/rest/')
    assert time.monotonic() - started < 0.15


def test_service_time_serves_one_request_at_a_time(sandbox, sb):
    """With a service time, N concurrent requests take about N times it (one lock); without, they overlap; added
    latency (the network) overlaps either way."""
    assert sb.service(150) == {'ms': 150}
    assert concurrently(sandbox, 4) >= 0.6
    sb.latency(300)
    elapsed = concurrently(sandbox, 4)
    assert 0.9 <= elapsed < 1.5  # 300 ms of latency each, at once (not 1.2 s), then 4 x 150 ms one after the other
    assert [entry['status'] for entry in sb.log()['requests']] == [200] * 8
    sb.reset()  # back to the start-up value: off
    assert sb.config()['service_ms'] == 0
    assert concurrently(sandbox, 4) < 0.3
    sb.latency(300)
    assert concurrently(sandbox, 4) < 0.6
    with pytest.raises(SandboxError):
        sb.service(-1)


def test_service_time_from_the_command_line(fresh_sandbox):
    box = fresh_sandbox(service_ms=100)
    assert box.config()['service_ms'] == 100
    assert concurrently(box.url, 3) >= 0.3
    box.reset()
    assert box.config()['service_ms'] == 100  # reset keeps the start-up value


def test_state_dump(sandbox, sb):
    post(sandbox, '/rest/p/test/wiki/Home', {'text': 'v2'})
    post(sandbox, '/rest/p/test/admin/code/webhooks/repo-push', {'url': 'http://example.com/h', 'secret': 's3cret'})
    sb.config(export_seconds=0)
    post(sandbox, '/rest/p/test/admin/export', {'tools': 'wiki,bugs', 'send_email': 'false'})
    state = sb.state()
    project = state['projects']['p/test']
    tools = {t['mount_point']: t for t in project['tools']}
    # the real data set's stored ordinals: the sub-project p/test/sub1 holds 2
    assert [t['ordinal'] for t in project['tools']] == [0, 0, 1, 3, 4, 5, 6, 7, 8]
    assert [(s['shortname'], s['ordinal']) for s in project['subprojects']] == [('test/sub1', 2)]
    assert tools['wiki']['data']['pages'][0]['version'] == 2
    assert tools['code']['data']['webhooks'][0]['secret'] == 's3cret'
    export = state['exports'][0]
    assert (export['tools'], export['send_email'], export['with_attachments'], export['status']) == \
        (['wiki', 'bugs'], 'false', None, 'done')
    assert export['filename'].startswith('test-backup-')
    assert state['users']['test-admin']['_id'] == '6b0a6aa709bf77c467db0003'


def test_config(sb):
    assert sb.config()['export_seconds'] == 1.0
    assert sb.config(export_seconds=0.25, stock_webhook_validation=True)['stock_webhook_validation'] is True
    sb.reset()
    assert sb.config()['stock_webhook_validation'] is False
    with pytest.raises(SandboxError):
        sb.config(bogus=1)


def test_concurrent_requests(sandbox, sb):
    """Parallel clients: no lost writes, no internal errors."""
    import threading  # pylint: disable=import-outside-toplevel

    def worker(index):
        for number in range(10):
            post(sandbox, '/rest/p/test/bugs/new', {'ticket_form.summary': 't%d-%d' % (index, number)})
            get(sandbox, '/rest/p/test/bugs/', token=ADMIN)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    index = get(sandbox, '/rest/p/test/bugs/?limit=500').json
    assert index['count'] == 60
    assert sorted(t['ticket_num'] for t in index['tickets']) == list(range(1, 61))
    assert sb.log()['counters']['internal_errors'] == 0


def test_tracker_fields_control(sandbox, sb):
    """What a tracker's Field Management page does, as the REST API then shows it: new status names and fields are
    validated on /new, the milestones are the index's, a deleted milestone leaves '' on its tickets and a renamed one
    follows them, a deleted milestone field leaves the tickets (other fields' values stay), a field's name is made from
    its label."""
    assert post(sandbox, '/rest/p/test/bugs/new', {'ticket_form.summary': 'Old', 'ticket_form._milestone': '1.0'}).status == 302
    assert post(sandbox, '/rest/p/test/bugs/new', {'ticket_form.summary': 'Two', 'ticket_form._milestone': '2.0'}).status == 302
    stored = sb.tracker_fields('bugs', 'open reviewing', 'closed', [
        {'label': 'Milestone', 'type': 'milestone', 'name': '_milestone',
         'milestones': [{'name': '1.1', 'old_name': '1.0', 'default': True}, {'name': '3.0/beta'}]},
        {'label': 'My Num', 'type': 'number'}, {'label': 'Kind', 'type': 'select', 'options': 'bug "big feature"'}])
    assert [f['name'] for f in stored['custom_fields']] == ['_milestone', '_my_num', '_kind']
    index = get(sandbox, '/rest/p/test/bugs/').json
    assert [(m['name'], m['default'], m['total']) for m in index['milestones']] == [('1.1', 'True', 1), ('3.0-beta', None, 0)]
    assert get(sandbox, '/rest/p/test/bugs/1/').json['ticket']['custom_fields'] == {'_milestone': '1.1'}
    assert get(sandbox, '/rest/p/test/bugs/2/').json['ticket']['custom_fields'] == {'_milestone': ''}
    refused = post(sandbox, '/rest/p/test/bugs/new',
                   {'ticket_form.summary': 'x', 'ticket_form.status': 'pending', 'ticket_form.custom_fields._kind': 'feature'})
    assert refused.status == 400
    assert 'status: Value must be one of: open; reviewing; closed' in refused.json['errors']['ticket_form']
    assert "_kind: Value must be one of: bug; big feature (not 'feature')" in refused.json['errors']['ticket_form']
    made = post(sandbox, '/rest/p/test/bugs/new', {'ticket_form.summary': 'x', 'ticket_form.status': 'reviewing',
                                                   'ticket_form.custom_fields._my_num': '3', 'ticket_form.custom_fields._kind': 'big feature'})
    assert made.status == 302
    assert get(sandbox, '/rest/p/test/bugs/3/').json['ticket']['custom_fields'] == {'_my_num': 3, '_kind': 'big feature'}
    sb.tracker_fields('bugs', 'open', 'closed', [])
    assert get(sandbox, '/rest/p/test/bugs/1/').json['ticket']['custom_fields'] == {}
    assert get(sandbox, '/rest/p/test/bugs/3/').json['ticket']['custom_fields'] == {'_my_num': 3, '_kind': 'big feature'}
    assert get(sandbox, '/rest/p/test/bugs/').json['milestones'] == []
    for bad in ({'mount_point': 'wiki', 'open_status_names': 'o', 'closed_status_names': 'c', 'custom_fields': []},
                {'mount_point': 'bugs', 'open_status_names': 'o', 'custom_fields': []},
                {'mount_point': 'bugs', 'open_status_names': 'o', 'closed_status_names': 'c', 'custom_fields': [{'label': 'x', 'type': 'date'}]}):
        status, body = sb.json('POST', '/_sandbox/tracker', data=json.dumps(bad), headers={'Content-Type': 'application/json'})
        assert status == 400 and body['error']


def test_member_control(sandbox, sb):
    """A user added to a project group can be assigned tickets and is listed by the profile; a Developer also in the
    project's developers; removed, neither."""
    def assign():
        post(sandbox, '/rest/p/test/bugs/new', {'ticket_form.summary': 'Mine', 'ticket_form.assigned_to': 'test-user'})
        number = get(sandbox, '/rest/p/test/bugs/').json['tickets'][0]['ticket_num']
        return get(sandbox, '/rest/p/test/bugs/%d/' % number).json['ticket']['assigned_to']

    def profile_projects():
        return [p['url'] for p in get(sandbox, '/rest/u/test-user/profile').json['projects']]

    def developers():
        return sorted(d['username'] for d in get(sandbox, '/rest/p/test/').json['developers'])

    assert (assign(), profile_projects()) == (None, [])
    sb.member('test-user', 'Member')
    assert (assign(), profile_projects(), developers()) == ('test-user', ['/p/test/'], ['test-admin'])
    sb.member('test-user', 'Developer')
    assert developers() == ['test-admin', 'test-user']
    sb.member('test-user', None)
    assert (assign(), profile_projects(), developers()) == (None, [], ['test-admin'])
    status, body = sb.json('POST', '/_sandbox/member', data=json.dumps({'user': 'nobody', 'role': 'Member'}),
                           headers={'Content-Type': 'application/json'})
    assert status == 400 and 'user' in body['error']
