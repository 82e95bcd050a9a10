#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: allura_comment
short_description: Ensure a comment exists on an Allura ticket, wiki page or blog post
version_added: 0.2.0
description:
  - Makes sure the discussion of a ticket (O(ticket_num)), a wiki page (O(page)) or a blog post (O(post)) has a comment
    with exactly the text O(text), optionally written by O(author), optionally as a reply to another comment
    (O(reply_to)). It posts the comment only when no such comment is there, so running it again changes nothing.
  - Without O(reply_to), a top-level comment of the discussion counts; with it, only a direct reply to that comment.
    Comments are compared by their exact text.
  - The discussion thread is found from the ticket, page or post itself. The module never edits or deletes a comment
    (the REST API cannot).
  - Posting is not idempotent on the server. A post whose answer is lost (a dropped connection, HTTP 502 or 504, a
    timeout) is never sent again blindly; the thread is read again first, and a new comment with the text found there
    is the one posted.
  - A comment held for moderation (its author lacks the C(unmoderated_post) permission on the tool, or the spam
    check flagged it) is invisible over REST until a moderator approves it. The module notices it right after posting
    (the comment's URL does not answer), returns it with RV(comment.status=pending) and warns that a later run cannot
    see it, so would post it again, until it is approved.
  - Give O(comments) to ensure many comments in one task (on several tickets, pages or posts); each discussion is read
    once, O(parallel) at a time, and comments are posted one after another, in the order given.
options:
  project:
    description: Shortname of the project.
    type: str
    required: true
  ticket_num:
    description: Number of the ticket to comment on. One of O(ticket_num), O(page) and O(post) is required.
    type: int
  page:
    description: Title of the wiki page to comment on (exactly).
    type: str
  post:
    description:
      - Title of the blog post to comment on (exactly; drafts are found only with a token that may write posts).
        Two posts with that title are an error listing their URLs.
    type: str
  mount_point:
    description:
      - Mount point of the tool that holds the ticket, page or post. It must be a tracker (C(tickets) tool) for
        O(ticket_num), a wiki for O(page) and a blog for O(post); other tools have no comments over REST.
      - Defaults to V(tickets), V(wiki) or V(blog).
    type: str
  text:
    description:
      - The text of the comment (Markdown), compared and posted exactly as given. Must not be empty.
      - Required; mutually exclusive with O(comments).
    type: str
  author:
    description:
      - User name of the author whose comment counts. Without it, a comment with the text by anyone counts.
      - The REST API cannot tell whose token this is, so the module can only check after posting that the comment was
        written by O(author); when it was not, the task fails (the comment stays, as comments cannot be deleted).
    type: str
  reply_to:
    description:
      - Slug of the comment to reply to (RV(comment.slug), such as V(9495) or V(9495/23cc) for a reply). It must be a
        comment of the discussion; the reply must be a direct reply to it.
    type: str
  comments:
    description:
      - Many comments in one task, each a dict with the keys of the single-comment options. An empty list ensures
        nothing.
      - Mutually exclusive with the single-comment options.
    type: list
    elements: dict
    suboptions:
      ticket_num:
        description: See O(ticket_num).
        type: int
      page:
        description: See O(page).
        type: str
      post:
        description: See O(post).
        type: str
      mount_point:
        description: See O(mount_point).
        type: str
      text:
        description: See O(text).
        type: str
        required: true
      author:
        description: See O(author).
        type: str
      reply_to:
        description: See O(reply_to).
        type: str
  parallel:
    description: With O(comments), how many discussions are read at the same time (1 to 16).
    type: int
    default: 8
notes:
  - Posting needs the C(post) permission on the tool (any logged-in user by default; project admins also on a ticket
    whose discussion is disabled). Without it the task fails and names the permission.
  - To keep a comment from being posted again while it waits for moderation, approve it (or give the token's user the
    C(unmoderated_post) permission on the tool) before the next run.
  - In check mode the module reads but never writes; a comment it would post has no slug, URL or timestamp yet.
extends_documentation_fragment:
  - allura.forge.auth
  - allura.forge.attributes
  - allura.forge.lock
  - allura.forge.results
seealso:
  - module: allura.forge.allura_ticket_info
  - module: allura.forge.allura_wiki_page_info
  - module: allura.forge.allura_blog_post_info
author:
  - allura.forge developers (@allura-forge)
'''

EXAMPLES = r'''
- name: CI says the build of ticket 42's branch passed (once)
  allura.forge.allura_comment:
    project: myproj
    ticket_num: 42
    text: "Build {{ build_id }} passed: {{ build_url }}"
    author: ci-bot

- name: A note under the wiki's install page
  allura.forge.allura_comment:
    project: myproj
    mount_point: docs
    page: Install
    text: Tested on Debian 13.
  register: note

- name: Answer it
  allura.forge.allura_comment:
    project: myproj
    mount_point: docs
    page: Install
    reply_to: "{{ note.comment.slug }}"
    text: Thanks, added to the list.

- name: Several comments in one task
  allura.forge.allura_comment:
    project: myproj
    comments:
      - {ticket_num: 7, text: Fixed in 2.0.1.}
      - {ticket_num: 9, text: Fixed in 2.0.1.}
      - {post: Version 2.0 is out, text: "Release notes: see the wiki."}
'''

RETURN = r'''
action:
  description: V(create) when the comment was posted (or would be, in check mode), V(none) when it was there.
  returned: with O(text)
  type: str
  choices: [create, none]
comment:
  description: The comment.
  returned: with O(text)
  type: dict
  contains:
    slug:
      description: Its slug in the discussion (V(parent/child) for a reply); null for a comment check mode would post.
      type: str
      sample: "9495"
    url:
      description: Its REST URL; null for a comment check mode would post.
      type: str
      sample: https://sourceforge.net/rest/p/myproj/tickets/_discuss/thread/a4d2b4fbb9/9495/
    author:
      description: User name of its author (when check mode would post it, O(author) or null).
      type: str
      sample: ci-bot
    timestamp:
      description: When it was posted (UTC); null for a comment check mode would post or one held for moderation.
      type: str
      sample: "2026-12-03 08:19:32.992000"
    text:
      description: Its text.
      type: str
    status:
      description: V(ok), or V(pending) for a comment held for moderation (invisible until approved); null in check mode.
      type: str
      sample: ok
comments:
  description: One entry per item of O(comments), in the same order, shaped like RV(comment) plus C(action).
  returned: with O(comments)
  type: list
  elements: dict
summary:
  description: How many comments were posted (C(created)) and found (C(unchanged)).
  returned: with O(comments)
  type: dict
  sample: {"created": 1, "updated": 0, "unchanged": 2}
'''

import re
from functools import partial
from urllib.parse import unquote, urlsplit

from ansible_collections.allura.forge.plugins.module_utils._allura import default_mount_point
from ansible_collections.allura.forge.plugins.module_utils._client import AlluraError, Denied, ParameterError
from ansible_collections.allura.forge.plugins.module_utils._module import run_module
from ansible_collections.allura.forge.plugins.module_utils._read import Thread, one_blog_post, read_ticket, read_wiki_page
from ansible_collections.allura.forge.plugins.module_utils._resource import PARALLEL, Resource
from ansible_collections.allura.forge.plugins.module_utils._state import Field, first_line, named, read_many

# What a comment is on: the option naming it, the tool kind that holds such things, and how messages name one.
TARGETS = dict(ticket_num=('tickets', 'ticket #%s'), page=('wiki', 'wiki page %r'), post=('blog', 'blog post %r'))
READERS = dict(ticket_num=read_ticket, page=read_wiki_page, post=one_blog_post)


class Comment(Resource):
    one, many, required, empty = 'comment', 'comments', 'text', True
    options = dict(ticket_num=dict(type='int'), page=dict(type='str'), post=dict(type='str'), mount_point=dict(type='str'),
                   text=dict(type='str', required=True), author=dict(type='str'), reply_to=dict(type='str'))
    key = ('on', 'reply_to', 'author', 'text')  # `on`: (mount point, option, value) of what it is on
    purpose = 'allura_comment'
    fields = dict(text=Field(text=True))

    def check(self, item):
        values, opt = item.values, item.opt
        given = [name for name in TARGETS if values[name] is not None]
        if len(given) != 1:
            raise ParameterError('%sgive exactly one of ticket_num, page and post (what to comment on)%s'
                                 % (item.name + ': ' if item.name else '', '; given: ' + ', '.join(given) if given else ''))
        item.target = target = given[0]
        value = values[target]
        if target == 'ticket_num' and value < 1:
            raise ParameterError('%sticket_num %r is invalid: ticket numbers start at 1' % (opt, value))
        for name in ('page', 'post', 'text', 'author', 'reply_to', 'mount_point'):
            if values[name] is not None and not values[name].strip():
                raise ParameterError('%s%s %r is empty: give a value%s' % (opt, name, values[name], '' if name == 'text' else ', or leave it out'))
        item.kind = TARGETS[target][0]
        values['mount_point'] = values['mount_point'] or default_mount_point(item.kind)
        values['on'] = (values['mount_point'], target, value)
        if values['reply_to'] is not None:
            values['reply_to'] = values['reply_to'].strip('/')

    def on(self, item):
        """What the comment is on, as messages name it: "p/test bugs ticket #1"."""
        return '%s %s %s' % (self.project.label, item.values['mount_point'], TARGETS[item.target][1] % item.values[item.target])

    def label(self, item):
        reply_to = item.values['reply_to']
        return '%s: %s %r' % (self.on(item), 'reply to %s' % reply_to if reply_to else 'comment', first_line(item.values['text']))

    def require(self, items):
        """The project, and a tool of the right kind at each mount point (what holds tickets, pages or posts)."""
        self.project.read()
        first = {}
        for item in items:
            first.setdefault((item.values['mount_point'], item.kind), item)
        for (mount_point, kind), item in first.items():
            try:
                self.project.require_tool(mount_point, kinds=(kind,), purpose='allura_comment with %s' % item.target)
            except AlluraError as exc:
                raise named(exc, item.name)

    def read_all(self, items):
        """Each discussion once (several comments may be on one ticket), then each item's comment in it."""
        first = {}
        for item in items:
            first.setdefault(item.values['on'], item)
        threads = read_many(lambda on: self.discussion(first[on]), list(first), self.parallel, first=partial(self.require, items))
        self.threads = dict(zip(first, threads))
        for item in items:
            item.thread, posts = self.threads[item.values['on']]
            item.seen = {post['slug'] for post in posts}
            item.live = next((self.comment(item, post) for post in posts if self.matches(item, post)), None)

    def discussion(self, item):
        """(Thread, its visible posts) of the ticket, page or post of the item."""
        mount_point, target, value = item.values['on']
        try:
            artifact = READERS[target](self.project, mount_point, value)
            thread = Thread(self.project, mount_point, artifact)
            return thread, thread.posts()
        except AlluraError as exc:
            raise named(exc, '%s%s %r' % (item.opt, target, value))

    def matches(self, item, post):
        values = item.values
        return (not post.get('is_meta') and post.get('text') == values['text']
                and (values['author'] is None or post.get('author') == values['author'])
                and post['slug'].rpartition('/')[0] == (values['reply_to'] or ''))

    def comment(self, item, post, status='ok'):
        return dict(slug=post['slug'], url=self.client.url(item.thread.post_path(post['slug'])), author=post.get('author'),
                    timestamp=post.get('timestamp'), text=post.get('text'), status=post.get('status', status))

    def ready(self, items):
        for item in items:
            reply_to = item.values['reply_to']
            if reply_to is not None and reply_to not in item.seen:
                raise ParameterError('%sreply_to %r is not a comment of the discussion of %s (its comments: %s)' % (
                    item.opt, reply_to, self.on(item), ', '.join(sorted(item.seen)[:20]) or 'none'))

    def create(self, item, desired):
        thread, reply_to = item.thread, item.values['reply_to']
        path = thread.post_path(reply_to, 'reply', trailing_slash=False) if reply_to else thread.path('new', trailing_slash=False)
        done = self.client.post(path, dict(text=desired['text']), expect=(302,), recheck=partial(self.posted_meanwhile, item),
                                denied=Denied('post to', 'the discussion of %s' % self.on(item), 'post', 'the %s tool at mount_point %r'
                                              % (item.kind, item.values['mount_point']), 'a user allowed to post there'))
        if isinstance(done, dict):
            return done
        # the answer names the new comment: .../_discuss/thread/<id>/<slug>/ (a reply: <parent>/<child>/)
        location = unquote(urlsplit(done.headers.get('Location') or '').path)
        match = re.search(r'/_discuss/thread/%s/(.+?)/?$' % re.escape(thread.id), location)
        if not match:
            raise AlluraError('%s: the server posted the comment but its answer has no comment URL (Location %r); look for it '
                              'before running again' % (self.label(item), done.headers.get('Location')), changed=True)
        slug = match.group(1)
        visible, post = thread.read_post(slug)
        if visible != 'visible' or post.get('status') != 'ok':
            self.ctx.warn('%s: the comment was posted but is held for moderation, and until a moderator approves it nobody '
                          'can see it over REST: a later run cannot find it and would post it again. Approve it (or give the '
                          "token's user the unmoderated_post permission on the %s tool) before running again"
                          % (self.label(item), item.values['mount_point']))
            post = post or dict(slug=slug, text=desired['text'], author=item.values['author'])
            return self.comment(item, post, status='pending')
        found = self.comment(item, post)
        if item.values['author'] is not None and found['author'] != item.values['author']:
            raise AlluraError('%s: the comment was posted, but by %r (the user of this token), not by author %r; it stays, as '
                              'comments cannot be deleted: give author %r, or the token of %r'
                              % (self.label(item), found['author'], item.values['author'], found['author'], item.values['author']),
                              changed=True, comment=found)
        return found

    def posted_meanwhile(self, item):
        """After a post the server may have carried out: a new comment with the item's text in the thread read again."""
        for post in item.thread.posts():
            if post['slug'] not in item.seen and self.matches(item, post):
                return self.comment(item, post)
        return None

    def public(self, item, outcome):
        after = dict(slug=None, url=None, author=item.values['author'], timestamp=None, text=item.values['text'], status=None)
        after.update(outcome.after or {})
        return after


ARGUMENT_SPEC = Comment.argument_spec(parallel=PARALLEL)
MUTUALLY_EXCLUSIVE = Comment.mutually_exclusive()
REQUIRED_ONE_OF = Comment.required_one_of()


def run(params, client, ctx):
    return Comment(params, client, ctx).run()


def main():
    run_module(ARGUMENT_SPEC, run)


if __name__ == '__main__':
    main()
