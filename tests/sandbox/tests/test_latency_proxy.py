"""bench/latency_proxy.py, the network latency the benchmarks put before a real Allura: it forwards every request
after its delay, keeps both connections alive, counts what it carried, and the delays of concurrent requests overlap
while a server serving one request at a time (the sandbox's service time) still serves them one by one."""

import http.client
import json
import os
import sys
import time

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', 'bench'))

from latency_proxy import LatencyProxy  # noqa: E402  pylint: disable=wrong-import-position
from sandbox_http import ADMIN, concurrently, get, post  # noqa: E402  pylint: disable=wrong-import-position


def test_forwards_with_the_delay_on_one_kept_connection(sandbox, sb):
    with LatencyProxy(sandbox, 100) as proxy:
        conn = http.client.HTTPConnection('127.0.0.1', proxy.server.server_address[1], timeout=10)
        started = time.monotonic()
        for _attempt in range(3):
            conn.request('GET', '/rest/p/test/wiki/Home', headers={'Authorization': 'Bearer ' + ADMIN})
            answer = conn.getresponse()
            assert answer.status == 200 and json.loads(answer.read())['title'] == 'Home'
            assert answer.getheader('Connection') != 'close'
        assert time.monotonic() - started >= 0.3
        conn.close()
        assert post(proxy.url, '/rest/p/test/wiki/Proxied', {'text': 'via the proxy'}).status == 200
        redirect = post(proxy.url, '/rest/p/test/bugs/new', {'ticket_form.summary': 'Via the proxy'})
        assert redirect.status == 302 and redirect.headers['location'].startswith(proxy.url + '/')  # the Host passed on
        assert (proxy.server.requests, proxy.server.writes) == (5, 2)
    assert get(sandbox, '/rest/p/test/wiki/Proxied').json['text'] == 'via the proxy'
    assert [r['method'] for r in sb.log()['requests']] == ['GET'] * 3 + ['POST'] * 2 + ['GET']


def test_delays_overlap_before_a_server_serving_one_request_at_a_time(sandbox, sb):
    sb.service(100)
    with LatencyProxy(sandbox, 300) as proxy:
        elapsed = concurrently(proxy.url, 4)
    assert 0.7 <= elapsed < 1.3  # 300 ms at once, then 4 x 100 ms one after the other (not 4 x 400 ms)


def test_only_loopback_upstreams():
    with pytest.raises(ValueError):
        LatencyProxy('http://example.org', 10)
