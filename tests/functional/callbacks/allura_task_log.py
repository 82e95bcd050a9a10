# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A test-only callback: one JSON line per task result (play, task, role, status, changed) into $ALLURA_TASK_LOG.

It lets one ansible-playbook run hold several plays (check mode entered several ways, then the real run) and
still compare, play by play, which tasks changed something, as a PLAY RECAP cannot (it sums over the plays).
"""

from __future__ import annotations

import json
import os

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = r'''
name: allura_task_log
type: aggregate
short_description: Log every task result as a JSON line (tests only)
description: Writes one JSON line per task result into the file named by the environment variable ALLURA_TASK_LOG.
'''


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'allura_task_log'
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self):
        super().__init__()
        self.play, self.plays = None, 0

    def v2_playbook_on_play_start(self, play):
        self.play, self.plays = play.get_name(), self.plays + 1

    def log(self, result, status):
        task = result._task
        line = dict(play=self.play, play_number=self.plays, task=task.get_name(), status=status,
                    role=task._role.get_name() if task._role else None, changed=bool(result._result.get('changed')))
        with open(os.environ['ALLURA_TASK_LOG'], 'a', encoding='utf-8') as handle:
            handle.write(json.dumps(line) + '\n')

    def v2_runner_on_ok(self, result):
        self.log(result, 'ok')

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self.log(result, 'failed')

    def v2_runner_on_skipped(self, result):
        self.log(result, 'skipped')
