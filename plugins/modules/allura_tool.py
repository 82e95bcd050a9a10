#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: allura_tool
short_description: Install a tool (wiki, tickets, git, link, ...) in an Allura project
version_added: 0.1.0
description:
  - Makes sure a tool of the given type is mounted at a mount point of an Allura project, installing
    it through the project admin API (C(POST /rest/<neighborhood>/<project>/admin/install_tool)) when it is missing.
  - The mount point is the identity of a tool. It is normalised as the server does before anything is compared -
    for every tool except the repository tools (V(git), V(svn), V(hg)) it is lower-cased, so V(Docs) means V(docs);
    repository tools keep its case (V(Code2) and V(code2) are two mount points).
  - The REST API can neither rename nor uninstall a tool, nor change its type. A mount point that holds a tool of
    another type, or whose label differs from O(mount_label), is drift - reported in check mode (changed, diff and a
    warning) and a failure in a normal run that names the field, the live and the wanted value, so it can be fixed
    in the project's web admin (Admin > Tools).
  - The mount point and the tool name are checked with the server's own rules before install_tool is sent, because a
    failed install still renumbers the order of the project's tools.
  - Installing needs admin permission on the project. When the tool is already there, only the project is read.
  - Give O(tools) to converge many tools in one task. The project is read once, the installable tools once (only when
    something must be installed), every item is checked before the first install, tools are installed one after the
    other in the order given, and the project is read once more at the end to verify all of them.
options:
  project:
    description: Shortname of the project.
    type: str
    required: true
  tool:
    description:
      - The tool type, as the server's C(installable_tools) lists it (lower-case, case-sensitive), for example
        V(wiki), V(tickets), V(discussion), V(blog), V(link), V(git), V(svn), V(hg), V(files), V(feedback), V(chat).
      - Which types a project can install depends on the server (installed packages, neighborhood rules and tools
        that allow one instance only); an unknown type fails listing the ones this project can install.
      - One of O(tool) and O(tools) is required.
    type: str
  mount_point:
    description:
      - Where the tool is mounted (the URL path segment below the project).
      - Defaults to the tool's usual mount point - V(code) for V(git), V(svn) and V(hg), otherwise the tool name
        (V(wiki), V(tickets), V(link), ...).
      - 1 to 63 characters. Repository tools - letters, digits, V(-), V(_), V(.) and V(+), starting with a letter or
        digit. Other tools - lower-case letters, digits and V(-), not only digits, not starting or ending with V(-).
        V(feed), V(index), V(icon) and V(_nav.json) are reserved.
    type: str
  mount_label:
    description:
      - The label of the tool in the project menu.
      - When not set, a new tool gets the server's default label for its type (the C(default_mount_label) of
        C(installable_tools), for example V(Wiki)) and the label of an existing tool is not compared.
      - The REST API cannot rename a tool; a different label on an existing tool is drift (see above).
    type: str
  order:
    description:
      - Where a newly installed tool goes in the project menu - V(first), V(last), or V(alpha_tool) (before the first
        tool of the same type whose label sorts after this one). The server's default is V(last).
      - Only used when the tool is installed; the order of existing tools is not read or changed.
    type: str
    choices: [first, last, alpha_tool]
  url:
    description:
      - For O(tool=link) only - the URL the new link points to, given at install time. It is normalised and checked
        as the server does (a missing scheme becomes C(http://)).
      - Only used when the tool is installed. To manage the URL of an existing link tool use M(allura.forge.allura_link).
    type: str
  tools:
    description:
      - Many tools in one task, each a dict with the keys O(tools[].tool), O(tools[].mount_point),
        O(tools[].mount_label), O(tools[].order) and O(tools[].url), meaning the same as the single-tool options.
        Mount points (as the server stores them) must be unique in the list.
      - Mutually exclusive with O(tool), O(mount_point), O(mount_label), O(order) and O(url).
      - A failure names the item (for example C(tools[3])) and keeps the results of the items before it.
    type: list
    elements: dict
    suboptions:
      tool:
        description: See O(tool).
        type: str
        required: true
      mount_point:
        description: See O(mount_point).
        type: str
      mount_label:
        description: See O(mount_label).
        type: str
      order:
        description: See O(order).
        type: str
        choices: [first, last, alpha_tool]
      url:
        description: See O(url).
        type: str
  state:
    description:
      - V(present) is the only state - the REST API cannot uninstall tools.
    type: str
    choices: [present]
    default: present
extends_documentation_fragment:
  - allura.forge.auth
  - allura.forge.attributes
notes:
  - A tool installed in check mode does not exist yet, so later tasks that use it may fail in the same check run.
seealso:
  - module: allura.forge.allura_link
  - module: allura.forge.allura_project_info
  - name: 'Allura REST API: install_tool'
    description: Installs a tool in a project.
    link: https://forge-allura.apache.org/p/allura/rest-api-docs#operation/POST_neighborhood-project-admin-install_tool
author:
  - allura.forge developers (@allura-forge)
'''

EXAMPLES = r'''
- name: A second wiki for the documentation
  allura.forge.allura_tool:
    project: myproj
    tool: wiki
    mount_point: docs
    mount_label: Docs

- name: A git repository at its usual mount point (code), first in the menu
  allura.forge.allura_tool:
    project: myproj
    tool: git
    order: first

- name: A link to the project home page
  allura.forge.allura_tool:
    project: myproj
    tool: link
    mount_point: homepage
    mount_label: Home page
    url: https://myproj.example.org/

- name: Many tools in one task (one project read)
  allura.forge.allura_tool:
    project: myproj
    tools:
      - tool: wiki
        mount_point: docs
        mount_label: Docs
      - tool: tickets
        mount_point: support
        mount_label: Support
      - tool: git
  register: tools

- name: Show what was installed
  ansible.builtin.debug:
    msg: "{{ tools.summary }}"

- name: Report tools that were renamed in the web admin (run with --check --diff)
  allura.forge.allura_tool:
    project: myproj
    tool: tickets
    mount_point: bugs
    mount_label: Bugs
'''

RETURN = r'''
action:
  description: What was done (or would be done in check mode) - V(create) (installed), V(update) (drift reported in check mode) or V(none).
  returned: success, with O(tool)
  type: str
  sample: create
tool:
  description:
    - The tool as the project JSON lists it - C(name) (the tool type), C(mount_point), C(mount_label), C(url) and,
      for tools with a REST API, C(api_url); repository tools also have C(clone_url_*) keys.
    - In check mode, for a tool to install, the predicted entry (without C(clone_url_*) keys).
  returned: success, with O(tool)
  type: dict
  sample: {"name": "wiki", "mount_point": "docs", "mount_label": "Docs", "url": "https://sourceforge.net/p/myproj/docs/",
           "api_url": "https://sourceforge.net/rest/p/myproj/docs/"}
tools:
  description: One entry per item of O(tools), in the same order, shaped like RV(tool) plus C(action).
  returned: success, with O(tools)
  type: list
  elements: dict
  sample: [{"name": "wiki", "mount_point": "docs", "mount_label": "Docs", "url": "https://sourceforge.net/p/myproj/docs/",
            "api_url": "https://sourceforge.net/rest/p/myproj/docs/", "action": "create"}]
summary:
  description: How many tools were installed (C(created)), have drifted (C(updated), check mode only) and were left alone.
  returned: success, with O(tools)
  type: dict
  sample: {"created": 1, "updated": 0, "unchanged": 5}
diff:
  description: With C(--diff), the fields that differ (C(tool), C(mount_point), C(mount_label)); with O(tools), one entry per tool that differs.
  returned: when diff mode is on
  type: list
  elements: dict
'''

import re

from ansible_collections.allura.forge.plugins.module_utils._client import AlluraError, ParameterError
from ansible_collections.allura.forge.plugins.module_utils._link_url import InvalidURL, normalise_link_url
from ansible_collections.allura.forge.plugins.module_utils._module import bulk_spec, run_module
from ansible_collections.allura.forge.plugins.module_utils._project import Project
from ansible_collections.allura.forge.plugins.module_utils._state import (
    Field, bulk_items, bulk_result, converge, converge_each, items_result, named, verify)

TOOL_SPEC = dict(
    tool=dict(type='str', required=True),
    mount_point=dict(type='str'),
    mount_label=dict(type='str'),
    order=dict(type='str', choices=['first', 'last', 'alpha_tool']),
    url=dict(type='str'),
)
ARGUMENT_SPEC = dict(
    project=dict(type='str', required=True),
    state=dict(type='str', choices=['present'], default='present'),
    **bulk_spec('tools', TOOL_SPEC)
)
MUTUALLY_EXCLUSIVE = [('tools', name) for name in TOOL_SPEC]
REQUIRED_ONE_OF = [('tool', 'tools')]

ADMIN_UI = 'in the project\'s web admin (Admin > Tools)'
# install_tool answers {success, info}, not the tool: every tool a task installs is verified by one
# re-read of the project at the end of the task (not one per tool).
FIELDS = dict(
    tool=Field(create_only=True, where=ADMIN_UI + ': uninstall the tool there, or choose another mount_point'),
    mount_point=Field(create_only=True),
    mount_label=Field(create_only=True, where=ADMIN_UI + ': Rename'),
)

# Tools whose mount point keeps its case (Allura's RepositoryApp.relaxed_mount_points).
REPOSITORY_TOOLS = frozenset(('git', 'svn', 'hg'))
# Tools with a REST API (their project JSON entry has api_url), for the check mode prediction.
REST_TOOLS = frozenset(('wiki', 'tickets', 'discussion', 'blog', 'link', 'git', 'svn', 'hg', 'activity'))
# Allura's helpers.re_tool_mount_point / re_relaxed_tool_mount_point and MountPointValidator.
STRICT_MOUNT_POINT = re.compile(r'(?![0-9]+$)(?!-)[a-z0-9-]{0,62}[a-z0-9]')
RELAXED_MOUNT_POINT = re.compile(r'[a-zA-Z0-9][-a-zA-Z0-9_.+]{0,62}')
RESERVED_MOUNT_POINTS = ('feed', 'index', 'icon', '_nav.json')


def default_mount_point(tool):
    return 'code' if tool in REPOSITORY_TOOLS else tool


def normalise_mount_point(tool, mount_point, option='mount_point'):
    """The mount point the server would store, or ParameterError with the server's reason."""
    value = mount_point if tool in REPOSITORY_TOOLS else mount_point.lower()
    if tool in REPOSITORY_TOOLS:
        rule, pattern = ('1-63 letters, digits, "-", "_", "." or "+", starting with a letter or digit '
                         '(repository tools keep the case)'), RELAXED_MOUNT_POINT
    else:
        rule, pattern = ('1-63 lower-case letters, digits or "-" (upper case is lower-cased), not only digits, '
                         'not starting or ending with "-"'), STRICT_MOUNT_POINT
    if not pattern.fullmatch(value):
        raise ParameterError('%s %r is invalid: %s' % (option, mount_point, rule))
    if value in RESERVED_MOUNT_POINTS:
        raise ParameterError('%s %r is invalid: %r is reserved by Allura (reserved: %s)'
                             % (option, mount_point, value, ', '.join(RESERVED_MOUNT_POINTS)))
    return value


def check_params(params, opt=''):
    """(tool, mount point as stored, link url as stored) of one tool; opt prefixes option names ('tools[2].')."""
    tool = params.get('tool') or ''
    if not tool.strip() or tool != tool.lower():
        hint = ' (did you mean %r?)' % tool.lower() if tool.strip() else ''
        raise ParameterError('%stool %r is invalid: tool names are lower-case and case-sensitive, as the server lists '
                             'them in installable_tools (wiki, tickets, git, ...)%s' % (opt, tool, hint))
    if tool == 'subproject':
        raise ParameterError("%stool 'subproject' is invalid: sub-projects cannot be created through the REST API" % opt)
    mount_point = params.get('mount_point')
    if mount_point is None:
        mount_point = default_mount_point(tool)
    mount_point = normalise_mount_point(tool, mount_point, opt + 'mount_point')
    if params.get('mount_label') is not None and not params['mount_label']:
        raise ParameterError("%smount_label '' is invalid: the server requires a label; leave mount_label unset for "
                             'the default label of the tool type' % opt)
    url = params.get('url')
    if url is not None:
        if tool != 'link':
            raise ParameterError('%surl is only used with tool=link (tool is %r)' % (opt, tool))
        try:
            url = normalise_link_url(url)
        except InvalidURL as exc:
            raise ParameterError('%surl %r is invalid: %s (the server refuses it; a link URL needs http:// or https:// '
                                 'and a full domain name)' % (opt, params['url'], exc))
    return tool, mount_point, url


def wanted(params):
    """[(item name, {tool, mount_point, mount_label, order, url})], validated, before anything is sent."""
    if params.get('tools') is None and params.get('tool') is None:
        raise ParameterError('one of tool or tools is required')
    out, seen = [], {}
    for name, item in bulk_items(params, 'tools', TOOL_SPEC, 'tool'):
        opt = name + '.' if name else ''
        tool, mount_point, url = check_params(item, opt)
        if mount_point in seen:
            raise ParameterError('%smount_point %r is also given by %s: each mount point may be listed once'
                                 % (opt, mount_point, seen[mount_point]))
        seen[mount_point] = name
        out.append((name, dict(tool=tool, mount_point=mount_point, mount_label=item.get('mount_label'),
                               order=item.get('order'), url=url)))
    return out


def installable(client, project):
    """{tool name: installable_tools entry} (one read), or a clear failure."""
    path = project.path('admin', 'installable_tools', trailing_slash=False)
    try:
        tools = client.get_json(path, not_found=project.not_found()).get('tools') or []
    except AlluraError as exc:
        if exc.status == 403:
            raise AlluraError('installing a tool in project %s needs admin permission on the project, which the user '
                              'of this token does not have (%s)' % (project.label, exc.server_message or 'HTTP 403'),
                              status=403, method='GET', path=path)
        raise
    return dict((t.get('name'), t) for t in tools if t.get('name') and t.get('name') != 'subproject')


def entry_for(catalog, project, tool, opt):
    if tool in catalog:
        return catalog[tool]
    raise ParameterError('%stool %r cannot be installed in project %s: it is unknown to this server, not allowed in '
                         'this neighborhood, or at its limit of instances (installable here: %s)'
                         % (opt, tool, project.label, ', '.join(catalog) or 'none'))


def public(entry):
    """The tool as returned: the project JSON entry, with the engine's `tool` field as `name`."""
    out = dict(entry)
    out['name'] = out.pop('tool', out.get('name'))
    return out


def predict_urls(project, predicted):
    """url and api_url of a tool still to install, derived the way the server builds them."""
    out = dict(predicted)
    data = project.read()
    if data.get('url'):
        out['url'] = '%s%s/' % (data['url'], out['mount_point'])
    admin = project.tool('admin') or {}
    if out['name'] in REST_TOOLS and (admin.get('api_url') or '').endswith('/admin/'):
        out['api_url'] = '%s%s/' % (admin['api_url'][:-len('admin/')], out['mount_point'])
    return out


def converge_tool(ctx, client, project, catalog, item, opt):
    tool, mount_point = item['tool'], item['mount_point']
    label = 'tool %r of project %s' % (mount_point, project.label)
    live = project.tool(mount_point)
    desired = dict(tool=tool, mount_point=mount_point, mount_label=item['mount_label'])
    if live is None:
        defaults = entry_for(catalog, project, tool, opt).get('defaults') or {}
        desired['mount_label'] = item['mount_label'] or defaults.get('default_mount_label') or mount_point
        for other in project.tools():
            if other.get('mount_point', '').lower() == mount_point.lower():
                ctx.warn('project %s already has a %s tool at %r, which differs from mount_point %r only in case; '
                         'a new tool is installed at %r' % (project.label, other.get('name'), other['mount_point'],
                                                            mount_point, mount_point))

    def create(want):
        form = dict(tool=want['tool'], mount_point=want['mount_point'], mount_label=want['mount_label'],
                    order=item['order'], url=item['url'])
        path = project.path('admin', 'install_tool', trailing_slash=False)
        body = client.post_json(path, form, not_found=project.not_found(),
                                recheck=lambda: project.tool(mount_point, refresh=True))
        if 'success' not in body:  # an ambiguous failure, and a re-read found the tool installed
            return dict(body, tool=body.get('name'))
        if body.get('success') is False:
            raise AlluraError('install_tool refused to install %s at %r in project %s: %s'
                              % (tool, mount_point, project.label, body.get('info') or 'no reason given'),
                              method='POST', path=path, server_message=body.get('info'))
        return {}

    outcome = converge(ctx, label, FIELDS, None if live is None else dict(live, tool=live.get('name')), desired,
                       create=create, reread=lambda after: project.tool(mount_point, refresh=True))
    outcome.after = public(outcome.after)
    if outcome.action == 'create' and outcome.predicted:
        outcome.after = predict_urls(project, outcome.after)
    return outcome


def installed(project, outcomes, names):
    """The tools installed by this task as the project lists them: one re-read for all of them."""
    project.read(refresh=True)
    for outcome, name in zip(outcomes, names):
        if outcome.action != 'create':
            continue
        mount_point = outcome.after['mount_point']
        entry = project.tool(mount_point)
        if entry is None:
            raise named(AlluraError('install_tool answered success, but project %s lists no tool at %r'
                                    % (project.label, mount_point), changed=True), name)
        want = {k: outcome.delta[k][1] for k in FIELDS if k in outcome.delta}
        try:
            outcome.after = public(verify(outcome.label, FIELDS, want, dict(entry, tool=entry.get('name'))))
        except AlluraError as exc:
            raise named(exc, name)
        outcome.predicted = False


def run(params, client, ctx):
    items = wanted(params)
    project = Project(client, params['neighborhood'], params['project'])
    project.read()
    missing = [(name, item) for name, item in items if project.tool(item['mount_point']) is None]
    catalog = installable(client, project) if missing else {}
    for name, item in missing:  # every tool type checked before the first install
        entry_for(catalog, project, item['tool'], name + '.' if name else '')

    outcomes = converge_each(ctx, 'tools', items, lambda name, item: converge_tool(
        ctx, client, project, catalog, item, name + '.' if name else ''))
    if not ctx.check_mode and any(o.action == 'create' for o in outcomes):
        try:
            installed(project, outcomes, [name for name, item in items])
        except AlluraError as exc:
            if params.get('tools') is not None:  # every install was made: say so
                done = bulk_result(ctx, 'tools', outcomes)
                exc.details.update(changed=True, summary=done['summary'], tools=done['tools'])
            raise
    return items_result(ctx, params, 'tools', 'tool', outcomes)


def main():
    run_module(ARGUMENT_SPEC, run)


if __name__ == '__main__':
    main()
