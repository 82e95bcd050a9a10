# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the info module tests share: running a module's logic on a FakeSession, and paged answers."""

from __future__ import annotations

from ansible_collections.allura.forge.plugins.module_utils._client import AlluraClient
from ansible_collections.allura.forge.plugins.module_utils._module import execute
from ansible_collections.allura.forge.tests.unit.plugins.fake_session import reply

ERROR_404 = '<html><title>A 404 Error has Occurred</title><div id="content_base"><p>We are sorry</p></div></html>'
TOOLS = [{'name': 'wiki', 'mount_point': 'wiki'}, {'name': 'tickets', 'mount_point': 'bugs'}, {'name': 'blog', 'mount_point': 'blog'},
         {'name': 'discussion', 'mount_point': 'discussion'}, {'name': 'git', 'mount_point': 'code'},
         {'name': 'hg', 'mount_point': 'hgrepo'}, {'name': 'link', 'mount_point': 'link'}]
PROJECT = {'shortname': 'test', 'tools': TOOLS}


def run(module, session, **kw):
    """module.run() with its defaults and kw, on the FakeSession; the result dict."""
    params = {name: spec.get('default') for name, spec in module.ARGUMENT_SPEC.items()}
    params.update(server_url='https://forge.example.org', token='secret-token', neighborhood='p', retries=0, timeout=5,
                  project='test')
    params.update(kw)
    client = AlluraClient('https://forge.example.org', token='secret-token', session=session, sleep=lambda s: None, retries=0)
    return execute(module.run, params, client=client)


def paged(items, *keys, counted=True, extra=None):
    """A listing answering like Allura's (limit/page, 0-based), its list under keys ('forum', 'topics')."""
    def answer(call):
        limit, page = int(call.params['limit']), int(call.params['page'])
        body = {keys[-1]: items[page * limit:(page + 1) * limit]}
        if len(keys) > 1:
            body = {keys[0]: dict(extra or {}, **body)}
        body.update(limit=limit, page=page)
        if counted:
            body['count'] = len(items)
        return reply(json=body)
    return answer
