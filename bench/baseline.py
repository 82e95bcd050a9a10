# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The benchmark's baseline: the plain sequential script a user would write with requests.

Reads each resource of each project of a spec (as bench/run.py and bench/scale.py make them: tools,
the link, wiki pages, tickets, webhooks; the projects exist), one project after the other, and
writes what differs; with --check it only reads and counts the differences; with --capture FILE it
reads the whole first project (tools, every wiki page, every ticket, the webhooks) and writes it to
FILE as YAML, one read after the other. No retries, no diffs, no validation: the floor of the cost.

    python bench/baseline.py SPEC.json [--check | --capture FILE]   (ALLURA_URL, ALLURA_TOKEN from the environment)
"""

from __future__ import annotations

import json
import os
import sys

import requests
import yaml


def capture(session, base, path):
    """The project as a spec: what allura.forge.capture reads, read one request after the other."""
    project = session.get(base + '/').json()
    tools = [t for t in project['tools'] if t['name'] not in ('admin', 'search', 'activity')]
    spec = dict(name=project['shortname'], tools=[dict(tool=t['name'], mount_point=t['mount_point'], mount_label=t['mount_label'])
                                                  for t in tools], wiki=[], tickets=[], webhooks=[])
    for tool in tools:
        where = '%s/%s/' % (base, tool['mount_point'])
        if tool['name'] == 'wiki':
            for title in session.get(where).json()['pages']:
                page = session.get(where + requests.utils.quote(title, safe='')).json()
                spec['wiki'].append(dict(mount_point=tool['mount_point'], title=title, text=page['text'], labels=page['labels']))
        elif tool['name'] == 'tickets':
            listing = session.get(where, params={'limit': 500, 'page': 0}).json()
            numbers = [t['ticket_num'] for t in listing['tickets']]
            for page in range(1, -(-listing['count'] // 500)):
                numbers += [t['ticket_num'] for t in session.get(where, params={'limit': 500, 'page': page}).json()['tickets']]
            for number in sorted(numbers):
                ticket = session.get('%s%d/' % (where, number)).json()['ticket']
                spec['tickets'].append({k: ticket[k] for k in ('summary', 'description', 'status', 'labels', 'assigned_to',
                                                               'private', 'custom_fields')})
        elif tool['name'] == 'git':
            for hook in session.get('%s/admin/%s/webhooks' % (base, tool['mount_point'])).json()['webhooks']:
                spec['webhooks'].append(dict(mount_point=tool['mount_point'], url=hook['hook_url']))
    with open(path, 'w', encoding='utf-8') as handle:
        yaml.safe_dump({'allura_projects': [spec]}, handle, allow_unicode=True, sort_keys=False)


def check_project(session, base, spec, check):
    """Read each resource of one project spec, write what differs (not with `check`); the number of differences."""
    drift = 0
    mounted = {t['mount_point'] for t in session.get(base + '/').json()['tools']}
    tools = list(spec.get('tools', []))
    if 'link' in spec and 'link' not in mounted:
        tools.append({'tool': 'link', 'mount_point': 'link', 'mount_label': 'Link', 'url': spec['link']})
    for tool in tools:
        if tool['mount_point'] not in mounted:
            drift += 1
            if not check:
                session.post(base + '/admin/install_tool', data=tool).raise_for_status()
    if 'link' in spec and 'link' in mounted and session.get(base + '/link/').json()['url'] != spec['link']:
        drift += 1
        if not check:
            session.post(base + '/link/', data={'url': spec['link']}).raise_for_status()

    for page in spec.get('wiki', []):
        url = '%s/%s/%s' % (base, page['mount_point'], requests.utils.quote(page['title'], safe=''))
        live = session.get(url)
        if live.status_code == 200 and live.json()['text'] == page['text'] and \
                sorted(live.json()['labels']) == sorted(page['labels']):
            continue
        drift += 1
        if not check:
            session.post(url, data={'text': page['text'], 'labels': ','.join(page['labels'])}).raise_for_status()

    for mount_point in dict.fromkeys(t['mount_point'] for t in spec.get('tickets', [])):
        tracker = '%s/%s/' % (base, mount_point)
        listing = session.get(tracker, params={'limit': 500, 'page': 0}).json()
        known = {t['summary']: t['ticket_num'] for t in listing['tickets']}
        for page in range(1, -(-listing['count'] // 500)):
            known.update((t['summary'], t['ticket_num']) for t in session.get(tracker, params={'limit': 500, 'page': page}).json()['tickets'])
        for ticket in (t for t in spec['tickets'] if t['mount_point'] == mount_point):
            form = {'ticket_form.summary': ticket['summary'], 'ticket_form.description': ticket['description'],
                    'ticket_form.status': ticket['status'], 'ticket_form.labels': ','.join(ticket['labels'])}
            if ticket['summary'] in known:
                live = session.get('%s%d/' % (tracker, known[ticket['summary']])).json()['ticket']
                if live['description'] == ticket['description'] and live['status'] == ticket['status'] and \
                        sorted(live['labels']) == sorted(ticket['labels']):
                    continue
                drift += 1
                if not check:
                    session.post('%s%d/save' % (tracker, known[ticket['summary']]), data=form, allow_redirects=False)
            else:
                drift += 1
                if not check:
                    session.post(tracker + 'new', data=form, allow_redirects=False)

    hooks = {}
    for hook in spec.get('webhooks', []):
        listing = base + '/admin/%s/webhooks' % hook['mount_point']
        if hook['mount_point'] not in hooks:
            hooks[hook['mount_point']] = {h['hook_url'] for h in session.get(listing).json()['webhooks']}
        if hook['url'] not in hooks[hook['mount_point']]:
            drift += 1
            if not check:
                session.post(listing + '/repo-push', data={'url': hook['url']}).raise_for_status()
    return drift


def main():
    projects = json.load(open(sys.argv[1]))['allura_projects']
    check = '--check' in sys.argv
    bases = [os.environ['ALLURA_URL'].rstrip('/') + '/rest/p/' + spec['name'] for spec in projects]
    session = requests.Session()
    session.headers.update(Authorization='Bearer ' + os.environ['ALLURA_TOKEN'], Accept='application/json')
    if '--capture' in sys.argv:
        capture(session, bases[0], sys.argv[sys.argv.index('--capture') + 1])
        return
    print('%d differences' % sum(check_project(session, base, spec, check) for base, spec in zip(bases, projects)))


if __name__ == '__main__':
    main()
