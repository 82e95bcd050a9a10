# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import json

from ansible_collections.allura.forge.plugins.modules import allura_webhook_info
from ansible_collections.allura.forge.tests.unit.plugins.fake_session import FakeSession
from ansible_collections.allura.forge.tests.unit.plugins.modules.info_helpers import PROJECT, run

HOOK = {'_id': '6b0a6aab09bf77c467db0160', 'url': 'https://forge.example.org/rest/p/test/admin/code/webhooks/repo-push/6b0a6aab09bf77c467db0160',
        'type': 'repo-push', 'hook_url': 'https://ci.example.org/hook', 'mod_date': '2026-11-28 05:46:19.875000',
        'secret': 'never-shown-5eCr3t'}  # the server never sends it: if one ever came, it must not be passed on


def hooks(session):
    session.add('GET', '/rest/p/test/', json=PROJECT)
    session.add('GET', '/rest/p/test/admin/code/webhooks', json={'webhooks': [HOOK], 'limits': {'repo-push': {'max': 3, 'used': 1}}})
    session.add('GET', '/rest/p/test/admin/hgrepo/webhooks', json={'webhooks': [], 'limits': {'repo-push': {'max': 3, 'used': 0}}})
    return session


def test_every_repository_tool_of_the_project_and_never_a_secret():
    session = hooks(FakeSession())
    out = run(allura_webhook_info, session)
    assert out['webhooks'] == [{'id': HOOK['_id'], 'mount_point': 'code', 'type': 'repo-push', 'hook_url': HOOK['hook_url'],
                                'url': HOOK['url'], 'mod_date': HOOK['mod_date']}]
    assert out['limits'] == {'code': {'repo-push': {'max': 3, 'used': 1}}, 'hgrepo': {'repo-push': {'max': 3, 'used': 0}}}
    assert 'never-shown-5eCr3t' not in json.dumps(out)
    assert sorted(c.path for c in session.calls) == ['/rest/p/test/', '/rest/p/test/admin/code/webhooks', '/rest/p/test/admin/hgrepo/webhooks']


def test_one_repository_tool():
    out = run(allura_webhook_info, hooks(FakeSession()), mount_point='hgrepo')
    assert out['webhooks'] == [] and list(out['limits']) == ['hgrepo']


def test_a_tool_that_has_no_webhooks_and_one_that_is_not_there():
    session = hooks(FakeSession()).add('GET', '/rest/p/test/admin/wiki/webhooks', status=404, text='')
    out = run(allura_webhook_info, session, mount_point='wiki')
    assert out['failed'] and "mount_point 'wiki' of project p/test is a wiki tool, but allura_webhook_info needs a git or svn or hg tool" in out['msg']
    session = hooks(FakeSession()).add('GET', '/rest/p/test/admin/nope/webhooks', status=404, text='')
    out = run(allura_webhook_info, session, mount_point='nope')
    assert out['failed'] and out['missing'] == 'tool' and "no tool at mount_point 'nope' (its git/svn/hg tools: code, hgrepo)" in out['msg']


def test_a_listing_without_its_list_of_webhooks_fails_instead_of_looking_empty():
    session = FakeSession()
    session.add('GET', '/rest/p/test/', json=PROJECT)
    session.add('GET', '/rest/p/test/admin/code/webhooks', json={'limits': {}})
    session.add('GET', '/rest/p/test/admin/hgrepo/webhooks', json={'webhooks': [], 'limits': {}})
    out = run(allura_webhook_info, session)
    assert out['failed'] is True and out['msg'] == 'the webhook list of p/test code has no list of webhooks'
    assert 'webhooks' not in out
