# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""validate_certs, ca_path and timeout through tasks against the HTTPS sandbox, as options and as
ALLURA_VALIDATE_CERTS / ALLURA_CA_PATH / ALLURA_TIMEOUT, on both execution paths.

The sandbox serves HTTPS with a certificate of a throwaway CA (trustme) that no system trusts.
"""

from __future__ import annotations

import json
import os
import ssl
import subprocess
import sys
import time
import urllib.request

import pytest
import trustme

HERE = os.path.dirname(os.path.abspath(__file__))
SERVER = os.environ.get('ALLURA_SANDBOX_SERVER') or os.path.join(os.path.dirname(HERE), 'sandbox', 'server.py')
RUN_AS_MODULE = {'ALLURA_FORGE_RUN_AS_MODULE': '1'}
PATHS = [pytest.param({}, id='in-process'), pytest.param(RUN_AS_MODULE, id='as-module')]

# Each task reads a project; `result` is what the run wrote for each task name.
PLAYBOOK = """
- hosts: localhost
  gather_facts: false
  vars:
    ansible_python_interpreter: "{{ ansible_playbook_python }}"
  tasks:
    - name: default
      allura.forge.allura_project_info: {project: test}
      register: r_default
      ignore_errors: true
    - name: ca_path
      allura.forge.allura_project_info: {project: test, ca_path: "{{ ca }}"}
      register: r_ca_path
      ignore_errors: true
    - name: no_verify
      allura.forge.allura_project_info: {project: test, validate_certs: false}
      register: r_no_verify
      ignore_errors: true
    - name: verify
      allura.forge.allura_project_info: {project: test, validate_certs: true}
      register: r_verify
      ignore_errors: true
    - name: hung
      allura.forge.allura_project_info: {project: test2, validate_certs: false}
      register: r_hung
      ignore_errors: true
      when: lookup('ansible.builtin.env', 'ALLURA_TIMEOUT') != ''
    - name: Results
      ansible.builtin.copy:
        content: "{{ {'default': r_default, 'ca_path': r_ca_path, 'no_verify': r_no_verify, 'verify': r_verify,
                      'hung': r_hung} | to_json }}"
        dest: "{{ out }}"
        mode: "0644"
"""


@pytest.fixture(scope='module')
def https_sandbox(tmp_path_factory):
    """(URL, CA file) of a sandbox serving HTTPS with a certificate of a CA of its own."""
    tmp = tmp_path_factory.mktemp('tls')
    ca = trustme.CA()
    cert = ca.issue_cert('127.0.0.1')
    ca.cert_pem.write_to_path(str(tmp / 'ca.pem'))
    cert.cert_chain_pems[0].write_to_path(str(tmp / 'cert.pem'))
    cert.private_key_pem.write_to_path(str(tmp / 'key.pem'))
    port_file = tmp / 'port'
    with subprocess.Popen([sys.executable, SERVER, '--port', '0', '--port-file', str(port_file), '--certfile',
                           str(tmp / 'cert.pem'), '--keyfile', str(tmp / 'key.pem')]) as proc:
        try:
            for _attempt in range(300):
                if port_file.exists() and port_file.read_text(encoding='ascii').strip():
                    break
                assert proc.poll() is None, 'the HTTPS sandbox exited'
                time.sleep(0.1)
            yield 'https://127.0.0.1:%s' % port_file.read_text(encoding='ascii').strip(), str(tmp / 'ca.pem')
        finally:
            proc.terminate()
            proc.wait(10)


def control(https, path, body=None, method='POST'):
    url, ca = https
    request = urllib.request.Request(url + path, data=json.dumps(body).encode() if body is not None else b'', method=method,
                                     headers={'Content-Type': 'application/json'})
    with urllib.request.urlopen(request, timeout=10, context=ssl.create_default_context(cafile=ca)):
        pass


def run(ansible_playbook, https, tmp_path, path_env, **env):
    """The results of PLAYBOOK's tasks with `env` in the environment (ALLURA_URL: the HTTPS sandbox)."""
    url, ca = https
    control(https, '/_sandbox/reset')
    # test2 hangs (never answers within the sandbox's 20 s): only a timeout ends its read
    control(https, '/_sandbox/faults', {'kind': 'hang', 'delay_ms': 20000, 'match': {'method': 'GET', 'path_regex': '^/rest/p/test2/'}})
    out = tmp_path / 'results.json'
    proc = ansible_playbook(PLAYBOOK, '-e', 'out=%s' % out, '-e', 'ca=%s' % ca,
                            env=dict(path_env, ALLURA_URL=url, ALLURA_RETRIES='0', **env))
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return json.loads(out.read_text(encoding='utf-8'))


def refused(result):
    return result.get('failed') and 'TLS verification failed for 127.0.0.1' in result['msg'] and 'ca_path' in result['msg']


def read(result):
    return not result.get('failed') and result['project']['name'] == 'Test Project'


@pytest.mark.parametrize('path_env', PATHS)
def test_options_validate_certs_and_ca_path(ansible_playbook, https_sandbox, tmp_path, path_env):
    results = run(ansible_playbook, https_sandbox, tmp_path, path_env)
    assert refused(results['default']), results['default']  # nobody trusts the sandbox's CA
    assert refused(results['verify']), results['verify']
    assert read(results['ca_path']), results['ca_path']
    assert read(results['no_verify']), results['no_verify']


@pytest.mark.parametrize('path_env', PATHS)
def test_environment_ca_path_and_timeout(ansible_playbook, https_sandbox, tmp_path, path_env):
    results = run(ansible_playbook, https_sandbox, tmp_path, path_env, ALLURA_CA_PATH=https_sandbox[1], ALLURA_TIMEOUT='1.5')
    assert read(results['default']), results['default']
    assert read(results['verify']), results['verify']
    assert 'GET /rest/p/test2/ failed after 1 attempts: no answer within 1.5s' in results['hung']['msg'], results['hung']


@pytest.mark.parametrize('path_env', PATHS)
def test_environment_validate_certs_false_and_the_task_option_winning(ansible_playbook, https_sandbox, tmp_path, path_env):
    results = run(ansible_playbook, https_sandbox, tmp_path, path_env, ALLURA_VALIDATE_CERTS='false')
    assert read(results['default']), results['default']
    assert refused(results['verify']), results['verify']  # the task's validate_certs: true wins over the environment
    assert read(results['ca_path']), results['ca_path']
