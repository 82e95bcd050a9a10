# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The errors and limits every part shares, without the HTTP stack.

The filters of the project role import these in each task's worker process: importing them from _client would
load requests there too (about 60 ms a task).
"""

from __future__ import annotations

MAX_PARALLEL = 16  # concurrent reads of one run (the bulk forms' `parallel`): the connection pool holds as many


class AlluraError(Exception):
    """A failure a person can act on. `details` goes into the module result (never secrets)."""

    def __init__(self, message, status=None, method=None, path=None, server_message=None, **details):
        super().__init__(message)
        self.message = message
        self.status = status
        self.method = method
        self.path = path
        self.server_message = server_message
        self.details = details

    def result(self):
        out = dict(msg=self.message)
        if self.status is not None:
            out['status'] = self.status
        if self.method:
            out['request'] = '%s %s' % (self.method, self.path)
        if self.server_message:
            out['server_message'] = self.server_message
        out.update(self.details)
        return out


class ParameterError(AlluraError):
    """Bad input found before anything was sent."""


class Deferred(AlluraError):
    """A write of one of several writes in flight that the server refused with 429 (a creation limit, REFERENCE 1.9: it
    wrote nothing), not retried: see AlluraClient.deferring_limits."""
