#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: allura_export
short_description: Start a bulk export of Allura project tools and wait for it
version_added: 0.1.0
description:
  - Starts Allura's bulk export of the chosen tools of a project (C(POST .../admin/export)) and, by default,
    waits until the server reports it finished (C(GET .../admin/export_status)).
  - The server writes the export as a zip file on its own disk (its C(bulk_export_path)); the REST API does not
    download it. On SourceForge the project admins get the download instructions.
  - Only one export per project runs at a time. An export that is already running is waited out (up to
    O(wait_timeout)), then this one is started.
  - Every requested mount point is checked before anything is sent, it must exist and be exportable
    (tool types admin, wiki, tickets, discussion, blog, link; repositories are not).
  - An export always counts as a change.
  - Needs a token of a project admin.
options:
  project:
    description: Shortname of the project.
    type: str
    required: true
  tools:
    description:
      - Mount points of the tools to export, for example V([wiki, tickets]). V(admin) exports the project metadata.
      - Compared exactly (case-sensitive) with the mount points of the project.
    type: list
    elements: str
    required: true
  wait:
    description:
      - Wait until the export has finished (RV(status) V(ready)).
      - With V(false) the module returns as soon as the export is started (RV(status) V(in progress)).
    type: bool
    default: true
  wait_timeout:
    description:
      - The longest time in seconds the module waits in all, for an export that is already running and for its own.
      - When an export that was already running does not finish in time, nothing is started and the module fails.
        When its own export does not finish in time, the module fails, reporting the export as started (changed).
    type: int
    default: 600
  poll_interval:
    description: Seconds between two reads of the export status while waiting.
    type: float
    default: 5
  with_attachments:
    description: Include the attachments of the exported artifacts (tickets, wiki pages, ...) in the zip.
    type: bool
    default: false
extends_documentation_fragment:
  - allura.forge.auth
  - allura.forge.attributes
attributes:
  check_mode:
    details: Checks the tools and reads the export status; starts nothing and reports changed, as a real run would.
  diff_mode:
    details: Shows the tools that are (or would be) exported.
notes:
  - The server has no export job id. A status V(ready) means that no export of the project is running any more,
    not that the zip file exists (when every tool fails to export, no file is written).
seealso:
  - name: 'Allura REST API: export'
    description: Starts a bulk export of project tools.
    link: https://forge-allura.apache.org/p/allura/rest-api-docs#operation/POST_neighborhood-project-admin-export
  - name: 'Allura REST API: export_status'
    description: Whether an export is running.
    link: https://forge-allura.apache.org/p/allura/rest-api-docs#operation/GET_neighborhood-project-admin-export_status
author:
  - allura.forge developers (@allura-forge)
'''

EXAMPLES = r'''
- name: Back up the wiki and the tickets of a project, waiting for the export
  allura.forge.allura_export:
    project: myproj
    tools: [wiki, tickets, admin]
    token: "{{ vault_sourceforge_token }}"
  register: backup

- name: Show the file the server wrote
  ansible.builtin.debug:
    msg: "{{ backup.filename }} ({{ backup.waited }} s)"

- name: Start an export with attachments and do not wait for it
  allura.forge.allura_export:
    project: myproj
    tools: [tickets]
    with_attachments: true
    wait: false
'''

RETURN = r'''
action:
  description: Always V(export).
  returned: success
  type: str
  sample: export
tools:
  description: The mount points exported, in the order sent.
  returned: success
  type: list
  elements: str
  sample: [wiki, tickets]
filename:
  description:
    - Name of the zip file the server writes in its export directory.
    - Null in check mode, and when the server's answer to the start was lost and a re-read showed the export running.
  returned: success
  type: str
  sample: myproj-backup-2026-11-28-054623.zip
status:
  description: V(ready) when the module waited for the export to finish, V(in progress) with O(wait=false).
  returned: success
  type: str
  sample: ready
waited:
  description: Seconds the module spent waiting, for an export already running and for its own (0 in check mode).
  returned: success
  type: float
  sample: 12.5
extends_documentation_fragment:
  - allura.forge.results
'''

import time

from ansible_collections.allura.forge.plugins.module_utils._allura import EXPORTABLE_TOOLS
from ansible_collections.allura.forge.plugins.module_utils._client import (
    RETRY_STATUSES, AlluraError, Denied, ParameterError, server_message)
from ansible_collections.allura.forge.plugins.module_utils._module import run_module
from ansible_collections.allura.forge.plugins.module_utils._project import Project

ARGUMENT_SPEC = dict(
    project=dict(type='str', required=True),
    tools=dict(type='list', elements='str', required=True),
    wait=dict(type='bool', default=True),
    wait_timeout=dict(type='int', default=600),
    poll_interval=dict(type='float', default=5),
    with_attachments=dict(type='bool', default=False),
)

# A 503 from export means "an export is already running" (REFERENCE 5.6): handled here, never blindly retried.
EXPORT_RETRY_STATUSES = RETRY_STATUSES - {503}


def checked_params(params):
    if params['wait_timeout'] is None or params['wait_timeout'] < 0:
        raise ParameterError('wait_timeout must be 0 or more seconds, got %r' % params['wait_timeout'])
    if params['poll_interval'] is None or params['poll_interval'] <= 0:
        raise ParameterError('poll_interval must be a positive number of seconds, got %r' % params['poll_interval'])
    tools = []
    for item in params['tools'] or []:
        name = (item or '').strip()
        if not name or ',' in name or '/' in name:
            raise ParameterError('tools item %r is invalid: give one mount point per item, such as wiki' % item)
        if name not in tools:
            tools.append(name)
    if not tools:
        raise ParameterError('tools must list at least one mount point to export, such as [wiki, tickets]')
    return tools


def check_exportable(project, tools):
    """Every mount point exists and is exportable, or one error naming all that are not."""
    kinds = {t.get('mount_point'): t.get('name') for t in project.tools()}
    kinds.setdefault('admin', 'admin')  # the project metadata; only admins see the tool listed
    problems = []
    for name in tools:
        if name not in kinds:
            problems.append('project %s has no tool at mount point %r' % (project.label, name))
        elif kinds[name] not in EXPORTABLE_TOOLS:
            problems.append('%r is a %s tool, which Allura cannot export' % (name, kinds[name]))
    if problems:
        fitting = sorted(mp for mp, kind in kinds.items() if kind in EXPORTABLE_TOOLS)
        raise ParameterError('tools: %s (exportable tools of %s: %s)' % ('; '.join(problems), project.label, ', '.join(fitting)),
                             **({'missing': 'tool'} if any(name not in kinds for name in tools) else {}))


class Export:

    def __init__(self, client, project, clock, deadline, interval):
        self.client = client
        self.project = project
        self.clock = clock
        self.deadline = deadline
        self.interval = interval
        self.status_path = project.path('admin', 'export_status', trailing_slash=False)
        self.path = project.path('admin', 'export', trailing_slash=False)
        self.denied = Denied('export', 'project %s' % project.label, 'admin', 'the project', 'a project admin')

    def busy(self):
        return self.client.get_json(self.status_path, denied=self.denied).get('status') != 'ready'

    def pause(self):
        """Sleep one poll interval; False when the deadline has passed."""
        left = self.deadline - self.clock()
        if left <= 0:
            return False
        self.client.sleep(min(self.interval, left))
        return True

    def wait_ready(self):
        """Poll until no export of the project runs; False when the deadline passed first."""
        while self.busy():
            if not self.pause():
                return False
        return True

    def start(self, form):
        """POST export, waiting out an export that is running; returns the server's answer."""
        while True:
            if not self.wait_ready():
                raise AlluraError('an export of project %s was already running and has not finished within wait_timeout; '
                                  'nothing was started (raise wait_timeout or run again later)' % self.project.label)
            response = self.client.post(self.path, form, expect=(200, 503), retry_statuses=EXPORT_RETRY_STATUSES,
                                        recheck=self._started, not_found=self._disabled,
                                        denied=self.denied)
            if isinstance(response, dict):
                self.client.warn('the server did not say which file the export of %s writes (filename unknown)' % self.project.label)
                return response
            if response.status_code == 200:
                return response.json()
            if not self.pause():  # 503: another export started in between; wait for it too
                raise AlluraError('POST %s: the server still refuses to start an export of %s at the end of wait_timeout (%s); '
                                  'nothing was started' % (self.path, self.project.label, server_message(response) or 'HTTP 503'),
                                  status=503, method='POST', path=self.path)

    def _started(self):
        """After an ambiguous failure: an export now running is the one just requested."""
        return dict(status='in progress', filename=None) if self.busy() else None

    def _disabled(self):
        return 'exports are disabled on this server (bulk_export_enabled is false): POST %s answered 404' % self.path


def run(params, client, ctx, clock=time.monotonic):
    tools = checked_params(params)
    project = Project(client, params['neighborhood'], params['project'])
    check_exportable(project, tools)
    out = dict(changed=True, action='export', tools=tools, filename=None, waited=0.0,
               status='ready' if params['wait'] else 'in progress')
    if ctx.diff_mode:
        label = 'export of %s' % project.label
        out['diff'] = [dict(before_header=label, after_header=label, before={},
                            after=dict(tools=tools, with_attachments=params['with_attachments']))]
    start = clock()
    export = Export(client, project, clock, start + params['wait_timeout'], params['poll_interval'])
    if ctx.check_mode:
        if export.busy():
            ctx.warn('an export of %s is running; a real run waits for it to finish (up to wait_timeout) before starting its own'
                     % project.label)
        return out
    form = dict(tools=','.join(tools))
    if params['with_attachments']:  # any non-empty value counts as true on the server: send it only when true
        form['with_attachments'] = 'true'
    started = export.start(form)
    out['filename'] = started.get('filename')
    finished = export.wait_ready() if params['wait'] else True
    out['waited'] = round(clock() - start, 1)
    if not finished:  # a failure that still reports the export it started (changed)
        out.update(failed=True, status='in progress',
                   msg='the export of %s (%s) was started but has not finished within wait_timeout (%ss); it goes on '
                       'on the server (raise wait_timeout, or use wait=false)'
                       % (project.label, out['filename'] or 'file name unknown', params['wait_timeout']))
    return out


def main():
    run_module(ARGUMENT_SPEC, run)


if __name__ == '__main__':
    main()
