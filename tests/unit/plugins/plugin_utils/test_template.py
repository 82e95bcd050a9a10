# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Project templates: the merge rules, as a table of cases (template, project -> spec, origins), and the errors."""

from __future__ import annotations

import copy
import os

import pytest
import yaml

from ansible_collections.allura.forge.plugins.plugin_utils._template import (
    RESOURCE_LISTS, TEMPLATE_KEYS, TemplateError, merge_project)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))

T, P = 'template', 'project'
HOME = {'title': 'Home', 'text': 'Welcome to {{ project.fields.name }}\n', 'labels': ['start']}
INSTALL = {'mount_point': 'docs', 'title': 'Install', 'text': 'pip install it\n'}
HOOK = {'url': 'https://ci.example.org/hook', 'secret': 's3cret'}
TEAM = {
    'tools': [{'tool': 'wiki', 'mount_point': 'docs', 'mount_label': 'Docs'}, {'tool': 'git'}],
    'link': 'https://example.org/',
    'fields': {'summary': 'A team project', 'labels': ['team', 'cli']},
    'wiki': [HOME, INSTALL],
    'tickets': [{'summary': 'Write the docs', 'status': 'open'}],
    'webhooks': [HOOK],
    'access': [{'mount_point': 'docs', 'user': '*anonymous', 'permission': 'read'}],
}
INHERITED = {'tool docs': T, 'tool code': T, 'tool link': T, 'link link': T, 'wiki wiki/Home': T, 'wiki docs/Install': T,
             'ticket tickets/Write the docs': T, 'webhook code repo-push https://ci.example.org/hook': T,
             'access docs: *anonymous read': T, 'project': {'summary': T, 'labels': T}}

# (id, template, project, expected spec, expected origins: with the team template, INHERITED's changes)
CASES = [
    ('no template: the project as it is, no origins',
     None, {'name': 'a', 'wiki': [INSTALL, INSTALL], 'fields': {'name': 'A'}},
     {'name': 'a', 'wiki': [INSTALL, INSTALL], 'fields': {'name': 'A'}}, {}),
    ('inherit everything',
     TEAM, {'name': 'a'}, dict(TEAM, name='a'), {}),
    ('add: the project\'s items follow the template\'s',
     TEAM, {'name': 'a', 'wiki': [{'title': 'News', 'text': 'n'}], 'tools': [{'tool': 'tickets'}]},
     dict(TEAM, name='a', wiki=[HOME, INSTALL, {'title': 'News', 'text': 'n'}],
          tools=TEAM['tools'] + [{'tool': 'tickets'}]),
     {'wiki wiki/News': P, 'tool tickets': P}),
    ('override: the project\'s item replaces the template\'s, in its place (default mount point = explicit)',
     TEAM, {'name': 'a', 'wiki': [{'mount_point': 'wiki', 'title': 'Home', 'text': 'Ours'}]},
     dict(TEAM, name='a', wiki=[{'mount_point': 'wiki', 'title': 'Home', 'text': 'Ours'}, INSTALL]),
     {'wiki wiki/Home': P}),
    ('tools by mount point: git at code replaced, whatever the spelling',
     TEAM, {'name': 'a', 'tools': [{'tool': 'git', 'mount_point': 'code', 'mount_label': 'Source'}]},
     dict(TEAM, name='a', tools=[TEAM['tools'][0], {'tool': 'git', 'mount_point': 'code', 'mount_label': 'Source'}]),
     {'tool code': P}),
    ('tickets: a number is another identity than a summary',
     TEAM, {'name': 'a', 'tickets': [{'ticket_num': 1, 'summary': 'Write the docs', 'status': 'closed'},
                                     {'summary': 'Write the docs', 'status': 'accepted'}]},
     dict(TEAM, name='a', tickets=[{'summary': 'Write the docs', 'status': 'accepted'},
                                   {'ticket_num': 1, 'summary': 'Write the docs', 'status': 'closed'}]),
     {'ticket tickets/Write the docs': P, 'ticket tickets/#1': P}),
    ('webhooks by mount point, type and URL: another secret replaces, another type adds',
     TEAM, {'name': 'a', 'webhooks': [{'mount_point': 'code', 'type': 'repo-push', 'url': HOOK['url'], 'secret': 'mine'},
                                      {'type': 'other', 'url': HOOK['url']}]},
     dict(TEAM, name='a', webhooks=[{'mount_point': 'code', 'type': 'repo-push', 'url': HOOK['url'], 'secret': 'mine'},
                                    {'type': 'other', 'url': HOOK['url']}]),
     {'webhook code repo-push https://ci.example.org/hook': P, 'webhook code other https://ci.example.org/hook': P}),
    ('access checks by level, user and permission',
     TEAM, {'name': 'a', 'access': [{'mount_point': 'docs', 'user': '*anonymous', 'permission': 'read', 'expected': False},
                                    {'user': '*anonymous', 'permission': 'read'}]},
     dict(TEAM, name='a', access=[{'mount_point': 'docs', 'user': '*anonymous', 'permission': 'read', 'expected': False},
                                  {'user': '*anonymous', 'permission': 'read'}]),
     {'access docs: *anonymous read': P, 'access project: *anonymous read': P}),
    ('nested dicts merge key by key; plain lists (fields.labels) are replaced, not concatenated',
     TEAM, {'name': 'a', 'fields': {'name': 'A', 'labels': ['own']}},
     dict(TEAM, name='a', fields={'summary': 'A team project', 'labels': ['own'], 'name': 'A'}),
     {'project': {'summary': T, 'labels': P, 'name': P}}),
    ('scalars: the project\'s value wins',
     dict(TEAM, create=True, admin='lead', neighborhood='teams'),
     {'name': 'a', 'link': 'https://a.example.org/', 'admin': 'me', 'create': False},
     dict(TEAM, name='a', link='https://a.example.org/', admin='me', create=False, neighborhood='teams'),
     {'link link': P, 'tool link': P}),
    ('null counts as not given (a key with nothing after it in YAML)',
     TEAM, {'name': 'a', 'wiki': None, 'fields': None, 'link': None, 'tools': [], 'webhooks': None},
     dict(TEAM, name='a'), {}),
    ('drop an item of a list, by identity',
     TEAM, {'name': 'a', 'omit_from_template': [{'wiki': 'docs/Install'}, {'tools': 'code'},
                                                {'webhooks': 'code repo-push https://ci.example.org/hook'},
                                                {'access': 'docs: *anonymous read'}, {'tickets': 'tickets/Write the docs'}]},
     dict(TEAM, name='a', wiki=[HOME], tools=TEAM['tools'][:1], webhooks=[], access=[], tickets=[]),
     {'wiki docs/Install': None, 'tool code': None, 'webhook code repo-push https://ci.example.org/hook': None,
      'access docs: *anonymous read': None, 'ticket tickets/Write the docs': None}),
    ('drop a whole key, and a field of a dict',
     TEAM, {'name': 'a', 'omit_from_template': ['link', 'webhooks', {'fields': 'summary'}]},
     dict({k: v for k, v in TEAM.items() if k != 'link'}, name='a', webhooks=[], fields={'labels': ['team', 'cli']}),
     {'link link': None, 'tool link': None, 'webhook code repo-push https://ci.example.org/hook': None,
      'project': {'summary': None}}),
    ('dropping an item and giving one of the same identity: the project\'s own stays',
     TEAM, {'name': 'a', 'omit_from_template': [{'wiki': 'wiki/Home'}], 'wiki': [{'title': 'Home', 'text': 'Ours'}]},
     dict(TEAM, name='a', wiki=[{'title': 'Home', 'text': 'Ours'}, INSTALL]), {'wiki wiki/Home': P}),
    ('the link tool: the link\'s origin, unless a tool entry at link says otherwise',
     {'link': 'https://example.org/'}, {'name': 'a', 'tools': [{'tool': 'link', 'mount_point': 'link'}]},
     {'link': 'https://example.org/', 'name': 'a', 'tools': [{'tool': 'link', 'mount_point': 'link'}]},
     {'link link': T, 'tool link': P, 'project': {}}),
    ('identities with odd characters: slashes, colons, spaces, unicode, a literal {{',
     {'wiki': [{'mount_point': 'docs', 'title': 'How/To: a {{ guide }}'}, {'title': 'Ünïcode – ✓'}],
      'tickets': [{'summary': 'Fix #12 / #13: a: b'}], 'access': [{'user': 'a b', 'permission': 'read'}]},
     {'name': 'a', 'wiki': [{'mount_point': 'docs', 'title': 'How/To: a {{ guide }}', 'text': 'x'}],
      'omit_from_template': [{'wiki': 'wiki/Ünïcode – ✓'}, {'tickets': 'tickets/Fix #12 / #13: a: b'},
                             {'access': 'project: a b read'}]},
     {'name': 'a', 'wiki': [{'mount_point': 'docs', 'title': 'How/To: a {{ guide }}', 'text': 'x'}], 'tickets': [],
      'access': []},
     {'wiki docs/How/To: a {{ guide }}': P, 'project': {}}),
]


@pytest.mark.parametrize('template, project, spec, origins', [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_merge_rules(template, project, spec, origins):
    before = copy.deepcopy((template, project))
    got_spec, got_origins = merge_project(template, project)
    assert got_spec == spec
    assert (template, project) == before, 'the inputs are left as they were'
    if template and template.get('tools') == TEAM['tools']:  # the team template: INHERITED with these changes (None: gone)
        def changed(base, changes):
            return {k: v for k, v in dict(base, **changes).items() if v is not None}
        origins = changed(INHERITED, dict(origins, project=changed(INHERITED['project'], origins.get('project', {}))))
    assert got_origins == origins


def test_the_order_is_the_templates_then_the_projects():
    spec, _origins = merge_project({'wiki': [{'title': t} for t in 'ABC']},
                                   {'name': 'a', 'wiki': [{'title': 'D'}, {'title': 'B', 'text': 'b'}, {'title': 'E'}]})
    assert [(p['title'], p.get('text')) for p in spec['wiki']] == [('A', None), ('B', 'b'), ('C', None), ('D', None), ('E', None)]


ERRORS = [
    ('a template key that does not exist', dict(TEAM, toolz=[]), {'name': 'a'},
     'allura_project_template.toolz: unknown key, did you mean tools? (known: access, admin, blog, create, fields, link, '
     'neighborhood, tickets, tools, webhooks, wiki)'),
    ('omit_from_template in the template', {'omit_from_template': ['link']}, {'name': 'a'},
     'allura_project_template.omit_from_template: unknown key'),
    ('a name in the template', {'name': 'x'}, {'name': 'a'},
     'allura_project_template.name: a template has no name (each project of allura_projects gives its own)'),
    ('a template that is no dict', ['tools'], {'name': 'a'},
     'allura_project_template must be a dict (a project spec without a name), not a list'),
    ('a resource list that is no list of dicts', {'wiki': {'title': 'Home'}}, {'name': 'a'},
     'allura_project_template.wiki must be a list of dicts, not a dict'),
    ('two template items of one identity', {'wiki': [{'title': 'Home'}, {'mount_point': 'wiki', 'title': 'Home'}]},
     {'name': 'a'}, 'allura_project_template.wiki has two items with the identity wiki: wiki/Home'),
    ('two project items replacing one inherited item', TEAM, {'name': 'a', 'tools': [{'tool': 'git'}, {'tool': 'git'}]},
     'tools has two items with the identity tools: code'),
    ('an override naming no inherited item', TEAM, {'name': 'a', 'omit_from_template': [{'wiki': 'docs/Instal'}]},
     'omit_from_template names wiki: docs/Instal, which allura_project_template.wiki does not have, did you mean '
     'docs/Install? (it has: wiki/Home, docs/Install)'),
    ('an override naming a key the template does not give', {'wiki': [HOME]}, {'name': 'a', 'omit_from_template': ['lnk']},
     'omit_from_template names lnk, which allura_project_template does not give (it gives: wiki)'),
    ('an override without a template', None, {'name': 'a', 'omit_from_template': ['link']},
     'omit_from_template names link, which allura_project_template does not give (it gives: nothing)'),
    ('an override naming a field the template does not give', TEAM,
     {'name': 'a', 'omit_from_template': [{'fields': 'sumary'}]},
     'omit_from_template names fields: sumary, which allura_project_template.fields does not have, did you mean '
     'summary? (it has: summary, labels)'),
    ('an override under a scalar', TEAM, {'name': 'a', 'omit_from_template': [{'link': 'x'}]},
     'omit_from_template names link: x, but allura_project_template.link is no list of resources nor a dict: give just link'),
    ('an override of another shape', TEAM, {'name': 'a', 'omit_from_template': [{'wiki': 'wiki/Home', 'tools': 'docs'}]},
     "omit_from_template entries are a key (link) or a key and what under it ({wiki: docs/Install}), not "),
    ('omit_from_template that is no list', TEAM, {'name': 'a', 'omit_from_template': 'link'},
     'omit_from_template must be a list, not a str'),
    ('a project\'s list that is no list of dicts, never showing its values', TEAM,
     {'name': 'a', 'webhooks': {'url': 'u', 'secret': 'hidden-value'}}, 'webhooks must be a list of dicts, not a dict'),
    ('a project that is no dict', TEAM, 'a', 'a project must be a dict (a spec with at least a name), not a str'),
]


@pytest.mark.parametrize('template, project, message', [c[1:] for c in ERRORS], ids=[c[0] for c in ERRORS])
def test_errors_name_the_key_and_the_value(template, project, message):
    with pytest.raises(TemplateError) as exc:
        merge_project(template, project)
    assert str(exc.value).startswith(message), str(exc.value)
    assert 'hidden-value' not in str(exc.value)


def _argument_spec():
    with open(os.path.join(ROOT, 'roles', 'project', 'meta', 'argument_specs.yml'), encoding='utf-8') as handle:
        return yaml.safe_load(handle)['argument_specs']['main']['options']['allura_project']['options']


def test_a_template_has_every_key_of_a_project_but_its_name():
    assert set(TEMPLATE_KEYS) == set(_argument_spec()) - {'name'}


def test_every_list_of_resources_of_a_project_has_its_identity():
    """A list of dicts added to the project spec (`blog`, say) needs its line in RESOURCE_LISTS."""
    lists = {key for key, option in _argument_spec().items() if option.get('type') == 'list' and option.get('elements') == 'dict'}
    assert set(RESOURCE_LISTS) == lists
