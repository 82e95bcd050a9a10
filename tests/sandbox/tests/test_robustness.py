"""Hostile and malformed input: the sandbox answers like Allura, never crashes,
and never sends a 500 the real server would not send."""

import http.client
from urllib.parse import urlsplit

import pytest

from sandbox_http import ADMIN, call, get, post, raw


@pytest.fixture(autouse=True)
def no_internal_errors(sb):
    yield
    assert sb.alive()
    assert sb.log()['counters']['internal_errors'] == 0


@pytest.mark.parametrize('path', ['/', '/p/test/', '/rest/nope/', '/rest/p/', '/rest/p/test/nope/', '/rest/p/Test/',
                                  '/rest/p/test/wiki/a/b', '/rest/p/test/bugs/1/nope', '/rest/p/test/admin/',
                                  '/rest/p/test/search/', '/rest/p/test/admin/has_access?user=x&perm=read',
                                  '/rest/p/test/admin/installable_tools/extra', '/rest/p/test/wiki/Home%2Fx',
                                  '/rest/u/no-such-user/', '/rest/p/test/bugs/0/', '/favicon.ico'])
def test_unknown_paths_are_404_pages(sandbox, path):
    result = get(sandbox, path)
    assert result.status == 404
    assert result.content_type == 'text/html; charset=utf-8'
    assert 'A 404 Error has Occurred' in result.text


def test_bad_percent_encoding(sandbox):
    assert get(sandbox, '/rest/p/test/wiki/%zz').status == 404  # left as is: a page called "%zz"
    assert post(sandbox, '/rest/p/test/wiki/%zz', {'text': 'x'}).status == 200
    assert get(sandbox, '/rest/p/test/wiki/%25zz').json['title'] == '%zz'
    assert get(sandbox, '/rest/p/test/wiki/%').status == 404
    assert get(sandbox, '/rest/p/test/wiki/%FF%FE').status == 400  # not UTF-8
    assert get(sandbox, '/rest/p/test/wiki/?x=%FF').status == 400
    assert get(sandbox, '/rest/p/test/?%zz=%').status == 200


def test_bad_utf8_body_is_400(sandbox):
    result = call(sandbox, 'POST', '/rest/p/test/wiki/X', token=ADMIN, body=b'text=%C3%28',
                  headers={'Content-Type': 'application/x-www-form-urlencoded'})
    assert result.status == 400
    result = call(sandbox, 'POST', '/rest/p/test/wiki/X', token=ADMIN, body=b'text=\xff\xfe',
                  headers={'Content-Type': 'application/x-www-form-urlencoded'})
    assert result.status == 400
    assert get(sandbox, '/rest/p/test/wiki/X').status == 404


@pytest.mark.parametrize('content_type,body,status', [
    ('multipart/form-data', b'text=x', 400),  # no boundary
    ('multipart/form-data; boundary=zz', b'garbage without parts', 400),
    ('multipart/form-data; boundary=zz', b'--zz\r\nContent-Disposition: form-data; name="text"\r\n\r\nhello\r\n--zz--\r\n', 200),
    ('multipart/form-data; boundary=zz', b'--zz\r\nContent-Disposition: form-data; name="text"; filename="a.txt"\r\n'
                                         b'Content-Type: text/plain\r\n\r\nfrom a file\r\n--zz--\r\n', 200),
    ('application/x-www-form-urlencoded', b'&&==&text&=x', 200),
    ('application/x-www-form-urlencoded', b'text=a&text=b', 200),
    ('text/plain', b'text=x', 500),  # not a form: no text field, the real server crashes (KeyError)
    ('application/octet-stream', b'\x00\x01\x02', 500),
])
def test_malformed_forms(sandbox, content_type, body, status):
    result = call(sandbox, 'POST', '/rest/p/test/wiki/Form', token=ADMIN, body=body, headers={'Content-Type': content_type})
    assert result.status == status, result


def test_multipart_fields_are_used(sandbox):
    body = b'--zz\r\nContent-Disposition: form-data; name="text"\r\n\r\nmultipart text\r\n--zz--\r\n'
    call(sandbox, 'POST', '/rest/p/test/wiki/Multi', token=ADMIN, body=body,
         headers={'Content-Type': 'multipart/form-data; boundary=zz'})
    assert get(sandbox, '/rest/p/test/wiki/Multi').json['text'] == 'multipart text'


def test_large_body_is_processed(sandbox):
    text = 'x' * (5 * 1024 * 1024)
    assert post(sandbox, '/rest/p/test/wiki/Big', {'text': text}).status == 200
    assert len(get(sandbox, '/rest/p/test/wiki/Big').json['text']) == len(text)


def test_oversized_body_is_refused_without_reading_it(sandbox):
    answer = raw(sandbox, b'POST /rest/p/test/wiki/Huge HTTP/1.1\r\nHost: x\r\nContent-Length: 999999999\r\n'
                          b'Content-Type: application/x-www-form-urlencoded\r\n\r\ntext=')
    assert answer.startswith(b'HTTP/1.1 413 ')
    assert b'Connection: close' in answer


def test_oversized_chunked_body_is_refused(sandbox):
    parts = urlsplit(sandbox)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)

    def chunks():
        block = b'text=' + b'y' * (1024 * 1024)
        for _attempt in range(40):
            yield block

    try:
        conn.request('POST', '/rest/p/test/wiki/Chunked', body=chunks(), encode_chunked=True,
                     headers={'Content-Type': 'application/x-www-form-urlencoded', 'Authorization': 'Bearer ' + ADMIN})
        assert conn.getresponse().status == 413
    except (BrokenPipeError, ConnectionResetError):
        pass  # the server closed the connection while we were still sending: also fine
    finally:
        conn.close()


def test_chunked_body_is_read(sandbox):
    parts = urlsplit(sandbox)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        conn.request('POST', '/rest/p/test/wiki/Chunky', body=iter([b'text=chunked+', b'body']), encode_chunked=True,
                     headers={'Content-Type': 'application/x-www-form-urlencoded', 'Authorization': 'Bearer ' + ADMIN})
        assert conn.getresponse().status == 200
    finally:
        conn.close()
    assert get(sandbox, '/rest/p/test/wiki/Chunky').json['text'] == 'chunked body'


@pytest.mark.parametrize('request_bytes,expected', [
    (b'GET /rest/ HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n', b'HTTP/1.1 400'),
    (b'GET /rest/ HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n', b'HTTP/1.1 400'),
    (b'POST /rest/p/test/wiki/T HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', b'HTTP/1.1 400'),
    (b'GET /rest/ HTTP/1.0\r\n\r\n', b'HTTP/1.1 200'),
    (b'GET http://elsewhere/rest/ HTTP/1.1\r\nHost: x\r\n\r\n', b'HTTP/1.1 200'),
])
def test_malformed_requests(sandbox, request_bytes, expected):
    assert raw(sandbox, request_bytes, timeout=5).startswith(expected)


def test_garbage_request_line(sandbox):
    assert b'400' in raw(sandbox, b'GARBAGE\r\n\r\n', timeout=5)  # http.server answers HTTP/0.9 style
    assert get(sandbox, '/rest/').status == 200


def test_modelled_500s_are_pages(sandbox):
    """The 500s Allura really sends (REFERENCE 1.6), as its HTML error page."""
    cases = [
        call(sandbox, 'GET', '/rest/p/test/', headers={'Authorization': 'Basic dXNlcjpwdw=='}),
        call(sandbox, 'GET', '/rest/p/test/', headers={'Authorization': 'bearer ' + ADMIN}),
        call(sandbox, 'GET', '/rest/p/test/', headers={'Authorization': 'Bearer '}),
        post(sandbox, '/rest/p/test/admin/install_tool', {'tool': 'wiki', 'mount_point': 'w2', 'mount_label': 'W', 'order': 'up'}),
        post(sandbox, '/rest/p/test/wiki/NoText', {'labels': 'a'}),
        call(sandbox, 'POST', '/rest/adobe/add_project', token=ADMIN, body='{not json'),
        get(sandbox, '/rest/p/test/bugs/?limit=abc'),
        get(sandbox, '/rest/p/test/bugs/?page=1.5'),
        get(sandbox, '/rest/p/test/wiki/_discuss/thread/0000000000/'),
        post(sandbox, '/rest/p/test/blog/', {'title': 't', 'text': 'x', 'state': 'secret'}),
    ]
    for result in cases:
        assert result.status == 500, result
        assert 'A 500 Error has Occurred' in result.text
    assert get(sandbox, '/rest/p/test/').status == 200


def test_keep_alive_connection_is_reused(sandbox):
    parts = urlsplit(sandbox)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        for _attempt in range(20):
            conn.request('GET', '/rest/p/test/wiki/', headers={'Authorization': 'Bearer ' + ADMIN})
            resp = conn.getresponse()
            assert resp.status == 200
            resp.read()
        conn.request('GET', '/rest/p/test/no-such-tool/')
        resp = conn.getresponse()
        assert resp.status == 404
        resp.read()
        conn.request('GET', '/rest/')
        assert conn.getresponse().status == 200
    finally:
        conn.close()


def test_head_and_other_methods(sandbox):
    head = call(sandbox, 'HEAD', '/rest/p/test/wiki/Home', token=ADMIN)
    assert head.status == 200 and head.body == b''
    assert int(head.headers['content-length']) > 100
    put = call(sandbox, 'PUT', '/rest/p/test/wiki/Home', token=ADMIN, body='text=changed')
    assert put.status == 200 and put.json['title'] == 'Home'  # PUT behaves as GET
    assert 'changed' not in get(sandbox, '/rest/p/test/wiki/Home').json['text']
    assert call(sandbox, 'OPTIONS', '/rest/', token=ADMIN).status == 200
    assert call(sandbox, 'PATCH', '/rest/p/test/bugs/new', token=ADMIN).status == 405


def test_less_than_is_escaped_in_json(sandbox):
    post(sandbox, '/rest/p/test/wiki/Script', {'text': '<script>alert(1)</script>'})
    result = get(sandbox, '/rest/p/test/wiki/Script')
    assert b'\\u003Cscript>' in result.body
    assert result.json['text'] == '<script>alert(1)</script>'
