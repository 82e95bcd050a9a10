# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Open every page of the built docs site in a real headless Chromium and check what a reader gets.

    python scripts/docs/check_site.py --browser /usr/bin/chromium --site .build/docs/html \\
        --collection .build/docs/collections/ansible_collections/allura/forge --out tests/output/docs

The site is served on a loopback port and every page is loaded at 390 px width (a phone). Each page must load
without console errors, failed requests or requests leaving the site (it must work offline), must not scroll
sideways, and every link inside the site must reach an existing page and anchor. Every plugin of the collection
(as ansible-doc lists it) must have its page showing its options table, examples and return values; module pages
also their action group and the Allura REST API links; role pages an options table per entry point. Every guide of
docs/docsite and the changelog must be linked from the index, and every page must be reachable from it.

Writes OUT/junit.xml (one test case per page), OUT/summary.json and a screenshot of one module page. Exit status
0 when every page passed. Playwright drives the given Chromium binary (executable_path); it never downloads one.
"""

from __future__ import annotations

import argparse
import functools
import html.parser
import http.server
import json
import os
import subprocess
import sys
import threading
import time
import urllib.parse
import xml.etree.ElementTree as ET

import yaml
from playwright.sync_api import sync_playwright

WIDTH, HEIGHT = 390, 844
SCREENSHOT_PAGE = 'allura_ticket_module.html'
REST_API_DOCS = 'https://forge-allura.apache.org/p/allura/rest-api-docs'
PLUGIN_TYPES = ('module', 'lookup', 'filter', 'test', 'inventory')
OPTIONS = 'section#parameters, section#input, section#positional-parameters, section#keyword-parameters'
RETURNS = 'section[id^="return-value"]'
TABLE = 'table.ansible-option-table'


class Anchors(html.parser.HTMLParser):
    """The ids and names a page defines (link targets)."""

    def __init__(self):
        super().__init__()
        self.found = set()

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ('id', 'name') and value:
                self.found.add(value)


@functools.lru_cache(maxsize=None)
def anchors(path):
    parser = Anchors()
    with open(path, encoding='utf-8') as handle:
        parser.feed(handle.read())
    return frozenset(parser.found)


def listed(kind, collection_path):
    """Names of the collection's plugins of one kind, as ansible-doc lists them."""
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collection_path, ANSIBLE_NOCOLOR='1')
    proc = subprocess.run([os.path.join(os.path.dirname(sys.executable), 'ansible-doc'), '-t', kind, '--list', '--json',
                           'allura.forge'], env=env, cwd=collection_path, capture_output=True, text=True, check=True)
    return sorted(name.split('.')[-1] for name in json.loads(proc.stdout or '{}'))


def expected_pages(collection):
    """{page: kind} for every plugin and role of the collection, as antsibull-docs names their pages."""
    path = os.path.dirname(os.path.dirname(os.path.dirname(collection)))
    pages = {'%s_%s.html' % (name, kind): kind for kind in PLUGIN_TYPES for name in listed(kind, path)}
    pages.update(('%s_role.html' % name, 'role') for name in listed('role', path))
    return pages


def guides(collection):
    with open(os.path.join(collection, 'docs', 'docsite', 'extra-docs.yml'), encoding='utf-8') as handle:
        sections = yaml.safe_load(handle).get('sections', [])
    return ['docsite/%s.html' % name for section in sections for name in section['toctree']]


def releases(collection):
    with open(os.path.join(collection, 'changelogs', 'changelog.yaml'), encoding='utf-8') as handle:
        return sorted((yaml.safe_load(handle) or {}).get('releases') or {})


def serve(site):
    handler = functools.partial(QuietHandler, directory=site)
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        pass


class Checker:
    def __init__(self, page, base, site):
        self.page, self.base, self.site = page, base, site
        self.events = []
        self.links = {}  # page -> the pages it links to
        self.internal_links = self.external_links = 0
        page.on('console', lambda msg: self.events.append('console %s: %s' % (msg.type, msg.text)) if msg.type == 'error' else None)
        page.on('pageerror', lambda exc: self.events.append('script error: %s' % exc))
        page.on('requestfailed', lambda req: self.events.append('request failed: %s (%s)' % (req.url, req.failure)))
        page.on('response', lambda res: self.events.append('HTTP %d: %s' % (res.status, res.url)) if res.status >= 400 else None)
        page.route('**/*', self.offline)

    def offline(self, route):
        if route.request.url.startswith(self.base):
            route.continue_()
        else:
            self.events.append('request leaving the site: %s' % route.request.url)
            route.abort()

    def check(self, name, kind):
        """The problems of one page (an empty list when it passed)."""
        self.events = []
        response = self.page.goto(self.base + name, wait_until='load')
        self.page.wait_for_timeout(50)  # let late script errors and requests arrive
        problems = [] if response and response.ok else ['HTTP %s' % (response.status if response else 'no response')]
        widths = self.page.evaluate('[document.documentElement.scrollWidth, document.documentElement.clientWidth]')
        too_wide = self.too_wide()
        if widths[0] > widths[1] or too_wide:
            problems.append('wider than %d px (the page is %d px wide): %s' % (WIDTH, widths[0], ', '.join(too_wide[:5]) or '?'))
        problems += self.check_links(name)
        if kind == 'role':
            problems += self.check_role()
        elif kind:
            problems += self.check_plugin(kind)
        return problems + self.events

    def too_wide(self):
        """Elements reaching past the right edge of the viewport that the reader cannot scroll to: not inside a
        box that scrolls sideways itself (a wide table or code block in its scrolling wrapper is fine; content
        cut off by an overflow-hidden box is not)."""
        return self.page.evaluate('''() => {
            const width = document.documentElement.clientWidth, out = [];
            for (const el of document.querySelectorAll('body *')) {
                const box = el.getBoundingClientRect(), style = getComputedStyle(el);
                if (box.right <= width + 1 || box.width === 0 || box.height === 0 || style.visibility === 'hidden') continue;
                let scrolls = false;
                for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
                    const x = getComputedStyle(p).overflowX;
                    if ((x === 'auto' || x === 'scroll') && p.getBoundingClientRect().right <= width + 1) { scrolls = true; break; }
                }
                if (!scrolls) out.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
                                       (typeof el.className === 'string' && el.className ? '.' + el.className.split(' ')[0] : ''));
            }
            return out;
        }''')

    def check_links(self, name):
        problems, targets = [], set()
        for href in self.page.eval_on_selector_all('a[href]', 'els => els.map(e => e.href)'):
            if not href.startswith(self.base):
                self.external_links += 1
                continue
            self.internal_links += 1
            url = urllib.parse.urlsplit(href)
            target = urllib.parse.unquote(url.path[len(urllib.parse.urlsplit(self.base).path):]) or 'index.html'
            if target.endswith('/'):
                target += 'index.html'
            path = os.path.join(self.site, target)
            if not os.path.isfile(path):
                problems.append('broken link: %s' % href)
            elif url.fragment and target.endswith('.html') and urllib.parse.unquote(url.fragment) not in anchors(path):
                problems.append('broken anchor: %s' % href)
            else:
                targets.add(target)
        self.links[name] = targets
        return problems

    def visible(self, selector):
        """Whether the first element matching selector is shown, with a size, and (a table) has rows of content."""
        element = self.page.locator(selector).first
        if not element.count() or not element.is_visible():
            return False
        box = element.bounding_box()
        if not box or box['width'] < 1 or box['height'] < 1:
            return False
        return element.evaluate('el => el.tagName !== "TABLE" || el.querySelectorAll("tbody tr td").length > 0') \
            and bool(element.inner_text().strip())

    def check_plugin(self, kind):
        wanted = {'options table': ', '.join('%s %s' % (s.strip(), TABLE) for s in OPTIONS.split(',')),
                  'examples': 'section#examples div.highlight pre'}
        if kind != 'inventory':
            wanted['return values'] = '%s %s' % (RETURNS, TABLE)
        # a module that talks to the server (it takes the connection options) is in the action group and links the
        # REST API; one that does not (allura_drift_report) is neither
        connects = kind == 'module' and self.page.locator('[id="parameter-server_url"]').count() > 0
        if connects:
            wanted['action group'] = 'section#attributes %s' % TABLE
            wanted['REST API link'] = 'section#see-also a[href^="%s"]' % REST_API_DOCS
        problems = ['shows no %s' % what for what, selector in wanted.items() if not self.visible(selector)]
        if connects and 'allura.forge.allura' not in self.page.locator('section#attributes').inner_text():
            problems.append('its attributes do not name the action group allura.forge.allura')
        if kind == 'module' and not connects and 'allura.forge.allura' in self.page.locator('section#attributes').inner_text():
            problems.append('it takes no connection options but its attributes name the action group allura.forge.allura')
        return problems

    def check_role(self):
        entry_points = self.page.locator('section[id^="entry-point-"]')
        if not entry_points.count():
            return ['shows no entry point']
        return ['entry point %d shows no options table' % i for i in range(entry_points.count())
                if not self.visible('section[id^="entry-point-"] >> nth=%d >> %s' % (i, TABLE))]


def reachable(links, start='index.html'):
    seen, todo = set(), [start]
    while todo:
        page = todo.pop()
        if page not in seen:
            seen.add(page)
            todo.extend(links.get(page, ()))
    return seen


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n', maxsplit=1)[0])
    parser.add_argument('--browser', required=True, help='the Chromium binary Playwright drives')
    parser.add_argument('--site', required=True, help='the built site (the html folder)')
    parser.add_argument('--collection', required=True, help='the collection the site was built from')
    parser.add_argument('--out', required=True, help='where to write junit.xml, summary.json and the screenshot')
    args = parser.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    started = time.monotonic()

    site = os.path.abspath(args.site)
    pages = sorted(os.path.relpath(os.path.join(d, f), site).replace(os.sep, '/')
                   for d, _dirs, files in os.walk(site) for f in files if f.endswith('.html'))
    plugins = expected_pages(args.collection)
    results = {name: ['has no page'] for name in sorted(set(plugins) - set(pages))}
    server = serve(site)
    base = 'http://127.0.0.1:%d/' % server.server_address[1]
    screenshot = os.path.join(os.path.abspath(args.out), SCREENSHOT_PAGE.replace('.html', '-%dpx.png' % WIDTH))
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=args.browser, args=['--no-sandbox'])
            page = browser.new_context(viewport={'width': WIDTH, 'height': HEIGHT}).new_page()
            checker = Checker(page, base, site)
            for name in pages:
                results[name] = checker.check(name, plugins.get(name))
                if name == SCREENSHOT_PAGE:  # the top of the page, and its options table as a phone shows it
                    page.screenshot(path=screenshot)
                    page.locator('section#parameters').evaluate('el => el.scrollIntoView()')
                    page.screenshot(path=screenshot.replace('.png', '-parameters.png'))
            browser.close()
    finally:
        server.shutdown()

    index_links = checker.links.get('index.html', set())
    for name in guides(args.collection) + ['changelog.html']:
        if name not in index_links:
            results.setdefault(name, []).append('is not linked from index.html')
    if 'changelog.html' in results:
        with open(os.path.join(site, 'changelog.html'), encoding='utf-8') as handle:
            text = handle.read()
        results['changelog.html'] += ['shows no section of release %s' % v for v in releases(args.collection) if 'v%s' % v not in text]
    orphans = set(pages) - reachable(checker.links) - {'search.html'}
    for name in sorted(orphans):
        results[name].append('cannot be reached from index.html')
    if not os.path.isfile(screenshot):
        results.setdefault(SCREENSHOT_PAGE, []).append('no screenshot was taken')

    write_junit(os.path.join(args.out, 'junit.xml'), results, plugins)
    failed = {name: problems for name, problems in results.items() if problems}
    summary = dict(pages=len(results), plugin_pages=len(plugins), internal_links=checker.internal_links,
                   external_links_not_followed=checker.external_links, width=WIDTH, screenshot=screenshot,
                   seconds=round(time.monotonic() - started, 1), failed=failed)
    with open(os.path.join(args.out, 'summary.json'), 'w', encoding='utf-8') as handle:
        json.dump(summary, handle, indent=2)
    for name, problems in sorted(failed.items()):
        print('FAILED %s:\n  %s' % (name, '\n  '.join(problems)))
    print('docs site: %d pages checked in Chromium at %d px (%d plugin and role pages), %d internal links checked, '
          '%d failed; screenshot %s' % (len(results), WIDTH, len(plugins), checker.internal_links, len(failed), screenshot))
    return 1 if failed else 0


def write_junit(path, results, plugins):
    suite = ET.Element('testsuite', name='docs-site', tests=str(len(results)),
                       failures=str(sum(1 for p in results.values() if p)))
    for name, problems in sorted(results.items()):
        case = ET.SubElement(suite, 'testcase', classname='docs.%s' % plugins.get(name, 'page'), name=name)
        if problems:
            failure = ET.SubElement(case, 'failure', message='; '.join(problems)[:500])
            failure.text = '\n'.join(problems)
    ET.ElementTree(suite).write(path, encoding='utf-8', xml_declaration=True)


if __name__ == '__main__':
    sys.exit(main())
