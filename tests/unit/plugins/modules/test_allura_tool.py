# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import copy

import pytest

from ansible_collections.allura.forge.plugins.module_utils._client import AlluraClient
from ansible_collections.allura.forge.plugins.module_utils._module import execute
from ansible_collections.allura.forge.plugins.modules import allura_tool
from ansible_collections.allura.forge.tests.unit.plugins.fake_session import FakeSession, reply

BASE = 'https://forge.example.org'
ERROR_403 = '<html><title>A 403 Error has Occurred</title><div id="content_base"><p>Admin access required</p></div></html>'


def tool(name, mount_point, label, api=True):
    out = {'name': name, 'mount_point': mount_point, 'url': '%s/p/test/%s/' % (BASE, mount_point), 'mount_label': label}
    if api:
        out['api_url'] = '%s/rest/p/test/%s/' % (BASE, mount_point)
    return out


TOOLS = [tool('admin', 'admin', 'Admin'), tool('search', 'search', 'Search', api=False), tool('wiki', 'wiki', 'Wiki'),
         tool('tickets', 'bugs', 'Tickets'), tool('link', 'link', 'Link'), tool('git', 'code', 'Code')]
PROJECT = {'shortname': 'test', 'name': 'Test Project', 'url': '%s/p/test/' % BASE, 'tools': TOOLS}


def installable_entry(name, label):
    return {'name': name, 'tool_label': label, 'defaults': {'default_options': {}, 'default_mount_label': label,
                                                            'default_mount_point': None}}


INSTALLABLE = {'tools': [installable_entry('link', 'Link name'), installable_entry('git', 'Code'),
                         installable_entry('wiki', 'Wiki'), installable_entry('tickets', 'Tickets'),
                         installable_entry('blog', 'Blog'),
                         {'name': 'subproject', 'tool_label': 'Sub Project', 'defaults': {'default_mount_label': 'Sub'}}]}


def with_tools(*extra):
    data = copy.deepcopy(PROJECT)
    data['tools'].extend(extra)
    return data


def params(**kw):
    base = dict(server_url=BASE, token='secret-token', neighborhood='p', retries=0, timeout=5, project='test',
                tool='wiki', mount_point=None, mount_label=None, order=None, url=None, state='present')
    base.update(kw)
    return base


def client(session, retries=0):
    return AlluraClient(BASE, token='secret-token', session=session, sleep=lambda s: None, retries=retries)


def server(after=None, install=None):
    """A project; install_tool answers `install`; project reads after the first show `after`."""
    session = FakeSession()
    session.add('GET', '/rest/p/test/', responses=[reply(json=PROJECT), reply(json=after or PROJECT)])
    session.add('GET', '/rest/p/test/admin/installable_tools', json=INSTALLABLE)
    session.add('POST', '/rest/p/test/admin/install_tool', json=install or {'success': True, 'info': 'Tool created.'})
    return session


def run(session, check=False, diff=True, **kw):
    return execute(allura_tool.run, params(**kw), check_mode=check, diff_mode=diff, client=client(session))


def test_install_new_wiki():
    session = server(after=with_tools(tool('wiki', 'docs', 'Docs')))
    out = run(session, mount_point='docs', mount_label='Docs')
    assert out['changed'] is True and out['action'] == 'create'
    assert out['tool'] == tool('wiki', 'docs', 'Docs')
    [write] = session.writes()
    assert write.form == {'tool': 'wiki', 'mount_point': 'docs', 'mount_label': 'Docs'}
    assert write.path == '/rest/p/test/admin/install_tool'
    assert out['diff'][0]['before'] == {}
    assert out['diff'][0]['after'] == {'tool': 'wiki', 'mount_point': 'docs', 'mount_label': 'Docs'}


def test_check_mode_predicts_the_install_and_writes_nothing():
    session = server()
    out = run(session, check=True, mount_point='docs', mount_label='Docs')
    assert session.writes() == []
    assert out['changed'] is True and out['action'] == 'create'
    assert out['tool'] == tool('wiki', 'docs', 'Docs')  # the same entry the real run returns
    assert out['diff'][0]['after'] == {'tool': 'wiki', 'mount_point': 'docs', 'mount_label': 'Docs'}


def test_check_mode_prediction_without_rest_api():
    session = server()
    session.add('GET', '/rest/p/test/admin/installable_tools', json={'tools': [installable_entry('files', 'Files')]})
    out = run(session, check=True, tool='files')
    assert out['tool'] == tool('files', 'files', 'Files', api=False)


def test_existing_tool_is_one_read():
    session = FakeSession().add('GET', '/rest/p/test/', json=with_tools(tool('wiki', 'docs', 'Docs')))
    out = run(session, mount_point='docs', mount_label='Docs')
    assert out['changed'] is False and out['action'] == 'none'
    assert out['tool'] == tool('wiki', 'docs', 'Docs')
    assert len(session.calls) == 1
    assert out['diff'] == []


def test_mount_point_lower_cased_for_normal_tools():
    session = FakeSession().add('GET', '/rest/p/test/', json=with_tools(tool('wiki', 'docs', 'Docs')))
    out = run(session, mount_point='Docs', mount_label='Docs')
    assert out['changed'] is False
    assert session.writes() == []


def test_repository_mount_point_keeps_case():
    session = server(after=with_tools(tool('git', 'Code2', 'Code')))
    out = run(session, tool='git', mount_point='Code2')
    assert out['changed'] is True
    assert session.writes()[0].form == {'tool': 'git', 'mount_point': 'Code2', 'mount_label': 'Code'}
    assert out['tool']['mount_point'] == 'Code2'
    assert 'warnings' not in out


def test_case_variant_of_repository_warns():
    session = server(after=with_tools(tool('git', 'Code', 'Code')))
    out = run(session, tool='git', mount_point='Code')
    assert out['changed'] is True
    assert any("differs from mount_point 'Code' only in case" in w for w in out['warnings'])


def test_default_mount_point_and_label():
    session = server(after=with_tools(tool('blog', 'blog', 'Blog')))
    out = run(session, tool='blog')
    assert session.writes()[0].form == {'tool': 'blog', 'mount_point': 'blog', 'mount_label': 'Blog'}
    assert out['tool']['mount_label'] == 'Blog'


def test_git_defaults_to_code():
    session = FakeSession().add('GET', '/rest/p/test/', json=PROJECT)
    out = run(session, tool='git')
    assert out['changed'] is False
    assert out['tool']['mount_point'] == 'code'


def test_order_and_link_url_are_sent_on_install():
    session = server(after=with_tools(tool('link', 'homepage', 'Home page')))
    out = run(session, tool='link', mount_point='homepage', mount_label='Home page', order='first', url='  myproj.example.org/ ')
    assert out['changed'] is True
    assert session.writes()[0].form == {'tool': 'link', 'mount_point': 'homepage', 'mount_label': 'Home page',
                                        'order': 'first', 'url': 'http://myproj.example.org/'}


@pytest.mark.parametrize('mount_point, reason', [
    ('Bad Mount!', 'is invalid: 1-63 lower-case'),
    ('-docs', 'is invalid'),
    ('docs-', 'is invalid'),
    ('1234', 'is invalid'),
    ('a' * 64, 'is invalid'),
    ('docs\n', 'is invalid'),
    ('feed', "'feed' is reserved"),
    ('Index', "'index' is reserved"),
    ('icon', 'is reserved'),
    ('_nav.json', 'is invalid'),
])
def test_invalid_mount_point_fails_before_any_request(mount_point, reason):
    session = FakeSession()
    out = run(session, mount_point=mount_point)
    assert out['failed'] is True
    assert ('mount_point %r' % mount_point) in out['msg'] and reason in out['msg']
    assert session.calls == []


def test_valid_edge_mount_points():
    session = FakeSession().add('GET', '/rest/p/test/', json=with_tools(tool('wiki', 'a', 'A'), tool('wiki', '1a', 'B'),
                                                                        tool('wiki', 'a' * 63, 'C')))
    for mount_point in ('a', '1a', 'A' * 63):
        assert run(session, mount_point=mount_point)['changed'] is False


def test_relaxed_rules_for_repositories():
    session = FakeSession().add('GET', '/rest/p/test/', json=with_tools(tool('git', 'my_repo.v2+x', 'Code'),
                                                                        tool('git', 'Feed', 'Feed')))
    assert run(session, tool='git', mount_point='my_repo.v2+x')['changed'] is False
    assert run(session, tool='git', mount_point='Feed')['changed'] is False  # reserved names are lower-case
    assert run(FakeSession(), tool='git', mount_point='.hidden')['failed'] is True
    assert run(FakeSession(), tool='git', mount_point='feed')['failed'] is True


@pytest.mark.parametrize('name, hint', [('Wiki', "did you mean 'wiki'?"), ('', 'tool names are lower-case')])
def test_tool_name_case_checked_before_any_request(name, hint):
    session = FakeSession()
    out = run(session, tool=name)
    assert out['failed'] is True and hint in out['msg']
    assert session.calls == []


def test_unknown_tool_fails_without_install():
    session = server()
    out = run(session, tool='no-such-tool', mount_point='x')
    assert out['failed'] is True
    assert "tool 'no-such-tool' cannot be installed" in out['msg']
    assert 'installable here: link, git, wiki, tickets, blog)' in out['msg']
    assert session.writes() == []


def test_subproject_is_refused():
    session = FakeSession()
    out = run(session, tool='subproject', mount_point='sub')
    assert out['failed'] is True and 'sub-projects cannot be created' in out['msg']
    assert session.calls == []


def test_empty_label_refused():
    out = run(FakeSession(), mount_point='docs', mount_label='')
    assert out['failed'] is True and "mount_label ''" in out['msg']


def test_url_only_for_link_and_validated():
    session = FakeSession()
    out = run(session, tool='wiki', mount_point='docs', url='https://example.org')
    assert out['failed'] is True and 'url is only used with tool=link' in out['msg']
    out = run(session, tool='link', mount_point='homepage', url='not a url')
    assert out['failed'] is True and "url 'not a url' is invalid: That is not a valid URL" in out['msg']
    assert session.calls == []


def test_label_drift_in_check_mode_is_reported():
    session = FakeSession().add('GET', '/rest/p/test/', json=with_tools(tool('wiki', 'docs', 'Docs')))
    out = run(session, check=True, mount_point='docs', mount_label='Documentation')
    assert out['changed'] is True and out['action'] == 'update'
    assert session.writes() == []
    assert out['diff'][0]['before'] == {'mount_label': 'Docs'}
    assert out['diff'][0]['after'] == {'mount_label': 'Documentation'}
    assert len(out['warnings']) == 1 and 'mount_label' in out['warnings'][0] and 'Rename' in out['warnings'][0]


def test_label_drift_in_real_run_fails_naming_field_and_values():
    session = FakeSession().add('GET', '/rest/p/test/', json=with_tools(tool('wiki', 'docs', 'Docs')))
    out = run(session, mount_point='docs', mount_label='Documentation')
    assert out['failed'] is True
    assert "mount_label is 'Docs' on the server but 'Documentation' is wanted" in out['msg']
    assert 'web admin' in out['msg']
    assert out['drift'] == {'mount_label': {'live': 'Docs', 'desired': 'Documentation'}}
    assert session.writes() == []


def test_other_tool_type_is_drift():
    session = FakeSession().add('GET', '/rest/p/test/', json=PROJECT)
    out = run(session, tool='blog', mount_point='wiki')
    assert out['failed'] is True
    assert "tool is 'wiki' on the server but 'blog' is wanted" in out['msg']
    assert session.writes() == []


def test_unset_label_is_not_compared_on_existing_tool():
    session = FakeSession().add('GET', '/rest/p/test/', json=PROJECT)
    assert run(session, tool='tickets', mount_point='bugs')['changed'] is False


def test_install_refused_by_server_carries_info():
    session = server(install={'success': False, 'info': 'Mount point "docs" is already in use'})
    out = run(session, mount_point='docs', mount_label='Docs')
    assert out['failed'] is True
    assert 'install_tool refused' in out['msg'] and 'Mount point "docs" is already in use' in out['msg']


def test_mount_point_taken_meanwhile_by_the_same_tool_counts_as_converged():
    # another run installed it after this one read the project: install_tool says so with HTTP 200, success false
    session = server(after=with_tools(tool('wiki', 'docs', 'Docs')), install={'success': False, 'info': 'Mount point already exists.'})
    out = run(session, mount_point='docs', mount_label='Docs')
    assert 'failed' not in out and out['changed'] is False and out['action'] == 'none', out
    assert out['tool'] == tool('wiki', 'docs', 'Docs') and len(session.writes()) == 1
    assert out['warnings'] == ["tool 'docs' of project p/test was created meanwhile by another run (the server refused to create "
                               'it again); it is compared with the spec as it is now']
    # without a label of its own, the default label a new tool would get is not required of the one found
    session = server(after=with_tools(tool('wiki', 'docs', 'Documentation')), install={'success': False, 'info': 'Mount point already exists.'})
    assert run(session, mount_point='docs')['action'] == 'none'


def test_mount_point_taken_meanwhile_by_another_tool_type_is_drift():
    session = server(after=with_tools(tool('blog', 'docs', 'Docs')), install={'success': False, 'info': 'Mount point already exists.'})
    out = run(session, mount_point='docs', mount_label='Docs')
    assert out['failed'] is True and out['drift'] == {'tool': {'live': 'blog', 'desired': 'wiki'}}
    assert "tool 'docs' of project p/test: tool is 'blog' on the server but 'wiki' is wanted" in out['msg']


def test_bulk_mount_point_taken_meanwhile_goes_on_with_the_next_tool():
    after = with_tools(tool('wiki', 'docs', 'Docs'), tool('blog', 'news', 'Blog'))
    session = server(after=after)
    session.add('POST', '/rest/p/test/admin/install_tool', responses=[
        reply(json={'success': False, 'info': 'Mount point already exists.'}), reply(json={'success': True, 'info': 'ok'})])
    out = run(session, **bulk(tools=[{'tool': 'wiki', 'mount_point': 'docs', 'mount_label': 'Docs'}, {'tool': 'blog', 'mount_point': 'news'}]))
    assert 'failed' not in out and out['summary'] == {'created': 1, 'updated': 0, 'unchanged': 1}
    assert [t['action'] for t in out['tools']] == ['none', 'create']


def test_ambiguous_failure_is_rechecked_not_resent():
    after = with_tools(tool('wiki', 'docs', 'Docs'))
    session = FakeSession()
    session.add('GET', '/rest/p/test/', responses=[reply(json=PROJECT), reply(json=after)])
    session.add('GET', '/rest/p/test/admin/installable_tools', json=INSTALLABLE)
    session.add('POST', '/rest/p/test/admin/install_tool', status=502, text='Bad Gateway')
    out = execute(allura_tool.run, params(mount_point='docs', mount_label='Docs', retries=3), client=client(session, retries=3))
    assert out['changed'] is True and out['tool']['mount_point'] == 'docs'
    assert len(session.writes()) == 1
    assert any('not sending it again' in w for w in out['warnings'])


def test_non_admin_gets_clear_message():
    session = FakeSession().add('GET', '/rest/p/test/', json=PROJECT)
    session.add('GET', '/rest/p/test/admin/installable_tools', status=403, text=ERROR_403)
    out = run(session, mount_point='docs')
    assert out['failed'] is True
    assert out['msg'] == ("cannot install a tool in project p/test: the user of this token lacks the 'admin' permission on the "
                          "project (Admin access required); use the token of a project admin")
    assert session.writes() == []
    assert 'secret-token' not in repr(out)


# -- tools: many tools in one task -----------------------------------------------------------------

def bulk(**kw):
    base = dict(tool=None, tools=kw.pop('tools'))
    base.update(kw)
    return base


TOOL_LIST = [{'tool': 'wiki', 'mount_point': 'docs', 'mount_label': 'Docs'},
             {'tool': 'wiki', 'mount_point': 'wiki'},
             {'tool': 'git', 'mount_point': 'repo1', 'mount_label': 'Repo 1', 'order': 'first'},
             {'tool': 'link', 'mount_point': 'home', 'mount_label': 'Home', 'url': 'home.example.org'}]
INSTALLED = with_tools(tool('wiki', 'docs', 'Docs'), tool('git', 'repo1', 'Repo 1'), tool('link', 'home', 'Home'))


def test_bulk_installs_with_one_project_read_and_one_reread():
    session = server(after=INSTALLED)
    out = run(session, **bulk(tools=TOOL_LIST))
    assert out['changed'] is True
    assert out['summary'] == {'created': 3, 'updated': 0, 'unchanged': 1}
    assert [t['action'] for t in out['tools']] == ['create', 'none', 'create', 'create']
    assert out['tools'][0] == dict(tool('wiki', 'docs', 'Docs'), action='create')
    assert out['tools'][1] == dict(tool('wiki', 'wiki', 'Wiki'), action='none')
    assert [(c.method, c.path) for c in session.calls] == [
        ('GET', '/rest/p/test/'), ('GET', '/rest/p/test/admin/installable_tools')] + [
        ('POST', '/rest/p/test/admin/install_tool')] * 3 + [('GET', '/rest/p/test/')]
    assert [w.form for w in session.writes()] == [
        {'tool': 'wiki', 'mount_point': 'docs', 'mount_label': 'Docs'},
        {'tool': 'git', 'mount_point': 'repo1', 'mount_label': 'Repo 1', 'order': 'first'},
        {'tool': 'link', 'mount_point': 'home', 'mount_label': 'Home', 'url': 'http://home.example.org'}]
    assert [d['before_header'] for d in out['diff']] == [
        "tool 'docs' of project p/test", "tool 'repo1' of project p/test", "tool 'home' of project p/test"]


def test_bulk_check_mode_predicts_exactly_and_writes_nothing():
    check = run(server(after=INSTALLED), check=True, **bulk(tools=TOOL_LIST))
    session = server(after=INSTALLED)
    real = run(session, **bulk(tools=TOOL_LIST))
    assert check['summary'] == real['summary'] and check['diff'] == real['diff']
    assert check['changed'] is True
    # a repository's clone URLs are not predictable; everything else is
    strip = [{k: v for k, v in t.items() if not k.startswith('clone_url')} for t in real['tools']]
    assert check['tools'] == strip
    session = server(after=INSTALLED)
    run(session, check=True, **bulk(tools=TOOL_LIST))
    assert session.writes() == [] and len(session.calls) == 2


def test_bulk_nothing_to_install_is_one_read():
    session = FakeSession().add('GET', '/rest/p/test/', json=INSTALLED)
    out = run(session, **bulk(tools=TOOL_LIST))
    assert out['changed'] is False and out['summary'] == {'created': 0, 'updated': 0, 'unchanged': 4}
    assert len(session.calls) == 1


def test_bulk_bad_item_fails_naming_it_before_any_request():
    session = FakeSession()
    out = run(session, **bulk(tools=[{'tool': 'wiki', 'mount_point': 'ok'}, {'tool': 'wiki', 'mount_point': 'Bad Mount!'}]))
    assert out['failed'] is True and out['msg'].startswith("tools[1].mount_point 'Bad Mount!' is invalid")
    out = run(session, **bulk(tools=[{'tool': 'wiki', 'mount_point': 'docs'}, {'tool': 'wiki', 'mount_point': 'Docs'}]))
    assert out['failed'] is True and "tools[1].mount_point 'docs' is also given by tools[0]" in out['msg']
    out = run(session, **bulk(tools=[{'tool': 'Wiki'}]))
    assert out['failed'] is True and out['msg'].startswith("tools[0].tool 'Wiki' is invalid")
    out = run(session, **bulk(tools=[]))
    assert out['failed'] is True and 'tools must list at least one tool' in out['msg']
    out = run(session, **bulk(tools=[{'tool': 'wiki'}], mount_label='X'))
    assert out['failed'] is True and 'tools is mutually exclusive with mount_label' in out['msg']
    assert session.calls == []


def test_bulk_unknown_type_fails_before_the_first_install():
    session = server()
    out = run(session, **bulk(tools=[{'tool': 'wiki', 'mount_point': 'docs'}, {'tool': 'nope', 'mount_point': 'x'}]))
    assert out['failed'] is True and out['msg'].startswith("tools[1].tool 'nope' cannot be installed")
    assert session.writes() == []


def test_bulk_refused_install_names_the_item_and_keeps_the_ones_before():
    session = server()
    session.add('POST', '/rest/p/test/admin/install_tool', responses=[
        reply(json={'success': True, 'info': 'ok'}), reply(json={'success': False, 'info': 'Mount point "x" is invalid'})])
    out = run(session, **bulk(tools=[{'tool': 'wiki', 'mount_point': 'docs'}, {'tool': 'blog', 'mount_point': 'news'}]))
    assert out['failed'] is True and out['changed'] is True
    assert out['msg'].startswith("tools[1]: install_tool refused to install blog at 'news'")
    assert 'before it, 1 tools were converged: 1 created' in out['msg']
    assert out['tools'][0]['mount_point'] == 'docs' and out['summary']['created'] == 1


def test_bulk_install_missing_after_the_reread_fails_naming_the_item():
    session = server(after=with_tools(tool('wiki', 'docs', 'Wiki')))
    out = run(session, **bulk(tools=[{'tool': 'wiki', 'mount_point': 'docs'}, {'tool': 'blog', 'mount_point': 'news'}]))
    assert out['failed'] is True and out['changed'] is True
    assert "tools[1]: install_tool answered success, but project p/test lists no tool at 'news'" in out['msg']
    assert out['summary'] == {'created': 2, 'updated': 0, 'unchanged': 0}


def test_bulk_server_storing_another_label_fails_naming_the_item():
    session = server(after=with_tools(tool('wiki', 'docs', 'Something else')))
    out = run(session, **bulk(tools=[{'tool': 'wiki', 'mount_point': 'docs', 'mount_label': 'Docs'}]))
    assert out['failed'] is True and out['changed'] is True
    assert out['msg'] == ("tools[0]: tool 'docs' of project p/test: the server accepted the change but stored "
                          "mount_label='Something else' instead of 'Docs'")


def test_bulk_label_drift_in_check_mode():
    session = FakeSession().add('GET', '/rest/p/test/', json=INSTALLED)
    out = run(session, check=True, **bulk(tools=[{'tool': 'wiki', 'mount_point': 'docs', 'mount_label': 'Documentation'},
                                                 {'tool': 'git', 'mount_point': 'repo1'}]))
    assert out['summary'] == {'created': 0, 'updated': 1, 'unchanged': 1}
    assert out['diff'] == [{'before_header': "tool 'docs' of project p/test", 'after_header': "tool 'docs' of project p/test",
                            'before': {'mount_label': 'Docs'}, 'after': {'mount_label': 'Documentation'}}]
    assert len(out['warnings']) == 1
