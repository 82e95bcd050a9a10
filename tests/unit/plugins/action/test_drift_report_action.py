# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""allura_drift_report: the drift report rendered and written on the controller, whole or not at all."""

from __future__ import annotations

import json
import os
import types

import pytest

from ansible.playbook.task import Task

from ansible_collections.allura.forge.plugins.action import allura_drift_report as action
from ansible_collections.allura.forge.plugins.plugin_utils._drift import drift_markdown

DIFFERENT = {'project': 'p/a', 'check_mode': True, 'resources': [
    {'kind': 'link', 'resource': 'link link', 'action': 'update', 'changed': True, 'drift': True, 'mismatch': False,
     'changes': [{'field': 'url', 'live': 'https://old/', 'desired': 'https://new/'}]}], 'unmanaged': [], 'notes': []}
SAME = {'project': 'p/b', 'check_mode': True, 'resources': [], 'unmanaged': [], 'notes': []}


def run(check_mode=False, **args):
    task = Task()
    task.args = args
    task.check_mode = check_mode
    module = action.ActionModule(task, types.SimpleNamespace(_shell=types.SimpleNamespace(tmpdir='unused')), None, None, None, None)
    return module.run(task_vars={})


def test_the_report_is_written_as_json_and_markdown(tmp_path):
    report = {'reports': [DIFFERENT, SAME], 'origins': {}, 'errors': ['p/c: no permission']}
    result = run(report=report, dest=str(tmp_path / 'out'), name='nightly', generated='2026-12-04T10:00:00Z')
    assert not result.get('failed'), result
    assert result['drift'] is True and [row['resource'] for row in result['rows']] == ['link link']
    assert result['files'] == [str(tmp_path / 'out' / 'nightly.json'), str(tmp_path / 'out' / 'nightly.md')]
    written = json.loads((tmp_path / 'out' / 'nightly.json').read_text(encoding='utf-8'))
    assert written['projects'] == ['p/a', 'p/b'] and written['errors'] == ['p/c: no permission']
    assert written['rows'] == result['rows'] and written['generated'] == '2026-12-04T10:00:00Z' and written['drift'] is True
    markdown = (tmp_path / 'out' / 'nightly.md').read_text(encoding='utf-8')
    assert markdown == drift_markdown([DIFFERENT, SAME], generated='2026-12-04T10:00:00Z', origins={}) + (
        '\n## Projects that could not be checked\n\n- p/c: no permission\n')
    assert oct(os.stat(tmp_path / 'out' / 'nightly.md').st_mode & 0o777) == '0o644'
    assert sorted(os.listdir(tmp_path / 'out')) == ['nightly.json', 'nightly.md']  # no temporary file left


def test_without_dest_or_in_check_mode_nothing_is_written(tmp_path):
    result = run(report={'reports': [SAME]})
    assert result['files'] == [] and result['drift'] is False and result['lines'] == ['no drift: 1 project matches the spec']
    result = run(check_mode=True, report={'reports': [SAME]}, dest=str(tmp_path / 'out'))
    assert result['files'] == [str(tmp_path / 'out' / 'allura-drift.json'), str(tmp_path / 'out' / 'allura-drift.md')]
    assert not (tmp_path / 'out').exists()


def test_a_file_that_cannot_be_written_fails_and_leaves_the_old_one(tmp_path):
    (tmp_path / 'allura-drift.json').write_text('old', encoding='utf-8')
    os.mkdir(tmp_path / 'allura-drift.md')  # the Markdown file cannot replace a directory
    result = run(report={'reports': [SAME]}, dest=str(tmp_path))
    assert result['failed'] and result['msg'].startswith('cannot write the report to %s: ' % tmp_path)
    assert sorted(os.listdir(tmp_path)) == ['allura-drift.json', 'allura-drift.md']


@pytest.mark.parametrize('args, message', [
    ({'report': 'p/a'}, "report"),
    ({'report': {'reports': 'p/a'}}, 'report must be {reports: [...]'),
    ({'report': {'reports': []}, 'nmae': 'x'}, 'nmae'),
])
def test_bad_input_names_the_option(args, message, tmp_path):
    result = run(**args)
    assert result['failed'] and message in result['msg'], result
