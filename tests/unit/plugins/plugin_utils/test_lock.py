# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The project lock: who holds it, when a lease is stale, re-entry by the same run, the wait and its message.

Other runs are real processes (`sleep` children standing in for an ansible-playbook and its task workers), so
that what is checked about them - whether they run, when they started - is what the lock checks on a controller.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import socket
import subprocess
import time

import pytest

from ansible_collections.allura.forge.plugins.plugin_utils import _lock
from ansible_collections.allura.forge.plugins.plugin_utils._lock import LockTimeout, ProjectLock, lock_key, process_start

SERVER = 'https://forge.example.org'


@pytest.fixture
def processes():
    """Start `sleep` processes (other runs' ansible-playbook or workers); all are killed after the test."""
    started = []

    def start():
        proc = subprocess.Popen(['sleep', '600'])
        started.append(proc)
        return proc
    yield start
    for proc in started:
        proc.kill()
        proc.wait()


def run_of(proc, host=None):
    """The holder record of a run whose ansible-playbook is `proc`."""
    start, started = process_start(proc.pid)
    return dict(pid=proc.pid, start=start, started=started, host=host or socket.gethostname(), user='ci', command='ansible-playbook')


def lock_as(directory, run=None, task=None, **kwargs):
    """The lock of p/test as seen by a run (`run`: its holder record; default this process's parent) and task."""
    lock = ProjectLock(str(directory), SERVER, 'p', 'test', **kwargs)
    if run is not None:
        lock.run = run
    if task is not None:
        lock.task = dict(pid=task.pid, start=process_start(task.pid)[0])
    return lock


def test_the_key_is_the_same_for_every_spelling_of_a_server():
    assert lock_key('https://Forge.Example.org:443/', 'p', 'test') == lock_key('https://forge.example.org', 'p', 'test')
    assert lock_key('https://forge.example.org/x', 'p', 'test')[1] != lock_key('https://forge.example.org', 'p', 'test')[1]
    assert lock_key('https://forge.example.org', 'p', 'test2')[1] != lock_key('https://forge.example.org', 'p', 'test')[1]
    server, name = lock_key('http://127.0.0.1:8080', 'u', 'u/jdoe')
    assert server == 'http://127.0.0.1:8080' and '/' not in name and name.startswith('127.0.0.1_8080-u-u_jdoe-')


def test_a_task_takes_the_lock_and_leaves_no_lease_behind(tmp_path):
    lock = lock_as(tmp_path)
    assert lock.enter(0) < 0.05
    lease = json.loads(open(lock.path, encoding='utf-8').read())
    assert lease['holder']['pid'] == os.getppid() and lease['holder']['start'] == process_start(os.getppid())[0]
    assert lease['tasks'] == [dict(pid=os.getpid(), start=process_start(os.getpid())[0])] and lease['held'] is False
    assert lease['project'] == 'p/test' and lease['server'] == SERVER
    assert lock.leave() is True and not os.path.exists(lock.path)


def test_the_run_holding_the_lock_enters_it_from_any_task(tmp_path, processes):
    run, task = run_of(processes()), processes()
    holder = lock_as(tmp_path, run=run)
    holder.enter(0, hold=True)  # allura_lock, as the role's first task
    inside = lock_as(tmp_path, run=run, task=task)  # a later task of the same ansible-playbook
    assert inside.enter(0) < 0.05
    assert [t['pid'] for t in inside.read()['tasks']] == [task.pid]
    inside.leave()
    assert inside.read()['held'] is True and inside.read()['tasks'] == []  # still held by the run
    holder.leave(hold=True)
    assert not os.path.exists(holder.path)


def test_another_run_waits_then_fails_naming_the_holder(tmp_path, processes):
    run = run_of(processes())
    lock_as(tmp_path, run=run).enter(0, hold=True)
    clock = [1000.0]
    told = []
    other = lock_as(tmp_path, clock=lambda: clock[0], sleep=lambda s: clock.__setitem__(0, clock[0] + s))
    with pytest.raises(LockTimeout) as caught:
        other.enter(30, on_wait=told.append)
    message = caught.value.message
    assert ('p/test on %s is locked by another run converging it: ansible-playbook pid %d of user ci on host %s, started %s'
            % (SERVER, run['pid'], socket.gethostname(), run['started'])) in message
    assert 'Gave up after waiting 30 s (lock_timeout)' in message and other.path in message
    assert caught.value.details['lock_holder']['pid'] == run['pid'] and caught.value.details['lock_file'] == other.path
    assert len(told) == 1 and 'waiting up to 30 s for it (lock_timeout)' in told[0] and 'pid %d' % run['pid'] in told[0]
    assert clock[0] >= 1030.0


def test_a_run_that_holds_it_for_a_while_is_waited_for(tmp_path, processes):
    run = run_of(processes())
    holder = lock_as(tmp_path, run=run)
    holder.enter(0, hold=True)
    slept = []

    def sleep(seconds):
        slept.append(seconds)
        if len(slept) == 5:
            holder.leave(hold=True)  # the other run ends its role
    waiter = lock_as(tmp_path, clock=time.monotonic, sleep=sleep)
    waiter.enter(60)
    assert len(slept) == 5 and waiter.read()['holder']['pid'] == os.getppid()
    waiter.leave()


@pytest.mark.parametrize('what', ['holder killed', 'holder pid reused', 'holder gone, tasks gone'])
def test_the_lock_of_a_run_that_ended_is_taken_over_at_once(tmp_path, processes, what):
    playbook, worker = processes(), processes()
    run = run_of(playbook)
    stale = lock_as(tmp_path, run=run, task=worker)
    stale.enter(0, hold=True)
    stale.enter(0)  # a task of that run was inside too
    if what == 'holder pid reused':  # a process of another start time has that pid now: not the holder
        lease = stale.read()
        lease['holder']['start'] = 'another start'
        lease['tasks'] = []
        stale.write(lease)
    else:
        playbook.kill()
        playbook.wait()
        if what == 'holder gone, tasks gone':
            worker.kill()
            worker.wait()
    taker = lock_as(tmp_path, sleep=lambda s: pytest.fail('waited for a lock whose run has ended'))
    if what == 'holder killed':  # its task's process still runs (an orphaned worker finishing its task): wait for it
        with pytest.raises(LockTimeout):
            lock_as(tmp_path, clock=iter([0, 0, 99]).__next__).enter(1)
        worker.kill()
        worker.wait()
    assert taker.enter(5) < 0.05 and taker.read()['holder']['pid'] == os.getppid()
    taker.leave()


def test_a_zombie_holder_has_ended(tmp_path):
    zombie = subprocess.Popen(['true'])
    deadline = time.monotonic() + 10
    while process_start(zombie.pid)[0] is not None and time.monotonic() < deadline:  # exited, not reaped: a zombie
        time.sleep(0.05)
    try:
        assert process_start(zombie.pid) == (None, None)
        lease = dict(holder=dict(pid=zombie.pid, start='whatever', host=socket.gethostname()), held=True, tasks=[])
        assert lock_as(tmp_path).live(lease) is False
    finally:
        zombie.wait()


def test_a_lease_of_another_host_lives_by_its_heartbeat(tmp_path):
    now = [5000.0]
    lock = lock_as(tmp_path, clock=lambda: now[0])
    lease = dict(holder=dict(pid=1, start='x', host='elsewhere'), held=True, tasks=[], heartbeat=5000.0 - 60)
    assert lock.live(lease) is True
    lease['heartbeat'] = 5000.0 - _lock.FOREIGN_TTL - 1
    assert lock.live(lease) is False


def test_a_heartbeat_is_renewed_while_a_task_is_inside(tmp_path, monkeypatch):
    monkeypatch.setattr(_lock, 'HEARTBEAT', 0.05)
    lock = lock_as(tmp_path)
    lock.enter(0)
    first = lock.read()['heartbeat']
    deadline = time.monotonic() + 10
    while lock.read()['heartbeat'] == first and time.monotonic() < deadline:
        time.sleep(0.02)
    assert lock.read()['heartbeat'] > first
    lock.leave()
    assert not os.path.exists(lock.path)


def test_a_file_that_is_no_lease_is_nobodys(tmp_path):
    lock = lock_as(tmp_path)
    os.makedirs(str(tmp_path), exist_ok=True)
    with open(lock.path, 'w', encoding='utf-8') as handle:
        handle.write('{"holder": ')  # cut short by hand: never by the lock, which replaces a lease whole
    assert lock.enter(0) < 0.05
    lock.leave()


def test_check_mode_sees_another_run_and_never_itself(tmp_path, processes):
    lock = lock_as(tmp_path)
    assert lock.other() is None
    lock.enter(0)
    assert lock.other() is None  # this run's own lock
    lock.leave()
    run = run_of(processes())
    lock_as(tmp_path, run=run).enter(0, hold=True)
    assert lock.other()['holder']['pid'] == run['pid']


def test_a_lock_dir_that_cannot_be_made_fails_naming_it(tmp_path):
    blocker = tmp_path / 'file'
    blocker.write_text('')
    with pytest.raises(_lock.ParameterError) as caught:
        lock_as(blocker / 'locks').enter(0)
    assert "lock_dir %r cannot be used" % str(blocker / 'locks') in caught.value.message


def _take(directory, holder_pid, results, done):
    """In a process of its own (a task of the run of `holder_pid`): try to take the free lock at once, say whether it
    got it, and stay until told (a task that ends leaves the lock)."""
    lock = lock_as(directory, run=dict(pid=holder_pid, start=process_start(holder_pid)[0], host=socket.gethostname(),
                                       user='ci', command='ansible-playbook'))
    try:
        lock.enter(0)
        results.put('took')
    except LockTimeout:
        results.put('refused')
    done.wait(30)


def test_runs_taking_a_free_or_stale_lock_at_once_never_both_get_it(tmp_path, processes):
    context = multiprocessing.get_context('fork')
    for _round in range(5):
        runs = [processes() for _ in range(4)]
        results, done = context.Queue(), context.Event()
        takers = [context.Process(target=_take, args=(str(tmp_path), run.pid, results, done)) for run in runs]
        for taker in takers:
            taker.start()
        outcomes = sorted(results.get(timeout=30) for _ in takers)
        done.set()
        for taker in takers:
            taker.join(30)
        assert outcomes == ['refused', 'refused', 'refused', 'took']
        for run in runs:  # every run ends: the next round finds the lease stale
            run.kill()
            run.wait()
        assert os.path.exists(os.path.join(str(tmp_path), os.path.basename(lock_as(tmp_path).path)))
