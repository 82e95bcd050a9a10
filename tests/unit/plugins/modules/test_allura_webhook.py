# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest
import requests

from ansible_collections.allura.forge.plugins.module_utils._client import AlluraClient
from ansible_collections.allura.forge.plugins.module_utils._module import execute
from ansible_collections.allura.forge.plugins.modules import allura_webhook
from ansible_collections.allura.forge.plugins.modules.allura_webhook import normalise_url
from ansible_collections.allura.forge.tests.unit.plugins.fake_session import FakeSession, reply

SECRET = 'hook-secret-value'
PROJECT = {'shortname': 'test', 'tools': [
    {'name': 'admin', 'mount_point': 'admin'}, {'name': 'wiki', 'mount_point': 'wiki'},
    {'name': 'git', 'mount_point': 'code'}, {'name': 'svn', 'mount_point': 'Old.repo'}]}
HOOKS = '/rest/p/test/admin/code/webhooks'
CREATE = HOOKS + '/repo-push'
HOOK_ID = '6b0a6aab09bf77c467db0160'
ERROR_404 = '<html><title>A 404 Error has Occurred</title><div id="content_base"><p>We are sorry</p></div></html>'


def hook(url='http://ci.example.org/hook', hook_id=HOOK_ID, mod='2026-11-28 05:46:19.875000'):
    return {'_id': hook_id, 'url': 'https://forge.example.org%s/repo-push/%s' % (HOOKS, hook_id), 'type': 'repo-push',
            'hook_url': url, 'mod_date': mod}


def listing(*hooks, used=None):
    return {'webhooks': list(hooks), 'limits': {'repo-push': {'max': 3, 'used': len(hooks) if used is None else used}}}


def params(**kw):
    base = dict(server_url='https://forge.example.org', token='secret-token', neighborhood='p', retries=2, timeout=5,
                project='test', mount_point='code', type='repo-push', url='https://ci.example.org/hook', secret=None,
                update_secret='on_create', state='present')
    base.update(kw)
    return base


def session_with(*hooks, used=None):
    session = FakeSession()
    session.add('GET', '/rest/p/test/', json=PROJECT)
    session.add('GET', HOOKS, json=listing(*hooks, used=used))
    return session


def run(session, check=False, diff=True, **kw):
    client = AlluraClient('https://forge.example.org', token='secret-token', session=session, sleep=lambda s: None, retries=2)
    return execute(allura_webhook.run, params(**kw), check_mode=check, diff_mode=diff, client=client)


@pytest.mark.parametrize('given, stored', [
    ('ci.example.org/hook', 'http://ci.example.org/hook'),
    ('  https://ci.example.org/hook \n', 'https://ci.example.org/hook'),
    ('HTTPS://CI.Example.ORG/Hook', 'https://CI.Example.ORG/Hook'),
    ('HtTp://ci.example.org', 'http://ci.example.org'),
    ('127.0.0.1:8080/x', 'http://127.0.0.1:8080/x'),
    ('Git+SSH://example.org/x', 'git+ssh://example.org/x'),
    ('http://bücher.example/hook', 'http://xn--bcher-kva.example/hook'),
])
def test_url_normalised_like_the_server(given, stored):
    assert normalise_url(given) == stored


def test_create_sends_secret_once_and_returns_hook_without_it():
    session = session_with()
    session.add('POST', CREATE, status=201, json=hook('https://ci.example.org/hook'))
    out = run(session, secret=SECRET)
    assert out['changed'] is True and out['action'] == 'create'
    assert [c.path for c in session.writes()] == [CREATE]
    assert session.writes()[0].form == {'url': 'https://ci.example.org/hook', 'secret': SECRET}
    assert out['webhook'] == {'id': HOOK_ID, 'url': hook()['url'], 'hook_url': 'https://ci.example.org/hook',
                              'type': 'repo-push', 'mod_date': '2026-11-28 05:46:19.875000'}
    assert out['diff'][0]['before'] == {}
    assert out['diff'][0]['after'] == {'hook_url': 'https://ci.example.org/hook', 'type': 'repo-push'}
    assert SECRET not in repr(out) and 'secret-token' not in repr(out)


def test_create_without_secret_sends_no_secret_field():
    session = session_with()
    session.add('POST', CREATE, status=201, json=hook('https://ci.example.org/hook'))
    run(session)
    assert session.writes()[0].form == {'url': 'https://ci.example.org/hook'}


def test_check_mode_create_predicts_and_writes_nothing():
    session = session_with()
    out = run(session, check=True, secret=SECRET)
    assert out['changed'] is True and out['action'] == 'create'
    assert session.writes() == []
    assert out['webhook'] == {'id': None, 'url': None, 'hook_url': 'https://ci.example.org/hook', 'type': 'repo-push', 'mod_date': None}
    assert out['diff'][0]['after'] == {'hook_url': 'https://ci.example.org/hook', 'type': 'repo-push'}
    assert SECRET not in repr(out)


def test_existing_hook_without_scheme_is_ok_and_two_reads():
    session = session_with(hook('http://ci.example.org/hook'))
    out = run(session, url='ci.example.org/hook')
    assert out['changed'] is False and out['action'] == 'none'
    assert out['webhook']['id'] == HOOK_ID
    assert out['diff'] == []
    assert [str(c) for c in session.calls] == ['GET /rest/p/test/', 'GET ' + HOOKS]
    assert 'warnings' not in out


def test_host_case_is_another_hook():
    session = session_with(hook('http://ci.example.org/hook'))
    session.add('POST', CREATE, status=201, json=hook('http://CI.example.org/hook', hook_id='x2'))
    out = run(session, url='http://CI.example.org/hook')
    assert out['action'] == 'create'


def test_secret_on_existing_hook_is_not_sent_and_no_warning_is_given():
    session = session_with(hook('https://ci.example.org/hook'))
    out = run(session, secret=SECRET)
    assert out['changed'] is False and session.writes() == []
    assert 'warnings' not in out  # said once, in the documentation of update_secret: a no-change run warns of nothing
    assert SECRET not in repr(out)


def test_update_secret_always_resends_and_reports_redacted():
    session = session_with(hook('https://ci.example.org/hook'))
    session.add('POST', CREATE + '/' + HOOK_ID, json=hook('https://ci.example.org/hook', mod='2026-11-28 06:00:00'))
    out = run(session, secret=SECRET, update_secret='always')
    assert out['changed'] is True and out['action'] == 'update'
    assert [(c.path, c.form) for c in session.writes()] == [(CREATE + '/' + HOOK_ID, {'secret': SECRET})]
    assert out['diff'][0]['before'] == {'secret': '<hidden>'} and out['diff'][0]['after'] == {'secret': '<hidden>'}
    assert out['webhook']['mod_date'] == '2026-11-28 06:00:00'
    assert 'warnings' not in out
    assert SECRET not in repr(out)


def test_update_secret_always_in_check_mode_writes_nothing():
    session = session_with(hook('https://ci.example.org/hook'))
    out = run(session, check=True, secret=SECRET, update_secret='always')
    assert out['changed'] is True and out['action'] == 'update' and session.writes() == []
    assert out['diff'][0]['after'] == {'secret': '<hidden>'}


def test_update_secret_always_without_secret_changes_nothing():
    session = session_with(hook('https://ci.example.org/hook'))
    out = run(session, update_secret='always')
    assert out['changed'] is False and session.writes() == []


def test_limit_reached_fails_with_server_numbers():
    hooks = [hook('http://h%d.example.org/' % i, hook_id='id%d' % i) for i in range(3)]
    session = session_with(*hooks)
    session.add('POST', CREATE, status=400, json={
        'result': 'error', 'limits': {'max': 3, 'used': 3},
        'error': 'You have exceeded the maximum number of webhooks you are allowed to create for this project/app'})
    out = run(session, secret=SECRET)
    assert out['failed'] is True and out['changed'] is False
    assert out['limits'] == {'max': 3, 'used': 3}
    assert 'allows 3 per tool and 3 exist' in out['msg'] and 'p/test/code' in out['msg']
    assert len(session.writes()) == 1
    assert SECRET not in repr(out)


def test_limit_reached_in_check_mode_warns():
    hooks = [hook('http://h%d.example.org/' % i, hook_id='id%d' % i) for i in range(3)]
    out = run(session_with(*hooks), check=True)
    assert out['changed'] is True
    assert 'creating it will fail' in out['warnings'][0]


def test_wiki_mount_point_fails_before_any_webhook_request():
    session = session_with()
    out = run(session, mount_point='wiki')
    assert out['failed'] is True
    assert "mount_point 'wiki' of project p/test is a wiki tool" in out['msg'] and 'git or svn or hg' in out['msg']
    assert [str(c) for c in session.calls] == ['GET /rest/p/test/']


def test_missing_mount_point_lists_repositories():
    session = session_with()
    out = run(session, mount_point='repo')
    assert out['failed'] is True
    assert "no tool at mount_point 'repo'" in out['msg'] and 'code, Old.repo' in out['msg']


@pytest.mark.parametrize('kw, fragment', [
    (dict(url=''), 'url must not be empty'),
    (dict(url='   '), 'url must not be empty'),
    (dict(url='ftp://example.org/x'), "url 'ftp://example.org/x' is invalid"),
    (dict(url='localhost:8080/hook'), "the server reads 'localhost' as its scheme"),
    (dict(url='my.host:8080/hook'), "the server reads 'my.host' as its scheme"),
    (dict(url='http://exa mple.org/'), "url 'http://exa mple.org/' is invalid"),
    (dict(url='http:///path'), "url 'http:///path' is invalid"),
    (dict(mount_point='Bad Name!'), "mount_point 'Bad Name!' is invalid"),
    (dict(mount_point='a/b'), "mount_point 'a/b' is invalid"),
    (dict(type='Repo Push'), "type 'Repo Push' is invalid"),
    (dict(secret=''), 'secret must not be empty'),
])
def test_bad_input_fails_before_any_request(kw, fragment):
    session = FakeSession()
    out = run(session, **kw)
    assert out['failed'] is True and fragment in out['msg']
    assert session.calls == []


def test_scheme_hint_only_when_the_input_had_no_scheme():
    out = run(FakeSession(), url='ftp://example.org/x')
    assert 'as its scheme' not in out['msg']


def test_unknown_type_fails_before_writing():
    session = session_with()
    out = run(session, type='repo-pull')
    assert out['failed'] is True
    assert "type 'repo-pull' is not a webhook type of p/test/code (available: repo-push)" in out['msg']
    assert session.writes() == []


def test_absent_deletes_by_id_then_ok():
    session = session_with(hook('https://ci.example.org/hook'), hook('https://other.example.org/', hook_id='other'))
    session.add('DELETE', CREATE + '/' + HOOK_ID, json={'result': 'ok'})
    out = run(session, state='absent')
    assert out['changed'] is True and out['action'] == 'delete' and out['webhook'] == {}
    assert [str(c) for c in session.writes()] == ['DELETE %s/%s' % (CREATE, HOOK_ID)]
    assert out['diff'][0]['before']['hook_url'] == 'https://ci.example.org/hook' and out['diff'][0]['after'] == {}

    again = run(session_with(hook('https://other.example.org/', hook_id='other')), state='absent')
    assert again['changed'] is False and again['action'] == 'none' and again['diff'] == []


def test_absent_404_on_delete_counts_as_gone():
    session = session_with(hook('https://ci.example.org/hook'))
    session.add('DELETE', CREATE + '/' + HOOK_ID, status=404, text=ERROR_404)
    out = run(session, state='absent')
    assert out['changed'] is True and 'failed' not in out


def test_absent_in_check_mode_writes_nothing():
    session = session_with(hook('https://ci.example.org/hook'))
    out = run(session, check=True, state='absent')
    assert out['changed'] is True and session.writes() == []


def test_duplicates_on_the_server_are_all_deleted_and_warned_on_present():
    dup = [hook('https://ci.example.org/hook'), hook('https://ci.example.org/hook', hook_id='dup')]
    out = run(session_with(*dup))
    assert out['changed'] is False and out['webhook']['id'] == HOOK_ID
    assert 'holds 2 webhooks with this URL' in out['warnings'][0]
    session = session_with(*dup)
    session.add('DELETE', CREATE + '/.*', json={'result': 'ok'})
    run(session, state='absent')
    assert [c.path.rsplit('/', 1)[1] for c in session.writes()] == [HOOK_ID, 'dup']


def test_connection_reset_after_create_is_not_sent_again():
    """The server created the hook but the answer was lost: a re-list finds it, no second POST."""
    created = hook('https://ci.example.org/hook')
    session = FakeSession()
    session.add('GET', '/rest/p/test/', json=PROJECT)
    session.add('GET', HOOKS, responses=[reply(json=listing()), reply(json=listing(created))])
    session.add('POST', CREATE, responses=[requests.exceptions.ConnectionError('Connection reset by peer')])
    out = run(session, secret=SECRET)
    assert out['changed'] is True and out['action'] == 'create'
    assert len(session.writes()) == 1
    assert out['webhook']['id'] == HOOK_ID
    assert any('not sending it again' in w for w in out['warnings'])


def test_gateway_error_before_create_retries_once_it_is_not_there():
    session = FakeSession()
    session.add('GET', '/rest/p/test/', json=PROJECT)
    session.add('GET', HOOKS, json=listing())
    session.add('POST', CREATE, responses=[reply(502, text='bad gateway'), reply(201, json=hook('https://ci.example.org/hook'))])
    out = run(session)
    assert out['changed'] is True and len(session.writes()) == 2


def test_duplicate_answer_after_a_concurrent_create_counts_as_converged():
    session = FakeSession()
    session.add('GET', '/rest/p/test/', json=PROJECT)
    session.add('GET', HOOKS, responses=[reply(json=listing()), reply(json=listing(hook('https://ci.example.org/hook')))])
    session.add('POST', CREATE, status=400, json={
        'result': 'error', 'error': '_the_form: "repo-push" webhook already exists for Code https://ci.example.org/hook'})
    out = run(session)
    # another run created it since the listing was read: this run changed nothing, and says why it did not create it
    assert out['changed'] is False and out['action'] == 'none' and out['webhook']['id'] == HOOK_ID
    assert [w for w in out['warnings'] if 'was created meanwhile by another run' in w]
    assert len(session.writes()) == 1


def test_duplicate_answer_with_update_secret_always_sends_the_secret_to_the_existing_hook():
    session = FakeSession()
    session.add('GET', '/rest/p/test/', json=PROJECT)
    session.add('GET', HOOKS, responses=[reply(json=listing()), reply(json=listing(hook('https://ci.example.org/hook')))])
    session.add('POST', CREATE, status=400, json={
        'result': 'error', 'error': '_the_form: "repo-push" webhook already exists for Code https://ci.example.org/hook'})
    session.add('POST', CREATE + '/' + HOOK_ID, json=hook('https://ci.example.org/hook'))
    out = run(session, secret='s3cret', update_secret='always')
    assert out['action'] == 'update' and [c.form for c in session.writes()][-1] == {'secret': 's3cret'}


def test_server_validation_error_is_reported():
    session = session_with()
    session.add('POST', CREATE, status=400, json={'result': 'error', 'error': {'url': 'Invalid URL.'}})
    out = run(session, url='https://10.0.0.1/hook')
    assert out['failed'] is True and 'was refused: url: Invalid URL.' in out['msg']


def test_permission_denied_is_clear():
    session = FakeSession()
    session.add('GET', '/rest/p/test/', json=PROJECT)
    session.add('GET', HOOKS, status=403, text='<div id="content_base"><p>Admin access required</p></div>')
    out = run(session)
    assert out['failed'] is True
    assert out['request'] == 'GET %s' % HOOKS and out['msg'] == (
        "cannot list the webhooks of p/test/code: the user of this token lacks the 'admin' permission on project p/test (Admin "
        "access required); use the token of a project admin")


# -- webhooks: many webhooks in one task -----------------------------------------------------------

OLD_HOOKS = '/rest/p/test/admin/Old.repo/webhooks'


def bulk_session(code=(), old=()):
    session = FakeSession()
    session.add('GET', '/rest/p/test/', json=PROJECT)
    session.add('GET', HOOKS, json=listing(*code))
    session.add('GET', OLD_HOOKS, json=listing(*old))
    session.add('POST', CREATE, responses=[lambda call: reply(201, json=hook(call.form['url'], hook_id='new-' + call.form['url'][-1]))])
    session.add('POST', OLD_HOOKS + '/repo-push', responses=[lambda call: reply(201, json=hook(call.form['url'], hook_id='old'))])
    session.add('DELETE', CREATE + '/.*', json={'result': 'ok'})
    return session


def run_bulk(session, hooks, check=False, **kw):
    return run(session, check=check, url=None, webhooks=hooks, **kw)


HOOK_LIST = [{'url': 'https://ci.example.org/hook', 'secret': SECRET},
             {'url': 'https://ci.example.org/2', 'secret': SECRET},
             {'mount_point': 'Old.repo', 'url': 'https://old.example.org/x'},
             {'url': 'https://gone.example.org/', 'state': 'absent'}]
LIVE_CODE = (hook('https://ci.example.org/hook'), hook('https://gone.example.org/', hook_id='gone'))


def test_bulk_one_project_read_one_listing_per_repository():
    session = bulk_session(code=LIVE_CODE)
    out = run_bulk(session, HOOK_LIST)
    assert out['changed'] is True
    assert out['summary'] == {'created': 2, 'updated': 0, 'deleted': 1, 'unchanged': 1}
    assert [h['action'] for h in out['webhooks']] == ['none', 'create', 'create', 'delete']
    assert out['webhooks'][0]['id'] == HOOK_ID and out['webhooks'][3] == {'action': 'delete'}
    reads = sorted(str(c) for c in session.calls if c.method == 'GET')
    assert reads == sorted(['GET %s' % OLD_HOOKS, 'GET %s' % HOOKS, 'GET /rest/p/test/'])
    assert [(c.method, c.path, c.form.get('secret')) for c in session.writes()] == [
        ('POST', CREATE, SECRET), ('POST', OLD_HOOKS + '/repo-push', None), ('DELETE', CREATE + '/gone', None)]
    assert [d['before_header'] for d in out['diff']] == [
        'repo-push webhook https://ci.example.org/2 of p/test/code', 'repo-push webhook https://old.example.org/x of p/test/Old.repo',
        'repo-push webhook https://gone.example.org/ of p/test/code']
    assert out['diff'][2]['before'] == {'hook_url': 'https://gone.example.org/', 'type': 'repo-push', 'id': 'gone'}
    assert out['diff'][2]['after'] == {}
    assert SECRET not in repr(out)
    assert 'warnings' not in out


def test_bulk_check_mode_predicts_exactly_and_writes_nothing():
    session = bulk_session(code=LIVE_CODE)
    check = run_bulk(session, HOOK_LIST, check=True)
    assert session.writes() == []
    real = run_bulk(bulk_session(code=LIVE_CODE), HOOK_LIST)
    assert check['summary'] == real['summary'] and check['diff'] == real['diff'] and check['changed'] is True
    assert [h['action'] for h in check['webhooks']] == [h['action'] for h in real['webhooks']]
    assert check['webhooks'][1] == {'id': None, 'url': None, 'hook_url': 'https://ci.example.org/2', 'type': 'repo-push',
                                    'mod_date': None, 'action': 'create'}


def test_bulk_rerun_is_reads_only():
    live = (hook('https://ci.example.org/hook'), hook('https://ci.example.org/2', hook_id='two'))
    session = bulk_session(code=live, old=(hook('https://old.example.org/x', hook_id='old'),))
    out = run_bulk(session, HOOK_LIST)
    assert out['changed'] is False and out['summary'] == {'created': 0, 'updated': 0, 'deleted': 0, 'unchanged': 4}
    assert session.writes() == [] and len(session.calls) == 3


def test_bulk_check_mode_counts_the_limit_over_the_items():
    session = bulk_session(code=(hook('https://a.example.org/', hook_id='a'),))
    hooks = [{'url': 'https://b.example.org/'}, {'url': 'https://c.example.org/'}, {'url': 'https://d.example.org/'}]
    out = run_bulk(session, hooks, check=True)
    assert len(out['warnings']) == 1 and 'https://d.example.org/' in out['warnings'][0]
    assert 'creating it will fail' in out['warnings'][0]


def test_bulk_bad_items_fail_naming_them_before_any_request():
    session = FakeSession()
    out = run_bulk(session, [{'url': 'https://a.example.org/'}, {'url': 'ftp://x'}])
    assert out['failed'] is True and out['msg'].startswith("webhooks[1].url 'ftp://x' is invalid")
    out = run_bulk(session, [{'url': 'https://a.example.org/'}, {'url': ' https://a.example.org/'}])
    assert out['failed'] is True
    assert out['msg'].startswith("webhooks[1].url 'https://a.example.org/' is also given by webhooks[0]")
    out = run_bulk(session, [{'url': 'https://a.example.org/', 'secret': ''}])
    assert out['failed'] is True and out['msg'].startswith('webhooks[0].secret must not be empty')
    out = run_bulk(session, [])
    assert out['failed'] is True and 'at least one webhook' in out['msg']
    out = run(session, webhooks=[{'url': 'https://a.example.org/'}], secret=SECRET)
    assert out['failed'] is True and 'mutually exclusive with secret' in out['msg']
    out = run_bulk(session, [{'url': 'https://a.example.org/'}], parallel=0)
    assert out['failed'] is True and 'parallel 0 is out of range' in out['msg']
    assert session.calls == []
    assert SECRET not in repr(out)


def test_bulk_item_on_a_wiki_fails_naming_it_before_any_write():
    session = bulk_session()
    out = run_bulk(session, [{'url': 'https://a.example.org/'}, {'mount_point': 'wiki', 'url': 'https://b.example.org/'}])
    assert out['failed'] is True and out['msg'].startswith("webhooks[1]: mount_point 'wiki' of project p/test is a wiki tool")
    assert session.writes() == []


def test_bulk_unknown_type_fails_naming_the_item_before_any_write():
    session = bulk_session()
    out = run_bulk(session, [{'url': 'https://a.example.org/'}, {'url': 'https://a.example.org/', 'type': 'repo-pull'}])
    assert out['failed'] is True and out['msg'].startswith("webhooks[1].type 'repo-pull' is not a webhook type")
    assert session.writes() == []


def test_bulk_failure_names_the_item_and_keeps_the_ones_before():
    session = bulk_session()
    session.add('POST', CREATE, responses=[reply(201, json=hook('https://a.example.org/')),
                                           reply(400, json={'result': 'error', 'error': {'url': 'Invalid URL.'}})])
    out = run_bulk(session, [{'url': 'https://a.example.org/', 'secret': SECRET}, {'url': 'https://10.0.0.1/', 'secret': SECRET}])
    assert out['failed'] is True and out['changed'] is True
    assert out['msg'].startswith('webhooks[1]: POST %s was refused: url: Invalid URL.' % CREATE)
    assert 'before it, 1 webhooks were converged: 1 created' in out['msg']
    assert out['webhooks'] == [dict(public_hook('https://a.example.org/'), action='create')]
    assert SECRET not in repr(out)


def public_hook(url):
    return allura_webhook.public(hook(url))


def test_bulk_secret_of_an_item_is_hidden_by_the_argument_spec():
    from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
    from ansible_collections.allura.forge.plugins.module_utils._module import argument_spec
    validated = ArgumentSpecValidator(argument_spec(allura_webhook.ARGUMENT_SPEC), mutually_exclusive=allura_webhook.MUTUALLY_EXCLUSIVE,
                                      required_one_of=allura_webhook.REQUIRED_ONE_OF).validate(
        dict(project='test', webhooks=[{'url': 'https://a.example.org/', 'secret': SECRET}]))
    assert not validated.error_messages
    assert SECRET in validated._no_log_values
    assert validated.validated_parameters['webhooks'][0]['mount_point'] == 'code'
    assert validated.validated_parameters['webhooks'][0]['update_secret'] == 'on_create'
    both = ArgumentSpecValidator(argument_spec(allura_webhook.ARGUMENT_SPEC), mutually_exclusive=allura_webhook.MUTUALLY_EXCLUSIVE,
                                 required_one_of=allura_webhook.REQUIRED_ONE_OF).validate(
        dict(project='test', mount_point='code', webhooks=[{'url': 'https://a.example.org/'}]))
    assert 'mutually exclusive' in ' '.join(both.error_messages)


# -- purge: the webhooks of the named repositories that no item lists -------------------------------

STRAY = hook('https://stray.example.org/x', hook_id='stray')


def test_purge_deletes_only_unlisted_hooks_of_the_named_repositories():
    old_stray = hook('https://old-stray.example.org/', hook_id='oldstray')
    session = bulk_session(code=(hook('https://ci.example.org/hook'), STRAY), old=(old_stray,))
    out = run_bulk(session, [{'url': 'https://ci.example.org/hook'}], purge=True)
    # Old.repo is named by no item: its webhook stays, and it is not even read
    assert [(c.method, c.path) for c in session.writes()] == [('DELETE', CREATE + '/stray')]
    assert 'GET %s' % OLD_HOOKS not in [str(c) for c in session.calls]
    assert out['summary'] == {'created': 0, 'updated': 0, 'deleted': 1, 'unchanged': 1}
    assert out['webhooks'][1] == {'id': 'stray', 'url': STRAY['url'], 'hook_url': 'https://stray.example.org/x', 'type': 'repo-push',
                                  'mod_date': STRAY['mod_date'], 'mount_point': 'code', 'action': 'delete'}
    assert out['diff'][0]['before'] == {'hook_url': 'https://stray.example.org/x', 'type': 'repo-push', 'id': 'stray'}


def test_purge_check_mode_predicts_each_deletion_and_a_rerun_changes_nothing():
    live = (hook('https://ci.example.org/hook'), STRAY)
    check = run_bulk(bulk_session(code=live), [{'url': 'https://ci.example.org/hook'}], check=True, purge=True)
    session = bulk_session(code=live)
    real = run_bulk(session, [{'url': 'https://ci.example.org/hook'}], purge=True)
    assert check['changed'] is True and check['webhooks'] == real['webhooks'] and check['diff'] == real['diff']
    again = run_bulk(bulk_session(code=(hook('https://ci.example.org/hook'),)), [{'url': 'https://ci.example.org/hook'}], purge=True)
    assert again['changed'] is False and again['summary']['deleted'] == 0


def test_purge_keeps_listed_absent_and_present_items_once():
    session = bulk_session(code=(hook('https://ci.example.org/hook'), STRAY))
    out = run_bulk(session, [{'url': 'https://ci.example.org/hook'}, {'url': 'https://stray.example.org/x', 'state': 'absent'}], purge=True)
    assert [c.path for c in session.writes()] == [CREATE + '/stray']
    assert [h['action'] for h in out['webhooks']] == ['none', 'delete']


def test_purge_max_fails_naming_them_before_any_write():
    strays = [hook('https://stray.example.org/%d' % n, hook_id='s%d' % n) for n in range(3)]
    session = bulk_session(code=strays)
    out = run_bulk(session, [{'url': 'https://ci.example.org/hook'}], purge=True, purge_max=2)
    assert out['failed'] is True and session.writes() == []
    assert out['msg'].startswith('purge would delete 3 webhooks, more than purge_max 2: repo-push webhook https://stray.example.org/0 of '
                                 'p/test/code, ')
    assert 'nothing was changed' in out['msg']
    assert out['purge'][2] == {'id': 's2', 'url': strays[2]['url'], 'hook_url': 'https://stray.example.org/2', 'type': 'repo-push',
                               'mod_date': strays[2]['mod_date'], 'mount_point': 'code'}


@pytest.mark.parametrize('body', [{'limits': {}}, {'webhooks': None}, {'webhooks': 'x'}])
def test_purge_never_reads_a_broken_listing_as_empty(body):
    session = FakeSession()
    session.add('GET', '/rest/p/test/', json=PROJECT)
    session.add('GET', HOOKS, json=body)
    session.add('POST', CREATE, status=201, json=hook())
    out = run_bulk(session, [{'url': 'http://ci.example.org/hook'}], purge=True)
    assert out['failed'] is True and session.writes() == []
    assert out['msg'] == 'the webhook list of p/test/code has no list of webhooks: nothing is purged'


def test_purge_after_a_failed_listing_deletes_nothing():
    session = FakeSession()
    session.add('GET', '/rest/p/test/', json=PROJECT)
    session.add('GET', HOOKS, status=502, text='bad gateway')
    session.add('DELETE', CREATE + '/.*', json={'result': 'ok'})
    out = run_bulk(session, [{'url': 'http://ci.example.org/hook'}], purge=True)
    assert out['failed'] is True and session.writes() == []


@pytest.mark.parametrize('kw, fragment', [
    (dict(purge=True, webhooks=None), 'purge needs webhooks'),
    (dict(purge=True, purge_max=-1, webhooks=[{'url': 'https://x.example.org/'}], url=None), 'purge_max -1 is out of range'),
])
def test_purge_bad_input_fails_before_any_request(kw, fragment):
    session = FakeSession()
    out = run(session, **kw)
    assert out['failed'] is True and fragment in out['msg'] and session.calls == []
