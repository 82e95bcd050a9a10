#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: allura_blog_post
short_description: Create, update, publish and delete posts of an Allura blog, one post or many per task
version_added: 0.2.0
description:
  - Makes one post (O(title)) or many (O(posts)) of an Allura blog tool have the wanted text, labels and state, or
    deletes it (O(state=absent)).
  - A post is found by an exact match of O(title) over every page of the blog's post list (drafts are listed only to
    users with write permission on the blog, which writing needs anyway). Two posts with that title are an error that
    lists their URLs; give O(url) to choose one. No post with it is created.
  - A post keeps the URL it was created with, whatever its title becomes. To rename a post, address it by O(url) and
    give the new O(title).
  - Only the options you set are compared and written; the server keeps what is not sent. Every write makes a new
    version of the post, so nothing is sent when nothing differs.
  - Creating a post is not idempotent on the server (a second post with the same title gets a URL with a numbered
    suffix). A create whose answer is lost (a dropped connection, HTTP 502 or 504, a timeout) is therefore never sent
    again blindly; the post list is read again, and a post with the title found there is the one created.
  - With O(posts), the post list is read once, every post is read O(parallel) at a time, and the posts are written
    one after another, in the order given. Everything is checked before the first write.
options:
  project:
    description: Shortname of the project, for example V(myproj).
    type: str
    required: true
  mount_point:
    description: Mount point of the blog (a C(blog) tool).
    type: str
    default: blog
  title:
    description:
      - Title of the post, exactly (case-sensitive). Finds the post when O(url) is not given, and is the title it
        gets when it is created.
      - With O(url), the title to set (a rename).
      - Must not be empty nor start or end with whitespace.
      - Mutually exclusive with O(posts). One of O(title), O(url) and O(posts) is required.
    type: str
  url:
    description:
      - Address of an existing post, its URL (REST or web, such as
        V(https://sourceforge.net/p/myproj/blog/2026/01/release-notes/)) or just its V(YYYY/MM/slug), as
        RV(post.url) returns it. The post must exist.
      - Use it to rename a post (with O(title)), or to choose one of two posts with the same title.
    type: str
  text:
    description:
      - The text of the post (Markdown), stored and compared exactly as given. Shown as a text diff with C(--diff).
      - Leave it out to keep the text of an existing post; a new post without it has an empty text.
    type: str
  labels:
    description:
      - The labels of the post, compared as a set. Order, duplicates, surrounding whitespace and empty items do not
        count. A label cannot contain a comma, because the server splits the field on commas.
      - V([]) removes every label. Leave it out to keep the labels a post has.
    type: list
    elements: str
  state:
    description:
      - V(draft) (visible only to users with write permission on the blog), V(published), or V(absent) to delete the
        post.
      - Leave it out to keep the state of an existing post; the server creates a post as a V(draft) when no state is
        given.
      - Any other value fails before anything is sent (the server would answer HTTP 500).
    type: str
    choices: [draft, published, absent]
  posts:
    description:
      - Many posts in one task, each a dict with the keys O(title), O(url), O(text), O(labels) and O(state), meaning
        the same as the single-post options. A post may be listed once.
      - Mutually exclusive with O(title), O(url), O(text), O(labels) and O(state).
    type: list
    elements: dict
    suboptions:
      title:
        description: See O(title).
        type: str
      url:
        description: See O(url).
        type: str
      text:
        description: See O(text).
        type: str
      labels:
        description: See O(labels).
        type: list
        elements: str
      state:
        description: See O(state).
        type: str
        choices: [draft, published, absent]
  parallel:
    description: With O(posts), how many posts are read at the same time (1 to 16). Writes are always sequential.
    type: int
    default: 8
  purge:
    description:
      - With O(posts), also delete every post of the blog that no item lists (by its title or its URL) - posts written
        by hand or left over from an old task. Drafts count too.
      - Each deletion is an entry of RV(posts) (after the items, with C(action=delete), its C(title) and C(url)) and of
        the diff, in check mode too. Nothing is deleted when the post list cannot be read completely.
    type: bool
    default: false
  purge_max:
    description:
      - With O(purge), the most posts one run may delete that no item lists. When more would go, the task fails naming
        them and changes nothing - a safety net against a wrong O(posts) list wiping a blog.
    type: int
    default: 10
notes:
  - Writing, deleting and reading drafts need the C(write) permission on the blog (project Developers and Admins by
    default). Without it the task fails and names the permission.
  - On a real Allura, creating a post whose title has characters outside Latin-1 (for example Chinese or Greek
    letters) makes the server answer HTTP 500 although the post was created (its address cannot be sent in an HTTP
    header). The module then reads the post list again and reports the post as created, with a warning.
  - In check mode the module reads but never writes. It reports exactly what a real run would do; the URL of a post
    it would create is not known yet and is null.
extends_documentation_fragment:
  - allura.forge.auth
  - allura.forge.attributes
  - allura.forge.lock
  - allura.forge.results
seealso:
  - module: allura.forge.allura_blog_post_info
  - module: allura.forge.allura_comment
author:
  - allura.forge developers (@allura-forge)
'''

EXAMPLES = r'''
- name: Announce the release (created as a draft, then published by the next task)
  allura.forge.allura_blog_post:
    project: myproj
    title: Version 2.0 is out
    text: "{{ lookup('ansible.builtin.file', 'release-notes.md') }}"
    labels: [release]
    state: draft

- name: Publish it
  allura.forge.allura_blog_post:
    project: myproj
    title: Version 2.0 is out
    state: published
  register: news

- name: Where it is
  ansible.builtin.debug:
    msg: "{{ news.post.url }}"

- name: Rename it (the post keeps its URL)
  allura.forge.allura_blog_post:
    project: myproj
    url: "{{ news.post.url }}"
    title: Version 2.0 is out - with a video

- name: Several posts in one task; an old one goes
  allura.forge.allura_blog_post:
    project: myproj
    posts:
      - {title: Roadmap 2027, text: "What comes next.", state: published}
      - {title: Beta testers wanted, state: absent}

- name: Exactly these posts on the news blog, any other deleted (check mode shows each deletion first)
  allura.forge.allura_blog_post:
    project: myproj
    mount_point: news
    purge: true
    posts:
      - {title: Roadmap 2027, text: "What comes next.", state: published}
'''

RETURN = r'''
action:
  description: What was done to the post (or would be, in check mode).
  returned: with O(title) or O(url)
  type: str
  choices: [create, update, delete, none]
  sample: update
post:
  description: The post after the run (in check mode, as the run would leave it); empty after a delete.
  returned: with O(title) or O(url)
  type: dict
  contains:
    url:
      description: The post's address (its REST URL), fixed at creation; null for a post check mode would create.
      type: str
      sample: https://sourceforge.net/rest/p/myproj/blog/2026/01/version-20-is-out/
    title:
      description: Title of the post.
      type: str
    text:
      description: Text of the post, exactly as stored.
      type: str
    labels:
      description: Labels of the post, trimmed and without empty items (the server stores V([""]) for "no labels").
      type: list
      elements: str
    state:
      description: V(draft) or V(published).
      type: str
  sample: {"url": "https://sourceforge.net/rest/p/myproj/blog/2026/01/version-20-is-out/", "title": "Version 2.0 is out",
           "text": "Download it now.", "labels": ["release"], "state": "published"}
posts:
  description:
    - One entry per item of O(posts), in the same order, shaped like RV(post) plus C(action).
    - With O(purge), then one entry per post deleted because no item lists it (C(action=delete), its C(title) and C(url)).
  returned: with O(posts)
  type: list
  elements: dict
purge:
  description: With O(purge), the posts that would have been deleted when there were more than O(purge_max) (C(title), C(url)).
  returned: on failure, when O(purge_max) is exceeded
  type: list
  elements: dict
  sample: [{"title": "Old news", "url": "https://sourceforge.net/rest/p/myproj/blog/2025/03/old-news/"}]
summary:
  description: How many posts were created, updated, deleted and left unchanged (or would be, in check mode).
  returned: with O(posts)
  type: dict
  sample: {"created": 1, "updated": 0, "deleted": 1, "unchanged": 3}
'''

from functools import partial

from ansible_collections.allura.forge.plugins.module_utils._allura import BLOG_TOOLS
from ansible_collections.allura.forge.plugins.module_utils._client import AlluraError, Denied, ParameterError
from ansible_collections.allura.forge.plugins.module_utils._module import run_module
from ansible_collections.allura.forge.plugins.module_utils._read import blog_post_slug
from ansible_collections.allura.forge.plugins.module_utils._resource import PARALLEL, PURGE, Item, Resource
from ansible_collections.allura.forge.plugins.module_utils._state import LABELS, Field, check_labels, clean_labels

# The states a post can have; the server answers anything else with HTTP 500 (REFERENCE 10.2, 18).
STATES = ('draft', 'published')
WRITER = 'a project member with the Developer role or above'


class Post(Resource):
    one, many, key, number, listed = 'post', 'posts', ('title',), 'url', 'posts'
    options = dict(title=dict(type='str'), url=dict(type='str'), text=dict(type='str'), labels=dict(type='list', elements='str'),
                   state=dict(type='str', choices=list(STATES) + ['absent']))
    kinds, purpose, identity = BLOG_TOOLS, 'allura_blog_post', ('title', 'url')
    purged_from = 'of the blog'
    # The server stores each field as sent (labels split on commas; REFERENCE 10.3): the post after a write is
    # predicted. A new post without them has an empty text, no labels ([""]) and is a draft.
    fields = dict(title=Field(), text=Field(text=True), labels=LABELS, state=Field())
    returns = dict(url=None, title=None, text='', labels=[], state='draft')

    def __init__(self, params, client, ctx):
        super().__init__(params, client, ctx)
        # YYYY/MM/slug -> the post's URL, for every post the list shows (one task is one blog: the posts not matched
        # by an item are the blog's unmanaged ones)
        self.urls = {}
        self.complete = False  # whether the last read of the post list showed every post (purge relies on it)

    def check(self, item):
        values, opt = item.values, item.opt
        title = values['title']
        if values['state'] not in STATES + ('absent', None):  # the server would answer HTTP 500
            raise ParameterError('%sstate %r is invalid: give draft, published or absent' % (opt, values['state']))
        if title is not None and (not title.strip() or title != title.strip()):
            raise ParameterError('%stitle %r is invalid: it must not be empty nor start or end with whitespace' % (opt, title))
        item.addressed = values['url'] is not None
        if item.addressed:  # kept as YYYY/MM/slug: two items address one post however its URL is written
            values['url'] = self.slug(values['url'], opt + 'url')
        elif title is None:
            raise ParameterError('%stitle or %surl is required (title finds or creates the post; url addresses an existing one)'
                                 % (opt, opt))
        values['labels'] = check_labels(values['labels'], opt + 'labels')

    def slug(self, url, option='url'):
        return blog_post_slug(url, self.mount_point, self.params['neighborhood'], self.params['project'], option)

    def path(self, item):
        return self.project.path(self.mount_point, *item.values['url'].split('/'))

    def label(self, item):
        title = item.values['title']
        return '%s %s post %s' % (self.project.label, self.mount_point, repr(title) if title else self.ref(item.values['url']))

    def ref(self, number):  # a post's number is its YYYY/MM/slug: shown as its URL
        return self.urls.get(number, number)

    def index(self, key=None):
        """{title: [YYYY/MM/slug]} over every page of the post list (newest first; drafts for writers)."""
        out = {}
        first, entries = self.client.read_list(self.project.path(self.mount_point), self.listed)
        count = first.get('count')
        self.complete = isinstance(first.get(self.listed), list) and (not isinstance(count, int) or len(entries) >= count)
        for entry in entries:
            slug = self.slug(entry['url'])
            self.urls[slug] = entry['url']
            out.setdefault(entry.get('title'), []).append(slug)
        return out

    def unlisted(self, items):
        """With purge: an item deleting each post of the blog that no item lists, all of them checked before the first
        write. The post list is read again when it was not read (every item gave its url) or found nothing; a list that
        does not show every post is a failure, never a blog without them."""
        known = self.known or self.index()
        if not self.complete:
            raise AlluraError('the post list of %s %s does not show every post: nothing is purged' % (self.project.label, self.mount_point))
        titles = {slug: title for title, slugs in known.items() for slug in slugs}
        listed = {item.values['url'] for item in items}
        extra = []
        for slug in [slug for slug in self.urls if slug in titles and slug not in listed]:  # newest first, as listed
            item = Item('purge[%d]' % len(extra), dict(dict.fromkeys(self.options), title=titles[slug], url=slug, state='absent'))
            item.addressed, item.live = True, dict(title=titles[slug], url=self.urls[slug])
            extra.append(item)
        return extra

    def read(self, item):
        if item.values['url'] is None:
            return None
        label = self.label(item)
        response = self.client.request('GET', self.path(item), expect=(200, 404), denied=Denied(
            'read', '%s (a draft: only users with write permission on the blog can read it)' % label, 'write',
            'the blog tool at mount_point %r' % self.mount_point, WRITER))
        if response.status_code == 404:
            return None
        post = response.json()
        return dict(url=post.get('url'), title=post.get('title'), text=post.get('text'),
                    labels=clean_labels(post.get('labels')), state=post.get('state'))

    def ready(self, items):
        for item in items:
            if item.addressed and item.live is None and item.values['state'] != 'absent':
                raise AlluraError('%surl %r: no such post in %s %s (a post keeps the URL it was created with; to create a '
                                  'post, give its title without url)' % (item.opt, item.values['url'], self.project.label,
                                                                         self.mount_point), missing='item')

    def create(self, item, desired):
        form = dict(desired, labels=None if desired.get('labels') is None else ','.join(desired['labels']))
        found = partial(self.created_meanwhile, item)
        try:
            done = self.client.post(self.project.path(self.mount_point), form, expect=(201,), recheck=found,
                                    denied=self.denied(item, 'write', WRITER))
        except AlluraError as exc:
            # Allura creates a post whose title is not Latin-1, then fails to send its Location (an HTTP header)
            done = found() if exc.status == 500 else None
            if not done:
                raise
            self.ctx.warn('%s: the server answered HTTP 500, but a re-read shows the post was created (Allura cannot '
                          'send the address of a post whose title has characters outside Latin-1); not sending it '
                          'again' % self.label(item))
        if isinstance(done, dict):
            return done
        url = done.headers.get('Location') or ''
        item.values['url'] = self.slug(url)
        return dict(url=url)

    def created_meanwhile(self, item):
        """After a create the server may have carried out: the post of the item's title in the post list read again
        (before the create there was none), or None. Two such posts are an error listing both."""
        slug = self.find(item)
        if slug is None:
            return None
        item.values['url'] = slug
        return dict(url=self.urls[slug])

    def update(self, item, live, sent, desired):
        form = dict(sent, labels=None if sent.get('labels') is None else ','.join(sent['labels']))
        self.client.post(self.path(item), form, recheck=partial(self.stored, item, sent), denied=self.denied(item, 'write', WRITER),
                         not_found=self.project.not_found(self.mount_point, 'blog post %s' % item.values['url']))
        return {}  # the answer is the post, but its mod_date may be stale: the prediction is exact

    def delete(self, item):
        self.client.post(self.path(item), dict(delete='1'), recheck=lambda: self.read(item) is None,
                         denied=self.denied(item, 'write', WRITER))


ARGUMENT_SPEC = Post.argument_spec(mount_point=dict(type='str', default='blog'), parallel=PARALLEL, **PURGE)
MUTUALLY_EXCLUSIVE = Post.mutually_exclusive()
REQUIRED_ONE_OF = [('title', 'url', 'posts')]


def run(params, client, ctx):
    return Post(params, client, ctx).run()


def main():
    run_module(ARGUMENT_SPEC, run)


if __name__ == '__main__':
    main()
