#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: allura_project_spec
short_description: Converge a whole Allura project to its spec in one task
version_added: 0.3.0
description:
  - The engine of the C(allura.forge.project) role - takes the role's C(allura_project) spec and does what the role
    documents, in one task - the lock of the project, the project, the unmanaged resources (read before the first
    write, purged when asked), the tools, the link, wiki pages, blog posts, tickets, their comments, webhooks and the
    access checks, each by the allura.forge module of that resource, in that order, then the report.
  - One task instead of one per resource kind - each task costs Ansible a process and templating on the controller, so
    a project converges or is checked faster, the more so with many projects as inventory hosts.
  - In check mode, what lives in a project or tool the run would create cannot be read yet - it is predicted
    (C(pending) in the report), never a failure.
  - Stops at the first failure (the lock is released), with the message of the module that failed.
  - Runs on the controller only (whatever host the task is for), like the modules it runs, which run as modules with
    the environment variable C(ALLURA_FORGE_RUN_AS_MODULE) set.
options:
  spec:
    description:
      - The project spec, as the C(allura.forge.project) role's C(allura_project) (see C(ansible-doc -t role
        allura.forge.project)), already validated and with any template applied.
    type: dict
    required: true
  parallel:
    description: The modules' O(allura.forge.allura_wiki_page#module:parallel) - requests at once (1 to 16).
    type: int
    default: 8
  report_unmanaged:
    description: The kinds of unmanaged resources to report (the role's C(allura_report_unmanaged)).
    type: list
    elements: str
    choices: [tools, webhooks, pages, posts, tickets]
    default: [tools, webhooks, pages, posts, tickets]
  unmanaged_tickets:
    description: Whether tickets nobody declared are reported as unmanaged (the role's C(allura_unmanaged_tickets)).
    type: bool
    default: false
  purge:
    description: The kinds of unmanaged resources to delete (the role's C(allura_purge)).
    type: list
    elements: str
    default: []
  purge_max:
    description: The most unmanaged items one run may purge in the project (the role's C(allura_purge_max)).
    type: int
    default: 10
  validate_role:
    description:
      - First validate the variables of the C(allura.forge.project) role (C(allura_project) and the others its
        argument spec names, as they are set for this task) against that spec, as the role's own validation task does,
        with its message - nothing is sent on a bad key.
      - For the role's tasks run without that task (its internal C(converge) entry point, which the collection's
        playbooks use - a task less for every project).
    type: bool
    default: false
extends_documentation_fragment:
  - allura.forge.auth
  - allura.forge.attributes
  - allura.forge.lock
  - allura.forge.results
attributes:
  check_mode:
    details: Full, the report predicting what the real run will do.
  diff_mode:
    details: The diffs of every resource, in order.
notes:
  - The connection and lock options given (directly or through C(module_defaults)) are passed on to every module; the
    others take their defaults and C(ALLURA_*) environment fallbacks there.
seealso:
  - name: The project role
    description: The documented interface of the spec, and the report.
    link: https://github.com/allura-forge/allura.forge/blob/main/roles/project/README.md
author:
  - allura.forge developers (@allura-forge)
'''

EXAMPLES = r'''
- name: Converge a project
  allura.forge.allura_project_spec:
    spec:
      name: myproj
      tools: [{tool: wiki, mount_point: docs}]
      wiki: [{mount_point: docs, title: Home, text: "# Docs\n"}]
      tickets: [{summary: Write the docs, labels: [docs]}]
  register: converged

- name: What it did
  ansible.builtin.debug:
    msg: "{{ converged.report | allura.forge.drift_report('summary') }}"
'''

RETURN = r'''
report:
  description: The report of the project - as the role's fact C(allura_project_report) (see the C(project_report) filter).
  returned: unless the project could not be converged
  type: dict
  sample: {"project": "p/myproj", "check_mode": true, "changed": true, "drift": true,
           "summary": {"create": 1, "update": 0, "delete": 0, "none": 3, "changed": 1, "drift": 1, "mismatch": 0,
                       "pending": 0, "setup": 0, "unmanaged": 0},
           "resources": [], "unmanaged": [], "notes": []}
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.allura.forge.plugins.module_utils._module import LOCK_SPEC, argument_spec

ARGUMENT_SPEC = dict(
    spec=dict(type='dict', required=True),
    parallel=dict(type='int', default=8),
    report_unmanaged=dict(type='list', elements='str', choices=['tools', 'webhooks', 'pages', 'posts', 'tickets'],
                          default=['tools', 'webhooks', 'pages', 'posts', 'tickets']),
    unmanaged_tickets=dict(type='bool', default=False),
    purge=dict(type='list', elements='str', default=[]),
    purge_max=dict(type='int', default=10),
    validate_role=dict(type='bool', default=False),
    **LOCK_SPEC,
)


def main():
    module = AnsibleModule(argument_spec=argument_spec(ARGUMENT_SPEC), supports_check_mode=True)
    module.fail_json(msg='allura.forge.allura_project_spec runs on the controller, in its action plugin; it cannot run as a module')


if __name__ == '__main__':
    main()
