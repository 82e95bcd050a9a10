#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: allura_project_spec_info
short_description: Read a live Allura project as the spec of the allura.forge.project role
version_added: 0.3.0
description:
  - Reads a project and returns it as the C(allura_project) spec the C(allura.forge.project) role, and the
    C(allura.forge.provision) and C(allura.forge.drift) playbooks, take - the reverse of provisioning. The
    C(allura.forge.capture) playbook writes it to a file.
  - "Reads the parts in O(parts): C(fields) (the project's name, summary, short description, labels, privacy, home page
    and video URL), C(tools) (type, mount point and label of each tool, in the order the project lists them, without
    the tools every project has such as C(admin)), C(link) (the URL of the link tool at mount point C(link)), C(wiki)
    (every page of every wiki, its text and labels), C(tickets) (every ticket of every tracker, oldest first, with
    summary, description, status, assignee, labels, milestone, privacy and custom fields), C(webhooks) (type and URL of
    the webhooks of every repository tool)."
  - Lists are read to their end, and their items O(parallel) at a time.
  - A ticket is found by its summary; one whose summary is shared with another ticket (or that has none) is given by
    its number instead, which finds it in this project only (RV(partial) says so).
  - Webhook secrets cannot be read (they are write-only); each webhook's C(secret) is a template of a variable named
    after the webhook (RV(secrets)), to be defined in a vault.
  - What the spec relies on that the REST API cannot create - the status names, milestones and custom fields a tracker
    needs for these tickets, the project members they are assigned to - is returned as RV(setup).
  - Reading webhooks needs the project's admin permission; private tickets are read only with a token that may read
    them. Never changes anything.
options:
  project:
    description: Shortname of the project.
    type: str
    required: true
  parts:
    description: The parts to read, by default all of them.
    type: list
    elements: str
    choices: [fields, tools, link, wiki, tickets, webhooks]
  ticket_status:
    description:
      - Read only the tickets of these statuses (exact names), for example V([open, pending]); by default every ticket.
      - The REST API cannot tell which statuses count as open, so they are named here.
    type: list
    elements: str
  max_items:
    description:
      - At most this many pages of each wiki and tickets of each tracker (the newest tickets); by default all. The spec is
        then partial, and RV(partial) says what was left out.
    type: int
  parallel:
    description: How many items are read at the same time (1 to 16).
    type: int
    default: 8
extends_documentation_fragment:
  - allura.forge.auth
  - allura.forge.attributes.info_module
  - allura.forge.results
seealso:
  - name: The capture playbook
    description: C(ansible-playbook allura.forge.capture -e capture_projects=myproj) writes the spec to C(myproj.yml).
    link: https://github.com/allura-forge/allura.forge#capture-an-existing-project
author:
  - allura.forge developers (@allura-forge)
'''

EXAMPLES = r'''
- name: The spec of a live project
  allura.forge.allura_project_spec_info:
    project: myproj
  register: captured

- name: Provision it into another project
  ansible.builtin.include_role:
    name: allura.forge.project
  vars:
    allura_project: "{{ captured.spec | combine({'name': 'myproj-copy', 'create': true, 'admin': 'me'}) }}"

- name: Only the open tickets, and the wiki
  allura.forge.allura_project_spec_info:
    project: myproj
    parts: [tickets, wiki]
    ticket_status: [open, unread, accepted, pending]
'''

RETURN = r'''
spec:
  description: The project as an C(allura_project) spec (see C(ansible-doc -t role allura.forge.project)).
  returned: success
  type: dict
  sample: {"name": "myproj", "neighborhood": "p", "fields": {"name": "My Project", "summary": "Tools", "labels": []},
           "tools": [{"tool": "wiki", "mount_point": "wiki", "mount_label": "Wiki"}],
           "wiki": [{"mount_point": "wiki", "title": "Home", "text": "Welcome\n", "labels": []}],
           "webhooks": [{"mount_point": "code", "type": "repo-push", "url": "https://ci.example.org/hook",
                         "secret": "{{ vault_webhook_code_ci_example_org_hook }}"}]}
setup:
  description: What the spec relies on that only the web interface can set up in a project it is provisioned into.
  returned: success
  type: dict
  contains:
    trackers:
      description:
        - Per tracker whose tickets need something - C(mount_point); C(statuses), the status names its tickets use;
          C(milestones), every milestone of its C(_milestone) field, and C(milestones_used); C(custom_fields), by field
          name, the C(kind) of value seen (V(boolean), V(number) or V(text)) and the text C(values) seen; C(assignees).
      type: list
      elements: dict
    members:
      description: The users tickets are assigned to, who must be members of the project.
      type: list
      elements: str
  sample: {"trackers": [{"mount_point": "bugs", "statuses": ["closed", "open"], "milestones": ["1.0", "2.0"],
                         "milestones_used": ["1.0"], "custom_fields": {"_severity": {"kind": "text", "values": ["high"]}},
                         "assignees": ["someone"]}], "members": ["someone"]}
secrets:
  description: The variables the webhook secrets of RV(spec) refer to, with the webhook each one is for.
  returned: success
  type: list
  elements: dict
  sample: [{"variable": "vault_webhook_code_ci_example_org_hook", "mount_point": "code", "type": "repo-push",
            "url": "https://ci.example.org/hook"}]
partial:
  description: What the spec leaves out or holds differently, one sentence each (empty for a complete capture).
  returned: success
  type: list
  elements: str
  sample: ["tracker tickets: the newest 100 of 2345 tickets (capture_max_items)"]
counts:
  description: How many items of each part were read.
  returned: success
  type: dict
  sample: {"fields": 7, "tools": 5, "link": 1, "wiki": 12, "tickets": 230, "webhooks": 1}
source:
  description: Where and when the project was read - C(server_url), C(project) (neighborhood/shortname), C(captured) (UTC),
    and the C(parts) read.
  returned: success
  type: dict
  sample: {"server_url": "https://sourceforge.net", "project": "p/myproj", "captured": "2026-12-03T10:15:02Z",
           "parts": ["fields", "tools", "link", "wiki", "tickets", "webhooks"]}
'''

import time
from urllib.parse import urlsplit

from ansible_collections.allura.forge.plugins.module_utils._capture import PARTS, Capture, capture, checked_parts, setup_needs
from ansible_collections.allura.forge.plugins.module_utils._client import ParameterError
from ansible_collections.allura.forge.plugins.module_utils._module import run_module
from ansible_collections.allura.forge.plugins.module_utils._project import Project
from ansible_collections.allura.forge.plugins.module_utils._read import check_limit
from ansible_collections.allura.forge.plugins.module_utils._state import DEFAULT_PARALLEL, parallel_option

ARGUMENT_SPEC = dict(
    project=dict(type='str', required=True),
    parts=dict(type='list', elements='str', choices=list(PARTS)),
    ticket_status=dict(type='list', elements='str'),
    max_items=dict(type='int'),
    parallel=dict(type='int', default=DEFAULT_PARALLEL),
)


def run(params, client, ctx):
    parts = checked_parts(params.get('parts'))
    if params.get('ticket_status') is not None and not params['ticket_status']:
        raise ParameterError('ticket_status must list at least one status (leave it out to read every ticket)')
    cap = Capture(Project(client, params['neighborhood'], params['project']), parallel=parallel_option(params),
                  ticket_status=params.get('ticket_status'), max_items=check_limit(params, 'max_items'), progress=ctx.progress)
    captured = time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())
    spec = capture(cap, parts)
    server = urlsplit(params['server_url'])
    source = dict(server_url=server._replace(netloc=server.netloc.rpartition('@')[2]).geturl().rstrip('/'),
                  project=cap.project.label, captured=captured, parts=parts)
    return dict(changed=False, spec=spec, setup=setup_needs(cap), secrets=cap.secrets,
                partial=cap.partial + list(ctx.warnings), counts=cap.counts, source=source)


def main():
    run_module(ARGUMENT_SPEC, run)


if __name__ == '__main__':
    main()
