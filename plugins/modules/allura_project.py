#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: allura_project
short_description: Create an Allura project, or report how an existing one differs
version_added: 0.1.0
description:
  - Creates a project through the neighborhood's C(add_project) REST endpoint when it does not exist.
    That endpoint needs a token of a B(neighborhood admin); on SourceForge ordinary users register projects
    in the web interface instead.
  - Allura has no REST endpoint to change project metadata afterwards. For an existing project the given
    fields are compared with the live ones; a difference is reported as drift (changed, with a diff and a
    warning) in check mode, and fails a real run with a message naming the field, the live and the desired
    value, so that it can be fixed in the project's web admin (Admin > Metadata).
options:
  project:
    description: Shortname of the project (3-15 lowercase letters, digits and dashes, not all digits).
    type: str
    required: true
  name:
    description: Display name. Required to create the project.
    type: str
  summary:
    description: One-line summary.
    type: str
  short_description:
    description: The longer description (sent as C(description) to C(add_project), shown as C(short_description) by the API).
    type: str
  labels:
    description: Project labels, compared as a set.
    type: list
    elements: str
  private:
    description: Whether the project is private.
    type: bool
  external_homepage:
    description: The project's external home page URL.
    type: str
  video_url:
    description: URL of a video shown on the project's summary page.
    type: str
  admin:
    description:
      - User name of the project's first admin, required by C(add_project) to create the project.
      - Used only on creation; not compared afterwards (the API does not say who the admins are).
    type: str
  state:
    description: Only V(present); Allura has no REST endpoint to delete a project.
    type: str
    choices: [present]
    default: present
extends_documentation_fragment:
  - allura.forge.auth
  - allura.forge.attributes
  - allura.forge.lock
seealso:
  - name: 'Allura REST API: add_project'
    description: Creates a project in a neighborhood (its admins only).
    link: https://forge-allura.apache.org/p/allura/rest-api-docs#operation/POST_neighborhood-add_project
author:
  - allura.forge developers (@allura-forge)
'''

EXAMPLES = r'''
- name: Make sure the project exists (as a neighborhood admin of a self-hosted Allura)
  allura.forge.allura_project:
    server_url: https://forge.example.org
    token: "{{ vault_allura_admin_token }}"
    project: myproj
    name: My Project
    summary: Tools for the rest of us
    labels: [python, cli]
    admin: jdoe

- name: Check the metadata of a SourceForge project for drift
  allura.forge.allura_project:
    project: myproj
    summary: Tools for the rest of us
  check_mode: true
  diff: true
'''

RETURN = r'''
project:
  description: The project JSON as the server returns it after the run (the prediction in check mode).
  returned: success
  type: dict
  sample: {"shortname": "myproj", "name": "My Project", "summary": "Tools for the rest of us", "labels": ["cli", "python"]}
action:
  description: What was done (or would be done in check mode) - V(create), V(update) (drift, check mode only) or V(none).
  returned: success
  type: str
extends_documentation_fragment:
  - allura.forge.results
'''

import re

from ansible_collections.allura.forge.plugins.module_utils._client import AlluraError, Denied, ParameterError
from ansible_collections.allura.forge.plugins.module_utils._module import LOCK_SPEC, run_module
from ansible_collections.allura.forge.plugins.module_utils._project import Project
from ansible_collections.allura.forge.plugins.module_utils._state import CreatedMeanwhile, Field, converge, result

ARGUMENT_SPEC = dict(
    project=dict(type='str', required=True),
    **LOCK_SPEC,
    name=dict(type='str'),
    summary=dict(type='str'),
    short_description=dict(type='str'),
    labels=dict(type='list', elements='str'),
    private=dict(type='bool'),
    external_homepage=dict(type='str'),
    video_url=dict(type='str'),
    admin=dict(type='str'),
    state=dict(type='str', choices=['present'], default='present'),
)

SHORTNAME = re.compile(r'^(?!-)(?![0-9]+$)[a-z0-9-]{3,15}(?<!-)$')
WHERE = "in the project's web admin (Admin > Metadata)"
FIELDS = dict(
    name=Field(create_only=True, where=WHERE),
    summary=Field(create_only=True, where=WHERE),
    short_description=Field(create_only=True, where=WHERE),
    labels=Field(normalise=lambda v: sorted(set(v or ())), create_only=True, where=WHERE),
    private=Field(normalise=bool, create_only=True, where=WHERE),
    external_homepage=Field(create_only=True, where=WHERE),
    video_url=Field(create_only=True, where=WHERE),
)
# add_project's JSON keys for our option names
BODY_KEYS = dict(short_description='description')


def run(params, client, ctx):
    if not SHORTNAME.match(params['project'] or ''):
        raise ParameterError('project %r is not a valid shortname: use 3-15 lowercase letters, digits and dashes, '
                             'not all digits, not starting or ending with a dash' % params['project'])
    project = Project(client, params['neighborhood'], params['project'])
    desired = {name: params.get(name) for name in FIELDS}

    live = project.exists()
    if live is None and not (desired['name'] and params['admin']):
        raise ParameterError('project %s does not exist; creating it needs name and admin (got name=%r, admin=%r)'
                             % (project.label, desired['name'], params['admin']), missing='project')

    def create(wanted):
        body = dict((BODY_KEYS.get(k, k), v) for k, v in wanted.items())
        body.update(shortname=params['project'], admin=params['admin'])
        nbhd = params['neighborhood']
        try:
            client.request('POST', client.path(nbhd, 'add_project', trailing_slash=False), json=body, expect=(201,),
                           recheck=project.exists, not_found=lambda: ('neighborhood %r does not exist' % nbhd, 'neighborhood'),
                           denied=Denied('create', 'project %s' % project.label, 'admin', 'neighborhood %r' % nbhd,
                                         'an admin of neighborhood %r (add_project)' % nbhd))
        except AlluraError as exc:
            live = project.exists() if exc.status == 400 else None  # "This project name is taken.": made meanwhile?
            if live is not None:
                raise CreatedMeanwhile(live)
            raise
        return project.read(refresh=True)

    outcome = converge(ctx, 'project %s' % project.label, FIELDS, live, desired, create=create)
    return result(ctx, 'project', outcome)


def main():
    run_module(ARGUMENT_SPEC, run)


if __name__ == '__main__':
    main()
