# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

from ansible_collections.allura.forge.plugins.module_utils._client import AlluraClient
from ansible_collections.allura.forge.plugins.module_utils._module import execute
from ansible_collections.allura.forge.plugins.modules import allura_project_info, allura_user_info
from ansible_collections.allura.forge.tests.unit.plugins.fake_session import FakeSession, reply

PROJECT = {'shortname': 'test', 'name': 'Test', 'tools': [{'name': 'wiki', 'mount_point': 'wiki'}]}
ERROR_404 = '<html><title>A 404 Error has Occurred</title><div id="content_base"><p>We are sorry</p></div></html>'


def params(**kw):
    base = dict(server_url='https://forge.example.org', token='secret-token', neighborhood='p', retries=0, timeout=5)
    base.update(kw)
    return base


def client(session):
    return AlluraClient('https://forge.example.org', token='secret-token', session=session, sleep=lambda s: None, retries=0)


def test_project_and_tools_returned():
    session = FakeSession().add('GET', '/rest/p/test/', json=PROJECT)
    out = execute(allura_project_info.run, params(project='test', doap=False), client=client(session))
    assert out['changed'] is False
    assert out['project']['name'] == 'Test'
    assert out['tools'] == PROJECT['tools']
    assert 'doap' not in out


def test_doap_requested():
    session = FakeSession().add('GET', '/rest/p/test/', json=PROJECT)
    session.add('GET', '/rest/p/test/', responses=[reply(json=PROJECT), reply(text='<rdf:RDF/>', content_type='application/rdf+xml')])
    out = execute(allura_project_info.run, params(project='test', doap=True), client=client(session))
    assert out['doap'] == '<rdf:RDF/>'
    assert session.calls[1].params == {'doap': ''}


def test_missing_project_names_it():
    session = FakeSession().add('GET', '/rest/p/nope/', status=404, text=ERROR_404)
    out = execute(allura_project_info.run, params(project='nope', doap=False), client=client(session))
    assert out['failed'] is True
    assert "project 'nope' does not exist in neighborhood 'p'" in out['msg']
    assert 'secret-token' not in repr(out)


def test_unknown_user():
    session = FakeSession().add('GET', '/rest/u/ghost/profile/', status=404, text=ERROR_404)
    out = execute(allura_user_info.run, params(username='ghost'), client=client(session))
    assert out['failed'] is True
    assert "user 'ghost' does not exist" in out['msg']
