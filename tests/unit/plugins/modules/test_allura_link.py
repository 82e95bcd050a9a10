# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest

from ansible_collections.allura.forge.plugins.module_utils._client import AlluraClient
from ansible_collections.allura.forge.plugins.module_utils._link_url import InvalidURL, normalise_link_url
from ansible_collections.allura.forge.plugins.module_utils._module import execute
from ansible_collections.allura.forge.plugins.modules import allura_link
from ansible_collections.allura.forge.tests.unit.plugins.fake_session import FakeSession, reply

BASE = 'https://forge.example.org'
ERROR_403 = '<html><title>A 403 Error has Occurred</title><div id="content_base"><p>Configure access required</p></div></html>'
ERROR_404 = '<html><title>A 404 Error has Occurred</title><div id="content_base"><p>We are sorry</p></div></html>'
BAD_URL_400 = ('<html><head><title>400 Bad Request</title></head><body><h1>400 Bad Request</h1>The server could not comply '
               'with the request since it is either malformed or otherwise incorrect.<br /><br />\nThat is not a valid URL\n'
               '</body></html>')
PROJECT = {'shortname': 'test', 'tools': [{'name': 'wiki', 'mount_point': 'wiki'}, {'name': 'link', 'mount_point': 'link'},
                                          {'name': 'link', 'mount_point': 'homepage'}]}


def params(**kw):
    base = dict(server_url=BASE, token='secret-token', neighborhood='p', retries=0, timeout=5, project='test',
                mount_point='link', url='https://allura.apache.org/')
    base.update(kw)
    return base


def client(session):
    return AlluraClient(BASE, token='secret-token', session=session, sleep=lambda s: None, retries=0)


def run(session, check=False, diff=True, **kw):
    return execute(allura_link.run, params(**kw), check_mode=check, diff_mode=diff, client=client(session))


def link(url=None, stored=None):
    """A link tool holding `url`; a POST stores `stored` (default: what was sent) and echoes it."""
    session = FakeSession()
    session.add('GET', '/rest/p/test/link/', json={'url': url})
    session.add('POST', '/rest/p/test/link/', responses=[lambda call: reply(json={'url': stored or call.form['url']})])
    return session


@pytest.mark.parametrize('value, stored', [
    ('allura.apache.org', 'http://allura.apache.org'),
    ('  https://allura.apache.org/  ', 'https://allura.apache.org/'),
    ('HTTPS://Example.org/Path?q=1#frag', 'https://Example.org/Path?q=1#frag'),
    ('http://example.org?', 'http://example.org'),
    ('bücher.de/x', 'http://xn--bcher-kva.de/x'),
    ('http://user:pw@example.org:8080/a', 'http://user:pw@example.org:8080/a'),
])
def test_normalised_like_the_server(value, stored):
    assert normalise_link_url(value) == stored


@pytest.mark.parametrize('value, message', [
    ('not a url', 'That is not a valid URL'),
    ('javascript:alert(1)', 'That is not a valid URL'),
    ('ftp://example.org/', 'That is not a valid URL'),
    ('localhost', 'You must provide a full domain name (like localhost.com)'),
    ('http://127.0.0.1/', 'You must provide a full domain name'),
    ('http://example.org/a b', 'That is not a valid URL'),
    ('user:pw@example.org/', 'That is not a valid URL'),  # "user:" reads as a scheme, so no http:// is added
    ('', 'Please enter a value'),
])
def test_refused_like_the_server(value, message):
    with pytest.raises(InvalidURL, match=message.replace('(', r'\(').replace(')', r'\)')):
        normalise_link_url(value)


def test_unchanged_is_one_read():
    session = link('https://allura.apache.org/')
    out = run(session)
    assert out == {'changed': False, 'action': 'none', 'url': 'https://allura.apache.org/', 'diff': [], 'check_mode': False}
    assert len(session.calls) == 1


def test_scheme_less_input_matches_stored_value():
    session = link('http://allura.apache.org')
    out = run(session, url='allura.apache.org')
    assert out['changed'] is False
    assert session.writes() == []


def test_set_url():
    session = link(None)
    out = run(session, url=' allura.apache.org/ ')
    assert out['changed'] is True and out['action'] == 'update'
    assert out['url'] == 'http://allura.apache.org/'
    [write] = session.writes()
    assert write.form == {'url': 'http://allura.apache.org/'}
    assert out['diff'][0]['before'] == {'url': None}
    assert out['diff'][0]['after'] == {'url': 'http://allura.apache.org/'}


def test_check_mode_predicts_and_writes_nothing():
    session = link('https://old.example.org/')
    out = run(session, check=True)
    assert session.writes() == []
    assert out['changed'] is True and out['url'] == 'https://allura.apache.org/'
    assert out['diff'][0]['before'] == {'url': 'https://old.example.org/'}


def test_server_storing_something_else_fails():
    session = link('https://old.example.org/', stored='https://other.example.org/')
    out = run(session)
    assert out['failed'] is True and 'stored url=' in out['msg']


@pytest.mark.parametrize('value', ['not a url', '', '   ', None])
def test_invalid_url_sends_nothing(value):
    session = FakeSession()
    out = run(session, url=value)
    assert out['failed'] is True and ('url %r is invalid' % value) in out['msg']
    assert session.calls == []


def test_other_mount_point():
    session = FakeSession().add('GET', '/rest/p/test/homepage/', json={'url': 'http://example.org'})
    assert run(session, mount_point='homepage', url='example.org')['changed'] is False


def test_not_a_link_tool():
    session = FakeSession().add('GET', '/rest/p/test/wiki/', json={'pages': ['Home']})
    session.add('GET', '/rest/p/test/', json=PROJECT)
    out = run(session, mount_point='wiki')
    assert out['failed'] is True
    assert "mount_point 'wiki' of project p/test is a wiki tool, but allura_link needs a link tool" in out['msg']
    assert session.writes() == []


def test_missing_tool():
    session = FakeSession().add('GET', '/rest/p/test/nolink/', status=404, text=ERROR_404)
    session.add('GET', '/rest/p/test/', json=PROJECT)
    out = run(session, mount_point='nolink')
    assert out['failed'] is True
    assert "project p/test has no tool at mount_point 'nolink'" in out['msg']


def test_missing_project():
    session = FakeSession().add('GET', '/rest/p/nope/link/', status=404, text=ERROR_404)
    session.add('GET', '/rest/p/nope/', status=404, text=ERROR_404)
    out = run(session, project='nope')
    assert out['failed'] is True and "project 'nope' does not exist" in out['msg']


def test_non_admin_gets_clear_message():
    session = FakeSession().add('GET', '/rest/p/test/link/', json={'url': None})
    session.add('POST', '/rest/p/test/link/', status=403, text=ERROR_403)
    out = run(session)
    assert out['failed'] is True
    assert out['msg'] == ("cannot set the URL of the link tool 'link' of project p/test: the user of this token lacks the "
                          "'configure' permission on the tool (Configure access required); use the token of a project admin")
    assert 'secret-token' not in repr(out)


def test_server_refusal_carries_reason():
    session = FakeSession().add('GET', '/rest/p/test/link/', json={'url': None})
    session.add('POST', '/rest/p/test/link/', status=400, text=BAD_URL_400, content_type='text/html; charset=UTF-8')
    out = run(session, url='https://example.org/')
    assert out['failed'] is True
    assert "url 'https://example.org/' was refused by the server: That is not a valid URL" in out['msg']
