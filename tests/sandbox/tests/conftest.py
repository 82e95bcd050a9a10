"""Fixtures for the sandbox's own tests; other suites can import them too.

* ``sandbox_process`` (session): one server for the whole run.
* ``sandbox`` (function): resets that server and yields its base URL.
* ``fresh_sandbox`` (function): a brand-new server, for tests that need their
  own process (restarts, command-line options); yields a SandboxProcess.
"""

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from harness import start_sandbox  # noqa: E402  pylint: disable=wrong-import-position


@pytest.fixture(scope='session')
def sandbox_process():
    proc = start_sandbox(port=0)
    yield proc
    proc.stop()


@pytest.fixture
def sandbox(sandbox_process):  # pylint: disable=redefined-outer-name
    sandbox_process.reset()
    yield sandbox_process.url


@pytest.fixture
def sb(sandbox_process, sandbox):  # pylint: disable=redefined-outer-name,unused-argument
    """The reset SandboxProcess itself (controls + request helper)."""
    return sandbox_process


@pytest.fixture
def fresh_sandbox():
    started = []

    def start(**options):
        options.setdefault('port', 0)
        proc = start_sandbox(**options)
        started.append(proc)
        return proc

    yield start
    for proc in started:
        proc.stop()
