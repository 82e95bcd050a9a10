# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The lock of a project on an Allura server, shared by the runs of one controller.

Allura has no uniqueness and no compare-and-swap for tickets and the like: two runs converging one
project at the same time would each find a ticket missing and each create it. So a run that changes a
project holds its lock, as Terraform holds its state lock during an apply.

The holder is the ansible-playbook process (the parent of the worker process that runs a task), not
the task: the lock outlives the tasks, so the project role holds it from its first request to its last
(allura_lock), and its tasks, run by the same ansible-playbook, enter it freely. It is a lease file
in the lock directory, one per server and project, saying who holds it:

    {"holder": {"pid", "start", "started", "host", "user", "command"}, "held": bool,
     "tasks": [{"pid", "start"}], "since": epoch, "heartbeat": epoch, ...}

`held`: an allura_lock task holds it until it releases it or its ansible-playbook ends; `tasks`: the
worker processes of the tasks inside it now (a task outside such a hold takes the lock for itself and
leaves it when done). A lease is live while its holder runs (or, when it does not, while one of its
task processes still does); a process is the one recorded only when its start time matches too, so a
reused pid does not keep a lock. A lease written on another host (a lock directory shared between
machines) cannot be checked that way: it is live while its heartbeat, renewed every HEARTBEAT seconds
by the task inside it, is younger than FOREIGN_TTL.

Every change of a lease is made under an flock of the directory's guard file, held for the few
milliseconds it takes to read and replace one small file, so two runs can never both take a free or
stale lease; readers (check mode) read the file without it (a lease is replaced whole, never written
in place). The flock belongs to the process making the change and ends with it: nothing stale is
ever left by the guard itself.
"""

from __future__ import annotations

import contextlib
import datetime
import fcntl
import getpass
import hashlib
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
from urllib.parse import urlsplit

from ansible_collections.allura.forge.plugins.module_utils._client import AlluraError, ParameterError
from ansible_collections.allura.forge.plugins.plugin_utils._files import write_whole

DEFAULT_DIR = '~/.ansible/tmp/allura.forge-locks'
HEARTBEAT = 10.0  # seconds between two renewals of the heartbeat while a task is inside the lock
FOREIGN_TTL = 120.0  # a lease from another host without a heartbeat for that long is stale
GUARD = '.guard'


class LockTimeout(AlluraError):
    """The lock stayed held by another run for the whole wait."""


# -- processes ------------------------------------------------------------------------------------

def _boot_id():
    try:
        with open('/proc/sys/kernel/random/boot_id', encoding='ascii') as handle:
            return handle.read().strip()
    except OSError:
        return ''


BOOT_ID = _boot_id()


def _stat(pid):
    """(state, start time in clock ticks since boot) of a process from /proc, or None where there is no /proc."""
    try:
        with open('/proc/%d/stat' % pid, 'rb') as handle:
            fields = handle.read().rsplit(b')', 1)[1].split()
        return fields[0].decode(), int(fields[19])
    except FileNotFoundError:
        return 'gone', None
    except (OSError, ValueError, IndexError):
        return None


def process_start(pid):
    """(identity, readable start time) of a running process: what tells it from a later process that reuses its pid.
    (None, None) when the process is gone or its start cannot be read."""
    stat = _stat(pid)
    if stat is not None:
        if stat[1] is None or stat[0] == 'Z':  # gone, or a zombie: it has ended
            return None, None
        started = None
        try:
            with open('/proc/stat', encoding='ascii') as handle:
                boot = next(int(line.split()[1]) for line in handle if line.startswith('btime '))
            started = utc(boot + stat[1] / float(os.sysconf('SC_CLK_TCK')))
        except (OSError, ValueError, StopIteration):
            pass
        return '%s:%d' % (BOOT_ID, stat[1]), started
    try:  # macOS and the BSDs
        out = subprocess.run(['ps', '-o', 'lstart=', '-p', str(pid)], capture_output=True, text=True, check=False,
                             env=dict(os.environ, LC_ALL='C'), timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        out = ''
    return (out, out) if out else (None, None)


def running(process):
    """Whether the process a lease records ({pid, start}) still runs on this host."""
    try:
        os.kill(process['pid'], 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # another user's process: it exists
    start = process_start(process['pid'])[0]
    return start is not None and (process.get('start') is None or start == process['start'])


def utc(epoch):
    return datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc).strftime('%Y-%m-%d %H:%M:%S UTC')


def this_task():
    """The process running this task: {pid, start}."""
    return dict(pid=os.getpid(), start=process_start(os.getpid())[0])


def this_run():
    """The ansible-playbook process (or ansible, ansible-console, ...) this task belongs to: the parent of the worker
    process Ansible forks for each task. Its command name comes from this process, a fork of it (never its
    arguments: they may hold secrets)."""
    pid = os.getppid()
    start, started = process_start(pid)
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = str(os.getuid())
    return dict(pid=pid, start=start, started=started, host=socket.gethostname(), user=user,
                command=os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else 'ansible')


# -- the lock -------------------------------------------------------------------------------------

def lock_key(server_url, neighborhood, project):
    """(the server as a lock names it, the file name of its lease): the same for every spelling of one server URL."""
    parts = urlsplit(server_url or '')
    port = '' if parts.port in (None, {'http': 80, 'https': 443}.get(parts.scheme)) else ':%d' % parts.port
    server = '%s://%s%s%s' % (parts.scheme.lower(), (parts.hostname or '').lower(), port, parts.path.rstrip('/'))
    digest = hashlib.sha256(('%s %s/%s' % (server, neighborhood, project)).encode('utf-8')).hexdigest()[:12]
    readable = re.sub(r'[^A-Za-z0-9.-]+', '_', '%s%s-%s-%s' % (parts.hostname or '', port.replace(':', '_'), neighborhood, project))
    return server, '%s-%s.lock' % (readable[:120], digest)


def describe(lease, now=None):
    """Who holds a lease, for messages: pid, user, host, when it started, since when it holds the lock."""
    holder = lease.get('holder') or {}
    now = time.time() if now is None else now
    text = '%s pid %s of user %s on host %s' % (holder.get('command') or 'a run', holder.get('pid'), holder.get('user'),
                                                holder.get('host'))
    if holder.get('started'):
        text += ', started %s' % holder['started']
    if lease.get('since'):
        text += ', holding the lock since %s' % utc(lease['since'])
    if lease.get('heartbeat') and holder.get('host') != socket.gethostname():
        text += ', last heartbeat %d s ago' % max(0, now - lease['heartbeat'])
    return text


def holder_details(lease):
    """The holder as a result returns it (`lock_holder`)."""
    holder = lease.get('holder') or {}
    out = {key: holder.get(key) for key in ('pid', 'user', 'host', 'command', 'started')}
    out['since'] = utc(lease['since']) if lease.get('since') else None
    return out


class ProjectLock:
    """The lock of one project on one server, in `directory`."""

    def __init__(self, directory, server_url, neighborhood, project, clock=time.time, sleep=time.sleep):
        self.directory = os.path.expanduser(directory or DEFAULT_DIR)
        self.server, name = lock_key(server_url, neighborhood, project)
        self.project = '%s/%s' % (neighborhood, project)
        self.path = os.path.join(self.directory, name)
        self.label = '%s on %s' % (self.project, self.server)
        self.clock, self.sleep = clock, sleep
        self.run, self.task = this_run(), this_task()
        self._beat = None

    # -- reading and writing a lease (under the guard) ----------------------------------------

    @contextlib.contextmanager
    def guard(self):
        """The critical section of every change to a lease in the directory: an flock of its guard file."""
        try:
            os.makedirs(self.directory, mode=0o700, exist_ok=True)
            handle = os.open(os.path.join(self.directory, GUARD), os.O_RDONLY | os.O_CREAT, 0o666)
        except OSError as exc:
            raise ParameterError('lock_dir %r cannot be used for the lock of %s: %s (give another lock_dir, or lock: false)'
                                 % (self.directory, self.label, exc.strerror or exc))
        try:
            fcntl.flock(handle, fcntl.LOCK_EX)
            yield
        finally:
            os.close(handle)  # releases the flock

    def read(self):
        """The lease; None when there is none, {} when the file is no lease (nobody's then)."""
        try:
            with open(self.path, encoding='utf-8') as handle:
                lease = json.load(handle)
        except FileNotFoundError:
            return None
        except ValueError:
            return {}
        except OSError as exc:
            raise AlluraError('the lock file of %s cannot be read: %s (%s); the lock cannot tell whether another run holds it'
                              % (self.label, exc.strerror or exc, self.path), lock_file=self.path)
        return lease if isinstance(lease, dict) else {}

    def write(self, lease):
        write_whole(self.path, json.dumps(lease, indent=1, sort_keys=True), prefix='.lease-')  # never half-written

    # -- what a lease says ------------------------------------------------------------------------

    def local(self, lease):
        """Whether the lease was written on this host, where its processes can be checked (their start times tell a
        process from one started after a reboot)."""
        return (lease.get('holder') or {}).get('host') == self.run['host']

    def ours(self, lease):
        holder = lease.get('holder') or {}
        return self.local(lease) and holder.get('pid') == self.run['pid'] and holder.get('start') == self.run['start']

    def live(self, lease):
        """Whether a lease still holds the lock: see the module's docstring."""
        if not lease or not lease.get('holder'):
            return False
        if not self.local(lease):
            return self.clock() - (lease.get('heartbeat') or 0) < FOREIGN_TTL
        if any(running(task) for task in lease.get('tasks') or ()):
            return True
        return bool(lease.get('held')) and running(lease['holder'])

    def other(self):
        """The live lease of another run, or None (for check mode: read without the guard, never waiting)."""
        lease = self.read()
        return lease if lease and not self.ours(lease) and self.live(lease) else None

    # -- entering and leaving -------------------------------------------------------------------------

    def enter(self, timeout, hold=False, on_wait=None):
        """Take the lock for this run, or enter it when this run holds it already; wait up to `timeout` seconds for
        another run to leave it. hold: for the run (allura_lock), else for this task. Returns the seconds waited."""
        started = self.clock()
        deadline, pause, told = started + timeout, 0.1, False
        while True:
            with self.guard():
                lease = self.read()
                if lease is None or not lease or self.ours(lease) or not self.live(lease):
                    self.take(lease if lease and self.ours(lease) else None, hold)
                    break
            now = self.clock()
            if now >= deadline:
                raise LockTimeout(
                    '%s is locked by another run converging it: %s. Gave up after waiting %s s (lock_timeout). Let that run '
                    'finish and run again, or raise lock_timeout (ALLURA_LOCK_TIMEOUT; the project role\'s '
                    'allura_lock_timeout). The lock of a run that has ended is taken over without waiting; its file is %s'
                    % (self.label, describe(lease, now), '%g' % timeout, self.path),
                    lock_holder=holder_details(lease), lock_file=self.path)
            if on_wait and not told:
                on_wait('%s is locked by another run converging it: %s; waiting up to %s s for it (lock_timeout)'
                        % (self.label, describe(lease, now), '%g' % timeout))
                told = True
            self.sleep(min(pause, max(0.0, deadline - now)))
            pause = min(1.0, pause * 1.5)
        if not hold:
            self._beat = Heartbeat(self)
        return self.clock() - started

    def take(self, lease, hold):
        """Write the lease with this run in it (under the guard): `lease` is this run's own, or None for a new one."""
        now = self.clock()
        if lease is None:
            lease = dict(version=1, server=self.server, project=self.project, holder=self.run, since=now,
                         held=False, tasks=[])
        lease['tasks'] = [task for task in lease.get('tasks') or () if running(task) and task['pid'] != self.task['pid']]
        if hold:
            lease['held'] = True
        else:
            lease['tasks'].append(self.task)
        lease['heartbeat'] = now
        self.write(lease)

    def leave(self, hold=False):
        """Leave the lock (this task's part of it, or the run's hold); the lease goes when nothing holds it any more.
        Returns whether this run was in it."""
        if self._beat:
            self._beat.stop()
            self._beat = None
        with self.guard():
            lease = self.read()
            if not lease or not self.ours(lease):
                return False
            if hold:
                lease['held'] = False
            lease['tasks'] = [task for task in lease.get('tasks') or () if task['pid'] != self.task['pid'] and running(task)]
            if lease['held'] or lease['tasks']:
                self.write(lease)
            else:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(self.path)
        return True

    def beat(self):
        with self.guard():
            lease = self.read()
            if lease and self.ours(lease):
                lease['heartbeat'] = self.clock()
                self.write(lease)


class Heartbeat:
    """Renews the heartbeat of a lease every HEARTBEAT seconds while a task is inside the lock."""

    def __init__(self, lock):
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self.run, args=(lock,), name='allura-lock-heartbeat', daemon=True)
        self.thread.start()

    def run(self, lock):
        while not self.stopped.wait(HEARTBEAT):
            with contextlib.suppress(OSError, AlluraError):
                lock.beat()

    def stop(self):
        self.stopped.set()
        self.thread.join(5)
