# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The docs site's browser check (scripts/docs/check_site.py) finds what it must, on small pages made here.

Run by scripts/docs.sh --check with .venv-docs' Python and DOCS_BROWSER set to the Chromium it found.
"""

from __future__ import annotations

import importlib.util
import os

import pytest
from playwright.sync_api import sync_playwright

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
_SPEC = importlib.util.spec_from_file_location('check_site', os.path.join(ROOT, 'scripts', 'docs', 'check_site.py'))
check_site = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(check_site)

TABLE = '<table class="ansible-option-table"><tbody><tr><td>name</td><td>what it is</td></tr></tbody></table>'
CONNECTING = TABLE.replace('<td>name</td>', '<td><div id="parameter-server_url">server_url</div></td>')
MODULE = '''<!DOCTYPE html><html><head><meta name="viewport" content="width=device-width, initial-scale=1"></head><body>
<section id="synopsis"><p>Does a thing.</p></section>
<section id="parameters">%(options)s</section>
<section id="attributes"><table class="ansible-option-table"><tbody><tr><td>action_group</td>
  <td>Action group: allura.forge.allura</td></tr></tbody></table></section>
<section id="see-also"><a href="https://forge-allura.apache.org/p/allura/rest-api-docs#operation/x">REST</a></section>
<section id="examples">%(examples)s</section>
<section id="return-values">''' + TABLE + '''</section>
%(extra)s</body></html>'''
GOOD = dict(options=CONNECTING, examples='<div class="highlight"><pre>- allura.forge.x: {}</pre></div>', extra='')


def module_page(**changes):
    return MODULE % dict(GOOD, **changes)


@pytest.fixture(scope='module')
def site(tmp_path_factory):
    """A browser context and a folder served on loopback, shared by the tests (each writes pages of its own)."""
    path = os.environ.get('DOCS_BROWSER')
    if not path:
        pytest.fail('DOCS_BROWSER must name the Chromium binary (scripts/docs.sh --check sets it)')
    folder = tmp_path_factory.mktemp('site')
    server = check_site.serve(str(folder))
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=path, args=['--no-sandbox'])
        context = chromium.new_context(viewport={'width': check_site.WIDTH, 'height': check_site.HEIGHT})
        yield context, 'http://127.0.0.1:%d/' % server.server_address[1], folder
        chromium.close()
    server.shutdown()


@pytest.fixture
def check(site, request):
    """check({name: html}, page, kind) -> the problems the checker finds on `page` among these pages."""
    context, base, folder = site
    prefix = request.node.name.replace('[', '-').replace(']', '').replace(' ', '_') + '-'

    def run(pages, name, kind=None):
        for page, text in pages.items():
            (folder / (prefix + page)).write_text(text.replace('href="m.html', 'href="%sm.html' % prefix), encoding='utf-8')
        page = context.new_page()
        try:
            return [problem.replace(prefix, '') for problem in check_site.Checker(page, base, str(folder)).check(prefix + name, kind)]
        finally:
            page.close()
    return run


def test_a_good_module_page_passes(check):
    assert check({'m.html': module_page()}, 'm.html', 'module') == []


@pytest.mark.parametrize('change, problem', [
    (dict(examples=''), 'shows no examples'),
    (dict(options=CONNECTING.replace('<table', '<table style="display: none"')), 'shows no options table'),
    (dict(options='<table class="ansible-option-table"><tbody></tbody></table>'), 'shows no options table'),
])
def test_a_plugin_page_must_show_its_parts(check, change, problem):
    assert problem in check({'m.html': module_page(**change)}, 'm.html', 'module')


def test_only_a_module_that_connects_must_be_in_the_action_group_and_link_the_rest_api(check):
    """A module with the connection options (server_url) is in the group and links the REST API; one without (it talks
    to no server, as allura_drift_report) must not name the group."""
    bare = module_page().replace('<td>Action group: allura.forge.allura</td>', '<td>Check mode: full</td>').replace(
        '<section id="see-also"><a href="https://forge-allura.apache.org/p/allura/rest-api-docs#operation/x">REST</a></section>', '')
    assert check({'m.html': bare.replace(CONNECTING, TABLE)}, 'm.html', 'module') == []
    assert sorted(check({'m.html': bare}, 'm.html', 'module')) == [
        'its attributes do not name the action group allura.forge.allura', 'shows no REST API link']
    assert check({'m.html': module_page(options=TABLE)}, 'm.html', 'module') == [
        'it takes no connection options but its attributes name the action group allura.forge.allura']


def test_content_wider_than_a_phone_is_found_unless_it_scrolls_in_its_own_box(check):
    wide = '<div style="width: 900px">wide</div>'
    problems = check({'m.html': module_page(extra=wide)}, 'm.html', 'module')
    assert len(problems) == 1 and problems[0] == 'wider than 390 px (the page is 908 px wide): div', problems
    clipped = '<div style="overflow: hidden"><code>/rest/&lt;neighborhood&gt;/&lt;project&gt;/admin/install_tool/and/so/on</code></div>'
    assert check({'m.html': module_page(extra=clipped)}, 'm.html', 'module')[0].startswith('wider than 390 px (the page is 390 px wide): code')
    scrolling = '<div style="overflow-x: auto"><table style="width: 900px"><tr><td>wide table</td></tr></table></div>'
    assert check({'m.html': module_page(extra=scrolling)}, 'm.html', 'module') == []


def test_broken_links_and_anchors_are_found(check):
    pages = {'m.html': module_page(extra='<a href="m.html#synopsis">ok</a> <a href="gone.html">x</a> <a href="m.html#nowhere">y</a>')}
    problems = check(pages, 'm.html', 'module')
    assert [p.split(':')[0] for p in problems] == ['broken link', 'broken anchor'], problems
    assert problems[0].endswith('/gone.html') and problems[1].endswith('/m.html#nowhere')


def test_script_errors_and_requests_leaving_the_site_are_found(check):
    extra = '<script>noSuchFunction()</script><img src="https://example.org/logo.png" alt="">'
    problems = check({'m.html': module_page(extra=extra)}, 'm.html', 'module')
    assert 'script error: noSuchFunction is not defined' in problems
    assert 'request leaving the site: https://example.org/logo.png' in problems


def test_a_role_page_needs_an_options_table_per_entry_point(check):
    page = '<html><body><section id="entry-point-main">%s</section><section id="entry-point-other"><p>none</p></section></body></html>'
    assert check({'r.html': page % TABLE}, 'r.html', 'role') == ['entry point 1 shows no options table']


def test_pages_no_link_reaches_are_found():
    links = {'index.html': {'a.html'}, 'a.html': {'b.html', 'index.html'}, 'orphan.html': {'a.html'}}
    assert check_site.reachable(links) == {'index.html', 'a.html', 'b.html'}
