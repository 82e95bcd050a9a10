"""The starting state: the recordings' starting state plus sandbox-only extras.

From the recordings README: users ``test-admin`` (site admin, admin of p/test,
p/test2 and adobe/adobe-1, admin of the ``adobe`` neighborhood but not of
``p``), ``test-user`` (member of nothing), ``root`` (admin of neighborhood
``p``), ``test-user-0`` .. ``test-user-3``; projects p/test and p/test2 with the
tools admin, search, activity, wiki, bugs, discussion, blog, link, code and the
recorded tracker fields; adobe/adobe-1 with admin, search, activity.

Sandbox-only (documented in README.md): the bearer token for ``root`` and one
OAuth1 consumer + access token for ``test-admin``.  Ids that appear in the
recordings are reused so bodies look alike.
"""

from . import model

BEARER_TOKENS = {
    'a0000000000000000001': 'test-admin',
    'a0000000000000000002': 'test-user',
    'a0000000000000000000': 'root',  # sandbox-only: neighborhood admin of p
}

OAUTH1_CONSUMER_KEY = 'sandboxconsumerkey000001'
OAUTH1_CONSUMER_SECRET = 'sandboxconsumersecret001'
OAUTH1_TOKEN = 'sandboxaccesstoken000001'
OAUTH1_TOKEN_SECRET = 'sandboxtokensecret000001'

_USERS = [
    ('test-admin', 'Test Admin', '6b0a6aa709bf77c467db0003', '2026-11-28 05:46:15.460000'),
    ('test-user', 'Test User', '6b0a6aa709bf77c467db0005', '2026-11-28 05:46:15.503000'),
    ('root', 'Root', '6b0a6aa709bf77c467db0001', '2026-11-28 05:46:15.400000'),
    ('test-user-0', 'Test User 0', '6b0a6aa709bf77c467db0007', '2026-11-28 05:46:15.510000'),
    ('test-user-1', 'Test User 1', '6b0a6aa709bf77c467db0009', '2026-11-28 05:46:15.520000'),
    ('test-user-2', 'Test User 2', '6b0a6aa709bf77c467db000b', '2026-11-28 05:46:15.530000'),
    ('test-user-3', 'Test User 3', '6b0a6aa709bf77c467db000d', '2026-11-28 05:46:15.540000'),
]

_FULL_TOOLS = [('admin', 'admin', 'Admin'), ('search', 'search', 'Search'), ('activity', 'activity', 'Activity'),
               ('wiki', 'wiki', 'Wiki'), ('tickets', 'bugs', 'Tickets'), ('discussion', 'discussion', 'Discussion'),
               ('blog', 'blog', 'Blog'), ('link', 'link', 'Link'), ('git', 'code', 'Code')]
STOCK_TOOLS = [('admin', 'admin', 'Admin'), ('search', 'search', 'Search'), ('activity', 'activity', 'Activity')]
USER_PROJECT_TOOLS = [('wiki', 'wiki', 'Wiki'), ('profile', 'profile', 'Profile'), ('admin', 'admin', 'Admin'),
                      ('search', 'search', 'Search'), ('activity', 'activity', 'Activity'),
                      ('userstats', 'userstats', 'Statistics')]

# ids seen in the recordings (p/test) so that replayed bodies look the same
_TEST_IDS = {
    'wiki': {'home': '6b0a6aa709bf77c467db00a2', 'home_date': '2026-11-28 05:46:15.650000', 'home_thread': '92784d2771',
             'discussion': '6b0a6aa709bf77c467db009d'},
    'bugs': {'config': '6b0a6aa709bf77c467db00ab', 'discussion': '6b0a6aa709bf77c467db00ac',
             'bins': ['6b0a6aa709bf77c467db00b3', '6b0a6aa709bf77c467db00b2', '6b0a6aa709bf77c467db00b1']},
    'discussion': {'forum': '6b0a6aa709bf77c467db00b5'},
}


def _full_project(shortname, name, project_id, ids, last_updated):
    project = model.new_project('p', shortname, name, 'test-admin', [], _id=project_id, creation_date='2026-11-28',
                                last_updated=last_updated)
    for ordinal, (tool_type, mount_point, label) in enumerate(_FULL_TOOLS):
        project['tools'].append(model.new_tool(tool_type, mount_point, label, ordinal, ids=ids.get(mount_point)))
    bugs = model.tool_by_mount(project, 'bugs')
    bugs['data']['custom_fields'] = model.recorded_tracker_fields()
    return project


def build():
    """A fresh copy of the seed state."""
    users = {name: {'_id': uid, 'username': name, 'name': display, 'joined': joined, 'disabled': False}
             for name, display, uid, joined in _USERS}
    users['test-admin']['site_admin'] = True
    projects = {}
    test = _full_project('test', 'Test Project', '6b0a6aa709bf77c467db0066', _TEST_IDS, '2026-11-28 05:46:18.120000')
    test['extra_tool_status'] = ['alpha', 'beta']  # Allura's test data lets p/test install alpha tools (chat)
    projects['p/test'] = test
    projects['p/test2'] = _full_project('test2', 'Test 2', '6b0a6aa709bf77c467db0073', {}, '2026-11-28 05:46:18.150000')
    projects['adobe/adobe-1'] = model.new_project('adobe', 'adobe-1', 'Adobe project 1', 'test-admin', STOCK_TOOLS,
                                                  creation_date='2026-11-28', last_updated='2026-11-28 05:46:15.553000')
    for index, (name, _display, _uid, joined) in enumerate(_USERS):
        project = model.new_project('u', name, name, name, USER_PROJECT_TOOLS, user_project=True,
                                    creation_date=joined[:10], last_updated=joined)
        if name == 'test-user':
            project['_id'] = '6b0a6aa709bf77c467db0031'
        else:
            project['_id'] = '6b0a6aa709bf77c467db%04x' % (0x40 + index)
        projects['u/' + name] = project
    return {
        'users': users,
        'tokens': dict(BEARER_TOKENS),
        'oauth1': {
            'consumers': {OAUTH1_CONSUMER_KEY: {'secret': OAUTH1_CONSUMER_SECRET, 'name': 'sandbox consumer', 'user': 'test-admin'}},
            'tokens': {OAUTH1_TOKEN: {'secret': OAUTH1_TOKEN_SECRET, 'consumer': OAUTH1_CONSUMER_KEY, 'user': 'test-admin'}},
        },
        'neighborhoods': {
            'p': {'_id': '6b0a6aa709bf77c467db0010', 'name': 'Projects', 'url_prefix': '/p/', 'admins': ['root'],
                  'allow_private': False, 'allow_register': True},
            'u': {'_id': '6b0a6aa709bf77c467db0011', 'name': 'Users', 'url_prefix': '/u/', 'admins': ['root'],
                  'allow_private': False, 'allow_register': False},
            'adobe': {'_id': '6b0a6aa709bf77c467db0012', 'name': 'Adobe', 'url_prefix': '/adobe/', 'admins': ['test-admin'],
                      'allow_private': True, 'allow_register': False},
        },
        'projects': projects,
        'exports': [],
    }
