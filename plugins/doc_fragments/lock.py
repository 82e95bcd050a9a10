# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    # The lock options every module that changes a project takes (module_utils/_module.py LOCK_SPEC).
    DOCUMENTATION = r'''
options:
  lock:
    description:
      - Hold the lock of the project on this server while the task runs, so that two runs on this controller never
        converge the project at the same time (Allura itself cannot refuse a second ticket with the same summary).
      - A run that finds the project locked by another run waits for it to end, up to O(lock_timeout).
      - The lock belongs to the C(ansible-playbook) process, not to the task; its tasks never wait for each other,
        and M(allura.forge.allura_lock) (the C(allura.forge.project) role does) holds it across many tasks.
        A lock whose run has ended, however it ended, is taken over at once.
      - In check mode nothing is locked and nothing waits; a task that finds another run converging the project says
        so in a warning naming it, as what it reports may change when that run ends.
      - It keeps apart the runs of one controller (one host and user, or one O(lock_dir)). Runs on different controllers
        are not; in AWX and Automation Platform, leave "Concurrent Jobs" off in the job templates that converge a
        project. What the lock cannot prevent is detected after the fact (see the README's Locking section).
      - Falls back to E(ALLURA_LOCK).
    type: bool
    default: true
  lock_timeout:
    description:
      - How many seconds to wait for another run to release the lock of the project before failing with a message
        that names that run (process id, user, host, start time). V(0) fails at once.
      - Falls back to E(ALLURA_LOCK_TIMEOUT).
    type: float
    default: 600
  lock_dir:
    description:
      - The directory of the lock files (created when missing), on a local file system of the controller. Runs share
        locks when they use the same directory, for example runs of different users on one host with a directory
        writable by all of them (runs of one user share the default).
      - Falls back to E(ALLURA_LOCK_DIR).
    type: path
    default: ~/.ansible/tmp/allura.forge-locks
'''
