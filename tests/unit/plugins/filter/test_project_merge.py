# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The project_merge filter (templating what it reads, errors naming key and project) and the origins it gives to
the drift report. The merge rules themselves: tests/unit/plugins/plugin_utils/test_template.py."""

from __future__ import annotations

import pytest
from jinja2.exceptions import UndefinedError

from ansible.errors import AnsibleFilterError

from ansible_collections.allura.forge.plugins.filter import drift_report, project_merge

merge = project_merge.FilterModule().filters()['project_merge']
report = drift_report.FilterModule().filters()['drift_report']


class Lazy(dict):
    """A dict whose values are templated when read, as Ansible's lazy containers are: '{{ undefined }}' fails."""

    def __getitem__(self, key):
        value = dict.__getitem__(self, key)
        if value == '{{ undefined }}':
            raise UndefinedError("'undefined' is undefined")
        return value


TEMPLATE = {'fields': {'summary': 'Team'}, 'wiki': [{'title': 'Home', 'text': 'Hi'}], 'link': 'https://example.org/'}


def test_filter_name():
    assert list(project_merge.FilterModule().filters()) == ['project_merge']


def test_spec_and_origins_by_project():
    project = {'name': 'a', 'neighborhood': 'u', 'fields': {'name': 'A'}, 'wiki': [{'title': 'Own', 'text': 'o'}]}
    assert merge(project, TEMPLATE) == {'name': 'a', 'neighborhood': 'u', 'link': 'https://example.org/',
                                        'fields': {'summary': 'Team', 'name': 'A'},
                                        'wiki': [{'title': 'Home', 'text': 'Hi'}, {'title': 'Own', 'text': 'o'}]}
    assert merge(project, TEMPLATE, output='origins') == {'u/a': {
        'project': {'summary': 'template', 'name': 'project'}, 'link link': 'template', 'tool link': 'template',
        'wiki wiki/Home': 'template', 'wiki wiki/Own': 'project'}}
    assert merge({'name': 'a'}, None, output='origins') == {'p/a': {}}
    with pytest.raises(AnsibleFilterError, match="output must be spec or origins, not 'rows'"):
        merge(project, TEMPLATE, output='rows')


def test_what_cannot_be_templated_fails_naming_its_path_and_the_project():
    template = Lazy(TEMPLATE, wiki=[Lazy(title='Home', text='{{ undefined }}')])
    with pytest.raises(AnsibleFilterError) as exc:
        merge(Lazy(name='a'), template)
    assert str(exc.value) == ("project_merge: p/a: cannot template allura_project_template.wiki[0].text: "
                              "'undefined' is undefined")
    with pytest.raises(AnsibleFilterError) as exc:
        merge(Lazy(name='a', fields=Lazy(name='{{ undefined }}')), TEMPLATE)
    assert str(exc.value) == "project_merge: p/a: cannot template fields.name: 'undefined' is undefined"
    with pytest.raises(AnsibleFilterError) as exc:
        merge(Lazy(name='{{ undefined }}'), TEMPLATE)
    assert str(exc.value) == "project_merge: the project: cannot template name: 'undefined' is undefined"


def test_a_misspelt_template_key_is_named_before_any_value_is_templated():
    with pytest.raises(AnsibleFilterError) as exc:
        merge(Lazy(name='a'), Lazy(TEMPLATE, toolz=[], link='{{ undefined }}'))
    assert str(exc.value).startswith('project_merge: p/a: allura_project_template.toolz: unknown key')


def test_merge_errors_name_the_project():
    with pytest.raises(AnsibleFilterError) as exc:
        merge({'name': 'a'}, dict(TEMPLATE, toolz=[]))
    assert str(exc.value).startswith('project_merge: p/a: allura_project_template.toolz: unknown key, did you mean tools?')
    with pytest.raises(AnsibleFilterError) as exc:
        merge({'name': 'b', 'omit_from_template': [{'wiki': 'wiki/Hom'}]}, dict(TEMPLATE, neighborhood='teams'))
    assert str(exc.value).startswith('project_merge: teams/b: omit_from_template names wiki: wiki/Hom, which '
                                     'allura_project_template.wiki does not have, did you mean wiki/Home?')


REPORTS = [
    {'project': 'p/a', 'resources': [
        {'kind': 'project', 'resource': 'project', 'action': 'update', 'drift': True,
         'changes': [{'field': 'summary', 'live': 'x', 'desired': 'Team'}, {'field': 'name', 'live': 'x', 'desired': 'A'}]},
        {'kind': 'wiki_page', 'resource': 'wiki wiki/Home', 'action': 'update', 'drift': True,
         'changes': [{'field': 'text', 'live': 'Hello', 'desired': 'Hi', 'text': True}]},
        {'kind': 'wiki_page', 'resource': 'wiki wiki/Own', 'action': 'create', 'drift': True}]},
    {'project': 'p/plain', 'resources': [
        {'kind': 'link', 'resource': 'link link', 'action': 'update', 'drift': True,
         'changes': [{'field': 'url', 'live': 'https://a/', 'desired': 'https://b/'}]}]},
]
ORIGINS = {'p/a': {'project': {'summary': 'template', 'name': 'project'}, 'wiki wiki/Home': 'template',
                   'wiki wiki/Own': 'project'}, 'p/plain': {}}


def test_drift_rows_say_where_each_difference_comes_from():
    rows = report(REPORTS, 'rows', origins=ORIGINS)
    assert [(r['project'], r['resource'], r['field'], r['origin']) for r in rows] == [
        ('p/a', 'project', 'summary', 'template'), ('p/a', 'project', 'name', 'project'),
        ('p/a', 'wiki wiki/Home', 'text', 'template'), ('p/a', 'wiki wiki/Own', None, 'project'),
        ('p/plain', 'link link', 'url', None)]
    assert all('origin' not in row for row in report(REPORTS, 'rows'))  # without origins, the rows as before


def test_drift_lines_and_markdown_show_the_origin():
    lines = report(REPORTS, 'lines', origins=ORIGINS)
    assert lines[2] == 'p/a  wiki wiki/Home  text line 1: "Hello" -> "Hi"  [template]'
    assert lines[4] == 'p/plain  link link  url: "https://a/" -> "https://b/"'
    markdown = report(REPORTS, 'markdown', origins=ORIGINS)
    assert '| project | resource | field | live | desired | from |\n|---|---|---|---|---|---|' in markdown
    assert '| p/a | wiki wiki/Own | - | (absent) | (present) | project |' in markdown
    assert '| p/plain | link link | url | `"https://a/"` | `"https://b/"` | - |' in markdown
    assert '| from |' not in report(REPORTS[1:], 'markdown', origins=ORIGINS)  # no template, no column


def test_notes_follow_the_differences_with_origins():
    """A check run's notes (what it could not verify) stay after the rows when they carry origins."""
    noted = [dict(REPORTS[0], notes=['tracker bugs: status names not verified'])]
    lines = report(noted, 'lines', origins=ORIGINS)
    assert lines == report(REPORTS[:1], 'lines', origins=ORIGINS) + ['p/a  note: tracker bugs: status names not verified']
    assert lines[2].endswith('[template]')
    markdown = report(noted, 'markdown', origins=ORIGINS)
    assert markdown.index('| from |') < markdown.index('## Notes\n\n- p/a: tracker bugs: status names not verified')
