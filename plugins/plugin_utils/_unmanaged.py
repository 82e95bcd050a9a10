# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a project holds that its spec does not declare (unmanaged resources), and which of it to purge.

The project role reads what it needs (the project JSON it already has, every repository's webhooks, the page
titles of the wikis, the post lists of the blogs and the tickets of the trackers whose items the spec declares)
and `project_unmanaged()` compares that with the spec. Pure functions of plain data.
"""

from __future__ import annotations

from ansible_collections.allura.forge.plugins.module_utils._allura import REPOSITORY_TOOLS, STOCK_TOOLS, default_mount_point, normalise_url
from ansible_collections.allura.forge.plugins.plugin_utils._plan import mount_of, page_name, plan_tools, post_name, tool_name, webhook_name

KINDS = ('tools', 'webhooks', 'pages', 'posts', 'tickets')
# The spec's lists whose items live in a tool, and the mount point an item without one lives at.
USES = (('wiki', 'wiki'), ('blog', 'blog'), ('tickets', 'tickets'), ('webhooks', 'code'), ('access', None))
# What the role can purge (the REST API deletes it: REFERENCE 6, 10.3), as the kind of its entries; and what to do
# instead for each kind it cannot delete.
PURGEABLE = dict(webhooks='webhook', posts='blog_post')
BY_HAND = dict(
    tools="uninstall them in the project's web admin (Admin > Tools, the tool's menu > Delete)",
    pages="delete them in the wiki's web interface (the page's menu > Delete)",
    tickets="close them, or delete them in the tracker's web interface (the ticket's Edit > Delete)",
)


def purge_refused(purge):
    """The message refusing the kinds of `allura_purge` the REST API cannot delete, or '' when all can be purged."""
    refused = [kind for kind in purge or () if kind not in PURGEABLE]
    if not refused:
        return ''
    what_to_do = '; '.join('for %s, %s' % (kind, BY_HAND.get(kind, 'remove them by hand')) for kind in refused)
    return 'allura_purge: the REST API cannot delete %s, so they cannot be purged (purgeable: %s); %s' % (
        ', '.join(refused), ', '.join(PURGEABLE), what_to_do)


def looked_at(kinds, tickets_too=False, purge=()):
    """The kinds to look for unmanaged items of: those reported (tickets only when asked for too) and those purged."""
    return [kind for kind in kinds or () if kind != 'tickets' or tickets_too] + list(purge or ())


def _tools(project):
    return [tool for tool in ((project or {}).get('project') or {}).get('tools') or () if isinstance(tool, dict)]


def _spec_mount(item, default):
    """A mount point as the server stores it: repository tools keep the case, others are lower-cased."""
    mount_point = mount_of(item, default)
    return mount_point if item.get('tool') in REPOSITORY_TOOLS else mount_point.lower()


def unmanaged_reads(spec, project, kinds=KINDS, tickets=False):
    """What the role reads to find unmanaged items: {webhooks: whether to list every repository's webhooks,
    wiki, blog, tickets: [mount points]}. Only tools that exist (the project as the run found it) and whose items the
    spec declares are read: a wiki, blog or tracker still to be installed holds nothing unmanaged yet."""
    spec, kinds = spec or {}, set(kinds or ())
    if not isinstance(project, dict) or project.get('action') == 'create':
        return dict(webhooks=False, wiki=[], blog=[], tickets=[])
    live = {tool.get('mount_point'): tool.get('name') for tool in _tools(project)}

    def existing(items, default, kind):
        return [m for m in dict.fromkeys(mount_of(i, default) for i in items or ()) if live.get(m) == kind]

    return dict(webhooks='webhooks' in kinds and any(name in REPOSITORY_TOOLS for name in live.values()),
                wiki=existing(spec.get('wiki'), 'wiki', 'wiki') if 'pages' in kinds else [],
                blog=existing(spec.get('blog'), 'blog', 'blog') if 'posts' in kinds else [],
                tickets=existing(spec.get('tickets'), 'tickets', 'tickets') if tickets and 'tickets' in kinds else [])


def _loop(registered):
    return [r for r in (registered or {}).get('results') or () if isinstance(r, dict) and not r.get('skipped')]


def _slug(url):
    """A blog post's YYYY/MM/slug, from its URL (REST or web) or the slug itself."""
    return '/'.join((url or '').strip('/').split('/')[-3:])


def project_unmanaged(spec, project=None, webhooks=None, wiki=None, tickets=None, kinds=KINDS, purge=(), blog=None):
    """{unmanaged: [entries], purge: [entries]}: what the project holds that the spec does not declare, from the
    registered results of the role's reads (see unmanaged_reads), and of it what `purge` (a list of kinds) deletes.

    An entry is {kind, resource, mount_point} plus what identifies it: `tool` for a tool, `type`, `url` and `id` for a
    webhook, `title` for a wiki page, `title` and `url` for a blog post, `ticket_num` and `summary` for a ticket. Stock
    tools (admin, search, ...) are never unmanaged; a webhook, page or post the spec declares, even as absent, is
    managed.
    """
    spec, kinds = spec or {}, set(kinds or ())
    found = []
    if 'tools' in kinds:  # a tool the spec lists, or whose items (pages, tickets, webhooks, access checks) it declares
        declared = {_spec_mount(tool, default_mount_point(tool.get('tool'))) for tool in plan_tools(spec)}
        declared.update(mount_of(item, default) for key, default in USES for item in spec.get(key) or () if mount_of(item, default))
        found += [dict(kind='tool', resource=tool_name(tool), mount_point=tool.get('mount_point'), tool=tool.get('name'))
                  for tool in _tools(project) if tool.get('name') not in STOCK_TOOLS and tool.get('mount_point') not in declared]
    if 'webhooks' in kinds and isinstance(webhooks, dict):
        declared = {(mount_of(h, 'code'), h.get('type') or 'repo-push', normalise_url(h.get('url'))) for h in spec.get('webhooks') or ()}
        found += [dict(kind='webhook', resource=webhook_name(dict(hook, url=hook.get('hook_url'))), mount_point=hook.get('mount_point'),
                       type=hook.get('type'), url=hook.get('hook_url'), id=hook.get('id'))
                  for hook in webhooks.get('webhooks') or ()
                  if (hook.get('mount_point'), hook.get('type'), hook.get('hook_url')) not in declared]
    if 'pages' in kinds:
        for result in _loop(wiki):
            mount_point = result.get('item')
            declared = {page.get('title') for page in spec.get('wiki') or () if mount_of(page, 'wiki') == mount_point}
            found += [dict(kind='wiki_page', resource=page_name(mount_point, dict(title=title)), mount_point=mount_point, title=title)
                      for title in result.get('titles') or () if title not in declared]
    if 'posts' in kinds:  # a post the spec names by its title or its URL is managed
        for result in _loop(blog):
            mount_point = result.get('item')
            mine = [post for post in spec.get('blog') or () if mount_of(post, 'blog') == mount_point]
            titles, slugs = {p.get('title') for p in mine}, {_slug(p['url']) for p in mine if p.get('url')}
            found += [dict(kind='blog_post', resource=post_name(mount_point, post), mount_point=mount_point, title=post.get('title'),
                           url=post.get('url'))
                      for post in result.get('posts') or () if post.get('title') not in titles and _slug(post.get('url')) not in slugs]
    if 'tickets' in kinds:
        for result in _loop(tickets):
            mount_point = result.get('item')
            mine = [t for t in spec.get('tickets') or () if mount_of(t, 'tickets') == mount_point]
            numbers = {t.get('ticket_num') for t in mine if t.get('ticket_num') is not None}
            summaries = {t.get('summary') for t in mine if t.get('ticket_num') is None}
            found += [dict(kind='ticket', resource='ticket %s/#%s' % (mount_point, t.get('ticket_num')), mount_point=mount_point,
                           ticket_num=t.get('ticket_num'), summary=t.get('summary'))
                      for t in result.get('tickets') or () if t.get('ticket_num') not in numbers and t.get('summary') not in summaries]
    purged = {PURGEABLE[kind] for kind in purge or () if kind in PURGEABLE}
    return dict(unmanaged=[e for e in found if e['kind'] not in purged], purge=[e for e in found if e['kind'] in purged])


def purge_items(unmanaged):
    """The webhook items (state absent) deleting what project_unmanaged() says to purge."""
    return [dict(mount_point=e['mount_point'], type=e['type'], url=e['url'], state='absent')
            for e in (unmanaged or {}).get('purge') or () if e['kind'] == 'webhook']


def purge_posts(unmanaged):
    """{mount point: the blog post items (by URL, state absent)} deleting the posts project_unmanaged() says to purge."""
    out = {}
    for e in (unmanaged or {}).get('purge') or ():
        if e['kind'] == 'blog_post':
            out.setdefault(e['mount_point'], []).append(dict(url=e['url'], state='absent'))
    return out


def purge_guard(unmanaged, purge_max):
    """The message failing a purge that would delete more than `purge_max` items of the project, or ''."""
    going = (unmanaged or {}).get('purge') or []
    if len(going) <= int(purge_max):
        return ''
    return ('purge would delete %d unmanaged items of the project, more than allura_purge_max %s: %s; nothing was purged '
            '(declare the ones to keep in the spec, or raise allura_purge_max)' % (len(going), purge_max, ', '.join(e['resource'] for e in going)))
