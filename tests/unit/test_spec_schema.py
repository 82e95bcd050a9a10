# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The spec file's JSON Schema (schemas/project_spec.schema.json) against the role's argument spec and the spec files."""

from __future__ import annotations

import importlib.util
import json
import os

import jsonschema
import pytest
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
_spec = importlib.util.spec_from_file_location('spec_schema', os.path.join(ROOT, 'scripts', 'spec_schema.py'))
spec_schema = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(spec_schema)

# Every spec file the suites use as a file (the functional tests validate the ones they write, in spec_file()).
SPEC_FILES = ['examples/projects.yml', 'examples/awx_project/projects.yml', 'extensions/molecule/default/vars/project.yml',
              'tests/integration/targets/capture/files/rich.yml']


def test_the_committed_schema_is_the_one_the_argument_spec_gives():
    assert spec_schema.committed() == spec_schema.render(spec_schema.generate()), (
        'schemas/project_spec.schema.json disagrees with roles/project/meta/argument_specs.yml: run `%s` '
        '(python scripts/spec_schema.py) and commit the result' % spec_schema.REGENERATE)


def test_the_schema_is_a_valid_draft_2020_12_schema():
    jsonschema.Draft202012Validator.check_schema(json.loads(spec_schema.committed()))


def test_every_key_of_the_argument_spec_is_in_the_schema():
    with open(os.path.join(ROOT, 'roles', 'project', 'meta', 'argument_specs.yml'), encoding='utf-8') as handle:
        options = yaml.safe_load(handle)['argument_specs']['main']['options']
    schema = json.loads(spec_schema.committed())
    project = schema['$defs']['allura_project']['anyOf'][0]

    def keys(opts, props, prefix):
        for name, option in opts.items():
            assert name in props, '%s%s is missing from the schema' % (prefix, name)
            sub = props[name].get('anyOf', [props[name]])[0]
            sub = sub.get('items', sub).get('anyOf', [sub.get('items', sub)])[0]
            if 'options' in option:
                assert sub['additionalProperties'] is False
                keys(option['options'], sub['properties'], '%s%s.' % (prefix, name))

    keys(options['allura_project']['options'], project['properties'], 'allura_project.')
    assert set(schema['properties']) == set(options) | {'allura_projects'}


@pytest.mark.parametrize('path', SPEC_FILES)
def test_the_spec_files_the_tests_use_validate(path):
    data = spec_schema.load_spec(os.path.join(ROOT, path))
    assert 'allura_projects' in data or 'allura_project' in data
    assert spec_schema.errors(data) == []


def test_a_misspelt_key_is_reported_with_its_path_and_the_key_meant():
    data = spec_schema.load_spec(os.path.join(ROOT, 'examples', 'projects.yml'))
    data['allura_projects'][0]['tickets'][1]['staus'] = data['allura_projects'][0]['tickets'][1].pop('status', 'open')
    found = spec_schema.errors(data)
    assert len(found) == 1, found
    assert found[0].startswith('allura_projects[0].tickets[1].staus: unknown key, did you mean status? (known: ')


def test_wrong_types_and_choices_name_their_path():
    data = {'allura_project': {'name': 'x', 'create': 'maybe', 'tools': [{'tool': 'wiki', 'order': 'middle'}, {'mount_point': 'x'}],
                               'fields': {'labels': 'one'}, 'tickets': [{'ticket_num': 'seven'}]},
            'allura_retries': 2.5}
    assert spec_schema.errors(data) == [
        "allura_project.create: 'maybe' is not of type 'boolean', nor a Jinja2 expression",
        "allura_project.fields.labels: 'one' is not of type 'array', nor a Jinja2 expression",
        "allura_project.tickets[0].ticket_num: 'seven' is not of type 'integer', nor a Jinja2 expression",
        "allura_project.tools[0].order: 'middle' is not one of ['first', 'last', 'alpha_tool']",
        "allura_project.tools[1]: 'tool' is a required property",
        "allura_retries: 2.5 is not of type 'integer'",
    ]


def test_jinja2_expressions_vaulted_values_and_other_variables_are_accepted(tmp_path):
    path = tmp_path / 'spec.yml'
    path.write_text('''
drift_report_dir: /var/tmp
allura_projects:
  - name: demo
    create: "{{ create_projects }}"
    tools: "{{ common_tools }}"
    webhooks:
      - url: https://ci.example.org/hook
        secret: !vault |
          $ANSIBLE_VAULT;1.1;AES256
          6162
''', encoding='utf-8')
    assert spec_schema.errors(spec_schema.load_spec(str(path))) == []


def test_option_types_map_to_json_schema():
    option = spec_schema.option_schema
    assert option({'type': 'str', 'choices': ['a', 'b'], 'description': ['Pick V(a)', 'or O(x.y=b).']}) == {
        'description': 'Pick `a` or `x.y=b`.', 'type': 'string', 'enum': ['a', 'b']}
    assert option({'type': 'int', 'default': 4}) == {'anyOf': [{'type': 'integer'}, {'$ref': '#/$defs/template'}], 'default': 4}
    assert option({'type': 'dict'}) == {'anyOf': [{'type': 'object'}, {'$ref': '#/$defs/template'}]}
    assert option({'type': 'list', 'elements': 'dict', 'options': {'k': {'type': 'str', 'required': True}}})['anyOf'][0] == {
        'type': 'array', 'items': {'anyOf': [{'type': 'object', 'properties': {'k': {'type': 'string'}},
                                              'additionalProperties': False, 'required': ['k']},
                                             {'$ref': '#/$defs/template'}]}}
    with pytest.raises(ValueError, match="type 'jsonarg' has no JSON Schema equivalent"):
        option({'type': 'jsonarg'})


def test_check_names_the_command_that_regenerates(monkeypatch, tmp_path, capsys):
    with open(spec_schema.ARGUMENT_SPECS, encoding='utf-8') as handle:
        specs = yaml.safe_load(handle)
    specs['argument_specs']['main']['options']['allura_project']['options']['blog'] = {'type': 'list', 'elements': 'dict'}
    changed = tmp_path / 'argument_specs.yml'
    changed.write_text(yaml.safe_dump(specs), encoding='utf-8')
    assert spec_schema.main(['--check']) == 0
    monkeypatch.setattr(spec_schema, 'ARGUMENT_SPECS', str(changed))
    assert spec_schema.main(['--check']) == 1
    assert 'run `make schema`' in capsys.readouterr().err


def test_the_command_line_validates_files(tmp_path, capsys):
    bad = tmp_path / 'bad.yml'
    bad.write_text('allura_project: {name: x, staus: open}\n', encoding='utf-8')
    assert spec_schema.main([os.path.join(ROOT, 'examples', 'projects.yml')]) == 0
    assert spec_schema.main([str(bad)]) == 1
    assert '%s: allura_project.staus: unknown key' % bad in capsys.readouterr().out
