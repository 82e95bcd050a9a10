# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures for the functional suites (tests/functional and tests/e2e).

Convention: plain pytest files (test_*.py) that drive ansible-playbook against the sandbox.
`make test` (scripts/test.sh, step "functional") runs them in several processes (pytest-xdist) and
passes ALLURA_TOKEN (admin), ALLURA_USER_TOKEN, ALLURA_ROOT_TOKEN, ALLURA_SANDBOX_SERVER and
ANSIBLE_COLLECTIONS_PATH in the environment. The `allura_url` fixture starts a sandbox for each
process (or, in a single process, uses ALLURA_URL where it is set); the tests of a process share
it: use the `sandbox` fixture, which resets it first. `https_sandbox` is a private HTTPS sandbox (certificate
of the throwaway CA in `tls`), `forward_proxy` starts loopback proxies (tests/forward_proxy.py).

tests/e2e (longer, scenario-style runs) follows the same conventions; pytest applies this
conftest only below tests/functional, so an e2e suite brings its own conftest.py.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
import time
import urllib.request

import pytest
import trustme

HERE = os.path.dirname(os.path.abspath(__file__))
COLLECTION_ROOT = os.path.dirname(os.path.dirname(HERE))
ADMIN_TOKEN = 'a0000000000000000001'


def _collections_path():
    """The folder holding ansible_collections/allura/forge for ansible-playbook."""
    if os.environ.get('ANSIBLE_COLLECTIONS_PATH'):
        return os.environ['ANSIBLE_COLLECTIONS_PATH']
    parts = COLLECTION_ROOT.split(os.sep)
    if parts[-3:-2] == ['ansible_collections']:  # running inside a staged copy
        return os.sep.join(parts[:-3])
    return os.path.join(COLLECTION_ROOT, '.build')  # the copy scripts/setup.sh stages


@contextlib.contextmanager
def sandbox_process(*args):
    """A private sandbox (tests/sandbox/server.py with `args`, e.g. --certfile/--keyfile) on a free loopback port;
    yields the port."""
    server = os.environ.get('ALLURA_SANDBOX_SERVER') or os.path.join(COLLECTION_ROOT, 'tests', 'sandbox', 'server.py')
    with tempfile.TemporaryDirectory() as tmp:
        port_file = os.path.join(tmp, 'port')
        with subprocess.Popen([sys.executable, server, '--port', '0', '--port-file', port_file, *args]) as proc:
            try:
                deadline = time.monotonic() + 30
                port = ''
                while not port and time.monotonic() < deadline and proc.poll() is None:
                    time.sleep(0.1)
                    if os.path.exists(port_file):
                        with open(port_file, encoding='utf-8') as handle:
                            port = handle.read().strip()
                if not port:
                    pytest.fail('the sandbox did not start: %s' % server)
                yield int(port)
            finally:
                proc.terminate()
                proc.wait(10)


def untimed(result):
    """A task result without lock_waited: timing (returned from 0.05 s, which a busy machine can reach between two tasks
    of one run), so results of two runs compare equal."""
    return {key: value for key, value in result.items() if key != 'lock_waited'} if isinstance(result, dict) else result


def pytest_configure(config):
    config.addinivalue_line('markers', 'scenario: a long scenario test; the compatibility leg (the oldest ansible-core) '
                                       'deselects these (scripts/test.sh, -m "not scenario"): they exercise the collection\'s '
                                       'own logic, which the current leg proves, more than ansible-core\'s interfaces')


@pytest.fixture(scope='session')
def allura_url():
    """URL of a sandbox of this process: ALLURA_URL where it is set, except in a pytest-xdist worker (the others
    would reset it under this one's tests), else one started here."""
    if os.environ.get('ALLURA_URL') and not os.environ.get('PYTEST_XDIST_WORKER'):
        yield os.environ['ALLURA_URL'].rstrip('/')
        return
    with sandbox_process() as port:
        yield 'http://127.0.0.1:%d' % port


@pytest.fixture(scope='session')
def tls(tmp_path_factory):
    """Trust material of a throwaway CA: `ca` (its PEM file), `other_ca` (another CA's), `cert` and `key` (a server
    certificate of the first for 127.0.0.1 and localhost)."""
    folder = tmp_path_factory.mktemp('tls')
    ca, other = trustme.CA(), trustme.CA()
    server = ca.issue_cert('127.0.0.1', 'localhost')
    files = dict(ca=folder / 'ca.pem', other_ca=folder / 'other-ca.pem', cert=folder / 'cert.pem', key=folder / 'key.pem')
    ca.cert_pem.write_to_path(str(files['ca']))
    other.cert_pem.write_to_path(str(files['other_ca']))
    server.cert_chain_pems[0].write_to_path(str(files['cert']))
    for pem in server.cert_chain_pems[1:]:
        pem.write_to_path(str(files['cert']), append=True)
    server.private_key_pem.write_to_path(str(files['key']))
    return {name: str(path) for name, path in files.items()}


@pytest.fixture(scope='session')
def https_sandbox(tls):
    """An HTTPS sandbox of its own (certificate of tls['ca'] for 127.0.0.1 and localhost); yields its port.
    Tests using it only read, or reset it first."""
    with sandbox_process('--certfile', tls['cert'], '--keyfile', tls['key']) as port:
        yield port


@pytest.fixture
def sandbox(allura_url):
    """The sandbox URL, after resetting it to its seeded state."""
    request = urllib.request.Request(allura_url + '/_sandbox/reset', data=b'', method='POST')
    with urllib.request.urlopen(request, timeout=10):
        pass
    return allura_url


@pytest.fixture
def ansible_playbook(sandbox, tmp_path):
    """Run a playbook (a path or YAML text) against the reset sandbox; returns CompletedProcess.

    ALLURA_URL and ALLURA_TOKEN reach the modules through their environment fallbacks, the
    interpreter is pinned to this Python, and output is plain text. `env` adds variables; a value
    None removes one. `background=True` starts it and returns the Popen (text pipes: communicate()), in a process
    group of its own (a test ends it with its task processes by os.killpg).
    Its stdin is /dev/null, as cron and CI give it, whatever this process's fd 0 is:
    ansible-core (2.19 to 2.21 at least) started with stdin closed loses, now and then, the process
    of a task ("Could not detach from stdio: [Errno 9] Bad file descriptor", then "A worker was found
    in a dead state"), and an in-process run (test_pytest_ansible.py) leaves this process's fd 0
    non-inheritable, so that a child would start with it closed.
    """
    written = []

    def run(playbook, *args, token=ADMIN_TOKEN, env=None, check=False, background=False):
        if '\n' in playbook:
            written.append(playbook)
            path = tmp_path / ('playbook.yml' if len(written) == 1 else 'playbook-%d.yml' % len(written))
            path.write_text(playbook, encoding='utf-8')
            playbook = str(path)
        full_env = dict(os.environ)
        full_env.update({
            'ALLURA_URL': sandbox,
            'ALLURA_TOKEN': token,
            'ANSIBLE_COLLECTIONS_PATH': _collections_path(),
            'ANSIBLE_PYTHON_INTERPRETER': sys.executable,
            'ANSIBLE_NOCOLOR': '1',
            'ANSIBLE_RETRY_FILES_ENABLED': '0',
            'ALLURA_LOCK_DIR': str(tmp_path / 'locks'),  # the project locks of this test's runs, and no one else's
        })
        full_env.update(env or {})
        full_env = {name: value for name, value in full_env.items() if value is not None}
        command = [os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'), playbook, *args]
        if background:
            return subprocess.Popen(command, env=full_env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True, start_new_session=True)
        proc = subprocess.run(command, env=full_env, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                              check=False)
        if check and proc.returncode:
            pytest.fail('ansible-playbook failed (%d):\n%s\n%s' % (proc.returncode, proc.stdout, proc.stderr))
        return proc
    return run


@pytest.fixture
def forward_proxy():
    """Start ForwardProxy instances (tests/forward_proxy.py) for this test: forward_proxy(**options) -> proxy."""
    sys.path.insert(0, os.path.dirname(HERE))
    try:
        from forward_proxy import ForwardProxy  # pylint: disable=import-outside-toplevel
    finally:
        sys.path.pop(0)
    with contextlib.ExitStack() as stack:
        yield lambda **options: stack.enter_context(ForwardProxy(**options))
