# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

from ansible_collections.allura.forge.plugins.modules import allura_wiki_page_info
from ansible_collections.allura.forge.tests.unit.plugins.fake_session import FakeSession
from ansible_collections.allura.forge.tests.unit.plugins.modules.info_helpers import ERROR_404, PROJECT, paged, run

PAGE = {'title': 'Getting started', 'text': '# Hi\n', 'labels': ['a', ' b'], 'discussion_thread': {'_id': 'f00dfeed00', 'posts': []}}


def wiki(session):
    session.add('GET', '/rest/p/test/', json=PROJECT)
    session.add('GET', '/rest/p/test/wiki/', json={'pages': ['Home', 'Getting started']})
    session.add('GET', '/rest/p/test/wiki/Getting started', json=PAGE)
    session.add('GET', '/rest/p/test/wiki/Nope', status=404, text=ERROR_404)
    session.add('GET', '/rest/p/test/wiki/_discuss/thread/f00dfeed00/',
                responses=[paged([{'slug': '%04x' % n, 'text': 'c%d' % n} for n in range(30)], 'thread', 'posts', counted=False)])
    return session


def test_titles_of_the_wiki():
    out = run(allura_wiki_page_info, wiki(FakeSession()))
    assert out == {'changed': False, 'titles': ['Home', 'Getting started'], 'check_mode': False}


def test_one_page_as_the_server_has_it_and_its_comments():
    session = wiki(FakeSession())
    out = run(allura_wiki_page_info, session, title='Getting started', comments=True)
    assert out['page']['text'] == '# Hi\n' and out['page']['labels'] == ['a', ' b']
    assert [c['text'] for c in out['page']['comments']] == ['c%d' % n for n in range(30)]
    assert any(c.path == '/rest/p/test/wiki/Getting%20started' for c in session.calls)  # a space is %20
    assert session.writes() == []


def test_a_missing_page_a_blank_title_and_another_tool():
    out = run(allura_wiki_page_info, wiki(FakeSession()), title='Nope')
    assert out['failed'] and out['missing'] == 'item' and "page 'Nope' of wiki 'wiki' not found in project p/test" in out['msg']
    session = FakeSession()
    out = run(allura_wiki_page_info, session, title=' ')
    assert out['failed'] and "title ' ' is empty" in out['msg'] and session.calls == []
    out = run(allura_wiki_page_info, wiki(FakeSession()).add('GET', '/rest/p/test/blog/', json={'posts': []}), mount_point='blog')
    assert out['failed'] and 'is a blog tool, but allura_wiki_page_info needs a wiki tool' in out['msg']
