"""Discussion threads: the artifact threads of ``.../{wiki|tickets|blog}/_discuss/thread/...``
(REFERENCE 9.1) and the thread JSON every artifact and forum topic embeds.

A thread belongs to an artifact (ticket, wiki page, blog post or forum topic) that carries its
``thread_id``; its posts live in ``tool['data']['threads'][thread_id]``, in the order they were
posted, each with its status: ``ok``, or ``pending`` when the poster lacks ``unmoderated_post``
(held for moderation: left out of every thread listing, and its own URL answers 404 to everyone
but moderators).  Subjects are computed like Allura's: a thread has its own subject (a blog post's
``<title at creation> discussion``, a forum topic's subject) or none, and a post takes the
thread's, else the artifact's ``email_subject``.
"""

from .. import model, perms
from ..responses import json_response, method_not_allowed, not_found, redirect, server_error
from ..util import hex_nonce, now_str
from .common import paging_sanitizer, touch


def _artifacts(tool):
    data = tool['data']
    return data.get('pages', []) + data.get('tickets', []) + data.get('posts', []) + data.get('topics', [])


def find_artifact(tool, thread):
    for artifact in _artifacts(tool):
        if artifact.get('thread_id') == thread:
            return artifact
    return None


def thread_posts(tool, thread):
    """Every post of a thread, approved or not, oldest first."""
    return tool['data'].get('threads', {}).get(thread, [])


def approved(tool, thread):
    return [p for p in thread_posts(tool, thread) if p['status'] == 'ok']


def thread_subject(artifact):
    return artifact.get('thread_subject', '')


def post_subject(artifact):
    """``Post.subject``: the thread's subject, else the artifact's ``email_subject``."""
    if artifact.get('thread_subject'):
        return artifact['thread_subject']
    if 'ticket_num' in artifact:
        return '#%s %s' % (artifact['ticket_num'], artifact['summary'])
    if 'title' in artifact:
        return 'Discussion for %s page' % artifact['title']
    return '(no subject)'


def posts_json(tool, artifact, limit=10, start=0):
    subject = post_subject(artifact)
    return [{'slug': p['slug'], 'text': p['text'], 'subject': subject, 'author': p['author'],
             'author_icon_url': None, 'timestamp': p['timestamp'], 'last_edited': p['last_edited'],
             'attachments': [], 'is_meta': False}
            for p in approved(tool, artifact['thread_id'])[start:start + limit]]


def thread_json(tool, artifact, limit=10, page=None, discussion_id=None):
    """``Thread.__json__``: artifacts embed it with limit 10 and page null."""
    start = (page or 0) * limit
    return {'_id': artifact['thread_id'], 'discussion_id': discussion_id or tool['data'].get('discussion_id', tool['_id']),
            'subject': thread_subject(artifact), 'limit': limit, 'page': page,
            'posts': posts_json(tool, artifact, limit, start)}


def post_json(ctx, artifact, post):
    return {'_id': post['_id'], 'thread_id': post['thread_id'], 'slug': post['slug'], 'subject': post_subject(artifact),
            'status': post['status'], 'text': post['text'], 'timestamp': post['timestamp'],
            'last_edited': post['last_edited'], 'author_id': ctx.data['users'].get(post['author'], {}).get('_id'),
            'author': post['author']}


def last_post(tool, thread, status=None):
    """The newest post of a thread (of that status), or None."""
    posts = [p for p in thread_posts(tool, thread) if status is None or p['status'] == status]
    return posts[-1] if posts else None


def can_moderate(ctx, project, tool):
    return perms.tool_access(ctx.data, project, tool, 'moderate', ctx.user)


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
        limit, page = paging_sanitizer(ctx.req.param('limit', 25), ctx.req.param('page'))
        return json_response({'thread': thread_json(tool, artifact, limit, page)})
    if rest == ['new']:
        return _new_post(ctx, project, tool, artifact, None, base)
    if rest[-1] == 'reply':
        parent = _find_post(tool, thread, '/'.join(rest[:-1]))
        if parent is None:
            raise redirect(base + '/'.join(rest[:-2]) + ('/' if len(rest) > 2 else ''))  # redirect('..') of the lookup
        return _new_post(ctx, project, tool, artifact, parent, base)
    post = _find_post(tool, thread, '/'.join(rest))
    if post is None:
        raise redirect(base + '/'.join(rest[:-1]) + ('/' if len(rest) > 1 else ''))  # unknown slug: redirect('..')
    if post['status'] != 'ok' and not can_moderate(ctx, project, tool):
        raise not_found()  # held for moderation: only moderators see it
    return json_response({'post': post_json(ctx, artifact, post)})


def _find_post(tool, thread, slug):
    for post in thread_posts(tool, thread):
        if post['slug'] == slug:
            return post
    return None


def _new_post(ctx, project, tool, artifact, parent, base):
    if ctx.method != 'POST':
        raise method_not_allowed()
    allowed = perms.tool_access(ctx.data, project, tool, 'post', ctx.user)
    if artifact.get('discussion_disabled') and not model.is_project_admin(project, ctx.user):
        allowed = False
    perms.require(allowed, 'post', ctx.user)
    if not ctx.req.has('text'):
        raise server_error()  # Thread.post() is called without its text argument
    post = add_post(ctx.data, project, tool, artifact, ctx.user, ctx.req.param('text'), parent)
    touch(ctx, project)
    raise redirect(base + post['slug'] + '/')


def add_post(data, project, tool, artifact, author, text, parent=None, status=None):
    """``Thread.post``: a new post, approved when the author holds ``unmoderated_post`` (else pending)."""
    slug = hex_nonce(4) if parent is None else parent['slug'] + '/' + hex_nonce(4)
    if status is None:
        status = 'ok' if perms.tool_access(data, project, tool, 'unmoderated_post', author) else 'pending'
    post = {'_id': '%s.%s@%s.localhost' % (hex_nonce(40), tool['mount_point'], '.'.join(reversed(model.project_url(project).strip('/').split('/')))),
            'thread_id': artifact['thread_id'], 'slug': slug, 'status': status, 'text': text or '',
            'timestamp': now_str(), 'last_edited': None, 'author': author}
    tool['data'].setdefault('threads', {}).setdefault(artifact['thread_id'], []).append(post)
    return post
