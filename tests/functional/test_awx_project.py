# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""examples/awx_project: the playbooks an AWX / Automation Platform project runs as job templates.

Run as AWX runs them: from a copy of the project directory, with the connection only in the environment (what the
Allura credential injects) and implicit localhost.
"""

from __future__ import annotations

import json
import os
import shutil
import urllib.parse
import urllib.request

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
COLLECTION_ROOT = os.path.dirname(os.path.dirname(HERE))
ADMIN_TOKEN = os.environ.get('ALLURA_ADMIN_TOKEN') or 'a0000000000000000001'
ROOT_TOKEN = os.environ.get('ALLURA_ROOT_TOKEN') or 'a0000000000000000000'


@pytest.mark.scenario
def test_provision_then_the_scheduled_drift_check_fails_only_on_drift(ansible_playbook, sandbox, tmp_path):
    project = tmp_path / 'project'
    shutil.copytree(os.path.join(COLLECTION_ROOT, 'examples', 'awx_project'), project)
    # the example spec of the collection creates p/forge-demo (which needs a neighborhood admin's token)
    shutil.copy(os.path.join(COLLECTION_ROOT, 'examples', 'projects.yml'), project / 'projects.yml')
    reports = '-e', 'drift_report_dir=%s' % tmp_path

    proc = ansible_playbook(str(project / 'provision.yml'), token=ROOT_TOKEN)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    proc = ansible_playbook(str(project / 'drift.yml'), *reports, token=ROOT_TOKEN)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    with open(tmp_path / 'allura-drift.json', encoding='utf-8') as handle:
        assert json.load(handle)['rows'] == []

    body = urllib.parse.urlencode({'text': 'changed behind our back\n'}).encode()
    request = urllib.request.Request(sandbox + '/rest/p/forge-demo/docs/Install', data=body, method='POST',
                                     headers={'Authorization': 'Bearer %s' % ADMIN_TOKEN})
    urllib.request.urlopen(request, timeout=10).close()
    proc = ansible_playbook(str(project / 'drift.yml'), *reports, token=ROOT_TOKEN)
    assert proc.returncode != 0, proc.stdout  # fail_on_drift: the scheduled job fails, and AWX notifies
    with open(tmp_path / 'allura-drift.json', encoding='utf-8') as handle:
        rows = json.load(handle)['rows']
    assert [(row['resource'], row['field']) for row in rows] == [('wiki docs/Install', 'text')]
