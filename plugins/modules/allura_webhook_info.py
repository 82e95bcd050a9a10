#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: allura_webhook_info
short_description: Read the webhooks of an Allura repository tool, or of every repository tool of a project
version_added: 0.2.0
description:
  - Returns the webhooks of the repository tool at O(mount_point), or, without it, of every repository tool
    (Git, SVN, Mercurial) of the project, read O(parallel) at a time; and how many of each type a tool may have.
  - A webhook's secret cannot be read back from the server (it is write-only) and is never part of the result.
  - Reading webhooks needs the project's admin permission. Never changes anything.
options:
  project:
    description: Shortname of the project.
    type: str
    required: true
  mount_point:
    description: Mount point of one repository tool; by default every repository tool of the project.
    type: str
  parallel:
    description: How many repository tools are read at the same time (1 to 16).
    type: int
    default: 8
extends_documentation_fragment:
  - allura.forge.auth
  - allura.forge.attributes.info_module
  - allura.forge.results
author:
  - allura.forge developers (@allura-forge)
'''

EXAMPLES = r'''
- name: Every webhook of the project
  allura.forge.allura_webhook_info:
    project: myproj
  register: hooks

- name: The URLs that hear about pushes to the code repository
  ansible.builtin.debug:
    msg: "{{ hooks.webhooks | selectattr('mount_point', 'equalto', 'code') | map(attribute='hook_url') | list }}"
'''

RETURN = r'''
webhooks:
  description: The webhooks, by tool in the project's order; never a secret.
  returned: success
  type: list
  elements: dict
  contains:
    id:
      description: The webhook's id.
      type: str
    mount_point:
      description: Mount point of its repository tool.
      type: str
    type:
      description: What it fires on (V(repo-push)).
      type: str
    hook_url:
      description: The URL the server posts to.
      type: str
    url:
      description: The webhook's own REST URL.
      type: str
    mod_date:
      description: When it was last changed.
      type: str
  sample: [{"id": "6b0a6aab09bf77c467db0160", "mount_point": "code", "type": "repo-push",
            "hook_url": "https://ci.example.org/hook", "url": "https://sourceforge.net/rest/p/myproj/admin/code/webhooks/repo-push/6b0a6aab09bf77c467db0160",
            "mod_date": "2026-01-31 10:00:00"}]
limits:
  description: By mount point, for each webhook type, the most webhooks the tool may have (C(max)) and how many it has (C(used)).
  returned: success
  type: dict
  sample: {"code": {"repo-push": {"max": 3, "used": 1}}}
'''

from ansible_collections.allura.forge.plugins.module_utils._client import AlluraError
from ansible_collections.allura.forge.plugins.module_utils._module import run_module
from ansible_collections.allura.forge.plugins.module_utils._project import Project
from ansible_collections.allura.forge.plugins.module_utils._read import read_checked
from ansible_collections.allura.forge.plugins.module_utils._state import DEFAULT_PARALLEL, parallel_option, read_many

ARGUMENT_SPEC = dict(
    project=dict(type='str', required=True),
    mount_point=dict(type='str'),
    parallel=dict(type='int', default=DEFAULT_PARALLEL),
)

REPOSITORY_TOOLS = ('git', 'svn', 'hg')
KEYS = ('url', 'type', 'hook_url', 'mod_date')  # what a listed webhook shows: never a secret


def run(params, client, ctx):
    project = Project(client, params['neighborhood'], params['project'])
    parallel = parallel_option(params)

    def listing(mount_point):
        return client.get_json(project.path('admin', mount_point, 'webhooks', trailing_slash=False),
                               not_found=project.not_found(mount_point))

    mount_point = params.get('mount_point')
    if mount_point is not None:
        mounts = [mount_point]
        bodies = [read_checked(project, mount_point, REPOSITORY_TOOLS, 'allura_webhook_info', lambda: listing(mount_point))]
    else:
        mounts = [tool['mount_point'] for tool in project.tools() if tool.get('name') in REPOSITORY_TOOLS]
        bodies = read_many(listing, mounts, parallel)
    webhooks, limits = [], {}
    for mount, body in zip(mounts, bodies):
        if not isinstance(body.get('webhooks'), list):  # a broken listing must not look like a repository without webhooks
            raise AlluraError('the webhook list of %s %s has no list of webhooks' % (project.label, mount))
        limits[mount] = body.get('limits') or {}
        webhooks += [dict({key: hook.get(key) for key in KEYS}, id=hook.get('_id'), mount_point=mount) for hook in body['webhooks']]
    return dict(changed=False, webhooks=webhooks, limits=limits)


def main():
    run_module(ARGUMENT_SPEC, run)


if __name__ == '__main__':
    main()
