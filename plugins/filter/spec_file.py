# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
name: spec_file
short_description: Write captured projects as the text of a spec file
version_added: 0.3.0
description:
  - Takes what M(allura.forge.allura_project_spec_info) returned for one or more projects and returns the text of a spec
    file holding them (C(allura_projects:)), as C(allura.forge.provision) and C(allura.forge.drift) take it. The
    C(allura.forge.capture) playbook writes it.
  - Keys come in the order the C(allura.forge.project) role documents them, and each spec is checked against the role's
    argument spec first.
  - Strings are written plain where that reads back the same; multi-line text as a literal block (C(|)) where that keeps
    it exact, and double-quoted otherwise (text with carriage returns, trailing spaces or tabs, no final newline, a first
    line starting with a space, characters YAML cannot hold as they are), broken after each line feed. Text that looks
    like a Jinja template is tagged C(!unsafe), so that Ansible never renders it. The text is read back and compared
    with the data before it is returned; a difference is an error.
  - A comment opens the file - where and when each project was captured, what a spec cannot hold, what must be set up
    in the web interface of a project it is provisioned into, the vault variables of the webhook secrets, and what was
    left out - and a C(yaml-language-server) line that points editors at the spec's JSON Schema.
positional: _input
options:
  _input:
    description: The registered result of M(allura.forge.allura_project_spec_info), or a list of them.
    type: list
    elements: dict
    required: true
author:
  - allura.forge developers
'''

EXAMPLES = r'''
- name: Read a project
  allura.forge.allura_project_spec_info:
    project: myproj
  register: captured

- name: Write its spec
  ansible.builtin.copy:
    content: "{{ captured | allura.forge.spec_file }}"
    dest: myproj.yml
    mode: "0644"
'''

RETURN = r'''
_value:
  description: The YAML text of the spec file.
  type: str
'''

import json

from ansible.errors import AnsibleFilterError

from ansible_collections.allura.forge.plugins.plugin_utils._spec_file import SpecFileError, spec_file as render


def spec_file(captures):
    captures = [captures] if isinstance(captures, dict) else list(captures or ())
    bad = [index for index, cap in enumerate(captures) if not isinstance(cap, dict) or not isinstance(cap.get('spec'), dict)]
    if bad or not captures:
        raise AnsibleFilterError('spec_file: give the registered result of allura.forge.allura_project_spec_info (or a list '
                                 'of them); %s' % ('item %d has no spec' % bad[0] if bad else 'got nothing'))
    try:  # plain data: Ansible's lazy containers are slow to walk (and their deep copy warns)
        return render(json.loads(json.dumps(captures)))
    except SpecFileError as exc:
        raise AnsibleFilterError('spec_file: %s' % exc) from exc


class FilterModule:
    def filters(self):
        return {'spec_file': spec_file}
