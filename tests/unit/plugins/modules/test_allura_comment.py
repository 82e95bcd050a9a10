# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import itertools

import pytest
import requests

from ansible_collections.allura.forge.plugins.module_utils._client import AlluraClient
from ansible_collections.allura.forge.plugins.module_utils._module import execute
from ansible_collections.allura.forge.plugins.modules import allura_comment
from ansible_collections.allura.forge.tests.unit.plugins.fake_session import FakeSession, reply
from ansible_collections.allura.forge.tests.unit.plugins.modules.info_helpers import ERROR_404, PROJECT

HOST = 'https://forge.example.org'
THREADS = {'bugs': 'tk1', 'wiki': 'wk1', 'blog': 'bl1'}  # the one ticket, page and post, and their threads
ERROR_403 = '<html><title>A 403 Error has Occurred</title><div id="content_base"><p>Post access required</p></div></html>'


class FakeDiscussions:
    """Ticket #1 of bugs, wiki page Home and blog post News of p/test, with their threads as REFERENCE 9.1 describes
    them: posts (replies nested by slug), `new` and `reply` answering 302 to the new post, a held post (`held`: the
    poster lacks unmoderated_post) left out of the thread and answering 404; `lost` drops the answer to the next post
    after it was made."""

    def __init__(self, held=False, author='test-admin'):
        self.posts = {thread: [] for thread in THREADS.values()}
        self.held, self.author, self.lost, self.refuse = held, author, 0, None
        self.slugs = ('%04x' % n for n in itertools.count(0xa000))
        session = self.session = FakeSession()
        session.add('GET', '/rest/p/test/', json=PROJECT)
        session.add('GET', r'/rest/p/test/bugs/\d+/', status=404, text=ERROR_404)  # later routes win
        session.add('GET', '/rest/p/test/bugs/1/', json={'ticket': {'ticket_num': 1, 'discussion_thread': {'_id': 'tk1'}}})
        session.add('GET', '/rest/p/test/wiki/.+', status=404, text=ERROR_404)
        session.add('GET', '/rest/p/test/wiki/Home', json={'title': 'Home', 'discussion_thread': {'_id': 'wk1'}})
        session.add('GET', '/rest/p/test/blog/', json={'posts': [{'title': 'News', 'url': HOST + '/rest/p/test/blog/2026/12/news/'}],
                                                       'count': 1, 'limit': 500, 'page': 0})
        session.add('GET', '/rest/p/test/blog/2026/12/news/', json={'title': 'News', 'discussion_thread': {'_id': 'bl1'}})
        for mount_point, thread in THREADS.items():
            base = '/rest/p/test/%s/_discuss/thread/%s/' % (mount_point, thread)
            session.add('GET', base + '.+/', responses=[self.get])
            session.add('GET', base, responses=[self.thread])
            session.add('POST', base + 'new', responses=[self.new])
            session.add('POST', base + '.+/reply', responses=[self.new])

    @staticmethod
    def parts(call):
        """(mount point, thread id, the slug after it)."""
        segments = call.path.split('/')
        return segments[4], segments[7], '/'.join(segments[8:]).strip('/')

    def thread(self, call):
        _mount, thread, _rest = self.parts(call)
        return reply(json={'thread': {'_id': thread, 'posts': [dict(p) for p in self.posts[thread] if p['status'] == 'ok'],
                                      'limit': 25, 'page': 0}})

    def get(self, call):
        _mount, thread, slug = self.parts(call)
        post = next((p for p in self.posts[thread] if p['slug'] == slug), None)
        if post is None:
            return reply(302, headers={'Location': HOST + call.path.rsplit('/', 2)[0] + '/'})
        if post['status'] != 'ok':
            return reply(404, text=ERROR_404)
        return reply(json={'post': dict(post, thread_id=thread)})

    def new(self, call):
        if self.refuse:
            return reply(self.refuse, text=ERROR_403)
        mount_point, thread, rest = self.parts(call)
        parent = rest[:-len('/reply')] if rest.endswith('/reply') else None
        slug = next(self.slugs) if parent is None else '%s/%s' % (parent, next(self.slugs))
        self.posts[thread].append(dict(slug=slug, text=call.form['text'], author=self.author, timestamp='2026-12-03 08:19:32',
                                       status='pending' if self.held else 'ok', is_meta=False))
        if self.lost:
            self.lost -= 1
            raise requests.exceptions.ConnectionError('Connection reset by peer')
        return reply(302, text='302 Found', headers={'Location': '%s/rest/p/test/%s/_discuss/thread/%s/%s/' % (HOST, mount_point, thread, slug)})

    def run(self, check_mode=False, retries=0, **kw):
        params = dict(server_url=HOST, token='secret-token', neighborhood='p', retries=retries, timeout=5, project='test', parallel=4)
        params.update({name: None for name in allura_comment.Comment.options}, comments=None)
        params.update(kw)
        self.session.calls.clear()
        client = AlluraClient(HOST, token='secret-token', session=self.session, sleep=lambda s: None, retries=retries, backoff=0)
        return execute(allura_comment.run, params, check_mode=check_mode, diff_mode=True, client=client)

    def writes(self):
        return [(c.path, c.form) for c in self.session.writes()]


def test_check_mode_predicts_the_comment_which_is_then_posted_once():
    site = FakeDiscussions()
    check = site.run(check_mode=True, ticket_num=1, mount_point='bugs', text='Build 12 passed')
    assert check['action'] == 'create' and site.writes() == []
    assert check['comment'] == dict(slug=None, url=None, author=None, timestamp=None, text='Build 12 passed', status=None)
    done = site.run(ticket_num=1, mount_point='bugs', text='Build 12 passed')
    assert site.writes() == [('/rest/p/test/bugs/_discuss/thread/tk1/new', {'text': 'Build 12 passed'})]
    assert done['comment'] == dict(slug='a000', url=HOST + '/rest/p/test/bugs/_discuss/thread/tk1/a000/', author='test-admin',
                                   timestamp='2026-12-03 08:19:32', text='Build 12 passed', status='ok')
    assert done['diff'] == check['diff'] and done['diff'][1]['after'] == 'Build 12 passed'
    assert done['diff'][0]['before_header'] == "p/test bugs ticket #1: comment 'Build 12 passed'"
    again = site.run(ticket_num=1, mount_point='bugs', text='Build 12 passed')
    assert again['action'] == 'none' and again['comment'] == done['comment'] and site.writes() == []


def test_pages_and_posts_with_their_default_mount_points_and_many_in_one_task_reading_each_thread_once():
    site = FakeDiscussions()
    out = site.run(comments=[{'page': 'Home', 'text': 'On the wiki'}, {'post': 'News', 'text': 'On the blog'},
                             {'page': 'Home', 'text': 'Again on the wiki'}, {'ticket_num': 1, 'mount_point': 'bugs', 'text': 'x'}])
    assert out['summary'] == dict(created=4, updated=0, unchanged=0)
    assert [p for p, _form in site.writes()] == ['/rest/p/test/wiki/_discuss/thread/wk1/new', '/rest/p/test/blog/_discuss/thread/bl1/new',
                                                 '/rest/p/test/wiki/_discuss/thread/wk1/new', '/rest/p/test/bugs/_discuss/thread/tk1/new']
    reads = [c.path for c in site.session.calls if c.method == 'GET' and c.path.endswith(('/wk1/', '/bl1/', '/tk1/'))]
    assert sorted(reads) == sorted(['/rest/p/test/wiki/_discuss/thread/wk1/', '/rest/p/test/blog/_discuss/thread/bl1/',
                                    '/rest/p/test/bugs/_discuss/thread/tk1/'])  # before the writes; no re-read after them
    assert site.run(comments=[{'page': 'Home', 'text': 'On the wiki'}, {'post': 'News', 'text': 'On the blog'}])['changed'] is False
    assert site.run(comments=[])['summary'] == dict(created=0, updated=0, unchanged=0)


def test_a_reply_is_a_direct_reply_and_the_same_text_elsewhere_does_not_count():
    site = FakeDiscussions()
    first = site.run(ticket_num=1, mount_point='bugs', text='Question?')['comment']
    reply_out = site.run(ticket_num=1, mount_point='bugs', text='Answer.', reply_to=first['slug'])
    assert site.writes() == [('/rest/p/test/bugs/_discuss/thread/tk1/a000/reply', {'text': 'Answer.'})]
    assert reply_out['comment']['slug'] == 'a000/a001'
    assert site.run(ticket_num=1, mount_point='bugs', text='Answer.', reply_to='a000/')['changed'] is False
    # the reply does not count as a top-level comment, nor the top-level one as a reply
    assert site.run(ticket_num=1, mount_point='bugs', text='Answer.', check_mode=True)['action'] == 'create'
    assert site.run(ticket_num=1, mount_point='bugs', text='Question?', reply_to='a000/a001', check_mode=True)['action'] == 'create'


def test_an_author_counts_only_their_comment_and_a_post_by_someone_else_fails():
    site = FakeDiscussions()
    site.run(ticket_num=1, mount_point='bugs', text='LGTM')
    assert site.run(ticket_num=1, mount_point='bugs', text='LGTM', author='test-admin')['changed'] is False
    out = site.run(ticket_num=1, mount_point='bugs', text='LGTM', author='ci-bot')
    assert out['failed'] and out['changed'] is True and out['comment']['author'] == 'test-admin'
    assert "the comment was posted, but by 'test-admin' (the user of this token), not by author 'ci-bot'" in out['msg']


def test_a_held_comment_is_reported_pending_with_what_to_do():
    site = FakeDiscussions(held=True)
    out = site.run(page='Home', text='Needs approval')
    assert out['action'] == 'create' and out['comment']['status'] == 'pending' and out['comment']['slug'] == 'a000'
    assert [c.path for c in site.session.calls][-1] == '/rest/p/test/wiki/_discuss/thread/wk1/a000/'  # its URL does not answer
    warning = out['warnings'][0]
    assert 'held for moderation' in warning and 'a later run cannot find it and would post it again' in warning
    assert 'unmoderated_post permission on the wiki tool' in warning


def test_a_lost_answer_is_found_in_the_thread_read_again_and_never_posted_twice():
    site = FakeDiscussions()
    site.run(page='Home', text='Same text')  # an older comment with the text, by someone: not the new one
    site.lost = 1
    out = site.run(page='Home', text='Same text', reply_to='a000', retries=3)
    assert out['action'] == 'create' and out['comment']['slug'] == 'a000/a001' and len(site.writes()) == 1
    assert any('a re-read shows the change was made; not sending it again' in w for w in out['warnings'])


def test_a_lost_answer_the_thread_does_not_show_is_sent_again():
    site = FakeDiscussions()
    site.session.add('POST', '/rest/p/test/wiki/_discuss/thread/wk1/new', responses=[reply(502, text='Bad Gateway'), site.new])
    out = site.run(page='Home', text='After a 502', retries=2)
    assert out['action'] == 'create' and len(site.writes()) == 2 and len(site.posts['wk1']) == 1


@pytest.mark.parametrize('params, words', [
    (dict(text='x'), 'give exactly one of ticket_num, page and post (what to comment on)'),
    (dict(ticket_num=1, page='Home', text='x'), 'give exactly one of ticket_num, page and post (what to comment on); given: ticket_num, page'),
    (dict(ticket_num=0, text='x'), 'ticket_num 0 is invalid: ticket numbers start at 1'),
    (dict(page='Home', text=''), "text '' is empty: give a value"),
    (dict(page='Home', text=' \n'), "text ' \\n' is empty: give a value"),
    (dict(page='  ', text='x'), "page '  ' is empty"),
    (dict(post='News', text='x', author=''), "author '' is empty"),
    (dict(comments=[{'page': 'Home', 'text': 'x'}, {'page': 'Home', 'text': 'x'}]), "comments[1].text 'x' is also given by comments[0]"),
    (dict(comments=[{'text': 'x'}]), 'comments[0]: give exactly one of ticket_num, page and post'),
])
def test_bad_input_fails_before_any_request(params, words):
    site = FakeDiscussions()
    out = site.run(**params)
    assert out['failed'] and words in out['msg'] and site.session.calls == [], out['msg']


@pytest.mark.parametrize('params, words', [
    (dict(ticket_num=7, mount_point='bugs', text='x'), "ticket_num 7: ticket #7 of tracker 'bugs' not found in project p/test"),
    (dict(page='Nope', text='x'), "page 'Nope': page 'Nope' of wiki 'wiki' not found in project p/test"),
    (dict(post='Nope', text='x'), "post 'Nope': p/test blog has no post titled 'Nope'"),
    (dict(ticket_num=1, text='x'), "project p/test has no tool at mount_point 'tickets' (its tickets tools: bugs)"),
    (dict(ticket_num=1, mount_point='code', text='x'), "mount_point 'code' of project p/test is a git tool, but allura_comment with "
                                                       'ticket_num needs a tickets tool'),
    (dict(post='News', mount_point='discussion', text='x'), "mount_point 'discussion' of project p/test is a discussion tool, but "
                                                            'allura_comment with post needs a blog tool'),
    (dict(ticket_num=1, mount_point='bugs', text='x', reply_to='ffff'), "reply_to 'ffff' is not a comment of the discussion of "
                                                                        'p/test bugs ticket #1 (its comments: none)'),
])
def test_what_does_not_exist_fails_naming_the_option_before_any_write(params, words):
    site = FakeDiscussions()
    out = site.run(**params)
    assert out['failed'] and words in out['msg'] and site.writes() == [], out['msg']


def test_a_refused_post_names_the_permission():
    site = FakeDiscussions()
    site.refuse = 403
    out = site.run(ticket_num=1, mount_point='bugs', text='x')
    assert out['failed'] and out['status'] == 403
    assert ("cannot post to the discussion of p/test bugs ticket #1: the user of this token lacks the 'post' permission on the "
            "tickets tool at mount_point 'bugs'") in out['msg']
