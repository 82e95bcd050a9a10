# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The drift output: the differences of many project reports (see _report.py) as rows, terminal lines,
per-project summary lines and a Markdown document, each difference with its origin (template or project)
when a template was applied (see _template.py). Pure functions of plain data.
"""

from __future__ import annotations

import difflib
import json


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
            elif res.get('setup'):
                rows.append(dict(base, field=None, live='missing', desired=res.get('note'), text=False))
            else:
                live, desired = ('present', 'absent') if res.get('action') == 'delete' else ('absent', 'present')
                rows.append(dict(base, field=None, live=live, desired=desired, text=False))
    if origins is not None:
        for row in rows:
            row['origin'] = origin_of(origins, row['project'], row['resource'], row['field'])
    return rows


def unmanaged_rows(reports):
    """One row per unmanaged resource (what a project holds that its spec does not declare): {project, kind, resource,
    mount_point, ...what identifies it}."""
    if isinstance(reports, dict):
        reports = [reports]
    return [dict(entry, project=report.get('project')) for report in reports or () for entry in (report or {}).get('unmanaged') or ()]


_UNMANAGED_DETAIL = dict(ticket='summary', tool='tool', blog_post='url')  # what the line adds to the resource's name


def _unmanaged_what(row):
    detail = row.get(_UNMANAGED_DETAIL.get(row['kind']))
    return 'unmanaged: not in the spec%s' % (' (%s)' % short(detail) if detail else '')


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
            row['action'], '%s: %s' % (row['live'], row['desired']) if row['kind'] == 'setup' else '%s -> %s' % (row['live'], row['desired']))
    return '%s: %s -> %s' % (row['field'], short(row['live']), short(row['desired']))


def notes(reports):
    """The reports' notes - what a check run could not verify (not a difference) - as (project, note)."""
    reports = [reports] if isinstance(reports, dict) else reports or []
    return [(report.get('project'), note) for report in reports for note in (report or {}).get('notes') or ()]


def drift_lines(reports, origins=None):
    """Short human lines: one per difference (with [template] or [project] when a template was applied) and per
    unmanaged resource, or one saying there is none; then one per note."""
    rows, unmanaged = drift_rows(reports, origins), unmanaged_rows(reports)
    if not rows and not unmanaged:
        count = len([reports] if isinstance(reports, dict) else reports or [])
        lines = ['no drift: %d project%s match%s the spec' % (count, '' if count == 1 else 's', 'es' if count == 1 else '')]
    else:
        lines = (['%s  %s  %s%s' % (row['project'], row['resource'], _what(row), '  [%s]' % row['origin'] if row.get('origin') else '')
                  for row in rows]
                 + ['%s  %s  %s' % (row['project'], row['resource'], _unmanaged_what(row)) for row in unmanaged])
    return lines + ['%s  note: %s' % note for note in notes(reports)]


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
        if counts.get('unmanaged'):
            parts.append('%d unmanaged' % counts['unmanaged'])
        if counts.get('setup'):
            parts.append('%d thing(s) to set up in the web interface' % counts['setup'])
        lines.append('%s: %s' % (report.get('project'), ', '.join(parts)))
        for res in report.get('resources') or ():
            if not res.get('drift'):
                continue
            fields = ', '.join(str(c.get('field')) for c in res.get('changes') or ())
            tag = 'mismatch' if res.get('mismatch') else 'setup' if res.get('setup') else res.get('action')
            lines.append('  %-8s %s%s%s' % (tag, res.get('resource'), ' (%s)' % fields if fields else '',
                                            ' [predicted]' if res.get('pending') else ''))
        lines += ['  %-8s %s' % ('unmanaged', entry.get('resource')) for entry in report.get('unmanaged') or ()]
        lines += ['  %-8s %s' % ('note', note) for note in report.get('notes') or ()]
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
    rows, unmanaged = drift_rows(reports, origins), unmanaged_rows(reports)
    origin = any(row.get('origin') for row in rows)
    drifted = sorted({row['project'] for row in rows + unmanaged})
    lines = ['# %s' % title, '']
    if generated:
        lines += ['Generated %s.' % generated, '']
    lines += ['%d project(s) checked: %s. %d difference(s), %d unmanaged resource(s)%s.' % (
        len(reports), ', '.join(r.get('project') or '?' for r in reports) or 'none', len(rows), len(unmanaged),
        ' in %s' % ', '.join(drifted) if drifted else ''), '']
    remarks = ['', '## Notes', ''] + ['- %s: %s' % note for note in notes(reports)] if notes(reports) else []
    if not rows and not unmanaged:
        lines += ['No drift: every project matches its spec.', ''] + remarks
        return '\n'.join(lines + ([''] if remarks else []))
    section = []  # after the differences, a section of its own
    if unmanaged:
        section = ['', '## Unmanaged resources', '', 'What the projects hold that their specs do not declare.', '',
                   '| project | kind | resource | |', '|---|---|---|---|']
        section += ['| %s | %s | %s | %s |' % tuple(_cell(c) for c in (row['project'], row['kind'], row['resource'], _unmanaged_what(row)))
                    for row in unmanaged]
    if not rows:
        return '\n'.join(lines + section[1:] + remarks + [''])
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
    lines += section + remarks + ['']
    return '\n'.join(lines)


# --- one report from parts (hosts of a play, slices of a job) ------------------------------------

def project_label(project, neighborhood='p'):
    """A project as reports name it (`p/myproj`): a name as it is, a spec by its neighborhood (else `neighborhood`, the
    template's) and name."""
    if isinstance(project, dict):
        return '%s/%s' % (project.get('neighborhood') or neighborhood or 'p', project.get('name') or '(no name)')
    return project


def merge_parts(parts, order=None, failed=(), neighborhood='p'):
    """One {reports, origins, errors} from parts of a drift run - each host's part of a play, or each slice's JSON
    report - as one run over all of them reports it.

    `order` is the projects of the whole run in its order (specs, or names as reports give them: `p/myproj`); without
    it, the parts' own `projects` (the names of what each part checked) in the parts' order. Reports and errors follow
    it (an error names its project first: `p/myproj: ...`), and a project of it that no part reports, nor lists under
    errors, is an error of its own (its host failed, or a part is missing). `failed` lists projects (specs or names)
    whose host failed before it could give its part. `neighborhood` is that of a spec naming none (the template's).
    """
    reports, origins, errors, projects = [], {}, [], []
    for part in parts or ():
        reports.extend(part.get('reports') or ())
        origins.update(part.get('origins') or {})
        errors.extend(part.get('errors') or ())
        projects.extend(part.get('projects') or ())
    errors += ['%s: not checked: its host failed (see the task that failed)' % project_label(project, neighborhood)
               for project in failed or ()]
    order = [project_label(project, neighborhood) for project in (projects if order is None else order)]
    if not order:
        return dict(reports=reports, origins=origins, errors=errors)
    position = {project: index for index, project in reversed(list(enumerate(order)))}
    seen = {report.get('project') for report in reports} | {error.partition(': ')[0] for error in errors}
    errors += ['%s: not checked (no report of it: its host failed, or a part of the run is missing)' % project
               for project in dict.fromkeys(order) if project not in seen]
    reports.sort(key=lambda report: position.get(report.get('project'), len(position)))
    errors.sort(key=lambda error: position.get(error.partition(': ')[0], len(position)))
    return dict(reports=reports, origins=origins, errors=errors)
