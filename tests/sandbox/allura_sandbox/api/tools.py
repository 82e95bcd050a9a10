"""REST roots of the smaller tools: link, blog, discussion, git, activity, profile."""

import random
import re

from .. import model, perms, validators
from ..responses import HTTPError, bad_request, json_response, not_found, redirect, server_error
from ..util import now_str, object_id, thread_id, utcnow
from . import discuss, site
from .common import has_access, has_access_params, paging, rest_url, thread_json, to_int, tool_json, touch


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


# -- blog (REFERENCE 10) ------------------------------------------------------------

def _slugify(title):
    return re.sub(r'[-\s]+', '-', re.sub(r'[^\w\s-]', '', title, flags=re.UNICODE)).strip('-').lower()


def _post_url(ctx, project, tool, post):
    return rest_url(ctx, project, tool) + post['slug'] + '/'


def _post_json(ctx, project, tool, post):
    return {'_id': post['_id'], 'mod_date': post['mod_date'], 'labels': post['labels'], 'related_artifacts': [],
            'discussion_thread': thread_json(tool, post['thread_id'], discuss.posts_json(ctx, tool, post['thread_id']),
                                             subject=discuss.thread_subject(post)),
            'discussion_thread_url': rest_url(ctx, project, tool) + '_discuss/thread/%s/' % post['thread_id'],
            'author': post['author'], 'title': post['title'], 'url': _post_url(ctx, project, tool, post),
            'text': post['text'], 'state': post['state']}


def _blog_fields(ctx, post):
    for key in ('title', 'text'):
        if ctx.req.has(key):
            post[key] = ctx.req.param(key)
    if ctx.req.has('state'):
        if ctx.req.param('state') not in ('draft', 'published'):
            raise server_error()  # schema OneOf error at flush
        post['state'] = ctx.req.param('state')
    if ctx.req.has('labels'):
        post['labels'] = ctx.req.param('labels').split(',')


def blog(ctx, project, tool, rest):
    _read(ctx, project, tool)
    if _is_has_access(ctx, rest):
        return _tool_has_access(ctx, project, tool)
    if rest and rest[0] == '_discuss':
        return discuss.route(ctx, project, tool, rest[1:])
    can_write = perms.tool_access(ctx.data, project, tool, 'write', ctx.user)
    posts = tool['data']['posts']
    if not rest:
        if ctx.method == 'GET' and not ctx.req.raw_path.endswith('/'):
            raise redirect(ctx.abs(ctx.req.raw_path + '/') + ('?' + ctx.req.raw_query if ctx.req.raw_query else ''), 301)
        if ctx.method == 'POST':
            perms.require(can_write, 'write', ctx.user)
            now = utcnow()
            post = {'_id': object_id(), 'title': '', 'text': '', 'state': 'draft', 'labels': [''], 'author': ctx.user,
                    'mod_date': str(now), 'created': str(now), 'version': 1, 'thread_id': thread_id()}
            _blog_fields(ctx, post)
            post['thread_subject'] = '%s discussion' % post['title']
            slug = now.strftime('%Y/%m/') + _slugify(post['title'])
            if any(p['slug'] == slug for p in posts):
                slug += '-%d' % random.randint(100, 999)
            post['slug'] = slug
            posts.append(post)
            touch(ctx, project)
            location = _post_url(ctx, project, tool, post)
            raise HTTPError(201, headers=[('Location', location)])
        visible = [p for p in reversed(posts) if can_write or p['state'] == 'published']
        limit, page, _start = paging(to_int(ctx.req.param('limit', 10)), to_int(ctx.req.param('page', 0)))
        last_page = max((len(visible) - 1) // limit, 0)
        page = min(page, last_page)
        window = visible[page * limit:(page + 1) * limit]
        return json_response({'posts': [{'title': p['title'], 'url': _post_url(ctx, project, tool, p)} for p in window],
                              'count': len(visible), 'limit': limit, 'page': page})
    slug = '/'.join(rest)
    post = next((p for p in posts if p['slug'] == slug), None)
    if len(rest) != 3 or post is None:
        raise not_found()
    if post['state'] == 'draft':
        perms.require(can_write, 'write', ctx.user)
    if ctx.method == 'POST':
        perms.require(can_write, 'write', ctx.user)
        if ctx.req.has('delete'):
            posts.remove(post)
            touch(ctx, project)
            return json_response({})
        _blog_fields(ctx, post)
        post['version'] += 1
        post['mod_date'] = now_str()
        touch(ctx, project)
    return json_response(_post_json(ctx, project, tool, post))


# -- discussion (forums, read-only; REFERENCE 9.2) ------------------------------------

def discussion(ctx, project, tool, rest):
    _read(ctx, project, tool)
    if _is_has_access(ctx, rest):
        return _tool_has_access(ctx, project, tool)
    limit, page, _start = paging(to_int(ctx.req.param('limit', 25)), to_int(ctx.req.param('page', 0)))
    forums = sorted(tool['data']['forums'], key=lambda f: f['shortname'])
    base = rest_url(ctx, project, tool)
    if not rest:
        return json_response({'forums': [{'_id': f['_id'], 'name': f['name'], 'shortname': f['shortname'],
                                          'description': f['description'], 'num_topics': 0, 'last_post': None,
                                          'url': base + f['shortname'] + '/'} for f in forums],
                              'limit': limit, 'page': page, 'count': len(forums)})
    forum = next((f for f in forums if f['shortname'] == rest[0]), None)
    if forum is None or len(rest) > 1:
        raise not_found()
    return json_response({'forum': {'_id': forum['_id'], 'shortname': forum['shortname'], 'name': forum['name'],
                                    'description': forum['description'], 'topics': []},
                          'count': 0, 'page': page, 'limit': limit})


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
    if _is_has_access(ctx, rest):
        return _tool_has_access(ctx, project, tool)
    if rest:
        raise not_found()
    return json_response(site.profile_json(ctx, project))
