# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The per-resource report of the `project` role and the drift report built from it.

The role registers one result per task (bulk module results for tools and webhooks, loop results per
wiki, tracker and access level, whose items were skipped because what they depend on does not exist
yet in a check run); `project_report()` turns them into one entry per resource:

    {kind, resource, action, changed, drift, pending, mismatch, changes: [{field, live, desired, text}]}

`drift_rows()` flattens many such reports into (project, resource, field, live, desired) rows, and
`drift_markdown()` / `drift_lines()` render those rows for people. Pure functions of plain data, so
they are unit-tested without Ansible.
"""

from __future__ import annotations

import difflib
import json

ACTIONS = ('create', 'update', 'delete', 'none')
# Page a new wiki tool holds as soon as it is installed (Allura's ForgeWikiApp.install, REFERENCE 7.6).
NEW_WIKI_PAGES = ('Home',)


# --- names -------------------------------------------------------------------------------------

def mount_of(item, default):
    mount_point = (item or {}).get('mount_point')
    return default if mount_point in (None, '') else mount_point


def tool_default_mount(tool):
    return 'code' if tool in ('git', 'svn', 'hg') else tool


def tool_name(item):
    return 'tool %s' % mount_of(item, tool_default_mount((item or {}).get('tool')))


def page_name(mount_point, page):
    return 'wiki %s/%s' % (mount_point, page.get('title'))


def ticket_name(mount_point, ticket):
    if ticket.get('ticket_num') is not None:
        return 'ticket %s/#%s' % (mount_point, ticket['ticket_num'])
    return 'ticket %s/%s' % (mount_point, ticket.get('summary'))


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
        if mount_of(tool, tool_default_mount(tool.get('tool'))) == 'link':
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


def plan_tools(spec):
    """The tool entries, with the link tool (at mount point `link`) added or given the spec's link URL."""
    link = spec.get('link')
    tools, listed = [], False
    for tool in spec.get('tools') or ():
        tool = dict(tool)
        if mount_of(tool, tool_default_mount(tool.get('tool'))) == 'link':
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
        group['predicted_change'] = any(e['changed'] for e in predict_pages(group['mount_point'], group['pages'], None))
    return wiki


def plan_tickets(spec):
    tickets = by_mount_point(spec.get('tickets'), 'tickets', 'tickets')
    for group in tickets:
        group['predicted_change'] = bool(group['tickets'])
    return tickets


def plan_webhooks(spec):
    # without secrets (the plan may be shown); the task takes the spec's items by index
    return [dict({k: v for k, v in hook.items() if k != 'secret'}, mount_point=mount_of(hook, 'code'), index=index,
                 has_secret=hook.get('secret') is not None, predicted_change=predict_webhook(hook) != 'none')
            for index, hook in enumerate(spec.get('webhooks') or ())]


PLAN_PARTS = dict(tools=plan_tools, link=plan_link, wiki=plan_wiki, tickets=plan_tickets, webhooks=plan_webhooks,
                  access=lambda spec: access_groups(spec.get('access')))


def project_plan(spec, part=None):
    """The spec as task input: tools (with the link tool and its URL), one group per wiki and tracker.

    Groups and items carry `predicted_change`: whether the real run will change something when what
    they live in is still to be created (what a check run reports for them without asking the server).
    part: only that part of the plan (one of PLAN_PARTS), reading only the part of the spec it needs.
    """
    spec = spec or {}
    if part is None:
        return {name: make(spec) for name, make in PLAN_PARTS.items()}
    if part not in PLAN_PARTS:
        raise ValueError('project_plan: part %r is not one of %s' % (part, ', '.join(PLAN_PARTS)))
    return PLAN_PARTS[part](spec)


# --- reading module results --------------------------------------------------------------------

def loop_results(registered):
    """The per-item results of a registered loop (an empty list for a loop over nothing)."""
    if not isinstance(registered, dict):
        return []
    return [r for r in registered.get('results') or [] if isinstance(r, dict)]


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


def entry(kind, resource, action, changes=None, pending=False, mismatch=False, note=None):
    action = action if action in ACTIONS else 'none'
    out = dict(kind=kind, resource=resource, action=action, changed=action != 'none', pending=pending,
               mismatch=mismatch, drift=action != 'none' or mismatch,
               changes=list(changes or []) if action == 'update' or mismatch else [])
    if note:
        out['note'] = note
    return out


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


# --- predictions for what a check run could not ask the server --------------------------------

def predict_link(link, tools):
    """A link tool installed in this run gets the URL of its tool entry: nothing left to set when it is the link."""
    return 'none' if link_tool_url(tools) == link else 'update'


def predict_webhook(hook):
    return 'none' if hook.get('state') == 'absent' else 'create'


def predict_pages(mount_point, pages, note):
    """Pages of a wiki that is installed in this run: created, except the page a new wiki starts with."""
    out = []
    for page in pages:
        if page.get('title') in NEW_WIKI_PAGES:
            wants = page.get('text') is not None or bool(page.get('labels'))
            out.append(entry('wiki_page', page_name(mount_point, page), 'update' if wants else 'none', pending=True,
                             note='%s; a new wiki starts with this page, so it would be updated' % note if note else None))
        else:
            out.append(entry('wiki_page', page_name(mount_point, page), 'create', pending=True, note=note))
    return out


def pending_note(what):
    return 'would be created with %s (not readable yet in check mode)' % what


# --- the report ---------------------------------------------------------------------------------

def ran(result):
    """Whether the module did its work for this item (else it was skipped, or failed on what is still to be created)."""
    return (isinstance(result, dict) and not result.get('failed') and not result.get('skipped')
            and any(key in result for key in ('action', 'summary', 'access')))


def project_report(spec, check_mode=False, project=None, tools=None, link=None, wiki=None, tickets=None,
                   webhooks=None, access=None):
    """The role's per-resource report (see the module docstring) from its registered results.

    In a check run, whatever lives in a project or tool that would be created could not be read
    (the role lets those module calls fail on the missing project or tool); such items are
    predicted, as the real run will report them, and marked `pending`.
    """
    spec = spec or {}
    neighborhood = spec.get('neighborhood') or 'p'
    label = '%s/%s' % (neighborhood, spec.get('name'))
    check_mode = bool(check_mode)
    resources = []
    project_pending = False

    if ran(project):
        resources.append(single('project', 'project', project))
        project_pending = check_mode and project.get('action') == 'create'
    parent = pending_note('the project') if project_pending else None

    tool_items, new_mounts = plan_tools(spec), set()
    if ran(tools):  # one bulk task for all tools
        resources.extend(bulk('tool', [tool_name(item) for item in tool_items], tools, 'tools'))
        for item, got in zip(tool_items, tools.get('tools') or []):
            if check_mode and isinstance(got, dict) and got.get('action') == 'create':
                mount_point = mount_of(item, tool_default_mount(item.get('tool')))
                new_mounts.update((mount_point, got.get('mount_point') or mount_point))
    elif project_pending:
        for item in tool_items:
            resources.append(entry('tool', tool_name(item), 'create', pending=True, note=parent))
            new_mounts.add(mount_of(item, tool_default_mount(item.get('tool'))))

    def pending(mount_point):
        return project_pending or mount_point in new_mounts

    def note_for(mount_point):
        return parent or pending_note('tool %s' % mount_point)

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
            resources.extend(predict_pages(mount_point, pages, note_for(mount_point)))

    for result in loop_results(tickets):
        group = result.get('item') or {}
        mount_point = group.get('mount_point') or 'tickets'
        names = [ticket_name(mount_point, t) for t in group.get('tickets') or []]
        if ran(result):
            resources.extend(bulk('ticket', names, result, 'tickets'))
        elif pending(mount_point):
            resources.extend(entry('ticket', n, 'create', pending=True, note=note_for(mount_point)) for n in names)

    # one bulk task for the webhooks of repositories that exist; those of one still to create are predicted
    hooks = spec.get('webhooks') or []
    ready = [hook for hook in hooks if not pending(mount_of(hook, 'code'))]
    done = iter(bulk('webhook', [webhook_name(h) for h in ready], webhooks, 'webhooks') if ran(webhooks) else [])
    for hook in hooks:
        if pending(mount_of(hook, 'code')):
            resources.append(entry('webhook', webhook_name(hook), predict_webhook(hook), pending=True,
                                   note=note_for(mount_of(hook, 'code'))))
        else:
            resources.extend(item for item in [next(done, None)] if item)

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
        summary[res['action']] += 1
    summary.update(changed=sum(1 for r in resources if r['changed']), mismatch=sum(1 for r in resources if r['mismatch']),
                   drift=sum(1 for r in resources if r['drift']), pending=sum(1 for r in resources if r['pending']))
    return dict(project=label, name=spec.get('name'), neighborhood=neighborhood, check_mode=check_mode,
                changed=summary['changed'] > 0, drift=summary['drift'] > 0, summary=summary, resources=resources)


# --- the drift report ---------------------------------------------------------------------------

def origin_of(origins, project, resource, field):
    """`template` or `project`: where a difference comes from, by the project_merge filter's origins of each project
    ({project: {resource: origin, 'project': {field: origin}}}); None when no template was applied."""
    found = ((origins or {}).get(project) or {}).get(resource)
    return found.get(field, 'project') if isinstance(found, dict) else found


def drift_rows(reports, origins=None):
    """One row per difference: {project, kind, resource, action, field, live, desired, text}, and `origin` (see
    origin_of()) when origins are given.

    An update gives one row per differing field; a create (or delete) one row with no field, live
    "absent" and desired "present" (or the reverse); an access check one row with the permission.
    """
    if isinstance(reports, dict):
        reports = [reports]
    rows = []
    for report in reports or ():
        for res in (report or {}).get('resources') or ():
            if not res.get('drift'):
                continue
            base = dict(project=report.get('project'), kind=res.get('kind'), resource=res.get('resource'),
                        action=res.get('action'))
            if res.get('changes'):
                for change in res['changes']:
                    rows.append(dict(base, field=change.get('field'), live=change.get('live'),
                                     desired=change.get('desired'), text=bool(change.get('text'))))
            else:
                live, desired = ('present', 'absent') if res.get('action') == 'delete' else ('absent', 'present')
                rows.append(dict(base, field=None, live=live, desired=desired, text=False))
    if origins is not None:
        for row in rows:
            row['origin'] = origin_of(origins, row['project'], row['resource'], row['field'])
    return rows


def short(value, width=60):
    """A value on one line, for tables and terminal lines."""
    if value is None:
        text = '(none)'
    elif isinstance(value, str):
        if '\n' in value.rstrip('\n'):
            first = value.strip('\n').split('\n', 1)[0]
            text = '%s ... (%d lines)' % (first, value.count('\n') + (0 if value.endswith('\n') else 1))
        else:
            text = json.dumps(value, ensure_ascii=False)
    else:
        text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= width else text[:width - 3] + '...'


def text_change(live, desired):
    """The first line where two texts differ, as 'line N: "old" -> "new"'."""
    old, new = (live or '').split('\n'), (desired or '').split('\n')
    for index in range(max(len(old), len(new))):
        have = old[index] if index < len(old) else None
        want = new[index] if index < len(new) else None
        if have != want:
            rest = difflib.SequenceMatcher(None, old[index + 1:], new[index + 1:], autojunk=False).get_opcodes()
            more = sum(max(i2 - i1, j2 - j1) for tag, i1, i2, j1, j2 in rest if tag != 'equal')
            tail = ' (and %d more line%s)' % (more, '' if more == 1 else 's') if more else ''
            return 'line %d: %s -> %s%s' % (index + 1, short(have, 40), short(want, 40), tail)
    return 'same text'


def text_cells(live, desired):
    """Table cells for a text field: its first differing line on each side (the full diff follows the table)."""
    old, new = live.split('\n'), desired.split('\n')
    for index in range(max(len(old), len(new))):
        have = old[index] if index < len(old) else None
        want = new[index] if index < len(new) else None
        if have != want:
            return tuple('line %d: %s' % (index + 1, '`%s`' % short(line, 50) if line is not None else '(none)')
                         for line in (have, want))
    return ('(same)', '(same)')


def _what(row):
    if row['text'] and isinstance(row['live'], str) and isinstance(row['desired'], str):
        return '%s %s' % (row['field'], text_change(row['live'], row['desired']))
    if row['field'] is None:
        return {'create': 'missing, would be created', 'delete': 'present, would be deleted'}.get(
            row['action'], '%s -> %s' % (row['live'], row['desired']))
    return '%s: %s -> %s' % (row['field'], short(row['live']), short(row['desired']))


def drift_lines(reports, origins=None):
    """Short human lines: one per difference (with [template] or [project] when a template was applied), or one
    saying there is none."""
    rows = drift_rows(reports, origins)
    if not rows:
        count = len([reports] if isinstance(reports, dict) else reports or [])
        return ['no drift: %d project%s match%s the spec' % (count, '' if count == 1 else 's', 'es' if count == 1 else '')]
    return ['%s  %s  %s%s' % (row['project'], row['resource'], _what(row), '  [%s]' % row['origin'] if row.get('origin') else '')
            for row in rows]


def summary_lines(reports):
    """Per project: one line of counts, then one line per resource that was (or would be) changed or does not match."""
    if isinstance(reports, dict):
        reports = [reports]
    lines = []
    for report in reports or ():
        counts = report.get('summary') or {}
        would = 'would be ' if report.get('check_mode') else ''
        parts = ['%d %s%s' % (counts.get(a, 0), would, w) for a, w in
                 (('create', 'created'), ('update', 'updated'), ('delete', 'deleted')) if counts.get(a)]
        parts.append('%d unchanged' % counts.get('none', 0))
        if counts.get('mismatch'):
            parts.append('%d access check(s) not as expected' % counts['mismatch'])
        lines.append('%s: %s' % (report.get('project'), ', '.join(parts)))
        for res in report.get('resources') or ():
            if not res.get('drift'):
                continue
            fields = ', '.join(str(c.get('field')) for c in res.get('changes') or ())
            tag = 'mismatch' if res.get('mismatch') else res.get('action')
            lines.append('  %-8s %s%s%s' % (tag, res.get('resource'), ' (%s)' % fields if fields else '',
                                            ' [predicted]' if res.get('pending') else ''))
    return lines


def _cell(text):
    return str(text).replace('|', '\\|').replace('\n', ' ')


def unified(live, desired, name):
    return ''.join(difflib.unified_diff((live or '').splitlines(True), (desired or '').splitlines(True),
                                        'live: %s' % name, 'desired: %s' % name))


def drift_markdown(reports, title='Allura drift report', generated=None, origins=None):
    """The drift report as a Markdown document: a table of differences (with a column `from` when a template was
    applied), then every text diff."""
    if isinstance(reports, dict):
        reports = [reports]
    reports = list(reports or ())
    rows = drift_rows(reports, origins)
    origin = any(row.get('origin') for row in rows)
    drifted = sorted({row['project'] for row in rows})
    lines = ['# %s' % title, '']
    if generated:
        lines += ['Generated %s.' % generated, '']
    lines += ['%d project(s) checked: %s. %d difference(s)%s.' % (
        len(reports), ', '.join(r.get('project') or '?' for r in reports) or 'none', len(rows),
        ' in %s' % ', '.join(drifted) if drifted else ''), '']
    if not rows:
        lines += ['No drift: every project matches its spec.', '']
        return '\n'.join(lines)
    lines += ['| project | resource | field | live | desired |%s' % (' from |' if origin else ''),
              '|---|---|---|---|---|%s' % ('---|' if origin else '')]
    for row in rows:
        if row['field'] is None:
            live, desired = '(%s)' % row['live'], '(%s)' % row['desired']
        elif row['text'] and isinstance(row['live'], str) and isinstance(row['desired'], str):
            live, desired = text_cells(row['live'], row['desired'])
        else:
            live, desired = '`%s`' % short(row['live']), '`%s`' % short(row['desired'])
        cells = [row['project'], row['resource'], row['field'] or '-', live, desired] + ([row['origin'] or '-'] if origin else [])
        lines.append('| %s |' % ' | '.join(_cell(c) for c in cells))
    texts = [row for row in rows if row['text']]
    if texts:
        lines += ['', '## Text differences']
        for row in texts:
            name = '%s %s %s' % (row['project'], row['resource'], row['field'])
            lines += ['', '### %s' % name, '', '```diff', unified(row['live'], row['desired'], name).rstrip('\n'), '```']
    lines.append('')
    return '\n'.join(lines)
