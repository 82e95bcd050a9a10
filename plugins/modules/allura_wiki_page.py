#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: allura_wiki_page
short_description: Create and update pages of an Allura wiki, one page or many per task
version_added: 0.1.0
description:
  - Makes one wiki page (O(title)) or many (O(pages)) of an Allura wiki tool have the wanted text and labels.
  - Reads each page first and sends nothing when it already matches. This matters because every write of a
    page creates a new page version on the server, even when nothing differs.
  - Only the options you set are compared and written. A page that already exists keeps its labels when
    O(labels) is not given, and keeps its text when O(text) is not given.
  - B(Deleting pages is not supported.) The Allura REST API has no way to delete a page, so there is no
    O(state=absent). Delete pages in the web interface.
  - The title is the page identity. Pages cannot be renamed over REST, so a different title means a
    different page.
  - With O(pages), every page is read first, up to O(parallel) at a time. The pages that differ are then
    written up to O(parallel) at a time too (a page write changes that page alone); results and diffs keep
    the order given. Every title, and every missing page's text, is checked before the first write. The
    first failure stops further writes (those in flight finish and are reported); after an HTTP 429 (the
    server's creation limit) or 5xx the remaining pages are written one at a time.
options:
  project:
    description: Shortname of the project, for example V(myproj).
    type: str
    required: true
  mount_point:
    description: Mount point of the wiki tool. The project must have a wiki tool mounted there.
    type: str
    default: wiki
  title:
    description:
      - Title of the page, exactly as it appears on the server (case-sensitive).
      - Spaces, C(+), C(%) and non-ASCII characters are fine.
      - The REST API cannot address some titles, so these fail before anything is sent
        (Allura's web editor turns C(/) into C(-)). They are an empty title, a title with C(/),
        the reserved titles V(index), V(_discuss), V(.) and V(..), a title with leading or trailing
        whitespace (the server keeps it, so C(" Home") and C(Home) are different pages), and a title
        with control characters.
      - Mutually exclusive with O(pages). One of O(title) and O(pages) is required.
    type: str
  text:
    description:
      - The page text (Markdown), stored and compared exactly as given. Nothing is trimmed and line endings
        are kept. A YAML block scalar (C(|)) usually ends with a newline, and that newline is part of the text.
      - Required when the page does not exist yet, because the server cannot create a page without text.
        For an existing page, leave it out to keep the current text. If only O(labels) change, the module
        sends the current text again, since the server requires it on every write.
    type: str
  labels:
    description:
      - The page labels, compared as a set. Order, duplicates, surrounding whitespace and empty items do not count.
      - Each label is trimmed, and empty ones are dropped. A label cannot contain a comma, because the
        server splits the field on commas.
      - V([]) means no labels. The server cannot store an empty list. Clearing sends an empty C(labels)
        field, which the server stores as V([""]). The module reads that back as no labels, so the next
        run reports no change.
      - Leave it out to keep the labels the page has.
    type: list
    elements: str
  pages:
    description:
      - Many pages in one task, each a dict with the keys O(title), O(text) and O(labels), meaning the same
        as the single-page options. Titles must be unique in the list.
      - Mutually exclusive with O(title), O(text) and O(labels).
    type: list
    elements: dict
    suboptions:
      title:
        description: Title of the page (same rules as the top-level O(title)).
        type: str
        required: true
      text:
        description: Text of the page (same rules as the top-level O(text)).
        type: str
      labels:
        description: Labels of the page (same rules as the top-level O(labels)).
        type: list
        elements: str
  parallel:
    description: With O(pages), how many pages are read, and then written, at the same time (1 to 16).
    type: int
    default: 8
  state:
    description: Only V(present). Pages cannot be deleted through the REST API.
    type: str
    choices: [present]
    default: present
notes:
  - Creating a page needs the C(create) permission on the wiki tool (project members have it by default).
    Changing a page needs C(edit). Without it the task fails with HTTP 403 and names the missing permission.
  - In check mode the module reads but never writes. It reports exactly what a real run would create or
    change. With O(pages) that includes the same C(summary).
  - With C(--diff), each changed page gets an entry listing the fields that differ (with the labels before
    and after), plus a unified diff of its text.
extends_documentation_fragment:
  - allura.forge.auth
  - allura.forge.attributes
  - allura.forge.lock
  - allura.forge.results
seealso:
  - name: 'Allura REST API: wiki page'
    description: Creates or updates a wiki page.
    link: https://forge-allura.apache.org/p/allura/rest-api-docs#operation/POST_neighborhood-project-wiki-title
author:
  - allura.forge developers (@allura-forge)
'''

EXAMPLES = r'''
- name: The home page of the project wiki
  allura.forge.allura_wiki_page:
    project: myproj
    title: Home
    text: |
      # My project
      See [Install] to get started.
    labels: [docs, start]
    token: "{{ vault_sourceforge_token }}"

- name: Only relabel a page, keep its text
  allura.forge.allura_wiki_page:
    project: myproj
    title: Install
    labels: [docs]

- name: Remove all labels of a page
  allura.forge.allura_wiki_page:
    project: myproj
    title: Install
    labels: []

- name: Many pages of a docs wiki in one task (read 8 at a time)
  allura.forge.allura_wiki_page:
    project: myproj
    mount_point: docs
    parallel: 8
    pages:
      - title: Install
        text: "{{ lookup('ansible.builtin.file', 'docs/install.md') }}"
        labels: [docs]
      - title: Café 100% sûr
        text: Titles may hold spaces, unicode and percent signs.
  register: docs

- name: Show what changed
  ansible.builtin.debug:
    msg: "{{ docs.summary }}"
'''

RETURN = r'''
action:
  description: What was done to the page (or would be, in check mode).
  returned: with O(title)
  type: str
  choices: [create, update, none]
  sample: update
page:
  description: The page after the run (in check mode, as the run would leave it).
  returned: with O(title)
  type: dict
  contains:
    title:
      description: Title of the page.
      type: str
      sample: Home
    text:
      description: Text of the page, exactly as stored.
      type: str
      sample: "Welcome\n"
    labels:
      description: Labels of the page, trimmed and without empty items (the server may store V([""]) for "no labels").
      type: list
      elements: str
      sample: [docs]
pages:
  description: One entry per item of O(pages), in the same order. Each entry has the keys of RV(page) plus C(action).
  returned: with O(pages)
  type: list
  elements: dict
  sample: [{"title": "Install", "text": "...", "labels": ["docs"], "action": "create"}]
summary:
  description: How many pages were created, updated and left unchanged (or would be, in check mode).
  returned: with O(pages)
  type: dict
  sample: {"created": 1, "updated": 0, "unchanged": 199}
'''

import re
from functools import partial

from ansible_collections.allura.forge.plugins.module_utils._allura import WIKI_TOOLS
from ansible_collections.allura.forge.plugins.module_utils._client import ParameterError
from ansible_collections.allura.forge.plugins.module_utils._module import run_module
from ansible_collections.allura.forge.plugins.module_utils._resource import PARALLEL, Resource
from ansible_collections.allura.forge.plugins.module_utils._state import LABELS, Field, check_labels, clean_labels

# Segments the wiki's REST controller dispatches itself (REFERENCE 7.4), and path dot-segments that
# HTTP clients collapse: such a page can be neither read nor written over REST.
RESERVED_TITLES = ('index', '_discuss', '.', '..')


def title_problem(title):
    if not title:
        return 'must not be empty'
    if '/' in title:
        return 'contains "/", which the REST API cannot address (an encoded slash still splits the URL); the web editor would store it as "-"'
    if title in RESERVED_TITLES:
        return 'is reserved: the REST API routes %r to something else than a page, so it can be neither read nor written' % title
    if title != title.strip():
        return ('has leading or trailing whitespace, which the server keeps as part of the title (%r would be another page than '
                '%r); remove it' % (title, title.strip()))
    if re.search(r'[\x00-\x1f\x7f]', title):
        return 'contains a control character (newline, tab, ...)'
    return None


class Page(Resource):
    one, many, key, required = 'page', 'pages', ('title',), 'title'
    options = dict(title=dict(type='str', required=True), text=dict(type='str'), labels=dict(type='list', elements='str'))
    kinds, purpose, create_requires = WIKI_TOOLS, 'allura_wiki_page', ('text',)
    # The server stores text verbatim and labels split on commas exactly as sent (REFERENCE 7.3), and answers a
    # write with {}: the page after a write is predicted.
    fields = dict(text=Field(text=True), labels=LABELS)
    # A page write is an upsert of that page alone (REFERENCE 7.3): sent again it stores the same; only a creation
    # can meet the creation limit (1.9), and the driver then writes one at a time
    concurrent = ('create', 'update')

    def check(self, item):
        if title_problem(item.values['title']):
            raise ParameterError('%stitle %r %s' % (item.opt, item.values['title'], title_problem(item.values['title'])))
        item.values['labels'] = check_labels(item.values['labels'], item.opt + 'labels')

    def path(self, item):
        return self.project.path(self.mount_point, item.values['title'], trailing_slash=False)

    def read(self, item):
        page = self.client.exists(self.path(item))
        if page is None:
            return None
        return dict(title=page.get('title', item.values['title']), text=page.get('text'), labels=clean_labels(page.get('labels')))

    def create(self, item, desired):
        return self.update(item, None, desired, desired)

    def update(self, item, live, sent, desired):
        labels = desired.get('labels')
        done = self.client.post(self.path(item), dict(text=desired.get('text', live and live['text']),
                                                      labels=None if labels is None else ','.join(labels)),
                                recheck=partial(self.stored, item, desired),
                                not_found=self.project.not_found(self.mount_point, 'wiki page %r' % item.values['title']),
                                denied=self.denied(item, 'create' if live is None else 'edit', 'a project member or admin'))
        return done if isinstance(done, dict) else {}  # a re-read found it written, or the server's {}

    def public(self, item, outcome):
        after = outcome.after
        return dict(title=after.get('title', item.values['title']), text=after.get('text'), labels=after.get('labels') or [])


ARGUMENT_SPEC = Page.argument_spec(
    mount_point=dict(type='str', default='wiki'), parallel=PARALLEL, state=dict(type='str', choices=['present'], default='present'))
MUTUALLY_EXCLUSIVE = Page.mutually_exclusive()
REQUIRED_ONE_OF = Page.required_one_of()


def run(params, client, ctx):
    return Page(params, client, ctx).run()


def main():
    run_module(ARGUMENT_SPEC, run)


if __name__ == '__main__':
    main()
