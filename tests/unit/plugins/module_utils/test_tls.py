# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""validate_certs, ca_path, the CA bundle variables and the OS trust store, against a real local TLS server with a
throwaway CA. The machine's own trust store is never changed: the variables point at files of the test."""

from __future__ import annotations

import http.server
import json
import ssl
import threading

import pytest
import trustme

from ansible_collections.allura.forge.plugins.module_utils import _client
from ansible_collections.allura.forge.plugins.module_utils._client import CA_BUNDLE_VARIABLES, AlluraClient, AlluraError, ParameterError


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


def _serve(server):
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server


@pytest.fixture(scope='module')
def tls_server(tmp_path_factory):
    """(URL of a TLS server, its CA's PEM file, another CA's PEM file)."""
    ca = trustme.CA()
    cert = ca.issue_cert('127.0.0.1', 'localhost')
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), _Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    cert.configure_cert(context)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    _serve(server)
    folder = tmp_path_factory.mktemp('ca')
    ca.cert_pem.write_to_path(str(folder / 'ca.pem'))
    trustme.CA().cert_pem.write_to_path(str(folder / 'other.pem'))
    yield 'https://127.0.0.1:%d' % server.server_address[1], str(folder / 'ca.pem'), str(folder / 'other.pem')
    server.shutdown()


def get(url, **kwargs):
    kwargs.setdefault('environ', {})
    return AlluraClient(url, token='t', retries=2, timeout=5, sleep=lambda s: None, **kwargs).get_json('/rest/')


def test_untrusted_certificate_is_refused_at_once_with_a_hint(tls_server):
    url, _ca, _other = tls_server
    client = AlluraClient(url, token='t', retries=2, timeout=5, environ={})
    assert client.session.verify is True
    with pytest.raises(AlluraError, match=r'GET /rest/: TLS verification failed for 127.0.0.1:\d+: unable to get local issuer '
                                          r'certificate; give the CA bundle of this server with ca_path .*validate_certs') as caught:
        client.get_json('/rest/')
    assert caught.value.details == {'connection_error': 'tls'} and client.requests_made == 1  # never retried


def test_ca_path_makes_it_trusted(tls_server):
    url, ca, _other = tls_server
    assert get(url, ca_path=ca) == {'site_stats': {}}


def test_validate_certs_false_skips_verification(tls_server):
    url, _ca, other = tls_server
    assert get(url, validate_certs=False, ca_path=other, environ={'REQUESTS_CA_BUNDLE': other}) == {'site_stats': {}}


@pytest.mark.parametrize('variable', [name for name in CA_BUNDLE_VARIABLES if name != 'SSL_CERT_DIR'])
def test_a_ca_bundle_variable_makes_it_trusted(tls_server, variable):
    url, ca, other = tls_server
    assert get(url, environ={variable: ca}) == {'site_stats': {}}
    with pytest.raises(AlluraError, match='TLS verification failed'):
        get(url, environ={variable: other})


def test_ssl_cert_dir_is_a_folder_of_certificates(tmp_path):
    client = AlluraClient('https://forge.example.org', environ={'SSL_CERT_DIR': str(tmp_path)})
    assert client.session.verify == str(tmp_path)  # requests hands a folder to OpenSSL as its CA path


def test_ca_path_wins_over_the_variables(tls_server):
    url, ca, other = tls_server
    assert get(url, ca_path=ca, environ={name: other for name in CA_BUNDLE_VARIABLES}) == {'site_stats': {}}
    with pytest.raises(AlluraError, match='TLS verification failed'):
        get(url, ca_path=other, environ={name: ca for name in CA_BUNDLE_VARIABLES})


def test_the_variables_are_read_in_the_order_requests_reads_them_and_empty_means_unset(tls_server):
    url, ca, other = tls_server
    assert get(url, environ={'REQUESTS_CA_BUNDLE': ca, 'SSL_CERT_FILE': other}) == {'site_stats': {}}
    assert get(url, environ={'REQUESTS_CA_BUNDLE': '', 'CURL_CA_BUNDLE': '', 'SSL_CERT_FILE': ca}) == {'site_stats': {}}


@pytest.mark.parametrize('where', ['ca_path', 'REQUESTS_CA_BUNDLE'])
def test_a_bundle_that_does_not_exist_fails_before_a_request_naming_where_it_comes_from(tls_server, where, tmp_path):
    url, _ca, _other = tls_server
    missing = str(tmp_path / 'nope.pem')
    options = dict(ca_path=missing) if where == 'ca_path' else dict(environ={where: missing})
    with pytest.raises(ParameterError, match="%s '%s' does not exist" % (where, missing)):
        get(url, **options)


def test_the_os_trust_store_is_used_when_truststore_is_installed(tls_server, monkeypatch):
    """truststore verifies with the store OpenSSL takes as the system's, which SSL_CERT_FILE of this process (not the
    module's environment, which is empty here) points at the test CA: only that way can the server be trusted."""
    url, ca, _other = tls_server
    assert _client.HAS_TRUSTSTORE  # installed for the tests (tests/unit/requirements.txt)
    monkeypatch.setenv('SSL_CERT_FILE', ca)
    assert get(url, environ={}) == {'site_stats': {}}
    with pytest.raises(AlluraError, match='TLS verification failed'):  # the task blanked it: not this process's store
        get(url, environ={'SSL_CERT_FILE': ''})
    monkeypatch.setattr(_client, 'HAS_TRUSTSTORE', False)
    with pytest.raises(AlluraError, match='TLS verification failed'):  # certifi's bundle alone does not trust it
        get(url, environ={})


def test_a_tls_handshake_with_a_server_that_does_not_speak_tls_is_named():
    plain = _serve(http.server.ThreadingHTTPServer(('127.0.0.1', 0), _Handler))
    try:
        with pytest.raises(AlluraError, match=r'the TLS handshake with 127.0.0.1:\d+ failed: [A-Z_]+; check that '
                                              r'server_url is right') as caught:
            get('https://127.0.0.1:%d' % plain.server_address[1])
        assert caught.value.details == {'connection_error': 'tls'}
    finally:
        plain.shutdown()
