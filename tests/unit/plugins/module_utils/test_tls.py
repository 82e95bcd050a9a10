# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""validate_certs and ca_path against a real local TLS server with a throwaway CA."""

from __future__ import annotations

import http.server
import json
import ssl
import threading

import pytest
import trustme

from ansible_collections.allura.forge.plugins.module_utils._client import AlluraClient, AlluraError


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = json.dumps({'site_stats': {}}).encode()
        self.send_response(200)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope='module')
def tls_server(tmp_path_factory):
    ca = trustme.CA()
    cert = ca.issue_cert('127.0.0.1', 'localhost')
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), _Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    cert.configure_cert(context)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    ca_file = tmp_path_factory.mktemp('ca') / 'ca.pem'
    ca.cert_pem.write_to_path(str(ca_file))
    yield 'https://127.0.0.1:%d' % server.server_address[1], str(ca_file)
    server.shutdown()


def test_untrusted_certificate_is_refused_by_default(tls_server):
    url, _ca = tls_server
    client = AlluraClient(url, token='t', retries=0, timeout=5)
    assert client.session.verify is True
    with pytest.raises(AlluraError, match='TLS verification failed for 127.0.0.1: .*ca_path'):
        client.get_json('/rest/')


def test_ca_path_makes_it_trusted(tls_server):
    url, ca = tls_server
    assert AlluraClient(url, token='t', ca_path=ca, retries=0, timeout=5).get_json('/rest/') == {'site_stats': {}}


def test_validate_certs_false_skips_verification(tls_server):
    url, _ca = tls_server
    assert AlluraClient(url, token='t', validate_certs=False, retries=0, timeout=5).get_json('/rest/') == {'site_stats': {}}
