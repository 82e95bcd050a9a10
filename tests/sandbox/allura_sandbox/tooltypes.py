"""Static facts about Allura tool types (what ``installable_tools`` shows,
default ACLs, which tools have a REST root, which are exportable).

ACL entries map a permission to the least role that holds it: ``*anonymous``,
``*authenticated`` or a project role (``Member`` < ``Developer`` < ``Admin``).
"""

_DISCUSSION_PERMS = {'post': '*authenticated', 'unmoderated_post': '*authenticated', 'moderate': 'Developer'}


def _acl(**perms):
    acl = {'read': '*anonymous', 'configure': 'Admin', 'admin': 'Admin'}
    acl.update(perms)
    return acl


TOOL_TYPES = {
    'link': {
        'label': 'External Link', 'default_label': 'Link name', 'api': True, 'exportable': True,
        'description': 'A link to a URL of your choice, either on this site or somewhere else. '
                       'It will appear in your project menu alongside the other project tools.',
        'icon': 'ext', 'options': {'url': None},
        'acl': {'read': '*anonymous', 'configure': 'Admin'},
    },
    'git': {
        'label': 'Git', 'default_label': 'Code', 'api': True, 'relaxed': True, 'webhooks': ('repo-push',),
        'description': 'Git is a popular distributed version control system with broad functionality. '
                       'It is known for its speed, flexibility, and data integrity.',
        'icon': 'code',
        'options': {'cloned_from_project_id': None, 'cloned_from_repo_id': None, 'init_from_url': None,
                    'external_checkout_url': None},
        'acl': _acl(write='Developer', create='Developer', **_DISCUSSION_PERMS),
    },
    'wiki': {
        'label': 'Wiki', 'default_label': 'Wiki', 'api': True, 'exportable': True,
        'description': 'Documentation is key to your project and the wiki tool helps make it easy for anyone to contribute.',
        'icon': 'wiki', 'options': {'AllowEmailPosting': True},
        'acl': _acl(create='Member', edit='Member', delete='Developer', **_DISCUSSION_PERMS),
    },
    'tickets': {
        'label': 'Tickets', 'default_label': 'Tickets', 'api': True, 'exportable': True,
        'description': "Organize your project's bugs, enhancements, tasks, etc. with a ticket system. You can track "
                       'and search by status, assignee, milestone, labels, and custom fields.',
        'icon': 'tickets',
        'options': {'EnableVoting': True, 'TicketMonitoringEmail': '', 'TicketMonitoringType': None, 'AllowEmailPosting': True},
        'acl': _acl(create='*authenticated', update='Developer', save_searches='Developer', delete='Developer',
                    **_DISCUSSION_PERMS),
    },
    'discussion': {
        'label': 'Discussion', 'default_label': 'Discussion', 'api': True, 'exportable': True,
        'description': 'Discussion forums are a place to talk about any topics related to your project. '
                       'You may set up multiple forums within the Discussion tool.',
        'icon': 'forums', 'options': {'PostingPolicy': 'ApproveOnceModerated', 'AllowEmailPosting': True},
        'acl': _acl(**_DISCUSSION_PERMS),
    },
    'feedback': {
        'label': 'Feedback', 'default_label': 'Feedback', 'max_instances': 1,
        'description': 'Feedbacks are given for the tools in the form of reviews and ratings, edit and delete the feedback',
        'icon': 'admin', 'options': {}, 'acl': _acl(),
    },
    'files': {
        'label': 'Files', 'default_label': 'Files', 'max_instances': 1,
        'description': 'Upload executables for your project. You may maintain version specific executables as well.',
        'icon': 'admin', 'options': {}, 'acl': _acl(),
    },
    'blog': {
        'label': 'Blog', 'default_label': 'Blog', 'api': True, 'exportable': True,
        'description': 'Share exciting news and progress updates with your community.',
        'icon': 'blog', 'options': {}, 'acl': _acl(write='Developer', **_DISCUSSION_PERMS),
    },
    'chat': {
        'label': 'Chat', 'default_label': 'Chat', 'status': 'alpha',
        'description': 'IRC chat integration', 'icon': 'chat', 'options': {'channel': ''}, 'acl': _acl(),
    },
    # never installable (max_instances = 0)
    'admin': {'label': 'Admin', 'default_label': 'Admin', 'api': True, 'exportable': True, 'installable': False,
              'acl': {'read': 'Admin', 'configure': 'Admin', 'admin': 'Admin'}},
    'search': {'label': 'Search', 'default_label': 'Search', 'installable': False, 'acl': {'read': 'Member'}},
    'activity': {'label': 'Activity', 'default_label': 'Activity', 'api': True, 'installable': False,
                 'acl': {'read': '*anonymous', 'configure': 'Admin', 'admin': 'Admin'}},
    'userstats': {'label': 'Statistics', 'default_label': 'Statistics', 'installable': False, 'acl': {'read': '*anonymous'}},
    # UserProfileApp lists no permission and installs an empty ACL: only admins (by the fallback) read it
    'profile': {'label': 'Profile', 'default_label': 'Profile', 'api': True, 'installable': False, 'hidden': True,
                'acl': {}},
}

# the order installable_tools lists them in (by status, then class ordinal)
INSTALL_ORDER = ('link', 'git', 'wiki', 'tickets', 'discussion', 'feedback', 'files', 'blog', 'chat')

EXPORTABLE = tuple(name for name, spec in TOOL_TYPES.items() if spec.get('exportable'))

# admin menu entries (admin_options); informational only
ADMIN_MENUS = {
    'wiki': [('Set Home', 'home', 'admin_modal'), ('Permissions', 'permissions', None), ('Options', 'options', 'admin_modal'),
             ('Rename', 'edit_label', 'admin_modal')],
    'tickets': [('Field Management', 'fields', None), ('Edit Searches', 'bins/', None), ('Permissions', 'permissions', None),
                ('Options', 'options', 'admin_modal'), ('Rename', 'edit_label', 'admin_modal')],
    'git': [('Checkout URL', 'checkout_url', 'admin_modal'), ('Viewable Files', 'extensions', 'admin_modal'),
            ('Refresh Repository', 'refresh', None), ('Permissions', 'permissions', None),
            ('Options', 'options', 'admin_modal'), ('Rename', 'edit_label', 'admin_modal'), ('Webhooks', 'webhooks', None)],
    'admin': [],
}
DEFAULT_ADMIN_MENU = [('Permissions', 'permissions', None), ('Options', 'options', 'admin_modal'),
                      ('Rename', 'edit_label', 'admin_modal')]
UNDELETABLE = ('admin', 'search', 'activity', 'userstats', 'profile')

DEFAULT_WIKI_HOME = ('Welcome to your wiki!\n\nThis is the default page, edit it as you see fit. To add a new page simply '
                     'reference it within brackets, e.g.: [SamplePage].\n\nThe wiki uses [Markdown](/nf/markdown_syntax) '
                     'syntax.\n\n[[members limit=20]]\n')

OPEN_STATUS_NAMES = 'open unread accepted pending'
CLOSED_STATUS_NAMES = 'closed wont-fix'
