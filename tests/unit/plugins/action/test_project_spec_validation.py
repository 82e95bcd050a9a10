# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The engine's validation of the project role's variables (validate_role): what Ansible's validation task of the role
refuses, with its message, for the role's `converge` entry point, which runs without that task."""

from __future__ import annotations

import os
import types

import yaml

from ansible.parsing.dataloader import DataLoader
from ansible.plugins.action.validate_argument_spec import ActionModule as AnsibleValidation
from ansible.template import Templar

from ansible_collections.allura.forge.plugins.action import allura_project_spec as engine

ROLE = os.path.join(os.path.dirname(__file__), '..', '..', '..', '..', 'roles', 'project')
SECRET = 'hush-0123456789'


def errors(**role_vars):
    fake = types.SimpleNamespace(_templar=Templar(loader=DataLoader()))
    return engine.ActionModule.role_errors(fake, role_vars)


def ansible_errors(**role_vars):
    """Ansible's own validation task, given the role's spec as the role's validation task gives it."""
    fake = types.SimpleNamespace(_templar=Templar(loader=DataLoader()))
    options = engine.role_options()
    given = AnsibleValidation.get_args_from_task_vars(fake, options, role_vars)
    from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
    return ArgumentSpecValidator(options).validate(given, validate_role_argument_spec=True).error_messages


def test_the_spec_is_the_role_main_entry_point():
    with open(os.path.join(ROLE, 'meta', 'argument_specs.yml'), encoding='utf-8') as handle:
        assert engine.role_options() == yaml.safe_load(handle)['argument_specs']['main']['options']


def test_a_good_spec_passes():
    assert errors(allura_project={'name': 'test', 'wiki': [{'title': 'Home', 'text': 'x'}]}, allura_project_parallel=4,
                  unrelated_variable='anything') == []


def test_a_misspelt_nested_key_is_named_by_its_path_as_the_role_names_it():
    bad = dict(allura_project={'name': 'test', 'tickets': [{'summary': 'Crash', 'staus': 'open'}]})
    found = errors(**bad)
    assert len(found) == 1 and 'allura_project.tickets.staus' in found[0], found
    assert found == ansible_errors(**bad)


def test_a_bad_role_variable_names_the_variable_and_its_value():
    found = errors(allura_project={'name': 'test'}, allura_project_parallel='many')
    assert len(found) == 1 and 'allura_project_parallel' in found[0] and 'many' in found[0], found


def test_templated_variables_are_validated_as_they_resolve():
    found = errors(allura_project={'name': 'test'}, allura_purge_max='{{ "ten" }}')
    assert len(found) == 1 and 'allura_purge_max' in found[0] and 'ten' in found[0], found


def test_a_secret_never_shows_in_the_errors():
    """An error that quotes a value (a choice) quotes no secret, even a secret given where it does not belong."""
    found = errors(allura_project={'name': 'test', 'webhooks': [{'mount_point': 'code', 'url': 'https://h.example.org/',
                                                                'secret': SECRET, 'update_secret': SECRET}]})
    assert len(found) == 1 and 'update_secret' in found[0] and SECRET not in found[0], found
    assert 'allura_project_parallel' in errors(allura_project={'name': 'test'}, allura_token=SECRET, allura_project_parallel=SECRET)[0]
    assert not any(SECRET in message for message in errors(allura_project={'name': 'test'}, allura_token=SECRET,
                                                           allura_project_parallel=SECRET))
