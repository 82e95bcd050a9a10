# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Project templates: a spec without a name (`allura_project_template`) that every project inherits.

`merge_project(template, project)` returns the project's spec and where each resource of it comes from:

- dicts (the spec itself, `fields`) merge key by key, the project's value winning;
- lists of resources (RESOURCE_LISTS) merge by identity: a project's item replaces the template's item
  with the same identity, in its place; the project's other items follow the template's;
- anything else (`link`, `fields.labels` and other plain lists) is the project's when it gives one;
  a key the project gives as null (`wiki:` with nothing after it) counts as not given;
- the project's `omit_from_template` drops what it would inherit: `link` (a key: all of it),
  `{wiki: docs/Install}` (an item of a resource list, by identity), `{fields: summary}` (a key of a dict).

An identity is the resource's name in reports without its kind ("wiki docs/Install" -> "docs/Install"),
so what a drift report names is what `omit_from_template` takes. Pure functions of plain data: rendering
the template for a project (Ansible's templating) happens before, in the project_merge filter.
"""

from __future__ import annotations

import difflib

from ansible_collections.allura.forge.plugins.plugin_utils._plan import (
    access_name, mount_of, page_name, post_name, ticket_name, tool_name, webhook_name)

# Lists of resources, merged item by item: list key -> the resource's name in reports ("<kind> <identity>").
RESOURCE_LISTS = {
    'tools': tool_name,
    'wiki': lambda page: page_name(mount_of(page, 'wiki'), page),
    'tickets': lambda ticket: ticket_name(mount_of(ticket, 'tickets'), ticket),
    'blog': lambda post: post_name(mount_of(post, 'blog'), post),
    'webhooks': webhook_name,
    'access': access_name,
}
# The other keys a template may set (every key of a project but its name).
OTHER_KEYS = ('neighborhood', 'create', 'admin', 'fields', 'link')
TEMPLATE_KEYS = tuple(sorted(set(RESOURCE_LISTS) | set(OTHER_KEYS)))
TEMPLATE = 'allura_project_template'
OMIT = 'omit_from_template'
FROM_TEMPLATE, FROM_PROJECT = 'template', 'project'


class TemplateError(ValueError):
    """A template or an override that cannot be applied (the message names the key and the value)."""


def identity(key, item):
    return RESOURCE_LISTS[key](item).partition(' ')[2]


def label(project, template):
    neighborhood = project.get('neighborhood') or template.get('neighborhood') or 'p'
    return '%s/%s' % (neighborhood, project.get('name') or '(no name)')


def kind(value):
    """What a value is, for errors (never the value: it may hold a secret)."""
    return 'a list holding %s' % ', '.join(sorted({type(v).__name__ for v in value})) if isinstance(value, list) \
        else 'a %s' % type(value).__name__


def _hint(value, known):
    close = difflib.get_close_matches(str(value), [str(k) for k in known], n=1)
    return ', did you mean %s?' % close[0] if close else ''


def resources(value, where):
    """The items of a resource list (none for null), each a dict."""
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise TemplateError('%s must be a list of dicts, not %s' % (where, kind(value)))
    return value


def by_identity(key, items, where):
    out = {}
    for item in items:
        name = identity(key, item)
        if name in out:
            raise TemplateError('%s has two items with the identity %s: %s' % (where, key, name))
        out[name] = item
    return out


def check_keys(template):
    """An unknown key of the template (or a name) fails, naming it (its values are not read)."""
    for key in template or ():
        if key == 'name':
            raise TemplateError('%s.name: a template has no name (each project of allura_projects gives its own)' % TEMPLATE)
        if key not in TEMPLATE_KEYS:
            raise TemplateError('%s.%s: unknown key%s (known: %s)'
                                % (TEMPLATE, key, _hint(key, TEMPLATE_KEYS), ', '.join(TEMPLATE_KEYS)))


def check_template(template):
    """The template as a dict; an unknown key, a name, or a list of resources that is not one fails, naming it."""
    if template in (None, ''):
        return {}
    if not isinstance(template, dict):
        raise TemplateError('%s must be a dict (a project spec without a name), not %s' % (TEMPLATE, kind(template)))
    check_keys(template)
    for key in RESOURCE_LISTS:
        by_identity(key, resources(template.get(key), '%s.%s' % (TEMPLATE, key)), '%s.%s' % (TEMPLATE, key))
    return template


def omissions(project, template):
    """{key: set of what is dropped under it (None: all of it)} from the project's omit_from_template.

    Each entry must name something the template gives: an override that names nothing is an error.
    """
    entries = project.get(OMIT)
    if entries is None:
        return {}
    if not isinstance(entries, list):
        raise TemplateError('%s must be a list, not %s' % (OMIT, kind(entries)))
    dropped = {}
    for entry in entries:
        if isinstance(entry, str):
            key, what = entry, None
        elif isinstance(entry, dict) and len(entry) == 1:
            key, what = next(iter(entry.items()))
        else:
            raise TemplateError('%s entries are a key (link) or a key and what under it ({wiki: docs/Install}), '
                                'not %r' % (OMIT, entry))
        if template.get(key) in (None, [], {}):
            given = [k for k in TEMPLATE_KEYS if template.get(k) not in (None, [], {})]
            raise TemplateError('%s names %s, which %s does not give%s (it gives: %s)' % (
                OMIT, key, TEMPLATE, _hint(key, given), ', '.join(given) or 'nothing'))
        if what is not None:
            inherited = template[key]
            if key in RESOURCE_LISTS:
                inherited = list(by_identity(key, inherited, '%s.%s' % (TEMPLATE, key)))
            elif not isinstance(inherited, dict):
                raise TemplateError('%s names %s: %s, but %s.%s is no list of resources nor a dict: give just %s' % (
                    OMIT, key, what, TEMPLATE, key, key))
            if what not in inherited:
                raise TemplateError('%s names %s: %s, which %s.%s does not have%s (it has: %s)' % (
                    OMIT, key, what, TEMPLATE, key, _hint(what, inherited), ', '.join(map(str, inherited))))
        if dropped.get(key, ()) is not None:
            dropped[key] = None if what is None else dropped.get(key, set()) | {what}
    return dropped


def merge_dicts(template, project, dropped=None):
    """Key by key, the project's value winning (dicts recursively); null counts as not given.
    dropped: {key: None (all of it) or the keys dropped from the template's dict under it}."""
    dropped = dropped or {}
    out = {}
    for key, value in template.items():
        if key in dropped:
            if dropped[key] is None:
                continue
            value = {k: v for k, v in value.items() if k not in dropped[key]}
        out[key] = value
    for key, value in project.items():
        if value is None:
            continue
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            value = merge_dicts(out[key], value)
        out[key] = value
    return out


def merge_resources(key, inherited, own_items, dropped):
    """[(item, origin)]: the template's items, each replaced in its place by the project's item of the same
    identity, dropped ones left out; then the project's other items."""
    if not inherited:
        return [(item, FROM_PROJECT) for item in own_items]
    own = by_identity(key, own_items, key)
    merged = []
    for item in inherited:
        name = identity(key, item)
        if name in own:
            merged.append((own.pop(name), FROM_PROJECT))
        elif name not in dropped:
            merged.append((item, FROM_TEMPLATE))
    return merged + [(item, FROM_PROJECT) for item in own.values()]


def merge_project(template, project):
    """(spec, origins): the project's spec with the template applied, and where each of its resources comes from.

    origins maps a resource's name in reports ("wiki docs/Home", "link link") to `template` or `project`, and
    `project` (the project resource) to {field: origin}; it is empty without a template. Plain data in and out.
    """
    template = check_template(template)
    if not isinstance(project, dict):
        raise TemplateError('a project must be a dict (a spec with at least a name), not %s' % kind(project))
    dropped = omissions(project, template)
    own = {key: value for key, value in project.items() if key != OMIT}

    spec = merge_dicts({k: v for k, v in template.items() if k not in RESOURCE_LISTS},
                       {k: v for k, v in own.items() if k not in RESOURCE_LISTS},
                       {k: v for k, v in dropped.items() if k not in RESOURCE_LISTS})
    own_fields = own.get('fields') or {}
    origins = {'project': {field: FROM_PROJECT if own_fields.get(field) is not None else FROM_TEMPLATE
                           for field in spec.get('fields') or {}}}
    if spec.get('link'):
        origins['link link'] = origins['tool link'] = FROM_PROJECT if own.get('link') is not None else FROM_TEMPLATE
    for key, name in RESOURCE_LISTS.items():
        if key in template or key in own:
            inherited = [] if key in dropped and dropped[key] is None else resources(template.get(key), '%s.%s' % (TEMPLATE, key))
            pairs = merge_resources(key, inherited, resources(own.get(key), key), dropped.get(key) or ())
            spec[key] = [item for item, _origin in pairs]
            origins.update((name(item), origin) for item, origin in pairs)
    return spec, origins if template else {}
