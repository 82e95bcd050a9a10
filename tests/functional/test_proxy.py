# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Modules behind a proxy, and with a CA bundle given the usual way, on both execution paths.

A real forwarding and CONNECT proxy (tests/forward_proxy.py, loopback only) carries writes to the HTTP sandbox
and to an HTTPS sandbox with a certificate of a throwaway CA; NO_PROXY bypasses it; a proxy that asks for
credentials gets them from proxy_url, and without them the failure says so; a proxy that refuses connections
and a wrong CA bundle fail naming their cause. All settings come from the tasks' `environment:` (or the
shell), and the proxy's password never shows, at -vvv either.
"""

from __future__ import annotations

import json
import re
import socket
import ssl
import urllib.request

from conftest import untimed

PASSWORD = 'Pr0xy-pass-9Qw'

PLAYBOOK = '''
- hosts: localhost
  gather_facts: false
  vars:
    ansible_python_interpreter: "{{ ansible_playbook_python }}"
    page: &page {project: test, title: Through the proxy, text: "Carried by a proxy\\n"}
  tasks:
    - name: HTTPS through the proxy (CONNECT), trusted with REQUESTS_CA_BUNDLE
      allura.forge.allura_wiki_page: *page
      environment: {ALLURA_URL: "{{ https }}", HTTPS_PROXY: "{{ tunnel }}", REQUESTS_CA_BUNDLE: "{{ ca }}"}
      register: https_write
    - name: HTTP through the proxy (forwarded)
      allura.forge.allura_wiki_page: *page
      environment: {ALLURA_URL: "{{ http }}", http_proxy: "{{ forward }}"}
      register: http_write
    - name: NO_PROXY bypasses the proxy; SSL_CERT_FILE trusts the CA
      allura.forge.allura_project_info: {project: test}
      environment: {ALLURA_URL: "{{ https }}", HTTPS_PROXY: "{{ bypassed }}", NO_PROXY: "localhost,127.0.0.1", SSL_CERT_FILE: "{{ ca }}"}
      register: bypass
    - name: A proxy that asks for credentials gets them from proxy_url
      allura.forge.allura_project_info: {project: test, proxy_url: "{{ guarded_with_password }}"}
      environment: {ALLURA_URL: "{{ https }}", REQUESTS_CA_BUNDLE: "{{ ca }}"}
      register: auth_ok
    - name: Without them, the tunnel is refused (HTTPS)
      allura.forge.allura_project_info: {project: test}
      environment: {ALLURA_URL: "{{ https }}", HTTPS_PROXY: "{{ guarded }}", REQUESTS_CA_BUNDLE: "{{ ca }}"}
      register: auth_tunnel
      ignore_errors: true
    - name: Without them, the forwarded request is answered 407 (HTTP)
      allura.forge.allura_project_info: {project: test}
      environment: {ALLURA_URL: "{{ http }}", HTTP_PROXY: "{{ guarded }}"}
      register: auth_forward
      ignore_errors: true
    - name: A proxy that refuses connections (retried once, then named)
      allura.forge.allura_project_info: {project: test}
      environment: {ALLURA_URL: "{{ https }}", HTTPS_PROXY: "{{ refusing }}", ALLURA_RETRIES: "1", REQUESTS_CA_BUNDLE: "{{ ca }}"}
      register: refused
      ignore_errors: true
    - name: A wrong CA bundle, through the proxy
      allura.forge.allura_project_info: {project: test}
      environment: {ALLURA_URL: "{{ https }}", HTTPS_PROXY: "{{ tunnel }}", REQUESTS_CA_BUNDLE: "{{ other_ca }}"}
      register: bad_ca
      ignore_errors: true
    - name: ca_path wins over the wrong bundle
      allura.forge.allura_project_info: {project: test}
      environment: {ALLURA_URL: "{{ https }}", REQUESTS_CA_BUNDLE: "{{ other_ca }}", ALLURA_CA_PATH: "{{ ca }}"}
      register: ca_path_wins
    - name: Save them
      ansible.builtin.copy:
        dest: "{{ out }}"
        mode: "0600"
        content: "{{ {'https_write': https_write, 'http_write': http_write, 'bypass': bypass, 'auth_ok': auth_ok,
                      'auth_tunnel': auth_tunnel, 'auth_forward': auth_forward, 'refused': refused, 'bad_ca': bad_ca,
                      'ca_path_wins': ca_path_wins} | to_json }}"
'''


def reset(url, ca=None):
    request = urllib.request.Request(url + '/_sandbox/reset', data=b'', method='POST')
    context = ssl.create_default_context(cafile=ca) if ca else None
    with urllib.request.urlopen(request, timeout=10, context=context):
        pass


def closed_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def comparable(result):
    """A result without its timing: the random backoff of its warnings, and lock_waited (see conftest.untimed)."""
    return json.loads(re.sub(r'retrying in [0-9.]+s', 'retrying in Ns', json.dumps(untimed(result))))


def test_proxies_and_ca_bundles_on_both_paths(ansible_playbook, sandbox, https_sandbox, tls, forward_proxy, tmp_path):
    https = 'https://127.0.0.1:%d' % https_sandbox
    proxies = dict(tunnel=forward_proxy(), forward=forward_proxy(), bypassed=forward_proxy(),
                   guarded=forward_proxy(credentials='me:' + PASSWORD))
    variables = dict(https=https, http=sandbox, ca=tls['ca'], other_ca=tls['other_ca'], refusing='http://127.0.0.1:%d' % closed_port(),
                     guarded_with_password=proxies['guarded'].url.replace('//', '//me:%s@' % PASSWORD),
                     **{name: proxy.url for name, proxy in proxies.items()})
    shell = {name: None for name in ('REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE', 'SSL_CERT_FILE', 'SSL_CERT_DIR', 'HTTPS_PROXY', 'https_proxy',
                                     'HTTP_PROXY', 'http_proxy', 'ALL_PROXY', 'all_proxy', 'NO_PROXY', 'no_proxy')}
    results, seen = {}, {}
    for path, extra in (('in-process', {}), ('as-module', {'ALLURA_FORGE_RUN_AS_MODULE': '1'})):
        reset(https, tls['ca'])
        reset(sandbox)
        for proxy in proxies.values():
            proxy.clear()
        out = tmp_path / ('%s.json' % path)
        variables_file = tmp_path / 'vars.json'
        variables_file.write_text(json.dumps(dict(variables, out=str(out))), encoding='utf-8')
        proc = ansible_playbook(PLAYBOOK, '-vvv', '-e', '@%s' % variables_file, env=dict(shell, **extra))
        assert proc.returncode == 0, (proc.stdout + proc.stderr)[-4000:]
        assert PASSWORD not in proc.stdout + proc.stderr + out.read_text(encoding='utf-8'), path
        results[path] = json.loads(out.read_text(encoding='utf-8'))
        seen[path] = {name: sorted(proxy.seen) for name, proxy in proxies.items()}  # reads go side by side

    for name, result in results['in-process'].items():
        assert comparable(result) == comparable(results['as-module'][name]), name
    assert seen['in-process'] == seen['as-module']
    r, carried = results["in-process"], seen["in-process"]
    https_host = https[len('https://'):]

    # carried through the proxy: writes over a CONNECT tunnel and forwarded, nothing through the bypassed one
    assert r['https_write']['changed'] and r['http_write']['changed'] and not r['bypass'].get('failed')
    assert carried['tunnel'] and all(entry == ('CONNECT', https_host) for entry in carried['tunnel'])
    assert ('POST', sandbox + '/rest/p/test/wiki/Through%20the%20proxy') in carried['forward']
    assert all(target.startswith(sandbox + '/rest/') for _method, target in carried['forward'])
    assert carried['bypassed'] == []
    # credentials: accepted from proxy_url; without them the failure names the proxy and what to do
    assert not r['auth_ok'].get('failed') and carried['guarded'] == [('CONNECT', https_host)]
    port = proxies['guarded'].port
    assert r['auth_tunnel']['connection_error'] == 'proxy_refused'
    assert ('the proxy 127.0.0.1:%d (from HTTPS_PROXY) refused to open a tunnel to %s (Tunnel connection failed: 407 Proxy '
            'Authentication Required)' % (port, https_host)) in r['auth_tunnel']['msg']
    assert 'give a user and password in the proxy URL (http://user:password@host:port)' in r['auth_tunnel']['msg']
    assert r['auth_forward']['connection_error'] == 'proxy_auth' and r['auth_forward']['status'] == 407
    assert 'the proxy 127.0.0.1:%d (from HTTP_PROXY) asks for authentication (HTTP 407)' % port in r['auth_forward']['msg']
    # a proxy that refuses connections: retried, then named, without suggesting more retries
    assert r['refused']['connection_error'] == 'proxy' and 'failed after 2 attempts' in r['refused']['msg']
    assert '(from HTTPS_PROXY) refused the connection' in r['refused']['msg'] and 'raise retries' not in r['refused']['msg']
    assert len(r['refused']['warnings']) == 1
    # the CA: a wrong bundle fails at once with the hint, ca_path wins over it
    assert r['bad_ca']['connection_error'] == 'tls' and 'TLS verification failed for %s' % https_host in r['bad_ca']['msg']
    assert 'ca_path' in r['bad_ca']['msg'] and 'warnings' not in r['bad_ca']
    assert not r['ca_path_wins'].get('failed')
