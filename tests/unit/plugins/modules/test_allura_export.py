# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import functools

import pytest
import requests

from ansible_collections.allura.forge.plugins.module_utils._client import AlluraClient
from ansible_collections.allura.forge.plugins.module_utils._module import execute
from ansible_collections.allura.forge.plugins.modules import allura_export
from ansible_collections.allura.forge.tests.unit.plugins.fake_session import FakeSession, reply

PROJECT = {'shortname': 'test', 'tools': [
    {'name': 'admin', 'mount_point': 'admin'}, {'name': 'wiki', 'mount_point': 'wiki'},
    {'name': 'tickets', 'mount_point': 'bugs'}, {'name': 'git', 'mount_point': 'code'},
    {'name': 'blog', 'mount_point': 'blog'}, {'name': 'search', 'mount_point': 'search'}]}
STATUS = '/rest/p/test/admin/export_status'
EXPORT = '/rest/p/test/admin/export'
FILENAME = 'test-backup-2026-11-28-054623.zip'
BUSY_503 = ('<html>\n <head>\n  <title>503 Service Unavailable</title>\n </head>\n <body>\n  <h1>503 Service Unavailable</h1>\n'
            '  The server is currently unavailable. Please try again at a later time.<br /><br />\n'
            'Export for project test already running\n\n\n </body>\n</html>')


class Clock:
    """A monotonic clock that only moves when the module sleeps."""

    def __init__(self):
        self.now = 100.0
        self.sleeps = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


def status(*values):
    return [reply(json={'status': v}) for v in values]


def make_session(statuses=('ready', 'busy', 'ready'), post=None):
    session = FakeSession()
    session.add('GET', '/rest/p/test/', json=PROJECT)
    session.add('GET', STATUS, responses=status(*statuses))
    session.add('POST', EXPORT, responses=post or [reply(json={'status': 'in progress', 'filename': FILENAME})])
    return session


def run(session, clock=None, check=False, diff=False, **kw):
    clock = clock or Clock()
    base = dict(server_url='https://forge.example.org', token='secret-token', neighborhood='p', retries=2, timeout=5,
                project='test', tools=['wiki', 'bugs'], wait=True, wait_timeout=600, poll_interval=5, with_attachments=False)
    base.update(kw)
    client = AlluraClient('https://forge.example.org', token='secret-token', session=session, sleep=clock.sleep, retries=2)
    return execute(functools.partial(allura_export.run, clock=clock), base, check_mode=check, diff_mode=diff, client=client)


def test_export_waits_for_ready_and_returns_filename():
    session = make_session(statuses=('ready', 'busy', 'busy', 'ready'))
    clock = Clock()
    out = run(session, clock)
    assert out['changed'] is True and out['action'] == 'export'
    assert out['filename'] == FILENAME and out['status'] == 'ready'
    assert out['waited'] == 10.0 and clock.sleeps == [5, 5]
    assert out['tools'] == ['wiki', 'bugs']
    post = session.writes()
    assert len(post) == 1 and post[0].form == {'tools': 'wiki,bugs'}
    assert 'warnings' not in out


def test_no_wait_returns_in_progress():
    session = make_session(statuses=('ready',))
    out = run(session, wait=False)
    assert out['status'] == 'in progress' and out['filename'] == FILENAME and out['waited'] == 0.0
    assert [str(c) for c in session.calls] == ['GET /rest/p/test/', 'GET ' + STATUS, 'POST ' + EXPORT]


def test_with_attachments_sent_only_when_true():
    session = make_session(statuses=('ready',))
    run(session, wait=False, with_attachments=True)
    assert session.writes()[0].form == {'tools': 'wiki,bugs', 'with_attachments': 'true'}


def test_running_export_is_waited_out_before_posting():
    session = make_session(statuses=('busy', 'busy', 'ready', 'busy', 'ready'))
    clock = Clock()
    out = run(session, clock, poll_interval=2)
    assert out['filename'] == FILENAME and out['status'] == 'ready'
    methods = [c.method for c in session.calls[1:]]
    assert methods == ['GET', 'GET', 'GET', 'POST', 'GET', 'GET']
    assert out['waited'] == 6.0


def test_503_on_post_means_busy_waits_and_posts_again():
    session = make_session(statuses=('ready', 'busy', 'ready', 'ready'),
                           post=[reply(503, text=BUSY_503), reply(json={'status': 'in progress', 'filename': FILENAME})])
    clock = Clock()
    out = run(session, clock)
    assert out['filename'] == FILENAME
    assert len(session.writes()) == 2
    assert not any('retrying' in w for w in out.get('warnings', []))  # not the generic transient-fault retry


def test_running_export_that_never_ends_fails_without_posting():
    session = make_session(statuses=('busy',))
    clock = Clock()
    out = run(session, clock, wait_timeout=12, poll_interval=5)
    assert out['failed'] is True and out['changed'] is False
    assert 'already running and has not finished within wait_timeout' in out['msg']
    assert session.writes() == []
    assert clock.sleeps == [5, 5, 2]


def test_own_export_timeout_fails_but_reports_the_start():
    session = make_session(statuses=('ready', 'busy'))
    out = run(session, wait_timeout=10)
    assert out['failed'] is True and out['changed'] is True
    assert out['filename'] == FILENAME and out['status'] == 'in progress'
    assert 'was started but has not finished within wait_timeout (10s)' in out['msg']


def test_503_until_the_deadline_fails_naming_the_server_message():
    session = make_session(statuses=('ready',), post=[reply(503, text=BUSY_503)])
    out = run(session, wait_timeout=10)
    assert out['failed'] is True and out['changed'] is False
    assert 'Export for project test already running' in out['msg']


def test_ambiguous_failure_then_busy_means_ours_started():
    session = make_session(statuses=('ready', 'busy', 'ready'),
                           post=[requests.exceptions.ConnectionError('Connection reset by peer')])
    out = run(session)
    assert len(session.writes()) == 1
    assert out['changed'] is True and out['filename'] is None and out['status'] == 'ready'
    assert any('not sending it again' in w for w in out['warnings'])
    assert any('filename unknown' in w for w in out['warnings'])


def test_ambiguous_failure_then_ready_posts_again():
    session = make_session(statuses=('ready', 'ready', 'busy', 'ready'),
                           post=[reply(502, text='bad gateway'), reply(json={'status': 'in progress', 'filename': FILENAME})])
    out = run(session)
    assert len(session.writes()) == 2 and out['filename'] == FILENAME


def test_check_mode_posts_nothing_and_reports_changed():
    session = make_session(statuses=('ready',))
    out = run(session, check=True, diff=True)
    assert out['changed'] is True and session.writes() == []
    assert out['filename'] is None and out['status'] == 'ready' and out['waited'] == 0.0
    assert out['diff'][0]['after'] == {'tools': ['wiki', 'bugs'], 'with_attachments': False}
    assert sorted(out) == sorted(run(make_session(statuses=('ready', 'ready')), diff=True))


def test_check_mode_warns_about_a_running_export_without_waiting():
    session = make_session(statuses=('busy',))
    clock = Clock()
    out = run(session, clock, check=True)
    assert out['changed'] is True and session.writes() == [] and clock.sleeps == []
    assert 'a real run waits for it' in out['warnings'][0]


def test_non_exportable_and_missing_tools_fail_before_posting():
    session = make_session()
    out = run(session, tools=['wiki', 'code', 'nope', 'search'])
    assert out['failed'] is True
    assert "'code' is a git tool, which Allura cannot export" in out['msg']
    assert "project p/test has no tool at mount point 'nope'" in out['msg']
    assert "'search' is a search tool" in out['msg']
    assert 'exportable tools of p/test: admin, blog, bugs, wiki' in out['msg']
    assert [str(c) for c in session.calls] == ['GET /rest/p/test/']


def test_admin_is_exportable_even_when_not_listed():
    session = make_session(statuses=('ready',))
    session.add('GET', '/rest/p/test/', json={'shortname': 'test', 'tools': [{'name': 'wiki', 'mount_point': 'wiki'}]})
    out = run(session, tools=['admin', 'wiki', 'wiki'], wait=False)
    assert out['tools'] == ['admin', 'wiki'] and session.writes()[0].form == {'tools': 'admin,wiki'}


def test_mount_points_are_case_sensitive():
    out = run(make_session(), tools=['Wiki'])
    assert out['failed'] is True and "no tool at mount point 'Wiki'" in out['msg']


@pytest.mark.parametrize('kw, fragment', [
    (dict(tools=[]), 'tools must list at least one mount point'),
    (dict(tools=['wiki', ' ']), "tools item ' ' is invalid"),
    (dict(tools=['wiki,bugs']), "tools item 'wiki,bugs' is invalid"),
    (dict(wait_timeout=-1), 'wait_timeout must be 0 or more seconds, got -1'),
    (dict(poll_interval=0), 'poll_interval must be a positive number of seconds, got 0'),
])
def test_bad_input_fails_before_any_request(kw, fragment):
    session = FakeSession()
    out = run(session, **kw)
    assert out['failed'] is True and fragment in out['msg']
    assert session.calls == []


def test_exports_disabled_404_says_so():
    session = make_session(statuses=('ready',), post=[reply(404, text='<div id="content_base"><p>Not found</p></div>')])
    out = run(session)
    assert out['failed'] is True and 'bulk_export_enabled is false' in out['msg']


def test_permission_denied_is_clear():
    session = FakeSession()
    session.add('GET', '/rest/p/test/', json=PROJECT)
    session.add('GET', STATUS, status=403, text='<div id="content_base"><p>Admin access required</p></div>')
    out = run(session)
    assert out['failed'] is True and out['request'] == 'GET ' + STATUS
    assert out['msg'] == ("cannot export project p/test: the user of this token lacks the 'admin' permission on the project "
                          "(Admin access required); use the token of a project admin")
