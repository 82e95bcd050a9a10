# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The per-resource report of the `project` role.

The role registers one result per task (bulk module results for tools and webhooks, loop results per
wiki, tracker and access level, whose items were predicted because what they depend on does not exist
yet in a check run); `project_report()` turns them into one entry per resource:

    {kind, resource, action, changed, drift, pending, mismatch, changes: [{field, live, desired, text}]}

Pure functions of plain data, so they are unit-tested without Ansible. The drift output built from such
reports is in _drift.py, the plan the tasks consume in _plan.py.
"""

from __future__ import annotations

from ansible_collections.allura.forge.plugins.plugin_utils._plan import (
    access_name, comment_name, loop_results, mount_of, page_name, pending_note, plan_tools, post_name, predict_link, predict_pages,
    predict_posts, predict_webhook, project_created, ran, ticket_comments, ticket_name, tool_name, webhook_name)

ACTIONS = ('create', 'update', 'delete', 'none')


# --- reading module results --------------------------------------------------------------------

def diff_groups(diff):
    """[(head entry, {field: unified-text entry})], in the order the module gave them.

    A module's diff has, per changed resource, one entry whose before/after are dicts of the
    differing fields, followed by one entry of plain text per long text field, headed
    "<resource header>: <field>".
    """
    if isinstance(diff, dict):
        diff = [diff]
    groups = []
    for entry in diff or ():
        if not isinstance(entry, dict):
            continue
        if isinstance(entry.get('before'), dict) or isinstance(entry.get('after'), dict):
            groups.append((entry, {}))
        elif groups:
            head = groups[-1][0]
            prefix = '%s: ' % (head.get('after_header') or head.get('before_header') or '')
            header = entry.get('after_header') or entry.get('before_header') or ''
            if header.startswith(prefix):
                groups[-1][1][header[len(prefix):]] = entry
    return groups


def field_changes(group):
    """[{field, live, desired, text}] of one diff group (for an update: the differing fields)."""
    if not group:
        return []
    head, texts = group
    before, after = head.get('before') or {}, head.get('after') or {}
    out = []
    for field in sorted(set(before) | set(after)):
        live, desired, text = before.get(field), after.get(field), False
        if field in texts:
            live, desired, text = texts[field].get('before'), texts[field].get('after'), True
        out.append(dict(field=field, live=live, desired=desired, text=text))
    return out


def entry(kind, resource, action, changes=None, pending=False, mismatch=False, note=None, setup=False):
    action = action if action in ACTIONS else 'none'
    out = dict(kind=kind, resource=resource, action=action, changed=action != 'none', pending=pending,
               mismatch=mismatch, setup=setup, drift=action != 'none' or mismatch or setup,
               changes=list(changes or []) if action == 'update' or mismatch else [])
    if note:
        out['note'] = note
    return out


SETUP_WHAT = dict(status='status', milestone='milestone', custom_field='custom field', member='member')


def setup_entries(needs):
    """One entry per thing to set up in the web interface (the `setup` of allura_ticket: what the REST API cannot
    create and shows missing, or the server's answer did), the tickets that need it and where to do it in its note."""
    out = {}
    for need in needs:
        what = SETUP_WHAT.get(need.get('what'), need.get('what'))
        name = ('setup member %s' % need.get('name') if need.get('what') == 'member'
                else 'setup tracker %s %s %s' % (need.get('tracker'), what, need.get('name')))
        tickets = out[name][1] if name in out else []
        tickets += [t for t in need.get('tickets') or () if t not in tickets]
        out[name] = (need, tickets)
    return [entry('setup', name, 'none', setup=True, note='set this up in the web interface (the REST API cannot): %s%s%s' % (
        need.get('where'), '; %s' % need['detail'] if need.get('detail') else '', '; for %s' % ', '.join(tickets) if tickets else ''))
        for name, (need, tickets) in out.items()]


def setup_notes(needs):
    """What a check run cannot verify (status names and custom fields: the REST API does not show them), one line each:
    not a difference - the real run may well find them there - but what to make sure of."""
    return ['make sure tracker %s has %s %r, set up in the web interface (the REST API can neither show nor create it): '
            '%s, for %s' % (need.get('tracker'), SETUP_WHAT.get(need.get('what'), need.get('what')), need.get('name'),
                            need.get('where'), ', '.join(need.get('tickets') or ())) for need in needs]


def single(kind, resource, result):
    """One entry from the result of a module that handles one resource."""
    action = result.get('action') or ('update' if result.get('changed') else 'none')
    groups = diff_groups(result.get('diff'))
    return entry(kind, resource, action, field_changes(groups[0]) if groups else [])


def bulk(kind, names, result, key):
    """One entry per item of a bulk result (`pages`, `tickets`), its diff groups matched in order."""
    items = result.get(key) or []
    groups = iter(diff_groups(result.get('diff')))
    out = []
    for index, name in enumerate(names):
        item = items[index] if index < len(items) and isinstance(items[index], dict) else {}
        action = item.get('action') or 'none'
        group = next(groups, None) if action != 'none' else None
        out.append(entry(kind, name, action, field_changes(group)))
    return out


# --- the report ---------------------------------------------------------------------------------

def project_report(spec, check_mode=None, project=None, tools=None, link=None, wiki=None, tickets=None,
                   webhooks=None, access=None, blog=None, comments=None, unmanaged=None):
    """The role's per-resource report (see the module docstring) from its registered results.

    unmanaged: what the project holds beyond the spec ({unmanaged, purge}, see _unmanaged.py): the report lists the
    first under `unmanaged` (drift), and the entries of the webhook task and of each blog's task after the spec's are the
    deletions of the second.

    In a check run, whatever lives in a project or tool that would be created could not be read
    (the role's tasks are pending on the missing project or tool); such items are predicted, as the
    real run will report them, and marked `pending`. check_mode: None to take it from the results.
    """
    spec = spec or {}
    neighborhood = spec.get('neighborhood') or 'p'
    label = '%s/%s' % (neighborhood, spec.get('name'))
    tool_items = plan_tools(spec)
    created = project_created(project, tools, tool_items, check_mode)
    check_mode, project_pending, new_mounts = created['check_mode'], created['project'], set(created['mounts'])
    resources = []

    if ran(project):
        resources.append(single('project', 'project', project))
    parent = pending_note('the project') if project_pending else None

    if ran(tools):  # one bulk task for all tools
        resources.extend(bulk('tool', [tool_name(item) for item in tool_items], tools, 'tools'))
    elif project_pending:
        resources.extend(entry('tool', tool_name(item), 'create', pending=True, note=parent) for item in tool_items)

    def pending(mount_point):
        return project_pending or mount_point in new_mounts

    def note_for(mount_point):
        return parent or pending_note('tool %s' % mount_point)

    def purged(kind, mount_point=None):  # the names of the purged items of a task, in the order the role sends them
        return [e['resource'] for e in (unmanaged or {}).get('purge') or ()
                if e['kind'] == kind and mount_point in (None, e['mount_point'])]

    if spec.get('link') and isinstance(link, dict):
        if ran(link):
            resources.append(single('link', 'link link', link))
        elif pending('link'):
            resources.append(entry('link', 'link link', predict_link(spec['link'], tool_items), pending=True,
                                   note=note_for('link')))

    for result in loop_results(wiki):
        group = result.get('item') or {}
        mount_point = group.get('mount_point') or 'wiki'
        pages = group.get('pages') or []
        if ran(result):
            resources.extend(bulk('wiki_page', [page_name(mount_point, p) for p in pages], result, 'pages'))
        elif pending(mount_point):
            note = note_for(mount_point)
            for page, action in zip(pages, predict_pages(pages)):
                resources.append(entry('wiki_page', page_name(mount_point, page), action, pending=True, note=note if action == 'create'
                                       else '%s; a new wiki starts with this page, so it would be updated' % note))

    for result in loop_results(blog):
        group = result.get('item') or {}
        mount_point = group.get('mount_point') or 'blog'
        posts = group.get('posts') or []
        if ran(result):  # the spec's posts, then those purged (see project_unmanaged)
            resources.extend(bulk('blog_post', [post_name(mount_point, p) for p in posts] + purged('blog_post', mount_point), result, 'posts'))
        elif pending(mount_point):
            resources.extend(entry('blog_post', post_name(mount_point, post), action, pending=True, note=note_for(mount_point))
                             for post, action in zip(posts, predict_posts(posts)))

    needs = []
    for result in loop_results(tickets):
        group = result.get('item') or {}
        mount_point = group.get('mount_point') or 'tickets'
        names = [ticket_name(mount_point, t) for t in group.get('tickets') or []]
        if ran(result):
            resources.extend(bulk('ticket', names, result, 'tickets'))
        elif result.get('setup'):  # failed for what only the web interface can set up: the tickets written before it
            resources.extend(bulk('ticket', names[:len(result.get('tickets') or ())], result, 'tickets'))
        elif pending(mount_point):
            resources.extend(entry('ticket', n, 'create', pending=True, note=note_for(mount_point)) for n in names)
        needs += result.get('setup') or []
    resources.extend(setup_entries([need for need in needs if need.get('verified', True)]))

    # one task for the comments on tickets whose number is known; those on tickets check mode would create are predicted
    wanted = ticket_comments(spec, tickets)
    posted = iter(bulk('comment', [comment_name(c) for c in wanted if c['ticket_num'] is not None], comments, 'comments')
                  if ran(comments) else [])
    for comment in wanted:
        if comment['ticket_num'] is not None and ran(comments):
            resources.append(next(posted))
        elif check_mode:
            resources.append(entry('comment', comment_name(comment), 'create', pending=True,
                                   note=parent or pending_note(ticket_name(comment['mount_point'], comment['ticket']))))

    # one bulk task for the webhooks of repositories that exist; those of one still to create are predicted
    hooks = spec.get('webhooks') or []
    ready = [hook for hook in hooks if not pending(mount_of(hook, 'code'))]
    done = iter(bulk('webhook', [webhook_name(h) for h in ready] + purged('webhook'), webhooks, 'webhooks') if ran(webhooks) else [])
    for hook in hooks:
        if pending(mount_of(hook, 'code')):
            resources.append(entry('webhook', webhook_name(hook), predict_webhook(hook), pending=True,
                                   note=note_for(mount_of(hook, 'code'))))
        else:
            resources.extend(item for item in [next(done, None)] if item)
    resources.extend(done)  # the purged ones

    for result in loop_results(access):
        group = result.get('item') or {}
        for item in group.get('checks') or ():
            name = access_name(item)
            expected = item.get('expected', True)
            expected = True if expected is None else bool(expected)
            if ran(result):
                live = ((result.get('access') or {}).get(item.get('user')) or {}).get(item.get('permission'))
                resources.append(entry('access', name, 'none', mismatch=live is not expected,
                                       changes=[dict(field='permission %s' % item.get('permission'), live=live,
                                                     desired=expected, text=False)]))
            elif pending(mount_of(item, None)):
                resources.append(entry('access', name, 'none', pending=True,
                                       note='not checked: %s does not exist yet (check mode)'
                                       % ('the project' if project_pending else 'tool %s' % mount_of(item, None))))

    summary = dict.fromkeys(ACTIONS, 0)
    for res in resources:
        if not res['setup']:  # not a resource of the spec: counted as setup below
            summary[res['action']] += 1
    found = [dict(entry) for entry in (unmanaged or {}).get('unmanaged') or ()]
    summary.update(changed=sum(1 for r in resources if r['changed']), mismatch=sum(1 for r in resources if r['mismatch']),
                   drift=sum(1 for r in resources if r['drift']), pending=sum(1 for r in resources if r['pending']),
                   setup=sum(1 for r in resources if r['setup']), unmanaged=len(found))
    return dict(project=label, name=spec.get('name'), neighborhood=neighborhood, check_mode=check_mode,
                changed=summary['changed'] > 0, drift=summary['drift'] > 0 or bool(found), summary=summary, resources=resources,
                notes=setup_notes([need for need in needs if not need.get('verified', True)]), unmanaged=found)
