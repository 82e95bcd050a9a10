# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark rows at scale: many projects, a large project, the memory of a large run, a server that serves one
request at a time; allura.forge against bench/baseline.py (the plain sequential script) side by side in one run.

Rows (--rows, all by default), each job timed as a whole process, the median of --repeat runs:
  projects  drift check of 20 projects x 23 resources (a wiki and a tracker, the link, 10 pages, 10 tickets),
            at each of --latencies
  large     cold converge and drift check of 1 project x 500 resources (bench/run.py's spec), at each of --latencies
  memory    drift check of 100 projects x 100 resources (--memory 100x100) at 0 ms: the peak of the summed RSS of the process and all
            its descendants (ansible-playbook and its workers), sampled from /proc every 20 ms
  single    drift check of a 103-resource project (60 pages, 40 tickets, a tool, the link, a webhook) at 50 ms on
            a sandbox serving one request at a time (--service-ms each); with --real URL through bench/latency_proxy.py
            in front of that real Allura instead

The projects of the drift rows are provisioned first by allura.forge (untimed, at 0 ms; the sandbox's state is kept in
.cache/bench for the next run with the same spec and sources, --no-cache provisions again). Requests (writes) come from
the sandbox's log (from the proxy with --real). Every job's peak memory is reported as the summed RSS of its process
tree, the largest single process and the summed PSS (each page shared by processes divided among them: the workers are
forks of ansible-playbook, sharing most of their pages, which the summed RSS counts once per process).

How allura.forge runs many projects: as the hosts of the allura.forge.projects inventory plugin (`-i bench.allura.yml
playbooks/drift.yml`, bench.allura.yml naming the spec file), with ansible-playbook's default forks unless --forks N
(`-f N`); with --localhost, `playbooks/drift.yml -e @spec.json` on localhost instead (one project after the other).
--extra adds arguments to every allura.forge command (e.g. "-e allura_project_parallel=8").

    .venv/bin/python bench/scale.py [--rows projects,large,memory,single] [--latencies 50,0] [--repeat 3]
        [--memory 100x100] [--service-ms 20] [--localhost] [--forks N] [--extra ARGS] [--real URL] [--no-cache]
        [--json FILE]
    scripts/real-allura.sh run sh -c '.venv/bin/python bench/scale.py --rows single --real "$ALLURA_REAL_URL"'
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

from latency_proxy import LatencyProxy
from run import ADMIN_TOKEN, ROOT, spec as large_spec, start_sandbox

ROOT_TOKEN = 'a0000000000000000000'  # neighborhood admin of p: creates the projects
ROWS = ('projects', 'large', 'memory', 'single')
PLAYBOOK = os.path.join(ROOT, '.venv', 'bin', 'ansible-playbook')
PAGE_SIZE = os.sysconf('SC_PAGE_SIZE')


NEW_TOOLS = [{'tool': 'wiki', 'mount_point': 'docs', 'mount_label': 'Docs'},
             {'tool': 'tickets', 'mount_point': 'issues', 'mount_label': 'Issues'}]


def project(name, pages, tickets, tools, wiki, tracker, webhooks=0):
    """A project spec: the tools, the link, `pages` wiki pages in `wiki`, `tickets` tickets in `tracker` and `webhooks`
    webhooks on the repository at code."""
    return {
        'name': name, 'tools': tools, 'link': 'https://%s.example.org/' % name,
        'wiki': [{'mount_point': wiki, 'title': 'Page %04d' % i, 'text': 'Text of page %d\n\nSecond line.\n' % i,
                  'labels': ['bench']} for i in range(pages)],
        'tickets': [{'mount_point': tracker, 'summary': 'Ticket %04d' % i, 'description': 'About %d' % i,
                     'status': 'open', 'labels': ['bench']} for i in range(tickets)],
        'webhooks': [{'mount_point': 'code', 'url': 'http://127.0.0.1:9/hook/%d' % i} for i in range(webhooks)],
    }


def many(count, resources):
    """`count` new projects (made by test-admin) of `resources` resources each: a wiki and a tracker, the link, the
    rest pages and tickets."""
    rest = resources - 3
    return {'allura_projects': [dict(project('bench-%03d' % i, rest - rest // 2, rest // 2, NEW_TOOLS, 'docs', 'issues'),
                                     create=True, admin='test-admin', fields={'name': 'Bench project %d' % i})
                                for i in range(count)]}


def single():
    """p/test (its wiki, tracker bugs and repository code) with a new wiki tool: 60 + 40 + 1 + link + 1 = 103."""
    tools = [{'tool': 'wiki', 'mount_point': 'notes', 'mount_label': 'Notes'}]
    return {'allura_projects': [project('test', 60, 40, tools, 'wiki', 'bugs', webhooks=1)]}


# -- measuring -------------------------------------------------------------------------------------------------------

def _tree(pid):
    """`pid` and all its descendants (from /proc/PID/task/TID/children)."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            for tid in os.listdir('/proc/%d/task' % current):
                with open('/proc/%d/task/%s/children' % (current, tid), encoding='ascii') as handle:
                    todo.extend(int(child) for child in handle.read().split())
        except OSError:
            pass  # gone meanwhile
    return found


def _rss(pid):
    try:
        with open('/proc/%d/statm' % pid, encoding='ascii') as handle:
            return int(handle.read().split()[1]) * PAGE_SIZE
    except (OSError, IndexError, ValueError):
        return 0


def _pss(pid):
    """The proportional set size: resident pages, each shared page divided among the processes that share it (the
    workers of ansible-playbook are forks of it, sharing most of their pages with it and each other)."""
    try:
        with open('/proc/%d/smaps_rollup' % pid, encoding='ascii') as handle:
            return next(int(line.split()[1]) * 1024 for line in handle if line.startswith('Pss:'))
    except (OSError, IndexError, ValueError, StopIteration):
        return 0


def measure(cmd, env, interval=0.02):
    """Run `cmd`; (seconds, {rss_mb, rss_largest_mb, pss_mb}: the peaks of the summed RSS of its process tree, of its
    largest process and of the summed PSS, when it started in seconds since the epoch)."""
    peak = dict(total=0, largest=0, pss=0)
    started, wall = time.monotonic(), time.time()
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)  # pylint: disable=consider-using-with
    done = threading.Event()

    def sample():
        while not done.wait(interval):
            pids = _tree(proc.pid)
            sizes = [_rss(pid) for pid in pids]
            peak['total'] = max(peak['total'], sum(sizes))
            peak['largest'] = max(peak['largest'], *sizes)
            peak['pss'] = max(peak['pss'], sum(_pss(pid) for pid in pids))
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output = proc.communicate()[0]
    elapsed = time.monotonic() - started
    done.set()
    sampler.join()
    if proc.returncode != 0:
        raise SystemExit('command failed: %s\n%s' % (' '.join(cmd), output[-3000:]))
    return elapsed, dict(rss_mb=peak['total'] // 2 ** 20, rss_largest_mb=peak['largest'] // 2 ** 20, pss_mb=peak['pss'] // 2 ** 20), wall


class Counter:
    """Requests (writes) of a job: from the sandbox's log, or from the latency proxy in front of a real server."""

    def __init__(self, box=None, proxy=None):
        self.box, self.proxy = box, proxy

    def clear(self):
        if self.box:
            self.box.clear_log()
        else:
            self.proxy.server.clear()

    def counts(self):
        if self.box:
            counters = self.box.log()['counters']
            return counters['total'], counters['writes']
        return self.proxy.server.requests, self.proxy.server.writes

    def idle(self, started, seconds):
        """Where a job's time went by the sandbox's log: seconds before its first request (start-up), between requests
        with none in flight (the client's own work) and after its last one; None from the proxy."""
        if not self.box:
            return None
        requests = sorted((r['started'], r['started'] + r['duration_ms'] / 1000.0) for r in self.box.log()['requests'])
        if not requests:
            return None
        between, reach = 0.0, requests[0][1]
        for begin, end in requests[1:]:
            between += max(0.0, begin - reach)
            reach = max(reach, end)
        return dict(start=round(requests[0][0] - started, 2), between=round(between, 2),
                    end=round(started + seconds - reach, 2))


def run_jobs(counter, env, repeat, jobs, before=None):
    """Time each (name, command) of `jobs` `repeat` times (`before()` first each time); the median and every time,
    the requests (writes: the same every time) and the peak memory of each."""
    rows = {}
    for _attempt in range(repeat):
        if before:
            before()
        for name, cmd in jobs:
            counter.clear()
            elapsed, memory, started = measure(cmd, env)
            requests, writes = counter.counts()
            row = rows.setdefault(name, dict(times=[], requests=requests, writes=writes, rss_mb=0, rss_largest_mb=0, pss_mb=0, idle=[]))
            if (requests, writes) != (row['requests'], row['writes']):
                raise SystemExit('%s: %d requests (%d writes), %d (%d) before' % (name, requests, writes, row['requests'], row['writes']))
            row['times'].append(round(elapsed, 3))
            row['idle'].append(counter.idle(started, elapsed))
            row.update((key, max(row[key], value)) for key, value in memory.items())
    for row in rows.values():
        row['seconds'] = statistics.median(row['times'])
        row['idle_s'] = row['idle'][min(range(repeat), key=lambda i: abs(row['times'][i] - row['seconds']))]
    return rows


# -- the rows --------------------------------------------------------------------------------------------------------

class Bench:
    def __init__(self, args, tmp, collections):
        self.args, self.tmp, self.results = args, tmp, []
        self.collections = collections

    def env(self, url, token):
        return dict(os.environ, ALLURA_URL=url, ALLURA_TOKEN=token, ANSIBLE_NOCOLOR='1', ANSIBLE_COLLECTIONS_PATH=self.collections)

    def write(self, name, data):
        path = os.path.join(self.tmp, name + '.json')
        with open(path, 'w', encoding='utf-8') as handle:
            json.dump(data, handle)
        return path

    def ours(self, playbook, path, many_projects=False):
        """allura.forge's command for a playbook over the spec file `path` (over an inventory when asked to)."""
        cmd = [PLAYBOOK]
        if many_projects and not self.args.localhost:
            inventory = os.path.join(self.tmp, 'bench.allura.yml')
            with open(inventory, 'w', encoding='utf-8') as handle:
                handle.write('plugin: allura.forge.projects\nspec_file: %s\n' % path)
            cmd += ['-i', inventory]
        else:
            cmd += ['-e', '@' + path]
        if self.args.forks:
            cmd += ['-f', str(self.args.forks)]
        cmd.append('playbooks/%s.yml' % playbook)
        if playbook == 'drift':
            cmd += ['-e', 'drift_report_dir=']
        return cmd + shlex.split(self.args.extra)

    @staticmethod
    def baseline(path, *options):
        return [sys.executable, os.path.join(ROOT, 'bench', 'baseline.py'), path] + list(options)

    def add(self, row, latency, shape, job, results, **extra):
        theirs, ours = results['baseline'], results['ours']
        self.results.append(dict(row=row, latency_ms=latency, shape=shape, job=job, ours=ours, baseline=theirs, **extra))
        print_row(self.results[-1])

    def provisioned(self, row, path):
        """A sandbox holding the projects of the spec file `path`, provisioned by allura.forge (untimed, at 0 ms). The
        state is kept in .cache/bench, named by the spec and the sources that make it (sandbox, modules, roles,
        playbooks): a later run starts from it, as provisioning 100 projects takes minutes."""
        digest = hashlib.sha256()
        sources = [path] + [os.path.join(directory, name)
                            for top in ('tests/sandbox/allura_sandbox', 'plugins', 'roles', 'playbooks')
                            for directory, _dirs, files in os.walk(os.path.join(ROOT, top))
                            for name in files if not name.endswith('.pyc')]
        for source in [path] + sorted(sources[1:]):
            with open(source, 'rb') as handle:
                digest.update(os.path.relpath(source, ROOT if source != path else self.tmp).encode() + handle.read())
        cached = os.path.join(ROOT, '.cache', 'bench', '%s-%s.json' % (row, digest.hexdigest()[:16]))
        state = os.path.join(self.tmp, row + '.state.json')
        if os.path.exists(cached) and not self.args.no_cache:
            shutil.copyfile(cached, state)
            return start_sandbox(state_file=state)
        box = start_sandbox()
        measure(self.ours('provision', path, many_projects=True), self.env(box.url, ROOT_TOKEN))
        os.makedirs(os.path.dirname(cached), exist_ok=True)
        with open(cached + '.tmp', 'w', encoding='utf-8') as handle:
            json.dump(box.state(), handle)
        os.replace(cached + '.tmp', cached)
        return box

    def drift_of_many(self, row, spec, latencies):
        path = self.write(row, spec)
        count = len(spec['allura_projects'])
        shape = '%d x %d' % (count, 3 + len(spec['allura_projects'][0]['wiki']) + len(spec['allura_projects'][0]['tickets']))
        box = self.provisioned(row, path)
        try:
            env = self.env(box.url, ROOT_TOKEN)
            for latency in latencies:
                box.latency(latency)
                results = run_jobs(Counter(box), env, self.args.repeat,
                                   [('ours', self.ours('drift', path, many_projects=True)), ('baseline', self.baseline(path, '--check'))])
                self.add(row, latency, shape, 'drift', results)
        finally:
            box.stop()

    def row_projects(self):
        self.drift_of_many('projects', many(20, 23), self.latencies)

    def row_memory(self):
        count, resources = (int(n) for n in self.args.memory.split('x'))
        self.drift_of_many('memory', many(count, resources), [0])

    def row_large(self):
        path = self.write('large', large_spec(500))
        for latency in self.latencies:
            box = start_sandbox(latency_ms=latency)
            try:
                env = self.env(box.url, ADMIN_TOKEN)
                for job, ours, theirs in (('cold', self.ours('provision', path), self.baseline(path)),
                                          ('drift', self.ours('drift', path), self.baseline(path, '--check'))):
                    results = {}
                    for name, cmd in (('ours', ours), ('baseline', theirs)):
                        results.update(run_jobs(Counter(box), env, self.args.repeat, [(name, cmd)],
                                                before=self._fresh(box, latency, None if job == 'cold' else self.ours('provision', path), env)))
                    self.add('large', latency, '1 x 500', job, results)
            finally:
                box.stop()

    @staticmethod
    def _fresh(box, latency, provision, env):
        """Back to the seed; then the untimed provision (at 0 ms) when given."""
        def before():
            box.reset()
            if provision:
                measure(provision, env)
            box.latency(latency)
        return before

    def row_single(self):
        path = self.write('single', single())
        latency = 50
        jobs = [('ours', self.ours('drift', path)), ('baseline', self.baseline(path, '--check'))]
        if self.args.real:
            measure(self.ours('provision', path), self.env(self.args.real, ADMIN_TOKEN))  # untimed, without the proxy
            with LatencyProxy(self.args.real, latency) as proxy:
                results = run_jobs(Counter(proxy=proxy), self.env(proxy.url, ADMIN_TOKEN), self.args.repeat, jobs)
            self.add('single', latency, '1 x 103', 'drift', results, server='real Allura')
            return
        box = start_sandbox(service_ms=self.args.service_ms)
        try:
            env = self.env(box.url, ADMIN_TOKEN)
            measure(self.ours('provision', path), env)
            box.latency(latency)
            results = run_jobs(Counter(box), env, self.args.repeat, jobs)
            self.add('single', latency, '1 x 103', 'drift', results, server='sandbox, %g ms per request' % self.args.service_ms)
        finally:
            box.stop()

    @property
    def latencies(self):
        return [int(s) for s in self.args.latencies.split(',')]


HEADER = False


def print_row(row):
    global HEADER  # pylint: disable=global-statement
    if not HEADER:
        print('| row | latency | projects x resources | job | allura.forge s | baseline s | ratio | requests (writes) '
              '| baseline requests (writes) | peak RSS MB, all processes (largest) | peak PSS MB, all processes '
              '| allura.forge idle s: start, between, end |')
        print('|---|---|---|---|---|---|---|---|---|---|---|---|')
        HEADER = True
    ours, theirs = row['ours'], row['baseline']
    idle = ours['idle_s']
    print('| %s | %d ms | %s | %s | %.2f | %.2f | %.3f | %d (%d) | %d (%d) | %d (%d) | %d | %s |' % (
        row['row'] + (' (%s)' % row['server'] if 'server' in row else ''), row['latency_ms'], row['shape'], row['job'],
        ours['seconds'], theirs['seconds'], ours['seconds'] / theirs['seconds'], ours['requests'], ours['writes'],
        theirs['requests'], theirs['writes'], ours['rss_mb'], ours['rss_largest_mb'], ours['pss_mb'],
        '%.2f, %.2f, %.2f' % (idle['start'], idle['between'], idle['end']) if idle else '-'), flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('--rows', default=','.join(ROWS), help='which of %s' % ', '.join(ROWS))
    parser.add_argument('--latencies', default='50,0', help='latencies (ms) of the projects and large rows')
    parser.add_argument('--repeat', type=int, default=3, help='runs of each job; the table gives the median time')
    parser.add_argument('--memory', default='100x100', help='projects x resources of the memory row')
    parser.add_argument('--service-ms', type=float, default=20, help='service time per request of the single row')
    parser.add_argument('--real', metavar='URL', help='the single row against this real Allura (a latency proxy before it)')
    parser.add_argument('--localhost', action='store_true',
                        help='run many projects on localhost (-e @spec) instead of as the hosts of the projects inventory')
    parser.add_argument('--forks', type=int, help="ansible-playbook's -f for allura.forge's commands")
    parser.add_argument('--extra', default='', help="more arguments of allura.forge's commands")
    parser.add_argument('--no-cache', action='store_true', help='provision the projects even when .cache/bench has them')
    parser.add_argument('--json', help='also write the results as JSON to this file')
    args = parser.parse_args()
    rows = args.rows.split(',')
    if set(rows) - set(ROWS):
        parser.error('--rows: unknown %s' % ', '.join(sorted(set(rows) - set(ROWS))))
    if not re.fullmatch(r'[1-9][0-9]*x([4-9]|[1-9][0-9]+)', args.memory):
        parser.error('--memory: PROJECTSxRESOURCES (at least 4 resources: 2 tools, the link, a page), not %r' % args.memory)
    if args.real and rows != ['single']:
        parser.error('--real: only with --rows single')

    with tempfile.TemporaryDirectory() as tmp:
        # a copy of its own: a staging of .build meanwhile (make, tests) would change the collection under a long run
        subprocess.run([os.path.join(ROOT, 'scripts', 'stage.sh'), os.path.join(tmp, 'stage')], check=True,
                       stdout=subprocess.DEVNULL)
        bench = Bench(args, tmp, os.path.join(tmp, 'stage'))
        for row in (row for row in ROWS if row in rows):
            getattr(bench, 'row_' + row)()
    if args.json:
        with open(args.json, 'w', encoding='utf-8') as handle:
            json.dump(bench.results, handle, indent=2)


if __name__ == '__main__':
    main()
