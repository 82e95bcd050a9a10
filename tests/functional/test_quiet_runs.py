# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A run that changes nothing prints no warning: cron users learn to ignore warnings that always appear. (That a
webhook's secret cannot be compared is said once, in the documentation of update_secret.)"""

from __future__ import annotations

import json


QUIET_SPEC = {'allura_projects': [{
    'name': 'test',
    'tools': [{'tool': 'wiki', 'mount_point': 'quiet', 'mount_label': 'Quiet'}],
    'link': 'https://quiet.example.org/',
    'wiki': [{'mount_point': 'quiet', 'title': 'Home', 'text': 'Quiet\n', 'labels': ['a']}],
    'tickets': [{'mount_point': 'bugs', 'summary': 'Quiet ticket', 'status': 'open', 'custom_fields': {'severity': 'high'}}],
    'webhooks': [{'url': 'https://ci.example.org/quiet', 'secret': 'quiet-secret-9Qz'}],
    'access': [{'mount_point': 'quiet', 'user': 'test-user', 'permission': 'edit', 'expected': False}],
}]}

# Ansible's own, about running without an inventory (implicit localhost): not ours to silence.
INVENTORY_WARNINGS = ('No inventory was parsed', 'provided hosts list is empty')


def test_a_run_that_changes_nothing_prints_no_warning(ansible_playbook, sandbox, tmp_path):
    spec = tmp_path / 'spec.json'
    spec.write_text(json.dumps(QUIET_SPEC), encoding='utf-8')
    first = ansible_playbook('allura.forge.provision', '-e', '@%s' % spec)
    assert first.returncode == 0, (first.stdout + first.stderr)[-4000:]
    for args in (('allura.forge.provision',), ('allura.forge.drift', '-e', 'drift_report_dir=')):
        again = ansible_playbook(args[0], '-e', '@%s' % spec, *args[1:])
        assert again.returncode == 0 and 'changed=0' in again.stdout, (again.stdout + again.stderr)[-4000:]
        warnings = [line for line in (again.stdout + again.stderr).splitlines() if line.startswith('[WARNING]')
                    and not any(words in line for words in INVENTORY_WARNINGS)]
        assert warnings == [], (again.stdout + again.stderr)[-4000:]
