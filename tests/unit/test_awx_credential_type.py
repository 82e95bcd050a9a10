# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""extensions/awx/allura_credential_type.yml: what AWX accepts, and consistent with the modules' connection options.

How AWX runs it is tested end to end in tests/functional/test_pytest_ansible.py (the environment a job gets, rendered
as AWX renders it, drives real module runs against the sandbox).
"""

from __future__ import annotations

import os
import re

import pytest
import yaml
from jinja2 import StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

from ansible_collections.allura.forge.plugins.module_utils._module import CONNECTION_SPEC

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
with open(os.path.join(ROOT, 'extensions', 'awx', 'allura_credential_type.yml'), encoding='utf-8') as _handle:
    CREDENTIAL_TYPE = yaml.safe_load(_handle)
FIELDS = {field['id']: field for field in CREDENTIAL_TYPE['inputs']['fields']}
ENV = CREDENTIAL_TYPE['injectors']['env']
# The environment fallback of each connection option: {'ALLURA_URL': 'server_url', ...}
FALLBACKS = {name: option for option, spec in CONNECTION_SPEC.items() if 'fallback' in spec for name in spec['fallback'][1]}
NAME = re.compile(r'^[a-zA-Z_][a-zA-Z0-9_]*$')


def test_what_the_awx_api_accepts():
    assert CREDENTIAL_TYPE['kind'] == 'cloud' and CREDENTIAL_TYPE['name'] == 'Allura'
    assert set(CREDENTIAL_TYPE) == {'name', 'description', 'kind', 'inputs', 'injectors'}
    assert set(CREDENTIAL_TYPE['inputs']) <= {'fields', 'required'}
    assert set(CREDENTIAL_TYPE['injectors']) <= {'env', 'extra_vars', 'file'}
    assert len(FIELDS) == len(CREDENTIAL_TYPE['inputs']['fields']), 'field ids must be unique'
    allowed = {'id', 'label', 'type', 'help_text', 'multiline', 'secret', 'choices', 'format', 'default', 'ask_at_runtime'}
    for field_id, field in FIELDS.items():
        assert NAME.match(field_id) and field_id != 'tower', field_id
        assert set(field) <= allowed and 'label' in field, field
        assert field['type'] in ('string', 'boolean'), field
        if 'default' in field:
            assert isinstance(field['default'], {'string': str, 'boolean': bool}[field['type']]), field
        if field['type'] == 'boolean':  # AWX allows these only on strings
            assert not set(field) & {'secret', 'multiline', 'choices', 'format'}, field
    assert set(CREDENTIAL_TYPE['inputs']['required']) <= set(FIELDS)
    for name, template in ENV.items():
        assert NAME.match(name) and not name.startswith('ANSIBLE_'), name
        assert template.isascii()
    for label in CREDENTIAL_TYPE['injectors'].get('file', {}):
        assert re.match(r'^template(\.[a-zA-Z_][a-zA-Z0-9_]*)?$', label), label


def test_every_injector_renders_from_the_fields_alone():
    # As AWX checks a new type: StrictUndefined, every field set, tower.filename.<label> for each file template.
    class Files:
        pass
    tower = type('Tower', (), {})()
    tower.filename = Files()
    for label in CREDENTIAL_TYPE['injectors'].get('file', {}):
        setattr(tower.filename, label.split('.')[1], '/runner/env/tmpfile')
    namespace = dict({field_id: 'EXAMPLE' for field_id in FIELDS}, tower=tower)
    env = ImmutableSandboxedEnvironment(undefined=StrictUndefined)
    for kind in ('env', 'file', 'extra_vars'):
        for template in CREDENTIAL_TYPE['injectors'].get(kind, {}).values():
            env.from_string(template).render(namespace)


def test_injectors_set_the_environment_the_modules_read():
    for name in ENV:
        assert name in FALLBACKS, '%s is not an environment fallback of any connection option in _module.py' % name
    covered = {FALLBACKS[name] for name in ENV}
    wanted = {'server_url', 'token', 'oauth_consumer_key', 'oauth_consumer_secret', 'oauth_token', 'oauth_token_secret',
              'validate_certs', 'ca_path'}
    assert wanted <= covered, 'not injected: %s' % sorted(wanted - covered)


@pytest.mark.parametrize('name', sorted(ENV))
def test_each_variable_comes_from_a_field_of_the_same_kind(name):
    option = CONNECTION_SPEC[FALLBACKS[name]]
    fields = set(re.findall(r'\b(%s)\b' % '|'.join(FIELDS), ENV[name]))
    assert len(fields) == 1, (name, fields)
    field = FIELDS[fields.pop()]
    assert field['type'] == ('boolean' if option['type'] == 'bool' else 'string'), (name, field)
    assert field.get('secret', False) == option.get('no_log', False), (
        '%s: field %s must have secret: %s, as the module option is no_log' % (name, field['id'], option.get('no_log', False)))
    if 'default' in option:
        assert field.get('default') == option['default'], (name, field)


def test_no_secret_field_without_secret_true():
    no_log = {option for option, spec in CONNECTION_SPEC.items() if spec.get('no_log')}
    assert {'token', 'oauth_consumer_secret', 'oauth_token', 'oauth_token_secret'} <= no_log
    for field_id, field in FIELDS.items():
        if field_id in no_log or re.search(r'secret|token|password', field_id):
            assert field.get('secret') is True, field_id
