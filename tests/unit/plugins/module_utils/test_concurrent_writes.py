# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The driver's concurrent writes (Resource.concurrent, _state.write_many), through the posts of test_resource declared
with independent writes, on a scripted server that takes time to answer and records which writes overlapped."""

from __future__ import annotations

import threading
import time

import pytest

from ansible_collections.allura.forge.plugins.module_utils._client import AlluraClient
from ansible_collections.allura.forge.plugins.module_utils._module import execute
from ansible_collections.allura.forge.tests.unit.plugins.fake_session import reply
from ansible_collections.allura.forge.tests.unit.plugins.module_utils.test_resource import Post, Server


class ConcurrentPost(Post):
    concurrent = ('create', 'update', 'delete')


class UpdatedConcurrently(Post):  # as tickets: creates one at a time in the order given
    concurrent = ('update',)


class SlowServer(Server):
    """Each write takes `pause` seconds (`slow`: {title: seconds} instead); records the writes in flight at once
    (`most`, and per kind of write `most_of`), the order writes started (`started`: (kind, title, how many others were
    in flight)) and finished in, and refuses the titles of `refuse` at once (400) and the creates of `over_limit` with
    429 (a creation limit: `limited` lists them with how many others were in flight)."""

    def __init__(self, *titles, pause=0.05, slow=None, over_limit=(), **kwargs):
        super().__init__(*titles, **kwargs)
        self.pause, self.slow, self.over_limit = pause, slow or {}, over_limit
        self.lock = threading.Lock()
        self.flying, self.most, self.most_of, self.started, self.finished, self.limited = [], 0, {}, [], [], []

    def write(self, call):
        form = dict(call.form)
        kind = 'update' if call.path != '/rest/p/test/blog/' else 'create'
        with self.lock:
            self.started.append((kind, form.get('title'), len(self.flying)))
            if kind == 'create' and form.get('title') in self.over_limit:
                self.limited.append((form.get('title'), len(self.flying)))
                return reply(429, text='rate limit exceeded')
            self.flying.append(kind)
            self.most = max(self.most, len(self.flying))
            self.most_of[kind] = max(self.most_of.get(kind, 0), self.flying.count(kind))
        try:
            if form.get('title') not in self.refuse:
                time.sleep(self.slow.get(form.get('title'), self.pause))
            with self.lock:  # a number each, as the server gives them
                self.finished.append(form.get('title'))
                return super().write(call)
        finally:
            with self.lock:
                self.flying.remove(kind)

    def run(self, check=False, runner=ConcurrentPost, parallel=4, retries=0, **params):
        client = AlluraClient('https://forge.example.org', token='t', session=self.session, sleep=lambda s: None, retries=retries)
        params = dict(dict(neighborhood='p', project='test', num=None, title=None, text=None, state='present', posts=None,
                           parallel=parallel), **params)
        return execute(lambda params, client, ctx: runner(params, client, ctx).run(), params, check_mode=check,
                       diff_mode=True, client=client)


def new(count, prefix='P'):
    return [{'title': '%s%d' % (prefix, n), 'text': 'text %d' % n} for n in range(count)]


@pytest.mark.parametrize('parallel', [1, 3, 8])
def test_at_most_parallel_writes_are_in_flight_and_more_than_one_when_allowed(parallel):
    server = SlowServer()
    out = server.run(posts=new(16), parallel=parallel)
    assert out['summary']['created'] == 16 and len(server.posts) == 16
    assert server.most == parallel


def test_a_kind_without_concurrent_writes_writes_one_at_a_time_in_order():
    server = SlowServer('Old')
    out = server.run(posts=new(6) + [{'num': 1, 'title': 'Old', 'text': 'changed'}], runner=Post, parallel=8)
    assert out['summary'] == dict(created=6, updated=1, unchanged=0, deleted=0)
    assert server.most == 1 and [title for _kind, title, _alongside in server.started] == ['P%d' % n for n in range(6)] + [None]


def test_updates_overlap_while_creates_go_one_at_a_time_in_the_order_given_and_are_numbered_so():
    server = SlowServer(*('Old%d' % n for n in range(6)))
    posts = [{'num': n + 1, 'title': 'Old%d' % n, 'text': 'changed'} for n in range(6)] + [{'title': 'New%d' % n, 'text': 'n'} for n in range(6)]
    out = server.run(posts=posts, runner=UpdatedConcurrently, parallel=4)
    assert out['summary'] == dict(created=6, updated=6, unchanged=0, deleted=0)
    assert server.most_of == dict(create=1, update=4)
    assert [title for kind, title, _alongside in server.started if kind == 'create'] == ['New%d' % n for n in range(6)]
    assert [server.posts[7 + n]['title'] for n in range(6)] == ['New%d' % n for n in range(6)]  # numbers follow the order
    assert [p['num'] for p in out['posts'][6:]] == list(range(7, 13))


def test_results_summary_and_diffs_are_in_the_order_of_the_items_as_in_a_sequential_run():
    titles = ['Old%d' % n for n in range(8)]
    posts = [{'num': n + 1, 'title': t, 'text': 'changed %d' % n} for n, t in enumerate(titles)] + new(8)
    sequential, concurrent = SlowServer(*titles), SlowServer(*titles, slow={'Old0': 0.2, 'Old1': 0.15})
    one = sequential.run(posts=posts, parallel=1, runner=UpdatedConcurrently)
    many = concurrent.run(posts=posts, parallel=8, runner=UpdatedConcurrently)
    assert sequential.most == 1 and concurrent.most > 1 and concurrent.finished[:2] != ['Old0', 'Old1']  # the first finish last
    assert many == one and [p['title'] for p in many['posts']] == titles + ['P%d' % n for n in range(8)]
    assert [d['before_header'] for d in many['diff'][::2]] == [d['before_header'] for d in one['diff'][::2]]
    check = SlowServer(*titles).run(check=True, posts=posts, parallel=8, runner=UpdatedConcurrently)
    assert check['summary'] == many['summary'] and check['diff'] == many['diff']


def test_check_mode_writes_nothing():
    server = SlowServer('Old')
    out = server.run(check=True, posts=new(5) + [{'num': 1, 'title': 'Old', 'state': 'absent'}], parallel=8)
    assert out['summary'] == dict(created=5, updated=0, unchanged=0, deleted=1) and server.session.writes() == []


def test_a_failure_starts_nothing_new_and_reports_the_writes_in_flight():
    server = SlowServer(refuse=('P1',), slow={'P0': 0.15, 'P2': 0.15})
    out = server.run(posts=new(10), parallel=3)
    assert out['failed'] is True and out['changed'] is True
    assert out['msg'].startswith('posts[1]: POST /rest/p/test/blog/ was refused')
    assert ('(2 posts were converged: 2 created, 0 updated, 0 unchanged, 0 deleted; posts[2] of them after it, in flight when '
            'it failed; the others were not touched)') in out['msg']
    assert [p['title'] for p in out['posts']] == ['P0', 'P2'] and out['summary']['created'] == 2
    assert sorted(p['title'] for p in server.posts.values()) == ['P0', 'P2']
    assert sorted(title for _kind, title, _alongside in server.started) == ['P0', 'P1', 'P2']  # nothing started after the failure


def test_a_failure_names_the_first_failing_item_and_the_others_that_failed_in_flight():
    server = SlowServer(refuse=('P1', 'P2'), slow={'P0': 0.1})
    out = server.run(posts=new(6), parallel=3)
    assert out['msg'].startswith('posts[1]: POST')
    assert 'posts[2] failed too: POST /rest/p/test/blog/ was refused' in out['msg']
    assert [p['title'] for p in out['posts']] == ['P0'] and sorted(server.posts) == [1]


def test_after_a_429_nothing_new_starts_and_the_limit_is_met_as_often_as_in_a_sequential_run_plus_those_in_flight():
    over = ['P%d' % n for n in range(3, 12)]  # the server allows 3 more creations
    server = SlowServer(over_limit=over)
    out = server.run(posts=new(12), parallel=4, retries=2)
    assert out['failed'] is True and out['msg'].startswith('posts[3]: POST /rest/p/test/blog/ failed after 3 attempts: HTTP 429')
    assert [p['title'] for p in out['posts']] == ['P0', 'P1', 'P2'] and 'later ones were not touched' in out['msg']
    assert sorted(p['title'] for p in server.posts.values()) == ['P0', 'P1', 'P2']
    first = [title for _kind, title, _alongside in server.started].index('P3')
    assert [title for _kind, title, _alongside in server.started[first:]] == ['P3'] * 4  # nothing new after the first 429
    sequential = SlowServer(over_limit=over)
    sequential.run(posts=new(12), parallel=1, retries=2)
    assert sequential.limited == [('P3', 0)] * 3
    # the write in flight when the limit was met met it once; then the server sees what the sequential run sends it
    assert server.limited[1:] == sequential.limited


def test_a_429_met_in_flight_is_sent_again_in_its_turn_and_the_rest_goes_one_at_a_time():
    server = SlowServer()
    refused = []

    def once_limited(call):  # P2's first create meets the limit: the server wrote nothing
        if call.form.get('title') == 'P2' and not refused:
            refused.append(call.form['title'])
            return reply(429, text='rate limit exceeded')
        return server.write(call)
    server.session.add('POST', '/rest/p/test/blog/', responses=[once_limited])
    out = server.run(posts=new(10), parallel=4, retries=2)
    assert out['summary']['created'] == 10 and [p['title'] for p in out['posts']] == ['P%d' % n for n in range(10)]
    assert sorted(p['title'] for p in server.posts.values()) == ['P%d' % n for n in range(10)]  # P2 once
    assert len(server.session.writes()) == 11 and refused == ['P2']
    titles = [title for _kind, title, _alongside in server.started]
    again = titles.index('P2')  # sent again once those in flight with it (P0, P1, perhaps P3) were done
    assert sorted(titles[:again]) in (['P0', 'P1'], ['P0', 'P1', 'P3'])
    assert titles[again:] == [title for title in ['P%d' % n for n in range(2, 10)] if title not in titles[:again]]
    assert all(alongside == 0 for _kind, _title, alongside in server.started[again:])  # then one at a time, in order


def test_a_429_after_an_item_wrote_is_retried_not_deferred():
    """Deferring a write means converging its item again: only before any write of the item succeeded."""
    client = AlluraClient('https://forge.example.org', token='t', session=SlowServer().session, sleep=lambda s: None, retries=1)
    client.session.add('POST', '/rest/p/test/blog/1/', responses=[reply(200, json={}), reply(429), reply(200, json={})])
    with client.deferring_limits():
        client.post('/rest/p/test/blog/1/', {})
        client.post('/rest/p/test/blog/1/', {})
    assert len(client.session.writes()) == 3 and client.pushback == 1


class TwinPost(UpdatedConcurrently):
    twins = 'delete one of them, or give num to choose one'


def test_a_twin_found_after_a_create_stops_the_next_create_as_one_at_a_time_while_updates_go_alongside():
    server = SlowServer(*('Old%d' % n for n in range(4)))
    write = server.write

    def racing(call):  # another run posts "Hello" after this one read the blog
        if call.form.get('title') == 'Hello' and 'Hello' not in [p['title'] for p in server.posts.values()]:
            server.posts[9] = dict(num=9, title='Hello', text='theirs')
        return write(call)
    server.session.add('POST', '/rest/p/test/blog/', responses=[racing])
    posts = [{'num': n + 1, 'title': 'Old%d' % n, 'text': 'changed'} for n in range(4)] + [
        {'title': 'Hello', 'text': 'hi'}, {'title': 'Later', 'text': 'l'}]
    out = server.run(posts=posts, runner=TwinPost, parallel=8)
    assert server.most_of['update'] == 4 and out['failed'] is True and out['duplicates'] == [9, 10]
    assert out['msg'].startswith("posts[4]: the post with title 'Hello' was created in p/test blog as #10")
    assert 'before it, 4 posts were converged: 0 created, 4 updated, 0 unchanged, 0 deleted; later ones were not touched' in out['msg']
    assert 'Later' not in [p['title'] for p in server.posts.values()]  # the look for the twin came before the next create
