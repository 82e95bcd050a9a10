# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The benchmark's baseline: the plain sequential script a user would write with requests.

Reads each resource of a spec (as bench/run.py makes them), writes what differs; with --check it
only reads and counts the differences; with --capture FILE it reads the whole project (tools, every
wiki page, every ticket, the webhooks) and writes it to FILE as YAML, one read after the other. No
retries, no diffs, no validation: the floor of the cost.

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


def main():
    spec = json.load(open(sys.argv[1]))['allura_projects'][0]
    check = '--check' in sys.argv
    base = os.environ['ALLURA_URL'].rstrip('/') + '/rest/p/' + spec['name']
    session = requests.Session()
    session.headers.update(Authorization='Bearer ' + os.environ['ALLURA_TOKEN'], Accept='application/json')
    if '--capture' in sys.argv:
        capture(session, base, sys.argv[sys.argv.index('--capture') + 1])
        return
    drift = 0

    mounted = {t['mount_point'] for t in session.get(base + '/').json()['tools']}
    for tool in spec['tools']:
        if tool['mount_point'] not in mounted:
            drift += 1
            if not check:
                session.post(base + '/admin/install_tool', data=tool).raise_for_status()

    for page in spec['wiki']:
        url = '%s/%s/%s' % (base, page['mount_point'], requests.utils.quote(page['title'], safe=''))
        live = session.get(url)
        if live.status_code == 200 and live.json()['text'] == page['text'] and \
                sorted(live.json()['labels']) == sorted(page['labels']):
            continue
        drift += 1
        if not check:
            session.post(url, data={'text': page['text'], 'labels': ','.join(page['labels'])}).raise_for_status()

    tracker = base + '/bugs/'
    listing = session.get(tracker, params={'limit': 500, 'page': 0}).json()
    known = {t['summary']: t['ticket_num'] for t in listing['tickets']}
    for page in range(1, -(-listing['count'] // 500)):
        known.update((t['summary'], t['ticket_num']) for t in session.get(tracker, params={'limit': 500, 'page': page}).json()['tickets'])
    for ticket in spec['tickets']:
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
    for hook in spec['webhooks']:
        listing = base + '/admin/%s/webhooks' % hook['mount_point']
        if hook['mount_point'] not in hooks:
            hooks[hook['mount_point']] = {h['hook_url'] for h in session.get(listing).json()['webhooks']}
        if hook['url'] not in hooks[hook['mount_point']]:
            drift += 1
            if not check:
                session.post(listing + '/repo-push', data={'url': hook['url']}).raise_for_status()
    print('%d differences' % drift)


if __name__ == '__main__':
    main()
