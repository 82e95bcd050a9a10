#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: allura_blog_post_info
short_description: Read a post of an Allura blog, or its posts
version_added: 0.2.0
description:
  - With O(title) or O(url), returns that post (title, text, labels, state, URL, author), optionally with its comments.
    A title is matched exactly over every page of the blog; two posts with that title are an error that lists their
    URLs (give O(url) to choose).
  - Without them, returns the posts of the blog, newest first, each read in full (O(parallel) at a time), or only
    their titles and URLs with O(details=false).
  - Drafts are shown only to users with write permission on the blog (project developers and admins); other users,
    and requests without credentials, see published posts only.
  - Never changes anything.
options:
  project:
    description: Shortname of the project.
    type: str
    required: true
  mount_point:
    description: Mount point of the blog (a C(blog) tool).
    type: str
    default: blog
  title:
    description: Title of the post to read, exactly. Mutually exclusive with O(url).
    type: str
  url:
    description:
      - Address of the post to read, its URL (REST or web, such as V(https://sourceforge.net/p/myproj/blog/2026/01/release-notes/))
        or just its V(YYYY/MM/slug). A post keeps its URL when its title changes.
    type: str
  comments:
    description: Also return each post's comments (every post of its discussion thread) under C(comments).
    type: bool
    default: false
  details:
    description: Read each listed post in full; V(false) lists only the title and URL of each post (one request per page).
    type: bool
    default: true
  limit:
    description: List at most this many posts (1 or more); by default all.
    type: int
  parallel:
    description: How many posts are read at the same time (1 to 16).
    type: int
    default: 8
extends_documentation_fragment:
  - allura.forge.auth
  - allura.forge.attributes.info_module
  - allura.forge.results
author:
  - allura.forge developers (@allura-forge)
'''

EXAMPLES = r'''
- name: Read the announcement
  allura.forge.allura_blog_post_info:
    project: myproj
    title: Version 2.0 is out
  register: news

- name: Is it published?
  ansible.builtin.debug:
    msg: "{{ news.post.state }} at {{ news.post.url }}"

- name: Titles and URLs of every post, drafts included for a writer's token
  allura.forge.allura_blog_post_info:
    project: myproj
    details: false
  register: blog
'''

RETURN = r'''
post:
  description:
    - The post as the server returns it (C(title), C(text), C(labels), C(state) V(draft) or V(published), C(url),
      C(author), C(mod_date), C(discussion_thread) with its first posts), plus C(comments) when O(comments=true).
    - C(labels) are as the server stores them; a post created without labels has V([""]).
  returned: when O(title) or O(url) is given
  type: dict
  sample: {"title": "Version 2.0 is out", "text": "Download it now.", "labels": ["release"], "state": "published",
           "url": "https://sourceforge.net/rest/p/myproj/blog/2026/01/version-20-is-out/", "author": "jdoe"}
posts:
  description: The posts, newest first, in full (like RV(post)), or only C(title) and C(url) with O(details=false).
  returned: when neither O(title) nor O(url) is given
  type: list
  elements: dict
'''

from ansible_collections.allura.forge.plugins.module_utils._module import run_module
from ansible_collections.allura.forge.plugins.module_utils._project import Project
from ansible_collections.allura.forge.plugins.module_utils._read import (
    blog_post_path, check_limit, check_not_blank, find_blog_posts, one_blog_post, read_blog_post, read_checked, with_comments)
from ansible_collections.allura.forge.plugins.module_utils._state import DEFAULT_PARALLEL, parallel_option, read_many

ARGUMENT_SPEC = dict(
    project=dict(type='str', required=True),
    mount_point=dict(type='str', default='blog'),
    title=dict(type='str'),
    url=dict(type='str'),
    comments=dict(type='bool', default=False),
    details=dict(type='bool', default=True),
    limit=dict(type='int'),
    parallel=dict(type='int', default=DEFAULT_PARALLEL),
)
MUTUALLY_EXCLUSIVE = [('title', 'url'), ('title', 'limit'), ('url', 'limit')]


def run(params, client, ctx):
    project = Project(client, params['neighborhood'], params['project'])
    mount_point = params['mount_point']
    limit, parallel = check_limit(params), parallel_option(params)
    check_not_blank(params, 'title', 'url')
    if params.get('url') is not None:
        blog_post_path(project, mount_point, params['url'])  # a bad url fails before anything is sent

    def read():
        if params.get('url') is not None:
            return read_blog_post(project, mount_point, params['url'])
        if params.get('title') is not None:
            return one_blog_post(project, mount_point, params['title'])
        return find_blog_posts(project, mount_point, max_items=limit)

    found = read_checked(project, mount_point, ('blog',), 'allura_blog_post_info', read)
    if isinstance(found, dict):
        return dict(changed=False, post=with_comments(project, mount_point, [found])[0] if params['comments'] else found)
    if params['details'] or params['comments']:
        found = read_many(lambda post: read_blog_post(project, mount_point, post['url']), found, parallel)
    if params['comments']:
        found = with_comments(project, mount_point, found, parallel)
    return dict(changed=False, posts=found)


def main():
    run_module(ARGUMENT_SPEC, run)


if __name__ == '__main__':
    main()
