# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import threading

import pytest

from ansible_collections.allura.forge.plugins.module_utils._allura import HAS_ACCESS_TOOLS, permissions_of
from ansible_collections.allura.forge.plugins.module_utils._client import AlluraClient
from ansible_collections.allura.forge.plugins.module_utils._module import execute
from ansible_collections.allura.forge.plugins.modules import allura_access_info
from ansible_collections.allura.forge.tests.unit.plugins.fake_session import FakeSession, reply

BASE = 'https://forge.example.org'
ERROR_403 = '<html><title>A 403 Error has Occurred</title><div id="content_base"><p>Admin access required</p></div></html>'
ERROR_404 = '<html><title>A 404 Error has Occurred</title><div id="content_base"><p>We are sorry</p></div></html>'
API = 'https://forge.example.org/rest/p/test/x/'
# The project JSON: a tool of every kind Allura ships at a mount point named after it (those without a REST API have
# no api_url), the tracker at bugs, and a third-party tool with a REST API.
WITH_API = ('wiki', 'tickets', 'discussion', 'blog', 'link', 'git', 'svn', 'hg', 'activity', 'profile', 'admin')
PROJECT = {'shortname': 'test', 'tools': [
    dict(dict(name=kind, mount_point={'tickets': 'bugs', 'git': 'code'}.get(kind, kind)),
         **({'api_url': API} if kind in WITH_API else {}))
    for kind in ('admin', 'search', 'activity', 'wiki', 'tickets', 'discussion', 'blog', 'link', 'git', 'svn', 'hg',
                 'profile', 'chat', 'feedback', 'files', 'shorturl', 'userstats', 'home')]
    + [{'name': 'gallery', 'mount_point': 'photos', 'api_url': API}, {'name': 'pastebin', 'mount_point': 'paste'}]}
# What the server answers (test-admin is a project admin, test-user a member of nothing).
GRANTS = {('test-admin', 'read'): True, ('test-admin', 'create'): True, ('test-admin', 'edit'): True,
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


def with_project(session=None):
    return (session or FakeSession()).add('GET', '/rest/p/test/', json=PROJECT)


def test_tool_level_matrix():
    session = with_project().add('GET', '/rest/p/test/wiki/has_access', responses=[answer])
    out = run(session, mount_point='wiki', users=['test-admin', 'test-user', 'no-such-user'],
              permissions=['read', 'create', 'edit'])
    assert out['changed'] is False and out['tool'] == 'wiki' and 'warnings' not in out
    assert out['access'] == {
        'test-admin': {'read': True, 'create': True, 'edit': True},
        'test-user': {'read': True, 'create': False, 'edit': False},
        'no-such-user': {'read': False, 'create': False, 'edit': False},
    }
    # the project is read first (the tool's kind decides which names may be asked), then each pair once
    assert [c.path for c in session.calls[:2]] == ['/rest/p/test/', '/rest/p/test/wiki/has_access']
    assert len(session.calls) == 10
    assert {(c.params['user'], c.params['perm']) for c in session.calls[1:]} == {
        (u, p) for u in ('test-admin', 'test-user', 'no-such-user') for p in ('read', 'create', 'edit')}


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
    session = with_project().add('GET', '/rest/p/test/wiki/has_access', status=403, text=ERROR_403)
    out = run(session, mount_point='wiki', users=['a', 'b', 'c'], permissions=['read', 'create'])
    assert out['failed'] is True
    assert out['msg'] == ("cannot check permissions on the tool 'wiki' of project p/test: the user of this token lacks the 'admin' "
                          "permission on it (Admin access required); use the token of a project admin")
    assert len(session.calls) == 2


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
    session = with_project().add('GET', '/rest/p/test/wiki/has_access', status=401, text='<html>401 Unauthorized</html>')
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


@pytest.mark.parametrize('mount_point, kind', [
    ('search', 'search'), ('chat', 'chat'), ('feedback', 'feedback'), ('files', 'files'), ('shorturl', 'shorturl'),
    ('userstats', 'userstats'), ('home', 'home'), ('paste', 'pastebin'),
])
def test_tool_without_has_access_fails_before_asking(mount_point, kind):
    """Tools without a REST root (no api_url; a kind Allura ships by the table) answer has_access with 404: said at once."""
    session = with_project()
    out = run(session, mount_point=mount_point)
    assert out['failed'] is True and out['missing'] == 'item'
    assert ("the tool %r of project p/test (a %s tool) has no has_access: only tools with a REST API have it"
            % (mount_point, kind)) in out['msg']
    assert [c.path for c in session.calls] == ['/rest/p/test/']


def test_has_access_404_after_the_project_was_read():
    session = with_project().add('GET', '/rest/p/test/wiki/has_access', status=404, text=ERROR_404)
    out = run(session, mount_point='wiki')
    assert out['failed'] is True and out['missing'] == 'item' and "(a wiki tool) has no has_access" in out['msg']
    session = with_project().add('GET', '/rest/p/test/wiki/has_access', status=404, text=ERROR_404)
    session.add('GET', '/rest/p/test/', responses=[reply(json=PROJECT), reply(json=dict(PROJECT, tools=[]))])
    out = run(session, mount_point='wiki')  # uninstalled meanwhile
    assert out['failed'] is True and out['missing'] == 'tool' and "project p/test has no tool at mount_point 'wiki'" in out['msg']


def test_missing_tool_and_project():
    session = with_project()
    out = run(session, mount_point='nope')
    assert out['failed'] is True and out['missing'] == 'tool'
    assert "project p/test has no tool at mount_point 'nope'" in out['msg']
    assert len(session.calls) == 1
    session = FakeSession().add('GET', '/rest/p/gone/', status=404, text=ERROR_404)
    out = run(session, project='gone', mount_point='wiki')
    assert out['failed'] is True and out['missing'] == 'project' and "project 'gone' does not exist" in out['msg']
    assert len(session.calls) == 1
    session = FakeSession().add('GET', '/rest/p/gone/has_access', status=404, text=ERROR_404)
    session.add('GET', '/rest/p/gone/', status=404, text=ERROR_404)
    out = run(session, project='gone')
    assert out['failed'] is True and out['missing'] == 'project' and "project 'gone' does not exist" in out['msg']


# A typo of a name of each level and tool kind with has_access, the name it is closest to, and the place's names.
TYPOS = [
    (dict(project=None), "neighborhood 'p'", 'registr', 'register', 'a neighborhood has: read, update, admin, create, register'),
    (dict(), 'project p/test', 'updte', 'update', 'a project has: read, update, admin, create'),
    (dict(mount_point='wiki'), "the wiki tool 'wiki'", 'edt', 'edit', 'a wiki tool has: configure, read, create, edit, delete'),
    (dict(mount_point='bugs'), "the tickets tool 'bugs'", 'save_search', 'save_searches', 'a tickets tool has: configure, read, update'),
    (dict(mount_point='discussion'), "the discussion tool 'discussion'", 'moderat', 'moderate', 'a discussion tool has: configure'),
    (dict(mount_point='blog'), "the blog tool 'blog'", 'wirte', 'write', 'a blog tool has: configure, read, write'),
    (dict(mount_point='link'), "the link tool 'link'", 'rade', 'read', 'a link tool has: configure, read, admin'),
    (dict(mount_point='code'), "the git tool 'code'", 'writ', 'write', 'a git tool has: read, write, create'),
    (dict(mount_point='svn'), "the svn tool 'svn'", 'craete', 'create', 'a svn tool has: read, write, create'),
    (dict(mount_point='hg'), "the hg tool 'hg'", 'pots', 'post', 'a hg tool has: read, write, create'),
    (dict(mount_point='activity'), "the activity tool 'activity'", 'red', 'read', 'an activity tool has: configure, admin, read'),
    (dict(mount_point='profile'), "the profile tool 'profile'", 'admn', 'admin', 'a profile tool has: configure, admin'),
]


@pytest.mark.parametrize('kw, where, typo, closest, has', TYPOS)
def test_unknown_permission_fails_before_any_check(kw, where, typo, closest, has):
    session = with_project()
    out = run(session, permissions=[closest, typo], **kw)
    assert out['failed'] is True
    where += ' of project p/test' if 'mount_point' in kw else ''
    assert out['msg'].startswith("permissions %r (did you mean %r?) is not a permission of %s (the server does not tell "
                                 "unknown names from denied ones); %s" % (typo, closest, where, has)), out['msg']
    assert out['invalid_permissions'] == [typo] and closest in out['valid_permissions']
    # nothing asked: the project is read at tool level only, for the tool's kind
    assert [c.path for c in session.calls] == (['/rest/p/test/'] if 'mount_point' in kw else [])


def test_several_unknown_names_and_no_suggestion():
    session = with_project()
    out = run(session, mount_point='wiki', permissions=['rade', 'read', 'fly', 'edt'])
    assert out['msg'].startswith("permissions 'rade' (did you mean 'read'?) and 'fly' and 'edt' (did you mean 'edit'?) are "
                                 "not permissions of the wiki tool 'wiki' of project p/test")
    assert out['invalid_permissions'] == ['rade', 'fly', 'edt']
    assert out['valid_permissions'] == ['configure', 'read', 'create', 'edit', 'delete', 'unmoderated_post', 'post',
                                        'moderate', 'admin']


@pytest.mark.parametrize('kw, name', [
    (dict(), 'register'),  # a neighborhood's permission, not a project's
    (dict(mount_point='wiki'), 'write'),  # a blog's
    (dict(mount_point='bugs'), 'edit'),  # a wiki's
    (dict(project=None), 'configure'),  # a tool's
])
def test_names_of_another_level_or_kind(kw, name):
    out = run(with_project(), permissions=[name], **kw)
    assert out['failed'] is True and out['invalid_permissions'] == [name]


def test_third_party_tool_is_asked_with_a_warning():
    session = with_project().add('GET', '/rest/p/test/photos/has_access', responses=[answer])
    out = run(session, mount_point='photos', users=['test-user'], permissions=['read', 'upload'])
    assert 'failed' not in out and out['tool'] == 'gallery'
    assert out['access'] == {'test-user': {'read': True, 'upload': False}}
    assert out['warnings'] == [
        "the tool 'photos' of project p/test is a gallery tool, a kind allura.forge does not know (a third-party tool): "
        "its permission names are not checked, and the server answers false for a name the tool does not have (true "
        "for admins), so a misspelt name cannot be told from a denied permission"]


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


def test_documentation_lists_the_names_of_each_level_and_kind():
    import yaml  # pylint: disable=import-outside-toplevel
    text = ' '.join(' '.join(yaml.safe_load(allura_access_info.DOCUMENTATION)['options']['permissions']['description']).split())
    for level in sorted(HAS_ACCESS_TOOLS) + ['neighborhood', 'project']:
        names = permissions_of(level)
        listed = ', '.join('V(%s)' % name for name in names[:-1]) + (' and ' if level in ('neighborhood', 'project') else ', ')
        assert listed + 'V(%s)' % names[-1] in text, level
