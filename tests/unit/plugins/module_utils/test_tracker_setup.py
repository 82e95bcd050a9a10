# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What tickets need that only the web interface can set up, read from the server's answers (REFERENCE 8.3, 8.5)."""

from __future__ import annotations

from ansible_collections.allura.forge.plugins.module_utils import _tracker_setup as setup

WANT = dict(status='reviewing', milestone='3.0', custom_fields=dict(kind='feature', size='big'))


def test_a_refused_form_names_each_thing_to_set_up():
    """formencode's sorted `field: message` lines; a custom field's lines follow `custom_fields: ` (REFERENCE 8.3; this
    very text is what a real Allura answered a form with these four errors)."""
    errors = {'ticket_form': "_milestone: Value must be one of: 1.0; 2.0 (not '3.0')\n"
                             "custom_fields: _kind: Value must be one of: bug; big feature (not 'feature')\n"
                             "_size: Please enter a number\n"
                             "status: Value must be one of: open; closed (not 'reviewing')"}
    needs = setup.from_validation(errors, WANT, 'bugs', 'ticket #1')
    assert [(n['what'], n['name'], n['field'], n['detail']) for n in needs] == [
        ('milestone', '3.0', '_milestone', None),
        ('custom_field', '_kind', None, "'feature': Value must be one of: bug; big feature (not 'feature')"),
        ('custom_field', '_size', None, "'big': Please enter a number"),
        ('status', 'reviewing', None, None)]
    assert all(n['verified'] and n['tickets'] == ['ticket #1'] for n in needs)


def test_a_form_refused_for_anything_else_is_not_a_setup_need():
    assert setup.from_validation({'ticket_form': "status: Value must be one of: open (not 'x')\nsummary: You must provide a Title"},
                                 WANT, 'bugs', 't') is None
    assert setup.from_validation({'ticket_form': 'Missing value'}, WANT, 'bugs', 't') is None
    assert setup.from_validation(None, WANT, 'bugs', 't') is None


def test_needs_merge_by_thing_and_read_as_one_sentence():
    needs = setup.merged([setup.need('member', 'ann', 'bugs', 'ticket #1'), setup.need('member', 'ann', 'bugs', 'ticket #2'),
                          setup.need('status', 'triaged', 'bugs', 'ticket #2', verified=False)])
    assert [(n['what'], n['tickets']) for n in needs] == [('member', ['ticket #1', 'ticket #2']), ('status', ['ticket #2'])]
    assert setup.describe(needs) == (
        "set this up in the web interface, as the REST API cannot: project member 'ann' for ticket #1, ticket #2 - make sure "
        "this is set up in the web interface, as the REST API can neither show nor create it: status 'triaged' for ticket #2 - "
        "in the project's web admin (Admin > User Permissions: add the user to a group) and the tracker's Field Management "
        "page (web admin of the project: bugs > Field Management)")


def test_what_the_rest_api_shows_missing_and_what_it_cannot_verify():
    live = dict(assigned_to=None, milestone='1.0', status='open', custom_fields={'size': 3})
    values = dict(assigned_to='ann', milestone='3.0', status='open', custom_fields={'size': 3.0, 'kind': 'bug'})
    sent = setup.to_send('t', values, live, lambda have, want: have == want)
    assert sent == dict(ticket='t', assignee='ann', milestone='3.0', status=None, fields=['kind'])
    profiles = {'ann': {'projects': [{'url': '/p/test/'}]}, 'bob': {'projects': []}}
    bob = dict(sent, assignee='bob', milestone='1.0')
    assert [(n['what'], n['name']) for n in setup.missing('bugs', [sent, bob], ['1.0', '2.0'], profiles, 'https://f/p/test/')] == [
        ('milestone', '3.0'), ('member', 'bob')]
    assert setup.missing('bugs', [bob], ['1.0'], profiles, None) == []  # a user project: no profile lists it
    lives = [dict(status='reviewing', custom_fields={'size': 3})]
    sent = [dict(ticket='t1', status='reviewing', fields=['size']), dict(ticket='t2', status='wont-fix', fields=['kind']),
            dict(ticket='t3', status='triaged', fields=[])]
    assert [(n['what'], n['name'], n['verified']) for n in setup.unverified('bugs', sent, lives)] == [
        ('custom_field', '_kind', False), ('status', 'triaged', False)]
