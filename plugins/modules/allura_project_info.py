#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: allura_project_info
short_description: Read an Allura project, its tools and optionally its DOAP description
version_added: 0.1.0
description:
  - Returns the project JSON of the Allura REST API (C(GET /rest/<neighborhood>/<project>/)),
    the list of its tools and, on request, the project's DOAP (RDF/XML) description.
  - Never changes anything.
options:
  project:
    description: Shortname of the project (for example V(myproj); for a user project the user name with O(neighborhood=u)).
    type: str
    required: true
  doap:
    description: Also return the DOAP XML description of the project (one more request).
    type: bool
    default: false
extends_documentation_fragment:
  - allura.forge.auth
  - allura.forge.attributes.info_module
seealso:
  - name: 'Allura REST API: project'
    description: A project's JSON, with its tools.
    link: https://forge-allura.apache.org/p/allura/rest-api-docs#operation/GET_neighborhood-project
author:
  - allura.forge developers (@allura-forge)
'''

EXAMPLES = r'''
- name: Read a project on SourceForge
  allura.forge.allura_project_info:
    project: myproj
    token: "{{ vault_sourceforge_token }}"
  register: info

- name: Show the mount points of its tools
  ansible.builtin.debug:
    msg: "{{ info.tools | map(attribute='mount_point') | list }}"

- name: Read a project of a self-hosted Allura, with DOAP
  allura.forge.allura_project_info:
    server_url: https://forge.example.org
    project: myproj
    doap: true
'''

RETURN = r'''
project:
  description: The project JSON as the server returns it (fields visible to the caller).
  returned: success
  type: dict
  sample: {"shortname": "myproj", "name": "My Project", "private": false, "summary": "", "labels": [], "tools": []}
tools:
  description: The tools of the project the caller can read, each with C(name) (tool type), C(mount_point), C(mount_label), C(url).
  returned: success
  type: list
  elements: dict
  sample: [{"name": "wiki", "mount_point": "wiki", "mount_label": "Wiki", "url": "https://sourceforge.net/p/myproj/wiki/"}]
doap:
  description: The DOAP RDF/XML description of the project.
  returned: when O(doap=true)
  type: str
extends_documentation_fragment:
  - allura.forge.results
'''

from ansible_collections.allura.forge.plugins.module_utils._module import run_module
from ansible_collections.allura.forge.plugins.module_utils._project import Project

ARGUMENT_SPEC = dict(
    project=dict(type='str', required=True),
    doap=dict(type='bool', default=False),
)


def run(params, client, ctx):
    project = Project(client, params['neighborhood'], params['project'])
    data = project.read()
    out = dict(changed=False, project=data, tools=data.get('tools', []))
    if params['doap']:
        out['doap'] = client.request('GET', project.path(), params={'doap': ''}, not_found=project.no_project).text
    return out


def main():
    run_module(ARGUMENT_SPEC, run)


if __name__ == '__main__':
    main()
