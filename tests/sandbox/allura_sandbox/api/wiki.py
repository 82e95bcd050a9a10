"""Wiki REST root (REFERENCE 7)."""

from .. import model, perms
from ..responses import json_response, not_found, server_error
from ..util import now_str
from . import discuss
from .common import has_access, has_access_params, rest_url, touch


def route(ctx, project, tool, rest):
    perms.require(perms.tool_access(ctx.data, project, tool, 'read', ctx.user), 'read', ctx.user)
    if not rest or (rest == ['index']):  # the 'index' segment is the list method, even for POST
        return list_pages(ctx, tool)
    head = rest[0]
    if head == 'has_access' and len(rest) == 1 and has_access_params(ctx):
        return has_access(ctx, perms.tool_access(ctx.data, project, tool, 'admin', ctx.user),
                          lambda user, perm: perms.tool_access(ctx.data, project, tool, perm, user))
    if head == '_discuss':
        return discuss.route(ctx, project, tool, rest[1:])
    if len(rest) > 1:
        raise not_found()
    return page(ctx, project, tool, head)


def find_page(tool, title):
    for item in tool['data']['pages']:
        if item['title'] == title and not item.get('deleted'):
            return item
    return None


def list_pages(ctx, tool):
    del ctx
    return json_response({'pages': [p['title'] for p in tool['data']['pages'] if not p.get('deleted')]})


def page_json(ctx, project, tool, item):
    return {'_id': item['_id'], 'mod_date': item['mod_date'], 'labels': item['labels'], 'related_artifacts': [],
            'discussion_thread': discuss.thread_json(tool, item),
            'discussion_thread_url': rest_url(ctx, project, tool) + '_discuss/thread/%s/' % item['thread_id'],
            'title': item['title'], 'text': item['text'], 'attachments': []}


def page(ctx, project, tool, title):
    """GET reads, POST upserts; every other method behaves as GET."""
    item = find_page(tool, title)
    if ctx.method == 'POST':
        return update_page(ctx, project, tool, title, item)
    if item is None:
        raise not_found()
    return json_response(page_json(ctx, project, tool, item))


def update_page(ctx, project, tool, title, item):
    if item is None:
        perms.require(perms.tool_access(ctx.data, project, tool, 'create', ctx.user), 'create', ctx.user)
    else:
        perms.require(perms.tool_access(ctx.data, project, tool, 'edit', ctx.user), 'edit', ctx.user)
    if not ctx.req.has('text'):
        raise server_error()  # KeyError 'text' in PageRestController._update_page
    if item is None:
        item = model.new_wiki_page(title, '')
        item['version'] = 0
        tool['data']['pages'].append(item)
    item['text'] = ctx.req.param('text')
    if ctx.req.has('labels'):
        item['labels'] = ctx.req.param('labels').split(',')
    # every POST is a new version, even when nothing changed
    item['version'] += 1
    item['mod_date'] = now_str()
    touch(ctx, project)
    return json_response({})
