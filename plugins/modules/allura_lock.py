#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: allura_lock
short_description: Hold the lock of an Allura project across many tasks
version_added: 0.2.0
description:
  - Every module that changes a project holds the project's lock while its task runs, so that two runs on this
    controller never converge one project at the same time (see O(lock)). This module holds the lock of a project for
    the run - from this task until a task with O(state=released), or until the C(ansible-playbook) process ends - so
    that no other run changes the project between the tasks. The C(allura.forge.project) role holds it from its first
    task to its last.
  - The lock belongs to the C(ansible-playbook) process; its own tasks enter the lock freely, without waiting.
  - With O(state=held), a project locked by another run is waited for, up to O(lock_timeout), with a message naming
    that run when the wait starts, and a failure naming it (process id, user, host, start time) when the wait ends.
    The lock of a run that has ended (however it ended - a crash, a kill, a reboot) is taken over at once.
  - In check mode nothing is locked and nothing waits; another run converging the project is named in a warning.
  - Runs on the controller only (whatever host the task is for); the lock is the controller's.
options:
  project:
    description: Shortname of the project.
    type: str
    required: true
  state:
    description:
      - V(held) takes the lock for this run (or keeps it, when this run holds it already); V(released) gives it back
        (nothing happens when this run does not hold it).
    type: str
    choices: [held, released]
    default: held
extends_documentation_fragment:
  - allura.forge.auth
  - allura.forge.attributes
  - allura.forge.lock
attributes:
  check_mode:
    details: Takes nothing and waits for nothing; warns when another run holds the lock.
  diff_mode:
    support: none
    details: Nothing to diff.
notes:
  - The lock is named by O(server_url), O(neighborhood) and O(project); no request is sent to the server, and the
    other connection options are accepted (for C(module_defaults)) and unused.
seealso:
  - name: Locking
    description: How runs are kept apart, and what is detected when they are not (the collection's README).
    link: https://github.com/allura-forge/allura.forge/blob/main/README.md#locking
author:
  - allura.forge developers (@allura-forge)
'''

EXAMPLES = r'''
- name: Converge a project with tasks of our own, no other run in between
  block:
    - name: Lock the project for this run
      allura.forge.allura_lock:
        project: myproj
        lock_timeout: 1800          # wait up to half an hour for a run that is converging it

    - name: Tools
      allura.forge.allura_tool:
        project: myproj
        tools: [{tool: wiki, mount_point: docs}]

    - name: Tickets
      allura.forge.allura_ticket:
        project: myproj
        tickets: [{summary: Write the docs}]
  always:
    - name: Release the lock
      allura.forge.allura_lock:
        project: myproj
        state: released
'''

RETURN = r'''
lock_file:
  description: The lease file of the lock (it exists while a run holds the lock).
  returned: unless O(lock=false)
  type: str
  sample: /home/ci/.ansible/tmp/allura.forge-locks/sourceforge.net-p-myproj-1f2e3d4c5b6a.lock
extends_documentation_fragment:
  - allura.forge.results
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.allura.forge.plugins.module_utils._module import LOCK_SPEC, argument_spec

ARGUMENT_SPEC = dict(
    project=dict(type='str', required=True),
    state=dict(type='str', choices=['held', 'released'], default='held'),
    **LOCK_SPEC,
)


def main():
    module = AnsibleModule(argument_spec=argument_spec(ARGUMENT_SPEC), supports_check_mode=True)
    module.fail_json(msg='allura.forge.allura_lock runs on the controller, in its action plugin; it cannot run as a module')


if __name__ == '__main__':
    main()
