# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
name: project_merge
short_description: Apply a project template (allura_project_template) to a project
version_added: 0.2.0
description:
  - >-
    Returns the spec of a project as the C(allura.forge.project) role takes it (O(_input) with the template applied),
    or where each of its resources comes from. The C(allura.forge.provision) and C(allura.forge.drift) playbooks
    apply C(allura_project_template) with it; with the role alone, apply it before the role (see the examples).
  - >-
    Merge rules. Dicts (the spec itself, C(fields)) merge key by key, the project's value winning. Lists of resources
    merge by identity - tools by mount point, wiki pages by mount point and title, tickets by number or else summary,
    webhooks by mount point, type and URL, access checks by level, user and permission - a project's item replacing
    the template's item with the same identity, in its place; the project's other items follow. Anything else
    (C(link), C(admin), C(fields.labels) and other plain lists) is the project's when it gives one. A key given as
    null counts as not given.
  - >-
    A project drops what it would inherit with C(omit_from_template), a list of V(key) (all of it, for example
    V(link) or V(webhooks)) or V({key: identity}) entries (V({wiki: docs/Install}), V({tools: docs}),
    V({tickets: tickets/Write the docs}), V({webhooks: code repo-push https://ci.example.org/hook}),
    V({access: docs: someone edit}), V({fields: summary})). An identity is the resource's name in the drift report
    without its kind. An entry naming nothing the template gives is an error.
  - >-
    The template's strings are templated by Ansible when the filter reads them, with the variables of the task
    that calls it. Bind C(project) to the project (a task or include variable) and they may use its values, for
    example C({{ project.name }}) or C({{ project.fields.name }}). Everything is read before anything is returned,
    so an undefined variable fails here, naming the key and the project, before any request is sent. To keep a
    literal C({{) in a text, mark the string C(!unsafe) in YAML, or write C({% raw %}{{{% endraw %}).
  - >-
    An unknown key of the template (C(toolz)), a C(name) in it, or two items of one list with the same identity
    fail, naming them. The project's own keys are checked by the role.
positional: _input, template
options:
  _input:
    description: The project (an entry of C(allura_projects)), which may have C(omit_from_template).
    type: dict
    required: true
  template:
    description:
      - The template, a project spec without C(name) (C(allura_project_template)).
      - Null or empty - the project as it is (without C(omit_from_template), which must then be empty).
    type: dict
  output:
    description:
      - V(spec) - the project's spec, for the role's C(allura_project).
      - >-
        V(origins) - a dict of one key, the project as reports name it (V(p/myproj)), whose value says where each of
        its resources comes from (V(template) or V(project)), by the resource's name in the drift report; for the
        project's own resource, V(project), a dict of its fields' origins. Empty without a template. The
        C(origins) option of P(allura.forge.drift_report#filter) takes these, combined for all projects.
    type: str
    choices: [spec, origins]
    default: spec
author:
  - allura.forge developers
'''

EXAMPLES = r'''
# team_template.wiki: [{title: Home, text: "Welcome to {{ project.fields.name }}\n"}, {title: Install, text: ...}]
- name: Apply the team template to myproj
  ansible.builtin.set_fact:
    # a fact is templated once; the role reads allura_project many times (a variable is templated at each use)
    myproj_spec: "{{ project | allura.forge.project_merge(team_template) }}"
  vars:
    project:                                  # the project's own part, bound as `project` for the template
      name: myproj
      fields: {name: My Project}
      wiki: [{title: Install, text: "pip install myproj\n"}]      # replaces the template's wiki/Install
      omit_from_template: [{webhooks: code repo-push https://ci.example.org/hook}]
  no_log: true                                # the spec holds the template's webhook secrets

- name: Converge it
  ansible.builtin.include_role:
    name: allura.forge.project
  vars:
    allura_project: "{{ myproj_spec }}"

- name: Where each resource of myproj comes from, for the drift report
  ansible.builtin.set_fact:
    origins: "{{ project | allura.forge.project_merge(team_template, output='origins') }}"
  vars:
    project: {name: myproj, fields: {name: My Project}}
'''

RETURN = r'''
_value:
  description: The merged spec (O(output=spec)), or the origins (O(output=origins)).
  type: dict
  sample: {"name": "myproj", "fields": {"name": "My Project"},
           "wiki": [{"title": "Home", "text": "Welcome to My Project\n"}, {"title": "Install", "text": "pip install myproj\n"}]}
'''

from collections.abc import Mapping, Sequence

from jinja2.exceptions import UndefinedError

from ansible.errors import AnsibleError, AnsibleFilterError

from ansible_collections.allura.forge.plugins.plugin_utils._template import (
    TEMPLATE, TemplateError, check_keys, label, merge_project)


def rendered(value, path, only=None):
    """A plain copy of value (of its keys `only`), every string of it templated now (reading a lazy container
    templates what is read); what cannot be templated fails naming its path."""
    if isinstance(value, Mapping):
        keys, out = [key for key in value if only is None or key in only], {}
    elif isinstance(value, Sequence) and not isinstance(value, (str, bytes)):
        keys, out = range(len(value)), [None] * len(value)
    else:
        return value
    for key in keys:
        where = '%s[%d]' % (path, key) if isinstance(key, int) else '%s.%s' % (path, key) if path else str(key)
        try:
            item = value[key]
        except (UndefinedError, AnsibleError) as exc:
            raise TemplateError('cannot template %s: %s' % (where, getattr(exc, 'message', None) or exc)) from None
        out[key] = rendered(item, where)
    return out


def project_merge(project, template=None, output='spec'):
    if output not in ('spec', 'origins'):
        raise AnsibleFilterError('project_merge: output must be spec or origins, not %r' % (output,))
    where = 'the project'
    try:
        if isinstance(project, Mapping):  # its name first, for any error about the rest
            where = label(rendered(project, '', only=('name', 'neighborhood')), {})
        if isinstance(template, Mapping):
            check_keys(template)  # before its values are templated: a misspelt key is the first thing to say
        project = rendered(project, '')
        template = rendered(template, TEMPLATE)
        if isinstance(project, dict) and isinstance(template, dict):
            where = label(project, template)
        spec, origins = merge_project(template, project)
    except TemplateError as exc:
        raise AnsibleFilterError('project_merge: %s: %s' % (where, exc)) from None
    return spec if output == 'spec' else {where: origins}


class FilterModule:
    def filters(self):
        return {'project_merge': project_merge}
