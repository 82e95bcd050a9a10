# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Contract cases: requests whose real answers the sandbox must reproduce.

Each case is one request, made in this order against a freshly started real Allura (the
recordings' starting state) by record_cases.py, which stores the exchanges in
tests/sandbox/contract-cases/ in the format of the shared recordings. The sandbox's contract test
replays them like the shared recordings, and the `real` step replays them against the real server
again (so they stay true). A difference between the sandbox and the real server - found by the
differential test or by hand - becomes a case here before the sandbox is fixed.

Keys: name (the file name), description, method, path, query, auth (test-admin, test-user, root
or anonymous), form (sent form-encoded, in this order).
"""

CASES = []


def case(name, description, path, method='GET', auth='test-admin', query='', form=None):
    CASES.append({'name': name, 'description': description, 'method': method, 'path': path, 'query': query,
                  'auth': auth, 'form': form})


# -- the External Link tool's URL rules (formencode URL: a full domain name, no IP address) -------
LINK_URLS = [
    ('localhost', 'http://localhost/'),
    ('loopback_ip', 'http://127.0.0.1/'),
    ('intranet_host', 'http://intranet/'),
    ('private_ip_port_path', 'http://10.0.0.1:8080/a'),
    ('not_a_url', 'not a url'),
    ('javascript', 'javascript:alert(1)'),
    ('ftp', 'ftp://example.org/file'),
    ('space_in_path', 'https://example.org/a b'),
    ('uppercase_scheme_host', 'HTTPS://Example.ORG/Path?q=1#frag'),
    ('unicode_host', 'http://café.example/'),
    ('no_scheme', 'example.org/x'),
    ('port_and_userinfo', 'https://user:pw@example.org:8443/p'),
    ('surrounding_space', '  https://example.com/  '),
]
for _label, _url in LINK_URLS:
    case('link__set_' + _label, 'set the link to %r' % _url, '/rest/p/test2/link/', 'POST', form={'url': _url})
case('link__get_after_url_cases', 'the link after the URL cases: the last accepted one', '/rest/p/test2/link/')

# -- sub-projects: Allura's test data has p/test/sub1 ----------------------------------------------
for _auth in ('test-admin', 'test-user', 'anonymous', 'root'):
    case('subproject__get_' + _auth.replace('-', '_'), 'the sub-project p/test/sub1 as ' + _auth, '/rest/p/test/sub1/',
         auth=_auth)
case('subproject__get_doap', 'the sub-project\'s DOAP', '/rest/p/test/sub1/', query='doap')
case('subproject__has_access_admin_read', 'has_access on the sub-project', '/rest/p/test/sub1/has_access',
     query='user=test-admin&perm=read')
case('subproject__has_access_test_user_read', 'has_access on the sub-project for a non-member',
     '/rest/p/test/sub1/has_access', query='user=test-user&perm=read')
case('subproject__has_access_as_test_user', 'has_access on the sub-project asked by a non-admin',
     '/rest/p/test/sub1/has_access', auth='test-user', query='user=test-user&perm=read')
case('subproject__wiki_list', 'the sub-project\'s wiki', '/rest/p/test/sub1/wiki/')
case('subproject__wiki_home', 'the sub-project\'s wiki Home page', '/rest/p/test/sub1/wiki/Home')
case('subproject__wiki_has_access', 'has_access on the sub-project\'s wiki', '/rest/p/test/sub1/wiki/has_access',
     query='user=test-admin&perm=create')
case('subproject__installable_tools', 'installable tools of a sub-project (no "subproject" pseudo-tool)',
     '/rest/p/test/sub1/admin/installable_tools')
case('subproject__unknown', 'a sub-project that does not exist, nor a tool of that name', '/rest/p/test/sub2/')
case('subproject__test2_has_none', 'p/test2 has no sub-project', '/rest/p/test2/sub1/')
case('subproject__export_status', 'export status of the sub-project', '/rest/p/test/sub1/admin/export_status')

# -- user projects: the tools each caller sees -----------------------------------------------------
for _owner in ('test-admin', 'test-user', 'root', 'test-user-0'):
    for _auth in ('anonymous', 'test-admin', 'test-user', 'root'):
        case('user_project__%s_as_%s' % (_owner.replace('-', '_'), _auth.replace('-', '_')),
             'the user project u/%s as %s' % (_owner, _auth), '/rest/u/%s/' % _owner, auth=_auth)
case('user_project__wiki_list', 'a user project\'s wiki', '/rest/u/test-user/wiki/', auth='test-user')
case('user_project__wiki_home', 'a user project\'s wiki Home page', '/rest/u/test-user/wiki/Home', auth='test-user')
case('user_project__wiki_write_owner', 'the owner writes a page of their user project', '/rest/u/test-user/wiki/Notes',
     'POST', auth='test-user', form={'text': 'My notes', 'labels': 'mine'})
case('user_project__wiki_read_back', 'the page, read back anonymously', '/rest/u/test-user/wiki/Notes', auth='anonymous')
case('user_project__wiki_write_other', 'another user may not write it', '/rest/u/test-user/wiki/Notes', 'POST',
     auth='test-admin', form={'text': 'Not mine'})
case('user_project__installable_tools_owner', 'what the owner may install in a user project',
     '/rest/u/test-user/admin/installable_tools', auth='test-user')
case('user_project__install_tool_owner', 'the owner installs a tracker in a user project',
     '/rest/u/test-user/admin/install_tool', 'POST', auth='test-user',
     form={'tool': 'tickets', 'mount_point': 'issues', 'mount_label': 'Issues'})
case('user_project__after_install', 'the user project after the install, as its owner', '/rest/u/test-user/',
     auth='test-user')
case('user_project__has_access_owner', 'has_access on a user project, asked by its owner', '/rest/u/test-user/has_access',
     auth='test-user', query='user=test-user&perm=admin')

# -- boolean custom fields: when _public appears, and as what --------------------------------------
_T = '/rest/p/test2/bugs/'
_CREATED = [  # tickets 1 to 6 of p/test2: (label, what is sent besides the summary)
    ('none', 'no custom field', {}),
    ('other', 'another custom field only', {'ticket_form.custom_fields._severity': 'high'}),
    ('true', '_public=true', {'ticket_form.custom_fields._public': 'true'}),
    ('on', '_public=on and a milestone', {'ticket_form.custom_fields._public': 'on', 'ticket_form._milestone': '2.0'}),
    ('false', '_public=false', {'ticket_form.custom_fields._public': 'false'}),
    ('empty', '_public= (empty)', {'ticket_form.custom_fields._public': ''}),
]
_SUMMARIES = ['No custom fields', 'Severity only', 'Public', 'Public on', 'Not public', 'Empty public']
for _num, ((_label, _what, _form), _summary) in enumerate(zip(_CREATED, _SUMMARIES), start=1):
    case('custom_bool__create_' + _label, 'a ticket created with ' + _what, _T + 'new', 'POST',
         form=dict({'ticket_form.summary': _summary}, **_form))
    case('custom_bool__get_' + _label, 'its custom_fields', _T + '%d/' % _num)
case('custom_bool__save_milestone_only', 'ticket 3 (_public true) saved with only a milestone', _T + '3/save', 'POST',
     form={'ticket_form._milestone': '1.0'})
case('custom_bool__get_after_milestone_only', 'its custom_fields', _T + '3/')
case('custom_bool__save_severity_only', 'ticket 4 (_public true) saved with only another custom field', _T + '4/save', 'POST',
     form={'ticket_form.custom_fields._severity': 'low'})
case('custom_bool__get_after_severity_only', 'its custom_fields', _T + '4/')
case('custom_bool__save_true_again', 'ticket 4 saved with _public=true', _T + '4/save', 'POST',
     form={'ticket_form.custom_fields._public': 'true'})
case('custom_bool__save_labels_only', 'ticket 4 saved with labels only', _T + '4/save', 'POST',
     form={'ticket_form.labels': 'a,b'})
case('custom_bool__get_after_labels_only', 'its custom_fields and labels', _T + '4/')
case('custom_bool__save_private', 'ticket 2 made private', _T + '2/save', 'POST',
     form={'ticket_form.private': 'true', 'ticket_form.custom_fields._public': 'true'})
case('custom_bool__get_private_admin', 'the private ticket as test-admin', _T + '2/')
case('custom_bool__get_private_test_user', 'the private ticket as test-user', _T + '2/', auth='test-user')
case('custom_bool__get_private_anonymous', 'the private ticket anonymously', _T + '2/', auth='anonymous')
case('custom_bool__list_test_user', 'the ticket list as test-user (the private ticket is left out)', _T,
     auth='test-user')

# -- a wiki tool installed at a sub-project's name: REST routes to the sub-project -----------------
case('subproject__install_wiki_same_name', 'install a wiki at mount point sub1 of p/test (not refused)',
     '/rest/p/test/admin/install_tool', 'POST', form={'tool': 'wiki', 'mount_point': 'sub1', 'mount_label': 'Sub wiki'})
case('subproject__project_after_install', 'p/test lists the new wiki', '/rest/p/test/')
case('subproject__get_after_install', '/sub1/ is still the sub-project', '/rest/p/test/sub1/')
case('subproject__tracker_ordinal_after_install', 'the tracker\'s ordinal after installing (sub-projects count)',
     '/rest/p/test/bugs/')

# -- neighborhoods: who may register projects; private projects ------------------------------------
for _nbhd, _auth in (('p', 'root'), ('adobe', 'test-admin'), ('u', 'root')):
    for _user in ('test-user', 'test-admin', ''):
        for _perm in ('register', 'read', 'admin'):
            case('nbhd_has_access__%s_%s_%s' % (_nbhd, _user.replace('-', '_') or 'anonymous', _perm),
                 'has_access %s for %s at neighborhood %s' % (_perm, _user or 'anonymous', _nbhd),
                 '/rest/%s/has_access' % _nbhd, auth=_auth, query='user=%s&perm=%s' % (_user, _perm))
case('add_project__private_in_p', 'a private project in the Projects neighborhood (its features allow them)',
     '/rest/p/add_project', 'POST', auth='root',
     form=None)  # the body is JSON: see JSON_BODIES
case('add_project__private_in_p_get', 'the private project, as its admin', '/rest/p/privproj/')
case('add_project__private_in_p_anonymous', 'the private project, anonymously', '/rest/p/privproj/', auth='anonymous')

# -- DOAP ------------------------------------------------------------------------------------------
case('doap__test2', 'the DOAP description of p/test2', '/rest/p/test2/', query='doap')
case('doap__test_anonymous', 'the DOAP description of p/test, anonymously', '/rest/p/test', query='doap', auth='anonymous')
case('doap__user_project', 'the DOAP description of a user project', '/rest/u/test-user/', query='doap')

# bodies sent as JSON (add_project reads its body as JSON whatever the Content-Type)
JSON_BODIES = {
    'add_project__private_in_p': {'shortname': 'privproj', 'name': 'Private project', 'admin': 'test-admin',
                                  'private': True, 'summary': 'Hidden'},
}
