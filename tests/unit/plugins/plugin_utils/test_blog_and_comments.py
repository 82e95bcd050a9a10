# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The project role's blog posts and ticket comments: the plan (comments take their ticket numbers from the tickets
task's result), the predictions of a check run, the report and its drift rows."""

from __future__ import annotations

from ansible_collections.allura.forge.plugins.plugin_utils._drift import drift_lines
from ansible_collections.allura.forge.plugins.plugin_utils._plan import project_plan, project_task
from ansible_collections.allura.forge.plugins.plugin_utils._report import project_report

SPEC = dict(name='demo',
            blog=[dict(title='Hello', text='Hi', state='published'), dict(mount_point='news', title='Old', state='absent'),
                  dict(mount_point='news', title='Fresh', text='x')],
            tickets=[dict(summary='One', comments=['Build passed', 'A long comment whose first line goes on and on\nand a second']),
                     dict(mount_point='bugs', ticket_num=7, status='open'),
                     dict(mount_point='bugs', summary='Two', comments=['On two'])])


def tickets_loop(*groups):
    """The registered result of the tickets loop: per tracker (plan order) its item and the `tickets` of its result,
    or a failure (a pending task) when given None."""
    results = []
    for group, numbers in zip(project_plan(SPEC, 'tickets'), groups):
        if numbers is None:
            results.append(dict(item=group, failed=False, msg='x', missing='tool', changed=True))
        else:
            results.append(dict(item=group, changed=False, summary={}, tickets=[
                dict(ticket_num=n, action='none' if n else 'create') for n in numbers]))
    return dict(results=results, changed=False)


def test_the_plan_groups_posts_by_blog_and_keeps_comments_out_of_the_tickets_task():
    assert project_plan(SPEC, 'blog') == [
        dict(mount_point='blog', posts=[dict(title='Hello', text='Hi', state='published')], predicted_change=True),
        dict(mount_point='news', posts=[dict(title='Old', state='absent'), dict(title='Fresh', text='x')], predicted_change=True)]
    assert project_plan(dict(name='x', blog=[dict(title='Old', state='absent')]), 'blog')[0]['predicted_change'] is False
    assert [t for g in project_plan(SPEC, 'tickets') for t in g['tickets']] == [
        dict(summary='One'), dict(ticket_num=7, status='open'), dict(summary='Two')]


def test_comments_take_the_numbers_the_tickets_task_gave_and_leave_out_tickets_to_create():
    plan = project_plan(SPEC, 'comments', tickets=tickets_loop([3], [7, 9]))
    assert plan == dict(any=True, left_out=False, comments=[
        dict(mount_point='tickets', ticket_num=3, text='Build passed'),
        dict(mount_point='tickets', ticket_num=3, text='A long comment whose first line goes on and on\nand a second'),
        dict(mount_point='bugs', ticket_num=9, text='On two')])
    # check mode would create ticket One (no number yet), and the bugs tracker's task is pending
    plan = project_plan(SPEC, 'comments', tickets=tickets_loop([None], None))
    assert plan == dict(any=True, left_out=True, comments=[])
    # before the tickets task, or for a spec without comments
    assert project_plan(SPEC, 'comments')['comments'] == []
    assert project_plan(dict(name='x', tickets=[dict(summary='a')]), 'comments') == dict(any=False, left_out=False, comments=[])
    assert project_plan(SPEC)['comments'] == dict(any=True, left_out=True, comments=[])


def test_a_comments_task_that_sends_none_still_changes_when_check_mode_left_some_out():
    created = dict(check_mode=True, project=False, mounts=[])
    empty = dict(changed=False, summary=dict(created=0, updated=0, unchanged=0), comments=[])
    assert project_task(empty, created, [], left_out=True) == dict(pending=False, failed=False, changed=True)
    assert project_task(empty, dict(created, check_mode=False), [], left_out=False)['changed'] is False


def comment_result(*actions):
    return dict(check_mode=True, changed='create' in actions, summary={},
                comments=[dict(slug=None if a == 'create' else 'a%03d' % n, action=a) for n, a in enumerate(actions)],
                diff=[dict(before_header='h%d' % n, after_header='h%d' % n, before={}, after={'text': '(1 lines, 2 characters)'})
                      for n, a in enumerate(actions) if a == 'create'])


def blog_loop(*results):
    return dict(results=[dict(result, item=group) if result else dict(item=group, skipped=True)
                         for group, result in zip(project_plan(SPEC, 'blog'), results)])


def test_the_report_has_one_entry_per_post_and_per_comment_predicted_where_check_mode_cannot_read():
    project = dict(check_mode=True, action='none', changed=False)
    tools = dict(check_mode=True, changed=True, summary={}, tools=[dict(mount_point='news', action='create')])
    spec = dict(SPEC, tools=[dict(tool='blog', mount_point='news')])
    blog = blog_loop(dict(check_mode=True, changed=True, summary={}, posts=[dict(action='update')], diff=[
        dict(before_header='p', after_header='p', before={'state': 'draft'}, after={'state': 'published'})]),
        dict(failed=False, missing='tool', changed=True))
    out = project_report(spec, project=project, tools=tools, blog=blog, tickets=tickets_loop([None], [7, 9]),
                         comments=comment_result('none'))
    got = [(r['kind'], r['resource'], r['action'], r['pending']) for r in out['resources']]
    assert got == [
        ('project', 'project', 'none', False), ('tool', 'tool news', 'create', False),
        ('blog_post', 'blog blog/Hello', 'update', False),
        ('blog_post', 'blog news/Old', 'none', True), ('blog_post', 'blog news/Fresh', 'create', True),  # a new blog has no posts
        ('ticket', 'ticket tickets/One', 'create', False), ('ticket', 'ticket bugs/#7', 'none', False), ('ticket', 'ticket bugs/Two', 'none', False),
        ('comment', 'comment tickets/One: Build passed', 'create', True),
        ('comment', 'comment tickets/One: A long comment whose first line goes...', 'create', True),
        ('comment', 'comment bugs/Two: On two', 'none', False),
    ]
    assert out['resources'][2]['changes'] == [dict(field='state', live='draft', desired='published', text=False)]
    assert 'ticket tickets/One' in out['resources'][8]['note']
    lines = drift_lines(out)
    assert 'p/demo  blog blog/Hello  state: "draft" -> "published"' in lines
    assert 'p/demo  comment tickets/One: Build passed  missing, would be created' in lines


def test_a_real_run_reports_the_comments_the_task_posted_in_the_spec_order():
    project = dict(check_mode=False, action='none', changed=False)
    out = project_report(SPEC, project=project, tickets=tickets_loop([3], [7, 9]), comments=comment_result('create', 'none', 'create'))
    assert [(r['resource'], r['action'], r['pending']) for r in out['resources'] if r['kind'] == 'comment'] == [
        ('comment tickets/One: Build passed', 'create', False),
        ('comment tickets/One: A long comment whose first line goes...', 'none', False),
        ('comment bugs/Two: On two', 'create', False)]
    assert out['summary']['create'] == 2 and out['summary']['pending'] == 0
