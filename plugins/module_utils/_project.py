# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A project on the server, as the modules see it: its REST paths, its JSON and its tools.

Knows how to say exactly what is missing when the server answers 404 (the project, the tool or the
item), at the cost of one extra read on the error path only.
"""

from __future__ import annotations

from ansible_collections.allura.forge.plugins.module_utils._client import AlluraError, ParameterError


class Project:

    def __init__(self, client, neighborhood, shortname):
        if not shortname:
            raise ParameterError('project is required')
        if not neighborhood:
            raise ParameterError('neighborhood must not be empty')
        self.client = client
        self.neighborhood = neighborhood
        self.shortname = shortname
        self.label = '%s/%s' % (neighborhood, shortname)
        self._json = None

    def path(self, *segments, **kwargs):
        return self.client.path(self.neighborhood, self.shortname, *segments, **kwargs)

    def read(self, refresh=False):
        """The project JSON (cached for the run); a clear error when the project is not there."""
        if self._json is None or refresh:
            self._json = self.client.get_json(self.path(), not_found=self.no_project)
        return self._json

    def exists(self):
        """The project JSON, or None when the server says 404."""
        if self._json is None:
            self._json = self.client.exists(self.path())
        return self._json

    def tools(self, refresh=False):
        return self.read(refresh).get('tools', [])

    def tool(self, mount_point, refresh=False):
        for tool in self.tools(refresh):
            if tool.get('mount_point') == mount_point:
                return tool
        return None

    def require_tool(self, mount_point, kinds=None, purpose=None):
        """The tool at mount_point, failing clearly when it is absent or of another type."""
        tool = self.tool(mount_point)
        if tool is None:
            raise AlluraError(self._no_tool(mount_point, kinds), missing='tool')
        if kinds and tool.get('name') not in kinds:
            raise AlluraError('mount_point %r of project %s is a %s tool, but %s needs a %s tool' % (
                mount_point, self.label, tool.get('name'), purpose or 'this module', ' or '.join(kinds)))
        return tool

    def _no_tool(self, mount_point, kinds=None):
        fitting = [t['mount_point'] for t in self.tools() if not kinds or t.get('name') in kinds]
        return 'project %s has no tool at mount_point %r (%s: %s)' % (
            self.label, mount_point, 'its %s tools' % '/'.join(kinds) if kinds else 'its tools',
            ', '.join(fitting) or 'none')

    def missing(self, mount_point=None, item=None):
        """Explain a 404: (message, which of 'project', 'tool' or 'item' is missing); the failure's `missing`."""
        if self.client.exists(self.path()) is None:
            return self.no_project()
        if mount_point is not None:
            self._json = None
            if self.tool(mount_point) is None:
                return self._no_tool(mount_point), 'tool'
        return '%s not found in project %s' % (item or 'the requested item', self.label), 'item'

    def no_project(self):
        """(message, 'project'): the project is not there, or this user cannot see it."""
        return 'project %r does not exist in neighborhood %r, or this user cannot see it' % (self.shortname, self.neighborhood), 'project'

    def not_found(self, mount_point=None, item=None):
        """A callable for AlluraClient.request(not_found=...)."""
        return lambda: self.missing(mount_point, item)
