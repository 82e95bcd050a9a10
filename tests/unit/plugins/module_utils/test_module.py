# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import importlib

import pytest
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.allura.forge.plugins.module_utils import _module
from ansible_collections.allura.forge.plugins.module_utils._client import ParameterError
from ansible_collections.allura.forge.plugins.module_utils._module import argument_spec, validation_rules

MODULES = ('allura_access_info', 'allura_export', 'allura_link', 'allura_project', 'allura_project_info', 'allura_ticket',
           'allura_tool', 'allura_user_info', 'allura_webhook', 'allura_wiki_page')
# The validation rules each module declares as module constants (none for the others).
DECLARED_RULES = {
    'allura_ticket': ('mutually_exclusive',),
    'allura_tool': ('mutually_exclusive', 'required_one_of'),
    'allura_webhook': ('mutually_exclusive', 'required_one_of'),
    'allura_wiki_page': ('mutually_exclusive', 'required_one_of'),
}


class Stop(Exception):
    pass


@pytest.mark.parametrize('name', MODULES)
def test_the_module_adapter_validates_with_the_rules_the_action_plugin_reads(name, monkeypatch):
    """Both execution paths take their validation rules from the module's constants, and from nowhere else."""
    module = importlib.import_module('ansible_collections.allura.forge.plugins.modules.' + name)
    seen = {}

    def fake_module(**kwargs):
        seen.update(kwargs)
        raise Stop()
    monkeypatch.setattr(_module, 'AnsibleModule', fake_module)
    with pytest.raises(Stop):
        module.main()
    rules = {k: v for k, v in seen.items() if k in _module.VALIDATION_RULES}
    expected = {rule: getattr(module, rule.upper()) for rule in DECLARED_RULES.get(name, ())}
    assert rules == expected
    assert all(rules.values())
    assert validation_rules(module) == expected  # what the action plugin applies
    assert seen['argument_spec'] == argument_spec(module.ARGUMENT_SPEC)


def validate(module, **params):
    return ArgumentSpecValidator(argument_spec(module.ARGUMENT_SPEC), **validation_rules(module)).validate(params).error_messages


def test_wiki_page_rules_are_module_constants():
    from ansible_collections.allura.forge.plugins.modules import allura_wiki_page as wiki
    assert not validate(wiki, project='test', title='Home')
    assert not validate(wiki, project='test', pages=[{'title': 'Home'}])
    assert 'mutually exclusive' in ' '.join(validate(wiki, project='test', title='Home', pages=[{'title': 'Home'}]))
    assert 'mutually exclusive' in ' '.join(validate(wiki, project='test', labels=['a'], pages=[{'title': 'Home'}]))
    assert 'one of the following is required: title, pages' in ' '.join(validate(wiki, project='test'))


def test_bulk_spec_puts_the_item_options_at_the_top_level_and_in_the_list():
    from ansible_collections.allura.forge.plugins.module_utils._module import bulk_spec
    item = dict(url=dict(type='str', required=True), kind=dict(type='str', default='push'))
    spec = bulk_spec('hooks', item)
    assert spec == dict(url=dict(type='str'), kind=dict(type='str', default='push'),
                        hooks=dict(type='list', elements='dict', options=item))
    assert item['url'] == dict(type='str', required=True)  # the item spec itself is left as it is


def test_the_fallbacks_read_the_given_environment_and_take_an_empty_variable_for_unset(monkeypatch):
    from ansible_collections.allura.forge.plugins.modules import allura_project_info as info
    monkeypatch.setenv('ALLURA_URL', 'https://controller.example.org')
    monkeypatch.setenv('ALLURA_RETRIES', '9')

    def resolved(environ=None):
        spec = argument_spec(info.ARGUMENT_SPEC, environ=environ)
        return ArgumentSpecValidator(spec, **validation_rules(info)).validate({'project': 'test'}).validated_parameters

    assert resolved()['server_url'] == 'https://controller.example.org' and resolved()['retries'] == 9  # os.environ
    task = resolved({'ALLURA_URL': 'https://task.example.org', 'ALLURA_RETRIES': '', 'ALLURA_USE_PROXY': 'no'})
    assert (task['server_url'], task['retries'], task['use_proxy']) == ('https://task.example.org', 5, False)
    monkeypatch.setenv('ALLURA_URL', '')
    assert resolved()['server_url'] == 'https://sourceforge.net'  # the module path: '' is unset too
    assert argument_spec(info.ARGUMENT_SPEC) == argument_spec(info.ARGUMENT_SPEC)  # the module adapter's spec is stable


def test_oauth_wins_over_a_token_of_the_given_environment_only():
    from ansible_collections.allura.forge.plugins.module_utils._module import client_from_params
    oauth = dict(oauth_consumer_key='k', oauth_consumer_secret='cs', oauth_token='t', oauth_token_secret='ts')
    params = dict(oauth, server_url='https://forge.example.org', token='from-env', timeout=30, retries=0)
    assert client_from_params(params, environ={'ALLURA_TOKEN': 'from-env'})._auth is not None  # the token came from there
    with pytest.raises(ParameterError, match='mutually exclusive'):  # given for the task: both at once is an error
        client_from_params(params, environ={'ALLURA_TOKEN': 'other'})
