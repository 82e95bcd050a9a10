# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest
from ansible.errors import AnsibleLookupError
from ansible.plugins.loader import lookup_loader

from ansible_collections.allura.forge.plugins.lookup import allura_api
from ansible_collections.allura.forge.plugins.lookup.allura_api import fetch, rest_path
from ansible_collections.allura.forge.plugins.module_utils._client import AlluraClient, AlluraError, ParameterError
from ansible_collections.allura.forge.tests.unit.plugins.fake_session import FakeSession
from ansible_collections.allura.forge.tests.unit.plugins.modules.info_helpers import ERROR_404, PROJECT, paged

TOKEN = 'lookup-secret-Qx7'


def client(session):
    return AlluraClient('https://forge.example.org', token=TOKEN, session=session, sleep=lambda s: None, retries=0)


@pytest.mark.parametrize('term,path,query', [
    ('p/myproj/wiki/Home', '/rest/p/myproj/wiki/Home', {}),
    ('/rest/p/myproj/wiki/Home', '/rest/p/myproj/wiki/Home', {}),
    ('p/myproj/wiki/Getting started/', '/rest/p/myproj/wiki/Getting%20started/', {}),
    ('p/myproj/wiki/100% sûr', '/rest/p/myproj/wiki/100%25%20s%C3%BBr', {}),
    ('p/myproj/tickets/search?q=status:open&limit=5', '/rest/p/myproj/tickets/search', {'q': 'status:open', 'limit': '5'}),
    ('/rest/', '/rest/', {}),
])
def test_paths_are_relative_to_rest_and_quoted_exactly(term, path, query):
    assert rest_path(term) == (path, query)


@pytest.mark.parametrize('term,message', [
    ('https://evil.example.org/rest/p/x', 'is an absolute URL'),
    ('//evil.example.org/rest/p/x', 'is an absolute URL'),
    ('/p/myproj/wiki/Home', "is outside /rest/: give a path relative to /rest/, such as 'p/myproj/wiki/Home'"),
    ('p/myproj/../../auth', 'has an empty, "." or ".." segment'),
    ('p//myproj', 'has an empty, "." or ".." segment'),
    ('./p', 'has an empty, "." or ".." segment'),
    ('', 'is empty'),
    ('  ', 'is empty'),
])
def test_paths_outside_rest_are_refused_naming_the_path(term, message):
    with pytest.raises(ParameterError) as err:
        rest_path(term)
    assert message in err.value.message and repr(term) in err.value.message


def test_a_page_of_json_or_text():
    session = FakeSession().add('GET', '/rest/p/test/wiki/Home', json={'title': 'Home', 'text': 'hi'})
    session.add('GET', '/rest/p/test/', text='<rdf:RDF/>', content_type='application/rdf+xml; charset=UTF-8')
    assert fetch(client(session), 'p/test/wiki/Home') == {'title': 'Home', 'text': 'hi'}
    assert fetch(client(session), 'p/test/', params={'doap': ''}) == '<rdf:RDF/>'
    assert session.calls[-1].params == {'doap': ''}


@pytest.mark.parametrize('path,keys,items,list_key', [
    ('/rest/p/test/bugs/', ('tickets',), [{'ticket_num': n} for n in range(1200)], None),
    ('/rest/p/test/discussion/general/', ('forum', 'topics'), [{'_id': '%010x' % n} for n in range(501)], None),
    ('/rest/p/test/bugs/_discuss/thread/a4d2b4fbb9/', ('thread', 'posts'), [{'slug': '%04x' % n} for n in range(3)], 'thread.posts'),
])
def test_paginate_gathers_every_page_of_the_list(path, keys, items, list_key):
    session = FakeSession().add('GET', path, responses=[paged(items, *keys, counted=keys[0] != 'thread')])
    assert fetch(client(session), path[len('/rest/'):], paginate=True, list_key=list_key) == items
    assert [c.params['page'] for c in session.calls] == list(range(max(1, (len(items) + 499) // 500)))


def test_a_listing_is_found_before_the_other_lists_of_its_answer():
    body = {'tickets': [{'ticket_num': 1}], 'count': 1, 'milestones': [{'name': '1.0'}], 'saved_bins': []}
    session = FakeSession().add('GET', '/rest/p/test/bugs/', json=body)
    assert fetch(client(session), 'p/test/bugs/', paginate=True) == [{'ticket_num': 1}]
    assert fetch(client(session), 'p/test/bugs/', paginate=True, list_key='milestones') == [{'name': '1.0'}]


def test_paginate_needs_one_list_or_list_key_and_sets_the_pages_itself():
    session = FakeSession().add('GET', '/rest/p/test/', json={'tools': [], 'developers': []})
    with pytest.raises(ParameterError, match=r'answers several lists \(tools, developers\); give list_key'):
        fetch(client(session), 'p/test/', paginate=True)
    with pytest.raises(ParameterError, match=r"list_key 'nope': the answer of /rest/p/test/ has no list there"):
        fetch(client(session), 'p/test/', paginate=True, list_key='nope')
    with pytest.raises(ParameterError, match='paginate reads every page itself: leave limit and page out'):
        fetch(client(FakeSession()), 'p/test/bugs/?limit=5', paginate=True)


def test_a_permanent_redirect_within_rest_is_followed_and_others_are_errors():
    session = FakeSession().add('GET', '/rest/p/test/blog', status=301, headers={'Location': 'http://internal/rest/p/test/blog/'})
    session.add('GET', '/rest/p/test/blog/', json={'posts': [], 'count': 0})
    assert fetch(client(session), 'p/test/blog') == {'posts': [], 'count': 0}
    assert session.calls[-1].url == 'https://forge.example.org/rest/p/test/blog/'  # the client's own server, with its token
    session = FakeSession().add('GET', '/rest/p/test/x', status=301, headers={'Location': 'https://elsewhere.example.org/login'})
    with pytest.raises(AlluraError, match='was redirected to https://elsewhere.example.org/login, outside the REST API'):
        fetch(client(session), 'p/test/x')


def test_a_404_says_what_is_missing():
    session = FakeSession().add('GET', '/rest/p/test/', json=PROJECT)
    session.add('GET', '/rest/p/test/nope/x', status=404, text=ERROR_404)
    session.add('GET', '/rest/p/test/wiki/Gone', status=404, text=ERROR_404)
    session.add('GET', '/rest/p/ghost/wiki/Home', status=404, text=ERROR_404)
    session.add('GET', '/rest/p/ghost/', status=404, text=ERROR_404)
    with pytest.raises(AlluraError, match=r"project p/test has no tool at mount_point 'nope'"):
        fetch(client(session), 'p/test/nope/x')
    with pytest.raises(AlluraError, match=r"GET /rest/p/test/wiki/Gone: not found \(project p/test and its tool 'wiki' exist\)"):
        fetch(client(session), 'p/test/wiki/Gone')
    with pytest.raises(AlluraError, match=r"project 'ghost' does not exist in neighborhood 'p'"):
        fetch(client(session), 'p/ghost/wiki/Home')


def lookup(monkeypatch, session, terms, env=None, **options):
    """LookupModule.run with the client built from its options (and the environment) on a FakeSession."""
    built = []

    def make(params, warn=None):
        built.append(params)
        return AlluraClient(params['server_url'], token=params['token'], session=session, sleep=lambda s: None,
                            retries=params['retries'], warn=warn)
    monkeypatch.setattr(allura_api, 'client_from_params', make)
    for name in ('ALLURA_URL', 'ALLURA_TOKEN', 'ALLURA_RETRIES'):
        monkeypatch.delenv(name, raising=False)
    for name, value in (env or {}).items():
        monkeypatch.setenv(name, value)
    return lookup_loader.get('allura.forge.allura_api').run(terms, variables={}, **options), built


def test_the_controllers_allura_environment_is_used(monkeypatch):
    session = FakeSession().add('GET', '/rest/p/test/wiki/Home', json={'title': 'Home'})
    values, built = lookup(monkeypatch, session, ['p/test/wiki/Home', 'p/test/wiki/Home'],
                           env={'ALLURA_URL': 'https://forge.example.org', 'ALLURA_TOKEN': TOKEN, 'ALLURA_RETRIES': '2'})
    assert values == [{'title': 'Home'}, {'title': 'Home'}]
    assert (built[0]['server_url'], built[0]['token'], built[0]['retries']) == ('https://forge.example.org', TOKEN, 2)
    assert session.calls[0].headers['Authorization'] == 'Bearer ' + TOKEN


def test_options_win_over_the_environment(monkeypatch):
    session = FakeSession().add('GET', '/rest/p/test/wiki/Home', json={'title': 'Home'})
    _values, built = lookup(monkeypatch, session, ['p/test/wiki/Home'], env={'ALLURA_URL': 'https://other.example.org'},
                            server_url='https://forge.example.org', token=TOKEN)
    assert built[0]['server_url'] == 'https://forge.example.org'


def test_errors_are_lookup_errors_that_never_show_the_token(monkeypatch):
    session = FakeSession().add('GET', '/rest/p/test/bugs/', status=401, text='')
    with pytest.raises(AnsibleLookupError) as err:
        lookup(monkeypatch, session, ['p/test/bugs/'], server_url='https://forge.example.org', token=TOKEN)
    assert 'allura_api: authentication failed for GET /rest/p/test/bugs/' in str(err.value)
    assert TOKEN not in str(err.value)
    with pytest.raises(AnsibleLookupError, match="allura_api: path '../x' has an empty"):
        lookup(monkeypatch, FakeSession(), ['../x'], server_url='https://forge.example.org', token=TOKEN)


def test_credentials_are_never_sent_over_plain_http_to_another_host(monkeypatch):
    monkeypatch.setenv('ALLURA_TOKEN', TOKEN)
    with pytest.raises(AnsibleLookupError, match='refusing to send credentials over plain http to forge.example.org') as err:
        lookup_loader.get('allura.forge.allura_api').run(['p/test/'], variables={}, server_url='http://forge.example.org')
    assert TOKEN not in str(err.value)


def test_the_lookup_takes_every_connection_option_of_the_modules_with_their_environment():
    import yaml
    from ansible_collections.allura.forge.plugins.module_utils._module import CONNECTION_SPEC
    options = yaml.safe_load(allura_api.DOCUMENTATION)['options']
    connection = {name: spec for name, spec in CONNECTION_SPEC.items() if name != 'neighborhood'}
    assert set(options) - {'_terms', 'paginate', 'list_key', 'params'} == set(connection) == set(allura_api.CONNECTION_OPTIONS)
    for name, spec in connection.items():
        assert [e['name'] for e in options[name].get('env', [])] == list(spec['fallback'][1]), name
        assert options[name].get('default') == spec.get('default') and options[name]['type'] == spec['type'], name
