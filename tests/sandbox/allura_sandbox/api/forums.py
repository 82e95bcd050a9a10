"""Discussion tool (forums), read-only over REST (REFERENCE 9.2; recordings-wave2 ``forum__*``).

A forum is ``{_id, shortname, name, description}`` in ``tool['data']['forums']``; a topic is a thread
of a forum, ``{thread_id, forum, thread_subject, flags, num_views}`` in ``tool['data']['topics']``,
with its posts in the tool's threads (see :mod:`discuss`).  REST cannot create topics, so they come
from the ``/_sandbox/topics`` control (:func:`seed_topic`).
"""

from .. import model, perms
from ..responses import json_response, not_found
from ..util import object_id, thread_id
from . import discuss
from .common import handle_paging, has_access, has_access_params, rest_url, to_int


def route(ctx, project, tool, rest):
    perms.require(perms.tool_access(ctx.data, project, tool, 'read', ctx.user), 'read', ctx.user)
    if rest == ['has_access'] and has_access_params(ctx):
        return has_access(ctx, perms.tool_access(ctx.data, project, tool, 'admin', ctx.user),
                          lambda user, perm: perms.tool_access(ctx.data, project, tool, perm, user))
    # int(page) in the controllers: a page that is not an integer is a 500; a bad limit falls back to 25
    limit, page = handle_paging(ctx.req.param('limit'), to_int(ctx.req.param('page', 0)))
    forums = sorted(tool['data']['forums'], key=lambda f: f['shortname'])
    if not rest:
        window = forums[page * limit:(page + 1) * limit]
        return json_response({'forums': [forum_entry(ctx, project, tool, f) for f in window],
                              'limit': limit, 'page': page, 'count': len(forums)})
    forum = next((f for f in forums if f['shortname'] == rest[0]), None)
    if forum is None:
        raise not_found()
    if len(rest) == 1:  # a POST answers the same: no REST endpoint creates topics
        topics = sorted(forum_topics(tool, forum), key=lambda t: (max(t['flags'] or ['']), _last_date(tool, t)), reverse=True)
        window = topics[page * limit:(page + 1) * limit]
        return json_response({'forum': {'_id': forum['_id'], 'shortname': forum['shortname'], 'name': forum['name'],
                                        'description': forum['description'],
                                        'topics': [topic_entry(ctx, project, tool, forum, t) for t in window
                                                   if topic_status(tool, t) == 'ok']},
                              'count': len(topics), 'page': page, 'limit': limit})
    topic = next((t for t in forum_topics(tool, forum) if t['thread_id'] == rest[2]), None) if rest[1] == 'thread' and len(rest) == 3 else None
    if topic is None:
        raise not_found()
    return json_response({'topic': discuss.thread_json(tool, topic, limit, page, discussion_id=forum['_id']),
                          'count': len(discuss.approved(tool, topic['thread_id'])), 'page': page, 'limit': limit})


def forum_topics(tool, forum):
    return [t for t in tool['data'].get('topics', []) if t['forum'] == forum['_id']]


def topic_status(tool, topic):
    """``ForumThread.status``: the status of its post when it has exactly one, else ok."""
    posts = discuss.thread_posts(tool, topic['thread_id'])
    return posts[0]['status'] if len(posts) == 1 else 'ok'


def _last_date(tool, topic):
    last = discuss.last_post(tool, topic['thread_id'])
    return last['timestamp'] if last else ''


def _post(ctx, artifact, post):
    return discuss.post_json(ctx, artifact, post) if post else None


def forum_entry(ctx, project, tool, forum):
    newest = None
    for topic in forum_topics(tool, forum):
        last = discuss.last_post(tool, topic['thread_id'], status='ok')
        if last and (newest is None or last['timestamp'] > newest[1]['timestamp']):
            newest = (topic, last)
    return {'_id': forum['_id'], 'name': forum['name'], 'shortname': forum['shortname'],
            'description': forum['description'], 'num_topics': len(forum_topics(tool, forum)),
            'last_post': _post(ctx, *newest) if newest else None, 'url': rest_url(ctx, project, tool) + forum['shortname'] + '/'}


def topic_entry(ctx, project, tool, forum, topic):
    return {'_id': topic['thread_id'], 'subject': topic['thread_subject'],
            'num_replies': len(discuss.approved(tool, topic['thread_id'])), 'num_views': topic['num_views'],
            'url': rest_url(ctx, project, tool) + '%s/thread/%s/' % (forum['shortname'], topic['thread_id']),
            'last_post': _post(ctx, topic, discuss.last_post(tool, topic['thread_id']))}


def seed_topic(data, spec):
    """Create a forum topic as the web form would (``POST /_sandbox/topics``); returns what was created.

    spec: ``{"project": "p/test", "mount_point": "discussion", "forum": "general", "subject": "...",
    "posts": [{"text": "...", "author": "test-user", "reply_to": 0, "status": "ok"}, "a text"], "flags": ["Sticky"],
    "num_views": 0}``.  a post given as a string is a text by test-admin; ``reply_to`` is the index of an earlier post of the list; ``status`` defaults to
    what the author's ``unmoderated_post`` permission gives.  A forum that does not exist yet is created
    when ``forum_name`` is given.
    """
    if not isinstance(spec, dict):
        raise ValueError('a topic is a JSON object')
    unknown = set(spec) - {'project', 'mount_point', 'forum', 'forum_name', 'forum_description', 'subject', 'posts',
                           'flags', 'num_views'}
    if unknown:
        raise ValueError('unknown keys: %s' % ', '.join(sorted(unknown)))
    project = data['projects'].get(spec.get('project', 'p/test'))
    if project is None:
        raise ValueError('no project %r' % spec.get('project'))
    tool = model.tool_by_mount(project, spec.get('mount_point', 'discussion'))
    if tool is None or tool['tool'] != 'discussion':
        raise ValueError('no discussion tool at %r' % spec.get('mount_point', 'discussion'))
    shortname = spec.get('forum', 'general')
    forum = next((f for f in tool['data']['forums'] if f['shortname'] == shortname), None)
    if forum is None and not spec.get('forum_name'):
        raise ValueError('no forum %r (give forum_name to create it)' % shortname)
    posts = spec.get('posts') or [{'text': spec.get('subject', ''), 'author': 'test-admin'}]
    if not isinstance(posts, list):
        raise ValueError('posts is a list of {"text", "author", "reply_to", "status"} (or of texts)')
    posts = [{'text': p} if isinstance(p, str) else p for p in posts]
    if not all(isinstance(p, dict) and isinstance(p.get('text', ''), str) for p in posts):
        raise ValueError('posts is a list of {"text", "author", "reply_to", "status"} (or of texts)')
    flags = spec.get('flags') or []
    if not isinstance(flags, list) or set(flags) - {'Sticky', 'Announcement'}:
        raise ValueError('flags is a list of "Sticky" and "Announcement"')
    for index, item in enumerate(posts):
        if item.get('author', 'test-admin') not in data['users']:
            raise ValueError('posts[%d]: no user %r' % (index, item.get('author')))
        parent = item.get('reply_to')
        if parent is not None and not (isinstance(parent, int) and 0 <= parent < index):
            raise ValueError('posts[%d]: reply_to is the index of an earlier post' % index)
        if item.get('status') not in (None, 'ok', 'pending'):
            raise ValueError('posts[%d]: status is ok or pending' % index)
    if forum is None:
        forum = {'_id': object_id(), 'shortname': shortname, 'name': spec['forum_name'],
                 'description': spec.get('forum_description', '')}
        tool['data']['forums'].append(forum)
    topic = {'thread_id': thread_id(), 'forum': forum['_id'], 'thread_subject': str(spec.get('subject', '(no subject)')),
             'flags': flags, 'num_views': int(spec.get('num_views', 0))}
    tool['data'].setdefault('topics', []).append(topic)
    created = []
    for item in posts:
        parent = item.get('reply_to')
        created.append(discuss.add_post(data, project, tool, topic, item.get('author', 'test-admin'), item.get('text', ''),
                                        created[parent] if parent is not None else None, item.get('status')))
    return {'_id': topic['thread_id'], 'forum': forum['shortname'], 'subject': topic['thread_subject'],
            'posts': [{'slug': p['slug'], 'status': p['status']} for p in created]}
