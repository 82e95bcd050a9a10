# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Facts about Allura that more than one part of the collection relies on, stated once.

The modules (to check input and predict what the server will do) and the project role's plan and
report (to predict what a check run cannot read yet) take them from here.
"""

from __future__ import annotations

import difflib
import re
from urllib.parse import urlparse, urlunparse

from ansible_collections.allura.forge.plugins.module_utils._errors import ParameterError

# Tool kinds each module works on (a tool's `name` in the project JSON).
WIKI_TOOLS = ('wiki',)
TRACKER_TOOLS = ('tickets',)
LINK_TOOLS = ('link',)
BLOG_TOOLS = ('blog',)
# Repository tools: their mount point keeps its case (Allura's RepositoryApp.relaxed_mount_points),
# they are mounted at `code` by default, and they are the tools that have webhooks (REFERENCE 6).
REPOSITORY_TOOLS = ('git', 'svn', 'hg')
# Tools with a REST API (their project JSON entry has api_url).
REST_TOOLS = frozenset(('wiki', 'tickets', 'discussion', 'blog', 'link', 'activity') + REPOSITORY_TOOLS)
# Tools every project has, which no spec declares (never reported as unmanaged); profile and userstats: user projects.
STOCK_TOOLS = frozenset(('admin', 'search', 'activity', 'profile', 'userstats'))
# Tools whose REST root answers has_access (AppRestControllerMixin): those with a REST API, and the profile of a
# user project. The others have no REST root (their project JSON entry has no api_url), or one without has_access
# (admin): has_access answers 404 there.
HAS_ACCESS_TOOLS = REST_TOOLS | frozenset(('profile',))
# Tools Allura's bulk export can export (REFERENCE 5.6); `admin` is the project metadata.
EXPORTABLE_TOOLS = ('admin', 'wiki', 'tickets', 'discussion', 'blog', 'link')

# Tools every project has, or that cannot be installed (REFERENCE 5.1): never part of a spec.
NOT_INSTALLABLE_TOOLS = ('admin', 'search', 'home', 'profile', 'activity', 'userstats', 'shorturl')

# The pages a wiki holds as soon as it is installed (ForgeWikiApp.install, REFERENCE 7.6).
NEW_WIKI_PAGES = ('Home',)
# What a tracker holds as soon as it is installed (ForgeTrackerApp.install, REFERENCE 8.5): these status names, and one
# custom field, _milestone, with these milestones.
NEW_TRACKER_STATUSES = ('open', 'unread', 'accepted', 'pending', 'closed', 'wont-fix')
NEW_TRACKER_MILESTONES = ('1.0', '2.0')

# Allura's helpers.re_tool_mount_point / re_relaxed_tool_mount_point and MountPointValidator.
STRICT_MOUNT_POINT = re.compile(r'(?![0-9]+$)(?!-)[a-z0-9-]{0,62}[a-z0-9]')
RELAXED_MOUNT_POINT = re.compile(r'[a-zA-Z0-9][-a-zA-Z0-9_.+]{0,62}')
RESERVED_MOUNT_POINTS = ('feed', 'index', 'icon', '_nav.json')


# What the server's webhook URL validator takes for a scheme (REFERENCE 6.3).
WEBHOOK_URL_SCHEME = re.compile(r'^[a-zA-Z][a-zA-Z0-9.+-]*:')

# The words Allura (formencode's StringBool) reads as a boolean.
BOOL_WORDS = {'true': True, 'yes': True, 'on': True, '1': True, 'false': False, 'no': False, 'off': False, '0': False}


def form_bool(value):
    """A form value as the server reads it for a boolean field (absent and the stored "False" are false); else unchanged."""
    return bool(value) if value is None or isinstance(value, bool) else BOOL_WORDS.get(str(value).strip().lower(), value)


def form_number(value):
    """A form value as the server stores it for a number field ("3" is 3, "" is none); else unchanged."""
    if value is None or value == '' or isinstance(value, (bool, int, float)):
        return None if value == '' else value
    for kind in (int, float):
        try:
            return kind(value)
        except ValueError:
            pass
    return value


def default_mount_point(tool):
    """Where a tool of this kind is mounted when no mount point is given (install_tool's default)."""
    return 'code' if tool in REPOSITORY_TOOLS else tool


def normalise_mount_point(tool, mount_point, option='mount_point'):
    """The mount point the server stores for a tool of this kind, or ParameterError with the server's reason."""
    if tool in REPOSITORY_TOOLS:
        value, pattern, rule = mount_point, RELAXED_MOUNT_POINT, ('1-63 letters, digits, "-", "_", "." or "+", starting with a '
                                                                  'letter or digit (repository tools keep the case)')
    else:
        value, pattern, rule = mount_point.lower(), STRICT_MOUNT_POINT, ('1-63 lower-case letters, digits or "-" (upper case is '
                                                                         'lower-cased), not only digits, not starting or ending with "-"')
    if not pattern.fullmatch(value):
        raise ParameterError('%s %r is invalid: %s' % (option, mount_point, rule))
    if value in RESERVED_MOUNT_POINTS:
        raise ParameterError('%s %r is invalid: %r is reserved by Allura (reserved: %s)'
                             % (option, mount_point, value, ', '.join(RESERVED_MOUNT_POINTS)))
    return value


# Permission names (REFERENCE 1.7, 3.4). The server answers has_access for any name, and a name nothing grants is
# false for ordinary users but true for admins (project admins on tools, neighborhood admins on projects and tools):
# so the collection refuses a name the level or tool kind does not know, instead of asking.
# A neighborhood's ACL is its home project's (Project._perms_init); a project's is Project._perms_base.
NEIGHBORHOOD_PERMISSIONS = ('read', 'update', 'admin', 'create', 'register')
PROJECT_PERMISSIONS = ('read', 'update', 'admin', 'create')
# A tool kind's: its app class's `permissions`; then what Allura checks on every tool when the class does not list
# it (`configure`: label and options, `admin`: permissions and has_access itself); then what its install() grants or
# its controllers check beyond the list.
_REPOSITORY_PERMISSIONS = ('read', 'write', 'create', 'unmoderated_post', 'post', 'moderate', 'admin', 'configure')
TOOL_PERMISSIONS = {
    'wiki': ('configure', 'read', 'create', 'edit', 'delete', 'unmoderated_post', 'post', 'moderate', 'admin'),
    'tickets': ('configure', 'read', 'update', 'create', 'save_searches', 'unmoderated_post', 'post', 'moderate',
                'admin', 'delete'),
    'discussion': ('configure', 'read', 'unmoderated_post', 'post', 'moderate', 'admin'),
    'blog': ('configure', 'read', 'write', 'unmoderated_post', 'post', 'moderate', 'admin'),
    'link': ('configure', 'read', 'admin'),
    'git': _REPOSITORY_PERMISSIONS,
    'svn': _REPOSITORY_PERMISSIONS,
    'hg': _REPOSITORY_PERMISSIONS,
    'activity': ('configure', 'admin', 'read'),  # install() grants read
    'profile': ('configure', 'admin'),  # its ACL is empty
    'chat': ('configure', 'read', 'admin'),
    'feedback': ('read', 'update', 'create', 'post', 'admin', 'delete', 'configure', 'unmoderated_post', 'moderate'),
    'files': ('configure', 'admin', 'read', 'create', 'update', 'delete', 'link', 'publish', 'disable'),
    'shorturl': ('read', 'create', 'update', 'view_private', 'configure', 'admin'),
    'userstats': ('configure', 'read', 'write', 'unmoderated_post', 'post', 'moderate', 'admin'),
    'home': ('configure', 'admin'),
    'admin': ('configure', 'admin'),
    'search': ('configure', 'admin'),
}


def permissions_of(level):
    """The permission names of 'neighborhood', 'project' or a tool kind; None for a tool kind Allura does not ship."""
    return dict(neighborhood=NEIGHBORHOOD_PERMISSIONS, project=PROJECT_PERMISSIONS).get(level) or TOOL_PERMISSIONS.get(level)


def answers_has_access(kind, has_rest=True):
    """Whether a tool of this kind answers has_access: a kind Allura ships by the table, another when it has a REST
    API (`has_rest`: its project JSON entry has api_url)."""
    return kind in HAS_ACCESS_TOOLS if kind in TOOL_PERMISSIONS else has_rest


def unknown_permissions(names, level):
    """{name: the closest known name or None} for the names `level` (see permissions_of) does not have."""
    known = permissions_of(level)
    return {name: next(iter(difflib.get_close_matches(name, known, n=1)), None) for name in names if name not in known}


def unknown_permission_message(option, names, level, where):
    """Why `names` (a list, from `option`) cannot be asked at `level` (see permissions_of) on `where` (the place,
    named with its kind); None when they all can."""
    unknown = unknown_permissions(names, level)
    if not unknown:
        return None
    listed = ' and '.join('%r%s' % (name, ' (did you mean %r?)' % close if close else '') for name, close in unknown.items())
    return '%s %s %s of %s (the server does not tell unknown names from denied ones); %s has: %s' % (
        option, listed, 'is not a permission' if len(unknown) == 1 else 'are not permissions', where,
        ('an %s' if level[0] in 'aeiou' else 'a %s') % (level if level in ('neighborhood', 'project') else level + ' tool'),
        ', '.join(permissions_of(level)))


def normalise_url(value):
    """The URL as the server stores it (REFERENCE 6.3): stripped, http:// when no scheme, an international
    host name IDNA-encoded (other hosts keep their case), scheme lower-cased."""
    if value is None:
        return None
    value = value.strip()
    if not WEBHOOK_URL_SCHEME.match(value):
        value = 'http://' + value
    try:
        parts = urlparse(value)
        value = urlunparse(parts._replace(netloc=parts.netloc.encode('idna').decode('ascii')))
    except (ValueError, UnicodeError):
        pass
    scheme = WEBHOOK_URL_SCHEME.match(value).group(0)
    return scheme.lower() + value[len(scheme):]
