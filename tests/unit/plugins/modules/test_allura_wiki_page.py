# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

from urllib.parse import unquote

import pytest
import requests

from ansible_collections.allura.forge.plugins.module_utils._client import AlluraClient, AlluraError
from ansible_collections.allura.forge.plugins.module_utils._module import execute
from ansible_collections.allura.forge.plugins.modules import allura_wiki_page
from ansible_collections.allura.forge.tests.unit.plugins.fake_session import FakeSession, reply

PROJECT = {'shortname': 'test', 'tools': [{'name': 'wiki', 'mount_point': 'wiki'}, {'name': 'wiki', 'mount_point': 'docs'},
                                          {'name': 'tickets', 'mount_point': 'bugs'}]}
ERROR_403 = '<html><title>A 403 Error has Occurred</title><div id="content_base"><p>Create access required</p></div></html>'


class FakeWiki:
    """The wiki of p/test as REFERENCE section 7 describes it: upsert POST, versions, label splitting."""

    def __init__(self, pages=None, deny=None):
        self.pages = {}
        for title, (text, labels) in (pages or {}).items():
            self.pages[title] = dict(text=text, labels=labels, version=1)
        self.deny = deny or {}  # title -> status for writes
        self.session = FakeSession()
        self.session.add('GET', '/rest/p/test/', json=PROJECT)
        self.session.add('GET', '/rest/p/test/(wiki|docs)/.+', responses=[self.get])
        self.session.add('POST', '/rest/p/test/(wiki|docs)/.+', responses=[self.post])

    @staticmethod
    def title(call):
        return unquote(call.path.rsplit('/', 1)[1])

    def get(self, call):
        page = self.pages.get(self.title(call))
        if page is None:
            return reply(404, text='<html><title>A 404 Error has Occurred</title></html>')
        return reply(json={'_id': 'x', 'mod_date': '2026-11-28 05:46:19', 'title': self.title(call), 'text': page['text'],
                           'labels': list(page['labels']), 'attachments': [], 'related_artifacts': []})

    def post(self, call):
        title = self.title(call)
        if title in self.deny:
            return reply(self.deny[title], text=ERROR_403)
        form = call.form
        if 'text' not in form:
            return reply(500, text='<title>A 500 Error has Occurred</title>')
        page = self.pages.setdefault(title, dict(text=None, labels=[], version=0))
        page['text'] = form['text']
        if 'labels' in form:
            page['labels'] = form['labels'].split(',')
        page['version'] += 1
        return reply(json={})

    def client(self, **kw):
        return AlluraClient('https://forge.example.org', token='secret-token', session=self.session,
                            sleep=lambda s: None, retries=kw.pop('retries', 0), **kw)

    def run(self, check_mode=False, diff_mode=False, client=None, **kw):
        params = dict(server_url='https://forge.example.org', token='secret-token', neighborhood='p', retries=0,
                      timeout=5, project='test', mount_point='wiki', title=None, text=None, labels=None, pages=None,
                      parallel=4, state='present')
        params.update(kw)
        self.session.calls.clear()
        return execute(allura_wiki_page.run, params, check_mode=check_mode, diff_mode=diff_mode, client=client or self.client())

    def writes(self):
        return self.session.writes()


HOME = {'Home': ('Welcome\n', [])}


def test_create_page_then_no_change():
    wiki = FakeWiki(HOME)
    out = wiki.run(title='New Page', text='Hello\r\nworld ', labels=[' b', 'a', '', 'b'])
    assert out['changed'] is True and out['action'] == 'create'
    assert out['page'] == {'title': 'New Page', 'text': 'Hello\r\nworld ', 'labels': ['b', 'a']}
    (post,) = wiki.writes()
    assert post.path == '/rest/p/test/wiki/New%20Page'
    assert post.form == {'text': 'Hello\r\nworld ', 'labels': 'b,a'}
    assert wiki.pages['New Page']['labels'] == ['b', 'a']

    again = wiki.run(title='New Page', text='Hello\r\nworld ', labels=['a', 'b'])
    assert again['changed'] is False and again['action'] == 'none'
    assert wiki.writes() == [] and len(wiki.session.calls) == 2  # project + page
    assert wiki.pages['New Page']['version'] == 1


def test_text_compared_verbatim():
    wiki = FakeWiki({'P': ('line\n', [])})
    out = wiki.run(title='P', text='line')
    assert out['changed'] is True and out['action'] == 'update'
    assert wiki.writes()[0].form == {'text': 'line'}  # labels not sent: left as they are


def test_update_text_diff_is_unified_text():
    wiki = FakeWiki({'P': ('one\ntwo\n', ['x'])})
    out = wiki.run(title='P', text='one\nthree\n', labels=['x'], diff_mode=True)
    head, text = out['diff']
    assert head['before'] == {'text': '(2 lines, 8 characters)'} and head['after'] == {'text': '(2 lines, 10 characters)'}
    assert text['before'] == 'one\ntwo\n' and text['after'] == 'one\nthree\n'
    assert "wiki page 'P'" in text['before_header']


def test_labels_only_resends_current_text():
    wiki = FakeWiki({'P': ('keep me', ['old'])})
    out = wiki.run(title='P', labels=['new', 'old'], diff_mode=True)
    assert out['changed'] is True
    assert wiki.writes()[0].form == {'text': 'keep me', 'labels': 'new,old'}
    assert out['page'] == {'title': 'P', 'text': 'keep me', 'labels': ['new', 'old']}
    assert out['diff'] == [{'before_header': "p/test wiki page 'P'", 'after_header': "p/test wiki page 'P'",
                            'before': {'labels': ['old']}, 'after': {'labels': ['new', 'old']}}]


@pytest.mark.parametrize('live', [['b', 'a'], [' a', 'b ', ''], ['a', 'b', 'a']])
def test_labels_compared_as_trimmed_set(live):
    wiki = FakeWiki({'P': ('t', live)})
    out = wiki.run(title='P', labels=['a', 'b'])
    assert out['changed'] is False and wiki.writes() == []


@pytest.mark.parametrize('live', [[], ['']])
def test_empty_labels_mean_no_labels(live):
    wiki = FakeWiki({'P': ('t', live)})
    out = wiki.run(title='P', labels=[])
    assert out['changed'] is False and out['page']['labels'] == []


def test_clearing_labels_posts_empty_field_and_is_stable():
    wiki = FakeWiki({'P': ('t', ['a'])})
    out = wiki.run(title='P', labels=[])
    assert out['changed'] is True and wiki.writes()[0].form == {'text': 't', 'labels': ''}
    assert wiki.pages['P']['labels'] == ['']  # what the real server stores
    assert out['page']['labels'] == []
    assert wiki.run(title='P', labels=[])['changed'] is False


def test_missing_page_without_text_fails_before_writing():
    wiki = FakeWiki(HOME)
    out = wiki.run(title='Nope', labels=['a'])
    assert out['failed'] is True and out['changed'] is False
    assert "title 'Nope': no such page in p/test wiki" in out['msg'] and 'give text' in out['msg']
    assert wiki.writes() == []


@pytest.mark.parametrize('title, words', [
    ('', 'must not be empty'), ('a/b', 'contains "/"'), ('index', 'reserved'), ('_discuss', 'reserved'),
    ('..', 'reserved'), (' Home', 'leading or trailing whitespace'), ('Home ', 'leading or trailing whitespace'),
    ('a\nb', 'control character'),
])
def test_bad_titles_fail_before_any_request(title, words):
    wiki = FakeWiki(HOME)
    out = wiki.run(title=title, text='x')
    assert out['failed'] is True
    assert out['msg'].startswith('title %r ' % title) and words in out['msg']
    assert wiki.session.calls == []


def test_label_with_comma_rejected():
    wiki = FakeWiki(HOME)
    out = wiki.run(title='Home', labels=['ok', 'a,b'])
    assert out['failed'] is True and out['msg'].startswith("labels[1] 'a,b' contains a comma")
    assert wiki.session.calls == []


def test_unicode_and_percent_title_quoted_exactly():
    wiki = FakeWiki(HOME)
    out = wiki.run(title='Café 100% sûr', text='x')
    assert out['changed'] is True
    assert wiki.writes()[0].path == '/rest/p/test/wiki/Caf%C3%A9%20100%25%20s%C3%BBr'
    assert 'Café 100% sûr' in wiki.pages
    assert wiki.run(title='Café 100% sûr', text='x')['changed'] is False


def test_plus_is_literal():
    wiki = FakeWiki(HOME)
    wiki.run(title='New+Page', text='x')
    assert wiki.writes()[0].path == '/rest/p/test/wiki/New%2BPage'


def test_check_mode_predicts_create_and_writes_nothing():
    wiki = FakeWiki(HOME)
    check = wiki.run(title='New', text='x', check_mode=True, diff_mode=True)
    assert wiki.writes() == [] and 'New' not in wiki.pages
    real = wiki.run(title='New', text='x', diff_mode=True)
    assert (check.pop('check_mode'), real.pop('check_mode')) == (True, False)  # the one key that says which run it was
    assert check == real
    assert real['page'] == {'title': 'New', 'text': 'x', 'labels': []}


def test_check_mode_predicts_update():
    wiki = FakeWiki({'P': ('a', [' x'])})
    check = wiki.run(title='P', text='b', labels=['y'], check_mode=True, diff_mode=True)
    assert wiki.writes() == []
    real = wiki.run(title='P', text='b', labels=['y'], diff_mode=True)
    assert (check.pop('check_mode'), real.pop('check_mode')) == (True, False)
    assert check == real


def test_mount_point_must_be_a_wiki():
    wiki = FakeWiki(HOME)
    out = wiki.run(title='Home', text='x', mount_point='bugs')
    assert out['failed'] is True and "mount_point 'bugs' of project p/test is a tickets tool" in out['msg']
    out = wiki.run(title='Home', text='x', mount_point='nope')
    assert "has no tool at mount_point 'nope'" in out['msg'] and 'wiki, docs' in out['msg']
    assert wiki.writes() == []


def test_other_mount_point():
    wiki = FakeWiki(HOME)
    wiki.run(title='Home', text='x', mount_point='docs')
    assert wiki.writes()[0].path == '/rest/p/test/docs/Home'


@pytest.mark.parametrize('exists, perm', [(False, 'create'), (True, 'edit')])
def test_permission_denied_names_the_permission(exists, perm):
    wiki = FakeWiki({'P': ('old', [])} if exists else HOME, deny={'P': 403})
    out = wiki.run(title='P', text='new')
    assert out['failed'] is True and out['status'] == 403 and out['changed'] is False
    assert "cannot %s p/test wiki page 'P'" % perm in out['msg']
    assert "lacks the '%s' permission" % perm in out['msg']
    assert 'secret-token' not in repr(out)


def test_ambiguous_failure_rechecks_instead_of_resending():
    wiki = FakeWiki(HOME)
    real_post = wiki.post

    def post_then_gateway_error(call):
        real_post(call)  # the server did the work, the gateway lost the answer
        return reply(502, text='Bad Gateway')
    wiki.session.add('POST', '/rest/p/test/wiki/.+', responses=[post_then_gateway_error, real_post])
    out = wiki.run(title='New', text='x', client=wiki.client(retries=3))
    assert out['changed'] is True and out['page']['text'] == 'x'
    assert len(wiki.writes()) == 1 and wiki.pages['New']['version'] == 1
    assert any('re-read shows the change was made' in w for w in out['warnings'])


def test_ambiguous_failure_resends_when_not_done():
    wiki = FakeWiki(HOME)
    # a dropped connection (not a timeout: a write that got no answer is only re-read, never re-sent)
    wiki.session.add('POST', '/rest/p/test/wiki/.+', responses=[requests.exceptions.ConnectionError('reset by peer'), wiki.post])
    out = wiki.run(title='New', text='x', client=wiki.client(retries=2))
    assert out['changed'] is True and len(wiki.writes()) == 2 and wiki.pages['New']['version'] == 1


# -- many pages ----------------------------------------------------------------------------------

def test_bulk_converges_and_reports_summary():
    wiki = FakeWiki({'Same': ('s', ['a']), 'Changed': ('old', []), 'Home': ('Welcome\n', [])})
    pages = [{'title': 'Same', 'text': 's', 'labels': ['a']}, {'title': 'New', 'text': 'n', 'labels': None},
             {'title': 'Changed', 'text': 'new', 'labels': None}]
    check = wiki.run(pages=pages, check_mode=True, diff_mode=True)
    assert wiki.writes() == []
    out = wiki.run(pages=pages, diff_mode=True)
    assert (check.pop('check_mode'), out.pop('check_mode')) == (True, False)
    assert check == out
    assert out['summary'] == {'created': 1, 'updated': 1, 'unchanged': 1}
    assert [p['action'] for p in out['pages']] == ['none', 'create', 'update']
    assert out['pages'][1] == {'title': 'New', 'text': 'n', 'labels': [], 'action': 'create'}
    assert [c.path for c in wiki.writes()] == ['/rest/p/test/wiki/New', '/rest/p/test/wiki/Changed']  # user's order
    assert 'page' not in out and 'action' not in out
    again = wiki.run(pages=pages)
    assert again['changed'] is False and again['summary'] == {'created': 0, 'updated': 0, 'unchanged': 3}
    assert wiki.writes() == []


def test_bulk_many_pages_reads_concurrently_no_write_on_rerun():
    wiki = FakeWiki()
    pages = [{'title': 'Page %03d' % i, 'text': 'text %d\n' % i, 'labels': ['bulk']} for i in range(60)]
    assert wiki.run(pages=pages, parallel=8)['summary']['created'] == 60
    out = wiki.run(pages=pages, parallel=8)
    assert out['changed'] is False and out['summary']['unchanged'] == 60
    assert wiki.writes() == [] and len(wiki.session.calls) == 61
    assert [p['title'] for p in out['pages']] == [p['title'] for p in pages]


def test_bulk_bad_items_named_by_index():
    wiki = FakeWiki(HOME)
    out = wiki.run(pages=[{'title': 'A', 'text': 'x', 'labels': None}, {'title': 'a/b', 'text': 'x', 'labels': None}])
    assert out['msg'].startswith("pages[1].title 'a/b' contains")
    out = wiki.run(pages=[{'title': 'A', 'text': 'x', 'labels': ['x,y']}])
    assert out['msg'].startswith("pages[0].labels[0] 'x,y' contains a comma")
    out = wiki.run(pages=[{'title': 'A', 'text': 'x', 'labels': None}, {'title': 'A', 'text': 'y', 'labels': None}])
    assert out['msg'].startswith("pages[1].title 'A' is also given by pages[0]: each page may be listed once")
    assert wiki.session.calls == []


def test_bulk_missing_text_listed_before_any_write():
    wiki = FakeWiki(HOME)
    out = wiki.run(pages=[{'title': 'A', 'text': 'x', 'labels': None}, {'title': 'B', 'text': None, 'labels': ['l']},
                          {'title': 'Home', 'text': None, 'labels': ['l']}, {'title': 'C', 'text': None, 'labels': None}])
    assert out['failed'] is True
    assert "pages[1].title 'B', pages[3].title 'C': no such page" in out['msg']
    assert wiki.writes() == []


def test_bulk_failure_midway_reports_what_was_done():
    wiki = FakeWiki(HOME, deny={'B': 403})
    pages = [{'title': 'A', 'text': 'x', 'labels': None}, {'title': 'B', 'text': 'y', 'labels': None},
             {'title': 'C', 'text': 'z', 'labels': None}]
    out = wiki.run(pages=pages, parallel=1)
    assert out['failed'] is True and out['changed'] is True
    assert out['msg'].startswith("pages[1]: cannot create p/test wiki page 'B'")
    assert '1 pages were converged: 1 created' in out['msg'] and out['summary']['created'] == 1
    assert out['pages'] == [{'title': 'A', 'text': 'x', 'labels': [], 'action': 'create'}]
    assert 'C' not in wiki.pages


def test_bulk_failure_with_pages_written_at_once_reports_those_in_flight_too():
    wiki = FakeWiki(HOME, deny={'B': 403})
    out = wiki.run(pages=[{'title': t, 'text': t, 'labels': None} for t in 'ABC'], parallel=4)  # all three in flight at once
    assert out['failed'] is True and out['changed'] is True
    assert out['msg'].startswith("pages[1]: cannot create p/test wiki page 'B'")
    assert ('(2 pages were converged: 2 created, 0 updated, 0 unchanged; pages[2] of them after it, in flight when it failed; '
            'the others were not touched)') in out['msg']
    assert [p['title'] for p in out['pages']] == ['A', 'C'] and out['summary']['created'] == 2 and 'C' in wiki.pages


@pytest.mark.parametrize('kw, words', [
    (dict(pages=[{'title': 'A', 'text': 'x', 'labels': None}], title='A'), 'mutually exclusive'),
    (dict(), 'one of title or pages is required'),
    (dict(pages=[]), 'at least one page'),
    (dict(title='A', text='x', parallel=0), 'parallel 0 is out of range'),
    (dict(title='A', text='x', parallel=50), 'parallel 50 is out of range'),
])
def test_option_errors(kw, words):
    wiki = FakeWiki(HOME)
    out = wiki.run(**kw)
    assert out['failed'] is True and words in out['msg'] and wiki.session.calls == []


class NoClient:
    _warn = None


def test_execute_keeps_changed_from_a_partial_failure():
    def run(params, client, ctx):
        raise AlluraError('half done', changed=True)
    assert execute(run, {}, client=NoClient())['changed'] is True

    def run_plain(params, client, ctx):
        raise AlluraError('nothing done')
    assert execute(run_plain, {}, client=NoClient())['changed'] is False
