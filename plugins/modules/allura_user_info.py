#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: allura_user_info
short_description: Read the public profile of an Allura user
version_added: 0.1.0
description:
  - "Returns a user's profile (C(GET /rest/u/<username>/profile)): name, join date, localization,
    web pages, skills and the projects the caller can see."
  - Useful to check that a user exists before assigning tickets to them. Never changes anything.
options:
  username:
    description: The user name.
    type: str
    required: true
extends_documentation_fragment:
  - allura.forge.auth
  - allura.forge.attributes.info_module
seealso:
  - name: 'Allura REST API: user profile'
    description: A user's public profile.
    link: https://forge-allura.apache.org/p/allura/rest-api-docs#operation/GET_u-username-profile
author:
  - allura.forge developers (@allura-forge)
'''

EXAMPLES = r'''
- name: Check that the future assignee exists
  allura.forge.allura_user_info:
    username: jdoe
  register: who

- name: List their projects
  ansible.builtin.debug:
    msg: "{{ who.user.projects | map(attribute='name') | list }}"
'''

RETURN = r'''
user:
  description: The profile as the server returns it.
  returned: success
  type: dict
  sample: {"username": "jdoe", "name": "Jane Doe", "joined": "2020-01-31 10:00:00", "projects": []}
extends_documentation_fragment:
  - allura.forge.results
'''

from ansible_collections.allura.forge.plugins.module_utils._client import ParameterError
from ansible_collections.allura.forge.plugins.module_utils._module import run_module

ARGUMENT_SPEC = dict(
    username=dict(type='str', required=True),
)


def run(params, client, ctx):
    username = params['username']
    if not username:
        raise ParameterError('username must not be empty')
    profile = client.get_json(client.path('u', username, 'profile'),
                              not_found=lambda: ('user %r does not exist (or is disabled)' % username, 'user'))
    return dict(changed=False, user=profile)


def main():
    run_module(ARGUMENT_SPEC, run)


if __name__ == '__main__':
    main()
