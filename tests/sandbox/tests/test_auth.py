"""Authentication (REFERENCE 2.1, 1.6) and the content-negotiated error bodies (1.5)."""

import json

import pytest
import requests
from requests_oauthlib import OAuth1

from sandbox_http import ADMIN, BAD, ROOT, USER, call, get, post

CONSUMER_KEY = 'sandboxconsumerkey000001'
CONSUMER_SECRET = 'sandboxconsumersecret001'
TOKEN = 'sandboxaccesstoken000001'
TOKEN_SECRET = 'sandboxtokensecret000001'


def oauth(consumer_secret=CONSUMER_SECRET, token_secret=TOKEN_SECRET, key=CONSUMER_KEY, token=TOKEN, **kwargs):
    return OAuth1(key, client_secret=consumer_secret, resource_owner_key=token, resource_owner_secret=token_secret, **kwargs)


def has_admin_tool(result):
    return any(tool['name'] == 'admin' for tool in result.json['tools'])


def test_bearer_header(sandbox):
    assert has_admin_tool(get(sandbox, '/rest/p/test/', token=ADMIN))
    assert not has_admin_tool(get(sandbox, '/rest/p/test/', token=USER))
    assert not has_admin_tool(get(sandbox, '/rest/p/test/', token=None))


def test_bad_token_is_401_even_on_public_resources(sandbox):
    result = get(sandbox, '/rest/p/test/', token=BAD)
    assert result.status == 401
    assert get(sandbox, '/rest/', token=BAD).status == 401
    assert get(sandbox, '/rest/p/no-such-project/', token=BAD).status == 401


def test_token_in_query(sandbox):
    assert has_admin_tool(get(sandbox, '/rest/p/test/?access_token=' + ADMIN, token=None))
    result = get(sandbox, '/rest/p/test/?access_token=' + BAD, token=None)
    assert result.status == 401
    assert 'Do not use tokens in URL' in result.json['message']


@pytest.mark.parametrize('headers,status', [
    ({'X-Forwarded-Proto': 'http'}, 401),
    ({'X-Forwarded-Proto': 'https'}, 200),
    ({'X-Forwarded-Proto': 'http', 'X-Forwarded-SSL': 'on'}, 200),
    ({}, 200),
])
def test_bearer_tokens_need_https(sandbox, headers, status):
    assert get(sandbox, '/rest/p/test/', token=ADMIN, headers=headers).status == status


@pytest.mark.parametrize('authorization', ['Basic dXNlcjpwdw==', 'bearer ' + ADMIN, 'Bearer ', 'Bearer', 'Token x', 'OAuth garbage'])
def test_malformed_authorization_is_a_500(sandbox, authorization):
    result = call(sandbox, 'GET', '/rest/p/test/', headers={'Authorization': authorization})
    assert result.status == 500
    assert result.content_type == 'text/html; charset=utf-8'


def test_oauth1_good_signature(sandbox, sb):
    resp = requests.get(sandbox + '/rest/p/test/', auth=oauth(), timeout=10)
    assert resp.status_code == 200
    assert any(tool['name'] == 'admin' for tool in resp.json()['tools'])
    assert sb.log()['requests'][-1]['user'] == 'test-admin'


def test_oauth1_signed_form_post(sandbox):
    resp = requests.post(sandbox + '/rest/p/test/wiki/Signed', data={'text': 'signed body'}, auth=oauth(), timeout=10)
    assert resp.status_code == 200
    assert get(sandbox, '/rest/p/test/wiki/Signed').json['text'] == 'signed body'


def test_oauth1_signature_in_query(sandbox):
    resp = requests.get(sandbox + '/rest/p/test/', auth=oauth(signature_type='query'), timeout=10)
    assert resp.status_code == 200


@pytest.mark.parametrize('auth', [
    oauth(consumer_secret='wrong-secret'),
    oauth(token_secret='wrong-secret'),
    oauth(key='unknownconsumerkey000001'),
    oauth(token='unknownaccesstoken000001'),
])
def test_oauth1_bad_signature(sandbox, auth):
    resp = requests.get(sandbox + '/rest/p/test/', auth=auth, timeout=10)
    assert resp.status_code == 401


def test_oauth1_tampered_request(sandbox):
    prepared = requests.Request('GET', sandbox + '/rest/p/test/', auth=oauth()).prepare()
    prepared.url = sandbox + '/rest/p/test2/'
    assert requests.Session().send(prepared, timeout=10).status_code == 401


def test_root_is_neighborhood_admin_of_p(sandbox):
    assert get(sandbox, '/rest/p/has_access?user=test-user&perm=read', token=ROOT).json == {'result': True}
    assert get(sandbox, '/rest/p/has_access?user=test-user&perm=read', token=ADMIN).status == 403
    assert get(sandbox, '/rest/adobe/has_access?user=test-admin&perm=admin', token=ADMIN).json == {'result': True}


# -- error bodies ---------------------------------------------------------------------

def _webob_json(result, status, title):
    assert result.status == status
    assert result.content_type == 'application/json'
    body = result.json
    assert body['code'] == '%d %s' % (status, title)
    assert body['title'] == title
    return body['message']


def test_json_error_bodies(sandbox, sb):
    message = _webob_json(post(sandbox, '/rest/p/test/link/', {'url': 'javascript:alert(1)'}), 400, 'Bad Request')
    assert message.endswith('<br /><br />\nThat is not a valid URL\n\n')
    _webob_json(get(sandbox, '/rest/p/test/admin/code/webhooks', token=None), 401, 'Unauthorized')
    _webob_json(get(sandbox, '/rest/p/test/', token=BAD), 401, 'Unauthorized')
    result = get(sandbox, '/rest/p/test/bugs/new')
    assert _webob_json(result, 405, 'Method Not Allowed').startswith('The method GET is not allowed')
    assert result.headers['allow'] == 'POST'
    sb.config(export_seconds=30)
    assert post(sandbox, '/rest/p/test/admin/export', {'tools': 'wiki'}).status == 200
    message = _webob_json(post(sandbox, '/rest/p/test/admin/export', {'tools': 'wiki'}), 503, 'Service Unavailable')
    assert 'Export for project test already running' in message


def test_403_404_500_stay_html_with_accept_json(sandbox):
    for result, status in ((post(sandbox, '/rest/p/test/wiki/X', {'text': 'x'}, token=USER), 403),
                           (get(sandbox, '/rest/p/nope/'), 404),
                           (post(sandbox, '/rest/p/test/wiki/X', {}), 500)):
        assert result.status == status
        assert result.content_type == 'text/html; charset=utf-8'
    assert '<p>Create access required</p>' in post(sandbox, '/rest/p/test/wiki/X', {'text': 'x'}, token=USER).text


def test_error_body_negotiation(sandbox):
    html = get(sandbox, '/rest/p/test/bugs/new', accept='*/*')
    assert html.content_type == 'text/html; charset=UTF-8' and html.text.startswith('<html>')
    plain = get(sandbox, '/rest/p/test/bugs/new', accept=None)
    assert plain.content_type == 'text/plain; charset=UTF-8'
    assert plain.text.startswith('405 Method Not Allowed\n\nThe method GET is not allowed for this resource.')
    assert get(sandbox, '/rest/p/test/bugs/new', accept='application/json, */*').content_type.startswith('text/html')
    assert get(sandbox, '/rest/p/test/bugs/new', accept='text/html;q=0.5, application/json').content_type == 'application/json'
    redirect = post(sandbox, '/rest/p/test/bugs/new', {'ticket_form.summary': 's'})
    assert redirect.status == 302
    assert json.loads(redirect.body)['code'] == '302 Found'


def test_oauth1_over_plain_http_is_refused(sandbox):
    resp = requests.get(sandbox + '/rest/p/test/', auth=oauth(), headers={'X-Forwarded-Proto': 'http'}, timeout=10)
    assert resp.status_code == 401
    result = call(sandbox, 'GET', '/rest/p/test/', headers={'Authorization': 'Basic x', 'X-Forwarded-Proto': 'http'})
    assert result.status == 500  # the header is parsed before the transport check


def test_empty_token_parameter_is_not_anonymous(sandbox):
    assert get(sandbox, '/rest/p/test/?access_token=', token=None).status == 401
    assert get(sandbox, '/rest/p/test/?oauth_token=x', token=None).status == 401
    assert post(sandbox, '/rest/p/test/wiki/T', {'text': 'x', 'access_token': ADMIN}, token=None).status == 200
