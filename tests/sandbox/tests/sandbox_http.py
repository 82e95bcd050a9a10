"""Small HTTP helpers for the sandbox tests (raw http.client, no redirects followed)."""

import http.client
import json
import socket
import threading
import time
from urllib.parse import urlencode, urlsplit

ADMIN = 'a0000000000000000001'
USER = 'a0000000000000000002'
ROOT = 'a0000000000000000000'
BAD = 'ffffffffffffffffffff'


class Result:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    @property
    def text(self):
        return self.body.decode('utf-8')

    @property
    def json(self):
        return json.loads(self.body)

    @property
    def content_type(self):
        return self.headers.get('content-type', '')

    def __repr__(self):
        return '<Result %s %s %r>' % (self.status, self.content_type, self.body[:200])


def call(base, method, path, form=None, token=None, headers=None, body=None, accept='application/json', timeout=30):
    """One request on a new connection.  ``form`` is url-encoded (dict or list of pairs)."""
    parts = urlsplit(base)
    headers = dict(headers or {})
    if accept is not None:
        headers.setdefault('Accept', accept)
    if token:
        headers['Authorization'] = 'Bearer ' + token
    if form is not None:
        body = urlencode(form)
        headers.setdefault('Content-Type', 'application/x-www-form-urlencoded')
    if isinstance(body, str):
        body = body.encode('utf-8')
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers)
        resp = conn.getresponse()
        return Result(resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read())
    finally:
        conn.close()


def get(base, path, token=ADMIN, **kwargs):
    return call(base, 'GET', path, token=token, **kwargs)


def post(base, path, form=None, token=ADMIN, **kwargs):
    return call(base, 'POST', path, form=form if form is not None else {}, token=token, **kwargs)


def raw(base, data, timeout=10):
    """Send raw bytes on a socket; return everything the server answers until it closes or times out."""
    parts = urlsplit(base)
    chunks = []
    with socket.create_connection((parts.hostname, parts.port), timeout=timeout) as sock:
        sock.sendall(data)
        try:
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                chunks.append(chunk)
        except socket.timeout:
            pass
    return b''.join(chunks)


def concurrently(base, count):
    """Seconds `count` GETs take, each sent at once on its own connection."""
    barrier = threading.Barrier(count)
    statuses = []

    def one():
        barrier.wait()
        statuses.append(get(base, '/rest/p/test/').status)
    threads = [threading.Thread(target=one) for _index in range(count)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * count
    return time.monotonic() - started
