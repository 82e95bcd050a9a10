"""The HTTP layer: ThreadingHTTPServer with keep-alive, faults, latency, logging.

Request flow (``Handler._serve``):

1. read the body (Content-Length or chunked; over ``MAX_BODY`` -> 413);
2. ``/_sandbox/...`` goes to :mod:`controls` (never logged or faulted);
3. added latency, then the first fault rule that fires (if any);
4. with a service time set, the request waits for the one service lock and holds
   it for that time and its processing (a server serving one request at a time);
5. :meth:`App.process` decodes the request and dispatches it under the store
   lock; the store is saved when the request changed it;
6. the response is written in one piece and the request is logged.
"""

import argparse
import email.utils
import http
import json
import os
import signal
import socket
import ssl
import struct
import sys
import threading
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from . import controls, router
from .context import Ctx
from .request import BadRequest, Request
from .responses import Abort, HTTPError, Response, error_page, webob_response
from .store import Store

MAX_BODY = 32 * 1024 * 1024
FAULT_STATUS = {'429': 429, '429-retry-after': 429, '502': 502, '503': 503, '504': 504}


class Options:
    """Runtime settings (command line, adjustable through ``/_sandbox/config``)."""

    def __init__(self, args):
        self.state_file = args.state_file
        self.tls = bool(args.certfile)
        self.export_seconds = args.export_seconds
        self.stock_webhook_validation = args.stock_webhook_validation
        self.latency_ms = args.latency_ms
        self.service_ms = args.service_ms
        self.verbose = args.verbose


class App:
    """Everything behind the socket: state, log, faults, settings."""

    def __init__(self, options):
        self.options = options
        self.defaults = {'export_seconds': options.export_seconds,
                         'stock_webhook_validation': options.stock_webhook_validation}
        self.store = Store(options.state_file)
        self.log = controls.RequestLog()
        self.faults = controls.Faults()
        self.latency_ms = options.latency_ms
        self.service_ms = options.service_ms
        self.service_lock = threading.Lock()

    def reset(self):
        self.store.reset()
        self.log.clear()
        self.faults.clear()
        self.latency_ms = self.options.latency_ms
        self.service_ms = self.options.service_ms
        for key, value in self.defaults.items():
            setattr(self.options, key, value)

    def config(self):
        return {'export_seconds': self.options.export_seconds,
                'stock_webhook_validation': self.options.stock_webhook_validation,
                'latency_ms': self.latency_ms, 'service_ms': self.service_ms, 'state_file': self.options.state_file, 'tls': self.options.tls}

    def configure(self, spec):
        if not isinstance(spec, dict) or set(spec) - {'export_seconds', 'stock_webhook_validation'}:
            raise controls.ControlError(400, 'config takes "export_seconds" and "stock_webhook_validation"')
        if 'export_seconds' in spec:
            value = spec['export_seconds']
            if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
                raise controls.ControlError(400, 'export_seconds must be a non-negative number')
            self.options.export_seconds = value
        if 'stock_webhook_validation' in spec:
            self.options.stock_webhook_validation = bool(spec['stock_webhook_validation'])

    def serve(self, *request):
        """:meth:`process`, with a service time: one request at a time, each holding the server for that time (as a
        real Allura behind a single worker does), while the added latency (the network) overlaps."""
        if not self.service_ms:
            return self.process(*request)
        with self.service_lock:
            time.sleep(self.service_ms / 1000.0)
            return self.process(*request)

    def process(self, method, target, headers, body, scheme, default_host):
        """Returns (response, username, wrote_state, internal_error)."""
        try:
            req = Request(method, target, headers, body, scheme, default_host)
        except BadRequest:
            return webob_response(400, '', headers.get('Accept'), method), None, False, False
        with self.store.lock:
            version = self.store.version
            ctx = Ctx(req, self.store, self.options)
            internal = False
            try:
                response = router.dispatch(ctx)
            except HTTPError as exc:
                response = exc.render(req.accept, req.method)
            except Abort as exc:
                response = exc.response
            except Exception:  # pylint: disable=broad-except
                # a sandbox bug, not a modelled 500: counted so tests can assert there are none
                traceback.print_exc()
                internal = True
                response = error_page(500)
            wrote = self.store.version != version
            if wrote:
                self.store.save()
        if not all(_latin1(value) for _name, value in response.headers):
            # A header a WSGI server cannot send (HTTP headers are Latin-1, PEP 3333): the work is done, but the
            # server answers its own 500 (a blog post whose title is not Latin-1 gets such a Location).
            response = Response(500, WSGI_SERVER_ERROR, 'text/plain; charset=utf-8')
        return response, ctx.user, wrote, internal


WSGI_SERVER_ERROR = ('Internal Server Error\n\nThe server encountered an unexpected internal server error\n\n'
                     '(generated by waitress)')


def _latin1(value):
    try:
        value.encode('latin-1')
        return True
    except UnicodeEncodeError:
        return False


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256
    app = None

    def handle_error(self, request, client_address):
        # clients that go away (or time out) mid-request are normal in fault tests
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError, ssl.SSLError)):
            return
        super().handle_error(request, client_address)


class Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    server_version = 'Allura-sandbox'
    sys_version = ''
    timeout = 300  # idle keep-alive connections are closed after this many seconds
    _date_cache = [0, '']

    def setup(self):
        super().setup()
        try:
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        if self.server.app.options.verbose:
            sys.stderr.write('%s - %s\n' % (self.address_string(), format % args))

    # every method goes through the same path (TurboGears ignores most of them)
    def do_GET(self):  # pylint: disable=invalid-name
        self._serve()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = do_GET

    # -- body and response plumbing ----------------------------------------------

    def _read_body(self):
        """The request body, or None after an error response was sent."""
        if 'chunked' in self.headers.get('Transfer-Encoding', '').lower():
            chunks, size = [], 0
            while True:
                line = self.rfile.readline(1024)
                try:
                    length = int(line.split(b';')[0].strip(), 16)
                except ValueError:
                    return self._refuse(400)
                if length == 0:
                    while self.rfile.readline(8192) not in (b'\r\n', b'\n', b''):
                        pass
                    return b''.join(chunks)
                size += length
                if size > MAX_BODY:
                    return self._refuse(413)
                chunks.append(self.rfile.read(length))
                self.rfile.readline(8)
        length = self.headers.get('Content-Length')
        if length is None:
            return b''
        try:
            length = int(length)
            if length < 0:
                raise ValueError(length)
        except ValueError:
            return self._refuse(400)
        if length > MAX_BODY:
            return self._refuse(413)
        return self.rfile.read(length) if length else b''

    def _refuse(self, status):
        self.close_connection = True
        self._write(webob_response(status, '', self.headers.get('Accept'), self.command))
        return None

    def _date(self):
        now = int(time.time())
        if self._date_cache[0] != now:
            self._date_cache[:] = [now, email.utils.formatdate(now, usegmt=True)]
        return self._date_cache[1]

    def _write(self, response):
        try:
            reason = http.HTTPStatus(response.status).phrase
        except ValueError:
            reason = 'Unknown'
        lines = ['HTTP/1.1 %d %s' % (response.status, reason), 'Server: Allura-sandbox', 'Date: ' + self._date()]
        for name, value in response.headers:
            lines.append('%s: %s' % (name, value))
        lines.append('Content-Length: %d' % len(response.body))
        if self.close_connection:
            lines.append('Connection: close')
        elif self.request_version == 'HTTP/1.0':
            lines.append('Connection: keep-alive')
        payload = ('\r\n'.join(lines) + '\r\n\r\n').encode('latin-1')
        if self.command != 'HEAD':
            payload += response.body
        try:
            self.wfile.write(payload)
        except OSError:
            self.close_connection = True

    def _drop(self):
        """Close the connection with a TCP reset and without any answer."""
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
            self.connection.close()
        except OSError:
            pass

    # -- the request --------------------------------------------------------------

    def _serve(self):
        app = self.server.app
        started = time.monotonic()
        body = self._read_body()
        if body is None:
            return
        path, _sep, query = self.path.partition('?')
        if path == '/_sandbox' or path.startswith('/_sandbox/'):
            status, payload = controls.handle(app, self.command, path, body)
            self._write(Response(status, json.dumps(payload), 'application/json'))
            return
        if app.latency_ms:
            time.sleep(app.latency_ms / 1000.0)
        rule = app.faults.pick(self.command, path)
        kind = rule.kind if rule else None

        def log(status, user=None, write=False, internal=False):
            app.log.add(self.command, path, query, status, user, write, kind,
                        (time.monotonic() - started) * 1000, internal)

        if kind == 'reset':
            log(None)
            self._drop()
            return
        if kind == 'hang':
            log(None)
            time.sleep(rule.delay_ms / 1000.0)
            self.close_connection = True
            return
        if kind in FAULT_STATUS:
            headers = [('Retry-After', str(rule.retry_after))] if kind == '429-retry-after' else []
            log(FAULT_STATUS[kind])  # logged before answering: a client that saw the answer finds it in the log
            self._write(webob_response(FAULT_STATUS[kind], '', self.headers.get('Accept'), self.command, headers))
            return
        if kind == 'delay':
            time.sleep(rule.delay_ms / 1000.0)
        if kind == 'hold':
            rule.hold()
        scheme = 'https' if app.options.tls else 'http'
        host = '%s:%d' % self.server.server_address[:2]
        response, user, wrote, internal = app.serve(self.command, self.path, self.headers, body, scheme, host)
        if kind == 'reset-after':
            log(response.status, user, wrote, internal)
            self._drop()
            return
        log(response.status, user, wrote, internal)  # before answering, as above
        self._write(response)


def parse_args(argv):
    parser = argparse.ArgumentParser(description='Allura-compatible REST sandbox server')
    parser.add_argument('--port', type=int, default=8080, help='port to listen on (0: pick a free one)')
    parser.add_argument('--host', default='127.0.0.1', help='loopback address to bind (default 127.0.0.1)')
    parser.add_argument('--state-file', help='persist the state as JSON here (loaded at start when present)')
    parser.add_argument('--port-file', help='write the port here once listening')
    parser.add_argument('--latency-ms', type=float, default=0, help='latency added to every request')
    parser.add_argument('--service-ms', type=float, default=0,
                        help='time every request holds the server, one request at a time (a single-worker server)')
    parser.add_argument('--certfile', help='serve HTTPS with this certificate (PEM)')
    parser.add_argument('--keyfile', help='private key for --certfile')
    parser.add_argument('--stock-webhook-validation', action='store_true',
                        help='reject non-http(s) and private/loopback webhook URLs like a stock Allura')
    parser.add_argument('--export-seconds', type=float, default=1.0, help='how long a bulk export stays busy')
    parser.add_argument('--verbose', action='store_true', help='log every request to stderr')
    args = parser.parse_args(argv)
    if args.host not in ('127.0.0.1', 'localhost', '::1') and not args.host.startswith('127.'):
        parser.error('the sandbox binds loopback addresses only')
    if args.keyfile and not args.certfile:
        parser.error('--keyfile needs --certfile')
    return args


def _write_port_file(path, port):
    tmp = path + '.tmp'
    with open(tmp, 'w', encoding='ascii') as handle:
        handle.write('%d\n' % port)
    os.replace(tmp, path)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    Server.address_family = socket.AF_INET6 if ':' in args.host else socket.AF_INET
    httpd = Server((args.host, args.port), Handler)
    httpd.app = App(Options(args))
    if args.certfile:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.certfile, args.keyfile)
        httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    port = httpd.server_address[1]
    if args.port_file:
        _write_port_file(args.port_file, port)
    signal.signal(signal.SIGTERM, lambda *_args: threading.Thread(target=httpd.shutdown, daemon=True).start())
    sys.stderr.write('allura sandbox listening on %s://%s:%d\n' % ('https' if args.certfile else 'http', args.host, port))
    sys.stderr.flush()
    try:
        httpd.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        httpd.server_close()
    return 0
