# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reading what the REST API shows, for the info modules, the lookup and the modules that write comments.

- check_limit: the `limit` option of a listing, checked.
- read_checked: a read run alongside the check that the tool at a mount point exists and is of the right kind
  (a listing of the wrong tool may look valid: a wiki answers a GET as readily as a forum).
- read_ticket, read_wiki_page, read_blog_post, find_blog_posts: one artifact, or a clear error saying what is missing.
- Thread: the discussion thread of a ticket, wiki page or blog post, found from the artifact itself
  (`discussion_thread._id`, REFERENCE 8.7 and 9.1; thread ids are never built, an unknown one is a 500), with its
  posts over every page and its posts one by one (a post held for moderation answers 404, REFERENCE 9.1).
Lists are read with the client's read_list: to the end, or to `limit` items.
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

from ansible_collections.allura.forge.plugins.module_utils._client import AlluraError, Denied, ParameterError
from ansible_collections.allura.forge.plugins.module_utils._state import DEFAULT_PARALLEL, read_many

BLOG_DATE = re.compile(r'^\d{4}/\d{2}$')


def check_not_blank(params, *options):
    """Fails for any of these options given as empty or whitespace only (None is fine: not given)."""
    for option in options:
        value = params.get(option)
        if value is not None and not value.strip():
            raise ParameterError('%s %r is empty: give a value, or leave it out' % (option, value))


def check_limit(params, option='limit'):
    """The most items to return (None: all); fails for anything below 1."""
    limit = params.get(option)
    if limit is not None and limit < 1:
        raise ParameterError('%s %r is out of range: give 1 or more (or leave it out to read every item)' % (option, limit))
    return limit


def read_checked(project, mount_point, kinds, purpose, read):
    """read(), run alongside the check that `mount_point` holds a tool of one of `kinds`; the check's error wins."""
    return read_many(lambda _key: read(), [None], parallel=2,
                     first=lambda: project.require_tool(mount_point, kinds=kinds, purpose=purpose))[0]


def _label(project, mount_point):
    return '%s %s' % (project.label, mount_point)


def read_ticket(project, mount_point, number):
    """The ticket JSON of ticket `number` (as the server shows it)."""
    return project.client.get_json(project.path(mount_point, str(number)), not_found=project.not_found(
        mount_point, 'ticket #%s of tracker %r' % (number, mount_point)))['ticket']


def read_wiki_page(project, mount_point, title):
    """The page JSON of the wiki page `title`."""
    check_not_blank(dict(title=title), 'title')
    page = project.client.get_json(project.path(mount_point, title, trailing_slash=False),
                                   not_found=project.not_found(mount_point, 'page %r of wiki %r' % (title, mount_point)))
    if not isinstance(page.get('discussion_thread'), dict):  # 'index' answers the page list, not a page (REFERENCE 17)
        raise ParameterError('title %r is reserved: the REST API answers %s with something else than a page'
                             % (title, project.path(mount_point, title, trailing_slash=False)))
    return page


def blog_post_slug(url, mount_point, neighborhood, shortname, option='url'):
    """The `YYYY/MM/slug` of a blog post given by its URL (REST or web, percent-encoded or not) or its YYYY/MM/slug;
    a ParameterError naming `option` for anything else, or for a post of another blog."""
    path = unquote(urlsplit(url).path) if '://' in url else url
    segments = path.strip('/').split('/')
    owner = segments[:-3][-2:]  # in a URL, what precedes YYYY/MM/slug: the project and the blog's mount point
    elsewhere = owner and (owner[-1] != mount_point or len(owner) == 2 and owner[0] != shortname)
    if len(segments) < 3 or not BLOG_DATE.match('/'.join(segments[-3:-1])) or not segments[-1] or elsewhere:
        raise ParameterError('%s %r is not the address of a post of %s/%s %s: give its URL (such as '
                             'https://sourceforge.net/p/myproj/%s/2026/01/release-notes/) or its YYYY/MM/slug'
                             % (option, url, neighborhood, shortname, mount_point, mount_point))
    return '/'.join(segments[-3:])


def blog_post_path(project, mount_point, url):
    """The REST path of a blog post given by its URL (REST or web) or its `YYYY/MM/slug`."""
    return project.path(mount_point, *blog_post_slug(url, mount_point, project.neighborhood, project.shortname).split('/'))


def read_blog_post(project, mount_point, url):
    """The post JSON of the blog post at `url`; a draft needs a user with write permission on the blog."""
    # an existing post the caller may not read is a draft (REFERENCE 10.3)
    return project.client.get_json(blog_post_path(project, mount_point, url),
                                   not_found=project.not_found(mount_point, 'post %r of blog %r' % (url, mount_point)),
                                   denied=Denied('read', 'blog post %r of %s (a draft: only users with write permission on the blog can '
                                                 'read it)' % (url, _label(project, mount_point)), 'write',
                                                 'the blog tool at mount_point %r' % mount_point, 'a user who may write posts there'))


def find_blog_posts(project, mount_point, title=None, max_items=None):
    """The {title, url} entries of a blog, newest first, over every page (drafts only for writers); with `title`, only
    the posts of exactly that title."""
    first, posts = project.client.read_list(project.path(mount_point), 'posts', max_items=None if title else max_items,
                                            not_found=project.not_found(mount_point))
    if not isinstance(first.get('posts'), list):  # never a blog without posts (the unmanaged ones would go unseen)
        raise AlluraError('the post list of %s has no list of posts' % _label(project, mount_point))
    if title is not None:
        posts = [post for post in posts if post.get('title') == title][:max_items]
    return posts


def one_blog_post(project, mount_point, title):
    """The post JSON of the one post titled exactly `title`: none or several are errors (several list their URLs)."""
    found = find_blog_posts(project, mount_point, title)
    if not found:
        raise AlluraError('%s has no post titled %r (drafts are listed only to users with write permission on the blog)'
                          % (_label(project, mount_point), title), missing='item')
    if len(found) > 1:
        raise AlluraError('%d posts of %s are titled %r: %s; give url to choose one'
                          % (len(found), _label(project, mount_point), title, ', '.join(p['url'] for p in found)),
                          matches=[p['url'] for p in found])
    return read_blog_post(project, mount_point, found[0]['url'])


class Thread:
    """The discussion thread of an artifact (ticket, wiki page or blog post) of the tool at `mount_point`."""

    def __init__(self, project, mount_point, artifact):
        thread = artifact.get('discussion_thread') or {}
        if not thread.get('_id'):
            raise AlluraError('%s: the server shows no discussion thread for this item' % _label(project, mount_point))
        self.project = project
        self.mount_point = mount_point
        self.id = thread['_id']

    def path(self, *segments, **kwargs):
        return self.project.path(self.mount_point, '_discuss', 'thread', self.id, *segments, **kwargs)

    def post_path(self, slug, *more, **kwargs):
        """A post's path (and what follows it): a reply's slug `parent/child` is two segments."""
        return self.path(*(slug.split('/') + list(more)), **kwargs)

    def posts(self, max_items=None):
        """The posts anyone may see (held ones are not listed), oldest first, over every page or the first max_items."""
        return self.project.client.read_list(self.path(), ('thread', 'posts'), max_items=max_items)[1]

    def read_post(self, slug):
        """('visible', post JSON) - its `status` is `pending` when a moderator reads a post held for moderation;
        ('hidden', None): a post held for moderation, which only moderators can read; or ('absent', None): no post
        has this slug (the server redirects to the thread)."""
        response = self.project.client.request('GET', self.post_path(slug), expect=(200, 302, 404))
        if response.status_code == 200:
            return 'visible', response.json()['post']
        return ('hidden' if response.status_code == 404 else 'absent'), None


def with_comments(project, mount_point, artifacts, parallel=DEFAULT_PARALLEL):
    """Each artifact (ticket, page or post JSON) with `comments`: every post of its thread, read `parallel` at a time."""
    threads = read_many(lambda artifact: Thread(project, mount_point, artifact).posts(), artifacts, parallel)
    return [dict(artifact, comments=posts) for artifact, posts in zip(artifacts, threads)]
