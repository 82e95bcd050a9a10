# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The project role's one rule: what a check run would create (from the results, never from ansible_check_mode),
and when a task that failed on something missing is pending rather than failed - decided from `missing`, never
from message text."""

from __future__ import annotations

import pytest

from ansible_collections.allura.forge.plugins.plugin_utils._plan import access_errors, plan_tools, project_created, project_task
from ansible_collections.allura.forge.plugins.plugin_utils._report import project_report

SPEC = dict(name='demo', tools=[dict(tool='wiki', mount_point='Docs'), dict(tool='git')],
            wiki=[dict(mount_point='Docs', title='Intro', text='x')])
TOOLS = plan_tools(SPEC)


def tools_result(*actions, check_mode=True):
    return dict(check_mode=check_mode, changed='create' in actions, summary=dict(created=actions.count('create')), tools=[
        dict(mount_point=item.get('mount_point', 'code').lower() if item['tool'] != 'git' else 'code', action=action)
        for item, action in zip(TOOLS, actions)])


def test_what_a_check_run_would_create_comes_from_the_results():
    project = dict(check_mode=True, action='none', changed=False)
    expected = dict(check_mode=True, project=False, mounts=['Docs', 'docs'])
    assert project_created(project, tools_result('create', 'none'), TOOLS) == expected
    new = project_created(dict(check_mode=True, action='create'), dict(check_mode=True, failed=True, missing='project'), TOOLS)
    assert new == dict(check_mode=True, project=True, mounts=['Docs', 'code'])
    # a real run creates first: nothing is pending later
    assert project_created(dict(check_mode=False, action='create'), tools_result('create', 'create', check_mode=False),
                           TOOLS) == dict(check_mode=False, project=False, mounts=[])
    # given explicitly, check_mode wins over the results (results made by hand, or by modules of another collection)
    assert project_created(dict(action='create'), None, TOOLS, check_mode=True)['project'] is True


CREATED = dict(check_mode=True, project=False, mounts=['Docs', 'docs'])


@pytest.mark.parametrize('result, mounts, expected', [
    (dict(failed=True, missing='tool', msg='any words'), ['Docs'], dict(pending=True, failed=False, changed=True)),
    (dict(failed=True, missing='tool', msg='any words'), ['wiki'], dict(pending=False, failed=True, changed=False)),
    (dict(failed=True, missing='tool'), ['Docs', 'wiki'], dict(pending=False, failed=True, changed=False)),
    (dict(failed=True, missing='item'), ['Docs'], dict(pending=False, failed=True, changed=False)),
    (dict(failed=True, msg="project p/demo has no tool at mount_point 'Docs'"), ['Docs'], dict(pending=False, failed=True, changed=False)),
    (dict(failed=True, missing='project'), ['Docs'], dict(pending=False, failed=True, changed=False)),
    (dict(changed=True, action='update'), ['Docs'], dict(pending=False, failed=False, changed=True)),
    (dict(changed=False, action='none'), ['wiki'], dict(pending=False, failed=False, changed=False)),
    (dict(failed=True, changed=True, setup=[dict(what='status')]), ['wiki'], dict(pending=False, failed=False, changed=True)),
], ids=['missing-new-tool', 'missing-other-tool', 'one-of-two-new', 'missing-item', 'only-text', 'missing-project', 'ran',
        'ran-unchanged', 'web-setup-is-reported-not-failed'])
def test_one_rule_for_every_task(result, mounts, expected):
    assert project_task(result, CREATED, mounts, predicted=True) == expected


def test_a_new_project_makes_every_missing_thing_pending_and_a_real_run_none():
    new = dict(check_mode=True, project=True, mounts=[])
    assert project_task(dict(failed=True, missing='project'), new, [], predicted=False)['pending'] is True
    assert project_task(dict(failed=True, missing='tool'), new, ['any'], predicted=False) == dict(pending=True, failed=False,
                                                                                                  changed=False)
    real = dict(CREATED, check_mode=False)
    assert project_task(dict(failed=True, missing='tool'), real, ['Docs'], predicted=True)['failed'] is True


def test_left_out_items_count_as_a_change_whatever_the_task_did():
    assert project_task(dict(changed=False), CREATED, ['code'], predicted=False, left_out=True)['changed'] is True
    assert project_task(dict(changed=False), CREATED, ['code'])['changed'] is False


def test_the_report_takes_check_mode_from_the_results():
    project = dict(check_mode=True, action='none', changed=False, project={})
    pending_page = dict(failed=False, failed_when_result=False, missing='tool', changed=True,
                        item=dict(mount_point='Docs', pages=[dict(title='Intro', text='x')]))
    report = project_report(SPEC, project=project, tools=tools_result('create', 'none'), wiki=dict(results=[pending_page]))
    assert report['check_mode'] is True
    assert [(r['resource'], r['action'], r['pending']) for r in report['resources']] == [
        ('project', 'none', False), ('tool Docs', 'create', False), ('tool code', 'none', False), ('wiki Docs/Intro', 'create', True)]


# -- access checks: permission names by their path in the spec -----------------------------------------------------

ACCESS_SPEC = dict(name='demo', link='https://example.org', tools=[dict(tool='wiki', mount_point='Docs'), dict(tool='git'),
                                                                   dict(tool='chat')],
                   access=[dict(user='u', permission='read'),                            # 0 the project: fine
                           dict(user='u', permission='updte'),                           # 1 the project: a typo
                           dict(mount_point='docs', user='u', permission='edt'),         # 2 a wiki the spec installs
                           dict(mount_point='Docs', user='u', permission='edit'),        # 3 as the spec gives it: fine
                           dict(mount_point='code', user='u', permission='wirte'),       # 4 a git repository
                           dict(mount_point='link', user='u', permission='configur'),    # 5 the link tool of `link`
                           dict(mount_point='chat', user='u', permission='read'),        # 6 no has_access
                           dict(mount_point='bugs', user='u', permission='craete'),      # 7 not in the spec
                           dict(mount_point='photos', user='u', permission='upload')])   # 8 a third-party kind
LIVE = dict(shortname='demo', tools=[dict(name='tickets', mount_point='bugs'), dict(name='gallery', mount_point='photos'),
                                     dict(name='blog', mount_point='docs')])  # the spec's wiki is what counts at docs


def test_access_errors_from_the_spec_alone_then_with_the_project():
    from_spec = access_errors(ACCESS_SPEC)
    assert from_spec == [
        "allura_project.access[1].permission 'updte' (did you mean 'update'?) is not a permission of the project (the "
        "server does not tell unknown names from denied ones); a project has: read, update, admin, create",
        "allura_project.access[2].permission 'edt' (did you mean 'edit'?) is not a permission of the wiki tool at "
        "mount_point 'docs' (the server does not tell unknown names from denied ones); a wiki tool has: configure, read, "
        "create, edit, delete, unmoderated_post, post, moderate, admin",
        "allura_project.access[4].permission 'wirte' (did you mean 'write'?) is not a permission of the git tool at "
        "mount_point 'code' (the server does not tell unknown names from denied ones); a git tool has: read, write, create, "
        "unmoderated_post, post, moderate, admin, configure",
        "allura_project.access[5].permission 'configur' (did you mean 'configure'?) is not a permission of the link tool at "
        "mount_point 'link' (the server does not tell unknown names from denied ones); a link tool has: configure, read, admin",
        "allura_project.access[6].mount_point 'chat' is a chat tool, which has no has_access: only tools with a REST API "
        "have it"]
    with_project = access_errors(ACCESS_SPEC, LIVE)
    assert with_project[:5] == from_spec
    assert len(with_project) == 6 and with_project[5].startswith(
        "allura_project.access[7].permission 'craete' (did you mean 'create'?) is not a permission of the tickets tool at "
        "mount_point 'bugs'")


@pytest.mark.parametrize('spec', [None, {}, dict(name='x'), dict(name='x', access=[]),
                                  dict(name='x', access=[dict(user='u', permission='admin', mount_point='nowhere')])])
def test_no_access_errors(spec):
    assert access_errors(spec) == [] and access_errors(spec, LIVE) == []
