# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""scripts/real-allura.sh with a stand-in harness: what it builds, when, and that it always stops.

The stand-in's setup.sh and allura-harness.sh only note their calls (and make a venv whose python
imports anything), so these tests need no server and take a second.
"""

import os
import stat
import subprocess
from types import SimpleNamespace

import pytest

SCRIPT = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), 'scripts',
                      'real-allura.sh')
SETUP = r'''#!/bin/bash
echo "setup $1" >>"$CALLS"
mkdir -p "$ALLURA_HARNESS_HOME/venv/bin" "$ALLURA_HARNESS_HOME/src"
printf '#!/bin/sh\nexit 0\n' >"$ALLURA_HARNESS_HOME/venv/bin/python" && chmod +x "$ALLURA_HARNESS_HOME/venv/bin/python"
cp "$1/ALLURA_REVISION" "$ALLURA_HARNESS_HOME/src/.harness-source-rev"
'''
HARNESS = r'''#!/bin/bash
echo "$1 $ALLURA_HARNESS_PORT $(readlink "$ALLURA_HARNESS_HOME/venv")" >>"$CALLS"
'''


def write(path, text, mode=0o644):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w', encoding='utf-8') as handle:
        handle.write(text)
    os.chmod(path, mode)


@pytest.fixture
def stand_in(tmp_path):
    harness, source = tmp_path / 'harness', tmp_path / 'harness' / 'allura'
    write(str(harness / 'setup.sh'), SETUP, 0o755)
    write(str(harness / 'allura-harness.sh'), HARNESS, 0o755)
    write(str(harness / 'serve.py'), '')
    write(str(source / 'Allura' / 'setup.py'), '')
    write(str(source / 'ALLURA_REVISION'), 'rev1\n')
    env = {k: v for k, v in os.environ.items() if not k.startswith('ALLURA_')}
    env.update(HOME=str(tmp_path / 'home'), CALLS=str(tmp_path / 'calls'), ALLURA_HARNESS_DIR=str(harness),
               ALLURA_FORGE_HARNESS_HOME=str(tmp_path / 'own'), TMPDIR=str(tmp_path))

    def run(*args, **extra):
        proc = subprocess.run([SCRIPT, *args], env=dict(env, **extra), capture_output=True, text=True, check=False)
        calls = (tmp_path / 'calls').read_text(encoding='utf-8').splitlines() if (tmp_path / 'calls').exists() else []
        (tmp_path / 'calls').unlink(missing_ok=True)
        return SimpleNamespace(rc=proc.returncode, stdout=proc.stdout, stderr=proc.stderr, lines=calls,
                               calls=[c.split()[0] for c in calls])
    run.tmp, run.source = tmp_path, source
    return run


def test_builds_once_then_reuses_its_build_until_the_revision_changes(stand_in):
    r = stand_in('run', 'sh', '-c', 'test -n "$ALLURA_REAL_URL" && test -n "$ALLURA_REAL_RESTART"')
    assert r.rc == 0, r.stderr
    assert r.calls == ['setup', 'start', 'stop']
    r = stand_in('run', 'true')
    assert r.rc == 0 and r.calls == ['start', 'stop']
    write(str(stand_in.source / 'ALLURA_REVISION'), 'rev2\n')
    r = stand_in('run', 'true')
    assert r.rc == 0 and r.calls == ['setup', 'start', 'stop']


def test_a_warm_shared_build_of_the_same_revision_is_used_as_it_is(stand_in):
    shared = stand_in.tmp / 'home' / '.cache' / 'allura-harness'
    write(str(shared / 'venv' / 'bin' / 'python'), '#!/bin/sh\nexit 0\n', 0o755)
    write(str(shared / 'src' / '.harness-source-rev'), 'rev1')
    r = stand_in('run', 'true')
    assert r.rc == 0 and r.calls == ['start', 'stop']
    assert r.lines[0].endswith(str(shared / 'venv'))


def test_the_command_s_status_is_returned_and_the_server_stopped_whatever_happens(stand_in):
    r = stand_in('run', 'sh', '-c', 'exit 3')
    assert r.rc == 3 and r.calls[-1] == 'stop'
    r = stand_in('run', 'sh', '-c', 'kill -TERM $PPID; sleep 5')
    assert r.rc == 130 and r.calls[-1] == 'stop'
    assert not [p for p in os.listdir(stand_in.tmp) if p.startswith('allura-forge-real.')]  # its home is removed


def test_no_source_is_nothing_to_build_and_a_broken_one_fails(stand_in):
    r = stand_in('source', ALLURA_HARNESS_DIR=str(stand_in.tmp / 'missing'))
    assert r.rc == 0 and r.stdout == '' and r.calls == []
    r = stand_in('source', ALLURA_SRC=str(stand_in.tmp / 'missing'))
    assert r.rc != 0 and 'not an Allura source tree' in r.stderr
    os.chmod(str(stand_in.tmp / 'harness' / 'setup.sh'), stat.S_IRUSR)
    r = stand_in('source')
    assert r.rc != 0 and 'harness scripts' in r.stderr
