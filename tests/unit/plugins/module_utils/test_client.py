# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
from oauthlib.oauth1 import RequestValidator, ResourceEndpoint

from ansible_collections.allura.forge.plugins.module_utils._client import (
    AlluraClient, AlluraError, Denied, ParameterError, retry_after_seconds, server_message)
from ansible_collections.allura.forge.tests.unit.plugins.fake_session import FakeSession, closed_port, real_error, reply

BASE = 'https://forge.example.org'
TOKEN = 'a0000000000000000001'
WEBOB_400 = ('<html>\n <head>\n  <title>400 Bad Request</title>\n </head>\n <body>\n  <h1>400 Bad Request</h1>\n  The server could not '
             'comply with the request since it is either malformed or otherwise incorrect.<br /><br />\nThat is not a valid URL\n\n\n </body>\n</html>')
ERROR_403 = ('<!DOCTYPE html><html><head><title>A 403 Error has Occurred</title></head><body><div id="content_base">'
             '<h2 class="dark title"><span>Error 403</span></h2><div>\n  <p>Admin access required</p>\n</div></div>'
             '<footer><p>This project is powered by Allura</p></footer></body></html>')


class FakeClock:
    """Time that passes only when the client sleeps; records the sleeps."""

    def __init__(self, sleeps):
        self.now, self.sleeps = 1000.0, sleeps

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


def make(session=None, sleeps=None, **kw):
    kw.setdefault('token', TOKEN)
    kw.setdefault('retries', 3)
    kw.setdefault('environ', {})  # not this machine's proxy or CA bundle variables
    clock = FakeClock(sleeps if sleeps is not None else [])
    return AlluraClient(kw.pop('server_url', BASE), session=session or FakeSession(), sleep=clock.sleep, clock=clock, **kw)


# -- URLs, quoting, headers -----------------------------------------------------------------------

@pytest.mark.parametrize('title, quoted', [
    ('Home', 'Home'),
    ('Page With Spaces', 'Page%20With%20Spaces'),
    ('Café 100% sûr', 'Caf%C3%A9%20100%25%20s%C3%BBr'),
    ('New+Page', 'New%2BPage'),
    ('dotted.json', 'dotted.json'),
    ('a?b#c', 'a%3Fb%23c'),
])
def test_path_quotes_every_segment_exactly(title, quoted):
    assert AlluraClient.path('p', 'test', 'wiki', title, trailing_slash=False) == '/rest/p/test/wiki/' + quoted


def test_slash_in_a_segment_is_refused_before_sending():
    with pytest.raises(ParameterError, match='contains "/"'):
        AlluraClient.path('p', 'test', 'wiki', 'a/b')


def test_bearer_header_form_encoding_and_accept():
    session = FakeSession().add('POST', '/rest/p/test/link/', json={'url': 'http://x.org'})
    client = make(session)
    client.post(client.path('p', 'test', 'link'), {'url': 'http://x.org', 'flag': True, 'skip': None})
    call = session.calls[0]
    assert call.headers['Authorization'] == 'Bearer ' + TOKEN
    assert call.headers['Accept'] == 'application/json'
    assert call.data == [('url', 'http://x.org'), ('flag', 'true')]
    assert TOKEN not in call.url and 'access_token' not in call.url


def test_token_loses_surrounding_whitespace():
    session = FakeSession()
    make(session, token=' %s\n' % TOKEN)
    assert session.headers['Authorization'] == 'Bearer ' + TOKEN
    real = make(requests.Session(), token=TOKEN + '\r\n')
    requests.Request('GET', BASE + '/rest/', headers=real.session.headers).prepare()  # a valid header


@pytest.mark.parametrize('token', ['a000000000\n0000000001', 'a0000000 00000000001', 'a000000000000000000\u00e9', ' \n '])
def test_token_with_characters_a_header_cannot_carry_is_refused_without_showing_it(token):
    with pytest.raises(ParameterError, match='token contains a line break, a space or another character') as info:
        make(token=token)
    for part in token.split():
        assert part not in str(info.value)


def test_token_never_sent_over_plain_http_to_a_remote_host():
    with pytest.raises(ParameterError, match='refusing to send credentials over plain http to forge.example.org'):
        make(server_url='http://forge.example.org')


@pytest.mark.parametrize('url', ['http://127.0.0.1:8080', 'http://localhost:1234', 'http://[::1]:80'])
def test_plain_http_allowed_for_loopback(url):
    assert make(server_url=url).base == url


def test_plain_http_without_credentials_is_fine():
    assert make(server_url='http://forge.example.org', token=None).authenticated is False


def test_token_and_oauth_are_exclusive():
    with pytest.raises(ParameterError, match='mutually exclusive'):
        make(oauth=dict(oauth_consumer_key='k', oauth_consumer_secret='s', oauth_token='t', oauth_token_secret='ts'))


def test_oauth_needs_all_four():
    with pytest.raises(ParameterError, match='missing: oauth_token_secret'):
        make(token=None, oauth=dict(oauth_consumer_key='k', oauth_consumer_secret='s', oauth_token='t', oauth_token_secret=None))


def test_bad_server_url():
    with pytest.raises(ParameterError, match='server_url must be an http'):
        make(server_url='forge.example.org')


def test_validate_certs_and_ca_path(tmp_path):
    ca = tmp_path / 'ca.pem'
    ca.write_text('-', encoding='ascii')
    assert make(validate_certs=False).session.verify is False
    assert make(ca_path=str(ca)).session.verify == str(ca)
    assert make().session.verify is True


class _Validator(RequestValidator):
    """Accepts one consumer and one access token, as the sandbox does."""
    enforce_ssl = False
    safe_characters = set('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-')

    @property
    def dummy_client(self):
        return 'dummy'

    @property
    def dummy_access_token(self):
        return 'dummy'

    def check_client_key(self, client_key):
        return True

    def check_access_token(self, request_token):
        return True

    def check_nonce(self, nonce):
        return True

    def validate_client_key(self, client_key, request):
        return client_key == 'consumer-key'

    def validate_access_token(self, client_key, token, request):
        return token == 'access-token'

    def validate_timestamp_and_nonce(self, *args, **kwargs):
        return True

    def validate_realms(self, *args, **kwargs):
        return True

    def get_client_secret(self, client_key, request):
        return 'consumer-secret'

    def get_access_token_secret(self, client_key, token, request):
        return 'token-secret'


@pytest.mark.parametrize('secret, valid', [('token-secret', True), ('wrong-secret', False)])
def test_oauth1_signature_verifies(secret, valid):
    client = make(token=None, oauth=dict(oauth_consumer_key='consumer-key', oauth_consumer_secret='consumer-secret',
                                         oauth_token='access-token', oauth_token_secret=secret))
    prepared = requests.Request('POST', BASE + '/rest/p/test/wiki/Home', data=[('text', 'hi')], auth=client._auth).prepare()
    headers = {k: v.decode() if isinstance(v, bytes) else v for k, v in prepared.headers.items()}
    assert headers['Authorization'].startswith('OAuth ') and 'oauth_signature=' in headers['Authorization']
    ok, _request = ResourceEndpoint(_Validator()).validate_protected_resource_request(
        prepared.url, http_method='POST', body=prepared.body, headers=headers)
    assert ok is valid


# -- errors -----------------------------------------------------------------------------------------

def test_server_message_from_webob_html():
    assert server_message(reply(400, text=WEBOB_400)) == 'That is not a valid URL'


def test_server_message_from_error_page():
    assert server_message(reply(403, text=ERROR_403)) == 'Admin access required'


def test_server_message_from_json_forms():
    assert server_message(reply(400, json={'result': 'error', 'error': {'url': 'Invalid URL.'}})) == 'url: Invalid URL.'
    assert server_message(reply(200, json={'success': False, 'info': 'Mount point already exists.'})) == 'Mount point already exists.'
    webob = {'message': 'The server could not comply.<br /><br />\nMust provide a mount point\n\n', 'code': '400 Bad Request'}
    assert server_message(reply(400, json=webob)) == 'Must provide a mount point'


@pytest.mark.parametrize('status, body, expected', [
    (401, '<html><title>401 Unauthorized</title></html>', 'authentication failed for GET /rest/p/test/'),
    (403, ERROR_403, 'cannot GET /rest/p/test/: the user of this token lacks the permission it needs (Admin access required)'),
    (404, '<html></html>', 'GET /rest/p/test/: not found'),
    (400, WEBOB_400, 'GET /rest/p/test/ was refused: That is not a valid URL'),
    (500, '<html><div id="content_base"><p>We are sorry</p></div></html>', 'failed with HTTP 500: We are sorry'),
    (302, '', 'unexpected redirect'),
])
def test_each_error_status_has_an_actionable_message(status, body, expected):
    session = FakeSession().add('GET', '/rest/p/test/', status=status, text=body, headers={'Location': '/elsewhere'})
    with pytest.raises(AlluraError) as err:
        make(session).get_json('/rest/p/test/')
    assert expected in err.value.message
    assert err.value.status == status
    assert TOKEN not in repr(err.value.result())


def test_401_without_credentials_says_they_are_needed():
    session = FakeSession().add('GET', '/rest/p/secret/', status=401, text='')
    with pytest.raises(AlluraError, match='authentication required'):
        make(session, token=None).get_json('/rest/p/secret/')


EDIT = Denied('edit', "p/test wiki page 'Home'", 'edit', "the wiki tool at mount_point 'wiki'", 'a project member or admin')


def test_a_refusal_is_worded_from_what_the_request_needs():
    session = FakeSession().add('POST', '/rest/p/test/wiki/Home', status=403, text=ERROR_403)
    with pytest.raises(AlluraError) as err:
        make(session).post('/rest/p/test/wiki/Home', dict(text='x'), denied=EDIT)
    assert err.value.message == ("cannot edit p/test wiki page 'Home': the user of this token lacks the 'edit' permission on the wiki "
                                 "tool at mount_point 'wiki' (Admin access required); use the token of a project member or admin")
    assert (err.value.status, err.value.method, err.value.path) == (403, 'POST', '/rest/p/test/wiki/Home')


@pytest.mark.parametrize('status', [401, 403])
def test_a_refusal_of_an_anonymous_request_says_no_credentials_were_sent(status):
    session = FakeSession().add('POST', '/rest/p/test/wiki/Home', status=status, text='')
    with pytest.raises(AlluraError) as err:
        make(session, token=None).post('/rest/p/test/wiki/Home', dict(text='x'), denied=EDIT)
    assert err.value.message == (
        "cannot edit p/test wiki page 'Home': authentication required - the request was sent without credentials (no token, no "
        "oauth_* options, no ALLURA_TOKEN), and anonymous users lack the 'edit' permission on the wiki tool at mount_point 'wiki' "
        "(HTTP %d); give token (or set ALLURA_TOKEN, or give the four oauth_* options) of a project member or admin" % status)
    assert 'this token' not in err.value.message
    assert [c.method for c in session.calls] == ['POST']  # sent all the same: an ACL may let anonymous users write


def test_a_rejected_token_is_not_a_permission_error():
    session = FakeSession().add('POST', '/rest/p/test/wiki/Home', status=401, text='')
    with pytest.raises(AlluraError) as err:
        make(session).post('/rest/p/test/wiki/Home', dict(text='x'), denied=EDIT)
    assert err.value.message.startswith('authentication failed for POST /rest/p/test/wiki/Home: the server rejected the token')


def test_404_names_what_is_missing():
    session = FakeSession().add('GET', '/rest/p/test/nowhere/', status=404, text='')
    with pytest.raises(AlluraError, match='no tool at nowhere'):
        make(session).get_json('/rest/p/test/nowhere/', not_found=lambda: 'no tool at nowhere')


def test_non_json_success_is_a_clear_error():
    session = FakeSession().add('GET', '/rest/p/test/', status=200, text='<html>login</html>')
    with pytest.raises(AlluraError, match='expected JSON but got text/html'):
        make(session).get_json('/rest/p/test/')


# -- retries ----------------------------------------------------------------------------------------

def test_retry_after_is_honoured_and_each_retry_warned():
    session = FakeSession().add('GET', '/rest/', responses=[reply(429, headers={'Retry-After': '7'}), reply(503), reply(json={})])
    sleeps, warnings = [], []
    client = make(session, sleeps, warn=warnings.append)
    assert client.get_json('/rest/') == {}
    assert sleeps[0] == 7.0
    assert 0.25 <= sleeps[1] <= 1.0  # second attempt: backoff 1.0 with jitter in [0.5, 1]
    assert len(warnings) == 2 and 'HTTP 429' in warnings[0] and 'attempt 2 of 4' in warnings[0]


def test_retry_after_http_date_and_cap():
    assert retry_after_seconds(reply(429, headers={'Retry-After': 'Wed, 21 Oct 2015 07:28:00 GMT'})) == 0.0
    assert retry_after_seconds(reply(429, headers={'Retry-After': '99999'})) == 120.0
    assert retry_after_seconds(reply(429)) is None


def test_backoff_grows_exponentially_within_bounds():
    session = FakeSession().add('GET', '/rest/', responses=[reply(502)] * 5 + [reply(json={})])
    sleeps = []
    assert make(session, sleeps, retries=5, backoff=1.0, backoff_max=3.0).get_json('/rest/') == {}
    assert len(sleeps) == 5  # one sleep before each of the five retries
    for attempt, slept in enumerate(sleeps):
        ceiling = min(3.0, 2 ** attempt)
        assert ceiling / 2 <= slept <= ceiling


def test_gives_up_with_a_clear_message():
    session = FakeSession().add('GET', '/rest/', status=503, text='')
    with pytest.raises(AlluraError, match=r'GET /rest/ failed after 4 attempts: HTTP 503'):
        make(session).get_json('/rest/')
    assert len(session.calls) == 4


def test_connection_errors_are_retried():
    session = FakeSession().add('GET', '/rest/', responses=[requests.exceptions.ConnectionError('reset'),
                                                            requests.exceptions.ReadTimeout('slow'), reply(json={'ok': 1})])
    assert make(session).get_json('/rest/') == {'ok': 1}


def test_an_answer_cut_off_half_way_is_retried_and_a_write_rechecked():
    broken = requests.exceptions.ChunkedEncodingError('Connection broken: IncompleteRead(14 bytes read, 86 more expected)')
    session = FakeSession().add('GET', '/rest/', responses=[broken, reply(json={'ok': 1})])
    warnings = []
    assert make(session, warn=warnings.append).get_json('/rest/') == {'ok': 1}
    assert 'GET /rest/: connection broken; retrying in' in warnings[0]

    session = FakeSession().add('POST', '/rest/p/test/bugs/new', responses=[broken])
    client = make(session)
    assert client.post('/rest/p/test/bugs/new', {}, expect=(302,), recheck=lambda: {'ticket_num': 3}) == {'ticket_num': 3}
    assert len(session.writes()) == 1


def test_other_client_errors_are_not_retried():
    session = FakeSession().add('POST', '/rest/p/test/link/', status=400, text=WEBOB_400)
    with pytest.raises(AlluraError):
        make(session).post('/rest/p/test/link/', {'url': 'javascript:x'})
    assert len(session.calls) == 1


def test_a_create_is_never_resent_blindly_after_an_ambiguous_failure():
    session = FakeSession().add('POST', '/rest/p/test/bugs/new', responses=[requests.exceptions.ConnectionError('reset by peer')])
    rechecks = []

    def recheck():
        rechecks.append(1)
        return {'ticket_num': 7}  # the re-read shows the server did create it

    client = make(session)
    assert client.post('/rest/p/test/bugs/new', {'ticket_form.summary': 'x'}, expect=(302,), recheck=recheck) == {'ticket_num': 7}
    assert len(session.writes()) == 1 and rechecks == [1]
    assert 'not sending it again' in client.warnings[0]


def test_a_create_is_resent_when_the_recheck_finds_nothing():
    session = FakeSession().add('POST', '/rest/p/test/bugs/new', responses=[reply(504), reply(302, headers={'Location': '/x/9/'})])
    response = make(session).post('/rest/p/test/bugs/new', {}, expect=(302,), recheck=lambda: None)
    assert response.status_code == 302 and len(session.writes()) == 2


def test_a_write_without_an_answer_is_only_reread_never_resent():
    # The server may still carry out a request it did not answer in time: a re-read right away can
    # miss it, and sending it again would then duplicate it. So later attempts only re-read.
    session = FakeSession().add('POST', '/rest/p/test/bugs/new', responses=[requests.exceptions.ReadTimeout('slow')])
    found = iter([None, None, {'ticket_num': 7}])
    sleeps, warnings = [], []
    client = make(session, sleeps, warn=warnings.append)
    assert client.post('/rest/p/test/bugs/new', {}, expect=(302,), recheck=lambda: next(found)) == {'ticket_num': 7}
    assert len(session.writes()) == 1 and len(sleeps) == 2
    assert 'no answer within 30s and a re-read does not show the change yet; not sending it again' in warnings[0]
    assert 'a re-read shows the change was made; not sending it again' in warnings[-1]


def test_a_write_without_an_answer_that_never_shows_fails_clearly():
    session = FakeSession().add('POST', '/rest/p/test/bugs/new', responses=[requests.exceptions.ReadTimeout('slow')])
    rechecks = []
    with pytest.raises(AlluraError, match=r'POST /rest/p/test/bugs/new got no answer within 30s, and 4 re-reads do not show '
                                          r'the change: it was not sent again, as the server may still carry it out'):
        make(session).post('/rest/p/test/bugs/new', {}, expect=(302,), recheck=lambda: rechecks.append(1))
    assert len(session.writes()) == 1 and len(rechecks) == 4


def test_an_unguarded_write_without_an_answer_is_retried():
    session = FakeSession().add('POST', '/rest/p/test/link/', responses=[requests.exceptions.ReadTimeout('slow'), reply(json={})])
    assert make(session).post('/rest/p/test/link/', {'url': 'http://x.org'}).status_code == 200
    assert len(session.writes()) == 2


def test_429_is_not_ambiguous_so_no_recheck():
    session = FakeSession().add('POST', '/rest/p/test/bugs/new', responses=[reply(429), reply(302)])
    called = []
    make(session).post('/rest/p/test/bugs/new', {}, expect=(302,), recheck=lambda: called.append(1))
    assert not called


def test_refused_connection_is_retried_without_recheck():
    refused = real_error('http://127.0.0.1:%d/' % closed_port())
    session = FakeSession().add('POST', '/rest/x', responses=[refused, reply(200, json={})])
    called = []
    make(session).post('/rest/x', {}, recheck=lambda: called.append(1))
    assert not called and len(session.writes()) == 2


# -- pagination -------------------------------------------------------------------------------------

def _tracker(total):
    """A tracker index over `total` tickets (newest first), answering like Allura's."""
    def answer(call):
        limit, page = int(call.params['limit']), int(call.params['page'])
        nums = list(range(total, 0, -1))[page * limit:(page + 1) * limit]
        return reply(json={'tickets': [{'ticket_num': n, 'summary': 't%d' % n} for n in nums], 'count': total,
                           'limit': limit, 'page': page})
    return answer


@pytest.mark.parametrize('total, limit, pages', [(0, 500, 1), (7, 3, 3), (6, 3, 2), (1000, 500, 2), (1001, 500, 3)])
def test_pagination_lists_everything_and_no_more(total, limit, pages):
    session = FakeSession().add('GET', '/rest/p/test/bugs/', responses=[_tracker(total)])
    items = make(session).paginate('/rest/p/test/bugs/', 'tickets', limit=limit)
    assert [t['ticket_num'] for t in items] == list(range(total, 0, -1))
    assert len(session.calls) == pages


def test_pagination_warns_when_the_count_cannot_be_reached():
    body = {'tickets': [{'ticket_num': 2, 'summary': 'a'}], 'count': 3, 'limit': 500, 'page': 0}
    session = FakeSession().add('GET', '/rest/p/test/bugs/', json=body)
    warnings = []
    make(session, warn=warnings.append).paginate('/rest/p/test/bugs/', 'tickets')
    assert 'reported 3 items but 1 could be listed' in warnings[0]


def test_every_request_has_a_timeout():
    session = FakeSession().add('GET', '/rest/', json={})
    make(session, timeout=4).get_json('/rest/')  # FakeSession asserts a timeout is passed
    assert dict(parse_qsl(urlsplit(session.calls[0].url).query)) == {}


def test_404_says_which_thing_is_missing_machine_readably():
    from ansible_collections.allura.forge.plugins.module_utils._project import Project
    session = FakeSession().add('GET', '/rest/p/test/', json={'tools': [{'name': 'wiki', 'mount_point': 'wiki'}]})
    session.add('GET', '/rest/p/gone/', status=404, text='')
    session.add('GET', '/rest/p/test/docs/Home', status=404, text='')
    session.add('GET', '/rest/p/test/wiki/Nope', status=404, text='')
    client = make(session)
    with pytest.raises(AlluraError) as err:
        Project(client, 'p', 'gone').read()
    assert err.value.details['missing'] == 'project' and err.value.result()['missing'] == 'project'
    project = Project(client, 'p', 'test')
    with pytest.raises(AlluraError) as err:
        client.get_json('/rest/p/test/docs/Home', not_found=project.not_found('docs', 'wiki page Home'))
    assert err.value.details['missing'] == 'tool' and "no tool at mount_point 'docs'" in err.value.message
    with pytest.raises(AlluraError) as err:
        client.get_json('/rest/p/test/wiki/Nope', not_found=project.not_found('wiki', 'wiki page Nope'))
    assert err.value.details['missing'] == 'item' and err.value.message == 'wiki page Nope not found in project p/test'
    with pytest.raises(AlluraError) as err:
        project.require_tool('docs')
    assert err.value.details['missing'] == 'tool'


def test_a_429_makes_every_later_request_of_the_run_wait():
    session = FakeSession().add('GET', '/rest/a', responses=[reply(429, headers={'Retry-After': '3'}), reply(json={})])
    session.add('GET', '/rest/b', json={})
    sleeps = []
    client = make(session, sleeps)
    client.get_json('/rest/a')  # throttled once, waits 3 s
    assert sleeps == [3.0]
    client.clock.now -= 1.0  # as if another reader asked 1 s before the 3 s were over
    client.get_json('/rest/b')
    assert sleeps == [3.0, 1.0]


def test_401_with_oauth_speaks_of_the_signature():
    session = FakeSession().add('GET', '/rest/p/test/', status=401, text='')
    oauth = dict(oauth_consumer_key='k', oauth_consumer_secret='s', oauth_token='t', oauth_token_secret='ts')
    client = make(session, token=None, oauth=oauth)
    with pytest.raises(AlluraError, match='rejected the OAuth 1.0a signature'):
        client.get_json('/rest/p/test/')


def test_task_oauth_options_win_over_a_token_from_the_environment(monkeypatch):
    from ansible_collections.allura.forge.plugins.module_utils._module import client_from_params
    monkeypatch.setenv('ALLURA_TOKEN', 'from-env')
    params = dict(server_url=BASE, token='from-env', oauth_consumer_key='k', oauth_consumer_secret='s',
                  oauth_token='t', oauth_token_secret='ts', timeout=5, retries=0)
    client = client_from_params(params)
    assert client._auth is not None and 'Authorization' not in client.session.headers
    with pytest.raises(ParameterError, match='mutually exclusive'):
        client_from_params(dict(params, token='given-for-the-task'))


def test_post_json_answers_the_json_or_what_the_recheck_found():
    session = FakeSession().add('POST', '/rest/p/test/admin/install_tool', responses=[reply(json={'success': True})])
    assert make(session).post_json('/rest/p/test/admin/install_tool', {}, recheck=lambda: None) == {'success': True}
    session = FakeSession().add('POST', '/rest/p/test/admin/install_tool', responses=[reply(502)])
    found = {'name': 'wiki', 'mount_point': 'docs'}
    assert make(session).post_json('/rest/p/test/admin/install_tool', {}, recheck=lambda: found) is found
    assert len(session.writes()) == 1
    session = FakeSession().add('POST', '/rest/p/test/link/', responses=[reply(text='<html>not json</html>')])
    with pytest.raises(AlluraError, match='expected JSON but got text/html'):
        make(session).post_json('/rest/p/test/link/', {'url': 'https://example.org'})


def test_a_read_cache_answers_a_get_read_before_and_nothing_else():
    session = FakeSession().add('GET', '/rest/p/test/', json={'shortname': 'test'})
    session.add('GET', '/rest/p/test/bugs/', json={'tickets': []})
    session.add('GET', '/rest/p/gone/', status=404, text='')
    session.add('POST', '/rest/p/test/link/', json={})
    client = make(session)
    client.read_cache = {}
    for _time in range(2):
        assert client.get_json('/rest/p/test/') == {'shortname': 'test'}
        assert client.get_json('/rest/p/test/bugs/', params={'page': 0}) == {'tickets': []}
        assert client.get_json('/rest/p/test/bugs/', params={'page': 1}) == {'tickets': []}
        assert client.exists('/rest/p/gone/') is None
        client.post('/rest/p/test/link/', {'url': 'x'})
    # each GET once (each page its own), a 404 and a write each time
    assert [(c.method, c.path) for c in session.calls].count(('GET', '/rest/p/test/')) == 1
    assert [(c.method, c.path) for c in session.calls].count(('GET', '/rest/p/test/bugs/')) == 2
    assert [(c.method, c.path) for c in session.calls].count(('GET', '/rest/p/gone/')) == 2
    assert len(session.writes()) == 2
    uncached = make(FakeSession().add('GET', '/rest/p/test/', json={}))  # without one (the default): every time
    uncached.get_json('/rest/p/test/')
    uncached.get_json('/rest/p/test/')
    assert len(uncached.session.calls) == 2
