#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: allura_access_info
short_description: Check which permissions users have on an Allura neighborhood, project or tool
version_added: 0.1.0
description:
  - Asks the server's C(has_access) endpoint, once for every pair of O(users) and O(permissions), whether the user
    has the permission - on the neighborhood (no O(project)), on a project (O(project)) or on one of its tools
    (O(project) and O(mount_point)).
  - The checks run a few at a time (O(parallel)). Never changes anything.
  - The caller needs admin permission where the check is made - on the neighborhood (a neighborhood admin; project
    admins are not enough), on the project, or on the tool (project admins have it). Otherwise the server answers
    403 (401 without credentials) and the module fails saying which admin permission is missing.
  - Permission names are checked before anything is asked - against the names of the neighborhood, of a project, or
    of the tool's kind (read from the project JSON, one request) - and an unknown name fails, naming the closest
    known one. The server itself answers any name - V(false) for ordinary users, but V(true) for project admins at
    tool level and for neighborhood admins on projects and tools, because admins get every permission there when no
    rule decides - so a misspelt name would make a check pass or fail depending on who is asked.
  - For a tool of a kind Allura does not ship (a third-party tool), the names cannot be checked; the module asks
    anyway and warns that the server cannot tell an unknown name from a denied permission.
  - Tools without a REST API (such as V(search), V(chat) or V(files)) and the project's V(admin) tool have no
    C(has_access); the module says so before asking anything.
options:
  project:
    description:
      - Shortname of the project. Leave it out to check permissions on the neighborhood itself.
    type: str
  mount_point:
    description:
      - Mount point of a tool of O(project) to check permissions on (for example V(wiki) or V(bugs)).
    type: str
  users:
    description:
      - User names to check. V(*anonymous) is the anonymous user.
    type: list
    elements: str
    required: true
  permissions:
    description:
      - Permission names to check. Each must be a permission of the place checked (else the module fails before
        asking anything, suggesting the closest name).
      - A neighborhood has V(read), V(update), V(admin), V(create) and V(register); a project V(read), V(update),
        V(admin) and V(create).
      - A tool has the names of its kind - V(wiki) V(configure), V(read), V(create), V(edit), V(delete),
        V(unmoderated_post), V(post), V(moderate), V(admin); V(tickets) V(configure), V(read), V(update), V(create),
        V(save_searches), V(unmoderated_post), V(post), V(moderate), V(admin), V(delete); V(discussion) V(configure),
        V(read), V(unmoderated_post), V(post), V(moderate), V(admin); V(blog) V(configure), V(read), V(write),
        V(unmoderated_post), V(post), V(moderate), V(admin); V(link) V(configure), V(read), V(admin); V(git), V(svn)
        and V(hg) V(read), V(write), V(create), V(unmoderated_post), V(post), V(moderate), V(admin), V(configure);
        V(activity) V(configure), V(admin), V(read); a user project's V(profile) V(configure), V(admin).
    type: list
    elements: str
    required: true
  parallel:
    description: How many checks are in flight at once (1 to 16).
    type: int
    default: 8
extends_documentation_fragment:
  - allura.forge.auth
  - allura.forge.attributes.info_module
  - allura.forge.results
seealso:
  - name: 'Allura REST API: has_access'
    description: The permission check of a project (the neighborhood and each tool have one alike).
    link: https://forge-allura.apache.org/p/allura/rest-api-docs#operation/GET_neighborhood-project-has_access
author:
  - allura.forge developers (@allura-forge)
'''

EXAMPLES = r'''
- name: Can these users edit the wiki?
  allura.forge.allura_access_info:
    project: myproj
    mount_point: wiki
    users: [alice, bob]
    permissions: [read, create, edit]
  register: wiki_access

- name: Fail when bob can edit it
  ansible.builtin.assert:
    that: not wiki_access.access.bob.edit

- name: Project-level permissions of a user
  allura.forge.allura_access_info:
    project: myproj
    users: [alice]
    permissions: [read, update, admin]

- name: Neighborhood-level check (needs a neighborhood admin token)
  allura.forge.allura_access_info:
    neighborhood: p
    users: [alice]
    permissions: [register]
'''

RETURN = r'''
access:
  description: For every user, for every permission, whether the user has it.
  returned: success
  type: dict
  sample: {"alice": {"read": true, "create": true}, "bob": {"read": true, "create": false}}
tool:
  description: The kind of the tool at O(mount_point) (its C(name) in the project JSON).
  returned: success, when O(mount_point) is given
  type: str
  sample: wiki
invalid_permissions:
  description: The names of O(permissions) the place checked does not have.
  returned: failure, when a permission name is unknown
  type: list
  elements: str
  sample: [rade]
valid_permissions:
  description: The permission names of the place checked.
  returned: failure, when a permission name is unknown
  type: list
  elements: str
  sample: [configure, read, create, edit, delete, unmoderated_post, post, moderate, admin]
'''

from ansible_collections.allura.forge.plugins.module_utils._allura import (
    answers_has_access, permissions_of, unknown_permission_message, unknown_permissions)
from ansible_collections.allura.forge.plugins.module_utils._client import AlluraError, Denied, ParameterError
from ansible_collections.allura.forge.plugins.module_utils._module import run_module
from ansible_collections.allura.forge.plugins.module_utils._project import Project
from ansible_collections.allura.forge.plugins.module_utils._state import DEFAULT_PARALLEL, parallel_option, read_many

ARGUMENT_SPEC = dict(
    project=dict(type='str'),
    mount_point=dict(type='str'),
    users=dict(type='list', elements='str', required=True),
    permissions=dict(type='list', elements='str', required=True),
    parallel=dict(type='int', default=DEFAULT_PARALLEL),
)


def names(params, option, hint):
    values = params[option] or []
    if not values:
        raise ParameterError('%s must list at least one name' % option)
    for value in values:
        if not value or not value.strip() or value != value.strip():
            raise ParameterError('%s contains %r, which is not a valid name%s' % (option, value, hint))
    return list(dict.fromkeys(values))  # in the order given, each once


class Target:
    """Where has_access is asked, what may be asked there, and how to explain the server's refusals."""

    def __init__(self, client, params):
        self.client = client
        nbhd, shortname, self.mount_point = params['neighborhood'], params['project'], params['mount_point']
        if not nbhd:
            raise ParameterError('neighborhood must not be empty')
        self.project = Project(client, nbhd, shortname) if shortname else None
        if self.mount_point is not None and self.project is None:
            raise ParameterError('mount_point %r needs project: a tool is always part of a project' % self.mount_point)
        if self.mount_point is not None and not self.mount_point:
            raise ParameterError('mount_point must not be empty (leave it out to check permissions on the project)')
        if self.mount_point == 'admin':
            raise ParameterError("mount_point 'admin' is invalid: the project's admin tool has no has_access "
                                 '(leave mount_point out to check permissions on the project)')
        if self.mount_point is not None:
            self.label = 'tool %r of project %s' % (self.mount_point, self.project.label)
            self.path = self.project.path(self.mount_point, 'has_access', trailing_slash=False)
            self.admin = 'a project admin'
            self.level = None  # the tool's kind, known once the project is read (tool())
        elif self.project is not None:
            self.label = 'project %s' % self.project.label
            self.path = self.project.path('has_access', trailing_slash=False)
            self.admin = 'a project admin'
            self.level = 'project'
        else:
            self.label = 'neighborhood %r' % nbhd
            self.path = client.path(nbhd, 'has_access', trailing_slash=False)
            self.admin = 'an admin of neighborhood %r (project admins are not enough)' % nbhd
            self.level = 'neighborhood'
        self.nbhd = nbhd

    def tool(self):
        """The tool's kind from the project JSON, failing before any check when it has no has_access."""
        tool = self.project.require_tool(self.mount_point)
        self.level = tool.get('name')
        if not answers_has_access(self.level, has_rest=bool(tool.get('api_url'))):
            raise AlluraError(self.no_has_access(), missing='item')
        return self.level

    def check_permissions(self, permissions, ctx):
        """Refuse names the level or tool kind does not have, before asking (the server cannot tell them from denied
        ones); for a tool kind Allura does not ship, warn instead."""
        if self.mount_point is not None:
            self.tool()
        if permissions_of(self.level) is None:
            ctx.warn('the %s is a %s tool, a kind allura.forge does not know (a third-party tool): its permission names '
                     'are not checked, and the server answers false for a name the tool does not have (true for admins), '
                     'so a misspelt name cannot be told from a denied permission' % (self.label, self.level))
            return
        where = self.label if self.mount_point is None else 'the %s %s' % (self.level, self.label)
        message = unknown_permission_message('permissions', permissions, self.level, where)
        if message:
            raise ParameterError(message, invalid_permissions=list(unknown_permissions(permissions, self.level)),
                                 valid_permissions=list(permissions_of(self.level)))

    def check(self, pair):
        user, perm = pair
        body = self.client.get_json(self.path, params=dict(user=user, perm=perm), not_found=self.not_found,
                                    denied=Denied('check permissions on the', self.label, 'admin', 'it', self.admin))
        if not isinstance(body, dict) or not isinstance(body.get('result'), bool):
            raise AlluraError('GET %s: unexpected answer %r (expected {"result": true|false})' % (self.path, body))
        return body['result']

    def no_has_access(self):
        return ('the %s (a %s tool) has no has_access: only tools with a REST API have it (the admin tool and tools such '
                'as search, chat or files do not)' % (self.label, self.level))

    def not_found(self):
        """(message, what is missing) for a 404 of has_access."""
        if self.project is None:
            return 'neighborhood %r does not exist (GET %s answered 404)' % (self.nbhd, self.path), 'neighborhood'
        message, missing = self.project.missing(self.mount_point)
        if missing != 'item':
            return message, missing
        return ('GET %s: not found' % self.path if self.mount_point is None else self.no_has_access()), 'item'


def run(params, client, ctx):
    users = names(params, 'users', ' (use *anonymous for the anonymous user)')
    permissions = names(params, 'permissions', '')
    parallel = parallel_option(params)
    target = Target(client, params)
    target.check_permissions(permissions, ctx)
    pairs = [(user, perm) for user in users for perm in permissions]
    # The first check alone: a caller without permission fails on one request, not on all of them.
    answers = [target.check(pairs[0])] + read_many(target.check, pairs[1:], parallel=parallel)
    access = {user: {} for user in users}
    for (user, perm), answer in zip(pairs, answers):
        access[user][perm] = answer
    result = dict(changed=False, access=access)
    if target.mount_point is not None:
        result['tool'] = target.level
    return result


def main():
    run_module(ARGUMENT_SPEC, run)


if __name__ == '__main__':
    main()
