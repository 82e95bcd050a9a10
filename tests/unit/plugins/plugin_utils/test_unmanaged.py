# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unmanaged resources: what is read, what is found, what is purged, and how the report and the drift output show it."""

from __future__ import annotations

import pytest

from ansible_collections.allura.forge.plugins.filter.project_unmanaged import project_unmanaged
from ansible_collections.allura.forge.plugins.plugin_utils import _drift as drift, _report as report

SPEC = {'name': 'demo',
        'tools': [{'tool': 'wiki', 'mount_point': 'Docs'}, {'tool': 'git', 'mount_point': 'Code'}, {'tool': 'tickets'}],
        'link': 'https://example.org',
        'wiki': [{'mount_point': 'docs', 'title': 'Home', 'text': 'x'}, {'mount_point': 'docs', 'title': 'Gone', 'state': 'absent'}],
        'tickets': [{'summary': 'Write the docs'}, {'ticket_num': 7, 'summary': 'anything'}],
        'webhooks': [{'mount_point': 'Code', 'url': 'ci.example.org/hook'}, {'mount_point': 'Code', 'url': 'https://old.example.org/', 'state': 'absent'}]}
TOOLS = [{'name': n, 'mount_point': m} for n, m in (
    ('admin', 'admin'), ('search', 'search'), ('activity', 'activity'), ('wiki', 'docs'), ('git', 'Code'), ('tickets', 'tickets'),
    ('link', 'link'), ('wiki', 'wiki'), ('blog', 'news'), ('git', 'site'))]
PROJECT = {'action': 'none', 'project': {'shortname': 'demo', 'tools': TOOLS}}
HOOKS = {'webhooks': [
    {'mount_point': 'Code', 'type': 'repo-push', 'hook_url': 'http://ci.example.org/hook', 'id': 'a'},
    {'mount_point': 'Code', 'type': 'repo-push', 'hook_url': 'https://old.example.org/', 'id': 'b'},
    {'mount_point': 'Code', 'type': 'repo-push', 'hook_url': 'https://stray.example.org/', 'id': 'c'},
    {'mount_point': 'site', 'type': 'repo-push', 'hook_url': 'https://deploy.example.org/', 'id': 'd'}]}
PAGES = {'results': [{'item': 'docs', 'titles': ['Home', 'Gone', 'Notes']}]}
TICKETS = {'results': [{'item': 'tickets', 'tickets': [
    {'ticket_num': 1, 'summary': 'Write the docs'}, {'ticket_num': 7, 'summary': 'x'}, {'ticket_num': 9, 'summary': 'Crash on start'}]}]}


def found(**kw):
    args = dict(project=PROJECT, webhooks=HOOKS, wiki=PAGES, tickets=TICKETS, tickets_too=True)
    args.update(kw)
    return project_unmanaged(SPEC, 'found', **args)


def test_reads_only_existing_tools_whose_items_the_spec_declares():
    assert project_unmanaged(SPEC, 'reads', project=PROJECT) == dict(webhooks=True, wiki=['docs'], blog=[], tickets=[])
    assert project_unmanaged(SPEC, 'reads', project=PROJECT, tickets_too=True)['tickets'] == ['tickets']
    assert project_unmanaged(SPEC, 'reads', project=PROJECT, kinds=['tools']) == dict(webhooks=False, wiki=[], blog=[], tickets=[])
    # purging webhooks reads them even when they are not reported
    assert project_unmanaged(SPEC, 'reads', project=PROJECT, kinds=[], purge=['webhooks'])['webhooks'] is True
    # a project the run creates holds nothing unmanaged yet; a wiki still to install is not read
    assert project_unmanaged(SPEC, 'reads', project=dict(PROJECT, action='create')) == dict(webhooks=False, wiki=[], blog=[], tickets=[])
    without_docs = {'action': 'none', 'project': {'tools': [t for t in TOOLS if t['mount_point'] != 'docs']}}
    assert project_unmanaged(SPEC, 'reads', project=without_docs)['wiki'] == []


def test_finds_each_kind_and_nothing_the_spec_declares():
    out = found()
    assert out['purge'] == []
    assert [(e['kind'], e['resource']) for e in out['unmanaged']] == [
        ('tool', 'tool wiki'), ('tool', 'tool news'), ('tool', 'tool site'),
        ('webhook', 'webhook Code repo-push https://stray.example.org/'), ('webhook', 'webhook site repo-push https://deploy.example.org/'),
        ('wiki_page', 'wiki docs/Notes'), ('ticket', 'ticket tickets/#9')]
    assert out['unmanaged'][3] == dict(kind='webhook', resource='webhook Code repo-push https://stray.example.org/', mount_point='Code',
                                       type='repo-push', url='https://stray.example.org/', id='c')
    assert out['unmanaged'][-1]['summary'] == 'Crash on start' and out['unmanaged'][1]['tool'] == 'blog'


def test_tickets_only_when_asked_and_each_kind_can_be_switched_off():
    assert 'ticket' not in [e['kind'] for e in found(tickets_too=False)['unmanaged']]
    assert [e['kind'] for e in found(kinds=['pages'])['unmanaged']] == ['wiki_page']
    assert found(kinds=[])['unmanaged'] == []


def test_purge_moves_webhooks_out_of_the_report_into_items_and_the_guard_counts_them():
    out = found(purge=['webhooks'])
    assert [e['id'] for e in out['purge']] == ['c', 'd'] and 'webhook' not in [e['kind'] for e in out['unmanaged']]
    assert project_unmanaged(SPEC, 'purge_items', project=PROJECT, webhooks=HOOKS, purge=['webhooks']) == [
        dict(mount_point='Code', type='repo-push', url='https://stray.example.org/', state='absent'),
        dict(mount_point='site', type='repo-push', url='https://deploy.example.org/', state='absent')]
    assert project_unmanaged(SPEC, 'guard', project=PROJECT, webhooks=HOOKS, purge=['webhooks'], purge_max=2) == ''
    assert project_unmanaged(SPEC, 'guard', project=PROJECT, webhooks=HOOKS, purge=['webhooks'], purge_max=1) == (
        'purge would delete 2 unmanaged items of the project, more than allura_purge_max 1: webhook Code repo-push '
        'https://stray.example.org/, webhook site repo-push https://deploy.example.org/; nothing was purged (declare the ones to '
        'keep in the spec, or raise allura_purge_max)')


@pytest.mark.parametrize('purge, refused', [
    ([], ''), (['webhooks'], ''), (['posts', 'webhooks'], ''),
    (['webhooks', 'tools', 'pages'], "allura_purge: the REST API cannot delete tools, pages, so they cannot be purged (purgeable: "
                                     "webhooks, posts); for tools, uninstall them in the project's web admin (Admin > Tools, the tool's "
                                     "menu > Delete); for pages, delete them in the wiki's web interface (the page's menu > Delete)"),
])
def test_kinds_rest_cannot_delete_are_refused_saying_what_to_do(purge, refused):
    assert project_unmanaged(SPEC, 'refused', purge=purge) == refused
    assert 'tickets' in project_unmanaged(SPEC, 'refused', purge=['tickets'])


def test_report_lists_unmanaged_as_drift_and_purged_webhooks_as_deletions():
    hooks_result = {'changed': True, 'check_mode': True, 'summary': {'created': 0, 'updated': 0, 'unchanged': 1, 'deleted': 3},
                    'webhooks': [{'action': 'none'}, {'action': 'delete'}, {'action': 'delete'}, {'action': 'delete'}],
                    'diff': [{'before_header': 'x', 'after_header': 'x', 'before': {'hook_url': 'u'}, 'after': {}}] * 3}
    out = report.project_report({'name': 'demo', 'webhooks': SPEC['webhooks']}, check_mode=True, webhooks=hooks_result,
                                unmanaged=found(purge=['webhooks'], kinds=['tools', 'webhooks']))
    assert [(r['resource'], r['action']) for r in out['resources']] == [
        ('webhook Code repo-push ci.example.org/hook', 'none'), ('webhook Code repo-push https://old.example.org/', 'delete'),
        ('webhook Code repo-push https://stray.example.org/', 'delete'), ('webhook site repo-push https://deploy.example.org/', 'delete')]
    assert [e['resource'] for e in out['unmanaged']] == ['tool wiki', 'tool news', 'tool site']
    assert out['summary']['unmanaged'] == 3 and out['drift'] is True
    clean = report.project_report({'name': 'demo'}, check_mode=True, unmanaged=found(kinds=['tools']))
    assert clean['summary']['drift'] == 0 and clean['drift'] is True  # only unmanaged: still drift


def test_drift_output_has_its_own_unmanaged_section():
    reports = [report.project_report({'name': 'demo'}, check_mode=True, unmanaged=found(kinds=['webhooks', 'tickets']))]
    assert drift.drift_rows(reports) == []
    rows = drift.unmanaged_rows(reports)
    assert [(r['project'], r['kind'], r['resource']) for r in rows][0] == ('p/demo', 'webhook', 'webhook Code repo-push https://stray.example.org/')
    assert drift.drift_lines(reports)[-1] == 'p/demo  ticket tickets/#9  unmanaged: not in the spec ("Crash on start")'
    assert drift.summary_lines(reports)[0] == 'p/demo: 0 unchanged, 3 unmanaged'
    markdown = drift.drift_markdown(reports)
    assert '0 difference(s), 3 unmanaged resource(s) in p/demo.' in markdown and 'No drift' not in markdown
    assert '## Unmanaged resources' in markdown
    assert '| p/demo | webhook | webhook site repo-push https://deploy.example.org/ | unmanaged: not in the spec |' in markdown
    assert '## Unmanaged resources' not in drift.drift_markdown([report.project_report({'name': 'demo'}, check_mode=True)])


def test_a_tool_whose_items_the_spec_declares_is_managed():
    spec = dict(SPEC, tools=[], access=[{'mount_point': 'news', 'user': 'u', 'permission': 'read'}, {'user': 'u', 'permission': 'read'}])
    out = project_unmanaged(spec, 'found', project=PROJECT, kinds=['tools'])
    # docs (pages), Code (webhooks), tickets (tickets), news (an access check), link (the link); not wiki nor site
    assert [e['resource'] for e in out['unmanaged']] == ['tool wiki', 'tool site']


def test_markdown_puts_the_unmanaged_section_after_the_differences():
    link = {'kind': 'link', 'resource': 'link link', 'action': 'update', 'drift': True,
            'changes': [{'field': 'url', 'live': 'a', 'desired': 'b', 'text': False}]}
    both = {'project': 'p/x', 'resources': [link],
            'unmanaged': [{'kind': 'tool', 'resource': 'tool blog', 'tool': 'blog', 'mount_point': 'blog'}]}
    markdown = drift.drift_markdown([both])
    assert '1 difference(s), 1 unmanaged resource(s) in p/x.' in markdown
    assert markdown.index('| p/x | link link | url |') < markdown.index('\n## Unmanaged resources\n')
    assert markdown.endswith('| p/x | tool | tool blog | unmanaged: not in the spec ("blog") |\n')


# -- blog posts: those of the blogs whose posts the spec lists ------------------------------------------------------

BLOG_SPEC = dict(SPEC, blog=[{'mount_point': 'news', 'title': 'Roadmap'}, {'mount_point': 'news', 'url': '2026/01/old-name', 'title': 'New name'},
                             {'mount_point': 'news', 'title': 'Retired', 'state': 'absent'}])
NEWS = 'https://forge.example.org/rest/p/demo/news/'
POSTS = {'results': [{'item': 'news', 'posts': [
    {'title': 'Roadmap', 'url': NEWS + '2026/02/roadmap/'}, {'title': 'Old name', 'url': NEWS + '2026/01/old-name/'},
    {'title': 'Retired', 'url': NEWS + '2025/12/retired/'}, {'title': 'Stray', 'url': NEWS + '2025/11/stray/'},
    {'title': 'Draft by hand', 'url': NEWS + '2025/10/draft-by-hand/'}]}]}


def posts_found(**kw):
    return project_unmanaged(BLOG_SPEC, 'found', **dict(dict(project=PROJECT, blog=POSTS, kinds=['posts']), **kw))


def test_posts_read_only_for_existing_blogs_whose_posts_the_spec_lists():
    assert project_unmanaged(BLOG_SPEC, 'reads', project=PROJECT)['blog'] == ['news']
    assert project_unmanaged(SPEC, 'reads', project=PROJECT)['blog'] == []  # news holds no post of the spec
    assert project_unmanaged(BLOG_SPEC, 'reads', project=PROJECT, kinds=['webhooks'])['blog'] == []
    assert project_unmanaged(BLOG_SPEC, 'reads', project=PROJECT, kinds=[], purge=['posts'])['blog'] == ['news']
    assert project_unmanaged(BLOG_SPEC, 'reads', project=dict(PROJECT, action='create'))['blog'] == []
    # the blog is managed by its posts: not an unmanaged tool
    assert 'tool news' not in [e['resource'] for e in project_unmanaged(BLOG_SPEC, 'found', project=PROJECT, kinds=['tools'])['unmanaged']]


def test_posts_not_named_by_title_or_url_are_unmanaged_and_reported_with_their_url():
    out = posts_found()
    assert out['purge'] == []
    assert out['unmanaged'] == [
        dict(kind='blog_post', resource='blog news/Stray', mount_point='news', title='Stray', url=NEWS + '2025/11/stray/'),
        dict(kind='blog_post', resource='blog news/Draft by hand', mount_point='news', title='Draft by hand', url=NEWS + '2025/10/draft-by-hand/')]
    assert posts_found(kinds=['webhooks'])['unmanaged'] == []
    row = dict(out['unmanaged'][0], project='p/demo')
    assert drift.drift_lines([{'project': 'p/demo', 'resources': [], 'unmanaged': [row]}])[-1] == (
        'p/demo  blog news/Stray  unmanaged: not in the spec ("%s2025/11/stray/")' % NEWS)


def test_purge_posts_gives_the_blog_task_deletions_by_url_and_the_guard_counts_them_with_the_webhooks():
    out = posts_found(kinds=['posts', 'webhooks'], webhooks=HOOKS, purge=['posts'])
    assert [e['title'] for e in out['purge']] == ['Stray', 'Draft by hand'] and 'blog_post' not in [e['kind'] for e in out['unmanaged']]
    assert project_unmanaged(BLOG_SPEC, 'purge_posts', project=PROJECT, blog=POSTS, purge=['posts']) == {
        'news': [dict(url=NEWS + '2025/11/stray/', state='absent'), dict(url=NEWS + '2025/10/draft-by-hand/', state='absent')]}
    assert project_unmanaged(BLOG_SPEC, 'purge_items', project=PROJECT, blog=POSTS, purge=['posts']) == []  # webhooks only
    assert project_unmanaged(BLOG_SPEC, 'purge_posts', project=PROJECT, blog=POSTS, purge=['webhooks']) == {}
    both = dict(project=PROJECT, blog=POSTS, webhooks=HOOKS, purge=['posts', 'webhooks'])
    assert project_unmanaged(BLOG_SPEC, 'guard', purge_max=4, **both) == ''
    assert project_unmanaged(BLOG_SPEC, 'guard', purge_max=3, **both).startswith(
        'purge would delete 4 unmanaged items of the project, more than allura_purge_max 3: webhook Code repo-push '
        'https://stray.example.org/, webhook site repo-push https://deploy.example.org/, blog news/Stray, blog news/Draft by hand; ')


def test_report_lists_purged_posts_as_deletions_after_the_blog_task_items():
    blog_result = {'results': [{'item': {'mount_point': 'news', 'posts': [{'title': 'Roadmap'}]}, 'changed': True, 'check_mode': True,
                                'summary': {'created': 0, 'updated': 0, 'unchanged': 1, 'deleted': 2},
                                'posts': [{'action': 'none'}, {'action': 'delete'}, {'action': 'delete'}],
                                'diff': [{'before_header': 'x', 'after_header': 'x', 'before': {'title': 't'}, 'after': {}}] * 2}]}
    out = report.project_report({'name': 'demo', 'blog': [{'mount_point': 'news', 'title': 'Roadmap'}]}, check_mode=True, blog=blog_result,
                                unmanaged=posts_found(purge=['posts']))
    assert [(r['resource'], r['action']) for r in out['resources']] == [
        ('blog news/Roadmap', 'none'), ('blog news/Stray', 'delete'), ('blog news/Draft by hand', 'delete')]
    assert out['unmanaged'] == [] and out['changed'] is True
