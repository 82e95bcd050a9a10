# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import threading

import pytest

from ansible_collections.allura.forge.plugins.module_utils._client import AlluraClient
from ansible_collections.allura.forge.plugins.module_utils._module import execute
from ansible_collections.allura.forge.plugins.modules import allura_access_info
from ansible_collections.allura.forge.tests.unit.plugins.fake_session import FakeSession, reply

BASE = 'https://forge.example.org'
ERROR_403 = '<html><title>A 403 Error has Occurred</title><div id="content_base"><p>Admin access required</p></div></html>'
ERROR_404 = '<html><title>A 404 Error has Occurred</title><div id="content_base"><p>We are sorry</p></div></html>'
PROJECT = {'shortname': 'test', 'tools': [{'name': 'wiki', 'mount_point': 'wiki', 'api_url': 'x'},
                                          {'name': 'search', 'mount_point': 'search'}]}
# What the server answers (test-admin is a project admin, test-user a member of nothing).
GRANTS = {('test-admin', 'read'): True, ('test-admin', 'create'): True, ('test-admin', 'jump'): True,
          ('test-user', 'read'): True}


def params(**kw):
    base = dict(server_url=BASE, token='secret-token', neighborhood='p', retries=0, timeout=5, project='test',
                mount_point=None, users=['test-admin'], permissions=['read'], parallel=4)
    base.update(kw)
    return base


def client(session, token='secret-token'):
    return AlluraClient(BASE, token=token, session=session, sleep=lambda s: None, retries=0)


def answer(call):
    return reply(json={'result': GRANTS.get((call.params['user'], call.params['perm']), False)})


def run(session, token='secret-token', **kw):
    return execute(allura_access_info.run, params(**kw), client=client(session, token))


def test_tool_level_matrix():
    session = FakeSession().add('GET', '/rest/p/test/wiki/has_access', responses=[answer])
    out = run(session, mount_point='wiki', users=['test-admin', 'test-user', 'no-such-user'],
              permissions=['read', 'create', 'jump'])
    assert out['changed'] is False
    assert out['access'] == {
        'test-admin': {'read': True, 'create': True, 'jump': True},
        'test-user': {'read': True, 'create': False, 'jump': False},
        'no-such-user': {'read': False, 'create': False, 'jump': False},
    }
    assert len(session.calls) == 9
    assert {(c.params['user'], c.params['perm']) for c in session.calls} == {
        (u, p) for u in ('test-admin', 'test-user', 'no-such-user') for p in ('read', 'create', 'jump')}
    assert session.calls[0].path == '/rest/p/test/wiki/has_access'


def test_project_and_neighborhood_paths():
    session = FakeSession().add('GET', '/rest/p/test/has_access', responses=[answer])
    assert run(session)['access'] == {'test-admin': {'read': True}}
    session = FakeSession().add('GET', '/rest/p/has_access', responses=[answer])
    assert run(session, project=None, users=['test-user'])['access'] == {'test-user': {'read': True}}


def test_duplicates_checked_once():
    session = FakeSession().add('GET', '/rest/p/test/has_access', responses=[answer])
    out = run(session, users=['test-user', 'test-user'], permissions=['read', 'read'])
    assert out['access'] == {'test-user': {'read': True}}
    assert len(session.calls) == 1


def test_runs_concurrently_but_bounded():
    lock, state = threading.Lock(), dict(now=0, peak=0)
    gate = threading.Event()

    def slow(call):
        with lock:
            state['now'] += 1
            state['peak'] = max(state['peak'], state['now'])
            if state['peak'] >= 2:
                gate.set()
        gate.wait(0.5)
        with lock:
            state['now'] -= 1
        return answer(call)

    session = FakeSession().add('GET', '/rest/p/test/has_access', responses=[slow])
    out = run(session, users=['u%d' % i for i in range(9)], permissions=['read'], parallel=2)
    assert len(out['access']) == 9
    assert state['peak'] == 2
    assert list(out['access']) == ['u%d' % i for i in range(9)]


def test_non_admin_fails_on_the_first_request():
    session = FakeSession().add('GET', '/rest/p/test/wiki/has_access', status=403, text=ERROR_403)
    out = run(session, mount_point='wiki', users=['a', 'b', 'c'], permissions=['read', 'create'])
    assert out['failed'] is True
    assert out['msg'] == ("cannot check permissions on the tool 'wiki' of project p/test: the user of this token lacks the 'admin' "
                          "permission on it (Admin access required); use the token of a project admin")
    assert len(session.calls) == 1


@pytest.mark.parametrize('kw, needs', [
    (dict(), "cannot check permissions on the project p/test: the user of this token lacks the 'admin' permission on it "
             "(Admin access required); use the token of a project admin"),
    (dict(project=None), "cannot check permissions on the neighborhood 'p': the user of this token lacks the 'admin' permission on "
                         "it (Admin access required); use the token of an admin of neighborhood 'p' (project admins are not enough)"),
])
def test_403_messages_per_level(kw, needs):
    session = FakeSession().add('GET', '/rest/p/(test/)?has_access', status=403, text=ERROR_403)
    out = run(session, **kw)
    assert out['failed'] is True and needs in out['msg']


def test_anonymous_gets_clear_401():
    session = FakeSession().add('GET', '/rest/p/test/wiki/has_access', status=401, text='<html>401 Unauthorized</html>')
    out = run(session, token=None, mount_point='wiki')
    assert out['failed'] is True and out['status'] == 401
    assert out['msg'] == ("cannot check permissions on the tool 'wiki' of project p/test: authentication required - the request "
                          "was sent without credentials (no token, no oauth_* options, no ALLURA_TOKEN), and anonymous users lack "
                          "the 'admin' permission on it (401 Unauthorized); give token (or set ALLURA_TOKEN, or give the four oauth_* "
                          "options) of a project admin")


def test_bad_token_401_says_so():
    session = FakeSession().add('GET', '/rest/p/test/has_access', status=401, text='<html>401 Unauthorized</html>')
    out = run(session)
    assert out['failed'] is True and 'authentication failed' in out['msg']


def test_tool_without_has_access():
    session = FakeSession().add('GET', '/rest/p/test/search/has_access', status=404, text=ERROR_404)
    session.add('GET', '/rest/p/test/', json=PROJECT)
    out = run(session, mount_point='search')
    assert out['failed'] is True
    assert "the tool 'search' of project p/test (a search tool) has no has_access" in out['msg']


def test_missing_tool_and_project():
    session = FakeSession().add('GET', '/rest/p/test/nope/has_access', status=404, text=ERROR_404)
    session.add('GET', '/rest/p/test/', json=PROJECT)
    out = run(session, mount_point='nope')
    assert "project p/test has no tool at mount_point 'nope'" in out['msg']
    session = FakeSession().add('GET', '/rest/p/gone/has_access', status=404, text=ERROR_404)
    session.add('GET', '/rest/p/gone/', status=404, text=ERROR_404)
    out = run(session, project='gone')
    assert "project 'gone' does not exist" in out['msg']


@pytest.mark.parametrize('kw, message', [
    (dict(mount_point='admin'), "mount_point 'admin' is invalid: the project's admin tool has no has_access"),
    (dict(project=None, mount_point='wiki'), "mount_point 'wiki' needs project"),
    (dict(mount_point=''), 'mount_point must not be empty'),
    (dict(users=[]), 'users must list at least one name'),
    (dict(users=['']), "users contains '', which is not a valid name (use *anonymous"),
    (dict(users=[' bob']), "users contains ' bob'"),
    (dict(permissions=[]), 'permissions must list at least one name'),
    (dict(parallel=0), 'parallel 0 is out of range: give 1 to 16'),
])
def test_bad_input_sends_nothing(kw, message):
    session = FakeSession()
    out = run(session, **kw)
    assert out['failed'] is True and message in out['msg']
    assert session.calls == []


def test_unexpected_answer():
    session = FakeSession().add('GET', '/rest/p/test/has_access', json={'result': 'yes'})
    out = run(session)
    assert out['failed'] is True and 'unexpected answer' in out['msg']
