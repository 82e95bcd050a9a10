# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    # Every module is in the action group `allura` (meta/runtime.yml), so both fragments say so.
    # Modules that converge a resource: allura.forge.attributes. A module adds `details` to an
    # attribute only for what is particular to it (its own attributes entries are merged over these).
    DOCUMENTATION = r'''
options: {}
attributes:
  action_group:
    description: Use C(group/allura.forge.allura) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - allura.forge.allura
  check_mode:
    description:
      - Can run in check mode. Reads only, writes nothing, and predicts exactly what a real run reports, with the
        same keys as a real run.
    support: full
  diff_mode:
    description:
      - With C(--diff), shows exactly the fields that differ. Long text is shown as a unified diff of its own;
        secrets are shown as C(<hidden>).
    support: full
'''

    # Read-only modules: allura.forge.attributes.info_module.
    INFO_MODULE = r'''
options: {}
attributes:
  action_group:
    description: Use C(group/allura.forge.allura) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - allura.forge.allura
  check_mode:
    description: Can run in check mode.
    support: full
    details: Read-only; runs the same in check mode.
  diff_mode:
    description: Shows what differs, in diff mode.
    support: none
    details: Read-only; nothing to diff.
'''
