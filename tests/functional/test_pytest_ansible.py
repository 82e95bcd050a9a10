# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Single module runs through pytest-ansible's fixtures (`localhost`, `ansible_module`), in this process.

A module call is one line here - `run('allura_tool', project='test', ...)` - instead of a playbook written to a
file and an ansible-playbook subprocess; settings come from the environment as in a real job. Each runs on both
execution paths (in-process action plugin and ALLURA_FORGE_RUN_AS_MODULE=1).

The AWX tests give the modules exactly the environment AWX gives a job with a credential of the collection's
credential type (extensions/awx/allura_credential_type.yml), rendered as AWX renders it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import types
import urllib.request

import pytest
import trustme
import yaml
from jinja2.sandbox import ImmutableSandboxedEnvironment

HERE = os.path.dirname(os.path.abspath(__file__))
COLLECTION_ROOT = os.path.dirname(os.path.dirname(HERE))
ADMIN_TOKEN = os.environ.get('ALLURA_ADMIN_TOKEN') or 'a0000000000000000001'
USER_TOKEN = os.environ.get('ALLURA_USER_TOKEN') or 'a0000000000000000002'
# the sandbox's OAuth 1.0a credentials of test-admin
OAUTH = dict(oauth_consumer_key='sandboxconsumerkey000001', oauth_consumer_secret='sandboxconsumersecret001',
             oauth_token='sandboxaccesstoken000001', oauth_token_secret='sandboxtokensecret000001')
PATHS = [pytest.param(False, id='in-process'), pytest.param(True, id='as-module')]
CONNECTION_VARIABLES = ('ALLURA_URL', 'ALLURA_TOKEN', 'ALLURA_OAUTH_CONSUMER_KEY', 'ALLURA_OAUTH_CONSUMER_SECRET',
                        'ALLURA_OAUTH_TOKEN', 'ALLURA_OAUTH_TOKEN_SECRET', 'ALLURA_VALIDATE_CERTS', 'ALLURA_CA_PATH')

# pytest-ansible warns that its host manager is deprecated (it is still what its fixtures use).
pytestmark = pytest.mark.filterwarnings('ignore:Host management is deprecated:DeprecationWarning')

with open(os.path.join(COLLECTION_ROOT, 'extensions', 'awx', 'allura_credential_type.yml'), encoding='utf-8') as _handle:
    CREDENTIAL_TYPE = yaml.safe_load(_handle)


@pytest.fixture
def env(monkeypatch):
    """The process environment the modules read, cleared of connection settings; returns a setter."""
    for name in CONNECTION_VARIABLES + ('ALLURA_FORGE_RUN_AS_MODULE',):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv('ANSIBLE_PYTHON_INTERPRETER', sys.executable)  # the module path must not discover a broken shim
    monkeypatch.setenv('ANSIBLE_NOCOLOR', '1')

    def set_env(values, as_module=False):
        for name, value in values.items():
            monkeypatch.setenv(name, value)
        if as_module:
            monkeypatch.setenv('ALLURA_FORGE_RUN_AS_MODULE', '1')
    return set_env


@pytest.fixture(autouse=True)
def stdio_inheritance():
    """Gives this process's fds 0-2 back their inheritance after each test: the TaskQueueManager of an in-process
    run marks them non-inheritable, and pytest never restores its stdin, so every process started later (any
    ansible-playbook of the other tests) would start with stdin closed."""
    saved = [os.get_inheritable(fd) for fd in (0, 1, 2)]
    yield
    for fd, inheritable in enumerate(saved):
        os.set_inheritable(fd, inheritable)


@pytest.fixture
def run(localhost):
    """run(module, **options) -> the result of allura.forge.<module> on localhost."""
    def call(module, **options):
        return getattr(localhost, 'allura.forge.' + module)(**options)['localhost']
    return call


def request_log(url):
    with urllib.request.urlopen(url + '/_sandbox/log', timeout=10) as response:
        return json.load(response)['requests']


# --- module runs ---------------------------------------------------------------------------------

@pytest.mark.parametrize('as_module', PATHS)
def test_a_tool_is_installed_once_then_left_alone(run, env, sandbox, as_module):
    env({'ALLURA_URL': sandbox, 'ALLURA_TOKEN': ADMIN_TOKEN}, as_module)
    first = run('allura_tool', project='test', tool='wiki', mount_point='notes', mount_label='Notes')
    assert not first.get('failed'), first
    assert first['changed'] is True and first['action'] == 'create'
    assert first['tool']['mount_point'] == 'notes' and first['tool']['mount_label'] == 'Notes'
    again = run('allura_tool', project='test', tool='wiki', mount_point='notes', mount_label='Notes')
    assert not again.get('failed') and again['changed'] is False and again['action'] == 'none', again


@pytest.mark.parametrize('as_module', PATHS)
def test_bad_input_fails_naming_the_option_and_sends_nothing(run, env, sandbox, as_module):
    env({'ALLURA_URL': sandbox, 'ALLURA_TOKEN': ADMIN_TOKEN}, as_module)
    urllib.request.urlopen(urllib.request.Request(sandbox + '/_sandbox/log/clear', data=b'', method='POST'), timeout=10).close()
    result = run('allura_tool', project='test', tool='wiki', mount_point='notes', order='middle')
    assert result['failed'] is True
    assert 'order' in result['msg'] and 'middle' in result['msg'], result['msg']
    assert request_log(sandbox) == []


@pytest.mark.parametrize('as_module', PATHS)
def test_settings_come_from_the_environment_and_the_token_is_never_shown(run, env, sandbox, as_module):
    env({'ALLURA_URL': sandbox, 'ALLURA_TOKEN': USER_TOKEN}, as_module)
    result = run('allura_access_info', project='test', users=['test-user'], permissions=['read'])
    assert result['failed'] is True and result['status'] == 403, result  # test-user is no project admin
    env({'ALLURA_TOKEN': ADMIN_TOKEN})
    result = run('allura_access_info', project='test', users=['test-user', '*anonymous'], permissions=['read', 'admin'])
    assert not result.get('failed'), result
    assert result['access'] == {'test-user': {'read': True, 'admin': False}, '*anonymous': {'read': True, 'admin': False}}
    assert ADMIN_TOKEN not in repr(result) and USER_TOKEN not in repr(result)


@pytest.mark.ansible(inventory='localhost,', connection='local', host_pattern='localhost')
def test_ansible_module_reads_a_project(ansible_module, env, sandbox):
    env({'ALLURA_URL': sandbox})  # anonymous: a public project reads without credentials
    result = getattr(ansible_module, 'allura.forge.allura_project_info')(project='test')['localhost']
    assert not result.get('failed'), result
    assert result['project']['shortname'] == 'test'
    assert 'wiki' in [tool['mount_point'] for tool in result['tools']]


STDIN_PLAYBOOK = r'''
- hosts: localhost
  gather_facts: false
  vars:  # the stdin of ansible-playbook: the parent of the task's process, itself the parent of the pipe's shell
    probe: readlink /proc/$(awk '{print $4}' /proc/$PPID/stat)/fd/0 || echo closed
  tasks:
    - ansible.builtin.debug:
        msg: "controller stdin: {{ lookup('ansible.builtin.pipe', probe) }}"
'''


def test_a_playbook_started_after_an_in_process_run_has_a_stdin(run, env, sandbox, ansible_playbook):
    # The in-process run leaves this process's fd 0 non-inheritable (see stdio_inheritance): ansible-playbook must
    # not start with stdin closed, where ansible-core loses the process of a task now and then.
    env({'ALLURA_URL': sandbox})
    assert run('allura_project_info', project='test')['project']['shortname'] == 'test'
    proc = ansible_playbook(STDIN_PLAYBOOK, check=True)
    assert 'controller stdin: /dev/null' in proc.stdout, proc.stdout


# --- AWX: the environment a job gets from an Allura credential -----------------------------------

def awx_job_environment(inputs, private_dir):
    """The environment variables AWX sets for a job that has a credential of our type with these inputs.

    As AWX injects a custom credential: the fields that are set, booleans not set as false, every file template
    written to a file of its own (named by tower.filename.<label>), then every `env` template rendered in a Jinja2
    sandbox, where an unset field renders empty.
    """
    os.makedirs(private_dir, exist_ok=True)
    namespace = {name: value for name, value in inputs.items() if value not in (None, '')}
    for field in CREDENTIAL_TYPE['inputs']['fields']:
        if field.get('type') == 'boolean':
            namespace.setdefault(field['id'], False)
    sandbox = ImmutableSandboxedEnvironment()
    files = types.SimpleNamespace()
    for label, template in CREDENTIAL_TYPE['injectors'].get('file', {}).items():
        handle, path = tempfile.mkstemp(dir=private_dir)
        with os.fdopen(handle, 'w') as out:
            out.write(sandbox.from_string(template).render(**namespace))
        setattr(files, label.split('.')[1], path)
    namespace['tower'] = types.SimpleNamespace(filename=files)
    return {name: sandbox.from_string(template).render(**namespace) for name, template in CREDENTIAL_TYPE['injectors']['env'].items()}


def admin_check(run):
    """allura_access_info on p/test needs a project admin: it proves the credential reached the server."""
    return run('allura_access_info', project='test', users=['test-user'], permissions=['admin'])


@pytest.mark.parametrize('as_module', PATHS)
@pytest.mark.parametrize('secrets', [pytest.param({'token': ADMIN_TOKEN}, id='token'), pytest.param(OAUTH, id='oauth')])
def test_an_awx_credential_connects_the_modules(run, env, sandbox, tmp_path, secrets, as_module):
    job_env = awx_job_environment(dict(secrets, server_url=sandbox, validate_certs=True), tmp_path)
    assert set(job_env) >= set(CONNECTION_VARIABLES) - {'ALLURA_CA_PATH'}
    env(job_env, as_module)
    result = admin_check(run)
    assert not result.get('failed'), result
    assert result['access'] == {'test-user': {'admin': False}}
    for value in secrets.values():
        if value != OAUTH['oauth_consumer_key']:
            assert value not in repr(result)


@pytest.mark.parametrize('as_module', PATHS)
def test_an_awx_credential_without_secrets_is_anonymous(run, env, sandbox, tmp_path, as_module):
    env(awx_job_environment({'server_url': sandbox, 'validate_certs': True}, tmp_path), as_module)
    result = admin_check(run)
    assert result['failed'] is True and result['status'] == 401, result  # no credentials were sent


@pytest.fixture(scope='module')
def https_sandbox():
    """A private sandbox serving HTTPS with a certificate of a throwaway CA: (url, CA certificate PEM)."""
    ca = trustme.CA()
    server = os.environ.get('ALLURA_SANDBOX_SERVER') or os.path.join(COLLECTION_ROOT, 'tests', 'sandbox', 'server.py')
    with tempfile.TemporaryDirectory() as tmp:
        cert = ca.issue_cert('127.0.0.1', 'localhost')
        cert.private_key_and_cert_chain_pem.write_to_path(os.path.join(tmp, 'server.pem'))
        port_file = os.path.join(tmp, 'port')
        with subprocess.Popen([sys.executable, server, '--port', '0', '--port-file', port_file,
                               '--certfile', os.path.join(tmp, 'server.pem')]) as proc:
            try:
                deadline = time.monotonic() + 30
                while not (os.path.exists(port_file) and open(port_file, encoding='utf-8').read().strip()):
                    if proc.poll() is not None or time.monotonic() > deadline:
                        pytest.fail('the HTTPS sandbox did not start')
                    time.sleep(0.1)
                yield 'https://127.0.0.1:%s' % open(port_file, encoding='utf-8').read().strip(), ca.cert_pem.bytes().decode()
            finally:
                proc.terminate()
                proc.wait(10)


@pytest.mark.parametrize('as_module', PATHS)
def test_an_awx_credential_with_a_ca_certificate_verifies_a_private_server(run, env, https_sandbox, tmp_path, as_module):
    url, ca_pem = https_sandbox
    inputs = {'server_url': url, 'token': ADMIN_TOKEN, 'validate_certs': True}

    env(awx_job_environment(dict(inputs, ca_cert=ca_pem), tmp_path / 'with-ca'), as_module)  # the CA, as a file
    result = admin_check(run)
    assert not result.get('failed'), result

    env(awx_job_environment(inputs, tmp_path / 'without-ca'))  # no CA: the private certificate is refused
    result = admin_check(run)
    assert result['failed'] is True and ('tls' in result['msg'].lower() or 'certificate' in result['msg'].lower()), result

    env(awx_job_environment(dict(inputs, validate_certs=False), tmp_path / 'unverified'))
    result = admin_check(run)
    assert not result.get('failed'), result
