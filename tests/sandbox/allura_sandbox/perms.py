"""The one place for permission checks (REFERENCE 1.7 and 3.4).

``has_access`` follows Allura's ``security.has_access``:

* anything below a project first needs ``read`` on the project;
* an ACL entry grants a permission to a role and everything above it
  (``*anonymous`` < ``*authenticated`` < Member < Developer < Admin);
* when no entry decides, neighborhood admins get every permission on
  everything below the neighborhood, and project admins get every permission
  on the tools and artifacts of their project (not on the project object
  itself) - so an unknown permission is ``true`` for them at tool level, and
  for neighborhood admins on projects too; on the neighborhood itself nothing
  is above to fall back on: its admins hold the names its ACL lists, no more;
* a private project is readable by its members only; a private ticket by the
  project's Developers and by its reporter.

``require`` turns a refusal into 401 (anonymous) or 403 "<Perm> access required".
"""

from . import model, tooltypes
from .responses import forbidden, unauthorized

PROJECT_ACL = {'read': '*anonymous', 'update': 'Admin', 'admin': 'Admin', 'create': 'Admin'}
# The neighborhood's ACL is its home project's (Project._perms_init, all granted to its Admin role).
NBHD_ADMIN_PERMISSIONS = ('read', 'update', 'admin', 'create', 'register')


def _holds(project, username, who):
    if who == '*anonymous':
        return True
    if username is None:
        return False
    if who == '*authenticated':
        return True
    role = model.role_of(project, username)
    return role is not None and model.ROLE_RANK[role] >= model.ROLE_RANK[who]


def is_nbhd_admin(data, nbhd, username):
    return username is not None and username in data['neighborhoods'][nbhd]['admins']


def nbhd_access(data, nbhd, perm, username):
    if is_nbhd_admin(data, nbhd, username):
        return perm in NBHD_ADMIN_PERMISSIONS
    if perm == 'read':
        return True
    return perm == 'register' and username is not None and bool(data['neighborhoods'][nbhd].get('allow_register'))


def project_access(data, project, perm, username):
    if is_nbhd_admin(data, project['nbhd'], username):
        return True
    who = PROJECT_ACL.get(perm)
    if perm == 'read' and project.get('private'):
        who = 'Member'
    return who is not None and _holds(project, username, who)


def tool_access(data, project, tool, perm, username):
    if not project_access(data, project, 'read', username):
        return False
    acl = tool.get('acl') or {}  # a tool's own entries (the /_sandbox/acl control) over its type's defaults
    who = acl[perm] if perm in acl else tooltypes.TOOL_TYPES[tool['tool']]['acl'].get(perm)
    if who is not None and _holds(project, username, who):
        return True
    return is_nbhd_admin(data, project['nbhd'], username) or model.is_project_admin(project, username)


def ticket_access(data, project, tool, ticket, perm, username):
    if perm == 'read' and ticket.get('private'):
        if not project_access(data, project, 'read', username):
            return False
        return _holds(project, username, 'Developer') or (username is not None and username == ticket['reported_by'])
    return tool_access(data, project, tool, perm, username)


def require(allowed, perm, username):
    """Raise the error Allura's ``require_access`` raises when ``allowed`` is false."""
    if allowed:
        return
    if username is None:
        raise unauthorized()
    raise forbidden(perm)
