# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The report of a drift check, rendered and written on the controller in one task: ansible.builtin.copy would start two
module processes per file (stat, then copy), about half a second each, at the end of every drift check."""

from __future__ import annotations

import datetime
import json
import os

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.plugins.action import ActionBase

from ansible_collections.allura.forge.plugins.modules.allura_drift_report import ARGUMENT_SPEC
from ansible_collections.allura.forge.plugins.plugin_utils._drift import drift_lines, drift_markdown, drift_rows, unmanaged_rows
from ansible_collections.allura.forge.plugins.plugin_utils._files import write_whole


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        validated = ArgumentSpecValidator(ARGUMENT_SPEC).validate(self._task.args)
        if validated.error_messages:
            return dict(result, failed=True, msg=' '.join(validated.error_messages))
        params = validated.validated_parameters
        report = params['report']
        reports, origins, errors = report.get('reports') or [], report.get('origins') or {}, list(report.get('errors') or ())
        if not isinstance(reports, list) or not isinstance(origins, dict):
            return dict(result, failed=True, msg='report must be {reports: [...], origins: {...}, errors: [...]} (as the '
                                                 'allura.forge.drift_merge filter returns it), got keys %s' % sorted(report))
        generated = params['generated'] or datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')
        rows, unmanaged, lines = drift_rows(reports, origins), unmanaged_rows(reports), drift_lines(reports, origins)
        drift = bool(rows or unmanaged)
        result.update(changed=False, drift=drift, rows=rows, unmanaged=unmanaged, lines=lines, errors=errors, files=[],
                      generated=generated)
        if not params['dest']:
            return result
        folder = os.path.abspath(params['dest'])
        texts = {
            params['name'] + '.json': json.dumps(
                {'generated': generated, 'drift': drift, 'lines': lines, 'rows': rows, 'unmanaged': unmanaged,
                 'errors': errors, 'projects': [r.get('project') for r in reports], 'reports': reports, 'origins': origins},
                indent=2, sort_keys=True, separators=(',', ': ')),
            params['name'] + '.md': drift_markdown(reports, generated=generated, origins=origins) + (
                '' if not errors else '\n## Projects that could not be checked\n\n%s\n' % '\n'.join('- ' + e for e in errors)),
        }
        result.update(changed=True, files=[os.path.join(folder, name) for name in texts])
        if self._task.check_mode:
            return result
        try:
            os.makedirs(folder, mode=0o755, exist_ok=True)
            for name, text in texts.items():
                write_whole(os.path.join(folder, name), text)
        except OSError as exc:
            return dict(result, failed=True, changed=False, msg='cannot write the report to %s: %s' % (folder, exc))
        return result
