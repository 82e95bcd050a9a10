# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The JSON Schema of a spec file, generated from the project role's argument spec.

A spec file is a vars file holding `allura_projects` (a list of projects, for the playbooks) and/or
`allura_project` (one project, for the role), plus any other variables. The schema is written to
schemas/project_spec.schema.json, which ships with the collection for editors and CI.

    python scripts/spec_schema.py            # write the schema (`make schema`)
    python scripts/spec_schema.py --check    # exit 1 when the committed schema is out of date
    python scripts/spec_schema.py FILE...    # validate spec files (needs the jsonschema package)
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import sys

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ARGUMENT_SPECS = os.path.join(ROOT, 'roles', 'project', 'meta', 'argument_specs.yml')
SCHEMA = os.path.join(ROOT, 'schemas', 'project_spec.schema.json')
REGENERATE = 'make schema'
SCHEMA_URL = 'https://raw.githubusercontent.com/allura-forge/allura.forge/main/schemas/project_spec.schema.json'

SCALARS = {'str': 'string', 'path': 'string', 'bool': 'boolean', 'int': 'integer', 'float': 'number'}
# A value Ansible templates before the role sees it ("{{ vault_secret }}", "{{ tools_of_all_projects }}")
TEMPLATE = {'type': 'string', 'pattern': r'\{\{|\{%', 'description': 'A Jinja2 expression, templated by Ansible.'}
MARKUP = re.compile(r'\b[BCEIMOPV]\(([^()]*(?:\([^()]*\)[^()]*)*)\)')


def plain(text):
    """Description text for an editor: Ansible's markup (O(name), V(value), C(code), M(module)) as `name`."""
    if isinstance(text, list):
        text = ' '.join(text)
    return MARKUP.sub(lambda m: '`%s`' % m.group(1), text)


def option_schema(option):
    """The schema of one option of an Ansible argument spec (as in roles' meta/argument_specs.yml)."""
    kind = option.get('type', 'str')
    if kind == 'list':
        schema = {'type': 'array'}
        element = {key: value for key, value in option.items() if key in ('options', 'choices')}
        element['type'] = option.get('elements', 'str')
        schema['items'] = option_schema(element)
    elif kind == 'dict':
        schema = {'type': 'object'}
        if 'options' in option:
            schema.update(object_schema(option['options']))
    elif kind in SCALARS:
        schema = {'type': SCALARS[kind]}
    elif kind == 'raw':
        schema = {}
    else:
        raise ValueError('type %r has no JSON Schema equivalent in scripts/spec_schema.py' % kind)
    if 'choices' in option and kind != 'list':
        schema['enum'] = list(option['choices'])
    if kind not in ('str', 'path', 'raw'):  # anything but a string may also be a Jinja2 expression
        schema = {'anyOf': [schema, {'$ref': '#/$defs/template'}]}
    if 'description' in option:
        schema = dict({'description': plain(option['description'])}, **schema)
    if 'default' in option:
        schema['default'] = option['default']
    return schema


def object_schema(options):
    """properties/required of a dict with suboptions; like the argument spec, no other key is allowed."""
    schema = {'properties': {name: option_schema(option) for name, option in options.items()},
              'additionalProperties': False}
    required = [name for name, option in options.items() if option.get('required')]
    if required:
        schema['required'] = required
    return schema


# The playbooks' own variables for templates (the allura.forge.project_merge filter applies them).
OMIT = ("What this project does not inherit from `allura_project_template`: a key (`link`: all of it), or a key and "
        "what under it - an item of a list by identity, as the drift report names it without its kind "
        "(`{wiki: docs/Install}`, `{webhooks: code repo-push https://ci.example.org/hook}`), or a key of a dict "
        "(`{fields: summary}`).")
NEW_PROJECT = {
    'allura_new_project': 'Shortname of one new project for the provision and drift playbooks to handle instead of '
                          '`allura_projects`: created (`create: true`) with `allura_project_template` applied.',
    'allura_new_project_name': "The new project's display name (`fields.name`).",
    'allura_new_project_admin': "The new project's first admin (`admin`; the REST API has no call that names the "
                                "token's own user).",
}


def project_variants(project):
    """A template (a project without its name) and an entry of allura_projects (a project that may omit what it would
    inherit), their keys pointing at the project's (JSON pointers, so the schema says each key once)."""
    keys = [key for key in project['anyOf'][0]['properties'] if key != 'name']
    pointer = {key: {'$ref': '#/$defs/allura_project/anyOf/0/properties/%s' % key} for key in ['name'] + keys}
    omit = {'description': OMIT, 'anyOf': [
        {'type': 'array', 'items': {'if': {'type': 'string'}, 'then': {'enum': keys},
                                    'else': {'type': 'object', 'minProperties': 1, 'maxProperties': 1,
                                             'propertyNames': {'enum': keys}, 'additionalProperties': {'type': 'string'}}}},
        {'$ref': '#/$defs/template'}]}
    template = {'description': 'A project spec without a name that every project of `allura_projects` inherits (the '
                               'provision and drift playbooks); its strings may use the project\'s values, as in '
                               '`{{ project.name }}` or `{{ project.fields.name }}`.',
                'anyOf': [{'type': 'object', 'properties': {key: pointer[key] for key in keys}, 'additionalProperties': False},
                          {'$ref': '#/$defs/template'}]}
    entry = {'anyOf': [dict(project['anyOf'][0], properties=dict(pointer, omit_from_template=omit)),
                       {'$ref': '#/$defs/template'}]}
    return template, entry


def generate():
    with open(ARGUMENT_SPECS, encoding='utf-8') as handle:
        options = yaml.safe_load(handle)['argument_specs']['main']['options']
    project = option_schema(options['allura_project'])
    template, entry = project_variants(project)
    properties = {'allura_projects': {
        'description': 'The projects the allura.forge.provision, drift and backup playbooks handle, each as '
                       '`allura_project` of the allura.forge.project role (with `allura_project_template` applied).',
        'type': 'array', 'items': {'$ref': '#/$defs/allura_projects_entry'}}}
    properties['allura_project'] = {'$ref': '#/$defs/allura_project'}
    properties['allura_project_template'] = {'$ref': '#/$defs/allura_project_template'}
    properties.update((name, {'description': text, 'type': 'string'}) for name, text in NEW_PROJECT.items())
    properties.update((name, option_schema(option)) for name, option in options.items() if name != 'allura_project')
    return {
        '$schema': 'https://json-schema.org/draft/2020-12/schema',
        '$id': SCHEMA_URL,
        'title': 'allura.forge spec file',
        'description': 'Projects as code for the allura.forge collection: `allura_projects` and '
                       '`allura_project_template` (the playbooks) or `allura_project` (the project role). Generated '
                       'from roles/project/meta/argument_specs.yml by scripts/spec_schema.py (`%s`); do not edit.'
                       % REGENERATE,
        'type': 'object',
        'properties': properties,
        '$defs': {'allura_project': project, 'allura_project_template': template, 'allura_projects_entry': entry,
                  'template': TEMPLATE},
    }


def render(schema):
    return json.dumps(schema, indent=2, ensure_ascii=False) + '\n'


def committed():
    with open(SCHEMA, encoding='utf-8') as handle:
        return handle.read()


class SpecLoader(yaml.SafeLoader):  # pylint: disable=too-many-ancestors
    """YAML as Ansible reads a vars file: vaulted and unsafe values are strings."""


SpecLoader.add_constructor('!vault', lambda loader, node: loader.construct_scalar(node))
SpecLoader.add_constructor('!unsafe', lambda loader, node: loader.construct_scalar(node))


def load_spec(path):
    with open(path, encoding='utf-8') as handle:
        return yaml.load(handle, Loader=SpecLoader)  # nosec B506 - a SafeLoader with two string tags


def errors(data, schema=None):
    """The schema errors of a spec file's data, each as 'path: message', paths as allura_projects[0].tickets[1].staus."""
    # only validation needs jsonschema; writing and checking the schema work without it
    import jsonschema  # pylint: disable=import-outside-toplevel
    validator = jsonschema.Draft202012Validator(schema or json.loads(committed()))
    return sorted(message for error in validator.iter_errors(data) for message in _messages(error))


def _messages(error):
    path = ''.join('[%d]' % part if isinstance(part, int) else '.%s' % part for part in error.absolute_path).lstrip('.')
    if error.validator == 'anyOf' and not isinstance(error.instance, str):
        # a value or a Jinja2 expression: a value that is no string failed the first branch, so say why it did
        for sub in error.context:
            if sub.relative_schema_path[0] == 0:
                yield from _messages(sub)
    elif error.validator == 'anyOf':
        expected = error.validator_value[0].get('type') or 'one of %s' % error.validator_value[0].get('enum')
        yield '%s: %r is not of type %r, nor a Jinja2 expression' % (path, error.instance, expected)
    elif error.validator == 'additionalProperties':  # name the unknown key itself, as the role does
        known = sorted(error.schema.get('properties', ()))
        for key in sorted(set(error.instance) - set(known)):
            close = difflib.get_close_matches(key, known, n=1)
            hint = ', did you mean %s?' % close[0] if close else ''
            yield '%s: unknown key%s (known: %s)' % ('%s.%s' % (path, key) if path else key, hint, ', '.join(known))
    else:
        yield '%s: %s' % (path or '(top level)', error.message)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n', maxsplit=1)[0])
    parser.add_argument('--check', action='store_true', help='fail when %s is not what the argument spec gives' % SCHEMA)
    parser.add_argument('files', nargs='*', help='spec files to validate against the committed schema')
    args = parser.parse_args(argv)
    if args.files:
        bad = 0
        for path in args.files:
            for message in errors(load_spec(path)):
                print('%s: %s' % (path, message))
                bad += 1
        return 1 if bad else 0
    text = render(generate())
    if args.check:
        if committed() != text:
            print('%s is out of date with %s: run `%s`' % (SCHEMA, ARGUMENT_SPECS, REGENERATE), file=sys.stderr)
            return 1
        return 0
    os.makedirs(os.path.dirname(SCHEMA), exist_ok=True)
    with open(SCHEMA, 'w', encoding='utf-8') as handle:
        handle.write(text)
    print('wrote %s' % os.path.relpath(SCHEMA))
    return 0


if __name__ == '__main__':
    sys.exit(main())
