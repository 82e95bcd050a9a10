# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import json
import re

import pytest

from ansible_collections.allura.forge.plugins.module_utils._client import AlluraClient
from ansible_collections.allura.forge.plugins.module_utils._module import execute
from ansible_collections.allura.forge.plugins.modules import allura_ticket
from ansible_collections.allura.forge.tests.unit.plugins.fake_session import FakeSession, reply

BASE = 'https://forge.example.org'
STATUSES = ('open', 'unread', 'accepted', 'pending', 'closed', 'wont-fix', '')
PROJECT = {'shortname': 'test', 'url': BASE + '/p/test/',
           'tools': [{'name': 'tickets', 'mount_point': 'bugs', 'url': BASE + '/p/test/bugs/'},
                     {'name': 'wiki', 'mount_point': 'wiki'}]}
MILESTONES = ('1.0', '2.0')
ERROR_404 = '<html><title>A 404 Error has Occurred</title><div id="content_base"><p>We are sorry</p></div></html>'
ERROR_403 = ('<html><title>A 403 Error has Occurred</title><div id="content_base"><p>Update access required</p></div></html>')


class FakeTracker:
    """p/test/bugs as REFERENCE 8 describes it: 302s, labels cleared and booleans reset by a save that omits them,
    unknown fields and non-member assignees dropped silently, 400 with the allowed values; its index shows the milestones,
    a user's profile the projects the user is a member of."""

    FIELDS = {'_severity': ('low', 'normal', 'high'), '_public': 'boolean', '_estimate': 'number', '_reviewer': 'user'}
    USERS = ('test-admin', 'test-user', 'outsider')
    MEMBERS = ('test-admin',)

    def __init__(self, session):
        self.tickets = {}
        self.saves = []
        self.session = session
        session.add('GET', '/rest/p/test/', json=PROJECT)
        session.add('GET', '/rest/p/test/bugs/', responses=[self.index])
        session.add('GET', r'/rest/p/test/bugs/(\d+)/', responses=[self.get])
        session.add('POST', '/rest/p/test/bugs/new', responses=[self.new])
        session.add('POST', r'/rest/p/test/bugs/(\d+)/save', responses=[self.save])
        session.add('GET', r'/rest/u/([^/]+)/profile/', responses=[self.profile])

    def add(self, num=None, **fields):
        num = num or max(self.tickets, default=0) + 1
        ticket = dict(ticket_num=num, summary=None, description='', status='', labels=[], assigned_to=None, private=False,
                      discussion_disabled=False, reported_by='test-admin', created_date='2026-11-28 05:46:24',
                      mod_date='2026-11-28 05:46:24', custom_fields={'_public': 'False'})
        ticket.update(fields)
        self.tickets[num] = ticket
        return ticket

    def index(self, call):
        limit, page = int(call.params.get('limit', 100)), int(call.params.get('page', 0))
        ordered = [dict(ticket_num=n, summary=self.tickets[n]['summary']) for n in sorted(self.tickets, reverse=True)]
        return reply(json=dict(tickets=ordered[page * limit:(page + 1) * limit], count=len(ordered), limit=limit, page=page,
                               milestones=[dict(name=name, total=0) for name in MILESTONES]))

    def get(self, call):
        num = int(re.search(r'/(\d+)/$', call.path).group(1))
        if num not in self.tickets:
            return reply(404, text=ERROR_404)
        return reply(json={'ticket': self.tickets[num]})

    def profile(self, call):
        name = call.path.split('/')[3]
        if name not in self.USERS:
            return reply(404, text=ERROR_404)
        return reply(json={'username': name, 'projects': [{'name': 'Test', 'url': '/p/test/'}] if name in self.MEMBERS else []})

    def new(self, call):
        ticket = self.add()
        return self.apply(ticket, call.form, create=True)

    def save(self, call):
        num = int(call.path.split('/')[5])
        if call.headers.get('Authorization') != 'Bearer secret-token':
            return reply(403, text=ERROR_403)
        self.saves.append(call.form)
        return self.apply(self.tickets[num], call.form, create=False)

    def apply(self, ticket, form, create):
        form = {k: str(v) for k, v in form.items()}  # as it goes over the wire
        errors = []
        status = form.get('ticket_form.status')
        if status is not None and status not in STATUSES:
            errors.append("status: Value must be one of: %s (not %r)" % ('; '.join(STATUSES[:-1]), status))
        custom = {k[len('ticket_form.custom_fields.'):]: v for k, v in form.items() if k.startswith('ticket_form.custom_fields.')}
        milestone = form.get('ticket_form._milestone')
        if milestone and milestone not in MILESTONES:
            errors.insert(0, "_milestone: Value must be one of: 1.0; 2.0 (not %r)" % milestone)
        if custom.get('_severity') not in (None,) + self.FIELDS['_severity']:
            errors.insert(-1 if status is not None and status not in STATUSES else len(errors),
                          'custom_fields: _severity: Value must be one of: low; normal; high (not %r)' % custom['_severity'])
        if form.get('ticket_form.private') not in (None, 'true', 'false'):
            errors.append("private: Value should be 'true' or 'false'")
        if errors:
            if create:
                del self.tickets[ticket['ticket_num']]
            body = {'status': 'Validation Error', 'errors': {'ticket_form': '\n'.join(errors)}}
            return reply(400, text=json.dumps(body), content_type='text/plain')
        for key in ('summary', 'description', 'status'):
            if 'ticket_form.' + key in form:
                ticket[key] = form['ticket_form.' + key]
        for key in ('private', 'discussion_disabled'):  # discussion_disabled is ignored on create
            if 'ticket_form.' + key in form and not (create and key == 'discussion_disabled'):
                ticket[key] = form['ticket_form.' + key] == 'true'
        ticket['labels'] = form['ticket_form.labels'].split(',') if form.get('ticket_form.labels') else []
        who = form.get('ticket_form.assigned_to')
        if who == '*anonymous':
            ticket['assigned_to'] = None
        elif who in self.MEMBERS:
            ticket['assigned_to'] = who
        # as measured on a real Allura: a form with custom fields or the milestone replaces them all (booleans not sent
        # are false when some custom field is sent, absent when only the milestone is); one without either keeps them
        # and resets the booleans to the string "False" (REFERENCE 8.4, 17)
        replace = bool(custom) or 'ticket_form._milestone' in form
        fields = {} if replace else ticket['custom_fields']
        if 'ticket_form._milestone' in form:
            fields['_milestone'] = form['ticket_form._milestone']
        for name, kind in self.FIELDS.items():
            if kind == 'boolean' and (custom or not replace):
                fields[name] = custom.get(name) == 'true' if custom else 'False'
            elif name in custom:
                value = custom[name]
                fields[name] = (None if value == '' else float(value) if '.' in value else int(value)) if kind == 'number' else \
                    (value if value in self.MEMBERS else '') if kind == 'user' else value
        ticket['custom_fields'] = fields
        ticket['mod_date'] = 'later'
        return reply(302, headers={'Location': 'http://internal:8080/rest/p/test/bugs/%d/' % ticket['ticket_num']})


def params(**kw):
    base = dict(server_url=BASE, token='secret-token', neighborhood='p', retries=0, timeout=5, project='test',
                mount_point='bugs', parallel=4)
    base.update(kw)
    return base


def setup(token='secret-token'):
    session = FakeSession()
    tracker = FakeTracker(session)
    client = AlluraClient(BASE, token=token, session=session, sleep=lambda s: None, retries=0)
    return session, tracker, client


def run(session, client, check=False, diff=False, **kw):
    session.calls.clear()
    return execute(allura_ticket.run, params(**kw), check_mode=check, diff_mode=diff, client=client)


def test_create_by_summary_then_ok():
    session, tracker, client = setup()
    want = dict(summary='First', description='text', status='open', labels=['b', ' a'], milestone='2.0', private=False,
                custom_fields=dict(severity='high', public=True, estimate=3, reviewer='test-admin'))
    out = run(session, client, **want)
    assert out['changed'] is True and out['action'] == 'create', out
    form = session.writes()[0].form
    assert session.writes()[0].path == '/rest/p/test/bugs/new'
    assert form['ticket_form.labels'] == 'b,a' and form['ticket_form._milestone'] == '2.0'
    assert form['ticket_form.custom_fields._public'] == 'true' and form['ticket_form.custom_fields._estimate'] == 3
    assert 'ticket_form.custom_fields._milestone' not in form and 'ticket_form.assigned_to' not in form
    # the new ticket is read with the module's own base URL, not the Location host; #1 of an empty tracker: no twin to look for
    assert session.calls[-1].url == BASE + '/rest/p/test/bugs/1/' and session.calls[-2].method == 'POST'
    ticket = out['ticket']
    assert ticket['ticket_num'] == 1 and ticket['custom_fields'] == dict(severity='high', public=True, estimate=3, reviewer='test-admin')
    assert ticket['milestone'] == '2.0' and ticket['labels'] == ['b', 'a']
    again = run(session, client, **want)
    assert again['changed'] is False and again['action'] == 'none' and session.writes() == []


def test_status_only_update_resends_labels_milestone_and_custom_fields_and_nothing_is_lost():
    session, tracker, client = setup()
    tracker.add(summary='Keep', status='open', labels=['x', 'y'], assigned_to='test-admin',
                custom_fields={'_public': True, '_severity': 'high', '_estimate': 3, '_milestone': '1.0'})
    out = run(session, client, summary='Keep', status='closed')
    assert out['changed'] is True and out['action'] == 'update'
    (form,) = [c.form for c in session.writes()]
    assert form == {'ticket_form.status': 'closed', 'ticket_form.labels': 'x,y', 'ticket_form.custom_fields._public': 'true',
                    'ticket_form.custom_fields._severity': 'high', 'ticket_form.custom_fields._estimate': 3,
                    'ticket_form._milestone': '1.0'}
    live = tracker.tickets[1]
    assert live['labels'] == ['x', 'y'] and live['custom_fields']['_public'] is True and live['assigned_to'] == 'test-admin'
    assert live['custom_fields']['_severity'] == 'high' and live['custom_fields']['_milestone'] == '1.0'


@pytest.mark.parametrize('desired', [dict(estimate='3'), dict(estimate=3.0), dict(public=False), dict(public='false'),
                                     dict(public='False'), dict(severity='normal', estimate='3', public=False)])
def test_custom_field_typing_gives_no_false_change(desired):
    session, tracker, client = setup()
    tracker.add(summary='Typed', custom_fields={'_public': 'False', '_estimate': 3, '_severity': 'normal'})
    out = run(session, client, summary='Typed', custom_fields=desired)
    assert out['changed'] is False and session.writes() == []


def test_labels_compare_as_a_set_of_trimmed_labels():
    session, tracker, client = setup()
    tracker.add(summary='L', labels=['x', ' y', '', 'z'])
    out = run(session, client, summary='L', labels=['z', 'y', 'x', 'x'])
    assert out['changed'] is False and session.writes() == []


def test_diff_shows_only_the_changed_fields_and_description_as_text():
    session, tracker, client = setup()
    tracker.add(summary='D', description='one\ntwo\n', status='open', custom_fields={'_public': 'False', '_estimate': 3})
    out = run(session, client, diff=True, check=True, summary='D', description='one\nthree\n', status='open',
              custom_fields=dict(estimate=4, public=False))
    head, text = out['diff']
    assert sorted(head['before']) == ['custom_fields', 'description']
    assert head['before']['custom_fields'] == {'estimate': 3} and head['after']['custom_fields'] == {'estimate': 4}
    assert text['before'] == 'one\ntwo\n' and text['after'] == 'one\nthree\n'


def test_check_mode_predicts_exactly_and_writes_nothing():
    session, tracker, client = setup()
    tracker.add(summary='C', status='open', labels=['a'], custom_fields={'_public': True, '_estimate': 3})
    want = dict(summary='C', status='closed', labels=['a', 'b'], custom_fields=dict(estimate='5'))
    checked = run(session, client, check=True, diff=True, **want)
    assert session.writes() == []
    real = run(session, client, diff=True, **want)
    assert sorted(checked) == sorted(real) and checked['changed'] is real['changed'] is True
    assert checked['diff'] == real['diff']
    for key in ('summary', 'status', 'labels', 'custom_fields', 'ticket_num'):
        assert checked['ticket'][key] == real['ticket'][key], key


def test_check_mode_create_predicts_without_writing():
    session, tracker, client = setup()
    out = run(session, client, check=True, summary='New', status='open')
    assert out['changed'] is True and out['action'] == 'create' and session.writes() == []
    assert out['ticket']['ticket_num'] is None and out['ticket']['summary'] == 'New' and out['ticket']['labels'] == []


def test_ambiguous_summary_fails_listing_the_numbers():
    session, tracker, client = setup()
    tracker.add(summary='Twice')
    tracker.add(summary='Other')
    tracker.add(summary='Twice')
    out = run(session, client, summary='Twice', status='closed')
    assert out['failed'] and ("summary 'Twice' matches 2 tickets in p/test bugs: #1, #3; close one of them as a duplicate and "
                              'change its summary (tickets cannot be deleted over REST), or give ticket_num to choose one') in out['msg']
    assert out['duplicates'] == [1, 3]
    assert session.writes() == []


def test_unknown_ticket_num_fails_without_writing():
    session, tracker, client = setup()
    out = run(session, client, ticket_num=999, summary='x')
    assert out['failed'] and 'ticket_num 999 does not exist in p/test bugs' in out['msg'] and session.writes() == []


def test_unknown_assignee_fails_before_any_write():
    session, tracker, client = setup()
    out = run(session, client, summary='A', assigned_to='ghost')
    assert out['failed'] and "assigned_to 'ghost': no such user on the server" in out['msg']
    assert session.writes() == []


def test_non_member_assignee_fails_before_any_write_saying_what_to_set_up():
    """The REST API cannot add project members, and the server drops a non-member assignee silently (REFERENCE 8.3):
    the user's profile tells, so nothing is written; a check run reports it and goes on."""
    session, tracker, client = setup()
    tracker.add(summary='A')
    out = run(session, client, tickets=[dict(summary='A', assigned_to='outsider'), dict(summary='B', assigned_to='outsider')])
    assert out['failed'] and out['changed'] is False and session.writes() == []
    assert out['setup'] == [dict(what='member', name='outsider', tracker='bugs', field=None, detail=None, verified=True,
                                 tickets=['p/test bugs ticket #1', "p/test bugs new ticket 'B'"],
                                 where="the project's web admin (Admin > User Permissions: add the user to a group)")]
    assert "set this up in the web interface, as the REST API cannot: project member 'outsider'" in out['msg']
    assert 'nothing was written' in out['msg']
    checked = run(session, client, check=True, tickets=[dict(summary='A', assigned_to='outsider')])
    assert not checked.get('failed') and checked['tickets'][0]['action'] == 'update' and checked['setup'] == [
        dict(out['setup'][0], tickets=['p/test bugs ticket #1'])]
    assert any("project member 'outsider'" in w for w in checked['warnings'])
    assert run(session, client, summary='A', assigned_to='test-admin')['changed'] is True  # a member: no need


def test_missing_milestone_fails_before_any_write():
    session, tracker, client = setup()
    out = run(session, client, tickets=[dict(summary='Old', milestone='1.0'), dict(summary='New', milestone='3.0')])
    assert out['failed'] and session.writes() == [] and tracker.tickets == {}
    assert [(n['what'], n['name'], n['field'], n['tickets']) for n in out['setup']] == [
        ('milestone', '3.0', '_milestone', ["p/test bugs new ticket 'New'"])]
    assert "milestone of field _milestone '3.0'" in out['msg'] and 'Field Management' in out['msg']
    checked = run(session, client, check=True, tickets=[dict(summary='New', milestone='3.0')])
    assert checked['setup'][0]['name'] == '3.0' and checked['tickets'][0]['action'] == 'create'


def test_server_refusal_of_a_status_or_field_value_says_what_to_set_up():
    """Status names and custom field definitions cannot be read over REST: the server's refusal of the form tells."""
    session, tracker, client = setup()
    out = run(session, client, summary='S', status='reviewing', custom_fields=dict(severity='blocker'))
    assert out['failed'] and tracker.tickets == {}
    assert sorted((n['what'], n['name']) for n in out['setup']) == [('custom_field', '_severity'), ('status', 'reviewing')]
    severity = next(n for n in out['setup'] if n['what'] == 'custom_field')
    assert severity['detail'].startswith("'blocker': Value must be one of: low; normal; high")
    assert 'set this up in the web interface' in out['msg']
    mixed = run(session, client, summary='S', status='reviewing', private='maybe')  # not only setup: no setup data
    assert mixed['failed'] and 'setup' not in mixed


def test_check_mode_says_which_statuses_and_fields_it_cannot_verify():
    """Status names and custom field definitions cannot be read over REST: a check run names those the writes would send
    that neither a ticket it read nor a new tracker shows (as unverified), and only those."""
    session, tracker, client = setup()
    tracker.add(summary='Seen', status='reviewing', custom_fields={'_public': 'False', '_severity': 'low'})
    out = run(session, client, check=True, tickets=[
        dict(summary='Seen', status='reviewing', custom_fields=dict(severity='low')),
        dict(summary='New', status='triaged', custom_fields=dict(severity='high', colour='red', public=True)),
        dict(summary='Other', status='open')])
    assert not out.get('failed') and [t['action'] for t in out['tickets']] == ['none', 'create', 'create']
    assert [(n['what'], n['name'], n['verified'], n['tickets']) for n in out['setup']] == [
        ('status', 'triaged', False, ["p/test bugs new ticket 'New'"]),
        ('custom_field', '_colour', False, ["p/test bugs new ticket 'New'"])]
    assert 'make sure this is set up in the web interface, as the REST API can neither show nor create it' in out['warnings'][0]
    assert 'setup' not in run(session, client, check=True, summary='Seen', status='reviewing')


def test_values_the_server_drops_say_what_to_set_up():
    session, tracker, client = setup()
    tracker.add(summary='F')
    out = run(session, client, summary='F', custom_fields=dict(colour='red', reviewer='outsider'))
    assert out['failed'] and out['changed'] is True
    assert sorted((n['what'], n['name'], n['detail']) for n in out['setup']) == [
        ('custom_field', '_colour', 'the tracker has no such field'), ('member', 'outsider', 'user field _reviewer')]
    assert 'set this up in the web interface' in out['msg']


def test_an_update_keeps_every_custom_field_and_the_milestone():
    """A real Allura replaces a ticket's custom fields by those a save sends (REFERENCE 17): the module sends them all."""
    session, tracker, client = setup()
    tracker.add(summary='K', milestone=None, custom_fields={'_milestone': '1.0', '_severity': 'high', '_estimate': 2, '_public': True,
                                                            '_reviewer': 'test-admin'})
    assert run(session, client, summary='K', status='closed')['changed'] is True
    assert tracker.tickets[1]['custom_fields'] == {'_milestone': '1.0', '_severity': 'high', '_estimate': 2, '_public': True,
                                                   '_reviewer': 'test-admin'}
    assert run(session, client, summary='K', milestone='2.0', custom_fields=dict(estimate=5))['changed'] is True
    assert tracker.tickets[1]['custom_fields'] == {'_milestone': '2.0', '_severity': 'high', '_estimate': 5, '_public': True,
                                                   '_reviewer': 'test-admin'}
    assert run(session, client, summary='K', milestone='2.0', status='closed', custom_fields=dict(estimate=5))['changed'] is False


def test_an_update_without_custom_field_to_keep_sends_none():
    """With no field to change and no true boolean to keep, sending none keeps every field (booleans become "False")."""
    session, tracker, client = setup()
    tracker.add(summary='N', custom_fields={'_milestone': '1.0', '_severity': 'high', '_public': False, '_reviewer': 'gone'})
    assert run(session, client, summary='N', status='closed')['changed'] is True
    assert not [k for k in session.writes()[0].form if 'custom_fields' in k or 'milestone' in k]
    assert tracker.tickets[1]['custom_fields'] == {'_milestone': '1.0', '_severity': 'high', '_public': 'False', '_reviewer': 'gone'}


def test_a_milestone_change_alone_sends_every_custom_field():
    """A save sending only the milestone would leave the ticket nothing else (measured on a real Allura)."""
    session, tracker, client = setup()
    tracker.add(summary='M', custom_fields={'_milestone': '1.0', '_severity': 'high', '_public': False, '_estimate': None})
    assert run(session, client, summary='M', milestone='2.0')['changed'] is True
    form = session.writes()[0].form
    assert form['ticket_form._milestone'] == '2.0' and form['ticket_form.custom_fields._severity'] == 'high'
    assert form['ticket_form.custom_fields._public'] == 'false' and form['ticket_form.custom_fields._estimate'] == ''
    assert tracker.tickets[1]['custom_fields'] == {'_milestone': '2.0', '_severity': 'high', '_public': False, '_estimate': None}


def test_unassign_sends_anonymous():
    session, tracker, client = setup()
    tracker.add(summary='U', assigned_to='test-admin')
    out = run(session, client, summary='U', assigned_to='')
    assert out['changed'] and session.writes()[0].form['ticket_form.assigned_to'] == '*anonymous'
    assert tracker.tickets[1]['assigned_to'] is None
    assert run(session, client, summary='U', assigned_to='')['changed'] is False


def test_unknown_custom_field_fails_naming_it():
    session, tracker, client = setup()
    tracker.add(summary='F')
    out = run(session, client, summary='F', custom_fields=dict(colour='red'))
    assert out['failed'] and 'custom_fields.colour was dropped by the server: the tracker has no field _colour' in out['msg']


def test_invalid_status_fails_with_the_servers_reason_and_writes_nothing_else():
    session, tracker, client = setup()
    out = run(session, client, summary='S', status='bogus')
    assert out['failed'] and out['status'] == 400
    assert "status: Value must be one of: open; unread; accepted; pending; closed; wont-fix (not 'bogus')" in out['msg']
    assert len(session.writes()) == 1 and tracker.tickets == {}


def test_discussion_disabled_on_create_is_applied_with_a_save_that_keeps_labels():
    session, tracker, client = setup()
    out = run(session, client, summary='Quiet', labels=['k'], discussion_disabled=True, custom_fields=dict(public=True))
    assert out['changed'] and out['ticket']['discussion_disabled'] is True
    new, save = session.writes()
    assert save.path == '/rest/p/test/bugs/1/save' and save.form['ticket_form.discussion_disabled'] == 'true'
    assert save.form['ticket_form.labels'] == 'k' and save.form['ticket_form.custom_fields._public'] == 'true'
    assert tracker.tickets[1]['labels'] == ['k'] and tracker.tickets[1]['custom_fields']['_public'] is True


def test_non_member_update_gets_a_clear_403():
    session, tracker, client = setup()
    client.session.headers['Authorization'] = 'Bearer user-token'
    tracker.add(summary='Theirs')
    out = run(session, client, summary='Theirs', status='closed')
    assert out['failed'] and out['status'] == 403
    assert "cannot update p/test bugs ticket #1: the user of this token lacks the 'update' permission" in out['msg']
    assert 'Update access required' in out['msg'] and 'user-token' not in repr(out)


def test_create_is_never_duplicated_after_an_ambiguous_failure():
    session, tracker, client = setup()
    client.retries = 2

    def gateway_error_after_creating(call):
        tracker.new(call)
        return reply(502, text='Bad Gateway')
    session.add('POST', '/rest/p/test/bugs/new', responses=[gateway_error_after_creating])
    out = run(session, client, summary='Once')
    assert out['changed'] and out['ticket']['ticket_num'] == 1 and len(tracker.tickets) == 1
    assert len(session.writes()) == 1 and any('not sending it again' in w for w in out['warnings'])


def test_listing_reads_every_page():
    session, tracker, client = setup()
    for i in range(1, 1203):
        tracker.add(summary='T%d' % i)
    out = run(session, client, summary='T1', status='open')
    pages = [c for c in session.calls if c.path == '/rest/p/test/bugs/']
    assert len(pages) == 3 and out['action'] == 'update' and out['ticket']['ticket_num'] == 1


def test_mount_point_must_be_a_tracker():
    session, tracker, client = setup()
    out = run(session, client, mount_point='wiki', summary='x')
    assert out['failed'] and "mount_point 'wiki' of project p/test is a wiki tool, but allura_ticket needs a tickets tool" in out['msg']
    out = run(session, client, mount_point='tickets', summary='x')
    assert out['failed'] and "no tool at mount_point 'tickets' (its tickets tools: bugs)" in out['msg']


@pytest.mark.parametrize('kw, message', [
    (dict(summary='x', labels=['a,b']), "labels[0] 'a,b' contains a comma"),
    (dict(summary='x', custom_fields={'_severity': 'high'}), 'custom_fields._severity: invalid field name'),
    (dict(summary='x', custom_fields={'milestone': '1.0'}), 'give the milestone with the milestone option'),
    (dict(summary='x', custom_fields={'severity': ['a']}), 'is not a string, number or boolean'),
    (dict(summary=' padded'), "summary ' padded' is invalid"),
    (dict(summary=''), "summary '' is invalid"),
    (dict(status='open'), 'ticket_num or summary is required'),
    (dict(ticket_num=0), 'ticket_num 0 is invalid'),
    (dict(summary='x', parallel=0), 'parallel 0 is out of range'),
    (dict(tickets=[dict(summary='a'), dict(summary='a')]), "tickets[1].summary 'a' is also given by tickets[0]"),
    (dict(tickets=[dict(ticket_num=2), dict(ticket_num=2, status='x')]), 'tickets[1].ticket_num 2 is also given by tickets[0]'),
    (dict(tickets=[dict(summary='a')], status='open'), 'tickets is mutually exclusive with status'),
    (dict(tickets=[]), 'tickets must list at least one ticket'),
])
def test_bad_input_fails_before_any_request(kw, message):
    session, tracker, client = setup()
    out = run(session, client, **kw)
    assert out['failed'] and message in out['msg'], out['msg']
    assert session.calls == []


def test_many_tickets_converge_then_rerun_is_ok_with_reads_only():
    session, tracker, client = setup()
    tracker.add(summary='Existing 0', status='open')
    items = [dict(summary='Existing 0', status='closed')] + [dict(summary='New %d' % i, labels=['bulk']) for i in range(1, 30)]
    out = run(session, client, tickets=items, diff=True)
    assert out['changed'] and out['summary'] == dict(created=29, updated=1, unchanged=0)
    assert [t['action'] for t in out['tickets']][:2] == ['update', 'create'] and out['tickets'][1]['ticket_num'] == 2
    again = run(session, client, tickets=items)
    assert again['changed'] is False and again['summary'] == dict(created=0, updated=0, unchanged=30)
    assert session.writes() == [] and len(session.calls) == 1 + 1 + 30  # project, one list page, one GET each


def test_a_ticket_created_twice_by_concurrent_runs_fails_naming_both_and_no_third_is_made():
    session, tracker, client = setup()
    tracker.add(summary='Old')
    session.calls.clear()
    twin = []
    new = tracker.new

    def racing(call):
        if not twin and 'Two' in str(call.form):  # another controller creates "Two" after this run read the tracker
            twin.append(tracker.add(summary='Two')['ticket_num'])
        return new(call)
    session.add('POST', '/rest/p/test/bugs/new', responses=[racing])
    items = [{'summary': 'One'}, {'summary': 'Two'}, {'summary': 'Three'}]
    out = run(session, client, tickets=items)
    assert out['failed'] is True and out['changed'] is True and out['duplicates'] == [3, 4]
    assert out['msg'].startswith(
        "tickets[1]: the ticket with summary 'Two' was created in p/test bugs as #4 (https://forge.example.org/p/test/bugs/4/), "
        'but p/test bugs now also has #3 (https://forge.example.org/p/test/bugs/3/) with this summary, created meanwhile by '
        'another run (on another controller, or with the lock off): close one of them as a duplicate and change its summary '
        '(tickets cannot be deleted over REST), or give ticket_num to choose one. Until then every run stops at this ticket '
        'and never creates a third')
    assert [t['action'] for t in out['tickets']] == ['create'] and out['summary']['created'] == 1  # the one before it
    assert sorted(t['summary'] for t in tracker.tickets.values()) == ['Old', 'One', 'Two', 'Two']  # Three: not touched
    again = run(session, client, tickets=items)
    assert again['failed'] is True and session.writes() == [] and again['duplicates'] == [3, 4]
    assert ("tickets[1].summary 'Two' matches 2 tickets in p/test bugs: #3, #4; close one of them as a duplicate and change its "
            'summary') in again['msg']
    tracker.tickets[3]['summary'] = 'Two (duplicate of #4)'  # resolved by hand
    done = run(session, client, tickets=items)
    assert [t['action'] for t in done['tickets']] == ['none', 'none', 'create'] and done['tickets'][1]['ticket_num'] == 4


def test_the_look_for_a_twin_reads_only_the_tickets_created_since_the_tracker_was_read():
    session, tracker, client = setup()
    for num in range(1, 251):
        tracker.add(summary='Old %d' % num)
    session.calls.clear()
    out = run(session, client, summary='New')
    assert out['ticket']['ticket_num'] == 251
    listings = [c.params for c in session.calls if c.method == 'GET' and c.path == '/rest/p/test/bugs/']
    assert listings == [{'limit': 500, 'page': 0}]  # #251 follows the newest read, #250: none can have come between
    # 150 tickets created elsewhere meanwhile, the oldest of them a twin: read as far back as that, no further
    session.calls.clear()
    new = tracker.new

    def busy(call):
        tracker.add(summary='Later')
        for num in range(149):
            tracker.add(summary='Elsewhere %d' % num)
        return new(call)
    session.add('POST', '/rest/p/test/bugs/new', responses=[busy])
    out = run(session, client, summary='Later')
    assert out['failed'] is True and out['duplicates'] == [252, 402]
    listings = [c.params for c in session.calls if c.method == 'GET' and c.path == '/rest/p/test/bugs/']
    assert listings == [{'limit': 500, 'page': 0}, {'limit': 100, 'page': 0}, {'limit': 100, 'page': 1}]


def test_a_create_numbered_right_after_the_newest_seen_is_checked_against_what_an_earlier_look_found():
    # another run creates "Two" after this run read the tracker, then this run creates "One" (#2, a gap: it looks and
    # learns of #1) and "Two" (#3, no gap: not read again) - the twin is still found, in what the look after "One" read
    session, tracker, client = setup()
    session.calls.clear()
    new = tracker.new
    raced = []

    def racing(call):
        if not raced:
            raced.append(tracker.add(summary='Two')['ticket_num'])
        return new(call)
    session.add('POST', '/rest/p/test/bugs/new', responses=[racing])
    out = run(session, client, tickets=[{'summary': 'One'}, {'summary': 'Two'}, {'summary': 'Three'}])
    assert out['failed'] is True and out['duplicates'] == [1, 3] and out['msg'].startswith(
        "tickets[1]: the ticket with summary 'Two' was created in p/test bugs as #3")
    assert sorted(t['summary'] for t in tracker.tickets.values()) == ['One', 'Two', 'Two']  # Three: not touched
    listings = [c.params for c in session.calls if c.method == 'GET' and c.path == '/rest/p/test/bugs/']
    assert listings == [{'limit': 500, 'page': 0}, {'limit': 100, 'page': 0}]  # the first read, the look after #2


def test_creates_numbered_one_after_the_other_read_the_tracker_once():
    session, tracker, client = setup()
    session.calls.clear()
    out = run(session, client, tickets=[{'summary': 'New %d' % n} for n in range(5)])
    assert [t['ticket_num'] for t in out['tickets']] == [1, 2, 3, 4, 5]
    assert [c.params for c in session.calls if c.method == 'GET' and c.path == '/rest/p/test/bugs/'] == [{'limit': 500, 'page': 0}]


def test_bulk_failure_names_the_item_and_reports_what_was_done():
    session, tracker, client = setup()
    out = run(session, client, tickets=[dict(summary='Good'), dict(summary='Bad', status='bogus'), dict(summary='Later')])
    assert out['failed'] and out['msg'].startswith("tickets[1]: p/test bugs new ticket 'Bad': POST /rest/p/test/bugs/new was refused")
    assert 'before it, 1 tickets were converged: 1 created' in out['msg'] and out['changed'] is True
    assert [t['summary'] for t in out['tickets']] == ['Good'] and len(tracker.tickets) == 1


def test_bulk_unknown_ticket_and_unknown_assignee_fail_before_any_write():
    session, tracker, client = setup()
    out = run(session, client, tickets=[dict(summary='a'), dict(ticket_num=5, status='open')])
    assert out['failed'] and out['msg'].startswith('tickets[1].ticket_num 5 does not exist') and session.writes() == []
    out = run(session, client, tickets=[dict(summary='a'), dict(summary='b', assigned_to='ghost')])
    assert out['failed'] and "tickets[1].assigned_to 'ghost': no such user" in out['msg'] and session.writes() == []


def test_bulk_items_that_resolve_to_the_same_ticket_are_rejected():
    session, tracker, client = setup()
    tracker.add(summary='Same')
    out = run(session, client, tickets=[dict(summary='Same', status='open'), dict(ticket_num=1, status='closed')])
    assert out['failed'] and 'tickets[0] and tickets[1] both address ticket #1' in out['msg'] and session.writes() == []
