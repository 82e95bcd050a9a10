"""The sandbox's data model: plain JSON-serialisable dicts plus helpers.

State layout (also what ``GET /_sandbox/state`` returns)::

    users          {username: {_id, username, name, joined, disabled}}
    tokens         {bearer token: username}
    oauth1         {consumers: {key: {secret}}, tokens: {token: {secret, consumer, user}}}
    neighborhoods  {prefix: {_id, name, url_prefix, admins, allow_private, allow_register}}
    projects       {"<nbhd>/<shortname>": project}   (user projects: "u/<username>")
    exports        [export record, ...]

A project holds its ``roles`` ({username: Admin|Developer|Member}) and its
``tools`` (storage order, each with ``ordinal`` and type specific ``data``).
"""

from . import tooltypes
from .util import now_str, object_id, thread_id, today_str

ROLE_RANK = {'Member': 1, 'Developer': 2, 'Admin': 3}

# A few trove categories so add_project's trove_* keys can be exercised.
# (root key in the project JSON, add_project key, id, shortname, fullpath)
TROVE = [
    ('developmentstatus', 'trove_developmentstatuses', 9, 'alpha', 'Development Status :: 3 - Alpha'),
    ('developmentstatus', 'trove_developmentstatuses', 10, 'beta', 'Development Status :: 4 - Beta'),
    ('developmentstatus', 'trove_developmentstatuses', 11, 'production', 'Development Status :: 5 - Production/Stable'),
    ('audience', 'trove_audiences', 3, 'developers', 'Intended Audience :: Developers'),
    ('audience', 'trove_audiences', 4, 'sysadmins', 'Intended Audience :: System Administrators'),
    ('license', 'trove_licenses', 401, 'apache2', 'License :: OSI-Approved Open Source :: Apache License V2.0'),
    ('license', 'trove_licenses', 188, 'mit', 'License :: OSI-Approved Open Source :: MIT License'),
    ('license', 'trove_licenses', 15, 'gpl', 'License :: OSI-Approved Open Source :: GNU General Public License version 2.0 (GPLv2)'),
    ('os', 'trove_oses', 235, 'independent',
     'Operating System :: Grouping and Descriptive Categories :: OS Independent (Written in an interpreted language)'),
    ('os', 'trove_oses', 201, 'linux', 'Operating System :: Modern (Vendor-Supported) Desktop Operating Systems :: Linux'),
    ('language', 'trove_languages', 178, 'python', 'Programming Language :: Python'),
    ('language', 'trove_languages', 280, 'JavaScript', 'Programming Language :: JavaScript'),
    ('topic', 'trove_topics', 45, 'development', 'Topic :: Software Development'),
    ('topic', 'trove_topics', 46, 'build', 'Topic :: Software Development :: Build Tools'),
    ('topic', 'trove_topics', 253, 'sysadministration', 'Topic :: System :: Systems Administration'),
    ('translation', 'trove_natlanguages', 275, 'english', 'Translations :: English'),
    ('environment', 'trove_environments', 237, 'web', 'User Interface :: Web-based'),
    ('environment', 'trove_environments', 460, 'console-terminal', 'User Interface :: Textual :: Console/Terminal'),
    ('database', 'trove_root_databases', 526, 'db_api_sqlite', 'Database Environment :: Database API :: SQLite'),
    ('database', 'trove_root_databases', 508, 'db_net_pgsql', 'Database Environment :: Network-based DBMS :: PostgreSQL (pgsql)'),
]
TROVE_ROOTS = ('audience', 'developmentstatus', 'environment', 'language', 'license', 'translation', 'os', 'database', 'topic')


def trove_json(cat_id):
    for _root, _key, tid, shortname, fullpath in TROVE:
        if tid == cat_id:
            return {'id': tid, 'shortname': shortname, 'fullname': fullpath.rsplit(' :: ', maxsplit=1)[-1], 'fullpath': fullpath}
    return None


def trove_lookup(add_project_key, value):
    for _root, key, tid, _shortname, fullpath in TROVE:
        if key == add_project_key and value in (fullpath, fullpath.rsplit(' :: ', maxsplit=1)[-1]):
            return tid
    return None


# -- lookups -------------------------------------------------------------------

def project_key(nbhd, shortname):
    return '%s/%s' % (nbhd, shortname)


def project_url(project):
    """Relative HTML URL of a project, e.g. ``/p/test/``."""
    return '/%s/%s/' % (project['nbhd'], project['shortname'])


def project_shortname(project):
    """What Allura calls the shortname: ``test``, or ``u/<name>`` for user projects."""
    return 'u/%s' % project['shortname'] if project.get('user_project') else project['shortname']


def tool_by_mount(project, mount_point):
    for tool in project['tools']:
        if tool['mount_point'] == mount_point:
            return tool
    return None


def role_of(project, username):
    if username is None:
        return None
    return project['roles'].get(username)


def is_project_admin(project, username):
    return role_of(project, username) == 'Admin'


def is_member(project, username):
    return role_of(project, username) is not None


def user_projects(data, username):
    """Projects (not user projects) where the user holds a named role."""
    return [p for p in data['projects'].values() if not p.get('user_project') and username in p['roles']]


# -- factories -----------------------------------------------------------------

def new_wiki_page(title, text, labels=None, page_id=None, mod_date=None, thread=None):
    return {'_id': page_id or object_id(), 'title': title, 'text': text, 'labels': list(labels or []),
            'version': 1, 'mod_date': mod_date or now_str(), 'thread_id': thread or thread_id(), 'deleted': False}


def default_milestone_field(configured_via_admin=False):
    """The stock ``_milestone`` field; its JSON differs once an admin saved the Fields page."""
    if configured_via_admin:
        milestones = [{'name': '1.0', 'default': 'True', 'due_date': '', 'description': '', 'complete': False},
                      {'name': '2.0', 'due_date': '', 'description': '', 'complete': False}]
    else:
        milestones = [{'name': '1.0', 'due_date': None, 'description': None, 'complete': False, 'default': True},
                      {'name': '2.0', 'due_date': None, 'description': None, 'complete': False, 'default': False}]
    return {'name': '_milestone', 'label': 'Milestone', 'type': 'milestone', 'options': '', 'show_in_search': False,
            'milestones': milestones}


def recorded_tracker_fields():
    """The field definition of ``p/test/bugs`` and ``p/test2/bugs`` (recordings README)."""
    return [default_milestone_field(configured_via_admin=True),
            {'name': '_severity', 'label': 'Severity', 'type': 'select', 'options': 'low *normal high', 'show_in_search': False},
            {'name': '_public', 'label': 'Public', 'type': 'boolean', 'options': '', 'show_in_search': False},
            {'name': '_estimate', 'label': 'Estimate', 'type': 'number', 'options': '', 'show_in_search': False},
            {'name': '_reviewer', 'label': 'Reviewer', 'type': 'user', 'options': '', 'show_in_search': False}]


def _tool_data(tool_type, ids):
    if tool_type == 'wiki':
        home = new_wiki_page('Home', tooltypes.DEFAULT_WIKI_HOME, page_id=ids.get('home'), mod_date=ids.get('home_date'),
                             thread=ids.get('home_thread'))
        return {'discussion_id': ids.get('discussion') or object_id(), 'pages': [home]}
    if tool_type == 'tickets':
        bins = ids.get('bins') or [object_id(), object_id(), object_id()]
        return {'discussion_id': ids.get('discussion') or object_id(),
                'open_status_names': tooltypes.OPEN_STATUS_NAMES, 'closed_status_names': tooltypes.CLOSED_STATUS_NAMES,
                'custom_fields': [default_milestone_field()],
                'saved_bins': [{'_id': bins[0], 'summary': 'Changes', 'terms': '!status:closed && !status:wont-fix',
                                'sort': 'mod_date_dt desc'},
                               {'_id': bins[1], 'summary': 'Closed Tickets', 'terms': 'status:closed OR status:wont-fix', 'sort': ''},
                               {'_id': bins[2], 'summary': 'Open Tickets', 'terms': '!status:closed && !status:wont-fix', 'sort': ''}],
                'tickets': []}
    if tool_type == 'git':
        return {'commit_count': 0, 'webhooks': []}
    if tool_type == 'blog':
        return {'discussion_id': object_id(), 'posts': []}
    if tool_type == 'discussion':
        return {'forums': [{'_id': ids.get('forum') or object_id(), 'name': 'General Discussion', 'shortname': 'general',
                            'description': 'Forum about anything you want to talk about.'}]}
    return {}


def new_tool(tool_type, mount_point, mount_label, ordinal, options=None, ids=None):
    """An installed tool (AppConfig) with the data its ``install()`` creates."""
    ids = ids or {}
    spec = tooltypes.TOOL_TYPES[tool_type]
    tool_options = dict(spec.get('options', {}))
    tool_options.update(options or {})
    return {'_id': ids.get('config') or object_id(), 'tool': tool_type, 'mount_point': mount_point,
            'mount_label': mount_label, 'ordinal': ordinal, 'options': tool_options,
            'installed': now_str(), 'data': _tool_data(tool_type, ids)}


def new_project(nbhd, shortname, name, admin, tools, **attrs):
    project = {
        '_id': attrs.pop('_id', None) or object_id(), 'nbhd': nbhd, 'shortname': shortname, 'name': name,
        'summary': '', 'short_description': '', 'external_homepage': '', 'video_url': '', 'labels': [],
        'private': False, 'creation_date': today_str(), 'last_updated': now_str(), 'roles': {admin: 'Admin'},
        'tools': [], 'tool_data': {'allura': {'grouping_threshold': 1}}, 'trove': [], 'icon': None,
        'socialnetworks': [], 'status': 'active', 'moved_to_url': '', 'preferred_support_tool': '',
        'preferred_support_url': '', 'screenshots': [], 'user_project': False, 'extra_tool_status': [], 'awards': [],
    }
    project.update(attrs)
    for ordinal, (tool_type, mount_point, label) in enumerate(tools):
        project['tools'].append(new_tool(tool_type, mount_point, label, ordinal))
    return project
