# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Holds or releases the lock of a project for the run, on the controller (see plugin_utils/_lock.py)."""

from __future__ import annotations

from ansible_collections.allura.forge.plugins.modules import allura_lock
from ansible_collections.allura.forge.plugins.plugin_utils._action import AlluraAction, display, waited_for


class ActionModule(AlluraAction):
    module = allura_lock

    def converge(self, *args):
        return dict(changed=False)  # the lock is all there is to it (below)

    def locked(self, params, work):
        lock = self.project_lock(params)
        if lock is None:
            return work()
        out = dict(work(), lock_file=lock.path)
        if self._task.check_mode:
            return dict(out, **self.peek(lock)) if params['state'] == 'held' else out
        if params['state'] == 'released':
            lock.leave(hold=True)
            return out
        return dict(out, **waited_for(lock.enter(params['lock_timeout'], hold=True, on_wait=display.display)))
