"""Artifact discussion threads: ``.../{wiki|tickets|blog}/_discuss/thread/...`` (REFERENCE 9.1)."""

from .. import model, perms
from ..responses import json_response, method_not_allowed, not_found, redirect, server_error
from ..util import hex_nonce, now_str
from .common import paging, to_int, touch


def _artifacts(tool):
    data = tool['data']
    return data.get('pages', []) + data.get('tickets', []) + data.get('posts', [])


def find_artifact(tool, thread):
    for artifact in _artifacts(tool):
        if artifact.get('thread_id') == thread:
            return artifact
    return None


def thread_subject(artifact):
    """A thread's own subject: a blog post's title at creation; "" for tickets and wiki pages."""
    return artifact.get('thread_subject', '')


def post_subject(artifact):
    """The subject every post of an artifact's thread gets (a sent ``subject`` is ignored)."""
    if 'ticket_num' in artifact:
        return '#%d %s' % (artifact['ticket_num'], artifact['summary'])
    if 'thread_subject' in artifact:
        return artifact['thread_subject']
    return 'Discussion for %s page' % artifact['title']


def _posts(tool, thread):
    return tool['data'].setdefault('threads', {}).setdefault(thread, [])


def posts_json(ctx, tool, thread, limit=10, start=0):
    del ctx
    posts = [p for p in tool['data'].get('threads', {}).get(thread, []) if p['status'] == 'ok']
    return [{'slug': p['slug'], 'text': p['text'], 'subject': p['subject'], 'author': p['author'],
             'author_icon_url': None, 'timestamp': p['timestamp'], 'last_edited': p['last_edited'],
             'attachments': [], 'is_meta': False} for p in posts[start:start + limit]]


def post_json(ctx, post):
    return {'_id': post['_id'], 'thread_id': post['thread_id'], 'slug': post['slug'], 'subject': post['subject'],
            'status': post['status'], 'text': post['text'], 'timestamp': post['timestamp'],
            'last_edited': post['last_edited'], 'author_id': ctx.data['users'].get(post['author'], {}).get('_id'),
            'author': post['author']}


def route(ctx, project, tool, rest):
    if len(rest) < 2 or rest[0] != 'thread':
        raise not_found()
    thread = rest[1]
    artifact = find_artifact(tool, thread)
    if artifact is None:
        raise server_error()  # ThreadController.__init__ needs c.forum: unknown thread ids crash with a 500
    if 'ticket_num' in artifact:
        allowed = perms.ticket_access(ctx.data, project, tool, artifact, 'read', ctx.user)
    else:
        allowed = perms.tool_access(ctx.data, project, tool, 'read', ctx.user)
    perms.require(allowed, 'read', ctx.user)
    rest = rest[2:]
    base = ctx.abs('/rest' + model.project_url(project) + tool['mount_point'] + '/_discuss/thread/%s/' % thread)
    if not rest:
        limit, page, start = paging(to_int(ctx.req.param('limit', 25)), to_int(ctx.req.param('page', 0)))
        return json_response({'thread': {'_id': thread, 'discussion_id': tool['data'].get('discussion_id'),
                                         'subject': thread_subject(artifact), 'limit': limit, 'page': page,
                                         'posts': posts_json(ctx, tool, thread, limit, start)}})
    if rest == ['new']:
        return _new_post(ctx, project, tool, artifact, thread, None, base)
    if rest[-1] == 'reply':
        parent = _find_post(tool, thread, '/'.join(rest[:-1]))
        if parent is None:
            raise redirect(base)
        return _new_post(ctx, project, tool, artifact, thread, parent, base)
    post = _find_post(tool, thread, '/'.join(rest))
    if post is None or post['status'] != 'ok':
        raise redirect(base)  # unknown post slug: back to the thread
    return json_response({'post': post_json(ctx, post)})


def _find_post(tool, thread, slug):
    for post in tool['data'].get('threads', {}).get(thread, []):
        if post['slug'] == slug:
            return post
    return None


def _new_post(ctx, project, tool, artifact, thread, parent, base):
    if ctx.method != 'POST':
        raise method_not_allowed()
    allowed = perms.tool_access(ctx.data, project, tool, 'post', ctx.user)
    if artifact.get('discussion_disabled') and not model.is_project_admin(project, ctx.user):
        allowed = False
    perms.require(allowed, 'post', ctx.user)
    if not ctx.req.has('text'):
        raise server_error()  # Thread.post(text=...) is called without a default
    slug = hex_nonce(4) if parent is None else parent['slug'] + '/' + hex_nonce(4)
    now = now_str()
    message_id = '%s@%s.%s.%s.localhost' % (hex_nonce(40), tool['mount_point'], project['shortname'], project['nbhd'])
    post = {'_id': message_id,
            'thread_id': thread, 'slug': slug, 'subject': post_subject(artifact), 'status': 'ok',
            'text': ctx.req.param('text'), 'timestamp': now, 'last_edited': None,
            'author': ctx.user}
    _posts(tool, thread).append(post)
    touch(ctx, project)
    raise redirect(base + slug + '/')
