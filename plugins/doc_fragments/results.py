# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    # The keys every allura.forge module result may have, as notes: ansible-core 2.19 (the oldest supported) cannot
    # extend RETURN from a fragment, so modules list `allura.forge.results` in DOCUMENTATION.
    DOCUMENTATION = r'''
options: {}
notes:
  - "Every result of the module may also hold: RV(ignore:check_mode) (bool) - whether it ran in check mode, its result then
    being what a real run would do."
  - "RV(ignore:missing) (str), on failure because something the module needs does not exist - V(project), V(tool) (nothing at
    the mount point the module needs), V(item) (the resource itself), V(neighborhood) or V(user). Callers decide from this
    key, never from the message."
  - "RV(ignore:duplicates) (list of int), on failure because resources share the key of the one asked for (tickets with the
    same summary), before any write or after a create when another run created the same resource meanwhile."
  - "RV(ignore:lock_waited) (float) - the seconds the task waited for another run to release the project's lock;
    RV(ignore:lock_holder) (dict: pid, user, host, command, started, since) - the run holding it, in check mode or when
    waiting timed out; RV(ignore:lock_file) (str) - the lease file, when waiting timed out."
'''
