# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest

from ansible_collections.allura.forge.plugins.modules import allura_discussion_info
from ansible_collections.allura.forge.tests.unit.plugins.fake_session import FakeSession
from ansible_collections.allura.forge.tests.unit.plugins.modules.info_helpers import ERROR_404, PROJECT, paged, run

FORUM = {'_id': '6b0a6aa709bf77c467db00b5', 'shortname': 'general', 'name': 'General Discussion', 'description': 'Anything'}
TOPICS = [{'_id': '%010x' % n, 'subject': 'Topic %d' % n, 'num_replies': 1} for n in range(30)]
POSTS = [{'slug': '%04x' % n, 'text': 'Post %d' % n} for n in range(600)]


def forums(session):
    session.add('GET', '/rest/p/test/', json=PROJECT)
    session.add('GET', '/rest/p/test/discussion/', responses=[paged([dict(FORUM, num_topics=30)], 'forums')])
    session.add('GET', '/rest/p/test/discussion/general/', responses=[paged(TOPICS, 'forum', 'topics', extra=FORUM)])
    session.add('GET', '/rest/p/test/discussion/general/thread/%010x/' % 3,
                responses=[paged(POSTS, 'topic', 'posts', extra={'_id': '%010x' % 3, 'subject': 'Topic 3', 'discussion_id': FORUM['_id']})])
    for path in ('/rest/p/test/discussion/nope/', '/rest/p/test/discussion/general/thread/0000000000/', '/rest/p/test/discussion/nope/thread/x/'):
        session.add('GET', path, status=404, text=ERROR_404)
    return session


def test_the_forums():
    out = run(allura_discussion_info, forums(FakeSession()))
    assert [f['shortname'] for f in out['forums']] == ['general']


def test_a_forum_and_its_topics():
    session = forums(FakeSession())
    out = run(allura_discussion_info, session, forum='general')
    assert out['forum'] == FORUM and len(out['topics']) == 30
    out = run(allura_discussion_info, forums(FakeSession()), forum='general', limit=5)
    assert [t['subject'] for t in out['topics']] == ['Topic %d' % n for n in range(5)]


def test_a_topic_and_every_post_over_the_pages():
    session = forums(FakeSession())
    out = run(allura_discussion_info, session, forum='general', topic='%010x' % 3)
    assert out['topic'] == {'_id': '%010x' % 3, 'subject': 'Topic 3', 'discussion_id': FORUM['_id']}
    assert out['posts'] == POSTS
    assert [c.params['page'] for c in session.calls if 'thread' in c.path] == [0, 1]


@pytest.mark.parametrize('given,message', [
    ({'forum': 'nope'}, "forum 'nope' not found in p/test discussion (its forums: general)"),
    ({'forum': 'general', 'topic': '0000000000'}, "topic '0000000000' not found in forum 'general' of p/test discussion"),
    ({'forum': 'nope', 'topic': 'x'}, "forum 'nope' not found in p/test discussion (its forums: general)"),
])
def test_what_is_missing_is_named(given, message):
    out = run(allura_discussion_info, forums(FakeSession()), **given)
    assert out['failed'] and out['missing'] == 'item' and message in out['msg']


def test_bad_input_and_another_tool():
    session = FakeSession()
    out = run(allura_discussion_info, session, limit=0)
    assert out['failed'] and 'limit 0 is out of range' in out['msg'] and session.calls == []
    out = run(allura_discussion_info, forums(FakeSession()).add('GET', '/rest/p/test/wiki/', json={'pages': []}), mount_point='wiki')
    assert out['failed'] and 'is a wiki tool, but allura_discussion_info needs a discussion tool' in out['msg']
    assert allura_discussion_info.REQUIRED_BY == {'topic': 'forum'}
