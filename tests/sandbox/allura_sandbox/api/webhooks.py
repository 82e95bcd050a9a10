"""Webhooks of repository tools: ``.../admin/{mount}/webhooks[/{type}[/{id}]]`` (REFERENCE 6).

Secrets are stored (and visible through ``GET /_sandbox/state`` only), never
returned.  The URL check follows the recording server's
``urlopen_allow_internal_hostnames = true`` unless the sandbox runs with
``--stock-webhook-validation``.
"""

from .. import model, tooltypes, validators
from ..responses import json_response, method_not_allowed, not_found
from ..util import hex_nonce, is_object_id, now_str, object_id
from .common import touch

MAX_HOOKS = 3  # webhook.repo_push.max_hooks default
LIMIT_ERROR = 'You have exceeded the maximum number of webhooks you are allowed to create for this project/app'


def route(ctx, project, tool, rest):
    if not rest or rest[0] != 'webhooks':
        raise not_found()
    rest = rest[1:]
    if not rest:
        return list_hooks(ctx, project, tool)
    hook_type = rest[0]
    if hook_type not in model_types(tool):
        raise not_found()
    if len(rest) == 1:
        if ctx.method != 'POST':
            raise method_not_allowed()
        return create(ctx, project, tool, hook_type)
    if len(rest) > 2 or not is_object_id(rest[1]):
        raise not_found()
    hook = next((h for h in tool['data']['webhooks'] if h['_id'] == rest[1] and h['type'] == hook_type), None)
    if hook is None:
        raise not_found()
    if ctx.method == 'DELETE':
        tool['data']['webhooks'].remove(hook)
        touch(ctx, project)
        return json_response({'result': 'ok'})
    if ctx.method == 'POST':
        return edit(ctx, project, tool, hook)
    return json_response(hook_json(ctx, project, tool, hook))


def model_types(tool):
    return tooltypes.TOOL_TYPES[tool['tool']].get('webhooks', ())


def hook_json(ctx, project, tool, hook):
    path = '/rest%sadmin/%s/webhooks/%s/%s' % (model.project_url(project), tool['mount_point'], hook['type'], hook['_id'])
    return {'_id': hook['_id'], 'url': ctx.abs(path),
            'type': hook['type'], 'hook_url': hook['hook_url'], 'mod_date': hook['mod_date']}


def list_hooks(ctx, project, tool):
    hooks = sorted(tool['data']['webhooks'], key=lambda h: h['_id'])
    limits = {hook_type: {'max': MAX_HOOKS, 'used': sum(1 for h in hooks if h['type'] == hook_type)}
              for hook_type in model_types(tool)}
    return json_response({'webhooks': [hook_json(ctx, project, tool, h) for h in hooks], 'limits': limits})


def _error(error):
    return json_response({'result': 'error', 'error': error}, status=400)


def _validate_url(ctx, value):
    return validators.webhook_url(value, allow_internal=not ctx.options.stock_webhook_validation)


def _duplicate(tool, hook_type, hook_url, exclude=None):
    for hook in tool['data']['webhooks']:
        if hook is not exclude and hook['type'] == hook_type and hook['hook_url'] == hook_url:
            return '_the_form: "%s" webhook already exists for %s %s' % (hook_type, tool['mount_label'], hook_url)
    return None


def create(ctx, project, tool, hook_type):
    used = sum(1 for h in tool['data']['webhooks'] if h['type'] == hook_type)
    if used >= MAX_HOOKS:
        return json_response({'result': 'error', 'error': LIMIT_ERROR, 'limits': {'max': MAX_HOOKS, 'used': used}},
                             status=400)
    try:
        hook_url = _validate_url(ctx, ctx.req.param('url'))
    except validators.Invalid as exc:
        return _error({'url': str(exc)})
    duplicate = _duplicate(tool, hook_type, hook_url)
    if duplicate:
        return _error(duplicate)
    hook = {'_id': object_id(), 'type': hook_type, 'hook_url': hook_url,
            'secret': ctx.req.param('secret') or hex_nonce(40), 'mod_date': now_str()}
    tool['data']['webhooks'].append(hook)
    touch(ctx, project)
    return json_response(hook_json(ctx, project, tool, hook), status=201)


def edit(ctx, project, tool, hook):
    """Absent fields keep their value; an empty secret generates a new one."""
    url_value = ctx.req.param('url') if ctx.req.has('url') else hook['hook_url']
    try:
        hook_url = _validate_url(ctx, url_value)
    except validators.Invalid as exc:
        return _error({'url': str(exc)})
    secret = ctx.req.param('secret') if ctx.req.has('secret') else hook['secret']
    if not secret:
        secret = hex_nonce(40)
    duplicate = _duplicate(tool, hook['type'], hook_url, exclude=hook)
    if duplicate:
        return _error(duplicate)
    if (hook_url, secret) != (hook['hook_url'], hook['secret']):
        hook['hook_url'] = hook_url
        hook['secret'] = secret
        hook['mod_date'] = now_str()
        touch(ctx, project)
    return json_response(hook_json(ctx, project, tool, hook))
