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
  - allura.forge.lock
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
extends_documentation_fragment:
  - allura.forge.results
'''

from functools import partial

from ansible_collections.allura.forge.plugins.module_utils._allura import REST_TOOLS, default_mount_point, normalise_mount_point
from ansible_collections.allura.forge.plugins.module_utils._client import AlluraError, Denied, ParameterError
from ansible_collections.allura.forge.plugins.module_utils._link_url import InvalidURL, normalise_link_url
from ansible_collections.allura.forge.plugins.module_utils._module import run_module
from ansible_collections.allura.forge.plugins.module_utils._resource import Resource
from ansible_collections.allura.forge.plugins.module_utils._state import CreatedMeanwhile, bulk_result, Field, named, verify

ADMIN_UI = 'in the project\'s web admin (Admin > Tools)'
# install_tool answers {success, info}, not the tool: every tool a task installs is verified by one
# re-read of the project at the end of the task (not one per tool).
FIELDS = dict(
    tool=Field(create_only=True, where=ADMIN_UI + ': uninstall the tool there, or choose another mount_point'),
    mount_point=Field(create_only=True),
    mount_label=Field(create_only=True, where=ADMIN_UI + ': Rename'),
)


def public(entry):
    """The tool as returned: the project JSON entry, with the engine's `tool` field as `name`."""
    out = dict(entry)
    out['name'] = out.pop('tool', out.get('name'))
    return out


class Tool(Resource):
    one, many, key, required = 'tool', 'tools', ('mount_point',), 'tool'
    options = dict(tool=dict(type='str', required=True), mount_point=dict(type='str'), mount_label=dict(type='str'),
                   order=dict(type='str', choices=['first', 'last', 'alpha_tool']), url=dict(type='str'))
    fields = FIELDS
    catalog = None

    def check(self, item):
        """The tool name, the mount point and the link url, as the server would store them."""
        values, opt = item.values, item.opt
        tool = values.get('tool') or ''
        if not tool.strip() or tool != tool.lower():
            hint = ' (did you mean %r?)' % tool.lower() if tool.strip() else ''
            raise ParameterError('%stool %r is invalid: tool names are lower-case and case-sensitive, as the server lists '
                                 'them in installable_tools (wiki, tickets, git, ...)%s' % (opt, tool, hint))
        if tool == 'subproject':
            raise ParameterError("%stool 'subproject' is invalid: sub-projects cannot be created through the REST API" % opt)
        mount_point = values.get('mount_point')
        values['mount_point'] = normalise_mount_point(tool, default_mount_point(tool) if mount_point is None else mount_point,
                                                      opt + 'mount_point')
        if values.get('mount_label') is not None and not values['mount_label']:
            raise ParameterError("%smount_label '' is invalid: the server requires a label; leave mount_label unset for "
                                 'the default label of the tool type' % opt)
        if values.get('url') is not None:
            if tool != 'link':
                raise ParameterError('%surl is only used with tool=link (tool is %r)' % (opt, tool))
            try:
                values['url'] = normalise_link_url(values['url'])
            except InvalidURL as exc:
                raise ParameterError('%surl %r is invalid: %s (the server refuses it; a link URL needs http:// or https:// '
                                     'and a full domain name)' % (opt, values['url'], exc))

    def label(self, item):
        return 'tool %r of project %s' % (item.values['mount_point'], self.project.label)

    def read_all(self, items):
        """One project read for every tool; the installable tools (one read) only when some are missing, and the type of
        each missing one checked against them before the first install."""
        self.project.read()
        for item in items:
            live = self.project.tool(item.values['mount_point'])
            item.live = None if live is None else dict(live, tool=live.get('name'))
        missing = [item for item in items if item.live is None]
        self.catalog = self.installable() if missing else {}
        for item in missing:
            if item.values['tool'] not in self.catalog:
                raise ParameterError('%stool %r cannot be installed in project %s: it is unknown to this server, not allowed in '
                                     'this neighborhood, or at its limit of instances (installable here: %s)'
                                     % (item.opt, item.values['tool'], self.project.label, ', '.join(self.catalog) or 'none'))

    def installable(self):
        """{tool name: installable_tools entry}: one read."""
        tools = self.client.get_json(self.project.path('admin', 'installable_tools', trailing_slash=False), denied=self.needs_admin(),
                                     not_found=self.project.not_found()).get('tools') or []
        return dict((t.get('name'), t) for t in tools if t.get('name') and t.get('name') != 'subproject')

    def needs_admin(self):
        return Denied('install a tool in', 'project %s' % self.project.label, 'admin', 'the project', 'a project admin')

    def ready(self, items):
        for item in items:
            mount_point = item.values['mount_point']
            for other in self.project.tools() if item.live is None else ():
                if other.get('mount_point', '').lower() == mount_point.lower():
                    self.ctx.warn('project %s already has a %s tool at %r, which differs from mount_point %r only in case; '
                                  'a new tool is installed at %r' % (self.project.label, other.get('name'), other['mount_point'],
                                                                     mount_point, mount_point))

    def desired(self, item):
        desired = super().desired(item)
        if item.live is None:
            defaults = self.catalog[desired['tool']].get('defaults') or {}
            desired['mount_label'] = desired['mount_label'] or defaults.get('default_mount_label') or desired['mount_point']
        return desired

    def create(self, item, desired):
        form = dict(desired, order=item.values['order'], url=item.values['url'])
        path = self.project.path('admin', 'install_tool', trailing_slash=False)
        body = self.client.post_json(path, form, not_found=self.project.not_found(), recheck=partial(self.reread, item, None),
                                     denied=self.needs_admin())
        if 'success' not in body:  # an ambiguous failure, and a re-read found the tool installed
            return dict(body, tool=body.get('name'))
        if body.get('success') is False:
            live = self.reread(item, None)
            if live is not None:  # "Mount point already exists.": another run installed a tool there meanwhile
                raise CreatedMeanwhile(dict(live, tool=live.get('name')), desired=dict(desired, mount_label=item.values['mount_label']))
            raise AlluraError('install_tool refused to install %s at %r in project %s: %s'
                              % (desired['tool'], desired['mount_point'], self.project.label, body.get('info') or 'no reason given'),
                              method='POST', path=path, server_message=body.get('info'))
        return {}

    def reread(self, item, after):
        return self.project.tool(item.values['mount_point'], refresh=True)

    def public(self, item, outcome):
        out = public(outcome.after)
        if outcome.action == 'create' and outcome.predicted:  # url and api_url as the server builds them
            data, admin = self.project.read(), self.project.tool('admin') or {}
            if data.get('url'):
                out['url'] = '%s%s/' % (data['url'], out['mount_point'])
            if out['name'] in REST_TOOLS and (admin.get('api_url') or '').endswith('/admin/'):
                out['api_url'] = '%s%s/' % (admin['api_url'][:-len('admin/')], out['mount_point'])
        return out

    def finish(self, items, outcomes):
        """Every tool this task installed, verified as the project lists it: one re-read for all of them."""
        if self.ctx.check_mode or not any(o.action == 'create' for o in outcomes):
            return
        self.project.read(refresh=True)
        for item, outcome in zip(items, outcomes):
            if outcome.action != 'create':
                continue
            entry = self.project.tool(outcome.after['mount_point'])
            try:
                if entry is None:
                    raise AlluraError('install_tool answered success, but project %s lists no tool at %r'
                                      % (self.project.label, outcome.after['mount_point']), changed=True)
                want = {k: outcome.delta[k][1] for k in FIELDS if k in outcome.delta}
                outcome.after = public(verify(outcome.label, FIELDS, want, dict(entry, tool=entry.get('name'))))
            except AlluraError as exc:
                if self.params.get('tools') is not None:  # every install was made: say so
                    done = bulk_result(self.ctx, 'tools', outcomes)
                    exc.details.update(changed=True, summary=done['summary'], tools=done['tools'])
                raise named(exc, item.name)
            outcome.predicted = False


ARGUMENT_SPEC = Tool.argument_spec(state=dict(type='str', choices=['present'], default='present'))
MUTUALLY_EXCLUSIVE = Tool.mutually_exclusive()
REQUIRED_ONE_OF = Tool.required_one_of()


def run(params, client, ctx):
    return Tool(params, client, ctx).run()


def main():
    run_module(ARGUMENT_SPEC, run)


if __name__ == '__main__':
    main()
