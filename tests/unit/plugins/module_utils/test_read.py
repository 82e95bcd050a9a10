# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The read helpers: lists read to the end (with or without a count, nested, capped), limits, artifact reads and
discussion threads."""

from __future__ import annotations

import pytest

from ansible_collections.allura.forge.plugins.module_utils._client import AlluraClient, AlluraError, ParameterError
from ansible_collections.allura.forge.plugins.module_utils._project import Project
from ansible_collections.allura.forge.plugins.module_utils._read import (
    Thread, blog_post_path, check_limit, check_not_blank, one_blog_post, read_blog_post, read_ticket, read_wiki_page,
    with_comments)
from ansible_collections.allura.forge.tests.unit.plugins.fake_session import FakeSession, reply

ERROR_404 = '<html><title>A 404 Error has Occurred</title><div id="content_base"><p>We are sorry</p></div></html>'
THREAD = '/rest/p/test/bugs/_discuss/thread/a4d2b4fbb9/'


def client(session):
    return AlluraClient('https://forge.example.org', token='t', session=session, sleep=lambda s: None, retries=0)


def project(session):
    return Project(client(session), 'p', 'test')


def paged(items, key, counted=True, wrap=None):
    """A listing answering like Allura's: `limit`/`page` (0-based); `count` unless not counted; nested under `wrap`."""
    def answer(call):
        limit, page = int(call.params['limit']), int(call.params['page'])
        body = {key: items[page * limit:(page + 1) * limit], 'limit': limit, 'page': page}
        if wrap:
            body = {wrap: body}
        if counted:
            body['count'] = len(items)
        return reply(json=body)
    return answer


def post(n):
    return {'slug': '%04x' % n, 'text': 'post %d' % n, 'author': 'test-admin'}


# -- read_list ----------------------------------------------------------------------------------

@pytest.mark.parametrize('total,limit,requests', [(0, 3, 1), (3, 3, 2), (5, 3, 2), (6, 3, 3), (7, 3, 3)])
def test_a_list_without_count_is_read_until_a_page_is_not_full(total, limit, requests):
    session = FakeSession().add('GET', THREAD, responses=[paged([post(n) for n in range(total)], 'posts', False, 'thread')])
    first, items = client(session).read_list(THREAD, ('thread', 'posts'), limit=limit)
    assert [p['text'] for p in items] == ['post %d' % n for n in range(total)]
    assert len(session.calls) == requests
    assert first['thread']['page'] == 0


def test_max_items_stops_early_and_asks_for_no_more_than_needed():
    session = FakeSession().add('GET', '/rest/p/test/bugs/', responses=[paged([{'ticket_num': n} for n in range(900, 0, -1)], 'tickets')])
    _first, items = client(session).read_list('/rest/p/test/bugs/', 'tickets', max_items=3)
    assert [t['ticket_num'] for t in items] == [900, 899, 898]
    assert len(session.calls) == 1 and session.calls[0].params['limit'] == 3
    _first, items = client(session).read_list('/rest/p/test/bugs/', 'tickets', max_items=501)
    assert len(items) == 501 and [c.params['limit'] for c in session.calls[1:]] == [500, 500]


def test_a_first_page_already_read_is_not_read_again():
    session = FakeSession().add('GET', '/rest/p/test/bugs/', responses=[paged([{'ticket_num': n} for n in range(3)], 'tickets')])
    first = {'tickets': [{'ticket_num': 0}, {'ticket_num': 1}], 'count': 3}
    _first, items = client(session).read_list('/rest/p/test/bugs/', 'tickets', limit=2, first_page=first)
    assert [t['ticket_num'] for t in items] == [0, 1, 2] and len(session.calls) == 1


# -- options --------------------------------------------------------------------------------------

@pytest.mark.parametrize('limit', [0, -1])
def test_limits_below_one_are_refused(limit):
    with pytest.raises(ParameterError, match=r'limit %d is out of range: give 1 or more' % limit):
        check_limit({'limit': limit})
    assert check_limit({'limit': None}) is None and check_limit({'limit': 7}) == 7


def test_blank_values_are_refused_by_name():
    with pytest.raises(ParameterError, match=r"summary '  ' is empty"):
        check_not_blank({'summary': '  ', 'query': None}, 'query', 'summary')


# -- artifacts ------------------------------------------------------------------------------------

@pytest.mark.parametrize('url', [
    'https://forge.example.org/rest/p/test/blog/2026/12/release-notes/',
    'https://forge.example.org/p/test/blog/2026/12/release-notes',
    '2026/12/release-notes', '/2026/12/release-notes/',
])
def test_a_blog_post_is_addressed_by_its_url_or_its_slug(url):
    assert blog_post_path(project(FakeSession()), 'blog', url) == '/rest/p/test/blog/2026/12/release-notes/'


def test_a_blog_post_url_keeps_its_characters():
    path = blog_post_path(project(FakeSession()), 'blog', 'https://x/rest/p/test/blog/2026/12/caf%C3%A9--cr%C3%A8me/')
    assert path == '/rest/p/test/blog/2026/12/caf%C3%A9--cr%C3%A8me/'


@pytest.mark.parametrize('url', ['release-notes', '2026/release-notes', 'https://x/p/test/news/2026/12/a/', 'a/b/c',
                                 'https://x/p/other/blog/2026/12/a/', 'https://x/rest/p/other/blog/2026/12/a/'])
def test_other_addresses_are_refused_before_any_request(url):
    session = FakeSession()
    with pytest.raises(ParameterError, match=r"url %r is not the address of a post of p/test blog" % url):
        blog_post_path(project(session), 'blog', url)
    assert session.calls == []


def test_a_draft_read_without_write_permission_says_so():
    session = FakeSession().add('GET', '/rest/p/test/blog/2026/12/draft/', status=403, text=ERROR_404)
    with pytest.raises(AlluraError, match=r"cannot read blog post '2026/12/draft' of p/test blog \(a draft: only users with write "
                                          r"permission on the blog can read it\): the user of this token lacks the 'write' permission"):
        read_blog_post(project(session), 'blog', '2026/12/draft')


def test_one_blog_post_by_title_over_every_page():
    listing = [{'title': 'Post %d' % n, 'url': 'https://x/rest/p/test/blog/2026/12/post-%d/' % n} for n in range(700)]
    session = FakeSession().add('GET', '/rest/p/test/blog/', responses=[paged(listing, 'posts')])
    session.add('GET', '/rest/p/test/blog/2026/12/post-650/', json={'title': 'Post 650', 'state': 'draft'})
    assert one_blog_post(project(session), 'blog', 'Post 650') == {'title': 'Post 650', 'state': 'draft'}


def test_two_posts_with_the_title_are_an_error_listing_their_urls():
    listing = [{'title': 'Same', 'url': 'https://x/rest/p/test/blog/2026/12/same-282/'},
               {'title': 'Same', 'url': 'https://x/rest/p/test/blog/2026/12/same/'}]
    session = FakeSession().add('GET', '/rest/p/test/blog/', responses=[paged(listing, 'posts')])
    with pytest.raises(AlluraError) as err:
        one_blog_post(project(session), 'blog', 'Same')
    assert "2 posts of p/test blog are titled 'Same': https://x/rest/p/test/blog/2026/12/same-282/, " in err.value.message
    assert err.value.details['matches'] == [p['url'] for p in listing]


def test_no_post_with_the_title_is_missing_item():
    session = FakeSession().add('GET', '/rest/p/test/blog/', responses=[paged([], 'posts')])
    with pytest.raises(AlluraError, match=r"p/test blog has no post titled 'Gone' \(drafts are listed only") as err:
        one_blog_post(project(session), 'blog', 'Gone')
    assert err.value.details['missing'] == 'item'


def test_a_missing_ticket_names_the_tracker():
    session = FakeSession().add('GET', '/rest/p/test/bugs/9/', status=404, text=ERROR_404)
    session.add('GET', '/rest/p/test/', json={'tools': [{'name': 'tickets', 'mount_point': 'bugs'}]})
    with pytest.raises(AlluraError, match=r"ticket #9 of tracker 'bugs' not found in project p/test") as err:
        read_ticket(project(session), 'bugs', 9)
    assert err.value.details['missing'] == 'item'


def test_a_reserved_wiki_title_is_refused():
    session = FakeSession().add('GET', '/rest/p/test/wiki/index', json={'pages': ['Home']})
    with pytest.raises(ParameterError, match=r"title 'index' is reserved"):
        read_wiki_page(project(session), 'wiki', 'index')


# -- threads --------------------------------------------------------------------------------------

def test_the_thread_is_the_artifacts_and_a_reply_slug_is_two_segments():
    thread = Thread(project(FakeSession()), 'bugs', {'discussion_thread': {'_id': 'a4d2b4fbb9'}})
    assert thread.post_path('9495/23cc') == THREAD + '9495/23cc/'
    with pytest.raises(AlluraError, match='shows no discussion thread'):
        Thread(project(FakeSession()), 'bugs', {'ticket_num': 1})


@pytest.mark.parametrize('answer,state', [
    (reply(json={'post': {'slug': '9495', 'status': 'ok'}}), 'visible'),
    (reply(404, text=ERROR_404), 'hidden'),
    (reply(302, headers={'Location': 'https://x' + THREAD}), 'absent'),
])
def test_a_post_is_visible_held_or_absent(answer, state):
    session = FakeSession().add('GET', THREAD + '9495/', responses=[answer])
    found, post_json = Thread(project(session), 'bugs', {'discussion_thread': {'_id': 'a4d2b4fbb9'}}).read_post('9495')
    assert found == state and (post_json is not None) is (state == 'visible')


def test_comments_of_each_artifact_over_every_page():
    session = FakeSession()
    for thread, total in (('aaaaaaaaaa', 2), ('bbbbbbbbbb', 501)):
        session.add('GET', '/rest/p/test/bugs/_discuss/thread/%s/' % thread,
                    responses=[paged([post(n) for n in range(total)], 'posts', False, 'thread')])
    tickets = [{'ticket_num': 1, 'discussion_thread': {'_id': 'aaaaaaaaaa'}}, {'ticket_num': 2, 'discussion_thread': {'_id': 'bbbbbbbbbb'}}]
    out = with_comments(project(session), 'bugs', tickets)
    assert [len(t['comments']) for t in out] == [2, 501] and out[1]['ticket_num'] == 2
    assert 'comments' not in tickets[0]
