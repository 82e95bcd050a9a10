#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: allura_wiki_page_info
short_description: Read a page of an Allura wiki, or the titles of its pages
version_added: 0.2.0
description:
  - With O(title), returns that page (its text, labels and the rest of what the server shows), optionally with
    its comments.
  - Without it, returns the titles of every page of the wiki.
  - Never changes anything.
options:
  project:
    description: Shortname of the project.
    type: str
    required: true
  mount_point:
    description: Mount point of the wiki (a C(wiki) tool).
    type: str
    default: wiki
  title:
    description: Title of the page to read, exactly (spaces and other characters as they are, not URL-encoded).
    type: str
  comments:
    description: Also return the page's comments (every post of its discussion thread) under C(comments).
    type: bool
    default: false
extends_documentation_fragment:
  - allura.forge.auth
  - allura.forge.attributes.info_module
  - allura.forge.results
author:
  - allura.forge developers (@allura-forge)
'''

EXAMPLES = r'''
- name: Read the Home page of the wiki
  allura.forge.allura_wiki_page_info:
    project: myproj
    title: Home
  register: home

- name: Show its labels
  ansible.builtin.debug:
    msg: "{{ home.page.labels }}"

- name: Every page title of the documentation wiki
  allura.forge.allura_wiki_page_info:
    project: myproj
    mount_point: docs
  register: docs
'''

RETURN = r'''
page:
  description:
    - The page as the server returns it (C(title), C(text), C(labels) as stored, C(mod_date), C(discussion_thread) with
      its first posts, C(attachments)), plus C(comments) when O(comments=true).
    - C(labels) are as the server stores them, split on commas without trimming.
  returned: when O(title) is given
  type: dict
  sample: {"title": "Home", "text": "# Welcome\n", "labels": ["start"], "mod_date": "2026-01-31 10:00:00"}
titles:
  description: The titles of every page of the wiki, in the order the server lists them (the order the pages were created in).
  returned: when O(title) is not given
  type: list
  elements: str
  sample: ["Home", "Install"]
'''

from ansible_collections.allura.forge.plugins.module_utils._module import run_module
from ansible_collections.allura.forge.plugins.module_utils._project import Project
from ansible_collections.allura.forge.plugins.module_utils._read import check_not_blank, read_checked, read_wiki_page, with_comments

ARGUMENT_SPEC = dict(
    project=dict(type='str', required=True),
    mount_point=dict(type='str', default='wiki'),
    title=dict(type='str'),
    comments=dict(type='bool', default=False),
)


def run(params, client, ctx):
    project = Project(client, params['neighborhood'], params['project'])
    mount_point = params['mount_point']
    check_not_blank(params, 'title')
    if params.get('title') is None:
        listing = read_checked(project, mount_point, ('wiki',), 'allura_wiki_page_info',
                               lambda: client.get_json(project.path(mount_point), not_found=project.not_found(mount_point)))
        return dict(changed=False, titles=listing.get('pages') or [])
    page = read_checked(project, mount_point, ('wiki',), 'allura_wiki_page_info',
                        lambda: read_wiki_page(project, mount_point, params['title']))
    if params['comments']:
        page = with_comments(project, mount_point, [page])[0]
    return dict(changed=False, page=page)


def main():
    run_module(ARGUMENT_SPEC, run)


if __name__ == '__main__':
    main()
