# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark: allura.forge against a plain sequential requests script, on the sandbox.

For every latency (ms added to each request by the sandbox) and size N (resources: wiki pages,
tickets, webhooks, tools) it generates a project spec, then times as whole processes:
  cold       provision of a fresh project (allura.forge.provision)
  rerun      the same provision again (nothing to change)
  drift      the drift check (allura.forge.drift: check mode, diff, report)
  capture    the capture of the provisioned project as a spec file (allura.forge.capture)
and the same jobs done by bench/baseline.py (what a user would otherwise write). It counts the
requests of each run from the sandbox log, compares them with the minimum (one read per resource,
one write per change) and prints one table, with the peak memory (RSS) of the largest process.
Each sequence (fresh sandbox, cold, rerun, drift) runs --repeat times: the table gives the median
time of each job (the JSON also every time measured), as one run on a shared machine varies by a few
per cent.

    .venv/bin/python bench/run.py [--sizes 10,100,500] [--latencies 0,50] [--repeat 3] [--jobs cold,rerun,drift,capture]
                                  [--parallel N] [--json FILE]

--jobs drift,capture still provisions first (untimed when cold is not asked for); --parallel sets the
concurrent requests of the provision, drift and capture (allura_project_parallel, capture_parallel; default: theirs, 8).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, 'tests', 'sandbox'))
from harness import start_sandbox  # noqa: E402  pylint: disable=wrong-import-position

ADMIN_TOKEN = 'a0000000000000000001'
PROJECT = 'test'
# Runs a command and reports the peak RSS (KiB) of the largest process it waited for.
MEASURE = ('import resource, subprocess, sys\n'
           'rc = subprocess.call(sys.argv[2:])\n'
           'open(sys.argv[1], "w").write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))\n'
           'sys.exit(rc)\n')


def spec(size):
    """A project spec of `size` resources: ~6% tools, ~4% webhooks (max 3 per repository), pages and tickets."""
    hooks = max(1, size * 4 // 100)
    repos = math.ceil(hooks / 3)
    tools = max(repos, size * 6 // 100)
    rest = size - tools - hooks
    pages, tickets = rest - rest // 2, rest // 2
    tool_list = [{'tool': 'git', 'mount_point': 'repo%d' % i, 'mount_label': 'Repo %d' % i} for i in range(repos)]
    tool_list += [{'tool': 'wiki', 'mount_point': 'wiki%d' % i, 'mount_label': 'Wiki %d' % i} for i in range(tools - repos)]
    return {'allura_projects': [{
        'name': PROJECT,
        'tools': tool_list,
        'wiki': [{'mount_point': 'wiki', 'title': 'Page %04d' % i, 'text': 'Text of page %d\n\nSecond line.\n' % i,
                  'labels': ['bench', 'p%d' % (i % 5)]} for i in range(pages)],
        'tickets': [{'mount_point': 'bugs', 'summary': 'Ticket %04d' % i, 'description': 'About %d' % i,
                     'status': 'open', 'labels': ['bench']} for i in range(tickets)],
        'webhooks': [{'mount_point': 'repo%d' % (i // 3), 'url': 'http://127.0.0.1:9/hook/%d' % i} for i in range(hooks)],
    }]}


def timed(cmd, env):
    with tempfile.NamedTemporaryFile('r', suffix='.rss') as rss:
        start = time.monotonic()
        proc = subprocess.run([sys.executable, '-c', MEASURE, rss.name] + cmd, env=env, cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)
        elapsed = time.monotonic() - start
        peak = int(rss.read() or 0) // 1024
    if proc.returncode != 0:
        raise SystemExit('command failed: %s\n%s' % (' '.join(cmd), proc.stdout[-3000:]))
    return elapsed, peak


def counts(box):
    counters = box.log()['counters']
    return counters['total'], counters['writes']


def run_jobs(box, env, repeat, commands, latency):
    """Time the jobs on a fresh sandbox, `repeat` times; requests counted per job (the same every time). A job named
    `setup` runs without latency and is not timed (what later jobs need, when cold is not measured)."""
    rows = {}
    for _attempt in range(repeat):
        box.reset()
        for job, cmd in commands:
            if job == 'setup':
                box.latency(0)
                timed(cmd, env)
                box.latency(latency)
                continue
            box.clear_log()
            elapsed, peak = timed(cmd, env)
            total, writes = counts(box)
            row = rows.setdefault(job, dict(times=[], requests=total, writes=writes, rss_mb=0))
            if (total, writes) != (row['requests'], row['writes']):
                raise SystemExit('%s: %d requests (%d writes), %d (%d) before' % (job, total, writes, row['requests'], row['writes']))
            row['times'].append(round(elapsed, 3))
            row['rss_mb'] = max(row['rss_mb'], peak)
    for row in rows.values():
        row['seconds'] = statistics.median(row['times'])
    return rows


def sequence(jobs, commands):
    """The commands of the jobs asked for, in their order, after an untimed provision when cold is not asked for."""
    asked = [(job, commands[job]) for job in JOBS if job in jobs]
    return asked if 'cold' in jobs else [('setup', commands['cold'])] + asked


JOBS = ('cold', 'rerun', 'drift', 'capture')


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('--sizes', default='10,100,500')
    parser.add_argument('--latencies', default='0,50')
    parser.add_argument('--repeat', type=int, default=3, help='runs of each job; the table gives the median time')
    parser.add_argument('--jobs', default=','.join(JOBS), help='which of %s' % ', '.join(JOBS))
    parser.add_argument('--parallel', type=int, help='concurrent requests of provision, drift and capture (default: the role\'s)')
    parser.add_argument('--json', help='also write the results as JSON to this file')
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(',')]
    latencies = [int(s) for s in args.latencies.split(',')]
    jobs = args.jobs.split(',')
    if set(jobs) - set(JOBS):
        parser.error('--jobs: unknown %s' % ', '.join(sorted(set(jobs) - set(JOBS))))

    collections = subprocess.run([os.path.join(ROOT, 'scripts', 'stage.sh')], check=True, stdout=subprocess.PIPE,
                                 text=True).stdout.strip()
    playbook = os.path.join(ROOT, '.venv', 'bin', 'ansible-playbook')
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for latency in latencies:
            box = start_sandbox(latency_ms=latency)
            try:
                env = dict(os.environ, ALLURA_URL=box.url, ALLURA_TOKEN=ADMIN_TOKEN, ANSIBLE_NOCOLOR='1',
                           ANSIBLE_COLLECTIONS_PATH=os.path.dirname(os.path.dirname(os.path.dirname(collections))))
                for size in sizes:
                    path = os.path.join(tmp, 'spec-%d.json' % size)
                    with open(path, 'w') as handle:
                        json.dump(spec(size), handle)
                    parallel = ['-e', 'allura_project_parallel=%d' % args.parallel] if args.parallel else []
                    provision = [playbook, 'playbooks/provision.yml', '-e', '@' + path] + parallel
                    ours = run_jobs(box, env, args.repeat, sequence(jobs, dict(
                        cold=provision, rerun=provision,
                        drift=[playbook, 'playbooks/drift.yml', '-e', '@' + path, '-e', 'drift_report_dir='] + parallel,
                        capture=[playbook, 'playbooks/capture.yml', '-e', 'capture_projects=' + PROJECT, '-e', 'capture_dir=' + tmp,
                                 ] + (['-e', 'capture_parallel=%d' % args.parallel] if args.parallel else []))), latency)
                    baseline = [sys.executable, os.path.join(ROOT, 'bench', 'baseline.py'), path]
                    theirs = run_jobs(box, env, args.repeat, sequence(jobs, dict(
                        cold=baseline, rerun=baseline, drift=baseline + ['--check'],
                        capture=baseline + ['--capture', os.path.join(tmp, 'baseline.yml')])), latency)
                    for job in (job for job in JOBS if job in jobs):
                        minimum = dict(requests=2 * size if job == 'cold' else size, writes=size if job == 'cold' else 0)
                        results.append(dict(latency_ms=latency, size=size, job=job, ours=ours[job], baseline=theirs[job],
                                            minimum=minimum))
                        print_row(results[-1])
            finally:
                box.stop()
    if args.json:
        with open(args.json, 'w') as handle:
            json.dump(results, handle, indent=2)


HEADER = False


def print_row(row):
    global HEADER  # pylint: disable=global-statement
    if not HEADER:
        print('| latency | N | job | allura.forge s | baseline s | ratio | requests (writes) | baseline requests (writes) '
              '| minimum requests (writes) | peak RSS MB |')
        print('|---|---|---|---|---|---|---|---|---|---|')
        HEADER = True
    ours, theirs, least = row['ours'], row['baseline'], row['minimum']
    print('| %d ms | %d | %s | %.2f | %.2f | %.3f | %d (%d) | %d (%d) | %d (%d) | %d |' % (
        row['latency_ms'], row['size'], row['job'], ours['seconds'], theirs['seconds'], ours['seconds'] / theirs['seconds'],
        ours['requests'], ours['writes'], theirs['requests'], theirs['writes'], least['requests'], least['writes'],
        ours['rss_mb']), flush=True)


if __name__ == '__main__':
    main()
