# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A scripted stand-in for requests.Session, for unit tests of the client and module logic.

    session = FakeSession()
    session.add('GET', '/rest/p/test/', json={'shortname': 'test'})
    session.add('POST', '/rest/p/test/bugs/new', status=302, headers={'Location': '.../bugs/7/'})
    session.add('GET', r'/rest/p/test/wiki/.*', responses=[reply(503), reply(200, json={})])
    client = AlluraClient('https://forge.example.org', token='t', session=session, sleep=lambda s: None)

Routes match method and the full path (a regular expression); `responses` are used in order, the
last one repeating; an Exception instance in `responses` is raised. Unmatched requests fail the test.
"""

from __future__ import annotations

import json as jsonlib
import re
import socket
from urllib.parse import urlsplit, unquote

import requests


def reply(status=200, json=None, text=None, headers=None, content_type=None):
    response = requests.Response()
    response.status_code = status
    if json is not None:
        body = jsonlib.dumps(json).encode()
        content_type = content_type or 'application/json; charset=utf-8'
    else:
        body = (text or '').encode()
        content_type = content_type or 'text/html; charset=utf-8'
    response._content = body
    response.headers.update({'Content-Type': content_type})
    response.headers.update(headers or {})
    response.encoding = 'utf-8'
    return response


class Call:
    def __init__(self, method, url, params, data, headers, auth):
        self.method = method
        self.url = url
        self.path = urlsplit(url).path
        self.params = params
        self.data = data
        self.headers = headers
        self.auth = auth

    @property
    def form(self):
        return dict(self.data or [])

    def __repr__(self):
        return '%s %s' % (self.method, self.path)


class FakeSession:

    def __init__(self):
        self.headers = {}
        self.verify = True
        self.trust_env = True
        self.routes = []
        self.calls = []

    def mount(self, prefix, adapter):
        pass

    def add(self, method, path, responses=None, **kwargs):
        """Answer `method path` with reply(**kwargs), or with each of `responses` in turn."""
        queue = list(responses) if responses is not None else [reply(**kwargs)]
        self.routes.insert(0, (method, re.compile(path + '$'), queue))
        return self

    def request(self, method, url, params=None, data=None, json=None, auth=None, timeout=None, allow_redirects=True):
        assert timeout, 'every request needs a timeout'
        assert allow_redirects is False, 'the client must never follow redirects on its own'
        call = Call(method, url, params, data, dict(self.headers), auth)
        call.json = json
        self.calls.append(call)
        for route_method, pattern, queue in self.routes:
            if route_method == method and pattern.match(unquote(call.path)) or route_method == method and pattern.match(call.path):
                item = queue.pop(0) if len(queue) > 1 else queue[0]
                if isinstance(item, Exception):
                    raise item
                if callable(item):
                    item = item(call)
                return item
        raise AssertionError('unexpected request: %s %s' % (method, url))

    def writes(self):
        return [c for c in self.calls if c.method != 'GET']


def closed_port():
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def real_error(url, **kwargs):
    """The exception a real requests session raises for this GET (a refused port, a proxy, a bad CA...), with the
    exceptions it wraps, to script a FakeSession with or to classify."""
    session = requests.Session()
    session.trust_env = False
    kwargs.setdefault('timeout', 5)
    try:
        session.get(url, **kwargs)
    except requests.exceptions.RequestException as exc:
        return exc
    raise AssertionError('GET %s did not fail' % url)
