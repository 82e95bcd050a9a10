# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Proxies from the options and the task's environment, and connection failures named by their cause.

The failures are real ones (a refused port, a proxy that refuses or asks for credentials, a server that never
answers), raised by requests and urllib3 as they are in use, and classified by their types. Everything listens on
loopback; the proxy (tests/forward_proxy.py) reaches nothing else.
"""

from __future__ import annotations

import http.server
import json
import socket
import ssl
import threading

import pytest
import requests
import trustme

from ansible_collections.allura.forge.plugins.module_utils._client import (
    AlluraClient, AlluraError, ParameterError, classify, environ_proxies, no_proxy_matches, select_proxy)
from ansible_collections.allura.forge.tests.forward_proxy import ForwardProxy
from ansible_collections.allura.forge.tests.unit.plugins.fake_session import FakeSession, closed_port, real_error, reply

PASSWORD = 'pr0xy-Pa55'


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def _answer(self):
        length = int(self.headers.get('Content-Length') or 0)
        self.rfile.read(length)
        body = json.dumps({'path': self.path, 'authorization': self.headers.get('Authorization')}).encode()
        self.send_response(200)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, *args):
        pass


def _serve(server):
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture(scope='module')
def servers(tmp_path_factory):
    """An HTTP and an HTTPS server answering JSON, and the HTTPS server's CA (a PEM file)."""
    ca = trustme.CA()
    plain = _serve(http.server.ThreadingHTTPServer(('127.0.0.1', 0), _Handler))
    secure = http.server.ThreadingHTTPServer(('127.0.0.1', 0), _Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ca.issue_cert('127.0.0.1', 'localhost').configure_cert(context)
    secure.socket = context.wrap_socket(secure.socket, server_side=True)
    _serve(secure)
    ca_file = tmp_path_factory.mktemp('ca') / 'ca.pem'
    ca.cert_pem.write_to_path(str(ca_file))
    yield dict(http='http://127.0.0.1:%d' % plain.server_address[1], https='https://127.0.0.1:%d' % secure.server_address[1],
               ca=str(ca_file))
    plain.shutdown()
    secure.shutdown()


@pytest.fixture
def proxy():
    with ForwardProxy() as running:
        yield running


def client(url, sleeps=None, **kwargs):
    kwargs.setdefault('environ', {})
    kwargs.setdefault('retries', 2)
    return AlluraClient(url, token='t0ken', timeout=5, sleep=(sleeps if sleeps is not None else []).append, **kwargs)


# -- which proxy ----------------------------------------------------------------------------------

def test_environment_proxies_are_read_as_urllib_reads_them():
    environ = {'HTTPS_PROXY': 'http://upper:1', 'https_proxy': 'http://lower:2', 'HTTP_PROXY': 'http://h:3', 'http_proxy': '',
               'ALL_PROXY': '', 'NO_PROXY': 'a.org', 'PATH': '/bin', 'FTP_PROXY': 'x', 'MY_PROXY_HOST': 'y'}
    assert environ_proxies(environ) == {
        'https': ('https_proxy', 'http://lower:2'),  # lower-case wins
        'no': ('NO_PROXY', 'a.org'),
        'ftp': ('FTP_PROXY', 'x'),  # as urllib reads them; only http, https, all and no are used
    }  # http: the empty lower-case variable unsets HTTP_PROXY too; all: empty means unset


@pytest.mark.parametrize('host, port, no_proxy, exempt', [
    ('forge.example.org', 443, 'example.org', True),
    ('forge.example.org', 443, '.example.org', True),
    ('forge.example.org', 443, 'forge.example.org:443', True),
    ('forge.example.org', 443, 'forge.example.org:8443', False),
    ('badexample.org', 443, 'example.org', False),
    ('forge.example.org', 443, 'other.org, example.org', True),
    ('forge.example.org', 443, '*', True),
    ('127.0.0.1', 8080, '127.0.0.0/8', True),
    ('127.0.0.1', 8080, '127.0.0.1', True),
    ('10.1.2.3', 443, '10.0.0.0/16', False),
    ('::1', 443, '::1', True),
    ('forge.example.org', 443, '', False),
])
def test_no_proxy_matches_hosts_domains_and_networks(host, port, no_proxy, exempt):
    assert no_proxy_matches(host, port, no_proxy) is exempt


def test_which_proxy():
    url = 'https://forge.example.org'
    environ = {'HTTPS_PROXY': 'http://env:3128', 'HTTP_PROXY': 'http://plain:3128', 'NO_PROXY': 'example.org'}
    assert select_proxy(url, True, None, {'HTTPS_PROXY': 'http://env:3128'}) == ('http://env:3128', 'HTTPS_PROXY')
    assert select_proxy('http://forge.example.org', True, None, environ) == (None, None)  # NO_PROXY
    assert select_proxy('http://forge.other.org', True, None, environ) == ('http://plain:3128', 'HTTP_PROXY')
    assert select_proxy(url, True, None, {'ALL_PROXY': 'http://all:1'}) == ('http://all:1', 'ALL_PROXY')
    assert select_proxy(url, True, 'http://opt:8080', environ) == ('http://opt:8080', 'proxy_url')  # wins over NO_PROXY too
    assert select_proxy(url, False, 'http://opt:8080', {'HTTPS_PROXY': 'http://env:3128'}) == (None, None)
    assert select_proxy(url, True, None, {'HTTPS_PROXY': 'proxy.corp:3128'}) == ('http://proxy.corp:3128', 'HTTPS_PROXY')
    assert select_proxy(url, True, None, {}) == (None, None)


@pytest.mark.parametrize('proxy_url, environ, source', [
    ('ftp://user:%s@proxy:21' % PASSWORD, {}, 'proxy_url'),
    (None, {'https_proxy': 'socks5://user:%s@proxy:1080' % PASSWORD}, 'https_proxy'),
    (None, {'HTTPS_PROXY': 'http://user:%s@proxy:port' % PASSWORD}, 'HTTPS_PROXY'),
    (None, {'HTTPS_PROXY': 'http://'}, 'HTTPS_PROXY'),
])
def test_a_bad_proxy_fails_before_a_request_naming_where_it_comes_from_without_its_password(proxy_url, environ, source):
    with pytest.raises(ParameterError, match='^%s must be an http:// or https:// proxy URL' % source) as caught:
        AlluraClient('https://forge.example.org', proxy_url=proxy_url, environ=environ)
    assert PASSWORD not in caught.value.message


# -- through a real proxy -------------------------------------------------------------------------

def test_http_is_forwarded_and_https_tunnelled_through_the_proxy(servers, proxy):
    environ = {'HTTP_PROXY': proxy.url, 'HTTPS_PROXY': proxy.url}
    assert client(servers['http'], environ=environ).get_json('/rest/p/x/')['path'] == '/rest/p/x/'
    secure = client(servers['https'], environ=dict(environ, REQUESTS_CA_BUNDLE=servers['ca']))
    assert secure.get_json('/rest/p/y/') == {'path': '/rest/p/y/', 'authorization': 'Bearer t0ken'}
    assert proxy.seen == [('GET', servers['http'] + '/rest/p/x/'), ('CONNECT', servers['https'][len('https://'):])]


def test_no_proxy_and_use_proxy_false_connect_directly(servers, proxy):
    environ = {'HTTP_PROXY': proxy.url, 'NO_PROXY': 'localhost,127.0.0.1'}
    assert client(servers['http'], environ=environ).get_json('/rest/')['path'] == '/rest/'
    assert client(servers['http'], environ={'HTTP_PROXY': proxy.url}, use_proxy=False).get_json('/rest/')['path'] == '/rest/'
    assert client(servers['http'], environ={}, proxy_url=proxy.url, use_proxy=False).get_json('/rest/')['path'] == '/rest/'
    assert not proxy.seen


def test_proxy_url_wins_over_the_environment(servers, proxy):
    environ = {'HTTP_PROXY': 'http://127.0.0.1:%d' % closed_port(), 'NO_PROXY': '127.0.0.1'}
    assert client(servers['http'], environ=environ, proxy_url=proxy.url).get_json('/rest/')['path'] == '/rest/'
    assert len(proxy.seen) == 1


@pytest.mark.parametrize('scheme', ['http', 'https'])
def test_a_proxy_that_asks_for_credentials(servers, scheme):
    with ForwardProxy(credentials='me:' + PASSWORD) as proxy:
        options = dict(environ={'REQUESTS_CA_BUNDLE': servers['ca']})
        with_password = proxy.url.replace('//', '//me:%s@' % PASSWORD)
        assert client(servers[scheme], proxy_url=with_password, **options).get_json('/rest/')['path'] == '/rest/'
        for proxy_url, refused in ((proxy.url, 'asks for authentication'), (proxy.url.replace('//', '//me:wrong@'), 'rejected')):
            unauthorised = client(servers[scheme], proxy_url=proxy_url, **options)
            with pytest.raises(AlluraError) as caught:
                unauthorised.get_json('/rest/')
            error = caught.value
            assert unauthorised.requests_made == 1  # never retried
            assert 'the proxy 127.0.0.1:%d (from proxy_url)' % proxy.port in error.message and PASSWORD not in error.message
            if scheme == 'http':  # a forwarded request gets the proxy's 407 as its answer
                assert error.details == {'connection_error': 'proxy_auth'} and error.status == 407 and refused in error.message
            else:  # the proxy refuses the CONNECT tunnel: shown as the proxy answered, with what to do
                assert error.details == {'connection_error': 'proxy_refused'}
                assert ('refused to open a tunnel to 127.0.0.1:%s (Tunnel connection failed: 407 Proxy Authentication Required)'
                        % servers[scheme].rsplit(':', 1)[1]) in error.message
                assert ('give a user and password in the proxy URL' if refused == 'asks for authentication' else 'check the user and password') \
                    in error.message
        assert len(proxy.seen) == 1


def test_a_proxy_that_does_not_let_you_through(servers):
    with ForwardProxy(deny=True) as proxy:
        denied = client(servers['https'], environ={'https_proxy': proxy.url})
        with pytest.raises(AlluraError, match=r'\(from https_proxy\) refused to open a tunnel to .* 403 Forbidden.*does not let you '
                                              r'reach this server') as caught:
            denied.get_json('/rest/')
        assert caught.value.details == {'connection_error': 'proxy_refused'} and denied.requests_made == 1


def test_a_proxy_that_refuses_connections_is_retried_and_named_without_the_retries_advice(servers):
    port = closed_port()
    sleeps, warnings = [], []
    refused = client(servers['https'], sleeps, environ={'HTTPS_PROXY': 'http://me:%s@127.0.0.1:%d' % (PASSWORD, port)},
                     warn=warnings.append)
    with pytest.raises(AlluraError) as caught:
        refused.get_json('/rest/')
    message = caught.value.message
    assert message.startswith('GET /rest/ failed after 3 attempts: the proxy 127.0.0.1:%d (from HTTPS_PROXY) refused the '
                              'connection (check the proxy URL and that the proxy is running, or set use_proxy to false or list 127.0.0.1 in '
                              'NO_PROXY to connect directly)' % port)
    assert 'raise retries' not in message and PASSWORD not in message + ''.join(warnings)
    assert caught.value.details == {'connection_error': 'proxy'} and len(sleeps) == 2


def test_a_create_through_a_proxy_that_cannot_reach_the_server_is_rechecked_not_resent(proxy):
    """The proxy took the request and answered 502: the server may have done it, so the create is re-read first."""
    server = 'http://127.0.0.1:%d' % closed_port()
    rechecks = []
    creating = client(server, environ={'HTTP_PROXY': proxy.url})
    assert creating.post('/rest/p/test/bugs/new', {'summary': 'x'}, recheck=lambda: rechecks.append(1) or {'ticket_num': 4}) \
        == {'ticket_num': 4}
    assert rechecks == [1] and creating.requests_made == 1


# -- classification ---------------------------------------------------------------------------------

def _unresolvable(errno):
    def getaddrinfo(*_args, **_kwargs):
        raise socket.gaierror(errno, 'name resolution failed')
    return getaddrinfo


@pytest.mark.parametrize('errno, retried', [(socket.EAI_NONAME, False), (socket.EAI_AGAIN, True)])
def test_a_dns_failure_is_named_and_only_a_temporary_one_retried(monkeypatch, errno, retried):
    monkeypatch.setattr(socket, 'getaddrinfo', _unresolvable(errno))
    sleeps = []
    unresolvable = client('https://forge.example.org', sleeps)
    with pytest.raises(AlluraError, match=r'cannot resolve the host name forge.example.org \(DNS\).*check server_url') as caught:
        unresolvable.get_json('/rest/')
    assert caught.value.details == {'connection_error': 'dns'}
    assert unresolvable.requests_made == (3 if retried else 1) and 'raise retries' not in caught.value.message


def test_a_proxy_whose_name_does_not_resolve(monkeypatch):
    monkeypatch.setattr(socket, 'getaddrinfo', _unresolvable(socket.EAI_NONAME))
    failing = client('https://forge.example.org', environ={'HTTPS_PROXY': 'http://proxy.corp:3128'})
    with pytest.raises(AlluraError, match=r'cannot resolve the host name of the proxy proxy.corp:3128 \(from HTTPS_PROXY\)'):
        failing.get_json('/rest/')
    assert failing.requests_made == 1


def test_a_refused_connection_is_retried_and_named_without_the_retries_advice():
    port = closed_port()
    refused = client('http://127.0.0.1:%d' % port)
    with pytest.raises(AlluraError) as caught:
        refused.get_json('/rest/')
    assert caught.value.message == ('GET /rest/ failed after 3 attempts: 127.0.0.1:%d refused the connection (check server_url, '
                                    'its host and port, and that the server is running)' % port)
    assert caught.value.details == {'connection_error': 'refused'} and refused.requests_made == 3


def test_a_server_that_does_not_answer_is_a_timeout_that_may_have_been_carried_out():
    with socket.socket() as listener:
        listener.bind(('127.0.0.1', 0))
        listener.listen(5)  # accepts (the kernel does), never answers
        url = 'http://127.0.0.1:%d/' % listener.getsockname()[1]
        exc = real_error(url, timeout=0.2)
    failure = classify(exc, url, timeout=0.2)
    assert isinstance(exc, requests.exceptions.ReadTimeout)
    assert (failure.cause, failure.reason, failure.retry, failure.sent) == ('timeout', 'no answer within 0.2s', True, True)


@pytest.mark.parametrize('exc, cause, sent', [
    (requests.exceptions.ConnectTimeout(), 'timeout', False),
    (requests.exceptions.ChunkedEncodingError(), 'broken', True),
    (requests.exceptions.ConnectionError('Connection reset by peer'), 'connection', True),
])
def test_the_transient_failures_suggest_raising_retries(exc, cause, sent):
    failure = classify(exc, 'https://forge.example.org')
    assert (failure.cause, failure.retry, failure.sent) == (cause, True, sent) and 'raise retries' in failure.advice
    session = FakeSession().add('GET', '/rest/', responses=[exc])
    failing = AlluraClient('https://forge.example.org', session=session, retries=1, sleep=lambda s: None, environ={})
    with pytest.raises(AlluraError, match=r'failed after 2 attempts: .*raise retries') as caught:
        failing.get_json('/rest/')
    assert caught.value.details == {'connection_error': cause}


def test_a_busy_server_suggests_raising_retries_and_has_no_connection_error():
    session = FakeSession().add('GET', '/rest/', responses=[reply(503)])
    failing = AlluraClient('https://forge.example.org', session=session, retries=1, sleep=lambda s: None, environ={})
    with pytest.raises(AlluraError, match=r'failed after 2 attempts: HTTP 503 \(.*raise retries') as caught:
        failing.get_json('/rest/')
    assert caught.value.details == {}
