# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A reverse proxy adding a fixed delay to every request: network latency in front of a real Allura.

Every request waits --latency-ms, then goes to the upstream server on the connection this client
connection owns (keep-alive on both sides, one thread per client connection), so the delays of
concurrent requests overlap as on a network, while the upstream serves them as it can. The Host
header is passed on unchanged: the server builds its URLs (redirects, Location) for the proxy.
Loopback upstreams only. It counts the requests it forwarded (`requests`; `writes`: those not GET or HEAD).

    python bench/latency_proxy.py --upstream http://127.0.0.1:8080 --latency-ms 50 [--port 0] [--port-file F]

    with LatencyProxy('http://127.0.0.1:8080', 50) as proxy:   # proxy.url
        ...
"""

from __future__ import annotations

import argparse
import http.client
import http.server
import os
import socket
import threading
import time
from urllib.parse import urlsplit

HOP_BY_HOP = frozenset(('connection', 'keep-alive', 'proxy-authorization', 'proxy-connection', 'proxy-authenticate', 'te',
                        'trailer', 'transfer-encoding', 'upgrade'))


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    server: _Server
    upstream = None

    def log_message(self, *args):  # quiet
        pass

    def setup(self):
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def finish(self):
        if self.upstream is not None:
            self.upstream.close()
        super().finish()

    def _exchange(self, body, headers):
        """The upstream's answer on this connection's upstream connection; a read the server closed an idle connection
        under is sent again once on a new one (a write never is: it may have been done)."""
        for attempt in (1, 2) if self.command in ('GET', 'HEAD') else (2,):
            if self.upstream is None:
                self.upstream = http.client.HTTPConnection(self.server.host, self.server.port, timeout=300)
            try:
                self.upstream.request(self.command, self.path, body=body, headers=headers)
                answer = self.upstream.getresponse()
                return answer, answer.read()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self.upstream.close()
                self.upstream = None
                if attempt == 2:
                    raise
        raise AssertionError('unreachable')

    def _forward(self):
        length = int(self.headers.get('Content-Length') or 0)
        body = self.rfile.read(length) if length else None
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
        self.server.count(self.command)
        time.sleep(self.server.latency_ms / 1000.0)
        try:
            answer, data = self._exchange(body, headers)
        except OSError:
            self.send_error(502)
            return
        self.send_response_only(answer.status, answer.reason)
        for name, value in answer.getheaders():
            if name.lower() not in HOP_BY_HOP and name.lower() != 'content-length':
                self.send_header(name, value)
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        if self.command != 'HEAD':
            self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = do_OPTIONS = _forward


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256

    def __init__(self, upstream, latency_ms, port=0):
        target = urlsplit(upstream)
        if target.scheme != 'http' or target.hostname not in ('127.0.0.1', 'localhost', '::1'):
            raise ValueError('upstream must be a plain http loopback URL, not %r' % upstream)
        super().__init__(('127.0.0.1', port), _Handler)
        self.host, self.port = target.hostname, target.port or 80
        self.latency_ms = latency_ms
        self.requests = self.writes = 0
        self._lock = threading.Lock()

    def count(self, method):
        with self._lock:
            self.requests += 1
            self.writes += method not in ('GET', 'HEAD')

    def clear(self):
        with self._lock:
            self.requests = self.writes = 0


class LatencyProxy:
    """The proxy in a thread of the calling process; a context manager."""

    def __init__(self, upstream, latency_ms, port=0):
        self.server = _Server(upstream, latency_ms, port)
        self.url = 'http://127.0.0.1:%d' % self.server.server_address[1]
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('--upstream', required=True, help='the server behind the proxy (http://127.0.0.1:PORT)')
    parser.add_argument('--latency-ms', type=float, default=50, help='delay added to every request')
    parser.add_argument('--port', type=int, default=0, help='port to listen on (0: a free one)')
    parser.add_argument('--port-file', help='write the port here once listening')
    args = parser.parse_args()
    try:
        server = _Server(args.upstream, args.latency_ms, args.port)
    except ValueError as exc:
        parser.error('--upstream: %s' % exc)
    port = server.server_address[1]
    if args.port_file:
        with open(args.port_file + '.tmp', 'w', encoding='ascii') as handle:
            handle.write('%d\n' % port)
        os.replace(args.port_file + '.tmp', args.port_file)
    print('latency proxy (%g ms) on http://127.0.0.1:%d -> %s' % (args.latency_ms, port, args.upstream), flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == '__main__':
    main()
