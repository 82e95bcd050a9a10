# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The project role's report: module results -> resources -> drift rows.

The module results are real: each module's run(), with its options validated as the action plugin
validates them, against a scripted p/demo; so a change of the result shape breaks these tests.
"""

from __future__ import annotations

import json
import re

import pytest
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.allura.forge.plugins.module_utils._client import AlluraClient
from ansible_collections.allura.forge.plugins.module_utils._module import argument_spec, execute, validation_rules
from ansible_collections.allura.forge.plugins.modules import (
    allura_access_info, allura_link, allura_project, allura_ticket, allura_tool, allura_webhook, allura_wiki_page)
from ansible_collections.allura.forge.plugins.plugin_utils import _drift as drift, _plan as planner, _report as report
from ansible_collections.allura.forge.tests.unit.plugins.fake_session import FakeSession, reply

BASE = 'https://forge.example.org'
ERROR_404 = '<html><title>A 404 Error has Occurred</title><div id="content_base"><p>We are sorry</p></div></html>'
INSTALLABLE = {'tools': [{'name': name, 'tool_label': name.title(), 'defaults': {'default_mount_label': name.title()}}
                         for name in ('wiki', 'tickets', 'git', 'link', 'blog')]}


class Demo:
    """Project p/<shortname> as the modules read it: its tools [(tool, mount point, label)], wiki pages
    {(mount point, title): {text, labels}}, webhooks {mount point: [hook_url]} and has_access answers
    {(mount point or None, user, permission): bool}; or no project at all."""

    def __init__(self, tools=(('wiki', 'wiki', 'Wiki'),), pages=None, hooks=None, access=None, exists=True, shortname='demo'):
        self.shortname = shortname
        self.session = FakeSession()
        self.session.add('GET', '/rest/.*', status=404, text=ERROR_404)
        if not exists:
            return
        root = '/rest/p/%s/' % shortname
        project = {'shortname': shortname, 'name': shortname.title(),
                   'tools': [dict(name=t, mount_point=m, mount_label=label) for t, m, label in tools]}
        self.session.add('GET', root, json=project)
        self.session.add('GET', root + 'admin/installable_tools', json=INSTALLABLE)
        for (mount_point, title), page in (pages or {}).items():
            self.session.add('GET', root + '%s/%s' % (mount_point, title),
                             json=dict(title=title, text=page['text'], labels=page.get('labels', []), attachments=[]))
        for mount_point in {m for m, _user, _perm in access or ()}:
            self.session.add('GET', root + ('%s/has_access' % mount_point if mount_point else 'has_access'), responses=[
                lambda call, m=mount_point: reply(json={'result': access[(m, call.params['user'], call.params['perm'])]})])
        for mount_point, urls in (hooks or {}).items():
            path = root + 'admin/%s/webhooks' % mount_point
            listed = [dict(_id='h%d' % i, url='%s%s/repo-push/h%d' % (BASE, path, i), type='repo-push', hook_url=url,
                           mod_date='2026-11-28 05:46:19') for i, url in enumerate(urls)]
            self.session.add('GET', path, json={'webhooks': listed, 'limits': {'repo-push': {'max': 3, 'used': len(urls)}}})
            self.session.add('DELETE', path + '/repo-push/h[0-9]+', json={})

    def run(self, module, check=True, diff=True, fails=False, **args):
        """The module's result, its options validated and defaulted as the action plugin does."""
        validated = ArgumentSpecValidator(argument_spec(module.ARGUMENT_SPEC), **validation_rules(module)).validate(
            dict(args, server_url=BASE, token='t0ken', project=self.shortname, retries=0))
        assert not validated.error_messages, validated.error_messages
        client = AlluraClient(BASE, token='t0ken', session=self.session, sleep=lambda s: None, retries=0)
        out = execute(module.run, validated.validated_parameters, check_mode=check, diff_mode=diff, client=client)
        assert bool(out.get('failed')) == fails, out
        if not check:
            assert out.get('failed') or self.session.writes(), 'a real run that wrote nothing'
        return out


def page_result(pages, lives, check=True, diff=True, mount_point='wiki'):
    """What allura_wiki_page returns for pages (a bulk result) given the live pages (None = absent)."""
    demo = Demo(pages={(mount_point, p['title']): live for p, live in zip(pages, lives) if live is not None})
    return demo.run(allura_wiki_page, check, diff, mount_point=mount_point, pages=pages)


def tools_result(*pairs, check=True):
    """What allura_tool returns for tools (a bulk result), given (live, desired) per tool."""
    demo = Demo(tools=[(live['tool'], live['mount_point'], live['mount_label']) for live, _desired in pairs if live])
    return demo.run(allura_tool, check, tools=[desired for _live, desired in pairs])


def hooks_result(live, desired, check=True):
    """What allura_webhook returns for webhooks (a bulk result): live, the hook URLs of the repository at `code`."""
    demo = Demo(tools=[('git', 'code', 'Code')], hooks={'code': live})
    return demo.run(allura_webhook, check, webhooks=desired)


def loop(*results):
    return dict(results=list(results), changed=any(r.get('changed') for r in results))


def skipped_item(item):
    return dict(skipped=True, false_condition='not __project_pending', item=item, changed=False)


def missing_item(item, failure, predicted=True):
    """A check-run item whose module failed on the missing project or tool, as the role registers it: not a failure
    (failed_when), and the change the real run will make (changed_when)."""
    assert failure['failed'] and re.search('does not exist in neighborhood|has no tool at mount_point', failure['msg']), failure
    return dict(failure, failed=False, failed_when_result=False, changed=predicted, item=item)


def no_project(module, shortname='demo', fails=True, **args):
    """The module's result in check mode on a project that does not exist."""
    return Demo(exists=False, shortname=shortname).run(module, fails=fails, **args)


SPEC = dict(name='demo', tools=[dict(tool='wiki', mount_point='docs', mount_label='Docs')],
            wiki=[dict(mount_point='wiki', title='Home', text='Welcome\n'),
                  dict(mount_point='docs', title='Install', text='pip install demo\n')])


def test_plan_groups_pages_and_tickets_by_mount_point_in_order():
    spec = dict(name='demo', wiki=[dict(title='A', text='a'), dict(mount_point='docs', title='B', text='b'),
                                   dict(mount_point='wiki', title='C', text='c')],
                tickets=[dict(summary='x'), dict(mount_point='bugs', summary='y')])
    plan = planner.project_plan(spec)
    assert plan['wiki'] == [dict(mount_point='wiki', pages=[dict(title='A', text='a'), dict(title='C', text='c')], predicted_change=True),
                            dict(mount_point='docs', pages=[dict(title='B', text='b')], predicted_change=True)]
    assert plan['tickets'] == [dict(mount_point='tickets', tickets=[dict(summary='x')], predicted_change=True),
                               dict(mount_point='bugs', tickets=[dict(summary='y')], predicted_change=True)]
    assert plan['tools'] == [] and plan['webhooks'] == [] and plan['access'] == [] and plan['link'] is None


def test_plan_part_is_that_part_of_the_whole_plan_and_reads_only_its_part_of_the_spec():
    spec = dict(name='demo', link='https://x.example.org', tools=[dict(tool='wiki')], wiki=[dict(title='A', text='a')],
                tickets=[dict(summary='x')], webhooks=[dict(url='https://ci/h')], access=[dict(user='a', permission='read')])
    whole = planner.project_plan(spec)
    assert set(whole) == set(planner.PLAN_PARTS)
    for part in planner.PLAN_PARTS:
        assert planner.project_plan(spec, part) == whole[part]

    class OnlyWiki(dict):  # a spec that fails when anything but its wiki is read
        def get(self, key, default=None):
            assert key == 'wiki', key
            return dict.get(self, key, default)
    assert planner.project_plan(OnlyWiki(spec), 'wiki') == whole['wiki']
    with pytest.raises(ValueError, match="part 'pages' is not one of tools, link, wiki"):
        planner.project_plan(spec, 'pages')


def test_plan_predicts_whether_items_in_a_new_tool_change_something():
    plan = planner.project_plan(dict(name='x', wiki=[dict(title='Home', labels=[]), dict(mount_point='docs', title='Home', text='t')],
                                     webhooks=[dict(url='https://ci/h', state='absent')]))
    assert [g['predicted_change'] for g in plan['wiki']] == [False, True]  # a new wiki already has Home
    assert plan['webhooks'][0]['predicted_change'] is False


def test_plan_adds_the_link_tool_with_its_url_unless_listed():
    plan = planner.project_plan(dict(name='x', link='https://x.example.org'))
    assert plan['tools'] == [dict(tool='link', mount_point='link', url='https://x.example.org')]
    assert plan['link'] == dict(url='https://x.example.org', predicted_change=False)
    listed = planner.project_plan(dict(name='x', link='https://x.example.org', tools=[dict(tool='link', mount_label='Home')]))
    assert listed['tools'] == [dict(tool='link', mount_label='Home', url='https://x.example.org')]
    other = planner.project_plan(dict(name='x', link='https://x.example.org', tools=[dict(tool='link', url='https://y.org')]))
    assert other['tools'] == [dict(tool='link', url='https://y.org')]
    assert other['link'] == dict(url='https://x.example.org', predicted_change=True)


def test_plan_keeps_secrets_out_of_the_webhook_loop_items():
    plan = planner.project_plan(dict(name='x', webhooks=[dict(url='https://ci/h', secret='s3cret'), dict(url='https://ci/g')]))
    assert plan['webhooks'] == [dict(url='https://ci/h', mount_point='code', index=0, has_secret=True, predicted_change=True),
                                dict(url='https://ci/g', mount_point='code', index=1, has_secret=False, predicted_change=True)]
    assert 's3cret' not in json.dumps(plan)


def test_plan_groups_access_checks_per_level_without_asking_unwanted_pairs():
    checks = [dict(user='a', permission='read'), dict(user='b', permission='read'), dict(mount_point='wiki', user='a', permission='edit'),
              dict(mount_point='wiki', user='b', permission='edit', expected=False), dict(mount_point='wiki', user='a', permission='read'),
              dict(mount_point='wiki', user='b', permission='read'), dict(mount_point='bugs', user='a', permission='read'),
              dict(mount_point='bugs', user='b', permission='create')]
    groups = planner.project_plan(dict(name='x', access=checks))['access']
    assert [(g.get('mount_point'), g['users'], g['permissions'], len(g['checks'])) for g in groups] == [
        (None, ['a', 'b'], ['read'], 2), ('wiki', ['a', 'b'], ['edit', 'read'], 4),
        ('bugs', ['a'], ['read'], 1), ('bugs', ['b'], ['create'], 1)]
    assert 'mount_point' not in groups[0]


def test_one_changed_page_gives_one_entry_with_full_live_and_desired_text():
    pages = [dict(title='Home', text='Welcome\n'), dict(title='Install', text='new\n', labels=['docs'])]
    res = page_result(pages, [dict(text='Welcome\n', labels=[]), dict(text='old\n', labels=['docs'])])
    assert res['summary'] == dict(created=0, updated=1, unchanged=1)
    out = report.project_report(dict(name='demo', wiki=[dict(p) for p in pages]), check_mode=True,
                                wiki=loop(dict(res, item=dict(mount_point='wiki', pages=pages))))
    assert [(r['resource'], r['action']) for r in out['resources']] == [('wiki wiki/Home', 'none'), ('wiki wiki/Install', 'update')]
    assert out['resources'][1]['changes'] == [dict(field='text', live='old\n', desired='new\n', text=True)]
    rows = drift.drift_rows(out)
    assert rows == [dict(project='p/demo', kind='wiki_page', resource='wiki wiki/Install', action='update', field='text',
                         live='old\n', desired='new\n', text=True)]
    assert out['summary']['drift'] == 1 and out['drift'] is True


def test_a_clean_project_gives_no_rows():
    pages = [dict(title='Home', text='Welcome\n')]
    res = page_result(pages, [dict(text='Welcome\n', labels=[])])
    out = report.project_report(dict(name='demo'), check_mode=True, wiki=loop(dict(res, item=dict(mount_point='wiki', pages=pages))))
    assert drift.drift_rows([out]) == []
    assert out['drift'] is False and out['changed'] is False
    assert drift.drift_lines([out]) == ['no drift: 1 project matches the spec']
    assert 'No drift' in drift.drift_markdown([out])


def test_pages_after_a_created_page_are_matched_to_their_own_diff():
    pages = [dict(title='A', text='a\n'), dict(title='B', text='b\n'), dict(title='C', text='c2\n', labels=['x'])]
    res = page_result(pages, [None, dict(text='b\n', labels=[]), dict(text='c\n', labels=[])])
    out = report.project_report(dict(name='demo'), check_mode=True, wiki=loop(dict(res, item=dict(mount_point='wiki', pages=pages))))
    by_name = {r['resource']: r for r in out['resources']}
    assert by_name['wiki wiki/A']['action'] == 'create' and by_name['wiki wiki/A']['changes'] == []
    assert by_name['wiki wiki/B']['action'] == 'none'
    assert {c['field']: (c['live'], c['desired']) for c in by_name['wiki wiki/C']['changes']} == {
        'labels': ([], ['x']), 'text': ('c\n', 'c2\n')}
    rows = drift.drift_rows(out)
    assert [(r['resource'], r['field'], r['live'], r['desired']) for r in rows] == [
        ('wiki wiki/A', None, 'absent', 'present'), ('wiki wiki/C', 'labels', [], ['x']), ('wiki wiki/C', 'text', 'c\n', 'c2\n')]


def test_without_diff_mode_actions_are_still_reported():
    pages = [dict(title='A', text='a2\n')]
    res = page_result(pages, [dict(text='a\n', labels=[])], diff=False)
    out = report.project_report(dict(name='demo'), wiki=loop(dict(res, item=dict(mount_point='wiki', pages=pages))))
    assert out['resources'][0]['action'] == 'update' and out['resources'][0]['changes'] == []
    assert drift.drift_rows(out)[0]['field'] is None


def test_check_mode_predicts_what_lives_in_a_tool_to_install():
    spec = dict(SPEC, tickets=[dict(mount_point='issues', summary='First')],
                webhooks=[dict(mount_point='code', url='https://ci.example.org/h')],
                access=[dict(mount_point='docs', user='bob', permission='edit', expected=False)])
    spec['tools'] = spec['tools'] + [dict(tool='git'), dict(tool='tickets', mount_point='issues')]
    tools = tools_result((None, dict(tool='wiki', mount_point='docs', mount_label='Docs')),
                         (dict(tool='git', mount_point='code', mount_label='Code'), dict(tool='git', mount_point='code')),
                         (None, dict(tool='tickets', mount_point='issues')))
    home = page_result([dict(title='Home', text='Welcome\n')], [dict(text='Welcome\n', labels=[])])
    hooks = hooks_result([], [dict(mount_point='code', url='https://ci.example.org/h')])
    plan = planner.project_plan(spec)
    demo = Demo(tools=[('wiki', 'wiki', 'Wiki'), ('tickets', 'bugs', 'Tickets'), ('git', 'code', 'Code')])
    out = report.project_report(
        spec, check_mode=True, project=demo.run(allura_project),
        tools=tools,
        wiki=loop(dict(home, item=dict(mount_point='wiki', pages=[dict(title='Home', text='Welcome\n')])),
                  skipped_item(dict(mount_point='docs', pages=[dict(title='Home', text='Docs\n'), dict(title='Install', text='x')]))),
        tickets=loop(missing_item(dict(mount_point='issues', tickets=[dict(summary='First')]),
                                  demo.run(allura_ticket, fails=True, mount_point='issues', tickets=[dict(summary='First')]))),
        webhooks=hooks,
        access=loop(missing_item(plan['access'][0], demo.run(allura_access_info, fails=True, mount_point='docs', users=['bob'],
                                                             permissions=['edit']), predicted=False)))
    got = [(r['resource'], r['action'], r['pending']) for r in out['resources']]
    assert got == [
        ('project', 'none', False),
        ('tool docs', 'create', False), ('tool code', 'none', False), ('tool issues', 'create', False),
        ('wiki wiki/Home', 'none', False),
        ('wiki docs/Home', 'update', True),  # a new wiki starts with a Home page
        ('wiki docs/Install', 'create', True),
        ('ticket issues/First', 'create', True),
        ('webhook code repo-push https://ci.example.org/h', 'create', False),
        ('access docs: bob edit', 'none', True),
    ]
    assert out['summary'] == {'create': 5, 'update': 1, 'delete': 0, 'none': 4, 'changed': 6, 'mismatch': 0, 'drift': 6, 'pending': 4,
                              'setup': 0, 'unmanaged': 0}


def test_check_mode_predicts_everything_of_a_project_to_create():
    spec = dict(name='newp', create=True, link='https://newp.example.org',
                tools=[dict(tool='wiki'), dict(tool='link', mount_point='link', url='https://newp.example.org')],
                wiki=[dict(title='Home', text='Hi'), dict(title='Other', text='x')],
                webhooks=[dict(url='https://ci/h', state='absent')])
    project = no_project(allura_project, 'newp', fails=False, name='New P', admin='test-admin')
    plan = planner.project_plan(spec)
    out = report.project_report(
        spec, check_mode=True, project=project,
        tools=missing_item(None, no_project(allura_tool, 'newp', tools=plan['tools'])),
        link=missing_item(None, no_project(allura_link, 'newp', mount_point='link', url=plan['link']['url']), predicted=False),
        wiki=loop(*[skipped_item(g) for g in plan['wiki']]),
        webhooks=dict(skipped=True, changed=False))
    got = [(r['resource'], r['action']) for r in out['resources']]
    assert got == [('project', 'create'), ('tool wiki', 'create'), ('tool link', 'create'), ('link link', 'none'),
                   ('wiki wiki/Home', 'update'), ('wiki wiki/Other', 'create'),
                   ('webhook code repo-push https://ci/h', 'none')]
    assert all(r['pending'] for r in out['resources'][1:])
    assert 'the project' in out['resources'][1]['note']


def test_a_link_tool_installed_without_the_url_predicts_an_update():
    spec = dict(name='proj1', link='https://a.example.org', tools=[dict(tool='link', url='https://b.example.org')])
    plan = planner.project_plan(spec)
    assert plan['tools'] == [dict(tool='link', url='https://b.example.org')]
    out = report.project_report(spec, check_mode=True, project=no_project(allura_project, 'proj1', fails=False, name='P1', admin='a'),
                                tools=missing_item(None, no_project(allura_tool, 'proj1', tools=plan['tools'])),
                                link=dict(skipped=True))
    assert [(r['resource'], r['action']) for r in out['resources']] == [
        ('project', 'create'), ('tool link', 'create'), ('link link', 'update')]


def test_access_mismatch_is_drift_and_never_a_change():
    items = [dict(user='bob', permission='edit', mount_point='wiki', expected=False), dict(user='ann', permission='read')]
    groups = planner.project_plan(dict(name='demo', access=items))['access']
    demo = Demo(access={('wiki', 'bob', 'edit'): True, (None, 'ann', 'read'): True})
    out = report.project_report(dict(name='demo'), access=loop(
        dict(demo.run(allura_access_info, mount_point='wiki', users=['bob'], permissions=['edit']), item=groups[0]),
        dict(demo.run(allura_access_info, users=['ann'], permissions=['read']), item=groups[1])))
    assert [(r['resource'], r['action'], r['mismatch']) for r in out['resources']] == [
        ('access wiki: bob edit', 'none', True), ('access project: ann read', 'none', False)]
    assert out['changed'] is False and out['drift'] is True and out['summary']['mismatch'] == 1
    assert drift.drift_rows(out) == [dict(project='p/demo', kind='access', resource='access wiki: bob edit', action='none',
                                          field='permission edit', live=True, desired=False, text=False)]


def test_frozen_field_drift_of_a_tool_lists_the_fields():
    res = tools_result((dict(tool='wiki', mount_point='docs', mount_label='Documentation'),
                        dict(tool='wiki', mount_point='docs', mount_label='Docs')))
    out = report.project_report(dict(name='demo', tools=[dict(tool='wiki', mount_point='docs', mount_label='Docs')]), check_mode=True,
                                tools=res)
    assert out['resources'][0]['changes'] == [dict(field='mount_label', live='Documentation', desired='Docs', text=False)]


def test_deleted_webhook_row_and_empty_loops():
    hooks = hooks_result(['https://x/h'], [dict(url='https://x/h', state='absent')], check=False)
    out = report.project_report(dict(name='demo', neighborhood='u', webhooks=[dict(url='https://x/h', state='absent')]),
                                check_mode=False, tools=dict(skipped=True, changed=False), webhooks=hooks)
    assert out['project'] == 'u/demo'
    assert drift.drift_rows(out) == [dict(project='u/demo', kind='webhook', resource='webhook code repo-push https://x/h',
                                          action='delete', field=None, live='present', desired='absent', text=False)]


def test_what_only_the_web_interface_can_set_up_is_reported_and_is_drift():
    """allura_ticket's `setup` (a real run that failed for it, or a check run): one entry per thing to set up, members
    merged over trackers, the tickets written before the failure still reported; drift rows and lines say it."""
    member = dict(what='member', name='bob', tracker='bugs', field=None, detail=None, tickets=['p/demo bugs ticket #1'],
                  where='Admin > User Permissions')
    status = dict(what='status', name='reviewing', tracker='bugs', field=None, detail=None, where='Field Management',
                  tickets=["p/demo bugs new ticket 'B'"])
    tickets = [dict(summary='A'), dict(summary='B', status='reviewing')]
    failed = dict(failed=True, msg='set this up', setup=[status, member], tickets=[dict(ticket_num=1, action='create')],
                  changed=True, item=dict(mount_point='bugs', tickets=tickets))
    checked = dict(tickets=[dict(ticket_num=3, action='none')], summary={}, setup=[dict(member, tracker='tasks', tickets=['x'])],
                   changed=False, item=dict(mount_point='tasks', tickets=[dict(summary='C')]))
    out = report.project_report(dict(name='demo'), check_mode=False, tickets=loop(failed, checked))
    assert [(r['kind'], r['resource'], r['action'], r['setup'], r['drift']) for r in out['resources']] == [
        ('ticket', 'ticket bugs/A', 'create', False, True), ('ticket', 'ticket tasks/C', 'none', False, False),
        ('setup', 'setup tracker bugs status reviewing', 'none', True, True), ('setup', 'setup member bob', 'none', True, True)]
    assert out['resources'][3]['note'] == ('set this up in the web interface (the REST API cannot): Admin > User Permissions; '
                                           'for p/demo bugs ticket #1, x')
    assert out['summary']['setup'] == 2 and out['drift'] is True
    rows = [r for r in drift.drift_rows(out) if r['kind'] == 'setup']
    assert rows[0] == dict(project='p/demo', kind='setup', resource='setup tracker bugs status reviewing', action='none',
                           field=None, live='missing', text=False, desired='set this up in the web interface (the REST API '
                           "cannot): Field Management; for p/demo bugs new ticket 'B'")
    assert 'p/demo  setup member bob  missing: set this up in the web interface' in '\n'.join(drift.drift_lines(out))
    assert drift.summary_lines(out)[0] == 'p/demo: 1 created, 1 unchanged, 2 thing(s) to set up in the web interface'
    assert '  setup    setup member bob' in drift.summary_lines(out)
    # what a check run cannot verify is a note, not a difference: the real run may find it there
    unverified = report.project_report(dict(name='demo'), check_mode=True, tickets=loop(dict(checked, setup=[dict(status, verified=False)])))
    assert [r['kind'] for r in unverified['resources']] == ['ticket'] and unverified['drift'] is False
    assert unverified['notes'] == ["make sure tracker bugs has status 'reviewing', set up in the web interface (the REST API can "
                                   "neither show nor create it): Field Management, for p/demo bugs new ticket 'B'"]
    assert drift.drift_lines(unverified)[1] == 'p/demo  note: ' + unverified['notes'][0]
    assert drift.summary_lines(unverified)[-1] == '  note     ' + unverified['notes'][0]
    assert '## Notes\n\n- p/demo: make sure tracker bugs' in drift.drift_markdown([unverified])


def test_markdown_and_lines_render_every_row_and_text_diffs():
    pages = [dict(title='Install|Guide', text='line 1\nline 2 new\n')]
    res = page_result(pages, [dict(text='line 1\nline 2\n', labels=[])])
    out = report.project_report(dict(name='demo'), check_mode=True, wiki=loop(dict(res, item=dict(mount_point='wiki', pages=pages))))
    md = drift.drift_markdown([out], generated='2026-01-01T00:00:00Z')
    assert '| p/demo | wiki wiki/Install\\|Guide | text | line 2: `"line 2"` | line 2: `"line 2 new"` |' in md
    assert '```diff' in md and '-line 2\n+line 2 new' in md
    assert 'Generated 2026-01-01T00:00:00Z.' in md
    lines = drift.drift_lines([out])
    assert lines == ['p/demo  wiki wiki/Install|Guide  text line 2: "line 2" -> "line 2 new"']
    assert drift.text_change('a\nb\nc\n', 'a\nB\nC\nd\n') == 'line 2: "b" -> "B" (and 2 more lines)'
    assert drift.text_change('a\n', 'a') == 'line 2: "" -> (none)'
    assert drift.summary_lines(out) == ['p/demo: 1 would be updated, 0 unchanged', '  update   wiki wiki/Install|Guide (text)']


def test_short_values():
    assert drift.short('abc') == '"abc"'
    assert drift.short(None) == '(none)'
    assert drift.short(['a', 'b']) == '["a", "b"]'
    assert drift.short('x' * 100).endswith('...') and len(drift.short('x' * 100)) == 60
