# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark: projects from one template (allura_project_template) against the same projects written out in full.

For every latency and number of projects it times, as whole ansible-playbook processes on the sandbox:
  cold       provision of the fresh projects (created, with everything the template gives)
  rerun      the same provision again (nothing to change)
  drift      the drift check (nothing differs)
  changed    the drift check after the template changed once (one page of every project differs)
once with the template, once with the same specs written out without one (what the template costs), each
the median of --repeat runs, with the requests of each job from the sandbox log.

    .venv/bin/python bench/templates.py [--projects 10] [--latencies 0,50] [--repeat 3] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile

from run import ROOT, run_jobs, start_sandbox

ROOT_TOKEN = 'a0000000000000000000'  # neighborhood admin of p: creates the projects
HOME = '# {name}\n\nWelcome to {shortname}.\n'


def template(home=HOME, fill=None):
    """The team template (with `fill`, as written out for one project: the {{ project... }} values filled in)."""
    def text(value):
        if fill is None:
            return value.format(name='{{ project.fields.name }}', shortname='{{ project.name }}')
        return value.format(**fill)
    return {
        'create': True, 'admin': 'test-admin',
        'fields': {'summary': text('{name}, by the team'), 'labels': ['team']},
        'tools': [{'tool': 'wiki', 'mount_point': 'docs', 'mount_label': 'Docs'},
                  {'tool': 'tickets', 'mount_point': 'tickets', 'mount_label': 'Tickets'},
                  {'tool': 'git', 'mount_point': 'code', 'mount_label': 'Code'}],
        'link': text('https://{shortname}.example.org/'),
        'wiki': [{'mount_point': 'docs', 'title': 'Home', 'text': text(home), 'labels': ['start']},
                 {'mount_point': 'docs', 'title': 'Install', 'text': text('pip install {shortname}\n')},
                 {'mount_point': 'docs', 'title': 'Contributing', 'text': 'Fork, branch, send a merge request.\n'}],
        'tickets': [{'summary': 'Review the open tickets', 'status': 'open', 'labels': ['housekeeping']}],
        'webhooks': [{'url': text('http://127.0.0.1:9/hooks/{shortname}')}],
        'access': [{'user': '*anonymous', 'permission': 'read'}],
    }


def specs(count, home=HOME):
    """(the spec file with a template, the same projects written out in full)."""
    projects = [{'name': 'team-%02d' % i, 'fields': {'name': 'Team Project %d' % i}} for i in range(count)]
    full = [dict(template(home, fill=dict(name=p['fields']['name'], shortname=p['name'])), name=p['name'],
                 fields=dict(template(home, fill=dict(name=p['fields']['name'], shortname=p['name']))['fields'], **p['fields']))
            for p in projects]
    return {'allura_project_template': template(home), 'allura_projects': projects}, {'allura_projects': full}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('--projects', type=int, default=10)
    parser.add_argument('--latencies', default='0,50')
    parser.add_argument('--repeat', type=int, default=3, help='runs of each job; the table gives the median time')
    parser.add_argument('--json', help='also write the results as JSON to this file')
    args = parser.parse_args()

    collections = subprocess.run([os.path.join(ROOT, 'scripts', 'stage.sh')], check=True, stdout=subprocess.PIPE,
                                 text=True).stdout.strip()
    playbook = os.path.join(ROOT, '.venv', 'bin', 'ansible-playbook')
    results = []
    print('| latency | projects | job | with template s | written out s | requests (writes) | written out requests (writes) |')
    print('|---|---|---|---|---|---|---|')
    with tempfile.TemporaryDirectory() as tmp:
        files = {}
        for name, data in zip(('template', 'full', 'template-changed', 'full-changed'),
                              specs(args.projects) + specs(args.projects, HOME.replace('Welcome', 'You are welcome'))):
            files[name] = os.path.join(tmp, name + '.json')
            with open(files[name], 'w', encoding='utf-8') as handle:
                json.dump(data, handle)
        for latency in (int(s) for s in args.latencies.split(',')):
            box = start_sandbox(latency_ms=latency)
            try:
                env = dict(os.environ, ALLURA_URL=box.url, ALLURA_TOKEN=ROOT_TOKEN, ANSIBLE_NOCOLOR='1',
                           ANSIBLE_COLLECTIONS_PATH=os.path.dirname(os.path.dirname(os.path.dirname(collections))))

                def jobs(kind):
                    drift = [playbook, 'playbooks/drift.yml', '-e', 'drift_report_dir=', '-e']
                    return [('cold', [playbook, 'playbooks/provision.yml', '-e', '@' + files[kind]]),
                            ('rerun', [playbook, 'playbooks/provision.yml', '-e', '@' + files[kind]]),
                            ('drift', drift + ['@' + files[kind]]),
                            ('changed', drift + ['@' + files[kind + '-changed']])]
                ours, full = run_jobs(box, env, args.repeat, jobs('template')), run_jobs(box, env, args.repeat, jobs('full'))
                for job in ('cold', 'rerun', 'drift', 'changed'):
                    results.append(dict(latency_ms=latency, projects=args.projects, job=job, template=ours[job],
                                        written_out=full[job]))
                    print('| %d ms | %d | %s | %.2f | %.2f | %d (%d) | %d (%d) |' % (
                        latency, args.projects, job, ours[job]['seconds'], full[job]['seconds'], ours[job]['requests'],
                        ours[job]['writes'], full[job]['requests'], full[job]['writes']), flush=True)
            finally:
                box.stop()
    if args.json:
        with open(args.json, 'w', encoding='utf-8') as handle:
            json.dump(results, handle, indent=2)


if __name__ == '__main__':
    sys.exit(main())
