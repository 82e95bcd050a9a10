"""Blog REST root (REFERENCE 10, 18; recordings-wave2 ``blog__*``)."""

import random

from .. import perms
from ..responses import HTTPError, json_response, not_found, redirect, server_error
from ..util import now_str, object_id, thread_id, utcnow
from . import discuss
from .common import handle_paging, has_access, has_access_params, paging_sanitizer, rest_url, touch

STATES = ('draft', 'published')


def route(ctx, project, tool, rest):
    perms.require(perms.tool_access(ctx.data, project, tool, 'read', ctx.user), 'read', ctx.user)
    if rest == ['has_access'] and has_access_params(ctx):
        return has_access(ctx, perms.tool_access(ctx.data, project, tool, 'admin', ctx.user),
                          lambda user, perm: perms.tool_access(ctx.data, project, tool, perm, user))
    if rest and rest[0] == '_discuss':
        return discuss.route(ctx, project, tool, rest[1:])
    can_write = perms.tool_access(ctx.data, project, tool, 'write', ctx.user)
    if not rest:
        if ctx.method == 'GET' and not ctx.req.raw_path.endswith('/'):  # the web index's trailing-slash redirect
            raise redirect(ctx.abs(ctx.req.raw_path + '/') + ('?' + ctx.req.raw_query if ctx.req.raw_query else ''), 301)
        if ctx.method == 'POST':
            perms.require(can_write, 'write', ctx.user)
            return create(ctx, project, tool)
        return listing(ctx, project, tool, can_write)
    if len(rest) < 3:
        raise not_found()
    post = next((p for p in tool['data']['posts'] if p['slug'] == '/'.join(rest[:3])), None)
    if post is None:
        raise not_found()
    if post['state'] == 'draft':
        perms.require(can_write, 'write', ctx.user)
    if len(rest) > 3:
        raise not_found()
    if ctx.method == 'POST':
        perms.require(can_write, 'write', ctx.user)
        return update(ctx, project, tool, post)
    return json_response(post_json(ctx, project, tool, post))


def post_url(ctx, project, tool, post):
    return rest_url(ctx, project, tool) + post['slug'] + '/'


def post_json(ctx, project, tool, post):
    """``BlogPost.__json__(posts_limit=10)``."""
    return {'_id': post['_id'], 'mod_date': post['mod_date'], 'labels': post['labels'], 'related_artifacts': [],
            'discussion_thread': discuss.thread_json(tool, post),
            'discussion_thread_url': rest_url(ctx, project, tool) + '_discuss/thread/%s/' % post['thread_id'],
            'author': post['author'], 'title': post['title'], 'url': post_url(ctx, project, tool, post),
            'text': post['text'], 'state': post['state']}


def base_slug(title, when):
    """``BlogPost.make_base_slug``: spaces to dashes, only letters, digits and dashes kept, lower case."""
    return when.strftime('%Y/%m/') + ''.join(ch.lower() for ch in title.replace(' ', '-') if ch.isalnum() or ch == '-')


def _state(ctx, default=None):
    state = ctx.req.param('state', default)
    if state is not None and state not in STATES:
        raise server_error()  # the schema's OneOf fails at flush: nothing is stored
    return state


def listing(ctx, project, tool, can_write):
    """Newest first; drafts only for writers, and ``count`` counts what the caller may see."""
    visible = [p for p in reversed(tool['data']['posts']) if can_write or p['state'] == 'published']
    limit, page = handle_paging(ctx.req.param('limit', 10), ctx.req.param('page', 0))
    limit, page = paging_sanitizer(limit, page, len(visible))
    window = visible[page * limit:(page + 1) * limit]
    return json_response({'posts': [{'title': p['title'], 'url': post_url(ctx, project, tool, p)} for p in window],
                          'count': len(visible), 'limit': limit, 'page': page})


def create(ctx, project, tool):
    """``BlogPost.new``: a draft unless ``state`` says otherwise; labels split on commas (none: ``[""]``)."""
    state = _state(ctx, 'draft')
    title = ctx.req.param('title', '')
    now = utcnow()
    posts = tool['data']['posts']
    base = base_slug(title, now)
    slug = base
    while any(p['slug'] == slug for p in posts):
        slug = base + '-%03d' % random.randint(0, 999)
    post = {'_id': object_id(), 'slug': slug, 'title': title, 'text': ctx.req.param('text', ''), 'state': state,
            'labels': ctx.req.param('labels', '').split(','), 'author': ctx.user, 'mod_date': str(now),
            'created': str(now), 'version': 1, 'thread_id': thread_id(), 'thread_subject': '%s discussion' % title}
    posts.append(post)
    touch(ctx, project)
    raise HTTPError(201, headers=[('Location', post_url(ctx, project, tool, post))])


def update(ctx, project, tool, post):
    """Each field sent is applied, the others kept; ``delete`` (any value) removes the post.  Every update is a
    new version; the answer carries the ``mod_date`` from before it (Allura serialises before the flush)."""
    if ctx.req.has('delete'):
        tool['data']['posts'].remove(post)
        touch(ctx, project)
        return json_response({})
    state = _state(ctx)
    for key in ('title', 'text'):
        if ctx.req.has(key):
            post[key] = ctx.req.param(key)
    if state is not None:
        post['state'] = state
    if ctx.req.has('labels'):
        post['labels'] = ctx.req.param('labels').split(',')
    answer = post_json(ctx, project, tool, post)
    post['version'] += 1
    post['mod_date'] = now_str()
    touch(ctx, project)
    return json_response(answer)
