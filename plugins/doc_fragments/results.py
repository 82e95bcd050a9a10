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
'''
