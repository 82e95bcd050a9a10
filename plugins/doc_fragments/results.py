# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    # The keys every allura.forge module result may have: in each module's RETURN as
    # `extends_documentation_fragment: [allura.forge.results]`.
    RETURN = r'''
check_mode:
  description: Whether the module ran in check mode; its result is then what a real run would do, not what was done.
  returned: whenever the module ran (not when its options fail validation)
  type: bool
  sample: false
missing:
  description:
    - When the module failed because something it needs does not exist, what that is - V(project), V(tool) (nothing at
      the mount point the module needs), V(item) (the page, ticket or other resource itself), V(neighborhood), or
      V(user).
    - Callers decide from this key, never from the message (the C(allura.forge.project) role predicts what lives in a
      project or tool that a check run would create first).
  returned: on failure, when something does not exist
  type: str
  choices: [project, tool, item, neighborhood, user]
  sample: tool
duplicates:
  description:
    - The numbers of the resources that share the key of the one a task asked for (tickets with the same summary), when
      the task failed because of them; the message says how to resolve it.
    - After a create, when another run created the same resource meanwhile (a run on another controller, or one without
      the lock); or before any write, when the key already finds more than one.
  returned: on failure, when resources share a key
  type: list
  elements: int
  sample: [31, 57]
lock_waited:
  description: How many seconds the task waited for another run to release the lock of the project (option C(lock)).
  returned: when a module that changes a project waited for its lock
  type: float
  sample: 12.5
lock_holder:
  description:
    - The other run that holds the lock of the project - its process id, user, host, command, when it started and since
      when it holds the lock.
    - In check mode, the run converging the project while this one reads it (nothing waits); on failure, the run the task
      waited for until C(lock_timeout).
  returned: when another run holds the lock (check mode), or when waiting for it timed out
  type: dict
  sample: {"pid": 4242, "user": "ci", "host": "runner-1", "command": "ansible-playbook", "started": "2026-11-30 10:00:00 UTC",
           "since": "2026-11-30 10:00:02 UTC"}
lock_file:
  description: The lease file of the lock, when waiting for it timed out.
  returned: when waiting for the lock timed out
  type: str
  sample: /home/ci/.ansible/tmp/allura.forge-locks/sourceforge.net-p-myproj-1f2e3d4c5b6a.lock
'''
