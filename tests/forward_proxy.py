# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A small forwarding and CONNECT proxy for tests, on loopback only.

Plain http requests (absolute URI) are forwarded, https goes through a CONNECT tunnel, as a
corporate proxy does. It only reaches loopback addresses (anything else is answered 403, so no
test can reach the internet through it), records what it carried (`seen`: method and target),
can ask for credentials (`credentials='user:password'`: 407 without them), or refuse everything
(`deny=True`: 403, naming itself in the answer, as a proxy whose policy forbids the destination).

    with ForwardProxy() as proxy:            # proxy.url == 'http://127.0.0.1:PORT'
        ...
    python tests/forward_proxy.py --port 8130 [--credentials user:pass] [--deny]
"""

from __future__ import annotations

import argparse
import base64
import http.client
import http.server
import ipaddress
import select
import socket
import threading
from urllib.parse import urlsplit

HOP_BY_HOP = frozenset(('connection', 'keep-alive', 'proxy-authorization', 'proxy-connection', 'proxy-authenticate', 'te',
                        'trailer', 'transfer-encoding', 'upgrade'))


def _loopback(host):
    if host == 'localhost':
        return True
    try:
        return ipaddress.ip_address(host.strip('[]')).is_loopback
    except ValueError:
        return False


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    server: _Server

    def log_message(self, *args):  # quiet
        pass

    def _refuse(self, status, reason, headers=()):
        body = ('%d %s (test proxy at 127.0.0.1:%d)\n' % (status, reason, self.server.server_address[1])).encode()
        self.send_response(status, reason)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header('Content-Length', str(len(body)))
        self.send_header('Connection', 'close')
        self.end_headers()
        self.wfile.write(body)
        self.close_connection = True

    def _admitted(self, host):
        """Check credentials and destination; answer and return False when the request is refused."""
        if self.server.credentials:
            expected = 'Basic ' + base64.b64encode(self.server.credentials.encode()).decode()
            if self.headers.get('Proxy-Authorization') != expected:
                self._refuse(407, 'Proxy Authentication Required', [('Proxy-Authenticate', 'Basic realm="test proxy"')])
                return False
        if self.server.deny or not _loopback(host):
            self._refuse(403, 'Forbidden')
            return False
        return True

    def do_CONNECT(self):
        host, _sep, port = self.path.rpartition(':')
        if not self._admitted(host):
            return
        try:
            upstream = socket.create_connection((host.strip('[]'), int(port)), timeout=10)
        except OSError:
            self._refuse(502, 'Bad Gateway')
            return
        self.server.record('CONNECT', self.path)
        self.send_response(200, 'Connection established')
        self.end_headers()
        self.close_connection = True
        sockets = [self.connection, upstream]
        try:
            while True:
                readable, _w, _x = select.select(sockets, [], [], 30)
                if not readable:
                    break
                for sock in readable:
                    data = sock.recv(65536)
                    if not data:
                        return
                    (upstream if sock is self.connection else self.connection).sendall(data)
        except OSError:
            pass
        finally:
            upstream.close()

    def _forward(self):
        target = urlsplit(self.path)
        if target.scheme != 'http' or not target.hostname:
            self._refuse(400, 'Bad Request')
            return
        if not self._admitted(target.hostname):
            return
        length = int(self.headers.get('Content-Length') or 0)
        body = self.rfile.read(length) if length else None
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
        path = target.path + ('?' + target.query if target.query else '')
        try:
            upstream = http.client.HTTPConnection(target.hostname, target.port or 80, timeout=30)
            upstream.request(self.command, path or '/', body=body, headers=headers)
            answer = upstream.getresponse()
            data = answer.read()
        except OSError:
            self._refuse(502, 'Bad Gateway')
            return
        self.server.record(self.command, self.path)
        self.send_response(answer.status, answer.reason)
        for name, value in answer.getheaders():
            if name.lower() not in HOP_BY_HOP and name.lower() != 'content-length':
                self.send_header(name, value)
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        upstream.close()

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _forward


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address, credentials=None, deny=False):
        super().__init__(address, _Handler)
        self.credentials = credentials
        self.deny = deny
        self.seen = []
        self._lock = threading.Lock()

    def record(self, method, target):
        with self._lock:
            self.seen.append((method, target))

    def clear(self):
        with self._lock:
            self.seen.clear()


class ForwardProxy:
    """The proxy in a thread of the calling process; a context manager."""

    def __init__(self, port=0, credentials=None, deny=False):
        self.server = _Server(('127.0.0.1', port), credentials, deny)
        self.port = self.server.server_address[1]
        self.url = 'http://127.0.0.1:%d' % self.port
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def seen(self):
        return list(self.server.seen)

    def clear(self):
        self.server.clear()

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('--port', type=int, default=0)
    parser.add_argument('--credentials', help='user:password the proxy asks for (407 without)')
    parser.add_argument('--deny', action='store_true', help='refuse every request (403)')
    args = parser.parse_args()
    server = _Server(('127.0.0.1', args.port), args.credentials, args.deny)
    print('proxy listening on http://127.0.0.1:%d' % server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == '__main__':
    main()
