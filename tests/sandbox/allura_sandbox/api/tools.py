"""REST roots of the smaller tools: link, git, activity, profile."""

from .. import model, perms, validators
from ..responses import bad_request, json_response, not_found
from . import site
from .common import has_access, has_access_params, tool_json, touch


def _read(ctx, project, tool):
    perms.require(perms.tool_access(ctx.data, project, tool, 'read', ctx.user), 'read', ctx.user)


def _tool_has_access(ctx, project, tool):
    return has_access(ctx, perms.tool_access(ctx.data, project, tool, 'admin', ctx.user),
                      lambda user, perm: perms.tool_access(ctx.data, project, tool, perm, user))


def _is_has_access(ctx, rest):
    return rest == ['has_access'] and has_access_params(ctx)


# -- link (REFERENCE 11) ------------------------------------------------------------

def link(ctx, project, tool, rest):
    _read(ctx, project, tool)
    if _is_has_access(ctx, rest):
        return _tool_has_access(ctx, project, tool)
    if rest not in ([], ['index']):
        raise not_found()
    url = ctx.req.param('url', '')
    if ctx.method == 'POST' and url != '':
        perms.require(perms.tool_access(ctx.data, project, tool, 'configure', ctx.user), 'configure', ctx.user)
        try:
            url = validators.url(url)
        except validators.Invalid as exc:
            raise bad_request(str(exc)) from exc
        if tool['options'].get('url') != url:
            tool['options']['url'] = url
            touch(ctx, project)
    return json_response({'url': tool['options'].get('url')})


# -- repositories (REFERENCE 12) -------------------------------------------------------

def git(ctx, project, tool, rest):
    _read(ctx, project, tool)
    if _is_has_access(ctx, rest):
        return _tool_has_access(ctx, project, tool)
    if not rest:
        result = tool_json(ctx, project, tool)
        result['commit_count'] = tool['data']['commit_count']
        return json_response(result)
    if rest[0] == 'commits' and len(rest) <= 3:
        return json_response({'commits': []})
    raise not_found()


# -- activity and user profile ----------------------------------------------------------

def activity(ctx, project, tool, rest):
    _read(ctx, project, tool)
    if _is_has_access(ctx, rest):
        return _tool_has_access(ctx, project, tool)
    if rest:
        raise not_found()
    return json_response({'following': False,
                          'followee': {'activity_name': project['name'], 'activity_url': model.project_url(project),
                                       'activity_extras': {}},
                          'timeline': []})


def profile(ctx, project, tool, rest):
    # UserProfileRestController checks nothing of its own (the project's read is checked on the way), and the
    # tool's empty ACL would refuse its read to all but admins
    if _is_has_access(ctx, rest):
        return _tool_has_access(ctx, project, tool)
    if rest:
        raise not_found()
    return json_response(site.profile_json(ctx, project))
