# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The differential test: the same module runs against the sandbox and a real Allura agree.

differential.yml runs every module (creates, updates, no-op runs, check mode, diff mode,
failures) in a fixed order. It runs once against a fresh sandbox and once against the freshly
restarted real server; their results must be identical task by task: changed, failed, action,
diff, the returned resources and the data keys of a failure (status, missing, limits, ...).
Masked are only values the server generates (ids, in URLs too, dates, the server's address, the
export file name's time, how long a wait took). A difference is a sandbox bug: it gets a contract case
(tests/real/cases.py) and a fix; where the module is wrong, a module fix with a test.
"""

import json
import os
import re
import subprocess
import sys

from harness import start_sandbox

HERE = os.path.dirname(os.path.abspath(__file__))
COLLECTION_ROOT = os.path.dirname(os.path.dirname(HERE))
# keys of Ansible's own bookkeeping, not the module's result
IGNORED = {'invocation', '_ansible_no_log', '_ansible_verbose_always', '_ansible_delegated_vars', 'deprecations',
           'lock_waited'}  # and how long a task waited for the project lock (returned from 0.05 s): timing
# values the server generates
GENERATED_KEYS = re.compile(r'^(_id|.+_id|id|slug|waited|elapsed)$')
DATE = re.compile(r'\d{4}-\d{2}-\d{2}([ T-]\d{2}:?\d{2}:?\d{2}(\.\d+)?)?')
OBJECT_ID = re.compile(r'\b[0-9a-f]{24}\b')  # in URLs (a webhook's)
THREAD_ID = re.compile(r'(?<=/_discuss/thread/)[0-9a-f]{10}\b')  # in a discussion_thread_url


def collections_path():
    if os.environ.get('ANSIBLE_COLLECTIONS_PATH'):
        return os.environ['ANSIBLE_COLLECTIONS_PATH']
    parts = COLLECTION_ROOT.split(os.sep)
    if parts[-3:-2] == ['ansible_collections']:
        return os.sep.join(parts[:-3])
    return os.path.join(COLLECTION_ROOT, '.build')


def run_sequence(url, out, tokens):
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections_path(), ANSIBLE_PYTHON_INTERPRETER=sys.executable,
               ANSIBLE_NOCOLOR='1', ANSIBLE_RETRY_FILES_ENABLED='0')
    for name in list(env):
        if name.startswith('ALLURA_'):
            del env[name]  # nothing from the environment may reach the modules
    extra = {'differential_url': url, 'differential_out': str(out), 'differential_admin_token': tokens[0],
             'differential_user_token': tokens[1], 'differential_root_token': tokens[2]}
    proc = subprocess.run([os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'),
                           os.path.join(HERE, 'differential.yml'), '-e', json.dumps(extra)],
                          env=env, capture_output=True, text=True, check=False)
    assert proc.returncode == 0 and os.path.exists(out), 'the sequence did not run to its end:\n%s\n%s' % (
        proc.stdout[-5000:], proc.stderr[-3000:])
    with open(out, encoding='utf-8') as handle:
        return json.load(handle)


def normalise(value, places, key=None):
    """A result with what the server generates masked; places: {the server's URL or data
    directory: the placeholder it is written as}."""
    if isinstance(value, dict):
        return {k: normalise(v, places, k) for k, v in value.items() if k not in IGNORED}
    if isinstance(value, list):
        if key == 'titles':
            # a wiki lists its pages in creation order, and pages created concurrently (parallel) reach either
            # server in any order
            return sorted(value)
        return [normalise(item, places, key) for item in value]
    if key is not None and GENERATED_KEYS.match(key) and value is not None:
        return '<generated>'
    if isinstance(value, str):
        for place, placeholder in places.items():
            value = value.replace(place, placeholder)
        return THREAD_ID.sub('<id>', OBJECT_ID.sub('<id>', DATE.sub('<date>', value)))
    return value


def differences(want, got, path):
    if isinstance(want, dict) and isinstance(got, dict):
        found = []
        for key in sorted(set(want) | set(got)):
            if key not in got:
                found.append('%s.%s: only the sandbox returns it (%s)' % (path, key, json.dumps(want[key])[:200]))
            elif key not in want:
                found.append('%s.%s: only the real server returns it (%s)' % (path, key, json.dumps(got[key])[:200]))
            else:
                found += differences(want[key], got[key], '%s.%s' % (path, key))
        return found
    if isinstance(want, list) and isinstance(got, list) and len(want) == len(got):
        found = []
        for number, (a, b) in enumerate(zip(want, got)):
            found += differences(a, b, '%s[%d]' % (path, number))
        return found
    if want != got:
        return ['%s: sandbox %s, real server %s' % (path, json.dumps(want)[:300], json.dumps(got)[:300])]
    return []


def test_every_module_run_gives_the_same_result_on_the_sandbox_and_the_real_server(real, tmp_path):
    tokens = (real.ADMIN_TOKEN, real.USER_TOKEN, real.ROOT_TOKEN)
    sandbox = start_sandbox(port=0)
    try:
        on_sandbox = normalise(run_sequence(sandbox.url, tmp_path / 'sandbox.json', tokens), {sandbox.url: '<server>'})
        assert sandbox.log()['counters']['internal_errors'] == 0
    finally:
        sandbox.stop()
    real.fresh()
    on_real = normalise(run_sequence(real.url, tmp_path / 'real.json', tokens),
                        {real.url: '<server>', real.data_dir: '/var/lib/allura'})
    # the sequence did what it says: every module ran, some runs changed something, some failed
    with open(os.path.join(HERE, 'differential.yml'), encoding='utf-8') as handle:
        registered = re.findall(r'register: (d_\d+_\w+)', handle.read())
    assert sorted(on_sandbox) == sorted(on_real) == sorted(registered)
    assert any(r.get('changed') for r in on_real.values()) and any(r.get('failed') for r in on_real.values())
    found = []
    for name in sorted(on_real):
        found += differences(on_sandbox[name], on_real[name], name)
    assert not found, '%d differences between the sandbox and the real server:\n%s' % (len(found), '\n'.join(found))
