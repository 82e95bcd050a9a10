# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import re

import pytest

from ansible_collections.allura.forge.plugins.modules import allura_ticket_info
from ansible_collections.allura.forge.tests.unit.plugins.fake_session import FakeSession, reply
from ansible_collections.allura.forge.tests.unit.plugins.modules import info_helpers
from ansible_collections.allura.forge.tests.unit.plugins.modules.info_helpers import ERROR_404, PROJECT

TICKETS = {
    1: dict(summary='Crash on start', status='open', labels=['bug', ' ui'], assigned_to=None, custom_fields={'_milestone': '1.0'}),
    2: dict(summary='Add export', status='closed', labels=['feature'], assigned_to='jdoe', custom_fields={'_milestone': '2.0'}),
    3: dict(summary='CRASH when saving', status='open', labels=[], assigned_to='jdoe', custom_fields={}),
    4: dict(summary='Docs', status='unread', labels=['docs', 'bug'], assigned_to=None, custom_fields={'_milestone': '1.0'}),
}


def ticket(num):
    return dict(TICKETS[num], ticket_num=num, description='text %d' % num,
                discussion_thread={'_id': 'thread%04d' % num, 'posts': []})


def tracker(session):
    """The sandbox-like tracker of TICKETS: list (newest first, paged), tickets, search, threads."""
    def listing(call):
        limit, page = int(call.params['limit']), int(call.params['page'])
        nums = sorted(TICKETS, reverse=True)
        return reply(json={'tickets': [{'ticket_num': n, 'summary': TICKETS[n]['summary']} for n in nums[page * limit:(page + 1) * limit]],
                           'count': len(nums), 'limit': limit, 'page': page})

    def one(call):
        num = int(re.search(r'/bugs/(\d+)/$', call.path).group(1))
        return reply(json={'ticket': ticket(num)}) if num in TICKETS else reply(404, text=ERROR_404)

    def search(call):
        hits = [n for n in sorted(TICKETS, reverse=True) if call.params['q'].lower() in TICKETS[n]['summary'].lower()]
        items = [{k: v for k, v in ticket(n).items() if k not in ('description', 'discussion_thread')} for n in hits]
        return reply(json={'tickets': items, 'count': len(items), 'q': call.params['q'], 'limit': 500, 'page': 0})

    session.add('GET', '/rest/p/test/', json=PROJECT)
    session.add('GET', '/rest/p/test/bugs/', responses=[listing])
    session.add('GET', r'/rest/p/test/bugs/\d+/', responses=[one])
    session.add('GET', '/rest/p/test/bugs/search', responses=[search])
    session.add('GET', r'/rest/p/test/bugs/_discuss/thread/thread(\d+)/', responses=[lambda call: reply(json={'thread': {
        'posts': [{'slug': 'ab%02d' % n, 'text': 'comment on %s' % call.path.split('/')[-2]} for n in range(2)]}})])
    return session


def run(session, **kw):
    return info_helpers.run(allura_ticket_info, session, **dict(dict(mount_point='bugs'), **kw))


def reads(session):
    return sorted(int(m.group(1)) for c in session.calls for m in [re.search(r'/bugs/(\d+)/$', c.path)] if m)


def test_one_ticket_with_its_comments():
    session = tracker(FakeSession())
    out = run(session, ticket_num=2, comments=True)
    assert out['changed'] is False and 'tickets' not in out
    assert out['ticket']['summary'] == 'Add export' and out['ticket']['description'] == 'text 2'
    assert [c['text'] for c in out['ticket']['comments']] == ['comment on thread0002'] * 2
    assert session.writes() == []


@pytest.mark.parametrize('filters,numbers', [
    ({}, [4, 3, 2, 1]),
    ({'status': ['open', 'unread']}, [4, 3, 1]),
    ({'labels': ['ui']}, [1]),                       # compared trimmed: the server stores ' ui'
    ({'labels': ['bug', 'docs']}, [4]),
    ({'milestone': '1.0'}, [4, 1]),
    ({'assigned_to': 'jdoe'}, [3, 2]),
    ({'assigned_to': ''}, [4, 1]),
    ({'summary': 'crash'}, [3, 1]),                  # any case
    ({'summary': 'crash', 'assigned_to': 'jdoe'}, [3]),
    ({'status': ['open'], 'limit': 1}, [3]),
])
def test_filters_over_the_whole_list(filters, numbers):
    session = tracker(FakeSession())
    out = run(session, **filters)
    assert [t['ticket_num'] for t in out['tickets']] == numbers
    assert all(t['description'] for t in out['tickets'])  # each read in full


def test_summary_and_limit_read_only_what_they_need():
    session = tracker(FakeSession())
    run(session, summary='crash')
    assert reads(session) == [1, 3]  # the list gives summaries: no other ticket is read
    session = tracker(FakeSession())
    run(session, limit=2)
    assert reads(session) == [3, 4]


def test_query_finds_candidates_in_the_search_and_the_filters_still_apply():
    session = tracker(FakeSession())
    out = run(session, query='crash', status=['open'], assigned_to='jdoe')
    assert [t['ticket_num'] for t in out['tickets']] == [3]
    assert reads(session) == [3]  # only the hits that pass the filters are read in full
    assert [c.params.get('q') for c in session.calls if c.path.endswith('/search')] == ['crash']


@pytest.mark.parametrize('bad,message', [
    ({'limit': 0}, 'limit 0 is out of range: give 1 or more'),
    ({'status': []}, 'status must list at least one value'),
    ({'summary': ' '}, "summary ' ' is empty"),
    ({'query': ''}, "query '' is empty"),
    ({'parallel': 40}, 'parallel 40 is out of range'),
])
def test_bad_input_fails_before_any_request(bad, message):
    session = FakeSession()
    out = run(session, **bad)
    assert out['failed'] is True and message in out['msg']
    assert session.calls == []


def test_a_missing_ticket_and_a_tool_of_another_kind_are_named():
    session = tracker(FakeSession())
    out = run(session, ticket_num=9)
    assert out['failed'] and out['missing'] == 'item' and "ticket #9 of tracker 'bugs' not found in project p/test" in out['msg']
    out = run(tracker(FakeSession()), mount_point='wiki', status=['open'])
    assert out['failed'] and "mount_point 'wiki' of project p/test is a wiki tool, but allura_ticket_info needs a tickets tool" in out['msg']
    assert 'secret-token' not in repr(out)


def test_ticket_num_excludes_the_filters():
    assert ('ticket_num', 'status') in allura_ticket_info.MUTUALLY_EXCLUSIVE
    assert ('ticket_num', 'limit') in allura_ticket_info.MUTUALLY_EXCLUSIVE
