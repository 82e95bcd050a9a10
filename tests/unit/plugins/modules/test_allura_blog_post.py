# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

from urllib.parse import unquote

import pytest
import requests

from ansible_collections.allura.forge.plugins.module_utils._client import AlluraClient
from ansible_collections.allura.forge.plugins.module_utils._module import execute
from ansible_collections.allura.forge.plugins.modules import allura_blog_post
from ansible_collections.allura.forge.tests.unit.plugins.fake_session import FakeSession, reply
from ansible_collections.allura.forge.tests.unit.plugins.modules.info_helpers import ERROR_404, PROJECT

BLOG = '/rest/p/test/blog/'
BASE = 'https://forge.example.org' + BLOG
ERROR_403 = '<html><title>A 403 Error has Occurred</title><div id="content_base"><p>Write access required</p></div></html>'


class FakeBlog:
    """The blog of p/test as REFERENCE section 10 describes it: a paged list (newest first, drafts only for writers),
    create 201 + Location (a clashing slug gets a suffix, an unknown state is a 500 that creates nothing), partial
    updates, delete=; `writer` False reads like a non-member; `before_create` runs before each create is carried out
    (it may answer instead: a fault), `after_create` after it (it may replace the answer: a lost one)."""

    def __init__(self, *posts, writer=True):
        self.posts = []  # oldest first
        for title, state in posts:
            self.add(dict(title=title, text='text of %s' % title, labels=[''], state=state))
        self.writer = writer
        self.before_create = self.after_create = None
        self.session = FakeSession()
        self.session.add('GET', '/rest/p/test/', json=PROJECT)
        self.session.add('GET', BLOG, responses=[self.listing])
        self.session.add('GET', BLOG + r'\d{4}/\d\d/[^/]+/', responses=[self.get])
        self.session.add('POST', BLOG, responses=[self.create])
        self.session.add('POST', BLOG + r'\d{4}/\d\d/[^/]+/', responses=[self.update])

    def add(self, post):
        base = '2026/12/' + ''.join(c for c in post['title'].lower().replace(' ', '-') if c.isalnum() or c == '-')
        slug = base
        while any(p['slug'] == slug for p in self.posts):
            slug = '%s-%03d' % (base, 100 + len(self.posts))
        self.posts.append(dict(post, slug=slug))
        return self.posts[-1]

    def find(self, call):
        slug = unquote(call.path)[len(BLOG):].strip('/')
        return next((p for p in self.posts if p['slug'] == slug), None)

    def visible(self):
        return [p for p in reversed(self.posts) if self.writer or p['state'] == 'published']

    def listing(self, call):
        limit, page = int(call.params['limit']), int(call.params['page'])
        posts = self.visible()
        return reply(json={'posts': [{'title': p['title'], 'url': BASE + p['slug'] + '/'} for p in posts[page * limit:(page + 1) * limit]],
                           'count': len(posts), 'limit': limit, 'page': page})

    def json(self, post):
        return dict(title=post['title'], text=post['text'], labels=list(post['labels']), state=post['state'],
                    url=BASE + post['slug'] + '/', author='test-admin', mod_date='2026-12-03 08:19:30', discussion_thread={'_id': 't1'})

    def get(self, call):
        post = self.find(call)
        if post is None:
            return reply(404, text=ERROR_404)
        if post['state'] == 'draft' and not self.writer:
            return reply(403, text=ERROR_403)
        return reply(json=self.json(post))

    def create(self, call):
        if not self.writer:
            return reply(403, text=ERROR_403)
        answer = self.before_create and self.before_create(call)
        if answer is not None:
            return answer
        form = call.form
        if form.get('state', 'draft') not in ('draft', 'published'):
            return reply(500, text='<title>A 500 Error has Occurred</title>')
        post = self.add(dict(title=form.get('title', ''), text=form.get('text', ''), labels=form.get('labels', '').split(','),
                             state=form.get('state', 'draft')))
        answer = reply(201, text='201 Created', headers={'Location': BASE + post['slug'] + '/'})
        return self.after_create(call) if self.after_create else answer

    def update(self, call):
        post = self.find(call)
        if post is None:
            return reply(404, text=ERROR_404)
        form = call.form
        if 'delete' in form:
            self.posts.remove(post)
            return reply(json={})
        for key in ('title', 'text', 'state'):
            if key in form:
                post[key] = form[key]
        if 'labels' in form:
            post['labels'] = form['labels'].split(',')
        return reply(json=self.json(post))

    def run(self, check_mode=False, retries=0, **kw):
        params = dict(server_url='https://forge.example.org', token='secret-token', neighborhood='p', retries=retries, timeout=5,
                      project='test', mount_point='blog', parallel=4)
        params.update({name: None for name in allura_blog_post.Post.options}, posts=None)
        params.update(kw)
        self.session.calls.clear()
        client = AlluraClient('https://forge.example.org', token='secret-token', session=self.session, sleep=lambda s: None,
                              retries=retries, backoff=0)
        return execute(allura_blog_post.run, params, check_mode=check_mode, diff_mode=True, client=client)

    def writes(self):
        return [(c.path, c.form) for c in self.session.writes()]


def test_check_mode_predicts_the_create_which_then_changes_nothing():
    blog = FakeBlog()
    check = blog.run(check_mode=True, title='Release 2.0', text='It is out.\n', labels=['release', ' news'], state='published')
    assert check['action'] == 'create' and blog.writes() == []
    done = blog.run(title='Release 2.0', text='It is out.\n', labels=['release', ' news'], state='published')
    assert blog.writes() == [(BLOG, {'title': 'Release 2.0', 'text': 'It is out.\n', 'labels': 'release,news', 'state': 'published'})]
    assert done['post'] == dict(url=BASE + '2026/12/release-20/', title='Release 2.0', text='It is out.\n', labels=['release', 'news'],
                                state='published')
    assert check['post'] == dict(done['post'], url=None) and check['diff'] == done['diff']
    again = blog.run(title='Release 2.0', text='It is out.\n', labels=['news', 'release'], state='published')
    assert again['changed'] is False and again['post'] == done['post'] and blog.writes() == []


def test_a_new_post_without_options_is_an_empty_draft_as_the_server_makes_it():
    blog = FakeBlog()
    check = blog.run(check_mode=True, title='Bare')
    done = blog.run(title='Bare')
    assert blog.writes() == [(BLOG, {'title': 'Bare'})]
    assert done['post'] == dict(check['post'], url=BASE + '2026/12/bare/') == dict(url=BASE + '2026/12/bare/', title='Bare', text='',
                                                                                   labels=[], state='draft')
    assert blog.run(title='Bare', labels=[], state='draft', text='')['changed'] is False


def test_found_by_title_over_every_page_drafts_included_and_only_what_differs_is_sent():
    blog = FakeBlog(*[('Post %d' % n, 'published') for n in range(600)], ('Draft news', 'draft'))
    blog.posts.insert(0, blog.posts.pop())  # the draft is the oldest: on the last page
    out = blog.run(title='Draft news', state='published', text='text of Draft news')
    assert out['action'] == 'update' and blog.writes() == [(BLOG + '2026/12/draft-news/', {'state': 'published'})]
    assert [c.params['page'] for c in blog.session.calls if c.path == BLOG] == [0, 1]
    assert out['diff'][0]['before'] == {'state': 'draft'} and out['diff'][0]['after'] == {'state': 'published'}


@pytest.mark.parametrize('url', [BASE + '2026/12/old-title/', 'https://forge.example.org/p/test/blog/2026/12/old-title', '2026/12/old-title'])
def test_a_rename_addresses_the_post_by_its_url_and_keeps_it(url):
    blog = FakeBlog(('Old title', 'published'))
    out = blog.run(url=url, title='New title')
    assert out['action'] == 'update' and blog.writes() == [(BLOG + '2026/12/old-title/', {'title': 'New title'})]
    assert out['post']['url'] == BASE + '2026/12/old-title/' and out['post']['title'] == 'New title'
    assert blog.run(url=url, title='New title')['changed'] is False
    assert not any(c.path == BLOG for c in blog.session.calls)  # a post given by url needs no list


def test_a_url_that_is_no_post_fails_before_any_write_unless_it_should_be_absent():
    blog = FakeBlog(('One', 'published'))
    out = blog.run(url='2026/12/gone', title='x')
    assert out['failed'] and out['missing'] == 'item' and blog.writes() == []
    assert "url '2026/12/gone': no such post in p/test blog (a post keeps the URL it was created with; to create a post, give its " \
           'title without url)' in out['msg']
    assert blog.run(url='2026/12/gone', state='absent')['action'] == 'none'


def test_two_posts_with_the_title_fail_listing_their_urls():
    blog = FakeBlog(('Release notes', 'published'), ('Release notes', 'draft'))
    out = blog.run(title='Release notes', text='x')
    assert out['failed'] and blog.writes() == []
    assert ("title 'Release notes' matches 2 posts in p/test blog: %s2026/12/release-notes/, %s2026/12/release-notes-101/; give url to "
            'choose one' % (BASE, BASE)) in out['msg']
    assert blog.run(url='2026/12/release-notes-101', text='x')['action'] == 'update'


def test_absent_deletes_predicted_first_then_nothing_is_left_to_do():
    blog = FakeBlog(('Old news', 'published'))
    check = blog.run(check_mode=True, title='Old news', state='absent')
    assert check['action'] == 'delete' and blog.writes() == [] and len(blog.posts) == 1
    done = blog.run(title='Old news', state='absent')
    assert blog.writes() == [(BLOG + '2026/12/old-news/', {'delete': '1'})] and blog.posts == []
    assert done['diff'] == check['diff'] and done['diff'][0]['before'] == {'title': 'Old news', 'url': BASE + '2026/12/old-news/'}
    assert blog.run(title='Old news', state='absent')['action'] == 'none'


@pytest.mark.parametrize('params, words', [
    (dict(title=''), "title '' is invalid: it must not be empty nor start or end with whitespace"),
    (dict(title='   '), "title '   ' is invalid"),
    (dict(title=' Padded'), "title ' Padded' is invalid"),
    (dict(title='A', state='archived'), "state 'archived' is invalid: give draft, published or absent"),
    (dict(title='A', labels=['a,b']), "labels[0] 'a,b' contains a comma"),
    (dict(url='https://forge.example.org/p/test/news/2026/12/a/'), "url 'https://forge.example.org/p/test/news/2026/12/a/' is not the "
                                                                   'address of a post of p/test blog'),
    (dict(url='2026/12/'), "url '2026/12/' is not the address of a post of p/test blog"),
    (dict(text='x'), 'title or url is required'),
    (dict(posts=[{'title': 'A'}, {'title': 'A', 'state': 'absent'}]), "posts[1].title 'A' is also given by posts[0]"),
    (dict(posts=[{'url': '2026/12/a'}, {'url': BASE + '2026/12/a/', 'title': 'B'}]), "posts[1].url '2026/12/a' is also given by posts[0]"),
    (dict(posts=[{'title': 'A', 'state': 'gone'}]), "posts[0].state 'gone' is invalid"),
    (dict(posts=[]), 'posts must list at least one post'),
])
def test_bad_input_fails_before_any_request(params, words):
    blog = FakeBlog(('A', 'published'))
    out = blog.run(**params)
    assert out['failed'] and words in out['msg'] and blog.session.calls == [], out['msg']


def test_a_lost_create_answer_is_found_by_title_and_never_sent_again():
    blog = FakeBlog()

    def lost(call):
        raise requests.exceptions.ConnectionError('Connection reset by peer')
    blog.after_create = lost
    out = blog.run(title='Once', text='x', retries=3)
    assert out['action'] == 'create' and out['post']['url'] == BASE + '2026/12/once/' and len(blog.posts) == 1
    assert len(blog.writes()) == 1 and any('a re-read shows the change was made' in w for w in out['warnings'])


def test_a_gateway_error_before_the_create_is_rechecked_then_sent_again_once():
    blog = FakeBlog()
    faults = [reply(502, text='Bad Gateway')]
    blog.before_create = lambda call: faults.pop() if faults else None
    out = blog.run(title='Twice tried', text='x', retries=3)
    assert out['action'] == 'create' and len(blog.posts) == 1 and len(blog.writes()) == 2
    assert [c.path for c in blog.session.calls if c.method == 'GET'].count(BLOG) == 2  # found, then rechecked


def test_a_create_that_gets_no_answer_in_time_is_only_read_again():
    blog = FakeBlog()

    def slow(call):
        raise requests.exceptions.ReadTimeout('read timed out')
    blog.before_create = slow
    out = blog.run(title='Slow', text='x', retries=2)
    assert out['failed'] and out['connection_error'] == 'timeout' and len(blog.writes()) == 1
    assert 'it was not sent again' in out['msg']


def test_a_500_after_the_post_was_made_is_a_create_with_a_warning():
    """A real Allura creates a post whose title is not Latin-1, then cannot send its Location: HTTP 500."""
    blog = FakeBlog()
    blog.after_create = lambda call: reply(500, text='A server error occurred.', content_type='text/plain')
    out = blog.run(title='\u65e5\u672c news', text='x', state='published')
    assert out['action'] == 'create' and len(blog.writes()) == 1 and out['post']['url'] == BASE + '2026/12/\u65e5\u672c-news/'
    assert any('the server answered HTTP 500, but a re-read shows the post was created' in w for w in out['warnings'])
    assert blog.run(title='\u65e5\u672c news', text='x', state='published')['changed'] is False


def test_a_500_that_created_nothing_fails():
    blog = FakeBlog()
    blog.before_create = lambda call: reply(500, text='<title>A 500 Error has Occurred</title>')
    out = blog.run(title='Broken', text='x')
    assert out['failed'] and out['status'] == 500 and blog.posts == [] and len(blog.writes()) == 1


def test_a_user_without_write_permission_is_told_which_permission():
    blog = FakeBlog(('Draft', 'draft'), writer=False)
    out = blog.run(title='New', text='x')
    assert out['failed'] and out['status'] == 403
    assert "lacks the 'write' permission on the blog tool at mount_point 'blog'" in out['msg']
    out = blog.run(url='2026/12/draft', text='x')
    assert out['failed'] and 'a draft: only users with write permission on the blog can read it' in out['msg'] and blog.writes() == []


def test_many_posts_in_order_with_a_summary_and_a_failure_that_keeps_what_was_done():
    blog = FakeBlog(('Keep', 'published'), ('Drop', 'published'))
    out = blog.run(posts=[{'title': 'New', 'text': 'n', 'state': 'published'}, {'title': 'Keep'}, {'title': 'Drop', 'state': 'absent'}])
    assert out['summary'] == dict(created=1, updated=0, unchanged=1, deleted=1)
    assert [p['action'] for p in out['posts']] == ['create', 'none', 'delete']
    assert sorted(p['title'] for p in blog.posts) == ['Keep', 'New']
    blog.before_create = lambda call: reply(403, text=ERROR_403) if call.form['title'] == 'Refused' else None
    out = blog.run(posts=[{'title': 'Keep', 'text': 'changed'}, {'title': 'Refused', 'text': 'x'}, {'title': 'Later', 'text': 'x'}])
    assert out['failed'] and out['msg'].startswith('posts[1]: ') and out['summary'] == dict(created=0, updated=1, unchanged=0, deleted=0)
    assert 'later ones were not touched' in out['msg'] and not any(p['title'] == 'Later' for p in blog.posts)


# -- purge: the posts of the blog that no item lists -----------------------------------------------------

def test_purge_deletes_the_posts_no_item_lists_drafts_too_predicted_first():
    blog = FakeBlog(('Keep', 'published'), ('Stray', 'published'), ('By url', 'published'), ('Old draft', 'draft'))
    posts = [{'title': 'Keep'}, {'url': '2026/12/by-url'}, {'title': 'New', 'text': 'n'}]
    check = blog.run(check_mode=True, posts=posts, purge=True)
    assert blog.writes() == [] and check['changed'] is True
    assert [(p['action'], p.get('title')) for p in check['posts']] == [
        ('none', 'Keep'), ('none', 'By url'), ('create', 'New'), ('delete', 'Old draft'), ('delete', 'Stray')]
    assert check['posts'][3]['url'] == BASE + '2026/12/old-draft/'
    assert check['diff'][-1]['before'] == {'title': 'Stray', 'url': BASE + '2026/12/stray/'}

    real = blog.run(posts=posts, purge=True)
    assert [path for path, form in blog.writes() if form == {'delete': '1'}] == [BLOG + '2026/12/old-draft/', BLOG + '2026/12/stray/']
    assert real['posts'] == [dict(p, url=BASE + '2026/12/new/') if p['action'] == 'create' else p for p in check['posts']]
    assert real['diff'] == check['diff'] and real['summary'] == dict(created=1, updated=0, unchanged=2, deleted=2)
    assert sorted(p['title'] for p in blog.posts) == ['By url', 'Keep', 'New']

    again = blog.run(posts=posts, purge=True)
    assert again['changed'] is False and blog.writes() == []


def test_purge_with_every_item_given_by_url_still_reads_the_list():
    blog = FakeBlog(('Keep', 'published'), ('Stray', 'published'))
    out = blog.run(posts=[{'url': BASE + '2026/12/keep/'}], purge=True)
    assert [(p['action'], p['title']) for p in out['posts']] == [('none', 'Keep'), ('delete', 'Stray')]
    assert [p['title'] for p in blog.posts] == ['Keep']


def test_purge_keeps_a_listed_absent_item_once():
    blog = FakeBlog(('Keep', 'published'), ('Stray', 'published'))
    out = blog.run(posts=[{'title': 'Keep'}, {'title': 'Stray', 'state': 'absent'}], purge=True)
    assert [p['action'] for p in out['posts']] == ['none', 'delete'] and len(blog.writes()) == 1


def test_purge_max_fails_naming_them_before_any_write():
    blog = FakeBlog(('Keep', 'published'), ('One', 'published'), ('Two', 'draft'), ('Three', 'published'))
    out = blog.run(posts=[{'title': 'Keep'}, {'title': 'New', 'text': 'n'}], purge=True, purge_max=2)
    assert out['failed'] is True and blog.writes() == []
    assert out['msg'] == ("purge would delete 3 posts, more than purge_max 2: p/test blog post 'Three', p/test blog post 'Two', "
                          "p/test blog post 'One'; nothing was changed (list the ones to keep in posts, or raise purge_max)")
    assert out['purge'][0] == {'title': 'Three', 'url': BASE + '2026/12/three/'}
    assert blog.run(posts=[{'title': 'Keep'}], purge=True, purge_max=3)['summary']['deleted'] == 3


@pytest.mark.parametrize('broken', ['no list', 'short'])
def test_purge_never_reads_a_partial_post_list_as_the_whole_blog(broken):
    blog = FakeBlog(('Keep', 'published'), ('Stray', 'published'))
    listing = blog.listing

    def partial(call):
        answer = listing(call).json()
        if broken == 'no list':
            answer.pop('posts')
        else:
            answer['count'] += 1  # a post the list does not show
        return reply(json=answer)
    blog.session.add('GET', BLOG, responses=[partial])
    out = blog.run(posts=[{'url': '2026/12/keep/', 'text': 'changed'}], purge=True)
    assert out['failed'] is True and blog.writes() == []
    assert out['msg'] == 'the post list of p/test blog does not show every post: nothing is purged'


def test_purge_after_a_failed_post_list_deletes_nothing():
    blog = FakeBlog(('Keep', 'published'), ('Stray', 'published'))
    blog.session.add('GET', BLOG, status=502, text='bad gateway')
    out = blog.run(posts=[{'title': 'Keep', 'text': 'changed'}], purge=True)
    assert out['failed'] is True and blog.writes() == []


@pytest.mark.parametrize('kw, fragment', [
    (dict(purge=True, title='x'), 'purge needs posts: it deletes the posts of the blog that none of them lists'),
    (dict(purge=True, purge_max=-1, posts=[{'title': 'x'}]), 'purge_max -1 is out of range: give 0 or more'),
])
def test_purge_bad_input_fails_before_any_request(kw, fragment):
    blog = FakeBlog()
    out = blog.run(**kw)
    assert out['failed'] is True and fragment in out['msg'] and blog.session.calls == []
