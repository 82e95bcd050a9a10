"""Pieces several endpoint modules share: has_access, tool JSON, threads, paging."""

from .. import model, perms, tooltypes
from ..responses import json_response, not_found, server_error
from ..util import now_str


def has_access_params(ctx):
    """``has_access(user, perm)`` takes positional params: both must be present."""
    return ctx.req.has('user') and ctx.req.has('perm')


def has_access(ctx, caller_is_admin, check):
    """Shared body of every ``has_access`` endpoint (REFERENCE 3.4).

    Missing ``user``/``perm`` is a 404 (dispatcher signature mismatch), then the
    caller needs admin (401/403), then ``check(username, perm)`` answers.
    ``user=`` and ``user=*anonymous`` evaluate the anonymous user; unknown
    users are simply ``false``.
    """
    if not has_access_params(ctx):
        raise not_found()
    perms.require(caller_is_admin, 'admin', ctx.user)
    username = ctx.req.param('user')
    perm = ctx.req.param('perm')
    if username in ('', '*anonymous'):
        return json_response({'result': bool(check(None, perm))})
    user = ctx.data['users'].get(username)
    if user is None:
        return json_response({'result': False})
    return json_response({'result': bool(check(username, perm))})


def tool_json(ctx, project, tool):
    """``Application.__json__`` (plus ``clone_url_*`` for repositories)."""
    url = model.project_url(project) + tool['mount_point'] + '/'
    result = {'name': tool['tool'], 'mount_point': tool['mount_point'], 'url': ctx.abs(url),
              'mount_label': tool['mount_label']}
    if tooltypes.TOOL_TYPES[tool['tool']].get('api'):
        result['api_url'] = ctx.abs('/rest' + url)
    if tool['tool'] == 'git':
        result['clone_url_file'] = '/var/lib/allura/scm/git/%s/%s/%s' % (project['nbhd'], project['shortname'], tool['mount_point'])
    return result


def rest_url(ctx, project, tool):
    return ctx.abs('/rest' + model.project_url(project) + tool['mount_point'] + '/')


def to_int(value):
    """``int(value)`` as the controllers do it: a non-integer is an unhandled 500."""
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise server_error() from exc


def paging(limit, page, default=25, maximum=500):
    """``g.handle_paging``: 0 -> default, at least 1, at most 500; page >= 0."""
    if not limit:
        limit = default
    limit = min(max(int(limit), 1), maximum)
    page = max(int(page), 0)
    return limit, page, page * limit


def handle_paging(limit, page, default=25, maximum=500):
    """``g.handle_paging`` on raw parameters (forums, blog list): an empty or non-integer limit is the
    default (there are no user preferences here), then 1..500; a non-integer page is 0."""
    if not limit:
        limit = default
    try:
        limit = int(limit)
    except ValueError:
        limit = default
    limit = min(max(limit, 1), maximum)
    try:
        page = max(int(page), 0)
    except ValueError:
        page = 0
    return limit, page


def paging_sanitizer(limit, page, total=None, maximum=500):
    """``h.paging_sanitizer`` (discussion threads, blog list): limit 1..500 (25 when not an integer), page 0
    (when absent or not an integer) up to the last page of ``total`` items."""
    try:
        limit = max(int(limit), 1)
    except (TypeError, ValueError):
        limit = 25
    limit = min(limit, maximum)
    try:
        page = max(int(page or 0), 0)
    except ValueError:
        page = 0
    if total is not None:
        page = min(page, max(0, (total + limit - 1) // limit - 1))
    return limit, page


def touch(ctx, project):
    """A write to the project: bump ``last_updated`` and mark the request as a write."""
    project['last_updated'] = now_str()
    ctx.changed()
