# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The permission tables of _allura.py against what Allura's source declares, and the suggestions for typos."""

from __future__ import annotations

import pytest

from ansible_collections.allura.forge.plugins.module_utils._allura import (
    HAS_ACCESS_TOOLS, NEIGHBORHOOD_PERMISSIONS, PROJECT_PERMISSIONS, TOOL_PERMISSIONS, answers_has_access, permissions_of,
    unknown_permission_message, unknown_permissions)

# The `permissions` of each stock app class, by the tool name its entry point gives it (the `name` of a tool in the
# project JSON), as Allura's source declares them; hg is ForgeHg's, a RepositoryApp like git and svn.
APP_CLASS_PERMISSIONS = {
    'wiki': ['configure', 'read', 'create', 'edit', 'delete', 'unmoderated_post', 'post', 'moderate', 'admin'],
    'tickets': ['configure', 'read', 'update', 'create', 'save_searches', 'unmoderated_post', 'post', 'moderate', 'admin',
                'delete'],
    'discussion': ['configure', 'read', 'unmoderated_post', 'post', 'moderate', 'admin'],
    'blog': ['configure', 'read', 'write', 'unmoderated_post', 'post', 'moderate', 'admin'],
    'link': ['configure', 'read'],
    'git': ['read', 'write', 'create', 'unmoderated_post', 'post', 'moderate', 'admin', 'configure'],
    'svn': ['read', 'write', 'create', 'unmoderated_post', 'post', 'moderate', 'admin', 'configure'],
    'hg': ['read', 'write', 'create', 'unmoderated_post', 'post', 'moderate', 'admin', 'configure'],
    'chat': ['configure', 'read'],
    'feedback': ['read', 'update', 'create', 'post', 'admin', 'delete'],
    'shorturl': ['read', 'create', 'update', 'view_private'],
    'userstats': ['configure', 'read', 'write', 'unmoderated_post', 'post', 'moderate', 'admin'],
    'activity': [], 'files': [], 'profile': [], 'home': [], 'admin': [], 'search': [],
}
# What install() grants beyond the class's list, and what the controllers check on a tool whose class lists nothing.
GRANTED_OR_CHECKED = {
    'feedback': ['configure', 'unmoderated_post', 'moderate'],
    'shorturl': ['configure'],
    'activity': ['read'],
    'files': ['read', 'create', 'update', 'delete', 'link', 'publish', 'disable'],
}


def test_every_stock_tool_kind_is_known():
    assert set(TOOL_PERMISSIONS) == set(APP_CLASS_PERMISSIONS)


@pytest.mark.parametrize('kind', sorted(APP_CLASS_PERMISSIONS))
def test_a_kind_has_its_class_names_then_configure_and_admin_then_what_it_grants(kind):
    expected = list(APP_CLASS_PERMISSIONS[kind])
    expected += [name for name in ('configure', 'admin') if name not in expected]
    assert set(TOOL_PERMISSIONS[kind]) == set(expected + GRANTED_OR_CHECKED.get(kind, []))
    assert TOOL_PERMISSIONS[kind][:len(APP_CLASS_PERMISSIONS[kind])] == tuple(APP_CLASS_PERMISSIONS[kind])  # in its order
    assert len(set(TOOL_PERMISSIONS[kind])) == len(TOOL_PERMISSIONS[kind])
    assert permissions_of(kind) == TOOL_PERMISSIONS[kind]


def test_levels():
    assert permissions_of('neighborhood') == NEIGHBORHOOD_PERMISSIONS == ('read', 'update', 'admin', 'create', 'register')
    assert permissions_of('project') == PROJECT_PERMISSIONS == ('read', 'update', 'admin', 'create')
    assert permissions_of('gallery') is None


def test_the_tools_that_answer_has_access():
    # the app classes whose REST root mixes in AppRestControllerMixin
    assert HAS_ACCESS_TOOLS == {'wiki', 'tickets', 'discussion', 'blog', 'link', 'git', 'svn', 'hg', 'activity', 'profile'}
    assert [answers_has_access(kind, has_rest=True) for kind in ('wiki', 'admin', 'chat', 'gallery')] == [True, False, False, True]
    assert [answers_has_access(kind, has_rest=False) for kind in ('wiki', 'pastebin')] == [True, False]


@pytest.mark.parametrize('names, level, unknown', [
    (['read', 'rade'], 'wiki', {'rade': 'read'}),
    (['edt', 'delte', 'moderat'], 'wiki', {'edt': 'edit', 'delte': 'delete', 'moderat': 'moderate'}),
    (['unmoderated-post', 'savesearches'], 'tickets', {'unmoderated-post': 'unmoderated_post', 'savesearches': 'save_searches'}),
    (['Read'], 'blog', {'Read': 'read'}),  # names are case-sensitive
    (['fly', 'jump'], 'link', {'fly': None, 'jump': None}),
    (['register'], 'project', {'register': None}),  # a neighborhood's
    (['registr'], 'neighborhood', {'registr': 'register'}),
    (['view_privat'], 'shorturl', {'view_privat': 'view_private'}),
    (['publsh'], 'files', {'publsh': 'publish'}),
    (['read', 'update', 'admin', 'create'], 'project', {}),
])
def test_unknown_names_and_their_closest(names, level, unknown):
    assert unknown_permissions(names, level) == unknown


def test_message_names_the_option_the_values_the_place_and_the_names():
    assert unknown_permission_message('permissions', ['read'], 'wiki', 'x') is None
    assert unknown_permission_message('allura_project.access[2].permission', ['rade'], 'wiki', "the wiki tool at mount_point 'docs'") == (
        "allura_project.access[2].permission 'rade' (did you mean 'read'?) is not a permission of the wiki tool at "
        "mount_point 'docs' (the server does not tell unknown names from denied ones); a wiki tool has: configure, read, "
        "create, edit, delete, unmoderated_post, post, moderate, admin")
    assert unknown_permission_message('permissions', ['fly', 'updte'], 'project', 'project p/x') == (
        "permissions 'fly' and 'updte' (did you mean 'update'?) are not permissions of project p/x (the server does not "
        "tell unknown names from denied ones); a project has: read, update, admin, create")
    assert "an activity tool has: configure, admin, read" in unknown_permission_message('p', ['x'], 'activity', 'y')
