# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import re

import pytest

from ansible_collections.allura.forge.plugins.modules import allura_blog_post_info
from ansible_collections.allura.forge.tests.unit.plugins.fake_session import FakeSession, reply
from ansible_collections.allura.forge.tests.unit.plugins.modules.info_helpers import ERROR_404, PROJECT, paged, run

BASE = 'https://forge.example.org/rest/p/test/blog/2026/12/'
POSTS = [{'title': 'Post %d' % n, 'url': BASE + 'post-%d/' % n} for n in range(14, 0, -1)] + [{'title': 'Post 3', 'url': BASE + 'post-3-282/'}]


def blog(session):
    def one(call):
        slug = call.path.rstrip('/').rsplit('/', 1)[1]
        if not any(p['url'].endswith('/%s/' % slug) for p in POSTS):
            return reply(404, text=ERROR_404)
        return reply(json={'title': 'T ' + slug, 'url': BASE + slug + '/', 'state': 'published', 'text': 'x',
                           'discussion_thread': {'_id': 'b%09d' % int(re.sub(r'\D', '', slug))}})
    session.add('GET', '/rest/p/test/', json=PROJECT)
    session.add('GET', '/rest/p/test/blog/', responses=[paged(POSTS, 'posts')])
    session.add('GET', r'/rest/p/test/blog/2026/12/[^/]+/', responses=[one])
    session.add('GET', r'/rest/p/test/blog/_discuss/thread/\w+/', json={'thread': {'posts': [{'slug': 'a5f1', 'text': 'Nice post!'}]}})
    return session


def test_the_list_over_every_page_titles_only():
    session = blog(FakeSession())
    out = run(allura_blog_post_info, session, details=False)
    assert out['posts'] == POSTS
    assert all(not c.path.startswith('/rest/p/test/blog/2026') for c in session.calls)


@pytest.mark.parametrize('body', [{'count': 0}, {'posts': None, 'count': 0}])
def test_a_post_list_without_its_list_of_posts_fails_instead_of_reading_as_an_empty_blog(body):
    session = blog(FakeSession())
    session.add('GET', '/rest/p/test/blog/', json=body)
    out = run(allura_blog_post_info, session, details=False)
    assert out['failed'] is True and out['msg'] == 'the post list of p/test blog has no list of posts'


def test_the_list_in_full_with_comments_and_a_limit():
    session = blog(FakeSession())
    out = run(allura_blog_post_info, session, limit=2, comments=True)
    assert [p['url'] for p in out['posts']] == [BASE + 'post-14/', BASE + 'post-13/']
    assert all(p['state'] == 'published' and p['comments'][0]['text'] == 'Nice post!' for p in out['posts'])


def test_one_post_by_title_or_url():
    out = run(allura_blog_post_info, blog(FakeSession()), title='Post 7')
    assert out['post']['url'] == BASE + 'post-7/'
    out = run(allura_blog_post_info, blog(FakeSession()), url='https://forge.example.org/p/test/blog/2026/12/post-3-282/')
    assert out['post']['url'] == BASE + 'post-3-282/'


def test_a_title_of_two_posts_lists_both():
    out = run(allura_blog_post_info, blog(FakeSession()), title='Post 3')
    assert out['failed'] and out['matches'] == [BASE + 'post-3/', BASE + 'post-3-282/']
    assert 'give url to choose one' in out['msg']


@pytest.mark.parametrize('bad,message', [
    ({'url': 'post-3'}, "url 'post-3' is not the address of a post of p/test blog"),
    ({'title': ''}, "title '' is empty"),
    ({'limit': -2}, 'limit -2 is out of range'),
])
def test_bad_input_fails_before_any_request(bad, message):
    session = FakeSession()
    out = run(allura_blog_post_info, session, **bad)
    assert out['failed'] and message in out['msg'] and session.calls == []


def test_missing_posts_are_named():
    out = run(allura_blog_post_info, blog(FakeSession()), title='Nope')
    assert out['failed'] and out['missing'] == 'item' and "p/test blog has no post titled 'Nope'" in out['msg']
    out = run(allura_blog_post_info, blog(FakeSession()), url='2026/12/gone')
    assert out['failed'] and out['missing'] == 'item' and "post '2026/12/gone' of blog 'blog' not found" in out['msg']
