"""Server semantics from the API reference that the recordings do not cover."""

import json
import re
import time

import pytest

from sandbox_http import ADMIN, ROOT, USER, call, get, post

WIKI = '/rest/p/test/wiki/'
BUGS = '/rest/p/test/bugs/'
HOOKS = '/rest/p/test/admin/code/webhooks'


def state_tool(sb, mount, project='p/test'):
    return next(t for t in sb.state()['projects'][project]['tools'] if t['mount_point'] == mount)


# -- wiki (REFERENCE 7) ----------------------------------------------------------------

def test_wiki_every_post_is_a_version(sandbox, sb):
    for _attempt in range(3):
        assert post(sandbox, WIKI + 'Versioned', {'text': 'same'}).json == {}
    page = next(p for p in state_tool(sb, 'wiki')['data']['pages'] if p['title'] == 'Versioned')
    assert page['version'] == 3


def test_wiki_labels_and_text(sandbox):
    post(sandbox, WIKI + 'L', {'text': 'a\r\nb ', 'labels': 'a, b,,c'})
    page = get(sandbox, WIKI + 'L').json
    assert page['labels'] == ['a', ' b', '', 'c'] and page['text'] == 'a\r\nb '
    post(sandbox, WIKI + 'L', {'text': 'x'})
    assert get(sandbox, WIKI + 'L').json['labels'] == ['a', ' b', '', 'c']  # absent: unchanged
    post(sandbox, WIKI + 'L', {'text': 'x', 'labels': ''})
    assert get(sandbox, WIKI + 'L').json['labels'] == ['']


def test_wiki_titles(sandbox):
    post(sandbox, WIKI + 'New+Page', {'text': 'plus'})
    assert get(sandbox, WIKI + 'New%20Page').status == 404
    assert get(sandbox, WIKI + 'New+Page').json['title'] == 'New+Page'
    assert post(sandbox, WIKI + 'a%2Fb', {'text': 'x'}).status == 404  # %2F splits the path
    assert post(sandbox, WIKI + 'dotted.json', {'text': 'x'}).status == 200
    assert get(sandbox, WIKI + 'dotted.json/').json['title'] == 'dotted.json'
    assert get(sandbox, WIKI + 'home').status == 404  # case-sensitive
    listed = post(sandbox, WIKI + 'index', {'text': 'x'}).json
    assert 'index' not in listed['pages']


def test_wiki_permissions(sandbox):
    assert post(sandbox, WIKI + 'Home', {'text': 'x'}, token=USER).text.count('Edit access required') == 1
    assert post(sandbox, WIKI + 'New', {'text': 'x'}, token=USER).text.count('Create access required') == 1
    assert post(sandbox, WIKI + 'New', {'text': 'x'}, token=None).status == 401
    assert post(sandbox, '/rest/u/test-user/wiki/Mine', {'text': 'x'}, token=USER).status == 200
    assert post(sandbox, '/rest/p/test/wiki/Root', {'text': 'x'}, token=ROOT).status == 200  # neighborhood admin


# -- tracker (REFERENCE 8, 17) ----------------------------------------------------------

def new_ticket(sandbox, token=ADMIN, **fields):
    result = post(sandbox, BUGS + 'new', {'ticket_form.' + k: v for k, v in fields.items()}, token=token)
    assert result.status == 302, result
    return int(re.search(r'/bugs/(\d+)/$', result.headers['location']).group(1))


def ticket(sandbox, number):
    return get(sandbox, BUGS + '%d/' % number).json['ticket']


def test_ticket_defaults(sandbox):
    number = new_ticket(sandbox, description='d')
    data = ticket(sandbox, number)
    assert (data['summary'], data['status'], data['labels'], data['assigned_to']) == (None, '', [], None)
    assert data['custom_fields'] == {'_public': 'False'}
    assert data['reported_by'] == 'test-admin' and data['reported_by_id'] == '6b0a6aa709bf77c467db0003'


def test_ticket_validation_errors(sandbox):
    result = post(sandbox, BUGS + 'new', {'ticket_form.summary': '', 'ticket_form.status': 'Open',
                                          'ticket_form.private': 'maybe', 'ticket_form._milestone': '3.0',
                                          'ticket_form.custom_fields._severity': 'urgent',
                                          'ticket_form.custom_fields._estimate': 'lots'})
    assert result.status == 400
    assert result.content_type == 'text/plain; charset=utf-8'
    body = json.loads(result.text)
    assert body['status'] == 'Validation Error'
    assert body['errors']['ticket_form'] == '\n'.join([
        "_milestone: Value must be one of: 1.0; 2.0 (not '3.0')",
        "custom_fields: _estimate: Please enter a number\n_severity: Value must be one of: low; normal; high (not 'urgent')",
        "private: Value should be 'true' or 'false'",
        "status: Value must be one of: open; unread; accepted; pending; closed; wont-fix (not 'Open')",
        'summary: You must provide a Title'])
    assert body['value']['custom_fields']['_severity'] == 'urgent'
    assert get(sandbox, BUGS).json['count'] == 0
    missing = call(sandbox, 'POST', BUGS + 'new', token=ADMIN, body='{"summary": "json"}',
                   headers={'Content-Type': 'application/json'})
    assert json.loads(missing.text)['errors'] == {'ticket_form': 'ticket_form: Missing value'.split(': ', 1)[1]}


def test_validation_comes_before_permission(sandbox):
    assert post(sandbox, BUGS + 'new', {'ticket_form.status': 'bogus'}, token=None).status == 400
    assert post(sandbox, BUGS + 'new', {'ticket_form.summary': 'anon'}, token=None).status == 401
    result = post(sandbox, BUGS + 'new', {'ticket_form.private': 'true', 'ticket_form.summary': 's'}, token=None)
    assert 'private: Log in to Mark as Private' in result.text


def test_ticket_custom_fields_and_resets(sandbox):
    number = new_ticket(sandbox, summary='cf', labels='x, y,,z', assigned_to='test-admin', _milestone='2.0',
                        **{'custom_fields._severity': 'high', 'custom_fields._public': 'Yes',
                           'custom_fields._estimate': '2.5', 'custom_fields._reviewer': 'test-user',
                           'custom_fields._milestone': '1.0', 'custom_fields._unknown': 'x'})
    data = ticket(sandbox, number)
    assert data['labels'] == ['x', ' y', '', 'z']
    assert data['custom_fields'] == {'_severity': 'high', '_public': True, '_estimate': 2.5, '_reviewer': '',
                                     '_milestone': '2.0'}
    post(sandbox, BUGS + '%d/save' % number, {'ticket_form.custom_fields._estimate': '4'})
    data = ticket(sandbox, number)
    assert data['custom_fields']['_public'] is False and data['custom_fields']['_estimate'] == 4
    assert data['labels'] == [] and data['summary'] == 'cf' and data['assigned_to'] == 'test-admin'
    post(sandbox, BUGS + '%d/save' % number, {'ticket_form.custom_fields._estimate': ''})
    assert ticket(sandbox, number)['custom_fields']['_estimate'] is None


def test_a_save_with_custom_fields_or_the_milestone_replaces_them_all(sandbox):
    """Checked on a real Allura (Ticket.update_fields_basics sets the form's custom_fields as the ticket's): a save that
    sends a custom field or the milestone leaves the ticket only those (booleans not sent false); one that sends
    neither keeps them, booleans reset to "False"."""
    fields = {'custom_fields._severity': 'high', 'custom_fields._estimate': '2.5', 'custom_fields._public': 'true'}
    number = new_ticket(sandbox, summary='cf', _milestone='2.0', **fields)
    assert ticket(sandbox, number)['custom_fields'] == {'_severity': 'high', '_public': True, '_estimate': 2.5, '_milestone': '2.0'}
    post(sandbox, BUGS + '%d/save' % number, {'ticket_form.custom_fields._estimate': '4'})
    assert ticket(sandbox, number)['custom_fields'] == {'_estimate': 4, '_public': False}
    post(sandbox, BUGS + '%d/save' % number, {'ticket_form.status': 'open'})
    assert ticket(sandbox, number)['custom_fields'] == {'_estimate': 4, '_public': 'False'}
    post(sandbox, BUGS + '%d/save' % number, {'ticket_form._milestone': '1.0'})
    assert ticket(sandbox, number)['custom_fields'] == {'_milestone': '1.0'}
    other = new_ticket(sandbox, summary='ms', _milestone='')
    assert ticket(sandbox, other)['custom_fields'] == {'_milestone': ''}


def test_assignee_rules(sandbox):
    number = new_ticket(sandbox, summary='a', assigned_to='test-user')  # not a member: ignored
    assert ticket(sandbox, number)['assigned_to'] is None
    post(sandbox, BUGS + '%d/save' % number, {'ticket_form.assigned_to': 'test-admin'})
    assert ticket(sandbox, number)['assigned_to'] == 'test-admin'
    post(sandbox, BUGS + '%d/save' % number, {'ticket_form.assigned_to': ''})
    assert ticket(sandbox, number)['assigned_to'] == 'test-admin'
    post(sandbox, BUGS + '%d/save' % number, {'ticket_form.assigned_to': '*anonymous'})
    assert ticket(sandbox, number)['assigned_to'] is None


def test_discussion_disabled_and_private(sandbox, sb):
    number = new_ticket(sandbox, summary='p', discussion_disabled='true', private='true')
    data = ticket(sandbox, number)
    assert data['discussion_disabled'] is False and data['private'] is True
    assert get(sandbox, BUGS + '%d/' % number, token=USER).status == 403
    assert get(sandbox, BUGS + '%d/' % number, token=None).status == 401
    user_view = get(sandbox, BUGS, token=USER).json
    assert user_view['tickets'] == [] and user_view['count'] == 0
    assert 'TicketMonitoringEmail' not in user_view['tracker_config']['options']
    post(sandbox, BUGS + '%d/save' % number, {'ticket_form.discussion_disabled': 'on'})
    assert ticket(sandbox, number)['discussion_disabled'] is True
    versions = [t['version'] for t in state_tool(sb, 'bugs')['data']['tickets']]
    assert versions == [2]


def test_save_permissions_and_redirects(sandbox):
    number = new_ticket(sandbox, token=USER, summary='by user')
    result = post(sandbox, BUGS + '%d/save' % number, {'ticket_form.summary': 'x'}, token=USER)
    assert result.status == 403 and 'Update access required' in result.text
    result = post(sandbox, BUGS + '%d/save/' % number, {'ticket_form.summary': 'x'})
    assert result.headers['location'].endswith('/rest/p/test/bugs/%d/save/' % number)  # redirect('.') is relative
    assert post(sandbox, BUGS + '99/save', {'ticket_form.summary': 'x'}).status == 404


def test_tracker_paging(sandbox):
    for index in range(7):
        new_ticket(sandbox, summary='t%d' % index)
    page = get(sandbox, BUGS + '?limit=3&page=2').json
    assert [t['ticket_num'] for t in page['tickets']] == [1] and page['count'] == 7
    assert (page['limit'], page['page']) == (3, 2)
    assert get(sandbox, BUGS + '?limit=0').json['limit'] == 25
    assert get(sandbox, BUGS + '?limit=9999').json['limit'] == 500
    assert get(sandbox, BUGS + '?limit=-4&page=-1').json['limit'] == 1
    assert get(sandbox, BUGS + '?page=-1').json['page'] == 0
    search = get(sandbox, BUGS + 'search?q=status:open&limit=5').json
    assert (search['tickets'], search['count'], search['limit'], search['q']) == ([], 0, 5, 'status:open')
    milestones = get(sandbox, BUGS).json['milestones']
    assert milestones[0]['default'] == 'True' and milestones[1]['default'] is None


# -- link (REFERENCE 11) ------------------------------------------------------------------

@pytest.mark.parametrize('value,stored', [('google.com', 'http://google.com'), (' HTTPS://Example.org/x ', 'https://Example.org/x'),
                                          ('http://127.0.0.1:8080/', 'http://127.0.0.1:8080/')])
def test_link_normalisation(sandbox, value, stored):
    assert post(sandbox, '/rest/p/test/link/', {'url': value}).json == {'url': stored}


def test_link_rules(sandbox):
    assert post(sandbox, '/rest/p/test/link/', {'url': 'javascript:alert(1)'}).status == 400
    assert post(sandbox, '/rest/p/test/link/', {'url': 'ftp://example.org/'}).status == 400
    assert post(sandbox, '/rest/p/test/link/', {'url': ''}).json == {'url': None}
    assert post(sandbox, '/rest/p/test/link/', {'url': 'x.org'}, token=USER).status == 403
    assert post(sandbox, '/rest/p/test/link/', {'url': 'x.org'}, token=None).status == 401
    assert post(sandbox, '/rest/p/test/link/', {'url': ''}, token=None).json == {'url': None}


# -- admin (REFERENCE 5) ----------------------------------------------------------------

def install(sandbox, **form):
    return post(sandbox, '/rest/p/test/admin/install_tool', form).json


def test_install_tool_failures_in_order(sandbox, sb):
    assert install(sandbox, tool='Wiki', mount_point='w', mount_label='W')['info'] == 'Incorrect tool name, or limit is reached.'
    assert install(sandbox, tool='subproject', mount_point='w', mount_label='W')['success'] is False
    assert install(sandbox, tool='wiki', mount_point='code', mount_label='W')['info'] == 'Mount point already exists.'
    assert install(sandbox, tool='wiki', mount_point='code', mount_label='W', order='bad')['info'] == 'Mount point already exists.'
    # ordinals are renumbered before the mount point is validated
    post(sandbox, '/rest/p/test/admin/mount_order', {'0': 'code', '7': 'admin'})
    assert install(sandbox, tool='wiki', mount_point='-bad', mount_label='W', order='first')['info'] == 'Mount point "-bad" is invalid'
    ordinals = {t['mount_point']: t['ordinal'] for t in sb.state()['projects']['p/test']['tools']}
    assert ordinals['code'] == 1 and sorted(ordinals.values()) == list(range(1, 10))
    assert install(sandbox, tool='wiki', mount_point='Index', mount_label='W')['info'] == 'Mount point "index" is reserved'
    assert install(sandbox, tool='wiki', mount_point='WIKI', mount_label='W')['info'] == 'Mount point "wiki" is already in use'
    assert install(sandbox, tool='wiki', mount_point='1234', mount_label='W')['info'] == 'Mount point "1234" is invalid'
    assert install(sandbox, tool='wiki', mount_point='a' * 64, mount_label='W')['success'] is False
    assert install(sandbox, tool='link', mount_point='ext', mount_label='E', url='not a url')['info'] == \
        'url: That is not a valid URL'


def test_install_tool_success_and_case_rules(sandbox, sb):
    result = install(sandbox, tool='wiki', mount_point='Docs', mount_label='Docs')
    assert result == {'success': True, 'info': 'Tool wiki with mount_point Docs and mount_label Docs was created.'}
    assert install(sandbox, tool='git', mount_point='Code', mount_label='Code 2')['success'] is True  # relaxed, keeps case
    assert install(sandbox, tool='link', mount_point='home', mount_label='Home', url='allura.apache.org')['success'] is True
    assert get(sandbox, '/rest/p/test/home/').json == {'url': 'http://allura.apache.org'}
    assert get(sandbox, '/rest/p/test/docs/Home').json['title'] == 'Home'  # a new wiki has its Home page
    tools = {t['mount_point']: t['name'] for t in get(sandbox, '/rest/p/test/').json['tools']}
    assert tools['docs'] == 'wiki' and tools['Code'] == 'git' and tools['code'] == 'git'
    assert install(sandbox, tool='feedback', mount_point='fb', mount_label='F')['success'] is True
    assert install(sandbox, tool='feedback', mount_point='fb2', mount_label='F')['info'] == 'Incorrect tool name, or limit is reached.'
    names = [t['name'] for t in get(sandbox, '/rest/p/test/admin/installable_tools').json['tools']]
    assert 'feedback' not in names and names[-1] == 'subproject'


def test_install_order(sandbox, sb):
    install(sandbox, tool='wiki', mount_point='first', mount_label='First', order='first')
    install(sandbox, tool='wiki', mount_point='alpha', mount_label='Aaa', order='alpha_tool')
    ordinals = {t['mount_point']: t['ordinal'] for t in sb.state()['projects']['p/test']['tools']}
    assert ordinals['first'] == 1 and ordinals['alpha'] == 0 and ordinals['admin'] == 2


def test_mount_order_and_grouping(sandbox, sb):
    assert post(sandbox, '/rest/p/test/admin/mount_order', {}).status == 400
    assert post(sandbox, '/rest/p/test/admin/mount_order', {'first': 'wiki'}).status == 400
    assert post(sandbox, '/rest/p/test/admin/mount_order', {'0': 'wiki', '1': 'nope', '-3': 'code'}).json == {'status': 'ok'}
    ordinals = {t['mount_point']: t['ordinal'] for t in sb.state()['projects']['p/test']['tools']}
    assert ordinals['wiki'] == 0 and ordinals['code'] == -3 and ordinals['admin'] == 0
    assert post(sandbox, '/rest/p/test/admin/configure_tool_grouping', {'grouping_threshold': '11'}).status == 400
    assert post(sandbox, '/rest/p/test/admin/configure_tool_grouping', {'grouping_threshold': 'x'}).status == 400
    assert post(sandbox, '/rest/p/test/admin/configure_tool_grouping', {'grouping_threshold': '5'}).json == {'status': 'ok'}
    assert sb.state()['projects']['p/test']['tool_data']['allura']['grouping_threshold'] == 5
    post(sandbox, '/rest/p/test/admin/configure_tool_grouping', {})
    assert sb.state()['projects']['p/test']['tool_data']['allura']['grouping_threshold'] == 1


def test_admin_options(sandbox):
    assert get(sandbox, '/rest/p/test/admin/admin_options').status == 400
    assert get(sandbox, '/rest/p/test/admin/admin_options?mount_point=admin').json == {'options': []}
    options = get(sandbox, '/rest/p/test/admin/admin_options?mount_point=code').json['options']
    assert options[-1] == {'text': 'Delete Everything', 'href': '/p/test/admin/code/delete', 'className': 'admin_modal'}


def test_export(sandbox, sb):
    sb.config(export_seconds=0.3)
    assert post(sandbox, '/rest/p/test/admin/export', {'tools': 'wiki,'}).status == 400
    assert post(sandbox, '/rest/p/test/admin/export', {'tools': 'Wiki'}).status == 400
    assert post(sandbox, '/rest/p/test/admin/export', {'tools': ''}).status == 400
    result = post(sandbox, '/rest/p/test/admin/export', [('tools', 'wiki'), ('tools', 'admin'), ('with_attachments', '0')])
    assert result.json['status'] == 'in progress'
    assert get(sandbox, '/rest/p/test/admin/export_status').json == {'status': 'busy'}
    assert get(sandbox, '/rest/p/test2/admin/export_status').json == {'status': 'ready'}
    assert post(sandbox, '/rest/p/test/admin/export', {'tools': 'bugs'}).status == 503
    time.sleep(0.4)
    assert post(sandbox, '/rest/p/test/admin/export_status', {}).json == {'status': 'ready'}
    assert post(sandbox, '/rest/p/test/admin/export', {'tools': ' bugs , link '}).status == 200
    exports = sb.state()['exports']
    assert [e['tools'] for e in exports] == [['wiki', 'admin'], ['bugs', 'link']]
    assert exports[0]['with_attachments'] == '0' and exports[0]['send_email'] is None


# -- webhooks (REFERENCE 6) ------------------------------------------------------------------

def create_hook(sandbox, **form):
    return post(sandbox, HOOKS + '/repo-push', form)


def test_webhook_normalisation_duplicates_and_limit(sandbox):
    created = create_hook(sandbox, url='  example.com/hook ', secret='s')
    assert created.status == 201 and created.json['hook_url'] == 'http://example.com/hook'
    assert 'secret' not in created.json
    duplicate = create_hook(sandbox, url='HTTP://example.com/hook')
    assert duplicate.status == 400 and duplicate.json['error'].startswith('_the_form: "repo-push" webhook already exists')
    assert create_hook(sandbox, url='http://EXAMPLE.com/hook').status == 201  # host case is kept
    assert create_hook(sandbox, url='').json == {'result': 'error', 'error': {'url': 'Please enter a value'}}
    assert create_hook(sandbox, url='http://example.com/3').status == 201
    limit = create_hook(sandbox, url='http://example.com/4').json
    assert limit['limits'] == {'max': 3, 'used': 3}
    listing = get(sandbox, HOOKS + '?page=2&limit=1').json
    assert len(listing['webhooks']) == 3 and listing['limits'] == {'repo-push': {'max': 3, 'used': 3}}
    ids = [h['_id'] for h in listing['webhooks']]
    assert ids == sorted(ids)


def test_webhook_secrets_and_mod_date(sandbox, sb):
    hook = create_hook(sandbox, url='http://example.com/a').json
    secret = state_tool(sb, 'code')['data']['webhooks'][0]['secret']
    assert re.match(r'^[0-9a-f]{40}$', secret)
    path = HOOKS + '/repo-push/' + hook['_id']
    same = post(sandbox, path, {'url': 'http://example.com/a'}).json
    assert same['mod_date'] == hook['mod_date']
    assert state_tool(sb, 'code')['data']['webhooks'][0]['secret'] == secret  # absent: kept
    changed = post(sandbox, path, {'secret': 'mine'}).json
    assert changed['mod_date'] != hook['mod_date']
    assert state_tool(sb, 'code')['data']['webhooks'][0]['secret'] == 'mine'
    post(sandbox, path, {'secret': ''})
    regenerated = state_tool(sb, 'code')['data']['webhooks'][0]['secret']
    assert regenerated != 'mine' and len(regenerated) == 40
    assert get(sandbox, path + '/').json['_id'] == hook['_id']
    assert post(sandbox, path + '/delete', {}).status == 404
    assert call(sandbox, 'DELETE', path, token=ADMIN).json == {'result': 'ok'}
    assert call(sandbox, 'DELETE', path, token=ADMIN).status == 404


def test_webhook_failed_edit_changes_nothing(sandbox, sb):
    first = create_hook(sandbox, url='http://example.com/1').json
    second = create_hook(sandbox, url='http://example.com/2').json
    assert post(sandbox, HOOKS + '/repo-push/' + second['_id'], {'url': 'http://example.com/1'}).status == 400
    assert get(sandbox, HOOKS + '/repo-push/' + second['_id']).json == second
    assert first['hook_url'] == 'http://example.com/1'


@pytest.mark.parametrize('url,error', [('ftp://example.com/x', 'Invalid URL scheme.'), ('http://127.0.0.1:9/x', 'Invalid URL.'),
                                       ('http://10.1.2.3/x', 'Invalid URL.'), ('http://localhost/x', 'Invalid URL.'),
                                       ('http://no-such-host.invalid/x', 'Invalid URL.'), ('not a url', 'That is not a valid URL')])
def test_stock_webhook_validation(sandbox, sb, url, error):
    sb.config(stock_webhook_validation=True)
    assert create_hook(sandbox, url=url).json == {'result': 'error', 'error': {'url': error}}


def test_relaxed_webhook_validation_is_the_default(sandbox):
    assert create_hook(sandbox, url='ftp://127.0.0.1/x').status == 201
    assert create_hook(sandbox, url='http://localhost:9/x').status == 201


def test_webhooks_only_on_repositories(sandbox):
    assert get(sandbox, '/rest/p/test/admin/wiki/webhooks').status == 404
    assert get(sandbox, HOOKS + '/repo-push').status == 405
    assert get(sandbox, HOOKS, token=USER).status == 403


# -- add_project (REFERENCE 3.5) -------------------------------------------------------------

def add_project(sandbox, body, nbhd='p', token=ROOT):
    return call(sandbox, 'POST', '/rest/%s/add_project' % nbhd, token=token, body=json.dumps(body),
                headers={'Content-Type': 'text/plain'})


def test_add_project(sandbox):
    result = add_project(sandbox, {'shortname': 'newproj', 'name': 'New Project', 'admin': 'test-user',
                                   'summary': 's', 'description': 'd', 'labels': ['a'],
                                   'trove_licenses': ['Apache License V2.0']})
    assert result.status == 201
    assert result.headers['location'].endswith('/rest/p/newproj/')
    assert result.json == {'status': 'success', 'html_url': result.headers['location'].replace('/rest/', '/'),
                           'url': result.headers['location']}
    project = get(sandbox, '/rest/p/newproj/', token=USER).json
    assert [t['name'] for t in project['tools']] == ['admin', 'search', 'activity']
    assert project['short_description'] == 'd' and project['labels'] == ['a']
    assert project['categories']['license'][0]['shortname'] == 'apache2'
    assert add_project(sandbox, {'shortname': 'newproj', 'name': 'x', 'admin': 'root'}).json == \
        {'error': 'This project name is taken.'}


@pytest.mark.parametrize('body,error', [
    ({}, "{'admin': 'Required', 'name': 'Required'}"),
    ({'name': 'x', 'admin': 'nobody'}, '{\'admin\': \'Invalid username "nobody".\'}'),
    ({'name': 'x', 'admin': 'root', 'bogus': 1}, '{\'\': \'Unrecognized keys in mapping: "{\\\'bogus\\\': 1}"\'}'),
    ({'name': 'x', 'admin': 'root', 'shortname': 'X'}, 'Please use 3-15 small letters, numbers, and dashes.'),
    ({'name': 'x', 'admin': 'root', 'shortname': 'ab'}, 'Please use 3-15 small letters, numbers, and dashes.'),
    ({'name': 'x', 'admin': 'root'}, 'Please use 3-15 small letters, numbers, and dashes.'),  # derived shortname too short
    ({'name': 'x', 'admin': 'root', 'shortname': 'test'}, 'This project name is taken.'),
    ({'name': 'Some project', 'admin': 'root', 'private': True}, "You can't create private projects in the Projects neighborhood"),
    ({'name': 'Some project', 'admin': 'root', 'trove_topics': ['Cooking']}, '"Cooking" is not a valid trove category.'),
    ({'name': 'x', 'admin': 'root', 'icon_url': 'nope'}, "{'icon_url': 'Must be a URL'}"),
])
def test_add_project_errors(sandbox, body, error):
    result = add_project(sandbox, body)
    assert result.status == 400 and result.content_type == 'application/json; charset=utf-8'
    assert result.json == {'error': error}


def test_add_project_shortname_derivation_and_permissions(sandbox):
    assert add_project(sandbox, {'name': 'Test', 'admin': 'root'}).headers['location'].endswith('/rest/p/test1/')
    assert add_project(sandbox, {'name': 'Valid Project Name', 'admin': 'root'}).headers['location'].endswith(
        '/rest/p/valid-project-n/')
    assert add_project(sandbox, {'name': 'x', 'admin': 'root'}, token=ADMIN).status == 403
    assert add_project(sandbox, {'name': 'x', 'admin': 'root'}, token=None).status == 401
    assert add_project(sandbox, {'name': 'Private', 'admin': 'test-admin', 'private': True}, nbhd='adobe',
                       token=ADMIN).status == 201
    assert get(sandbox, '/rest/adobe/private/', token=None).status == 401
    assert get(sandbox, '/rest/adobe/private/', token=USER).status == 403
    assert get(sandbox, '/rest/p/add_project', token=ROOT).status == 405


# -- has_access, profile, DOAP ---------------------------------------------------------------

@pytest.mark.parametrize('path,token,result', [
    ('/rest/p/test/wiki/has_access?user=test-admin&perm=jump', ADMIN, True),
    ('/rest/p/test/has_access?user=test-admin&perm=jump', ADMIN, False),
    ('/rest/p/test/has_access?user=test-admin&perm=update', ADMIN, True),
    ('/rest/p/test/has_access?user=root&perm=jump', ADMIN, True),
    ('/rest/p/test/has_access?user=&perm=read', ADMIN, True),
    ('/rest/p/test/has_access?user=*anonymous&perm=update', ADMIN, False),
    ('/rest/p/test/bugs/has_access?user=test-user&perm=create', ADMIN, True),
    ('/rest/p/test/bugs/has_access?user=test-user&perm=update', ADMIN, False),
    ('/rest/p/test/link/has_access?user=test-user&perm=configure', ROOT, False),
    ('/rest/adobe/has_access?user=test-user&perm=admin', ADMIN, False),
])
def test_has_access(sandbox, path, token, result):
    assert get(sandbox, path, token=token).json == {'result': result}


@pytest.mark.parametrize('role,perm,result', [
    ('Member', 'create', True), ('Member', 'edit', True), ('Member', 'delete', False), ('Member', 'moderate', False),
    ('Developer', 'delete', True), ('Developer', 'moderate', True), ('Developer', 'configure', False),
    ('Developer', 'jump', False),
])
def test_wiki_roles(role, perm, result):
    """Checked on a real Allura with test-user-0 a Member and test-user-1 a Developer of p/test (ForgeWikiApp.install):
    Members create and edit pages, Developers also delete and moderate; no REST call makes a Member, so the rule is
    asked directly."""
    from allura_sandbox import perms, seed  # pylint: disable=import-outside-toplevel
    data = seed.build()
    project = data['projects']['p/test']
    project['roles']['test-user-0'] = role
    wiki = next(tool for tool in project['tools'] if tool['mount_point'] == 'wiki')
    assert perms.tool_access(data, project, wiki, perm, 'test-user-0') is result


def test_has_access_errors(sandbox):
    assert get(sandbox, '/rest/p/test/has_access?user=test-user').status == 404
    assert get(sandbox, '/rest/p/test/bugs/has_access?perm=read', token=None).status == 404
    assert get(sandbox, '/rest/p/test/bugs/has_access?user=x&perm=read', token=None).status == 401
    assert get(sandbox, '/rest/p/test/has_access?user=x&perm=read', token=USER).status == 403


def test_user_project_and_profile(sandbox):
    project = get(sandbox, '/rest/u/test-user/', token=USER).json
    assert project['shortname'] == 'u/test-user'
    # checked on a real Allura: the tools a caller may read, the profile tool (empty ACL) only for admins and the owner
    assert [t['name'] for t in project['tools']] == ['wiki', 'profile', 'admin', 'search', 'activity', 'userstats']
    other = get(sandbox, '/rest/u/test-admin/', token=USER).json
    assert [t['name'] for t in other['tools']] == ['wiki', 'activity', 'userstats']
    assert get(sandbox, '/rest/u/test_user/', token=USER).json['_id'] == project['_id']
    profile = get(sandbox, '/rest/u/test-admin/profile/').json
    assert [p['url'] for p in profile['projects']] == ['/adobe/adobe-1/', '/p/test2/', '/p/test/']


def test_doap(sandbox):
    result = get(sandbox, '/rest/p/test?doap')
    assert result.status == 200 and result.content_type == 'application/rdf+xml; charset=UTF-8'
    assert '<name>test</name>' in result.text and '?doap#' in result.text
    assert get(sandbox, '/rest/p/test/?doap=').content_type.startswith('application/rdf+xml')


def test_blog_and_discussion(sandbox):
    assert get(sandbox, '/rest/p/test/blog').status == 301
    created = post(sandbox, '/rest/p/test/blog/', {'title': 'Draft!', 'text': 'x'})
    assert created.status == 201
    path = created.headers['location'].split('127.0.0.1', 1)[1].split('/', 1)[1]
    assert get(sandbox, '/' + path).json['state'] == 'draft'
    assert get(sandbox, '/' + path, token=None).status == 401  # a draft needs write (recordings-wave2)
    assert get(sandbox, '/' + path, token=USER).status == 403
    assert get(sandbox, '/rest/p/test/blog/', token=None).json['count'] == 0
    thread = get(sandbox, '/' + path).json['discussion_thread']['_id']
    reply = post(sandbox, '/rest/p/test/blog/_discuss/thread/%s/new' % thread, {'text': 'hello'})
    assert reply.status == 302
    assert len(get(sandbox, '/rest/p/test/blog/_discuss/thread/%s/' % thread).json['thread']['posts']) == 1
    forums = get(sandbox, '/rest/p/test/discussion/').json
    assert forums['forums'][0]['shortname'] == 'general'
