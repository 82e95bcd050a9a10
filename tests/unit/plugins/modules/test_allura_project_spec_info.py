# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import json
import re
from urllib.parse import unquote

from ansible_collections.allura.forge.plugins.modules import allura_project_spec_info as module
from ansible_collections.allura.forge.tests.unit.plugins.fake_session import FakeSession, reply
from ansible_collections.allura.forge.tests.unit.plugins.modules.info_helpers import ERROR_404, paged, run

TOOLS = [{'name': 'admin', 'mount_point': 'admin', 'mount_label': 'Admin'}, {'name': 'wiki', 'mount_point': 'wiki', 'mount_label': 'Wiki'},
         {'name': 'tickets', 'mount_point': 'bugs', 'mount_label': 'Bugs'}, {'name': 'git', 'mount_point': 'code', 'mount_label': 'Code'},
         {'name': 'link', 'mount_point': 'link', 'mount_label': 'Link'}, {'name': 'link', 'mount_point': 'home', 'mount_label': 'Home'},
         {'name': 'search', 'mount_point': 'search', 'mount_label': 'Search'}, {'name': 'activity', 'mount_point': 'activity', 'mount_label': 'A'}]
PROJECT = {'shortname': 'test', 'name': 'Test', 'summary': 'Sum', 'short_description': '', 'labels': ['a'], 'private': False,
           'external_homepage': '', 'video_url': '', 'url': 'https://forge.example.org/p/test/', 'tools': TOOLS}
MILESTONES = [{'name': '1.0', 'default': True}, {'name': '2.0', 'default': False}]


def ticket(num, summary, **fields):
    out = dict(ticket_num=num, summary=summary, description='d%d\n' % num, status='open', labels=[], assigned_to=None, private=False,
               discussion_disabled=False, custom_fields={'_public': 'False'})
    out.update(fields)
    return out


class FakeProject:
    """p/test as the REST API shows it: project JSON, link tools, a wiki, a tracker (newest first, paged), webhooks."""

    def __init__(self, tickets=(), pages=None, hooks=()):
        self.session = FakeSession()
        self.tickets = {t['ticket_num']: t for t in tickets}
        self.pages = pages if pages is not None else {'Home': 'Welcome\n', 'Other Page': 'x\r\n'}
        add = self.session.add
        add('GET', '/rest/p/test/', json=PROJECT)
        add('GET', '/rest/p/test/link/', json={'url': 'https://example.org/'})
        add('GET', '/rest/p/test/home/', json={'url': 'https://home.example.org/'})
        add('GET', '/rest/p/test/wiki/', json={'pages': list(self.pages)})
        add('GET', '/rest/p/test/wiki/([^/]+)', responses=[self.page])
        add('GET', '/rest/p/test/bugs/', responses=[self.index])
        add('GET', r'/rest/p/test/bugs/(\d+)/', responses=[self.ticket])
        add('GET', '/rest/p/test/admin/code/webhooks', json={'webhooks': list(hooks), 'limits': {}})

    def page(self, call):
        title = unquote(call.path.rsplit('/', 1)[1])
        return reply(json={'title': title, 'text': self.pages[title], 'labels': [' x', '', 'y'], 'discussion_thread': {}})

    def index(self, call):
        listed = [dict(ticket_num=n, summary=self.tickets[n]['summary']) for n in sorted(self.tickets, reverse=True)]
        body = paged(listed, 'tickets')(call)
        body._content = body._content[:-1] + b', "milestones": ' + json.dumps(MILESTONES).encode() + b'}'
        return body

    def ticket(self, call):
        return reply(json={'ticket': self.tickets[int(re.search(r'(\d+)/$', call.path).group(1))]})

    def reads(self, pattern):
        return [c for c in self.session.calls if re.search(pattern, c.path)]


def test_a_whole_project_as_the_role_takes_it():
    fields = {'_milestone': '2.0', '_public': 'True', '_estimate': 3, '_size': None, '_severity': ''}
    fake = FakeProject(tickets=[ticket(2, 'Second', assigned_to='ann', labels=['b', ' a', ''], custom_fields=fields),
                                ticket(1, 'First', status='closed', private=True)],
                       hooks=[{'_id': '1', 'type': 'repo-push', 'hook_url': 'https://ci.example.org/hook'},
                              {'_id': '2', 'type': 'repo-push', 'hook_url': 'https://ci.example.org/hook?x'}])
    out = run(module, fake.session)
    spec = out['spec']
    assert not out.get('failed') and out['changed'] is False
    assert spec['name'] == 'test' and spec['neighborhood'] == 'p'
    assert spec['fields'] == dict(name='Test', summary='Sum', short_description='', labels=['a'], private=False,
                                  external_homepage='', video_url='')
    assert spec['tools'] == [dict(tool='wiki', mount_point='wiki', mount_label='Wiki'), dict(tool='tickets', mount_point='bugs', mount_label='Bugs'),
                             dict(tool='git', mount_point='code', mount_label='Code'), dict(tool='link', mount_point='link', mount_label='Link'),
                             dict(tool='link', mount_point='home', mount_label='Home', url='https://home.example.org/')]
    assert spec['link'] == 'https://example.org/'
    assert spec['wiki'] == [dict(mount_point='wiki', title='Home', text='Welcome\n', labels=['x', 'y']),
                            dict(mount_point='wiki', title='Other Page', text='x\r\n', labels=['x', 'y'])]
    assert spec['tickets'] == [  # oldest first: a new project numbers them the same way
        dict(mount_point='bugs', summary='First', description='d1\n', status='closed', assigned_to='', labels=[], milestone='',
             private=True, discussion_disabled=False, custom_fields=dict(public=False)),
        dict(mount_point='bugs', summary='Second', description='d2\n', status='open', assigned_to='ann', labels=['b', 'a'],
             milestone='2.0', private=False, discussion_disabled=False, custom_fields=dict(public=True, estimate=3, severity=''))]
    assert spec['webhooks'] == [
        dict(mount_point='code', type='repo-push', url='https://ci.example.org/hook', secret='{{ vault_webhook_code_ci_example_org_hook }}'),
        dict(mount_point='code', type='repo-push', url='https://ci.example.org/hook?x', secret='{{ vault_webhook_code_ci_example_org_hook_2 }}')]
    assert [s['variable'] for s in out['secrets']] == ['vault_webhook_code_ci_example_org_hook', 'vault_webhook_code_ci_example_org_hook_2']
    assert out['setup'] == dict(members=['ann'], trackers=[dict(
        mount_point='bugs', statuses=['closed', 'open'], milestones=['1.0', '2.0'], milestones_used=['2.0'], assignees=['ann'],
        custom_fields={'_estimate': dict(kind='number', values=[]), '_public': dict(kind='boolean', values=[]),
                       '_severity': dict(kind='text', values=[])})])
    assert out['partial'] == [] and out['counts'] == dict(fields=7, tools=5, link=1, wiki=2, tickets=2, webhooks=2)
    assert out['source']['project'] == 'p/test' and out['source']['server_url'] == 'https://forge.example.org'
    assert fake.session.writes() == []
    assert len(fake.reads(r'/bugs/\d+/$')) == 2 and len(fake.reads('/rest/p/test/$')) == 1  # each thing read once


def test_parts_tickets_by_status_and_max_items():
    fake = FakeProject(tickets=[ticket(n, 'T%d' % n, status='closed' if n % 2 else 'open') for n in range(1, 81)])
    out = run(module, fake.session, parts=['tickets', 'fields'], ticket_status=['open'], max_items=5)
    assert list(out['spec']) == ['name', 'neighborhood', 'fields', 'tickets']
    assert [t['summary'] for t in out['spec']['tickets']] == ['T72', 'T74', 'T76', 'T78', 'T80']  # the newest, oldest first
    assert out['partial'] == ['tracker bugs: only the newest 5 tickets of status open (capture_ticket_status, capture_max_items), of 80']
    assert len(fake.reads(r'/bugs/\d+/$')) < 80  # read newest first, in chunks, until enough matched
    out = run(module, fake.session, parts=['tickets'], max_items=3)
    assert [t['summary'] for t in out['spec']['tickets']] == ['T78', 'T79', 'T80']
    assert out['partial'] == ['tracker bugs: the newest 3 of 80 tickets (capture_max_items)']
    assert run(module, fake.session, parts=['wiki'], max_items=1)['partial'] == ['wiki wiki: pages: the first 1 of 2 (capture_max_items)']


def test_tickets_a_summary_cannot_find_are_given_by_number():
    fake = FakeProject(tickets=[ticket(1, 'Same'), ticket(2, 'Same'), ticket(3, None), ticket(4, ' padded '), ticket(5, 'Own')])
    out = run(module, fake.session, parts=['tickets'])
    assert [(t.get('ticket_num'), t.get('summary')) for t in out['spec']['tickets']] == [
        (1, 'Same'), (2, 'Same'), (3, None), (4, None), (None, 'Own')]
    assert out['partial'][0] == 'tracker bugs: ticket #1 is addressed by ticket_num (tickets #1, #2 share its summary), which only finds it in this project'
    assert "allura_ticket does not take its summary ' padded '" in out['partial'][3]


def test_what_rest_cannot_address_is_left_out_and_said():
    fake = FakeProject(pages={'Home': 'x\n', 'index': 'unreachable'})
    out = run(module, fake.session, parts=['wiki'])
    assert [p['title'] for p in out['spec']['wiki']] == ['Home']
    assert out['partial'] == ["wiki wiki: page 'index' cannot be read or written over REST and is left out"]


def test_bad_input_and_a_missing_project_fail_before_anything_else_is_read():
    fake = FakeProject()
    out = run(module, fake.session, parts=[])
    assert out['failed'] and 'parts must name at least one part' in out['msg'] and fake.session.calls == []
    out = run(module, fake.session, ticket_status=[])
    assert out['failed'] and 'ticket_status must list at least one status' in out['msg']
    for bad in (dict(parallel=0), dict(max_items=0)):
        assert 'out of range' in run(module, fake.session, **bad)['msg']
    assert fake.session.calls == []
    missing = FakeSession().add('GET', '/rest/p/test/', status=404, text=ERROR_404)
    out = run(module, missing)
    assert out['failed'] and out['msg'] == "project 'test' does not exist in neighborhood 'p', or this user cannot see it"
    assert out['missing'] == 'project' and [c.path for c in missing.calls] == ['/rest/p/test/']


def test_webhooks_need_an_admin_token():
    fake = FakeProject()
    fake.session.add('GET', '/rest/p/test/admin/code/webhooks', status=403,
                     text='<html><div id="content_base"><p>Admin access required</p></div></html>')
    out = run(module, fake.session, parts=['webhooks'])
    assert out['failed'] and out['status'] == 403
    assert out['msg'] == ("cannot read the webhooks of p/test code: the user of this token lacks the 'admin' permission on "
                          "project p/test (Admin access required); use the token of a project admin (or leave webhooks out "
                          "of the parts to capture)")


def test_progress_is_reported_per_part():
    from ansible_collections.allura.forge.plugins.module_utils._capture import Capture, capture
    from ansible_collections.allura.forge.plugins.module_utils._client import AlluraClient
    from ansible_collections.allura.forge.plugins.module_utils._project import Project
    fake = FakeProject(tickets=[ticket(1, 'One')])
    client = AlluraClient('https://forge.example.org', token='t', session=fake.session, sleep=lambda s: None, retries=0)
    said = []
    capture(Capture(Project(client, 'p', 'test'), progress=said.append), ['wiki', 'tickets'])
    assert [re.sub(r'[\d.]+s$', 'Ns', line) for line in said] == ['p/test: wiki: 2 read in Ns', 'p/test: tickets: 1 read in Ns']


def test_pages_are_captured_by_title_whatever_order_they_were_created_in():
    fake = FakeProject(pages={'Zeta': 'z\n', 'Home': 'h\n', 'Alpha': 'a\n'})  # listed in the order they were created
    out = run(module, fake.session, parts=['wiki'])
    assert [p['title'] for p in out['spec']['wiki']] == ['Alpha', 'Home', 'Zeta']
