# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

from ansible_collections.allura.forge.plugins.module_utils._client import AlluraError
from ansible_collections.allura.forge.plugins.module_utils._project import Project


def test_denied_names_what_the_permission_the_tool_and_whose_token_would_do():
    project = Project(client=None, neighborhood='p', shortname='test')
    refused = AlluraError('permission denied', status=403, method='POST', path='/rest/p/test/wiki/Home',
                          server_message='Edit access required')
    err = project.denied(refused, 'edit', "p/test wiki page 'Home'", 'wiki', 'wiki', 'a project member or admin')
    assert err.message == ("cannot edit p/test wiki page 'Home': the user of this token lacks the 'edit' permission on the wiki at "
                           "mount_point 'wiki' (Edit access required); use the token of a project member or admin")
    assert (err.status, err.method, err.path) == (403, 'POST', '/rest/p/test/wiki/Home')
    anonymous = AlluraError('authentication required', status=401, method='POST', path='/rest/p/test/bugs/new')
    assert '(HTTP 401)' in project.denied(anonymous, 'create', 'a ticket', 'tracker', 'bugs', 'a logged-in user').message
