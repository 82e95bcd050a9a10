# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures for the tests against a real Allura (the `real` step of scripts/test.sh).

They run inside `scripts/real-allura.sh run`, which starts the server and passes ALLURA_REAL_URL,
ALLURA_REAL_TLS_URL, ALLURA_REAL_CA, ALLURA_REAL_HOME and ALLURA_REAL_RESTART. By hand:

    scripts/real-allura.sh run .venv/bin/python -m pytest tests/real
"""

import os
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(HERE), 'sandbox'))


class RealAllura:
    """The running real server: its URLs, CA file and data directory; fresh() for fresh data."""

    ADMIN_TOKEN = 'a0000000000000000001'
    USER_TOKEN = 'a0000000000000000002'
    ROOT_TOKEN = 'a0000000000000000000'

    def __init__(self, env):
        self.used = False  # the server was just started: fresh until a test has used it
        self.url = env['ALLURA_REAL_URL']
        self.tls_url = env['ALLURA_REAL_TLS_URL']
        self.ca = env['ALLURA_REAL_CA']
        self.home = env['ALLURA_REAL_HOME']
        self._restart = env['ALLURA_REAL_RESTART'].split()

    @property
    def data_dir(self):
        return os.path.join(self.home, 'data')

    def fresh(self):
        """Fresh data, the recordings' starting state: a restart (about 5-8 s) unless no test used the server yet."""
        if self.used:
            subprocess.run(self._restart, check=True, stdout=subprocess.DEVNULL)


@pytest.fixture(scope='session')
def real_server():
    missing = [name for name in ('ALLURA_REAL_URL', 'ALLURA_REAL_TLS_URL', 'ALLURA_REAL_CA', 'ALLURA_REAL_HOME',
                                 'ALLURA_REAL_RESTART') if not os.environ.get(name)]
    if missing:
        pytest.fail('no real Allura: run these tests through scripts/real-allura.sh run (missing %s)' % ', '.join(missing))
    return RealAllura(os.environ)


@pytest.fixture
def real(real_server):  # pylint: disable=redefined-outer-name
    """The real server; after the test it counts as used (real.fresh() restarts it)."""
    yield real_server
    real_server.used = True
