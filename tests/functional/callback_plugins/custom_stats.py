# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Test helper: write the run's global custom stats (set_stats without per_host) to $ALLURA_TEST_CUSTOM_STATS as JSON -
what AWX/AAP keeps as a job's artifacts (its runner callback reads the same stats.custom['_run'] at the end of the run).
Enabled with ANSIBLE_CALLBACK_PLUGINS pointing here and ANSIBLE_CALLBACKS_ENABLED=custom_stats.
"""

from __future__ import annotations

import json
import os

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'custom_stats'
    CALLBACK_NEEDS_ENABLED = True

    def v2_playbook_on_stats(self, stats):
        with open(os.environ['ALLURA_TEST_CUSTOM_STATS'], 'w', encoding='utf-8') as handle:
            json.dump(stats.custom.get('_run', {}), handle)
