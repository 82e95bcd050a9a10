#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a server holds for some projects, read over its REST API.

    allura_state.py --save FILE URL TOKEN NBHD/PROJECT...    note it in FILE
    allura_state.py --since FILE URL TOKEN NBHD/PROJECT...   print the keys that differ now (JSON list)
    allura_state.py --print URL TOKEN NBHD/PROJECT...        print it (JSON object)

Keys name the resources (`project p/test`, `wiki p/test/wiki/Home`, `ticket p/test/bugs/1`,
`webhook p/test/code/<id>`, `link p/test/link`); values are what the server returns for them,
modification dates included (a wiki POST or a ticket save changes its mod_date even when it
writes the same values). Two snapshots differ exactly where something was written: the
integration targets use them on servers without the sandbox's request log.
"""

import argparse
import json
import urllib.error
import urllib.parse
import urllib.request


def read(url, token, projects):
    def get(path, **query):
        full = url + '/rest/' + path + ('?' + urllib.parse.urlencode(query) if query else '')
        request = urllib.request.Request(full, headers={'Authorization': 'Bearer ' + token})
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return json.load(response)
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                return None
            raise

    state = {}
    for name in projects:
        project = get(name + '/')
        if project is None:
            continue
        project['developers'] = sorted(project['developers'], key=lambda d: d['username'])  # from a set: any order
        state['project ' + name] = project
        for tool in project['tools']:
            where = '%s/%s' % (name, tool['mount_point'])
            quoted = '%s/%s/' % (name, urllib.parse.quote(tool['mount_point']))
            if tool['name'] == 'wiki':
                for title in get(quoted)['pages']:
                    state['wiki %s/%s' % (where, title)] = get(quoted + urllib.parse.quote(title, safe=''))
            elif tool['name'] == 'tickets':
                page = 0
                while True:
                    listing = get(quoted, limit=500, page=page)
                    for item in listing['tickets']:
                        state['ticket %s/%d' % (where, item['ticket_num'])] = get(quoted + '%d/' % item['ticket_num'])
                    page += 1
                    if page * 500 >= listing['count']:
                        break
            elif tool['name'] in ('git', 'hg', 'svn'):
                for hook in get('%s/admin/%s/webhooks' % (name, urllib.parse.quote(tool['mount_point'])))['webhooks']:
                    state['webhook %s/%s' % (where, hook['_id'])] = hook
            elif tool['name'] == 'link':
                state['link ' + where] = get(quoted)
            elif tool['name'] == 'blog':
                state['blog ' + where] = get(quoted)
    return state


def main():
    parser = argparse.ArgumentParser()
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument('--save')
    mode.add_argument('--since')
    mode.add_argument('--print', action='store_true')
    parser.add_argument('url')
    parser.add_argument('token')
    parser.add_argument('projects', nargs='+')
    args = parser.parse_args()
    state = read(args.url.rstrip('/'), args.token, args.projects)
    if args.print:
        print(json.dumps(state))
        return
    if args.save:
        with open(args.save, 'w', encoding='utf-8') as handle:
            json.dump(state, handle)
        return
    with open(args.since, encoding='utf-8') as handle:
        before = json.load(handle)
    print(json.dumps(sorted(k for k in set(state) | set(before) if state.get(k) != before.get(k))))


if __name__ == '__main__':
    main()
