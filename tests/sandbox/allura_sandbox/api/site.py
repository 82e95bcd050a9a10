"""Site, neighborhood and project level endpoints (REFERENCE 3 and 4)."""

import datetime
import json
import re
from xml.sax.saxutils import escape as xml_escape

from .. import model, perms, seed, validators
from ..responses import Response, json_response, method_not_allowed, server_error
from ..util import now_str, utcnow
from .common import has_access, tool_json


def site_index(ctx):
    """``GET /rest/``: the stock site stats."""
    since = str(utcnow() - datetime.timedelta(days=1))
    tickets = 0
    for project in ctx.data['projects'].values():
        for tool in project['tools']:
            if tool['tool'] == 'tickets':
                tickets += sum(1 for t in tool['data']['tickets'] if t['created_date'] >= since)
    return json_response({'site_stats': {'tickets_24hr': tickets, 'posts_24hr': 0}})


# -- neighborhood ---------------------------------------------------------------

def nbhd_has_access(ctx, nbhd):
    return has_access(ctx, perms.nbhd_access(ctx.data, nbhd, 'admin', ctx.user),
                      lambda user, perm: perms.nbhd_access(ctx.data, nbhd, perm, user))


def find_project(ctx, nbhd, name):
    """``nbhd_lookup_first_path``: shortname rules, user projects in ``u``."""
    if nbhd == 'u':
        candidates = (name, name.replace('_', '-'))
        for key, project in ctx.data['projects'].items():
            if project['nbhd'] == 'u' and project['shortname'].replace('_', '-') in candidates:
                user = ctx.data['users'].get(project['shortname'])
                if user and user.get('disabled') and not ctx.data['users'].get(ctx.user or '', {}).get('site_admin'):
                    return None
                return ctx.data['projects'][key]
        return None
    if not name.isascii() or not validators.PROJECT_NAME_RE.match(name):
        return None
    return ctx.data['projects'].get(model.project_key(nbhd, name))


# -- project --------------------------------------------------------------------

def project_json(ctx, project):
    """``Project.__json__`` as seen by the caller."""
    readable = [t for t in project['tools']
                if not t.get('hidden') and perms.tool_access(ctx.data, project, t, 'read', ctx.user)]
    developers = [{'username': name, 'name': ctx.data['users'][name]['name'], 'url': ctx.abs('/u/%s/' % name)}
                  for name, role in project['roles'].items()
                  if role in ('Admin', 'Developer') and name in ctx.data['users']]
    categories = {root: [] for root in model.TROVE_ROOTS}
    for cat_id in project.get('trove', []):
        for root, _key, tid, _short, _path in model.TROVE:
            if tid == cat_id:
                categories[root].append(model.trove_json(tid))
    url = ctx.abs(model.project_url(project))
    result = {
        'shortname': model.project_shortname(project), 'name': project['name'], '_id': project['_id'], 'url': url,
        'private': project['private'], 'short_description': project['short_description'],
        'creation_date': project['creation_date'], 'summary': project['summary'],
        'external_homepage': project['external_homepage'], 'video_url': project['video_url'],
        'socialnetworks': project['socialnetworks'], 'status': project['status'],
        'moved_to_url': project['moved_to_url'], 'preferred_support_tool': project['preferred_support_tool'],
        'preferred_support_url': project['preferred_support_url'], 'developers': developers,
        'tools': [tool_json(ctx, project, t) for t in readable], 'labels': project['labels'],
        'categories': categories, 'icon_url': url + 'icon' if project.get('icon') else None,
        'screenshots': project['screenshots'],
    }
    if project.get('user_project'):
        result['profile_api_url'] = ctx.abs('/rest/u/%s/profile/' % project['shortname'])
    return result


def project_doap(ctx, project):
    """``?doap``: an RDF/XML DOAP description."""
    about = ctx.abs('/rest' + model.project_url(project).rstrip('/') + '?doap#')
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#"'
        ' xmlns="http://usefulinc.com/ns/doap#" xmlns:foaf="http://xmlns.com/foaf/0.1/"'
        ' xmlns:sf="http://sourceforge.net/api/sfelements.rdf#" xmlns:dc="http://dublincore.org/documents/dcmi-namespace/">',
        '  <Project rdf:about="%s">' % xml_escape(about, {'"': '&quot;'}),
        '    <name>%s</name>' % xml_escape(model.project_shortname(project)),
        '    <dc:title>%s</dc:title>' % xml_escape(project['name']),
        '    <sf:private>%d</sf:private>' % int(project['private']),
        '    <shortdesc xml:lang="en">%s</shortdesc>' % xml_escape(project['summary']),
        '    <description xml:lang="en">%s</description>' % xml_escape(project['short_description']),
        '    <created>%s</created>' % project['creation_date'],
    ]
    if project['external_homepage']:
        lines.append('    <homepage rdf:resource="%s"/>' % xml_escape(project['external_homepage'], {'"': '&quot;'}))
    for name, role in sorted(project['roles'].items()):
        if name not in ctx.data['users'] or role not in ('Admin', 'Developer'):
            continue
        tag = 'maintainer' if role == 'Admin' else 'developer'
        lines.append('    <%s><foaf:Person><foaf:name>%s</foaf:name><foaf:nick>%s</foaf:nick>'
                     '<foaf:homepage rdf:resource="%s"/></foaf:Person></%s>'
                     % (tag, xml_escape(ctx.data['users'][name]['name']), xml_escape(name), ctx.abs('/u/%s/' % name), tag))
    for tool in project['tools']:
        if tool['tool'] in ('admin', 'search', 'profile') or not perms.tool_access(ctx.data, project, tool, 'read', ctx.user):
            continue
        lines.append('    <sf:feature><sf:Feature><name>%s</name><foaf:page rdf:resource="%s"/></sf:Feature></sf:feature>'
                     % (xml_escape(tool['mount_label']), ctx.abs(model.project_url(project) + tool['mount_point'] + '/')))
    lines += ['  </Project>', '</rdf:RDF>', '']
    return Response(200, '\n'.join(lines), 'application/rdf+xml; charset=UTF-8')


def project_index(ctx, project):
    if any(name == 'doap' for name, _value in ctx.req.query_pairs + ctx.req.form_pairs):
        return project_doap(ctx, project)
    return json_response(project_json(ctx, project))


def project_has_access(ctx, project):
    return has_access(ctx, perms.project_access(ctx.data, project, 'admin', ctx.user),
                      lambda user, perm: perms.project_access(ctx.data, project, perm, user))


# -- user profile -----------------------------------------------------------------

def profile_json(ctx, project):
    user = ctx.data['users'][project['shortname']]
    projects = []
    for other in sorted(model.user_projects(ctx.data, user['username']), key=lambda p: p['name']):
        if perms.project_access(ctx.data, other, 'read', ctx.user):
            projects.append({'name': other['name'], 'url': model.project_url(other), 'summary': other['summary'],
                             'last_updated': other['last_updated']})
    return {'username': user['username'], 'name': user['name'], 'joined': user['joined'],
            'localization': {'city': None, 'country': None}, 'sex': 'Unknown', 'telnumbers': [], 'webpages': [],
            'availability': [], 'skills': [], 'socialnetworks': [], 'projects': projects}


# -- add_project ------------------------------------------------------------------

_TROVE_LIMITS = {'trove_developmentstatuses': 6, 'trove_audiences': 6, 'trove_licenses': 6, 'trove_languages': 6,
                 'trove_topics': 3}
_STRING_KEYS = ('name', 'admin', 'shortname', 'summary', 'description', 'external_homepage', 'video_url', 'icon_url')
_SCHEMA_KEYS = ('admin', 'name', 'shortname', 'summary', 'description', 'external_homepage', 'video_url', 'private',
                'labels', 'trove_root_databases', 'trove_developmentstatuses', 'trove_audiences', 'trove_licenses',
                'trove_oses', 'trove_languages', 'trove_topics', 'trove_natlanguages', 'trove_environments',
                'tool_data', 'icon_url', 'awards')


class _ProjectError(Exception):
    pass


def _colander_bool(value):
    if isinstance(value, str):
        return value.strip().lower() not in ('false', '0', '')
    return bool(value)


def _deserialize(ctx, body):
    """The colander schema of ``project_create_helpers``: errors are a dict rendered with ``str()``."""
    if not isinstance(body, dict):
        raise _ProjectError(str({'': '"%s" is not a mapping type: Does not implement dict-like functionality.' % body}))
    body = dict(body)
    result, errors = {}, {}
    for key in _SCHEMA_KEYS:
        if key not in body:
            if key in ('admin', 'name'):
                errors[key] = 'Required'
            continue
        value = body.pop(key)
        if key in _STRING_KEYS:
            if value is None or isinstance(value, (dict, list)):
                errors[key] = '"%s" is not a string' % (value,) if value is not None else 'Required'
                continue
            value = value if isinstance(value, str) else json.dumps(value)
            if key == 'admin' and (value not in ctx.data['users']):
                errors[key] = 'Invalid username "%s".' % value
            elif key == 'icon_url' and not re.match(r'^[a-z][a-z0-9.+-]*://\S+$', value, re.I):
                errors[key] = 'Must be a URL'
        elif key == 'private':
            value = _colander_bool(value)
        elif key == 'tool_data':
            if not isinstance(value, dict):
                errors[key] = '"%s" is not a mapping type: Does not implement dict-like functionality.' % (value,)
        elif not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            errors[key] = '"%s" is not iterable' % (value,) if not isinstance(value, list) else 'Invalid list item'
        elif key in _TROVE_LIMITS and len(value) > _TROVE_LIMITS[key]:
            errors[key] = 'Longer than maximum length %d' % _TROVE_LIMITS[key]
        result[key] = value
    if body:
        raise _ProjectError(str({'': 'Unrecognized keys in mapping: "%s"' % body}))
    if errors:
        raise _ProjectError(str(errors))
    return result


def _suggest_shortname(ctx, nbhd, name):
    base = re.sub(r'[^a-z0-9]+', '-', name.lower()).strip('-')[:15].strip('-')
    candidate, suffix = base, 0
    while model.project_key(nbhd, candidate) in ctx.data['projects']:
        suffix += 1
        candidate = base[:15 - len(str(suffix))] + str(suffix)
    return candidate


def add_project(ctx, nbhd):
    """``POST /rest/{nbhd}/add_project`` (REFERENCE 3.5)."""
    if ctx.method != 'POST':
        raise method_not_allowed()
    perms.require(perms.nbhd_access(ctx.data, nbhd, 'admin', ctx.user), 'admin', ctx.user)
    try:
        body = json.loads(ctx.req.body)  # read regardless of Content-Type
    except ValueError as exc:  # also UnicodeDecodeError
        raise server_error() from exc
    try:
        fields = _deserialize(ctx, body)
        neighborhood = ctx.data['neighborhoods'][nbhd]
        shortname = fields.get('shortname')
        if shortname is None:
            shortname = _suggest_shortname(ctx, nbhd, fields['name'])
        if not validators.PROJECT_NAME_RE.match(shortname):
            raise _ProjectError('Please use 3-15 small letters, numbers, and dashes.')
        if model.project_key(nbhd, shortname) in ctx.data['projects'] or nbhd == 'u':
            raise _ProjectError('This project name is taken.')
        if fields.get('private') and not neighborhood['allow_private']:
            raise _ProjectError("You can't create private projects in the %s neighborhood" % neighborhood['name'])
        trove = []
        for key, values in fields.items():
            if key.startswith('trove_'):
                for value in values:
                    cat_id = model.trove_lookup(key, value)
                    if cat_id is None:
                        raise _ProjectError('"%s" is not a valid trove category.' % value)
                    trove.append(cat_id)
        if fields.get('awards'):
            raise _ProjectError('"%s" is not a valid award.' % fields['awards'][0])
    except _ProjectError as exc:
        return json_response({'error': str(exc)}, status=400)
    project = model.new_project(
        nbhd, shortname, fields['name'], fields['admin'], seed.STOCK_TOOLS,
        summary=fields.get('summary', ''), short_description=fields.get('description', ''),
        external_homepage=fields.get('external_homepage', ''), video_url=fields.get('video_url', ''),
        labels=fields.get('labels', []), private=bool(fields.get('private')), trove=trove,
        icon=fields.get('icon_url'), last_updated=now_str())
    if fields.get('tool_data'):
        for tool_name, values in fields['tool_data'].items():
            if isinstance(values, dict):
                project['tool_data'].setdefault(tool_name, {}).update(values)
    ctx.data['projects'][model.project_key(nbhd, shortname)] = project
    ctx.changed()
    rest_url = ctx.abs('/rest/%s/%s/' % (nbhd, shortname))
    return json_response({'status': 'success', 'html_url': ctx.abs('/%s/%s/' % (nbhd, shortname)), 'url': rest_url},
                         status=201, headers=[('Location', rest_url)])
