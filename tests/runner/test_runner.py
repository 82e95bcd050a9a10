# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The self-test of scripts/test.sh (step `runner` of `make test`): no failure can pass as a skip.

Each case runs a copy of the script, in a directory of its own (its own lock, logs and staging),
on fake steps added through TEST_EXTRA_STEPS, and checks the exit status, each step's result and
the summary line. The last case runs the real importer step alone on a fresh copy of the tree.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
COLLECTION_ROOT = os.path.dirname(os.path.dirname(HERE))
TEST_SH = os.path.join(COLLECTION_ROOT, 'scripts', 'test.sh')

FAKE_STEPS = r'''
ALL_STEPS+=(pass pass-too exit-3 exit-1 tool-exit-3 crash skip skip-then-fail no-tests all-skipped failures-counted
            leaves-early garbage-counts)
step_pass() { PASSED=2; }
step_pass-too() { PASSED=1 SKIPPED=1; }
step_exit-3() { PASSED=1; echo "skipped (or so it says)"; return 3; }
step_exit-1() { PASSED=1; return 1; }
step_tool-exit-3() { PASSED=1; bash -c 'exit 3'; }       # antsibull-changelog lint, ansible-lint, pytest do
step_crash() { PASSED=1; kill -SEGV "$BASHPID"; }        # the step's process dies
step_skip() { skip "nothing to check on this machine"; }
step_skip-then-fail() { skip "nothing to check"; return 1; }
step_no-tests() { return 0; }
step_all-skipped() { SKIPPED=4; }
step_failures-counted() { PASSED=3 FAILED=1; }           # a tool that exits 0 although tests failed
step_leaves-early() { PASSED=1; exit 0; }                # no counts reported
step_garbage-counts() { PASSED="1 2"; }
'''


@pytest.fixture(scope='module')
def runner(tmp_path_factory):
    """run(*steps) -> (exit status, {step: result}, summary line, output) of a copy of scripts/test.sh."""
    root = tmp_path_factory.mktemp('runner')
    os.makedirs(root / 'scripts')
    shutil.copy(TEST_SH, root / 'scripts' / 'test.sh')
    os.makedirs(root / '.venv' / 'bin')
    os.symlink(sys.executable, root / '.venv' / 'bin' / 'python')
    (root / 'fake_steps.sh').write_text(FAKE_STEPS, encoding='utf-8')
    env = dict(os.environ, SKIP_SETUP='1', TEST_EXTRA_STEPS=str(root / 'fake_steps.sh'), TEST_LOG_LINES='5')
    env.pop('VERBOSE', None)

    def run(*steps):
        proc = subprocess.run(['bash', str(root / 'scripts' / 'test.sh'), *steps], env=env, capture_output=True, text=True,
                              check=False, timeout=120)
        output = proc.stdout + proc.stderr
        results = dict(re.findall(r'^(\S+)\s+(ok|skipped|FAILED)\s+\d+\s+\d+\s+\d+\s+\d+$', proc.stdout, re.M))
        summary = re.findall(r'^\d+ passed, \d+ failed, \d+ skipped$', proc.stdout, re.M)
        assert len(summary) == 1, output
        return proc.returncode, results, summary[0], output
    return run


@pytest.mark.parametrize('step, why', [
    ('exit-3', 'exit status 3'),
    ('tool-exit-3', 'exit status 3'),
    ('exit-1', 'exit status 1'),
    ('crash', 'exit status 139'),
    ('skip-then-fail', 'exit status 1'),
    ('no-tests', 'no test ran'),
    ('all-skipped', 'no test ran'),
    ('failures-counted', '1 failed'),
    ('leaves-early', 'without reporting its counts'),
    ('garbage-counts', 'without reporting its counts'),
])
def test_a_step_that_fails_in_any_way_fails_the_run(runner, step, why):
    status, results, summary, output = runner('pass', step, 'pass-too')
    assert status != 0, output
    assert results == {'pass': 'ok', step: 'FAILED', 'pass-too': 'ok'}, output
    assert re.search(r'^    failed: .*%s' % re.escape(why), output, re.M), output
    assert int(re.match(r'\d+ passed, (\d+) failed', summary).group(1)) >= 1, summary


def test_exit_status_3_is_never_a_skip(runner):
    status, results, summary, output = runner('exit-3')
    assert status != 0 and results == {'exit-3': 'FAILED'}, output
    assert 'skipped:' not in output and summary.endswith(', 1 failed, 0 skipped'), output


def test_only_the_steps_own_marker_skips_and_the_run_passes(runner):
    status, results, summary, output = runner('pass', 'skip', 'pass-too')
    assert status == 0, output
    assert results == {'pass': 'ok', 'skip': 'skipped', 'pass-too': 'ok'}, output
    assert summary == '3 passed, 0 failed, 1 skipped', output
    assert 'skip: nothing to check on this machine' in output


def test_passing_steps_pass_and_every_count_adds_up(runner):
    status, results, summary, output = runner('pass', 'pass-too')
    assert status == 0 and results == {'pass': 'ok', 'pass-too': 'ok'}, output
    assert summary == '3 passed, 0 failed, 1 skipped'


def test_an_unknown_step_is_refused(runner):
    proc = subprocess.run(['bash', TEST_SH, 'no-such-step'], capture_output=True, text=True, check=False, timeout=60,
                          env=dict(os.environ, SKIP_SETUP='1'))
    assert proc.returncode == 2 and "unknown step 'no-such-step'" in proc.stderr


def fresh_tree(tmp_path):
    """A copy of the tree as a clone has it (no build, no logs), beside no ../shared; and its environment."""
    fresh = tmp_path / 'fresh'
    shutil.copytree(COLLECTION_ROOT, fresh, symlinks=True,
                    ignore=shutil.ignore_patterns('.git', '.build', '.cache', '.venv*', 'output', '__pycache__', '*.tar.gz'))
    os.symlink(sys.prefix, fresh / '.venv')
    env = dict(os.environ, SKIP_SETUP='1', PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ['PATH'])
    for name in ('TEST_EXTRA_STEPS', 'ALLURA_SRC', 'ALLURA_HARNESS_DIR'):
        env.pop(name, None)
    return fresh, env


def test_the_importer_step_alone_works_on_a_fresh_tree(tmp_path):
    """`make importer` right after a clone: no build step ran, no tarball exists; the step builds its own."""
    fresh, env = fresh_tree(tmp_path)
    proc = subprocess.run(['bash', str(fresh / 'scripts' / 'test.sh'), 'importer'], env=env, capture_output=True, text=True,
                          check=False, timeout=600)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert proc.stdout.rstrip().endswith('1 passed, 0 failed, 0 skipped'), proc.stdout[-2000:]


def test_the_real_step_is_skipped_only_where_no_allura_source_exists(tmp_path):
    """No ../shared/allura-server beside the tree and no ALLURA_SRC: skipped, saying why; an ALLURA_SRC that is
    not an Allura source tree fails the step."""
    fresh, env = fresh_tree(tmp_path)
    proc = subprocess.run(['bash', str(fresh / 'scripts' / 'test.sh'), 'real'], env=env, capture_output=True, text=True,
                          check=False, timeout=300)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert re.search(r'^real\s+skipped\s', proc.stdout, re.M), proc.stdout[-2000:]
    assert 'no Allura to build: neither ALLURA_SRC nor ../shared/allura-server' in proc.stdout, proc.stdout[-2000:]
    env['ALLURA_SRC'] = str(tmp_path)
    proc = subprocess.run(['bash', str(fresh / 'scripts' / 'test.sh'), 'real'], env=env, capture_output=True, text=True,
                          check=False, timeout=300)
    assert proc.returncode != 0 and re.search(r'^real\s+FAILED\s', proc.stdout, re.M), proc.stdout[-2000:]
    assert 'not an Allura source tree: %s' % tmp_path in proc.stdout + proc.stderr
