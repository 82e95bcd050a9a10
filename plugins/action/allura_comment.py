# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Runs the module's logic on the controller when the task runs there (see plugin_utils/_action.py)."""

from __future__ import annotations

from ansible_collections.allura.forge.plugins.modules import allura_comment
from ansible_collections.allura.forge.plugins.plugin_utils._action import AlluraAction


class ActionModule(AlluraAction):
    module = allura_comment
