# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Requests per write: a write is read back only when it sent a field the server may silently store differently."""

from __future__ import annotations

from ansible_collections.allura.forge.plugins.module_utils._client import AlluraClient
from ansible_collections.allura.forge.plugins.module_utils._module import execute
from ansible_collections.allura.forge.plugins.modules import allura_ticket
from ansible_collections.allura.forge.tests.unit.plugins.fake_session import FakeSession
from ansible_collections.allura.forge.tests.unit.plugins.modules.test_allura_ticket import FakeTracker
from ansible_collections.allura.forge.tests.unit.plugins.modules.test_allura_wiki_page import FakeWiki

BASE = 'https://forge.example.org'


def requests_made(session):
    return ['%s %s' % (c.method, c.path) for c in session.calls]


# -- wiki: text verbatim, labels split exactly as sent (REFERENCE 7.3): never read back -------------------

def test_wiki_create_and_update_are_one_read_and_one_write_each():
    wiki = FakeWiki({'Home': ('Welcome\n', [])})
    out = wiki.run(pages=[{'title': 'New', 'text': 'n\n', 'labels': ['b', ' a']}, {'title': 'Home', 'text': 'changed\n'}])
    assert out['summary'] == {'created': 1, 'updated': 1, 'unchanged': 0}
    assert sorted(requests_made(wiki.session)) == sorted([
        'GET /rest/p/test/', 'GET /rest/p/test/wiki/New', 'GET /rest/p/test/wiki/Home',
        'POST /rest/p/test/wiki/New', 'POST /rest/p/test/wiki/Home'])
    assert out['pages'] == [{'title': 'New', 'text': 'n\n', 'labels': ['b', 'a'], 'action': 'create'},
                            {'title': 'Home', 'text': 'changed\n', 'labels': [], 'action': 'update'}]
    # what the prediction says is what the server stored
    again = wiki.run(pages=[{'title': 'New', 'text': 'n\n', 'labels': ['a', 'b']}, {'title': 'Home', 'text': 'changed\n'}])
    assert again['changed'] is False
    assert [{k: v for k, v in p.items() if k != 'action'} for p in again['pages']] == \
        [{k: v for k, v in p.items() if k != 'action'} for p in out['pages']]


def test_wiki_clearing_labels_is_predicted_as_the_server_reads_back():
    wiki = FakeWiki({'P': ('t', ['x'])})
    out = wiki.run(title='P', labels=[])
    assert out['page'] == {'title': 'P', 'text': 't', 'labels': []}
    assert wiki.pages['P']['labels'] == ['']  # what the server stores for "no labels"
    assert wiki.run(title='P', labels=[])['changed'] is False


# -- tickets ---------------------------------------------------------------------------------------------

def tracker():
    session = FakeSession()
    return FakeTracker(session), session


def run_ticket(session, check=False, **kw):
    params = dict(server_url=BASE, token='secret-token', neighborhood='p', retries=0, timeout=5, project='test',
                  mount_point='bugs', parallel=4, tickets=None)
    params.update({k: None for k in allura_ticket.Ticket.options})
    params.update(kw)
    client = AlluraClient(BASE, token='secret-token', session=session, sleep=lambda s: None, retries=0)
    return execute(allura_ticket.run, params, check_mode=check, diff_mode=True, client=client)


def test_ticket_create_without_droppable_fields_takes_the_number_from_location_and_reads_nothing_back():
    fake, session = tracker()
    fields = dict(summary='New one', description='d', status='open', labels=['a'], milestone='1.0', private=True)
    check = run_ticket(session, check=True, **fields)
    session.calls.clear()
    out = run_ticket(session, **fields)
    # numbered #1 in an empty tracker: nothing was created meanwhile, so the tracker is not read again for a twin
    assert requests_made(session) == ['GET /rest/p/test/', 'GET /rest/p/test/bugs/', 'POST /rest/p/test/bugs/new']
    assert out['ticket']['ticket_num'] == 1 and out['ticket']['mod_date'] is None
    assert out['ticket'] == dict(check['ticket'], ticket_num=1)
    assert out['diff'] == check['diff']
    stored = allura_ticket.from_server(fake.tickets[1])
    assert {k: stored[k] for k in fields} == {k: out['ticket'][k] for k in fields}


def test_ticket_create_with_an_assignee_is_read_back_and_checked():
    fake, session = tracker()
    out = run_ticket(session, summary='Assigned', assigned_to='test-admin')
    assert requests_made(session)[-2:] == ['POST /rest/p/test/bugs/new', 'GET /rest/p/test/bugs/1/']
    assert out['ticket']['assigned_to'] == 'test-admin' and out['ticket']['mod_date'] == 'later'
    fake, session = tracker()  # a user the profile does not show as a member: refused before the write
    out = run_ticket(session, summary='Outsider', assigned_to='outsider')
    assert out['failed'] is True and "project member 'outsider'" in out['msg'] and 'nothing was written' in out['msg']
    assert not [r for r in requests_made(session) if r.startswith('POST')]


def test_ticket_create_with_custom_fields_is_read_back_and_checked():
    fake, session = tracker()
    out = run_ticket(session, summary='Custom', custom_fields={'nosuch': 'x'})
    assert out['failed'] is True and 'custom_fields.nosuch was dropped by the server' in out['msg']
    assert 'GET /rest/p/test/bugs/1/' in requests_made(session)


def test_ticket_create_with_discussion_disabled_saves_it_after_the_create():
    fake, session = tracker()
    out = run_ticket(session, summary='Closed talk', discussion_disabled=True)
    assert requests_made(session)[2:] == ['POST /rest/p/test/bugs/new', 'GET /rest/p/test/bugs/1/',
                                          'POST /rest/p/test/bugs/1/save', 'GET /rest/p/test/bugs/1/']
    assert out['ticket']['discussion_disabled'] is True and fake.tickets[1]['discussion_disabled'] is True


def test_ticket_update_of_plain_fields_is_one_read_and_one_write():
    fake, session = tracker()
    fake.add(summary='Old', status='open', labels=['keep'], custom_fields={'_public': True})
    check = run_ticket(session, check=True, ticket_num=1, status='closed')
    session.calls.clear()
    out = run_ticket(session, ticket_num=1, status='closed')
    assert requests_made(session) == ['GET /rest/p/test/', 'GET /rest/p/test/bugs/1/', 'POST /rest/p/test/bugs/1/save']
    assert out['ticket'] == check['ticket'] and out['ticket']['status'] == 'closed' and out['ticket']['mod_date'] is None
    stored = allura_ticket.from_server(fake.tickets[1])
    assert {k: v for k, v in stored.items() if k != 'mod_date'} == {k: v for k, v in out['ticket'].items() if k != 'mod_date'}


def test_ticket_update_of_a_custom_field_is_read_back():
    fake, session = tracker()
    fake.add(summary='Old', status='open')
    out = run_ticket(session, ticket_num=1, custom_fields={'severity': 'high'})
    assert requests_made(session)[-2:] == ['POST /rest/p/test/bugs/1/save', 'GET /rest/p/test/bugs/1/']
    assert out['ticket']['custom_fields']['severity'] == 'high' and out['ticket']['mod_date'] == 'later'
