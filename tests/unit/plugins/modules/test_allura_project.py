# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest

from ansible_collections.allura.forge.plugins.module_utils._client import AlluraClient
from ansible_collections.allura.forge.plugins.module_utils._module import execute
from ansible_collections.allura.forge.plugins.modules import allura_project
from ansible_collections.allura.forge.tests.unit.plugins.fake_session import FakeSession, reply

LIVE = {'shortname': 'demo', 'name': 'Demo', 'summary': 'S', 'short_description': '', 'labels': ['b', 'a'], 'private': False,
        'external_homepage': '', 'video_url': '', 'tools': []}


def run(session, check_mode=False, **kw):
    params = dict(server_url='https://forge.example.org', token='tok', neighborhood='p', project='demo', state='present')
    params.update({k: None for k in ('name', 'summary', 'short_description', 'labels', 'private', 'external_homepage',
                                     'video_url', 'admin')})
    params.update(kw)
    client = AlluraClient('https://forge.example.org', token='tok', session=session, sleep=lambda s: None, retries=0)
    return execute(allura_project.run, params, check_mode=check_mode, diff_mode=True, client=client)


def test_existing_project_without_difference_is_ok():
    session = FakeSession().add('GET', '/rest/p/demo/', json=LIVE)
    out = run(session, name='Demo', labels=['a', 'b'])
    assert out['changed'] is False and out['action'] == 'none' and not session.writes()


def test_create_sends_json_and_reads_back():
    created = dict(LIVE, name='New', short_description='long')
    session = FakeSession().add('GET', '/rest/p/demo/', responses=[reply(404), reply(json=created)])
    session.add('POST', '/rest/p/add_project', status=201, headers={'Location': 'https://forge.example.org/rest/p/demo/'})
    out = run(session, name='New', summary='S', short_description='long', admin='jdoe')
    body = session.writes()[0].json
    assert body == {'name': 'New', 'summary': 'S', 'description': 'long', 'shortname': 'demo', 'admin': 'jdoe'}
    assert out['changed'] is True and out['project']['name'] == 'New'


def test_project_created_meanwhile_by_another_run_is_compared_not_failed():
    session = FakeSession().add('GET', '/rest/p/demo/', responses=[reply(404), reply(json=LIVE)])
    session.add('POST', '/rest/p/add_project', status=400, json={'error': 'This project name is taken.'})
    out = run(session, name='Demo', admin='jdoe')
    assert 'failed' not in out and out['action'] == 'none' and out['changed'] is False and len(session.writes()) == 1
    assert 'was created meanwhile by another run' in out['warnings'][0]
    # as made by that run, with other fields: drift, as for any existing project
    session = FakeSession().add('GET', '/rest/p/demo/', responses=[reply(404), reply(json=LIVE)])
    session.add('POST', '/rest/p/add_project', status=400, json={'error': 'This project name is taken.'})
    out = run(session, name='Other', admin='jdoe')
    assert out['failed'] is True and out['drift'] == {'name': {'live': 'Demo', 'desired': 'Other'}}


def test_a_refused_create_of_a_project_still_missing_fails_with_the_reason():
    session = FakeSession().add('GET', '/rest/p/demo/', status=404)
    session.add('POST', '/rest/p/add_project', status=400, json={'error': 'Please use 3-15 small letters, numbers, and dashes.'})
    out = run(session, name='Demo', admin='jdoe')
    assert out['failed'] is True and 'Please use 3-15 small letters' in out['msg']


def test_check_mode_create_writes_nothing():
    session = FakeSession().add('GET', '/rest/p/demo/', status=404)
    out = run(session, check_mode=True, name='New', admin='jdoe')
    assert out['changed'] is True and out['action'] == 'create' and not session.writes()
    assert out['diff'][0]['after'] == {'name': 'New'}


def test_missing_project_needs_name_and_admin():
    session = FakeSession().add('GET', '/rest/p/demo/', status=404)
    out = run(session, name='New')
    assert out['failed'] and 'creating it needs name and admin' in out['msg'] and "admin=None" in out['msg']
    assert not session.writes()


def test_drift_is_reported_in_check_mode_and_fails_a_real_run():
    session = FakeSession().add('GET', '/rest/p/demo/', json=LIVE)
    checked = run(session, check_mode=True, summary='Other')
    assert checked['changed'] is True and checked['diff'][0]['before'] == {'summary': 'S'}
    assert "summary is 'S' on the server but 'Other' is wanted" in checked['warnings'][0]
    real = run(session, summary='Other')
    assert real['failed'] and 'Admin > Metadata' in real['msg'] and not session.writes()


def test_not_a_neighborhood_admin():
    session = FakeSession().add('GET', '/rest/p/demo/', status=404)
    session.add('POST', '/rest/p/add_project', status=403, text='<div id="content_base"><p>Admin access required</p></div>')
    out = run(session, name='New', admin='jdoe')
    assert out['failed'] and out['msg'] == (
        "cannot create project p/demo: the user of this token lacks the 'admin' permission on neighborhood 'p' (Admin access "
        "required); use the token of an admin of neighborhood 'p' (add_project)")


@pytest.mark.parametrize('bad', ['ab', 'UPPER', '-lead', 'trail-', '12345', 'a' * 16, 'has_underscore'])
def test_invalid_shortname(bad):
    out = run(FakeSession(), project=bad)
    assert out['failed'] and repr(bad) in out['msg']
