"""URL routing for ``/rest/...``, mirroring Allura's object dispatch.

    /rest/                                   site summary
    /rest/{nbhd}/has_access                  neighborhood permission check
    /rest/{nbhd}/add_project                 create a project
    /rest/{nbhd}/{project}/                  project JSON (?doap: DOAP)
    /rest/{nbhd}/{project}/has_access        project permission check
    /rest/{nbhd}/{project}/{mount}/...       the tool's REST root (TOOL_ROOTS)

Security checks run while descending, as in TurboGears: authentication for
every /rest/ path, then ``read`` on the project, then the tool's own check.
"""

from . import auth, model, perms, tooltypes
from .api import admin, blog, forums, site, tools, tracker, wiki
from .responses import json_response, not_found

# tool type -> REST root handler(ctx, project, tool, remaining segments)
TOOL_ROOTS = {
    'admin': admin.route,
    'wiki': wiki.route,
    'tickets': tracker.route,
    'link': tools.link,
    'blog': blog.route,
    'discussion': forums.route,
    'git': tools.git,
    'activity': tools.activity,
    'profile': tools.profile,
}


def dispatch(ctx):
    segments = ctx.req.segments
    if not segments or segments[0] != 'rest':
        raise not_found()  # the sandbox only serves the REST API
    ctx.user = auth.authenticate(ctx.req, ctx.data, tls=ctx.options.tls)
    rest = segments[1:]
    if not rest:
        return site.site_index(ctx)
    if rest == ['notification']:
        return json_response({})
    nbhd = rest[0]
    if nbhd not in ctx.data['neighborhoods']:
        raise not_found()
    return neighborhood(ctx, nbhd, rest[1:])


def neighborhood(ctx, nbhd, rest):
    if not rest:
        raise not_found()
    if rest == ['has_access']:
        return site.nbhd_has_access(ctx, nbhd)
    if rest == ['add_project']:
        return site.add_project(ctx, nbhd)
    project = site.find_project(ctx, nbhd, rest[0])
    if project is None:
        raise not_found()  # looked up as a tool of the neighborhood's home project: none
    return project_root(ctx, project, rest[1:])


def project_root(ctx, project, rest):
    perms.require(perms.project_access(ctx.data, project, 'read', ctx.user), 'read', ctx.user)
    if not rest:
        return site.project_index(ctx, project)
    if rest == ['has_access'] and ctx.req.has('user') and ctx.req.has('perm'):
        return site.project_has_access(ctx, project)
    sub = model.subproject(project, rest[0])
    if sub is not None:
        return project_root(ctx, sub, rest[1:])
    tool = next((t for t in project['tools'] if t['mount_point'] == rest[0]), None)
    if tool is None or not tooltypes.TOOL_TYPES[tool['tool']].get('api'):
        raise not_found()  # unknown mount point, or a tool without REST root (search, userstats)
    return TOOL_ROOTS[tool['tool']](ctx, project, tool, rest[1:])
