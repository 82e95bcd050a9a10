# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Resource driver, through a resource declared here as a new module would declare it: blog-like posts found by
their title (or addressed by number), deleted with state=absent, in a tool of kind `blog`, on a scripted server."""

from __future__ import annotations

import re

import pytest

from ansible_collections.allura.forge.plugins.module_utils._client import AlluraClient, ParameterError
from ansible_collections.allura.forge.plugins.module_utils._module import LOCK_SPEC, execute
from ansible_collections.allura.forge.plugins.module_utils._resource import Resource
from ansible_collections.allura.forge.plugins.module_utils._state import Field
from ansible_collections.allura.forge.tests.unit.plugins.fake_session import FakeSession, reply

BLOG = '/rest/p/test/blog/'


class Post(Resource):
    one, many, key, number, required = 'post', 'posts', ('title',), 'num', 'title'
    options = dict(num=dict(type='int'), title=dict(type='str'), text=dict(type='str'),
                   state=dict(type='str', choices=['present', 'absent'], default='present'))
    kinds, purpose, create_requires, identity = ('blog',), 'a post', ('text',), ('title', 'num')
    fields = dict(title=Field(), text=Field(text=True))

    def check(self, item):
        if not item.values['title']:
            raise ParameterError('%stitle must not be empty' % item.opt)

    def index(self, key=None):
        out = {}
        for post in self.client.get_json(self.project.path('blog'))['posts']:
            out.setdefault(post['title'], []).append(post['num'])
        return out

    def read(self, item):
        return self.client.exists(self.project.path('blog', item.values['num'])) if item.values['num'] else None

    def create(self, item, desired):
        return self.client.post_json(self.project.path('blog'), desired, recheck=lambda: None)

    def update(self, item, live, sent, desired):
        return self.client.post_json(self.project.path('blog', live['num']), sent)

    def delete(self, item):
        self.client.post(self.project.path('blog', item.live['num']), dict(delete='yes'))


class Server:
    """Posts in memory behind a FakeSession; `refuse` makes writes of a title fail with 400."""

    def __init__(self, *titles, refuse=()):
        self.posts = {n: dict(num=n, title=t, text='text of %s' % t) for n, t in enumerate(titles, 1)}
        self.refuse = refuse
        self.session = FakeSession()
        self.session.add('GET', '/rest/p/test/', json={'shortname': 'test', 'tools': [{'name': 'blog', 'mount_point': 'blog'}]})
        self.session.add('GET', BLOG, responses=[lambda call: reply(json={'posts': list(self.posts.values())})])
        self.session.add('GET', BLOG + r'(\d+)/', responses=[self.get])
        self.session.add('POST', BLOG, responses=[self.write])
        self.session.add('POST', BLOG + r'(\d+)/', responses=[self.write])

    def get(self, call):
        post = self.posts.get(int(call.path.split('/')[-2]))
        return reply(json=post) if post else reply(404, text='not found')

    def write(self, call):
        form = call.form
        if form.get('title') in self.refuse:
            return reply(400, json={'error': 'refused'})
        num = re.search(r'/(\d+)/$', call.path)
        num = int(num.group(1)) if num else max(self.posts, default=0) + 1
        if 'delete' in form:
            del self.posts[num]
            return reply(json={})
        self.posts[num] = dict(self.posts.get(num, {}), num=num, **form)
        return reply(json=self.posts[num])

    def run(self, check=False, runner=None, **params):
        client = AlluraClient('https://forge.example.org', token='t', session=self.session, sleep=lambda s: None, retries=0)
        params = dict(dict(neighborhood='p', project='test', num=None, title=None, text=None, state='present', posts=None), **params)
        return execute(lambda params, client, ctx: (runner or Post)(params, client, ctx).run(), params, check_mode=check,
                       diff_mode=True, client=client)


def test_single_form_creates_predicts_and_is_idempotent():
    server = Server()
    check = server.run(check=True, title='Hello', text='hi')
    assert check['action'] == 'create' and server.session.writes() == []
    done = server.run(title='Hello', text='hi')
    assert done['action'] == 'create' and done['post']['num'] == 1 and server.posts[1]['text'] == 'hi'
    assert check['diff'] == done['diff']
    again = server.run(title='Hello', text='hi')
    assert again['changed'] is False and again['action'] == 'none' and again['post']['num'] == 1


def test_found_by_title_updated_then_addressed_by_number():
    server = Server('First', 'Second')
    out = server.run(title='Second', text='new')
    assert out['action'] == 'update' and server.posts[2]['text'] == 'new' and server.posts[1]['text'] == 'text of First'
    assert [c.form for c in server.session.writes()] == [{'text': 'new'}]
    assert server.run(num=1, title='First')['action'] == 'none'


def test_bulk_form_in_order_with_a_summary_and_deletes():
    server = Server('Old', 'Keep')
    out = server.run(posts=[{'title': 'New', 'text': 'n'}, {'title': 'Keep'}, {'title': 'Old', 'state': 'absent'},
                            {'title': 'Never', 'state': 'absent'}])
    assert out['summary'] == dict(created=1, updated=0, deleted=1, unchanged=2)
    assert [p['action'] for p in out['posts']] == ['create', 'none', 'delete', 'none']
    assert sorted(p['title'] for p in server.posts.values()) == ['Keep', 'New']
    deleted = [d for d in out['diff'] if d['before_header'] == "p/test blog post #1"]
    assert deleted == [dict(before_header='p/test blog post #1', after_header='p/test blog post #1', before={'num': 1, 'title': 'Old'},
                            after={})]


def test_check_mode_predicts_a_delete_and_writes_nothing():
    server = Server('Old')
    out = server.run(check=True, title='Old', state='absent')
    assert out['action'] == 'delete' and out['changed'] is True and server.session.writes() == [] and 1 in server.posts


@pytest.mark.parametrize('params, words', [
    (dict(posts=[{'title': 'A', 'text': 'a'}, {'title': 'A', 'text': 'b'}]), "posts[1].title 'A' is also given by posts[0]: each post "
                                                                             'may be listed once'),
    (dict(posts=[{'num': 3, 'title': 'A'}, {'num': 3, 'title': 'B'}]), 'posts[1].num 3 is also given by posts[0]'),
    (dict(posts=[{'title': ''}]), 'posts[0].title must not be empty'),
    (dict(posts=[{'title': 'A'}], text='x'), 'posts is mutually exclusive with text: give them per post'),
    (dict(posts=[]), 'posts must list at least one post'),
    (dict(), 'one of title or posts is required'),
])
def test_bad_items_fail_before_any_request(params, words):
    server = Server('A')
    out = server.run(**params)
    assert out['failed'] is True and words in out['msg'] and server.session.calls == []


def test_what_the_reads_tell_fails_before_any_write():
    server = Server('Twice', 'Twice', 'Once')
    out = server.run(title='Twice', text='x')
    assert out['failed'] and "title 'Twice' matches 2 posts in p/test blog: #1, #2; give num to choose one" in out['msg']
    out = server.run(posts=[{'title': 'Once'}, {'num': 3, 'title': 'Renamed'}])
    assert out['failed'] and 'posts[0] and posts[1] both address post #3: each post may be listed once' in out['msg']
    out = server.run(num=9, title='Nine', text='x')
    assert out['failed'] and 'num 9 does not exist in p/test blog (the server numbers each post: to create one, give its title' in out['msg']
    out = server.run(posts=[{'title': 'Fresh', 'text': 'x'}, {'title': 'Textless'}])
    assert out['failed'] and "posts[1].title 'Textless': no such post in p/test blog, and no text to create it with" in out['msg']
    assert server.session.writes() == []


def test_a_missing_tool_wins_over_the_reads_and_nothing_is_written():
    server = Server('A')
    server.session.add('GET', '/rest/p/test/', json={'shortname': 'test', 'tools': [{'name': 'wiki', 'mount_point': 'blog'}]})
    out = server.run(title='A', text='x')
    assert out['failed'] and "mount_point 'blog' of project p/test is a wiki tool, but a post needs a blog tool" in out['msg']
    assert server.session.writes() == []


def test_a_bulk_failure_names_the_item_and_keeps_the_results_before_it():
    server = Server(refuse=('Bad',))
    out = server.run(posts=[{'title': 'Good', 'text': 'g'}, {'title': 'Bad', 'text': 'b'}, {'title': 'Later', 'text': 'l'}])
    assert out['failed'] is True and out['changed'] is True
    assert out['msg'].startswith('posts[1]: POST %s was refused' % BLOG)
    assert 'before it, 1 posts were converged: 1 created, 0 updated, 0 unchanged, 0 deleted; later ones were not touched' in out['msg']
    assert out['posts'][0]['action'] == 'create' and out['summary']['created'] == 1
    assert [p['title'] for p in server.posts.values()] == ['Good']
    single = server.run(title='Bad', text='b')
    assert single['failed'] is True and single['msg'].startswith('POST %s was refused' % BLOG)


def test_the_module_options_come_from_the_declaration():
    spec = Post.argument_spec(parallel=dict(type='int', default=4))
    assert spec['posts'] == dict(type='list', elements='dict', options=Post.options)
    assert spec['project'] == dict(type='str', required=True) and spec['parallel']['default'] == 4
    assert spec['state'] == dict(type='str', choices=['present', 'absent'], default='present')
    assert ('posts', 'text') in Post.mutually_exclusive() and Post.required_one_of() == [('title', 'posts')]
    assert set(LOCK_SPEC) <= set(spec)  # every module declared so takes the project's lock (plugin_utils/_lock.py)


class TwinPost(Post):
    twins = 'delete one of them, or give num to choose one'


def test_a_declared_twin_made_meanwhile_fails_after_the_create_naming_both():
    server = Server('Other')
    create = server.write

    def racing(call):  # another run posts "Hello" after this one read the blog
        if 'Hello' not in [p['title'] for p in server.posts.values()]:
            server.posts[7] = dict(num=7, title='Hello', text='theirs')
        return create(call)
    server.session.add('POST', BLOG, responses=[racing])
    out = server.run(check=False, title='Hello', text='hi', runner=TwinPost)
    assert out['failed'] is True and out['changed'] is True and out['duplicates'] == [7, 8]
    assert out['msg'] == ("the post with title 'Hello' was created in p/test blog as #8, but p/test blog now also has #7 "
                          'with this title, created meanwhile by another run (on another controller, or with the lock off): delete '
                          'one of them, or give num to choose one. Until then every run stops at this post and never creates a third')
    again = server.run(title='Hello', text='hi', runner=TwinPost)
    assert again['failed'] is True and again['duplicates'] == [7, 8] and 'delete one of them, or give num' in again['msg']
    assert len(server.session.writes()) == 1
    assert server.run(title='Fine', text='f', runner=TwinPost)['action'] == 'create'  # no twin: as before


def test_without_a_twins_declaration_nothing_is_read_after_a_create():
    server = Server()
    server.run(title='Hello', text='hi')
    assert [c.method for c in server.session.calls].count('GET') == 2  # the project and the blog, before the create
