# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Test helper: record the `invocation` (the module's resolved options) of every registered task result.

ansible-core 2.19 drops `invocation` from registered results, and 2.21 adds it only with INJECT_INVOCATION;
callbacks get it on both (2.21: with INJECT_INVOCATION). Enabled with ANSIBLE_CALLBACK_PLUGINS pointing here and
ANSIBLE_CALLBACKS_ENABLED=invocations; writes one JSON line per result to $ALLURA_TEST_INVOCATIONS:
{"play": play name, "register": the task's register, "invocation": {...} or null}.
"""

from __future__ import annotations

import json
import os

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'invocations'
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.play = None

    def v2_playbook_on_play_start(self, play):
        self.play = play.get_name()

    def _record(self, result):
        register = result.task.register
        if isinstance(register, dict):  # 2.21 keeps `register: name` as a projection {name: expression}
            register = next(iter(register), None)
        if not register:
            return
        line = dict(play=self.play, register=register, invocation=result.result.get('invocation'))
        with open(os.environ['ALLURA_TEST_INVOCATIONS'], 'a', encoding='utf-8') as handle:
            handle.write(json.dumps(line) + '\n')

    def v2_runner_on_ok(self, result):
        self._record(result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record(result)
