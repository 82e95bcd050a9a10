# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Runs the module's logic on the controller when the task runs there (see plugin_utils/_action.py), showing each part
as it is read."""

from __future__ import annotations

from ansible.utils.display import Display

from ansible_collections.allura.forge.plugins.modules import allura_project_spec_info
from ansible_collections.allura.forge.plugins.plugin_utils._action import AlluraAction

display = Display()


class ActionModule(AlluraAction):
    module = allura_project_spec_info

    def progress(self, message):
        display.display('  capture %s' % message)
