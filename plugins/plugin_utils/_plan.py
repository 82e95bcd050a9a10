# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The project role's plan: the spec arranged as its tasks consume it, the readable name of each resource,
and what a check run predicts for what it cannot read yet (what lives in a project or tool it would create).

Pure functions of plain data (the project_plan filter and the role's tasks use them; so does the report).
"""

from __future__ import annotations

from ansible_collections.allura.forge.plugins.module_utils._allura import (
    NEW_WIKI_PAGES, answers_has_access, default_mount_point, normalise_mount_point, permissions_of,
    unknown_permission_message)
from ansible_collections.allura.forge.plugins.module_utils._errors import ParameterError
from ansible_collections.allura.forge.plugins.module_utils._state import first_line


# --- names -------------------------------------------------------------------------------------

def mount_of(item, default):
    mount_point = (item or {}).get('mount_point')
    return default if mount_point in (None, '') else mount_point


def tool_name(item):
    return 'tool %s' % mount_of(item, default_mount_point((item or {}).get('tool')))


def page_name(mount_point, page):
    return 'wiki %s/%s' % (mount_point, page.get('title'))


def ticket_name(mount_point, ticket):
    if ticket.get('ticket_num') is not None:
        return 'ticket %s/#%s' % (mount_point, ticket['ticket_num'])
    return 'ticket %s/%s' % (mount_point, ticket.get('summary'))


def post_name(mount_point, post):
    return 'blog %s/%s' % (mount_point, post.get('title') if post.get('title') is not None else post.get('url'))


def comment_name(comment):
    """'comment tickets/<summary>: <the text's first line, shortened>'."""
    return 'comment %s: %s' % (ticket_name(comment['mount_point'], comment['ticket'])[len('ticket '):], first_line(comment['text'] or ''))


def webhook_name(item):
    return 'webhook %s %s %s' % (mount_of(item, 'code'), item.get('type') or 'repo-push', item.get('url'))


def access_name(item):
    where = mount_of(item, None)
    return 'access %s: %s %s' % (where or 'project', item.get('user'), item.get('permission'))


# --- the plan: the spec arranged as the role's tasks consume it ---------------------------------

def by_mount_point(items, default, key):
    """[{mount_point, <key>: [items without mount_point]}], mount points in order of first appearance."""
    groups = {}
    for item in items or ():
        groups.setdefault(mount_of(item, default), []).append({k: v for k, v in item.items() if k != 'mount_point'})
    return [{'mount_point': mount_point, key: members} for mount_point, members in groups.items()]


def link_tool_url(tools):
    """The URL the link tool at mount point `link` is installed with (None: none, or no such tool)."""
    for tool in tools:
        if mount_of(tool, default_mount_point(tool.get('tool'))) == 'link':
            return tool.get('url')
    return None


def access_groups(checks):
    """One allura_access_info call per level (project or tool): {mount_point (absent: the project), users,
    permissions, checks}, asking no pair nobody wants (split by permission when users x permissions is more)."""
    levels = {}
    for check in checks or ():
        levels.setdefault(mount_of(check, None), []).append(check)
    groups = []
    for mount_point, items in levels.items():
        users = list(dict.fromkeys(c.get('user') for c in items))
        perms = list(dict.fromkeys(c.get('permission') for c in items))
        if len(users) * len(perms) == len({(c.get('user'), c.get('permission')) for c in items}):
            parts = [(users, perms, items)]
        else:
            parts = [(list(dict.fromkeys(c.get('user') for c in items if c.get('permission') == perm)), [perm],
                      [c for c in items if c.get('permission') == perm]) for perm in perms]
        for users, perms, members in parts:
            group = dict(users=users, permissions=perms, checks=members)
            if mount_point is not None:
                group['mount_point'] = mount_point
            groups.append(group)
    return groups


def tool_kinds(spec, project=None):
    """{mount point: tool kind}: the tools of the project JSON (`project`), and over them those the spec installs (as
    given and as the server stores them), whose kind is the spec's."""
    kinds = {tool.get('mount_point'): tool.get('name') for tool in (project or {}).get('tools') or ()}
    for tool in plan_tools(spec):
        kind = tool.get('tool')
        mount_point = mount_of(tool, default_mount_point(kind))
        try:
            kinds[normalise_mount_point(kind, mount_point)] = kind
        except ParameterError:
            pass  # the tools task says why
        kinds[mount_point] = kind
    return kinds


def access_errors(spec, project=None):
    """Why access checks of the spec cannot be asked - a permission the project or the tool kind does not have, a
    tool without has_access - each message naming the check's path in the spec (allura_project.access[2].permission).

    A tool's kind comes from the spec's tools, then from the project JSON (`project`, once read); a check on a tool of
    neither, or of a kind Allura does not ship, is left to allura_access_info.
    """
    spec = spec or {}
    kinds = tool_kinds(spec, project)
    errors = []
    for index, check in enumerate(spec.get('access') or ()):
        path, mount_point = 'allura_project.access[%d]' % index, mount_of(check, None)
        level = 'project' if mount_point is None else kinds.get(mount_point)
        if permissions_of(level) is None:
            continue
        if level != 'project' and not answers_has_access(level):
            errors.append('%s.mount_point %r is a %s tool, which has no has_access: only tools with a REST API have it'
                          % (path, mount_point, level))
            continue
        where = 'the project' if mount_point is None else 'the %s tool at mount_point %r' % (level, mount_point)
        message = unknown_permission_message(path + '.permission', [check.get('permission')], level, where)
        if message:
            errors.append(message)
    return errors


def plan_tools(spec):
    """The tool entries, with the link tool (at mount point `link`) added or given the spec's link URL."""
    link = spec.get('link')
    tools, listed = [], False
    for tool in spec.get('tools') or ():
        tool = dict(tool)
        if mount_of(tool, default_mount_point(tool.get('tool'))) == 'link':
            listed = True
            if tool.get('tool') == 'link' and link and tool.get('url') is None:
                tool['url'] = link
        tools.append(tool)
    if link and not listed:
        tools.append(dict(tool='link', mount_point='link', url=link))
    return tools


def plan_link(spec):
    link = spec.get('link')
    return None if not link else dict(url=link, predicted_change=predict_link(link, plan_tools(spec)) != 'none')


def plan_wiki(spec):
    wiki = by_mount_point(spec.get('wiki'), 'wiki', 'pages')
    for group in wiki:
        group['predicted_change'] = any(action != 'none' for action in predict_pages(group['pages']))
    return wiki


def plan_tickets(spec):
    tickets = by_mount_point(spec.get('tickets'), 'tickets', 'tickets')
    for group in tickets:  # their comments go to the comments task
        group['tickets'] = [{k: v for k, v in ticket.items() if k != 'comments'} for ticket in group['tickets']]
        group['predicted_change'] = bool(group['tickets'])
    return tickets


def plan_blog(spec):
    blog = by_mount_point(spec.get('blog'), 'blog', 'posts')
    for group in blog:
        group['predicted_change'] = any(action != 'none' for action in predict_posts(group['posts']))
    return blog


def ticket_comments(spec, tickets=None):
    """Every comment of the spec's tickets, in order: {mount_point, ticket (its spec item), text, ticket_num}, the
    number as the result of the tickets task gives it (`tickets`, its registered loop); None when that task did not
    run for the tracker, or when check mode would create the ticket."""
    numbers = {}
    for result in loop_results(tickets):
        if ran(result):
            mount_point = (result.get('item') or {}).get('mount_point')
            for index, ticket in enumerate(result.get('tickets') or ()):
                numbers[mount_point, index] = (ticket or {}).get('ticket_num')
    out, seen = [], {}
    for ticket in spec.get('tickets') or ():
        mount_point = mount_of(ticket, 'tickets')
        index = seen[mount_point] = seen.get(mount_point, -1) + 1
        out.extend(dict(mount_point=mount_point, ticket=ticket, text=text, ticket_num=numbers.get((mount_point, index)))
                   for text in ticket.get('comments') or ())
    return out


def plan_comments(spec, tickets=None):
    """The comments task's input: `comments`, those on tickets whose number is known; `left_out`: whether some are not
    (check mode would create their tickets first: they would be posted too); `any`: whether the spec has comments."""
    comments = ticket_comments(spec, tickets)
    send = [dict(mount_point=c['mount_point'], ticket_num=c['ticket_num'], text=c['text']) for c in comments if c['ticket_num'] is not None]
    return dict(comments=send, left_out=len(send) < len(comments), any=bool(comments))


def plan_webhooks(spec):
    # without secrets (the plan may be shown); the task takes the spec's items by index
    return [dict({k: v for k, v in hook.items() if k != 'secret'}, mount_point=mount_of(hook, 'code'), index=index,
                 has_secret=hook.get('secret') is not None, predicted_change=predict_webhook(hook) != 'none')
            for index, hook in enumerate(spec.get('webhooks') or ())]


PLAN_PARTS = dict(tools=plan_tools, link=plan_link, wiki=plan_wiki, blog=plan_blog, tickets=plan_tickets, comments=plan_comments,
                  webhooks=plan_webhooks, access=lambda spec: access_groups(spec.get('access')))


def project_plan(spec, part=None, tickets=None):
    """The spec as task input: tools (with the link tool and its URL), one group per wiki, blog and tracker.

    Groups and items carry `predicted_change`: whether the real run will change something when what
    they live in is still to be created (what a check run reports for them without asking the server).
    part: only that part of the plan (one of PLAN_PARTS), reading only the part of the spec it needs.
    tickets: the registered result of the tickets task, which the comments part takes the ticket numbers from.
    """
    spec = spec or {}
    if part is None:
        return {name: plan_comments(spec, tickets) if name == 'comments' else make(spec) for name, make in PLAN_PARTS.items()}
    if part not in PLAN_PARTS:
        raise ValueError('project_plan: part %r is not one of %s' % (part, ', '.join(PLAN_PARTS)))
    return plan_comments(spec, tickets) if part == 'comments' else PLAN_PARTS[part](spec)


# --- predictions for what a check run could not ask the server --------------------------------

def predict_link(link, tools):
    """A link tool installed in this run gets the URL of its tool entry: nothing left to set when it is the link."""
    return 'none' if link_tool_url(tools) == link else 'update'


def predict_webhook(hook):
    return 'none' if hook.get('state') == 'absent' else 'create'


def predict_pages(pages):
    """The actions of the pages of a wiki installed in this run: created, except a page a new wiki starts with
    (NEW_WIKI_PAGES), which is updated when the spec gives it text or labels."""
    return ['create' if page.get('title') not in NEW_WIKI_PAGES
            else 'update' if page.get('text') is not None or page.get('labels') else 'none' for page in pages]


def predict_posts(posts):
    """The actions of the posts of a blog installed in this run: it has no posts yet."""
    return ['none' if post.get('state') == 'absent' else 'create' for post in posts]


def pending_note(what):
    return 'would be created with %s (not readable yet in check mode)' % what


# --- what a check run would create, and the one rule of the role's tasks -------------------------

def loop_results(registered):
    """The per-item results of a registered loop: none for a loop over nothing (the role loops over [none] then)."""
    if not isinstance(registered, dict):
        return []
    return [r for r in registered.get('results') or [] if isinstance(r, dict) and not (r.get('skipped') and r.get('item') is None)]


def ran(result):
    """Whether the module did its work for this item (else it was skipped, or failed on what is still to be created)."""
    return (isinstance(result, dict) and not result.get('failed') and not result.get('skipped')
            and any(key in result for key in ('action', 'summary', 'access')))


def project_created(project, tools=None, tool_items=(), check_mode=None):
    """What the results of the role's project and tools tasks say this run would create, and so cannot read yet:
    {'check_mode', 'project': whether the project would be created, 'mounts': the mount points of the tools (as the
    spec gives them and as the server stores them)}. Nothing in a real run: what it creates exists for later tasks.

    check_mode: None to take it from the results (every module result has `check_mode`): so it is the same however
    check mode was entered (--check, or the check_mode keyword of a play, block, task or include_role's apply).
    """
    results = [result for result in (project, tools) if isinstance(result, dict)]
    check_mode = any(result.get('check_mode') for result in results) if check_mode is None else bool(check_mode)
    new_project = check_mode and isinstance(project, dict) and project.get('action') == 'create'
    mounts = set()
    answers = (tools or {}).get('tools') if isinstance(tools, dict) else None
    for index, item in enumerate(tool_items or ()):
        mount_point = mount_of(item, default_mount_point(item.get('tool')))
        got = answers[index] if answers and index < len(answers) and isinstance(answers[index], dict) else {}
        if new_project or (check_mode and got.get('action') == 'create'):
            mounts.update((mount_point, got.get('mount_point') or mount_point))
    return dict(check_mode=check_mode, project=new_project, mounts=sorted(mounts))


def project_task(result, created, mounts=(), predicted=False, left_out=False):
    """The one rule by which the role's tasks fail and change: {'failed', 'changed', 'pending'}.

    A task that failed because the project or a tool it needs is missing (the result's `missing`), in a run that
    would create it first (`created`, see project_created), is pending: not failed, and changed as the real run
    will be (`predicted`). `mounts`: the mount points of the tools the task needs; `left_out`: a change predicted for
    items the task did not send (webhooks of repositories to be created). A task that failed for what only the web
    interface can set up (the result's `setup`, of allura_ticket) is no failure either: the report lists it, and
    the role goes on with the rest of the project.
    """
    result = result if isinstance(result, dict) else {}
    missing = result.get('missing') if result.get('failed') and created.get('check_mode') else None
    pending = missing in ('project', 'tool') and bool(
        created.get('project') or (missing == 'tool' and mounts and set(mounts) <= set(created.get('mounts') or ())))
    return dict(pending=pending, failed=bool(result.get('failed')) and not pending and not result.get('setup'),
                changed=bool(predicted if pending else result.get('changed')) or bool(left_out))
