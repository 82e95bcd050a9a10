# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Glue between a module's pure logic and Ansible.

Every module defines `ARGUMENT_SPEC` (its own options) and `run(params, client, ctx) -> dict`.
`execute()` runs that logic with the common connection options and turns errors into a result;
`run_module()` is the thin AnsibleModule adapter. A controller-side action plugin calls
`execute()` directly, so both paths give the same results.
"""

from __future__ import annotations

import os
import sys

from ansible.module_utils.basic import AnsibleModule, missing_required_lib
from ansible.module_utils.errors import AnsibleFallbackNotFound

from ansible_collections.allura.forge.plugins.module_utils._client import (
    HAS_REQUESTS, REQUESTS_IMPORT_ERROR, AlluraClient, AlluraError, ParameterError)
from ansible_collections.allura.forge.plugins.module_utils._state import Context

OAUTH_OPTIONS = ('oauth_consumer_key', 'oauth_consumer_secret', 'oauth_token', 'oauth_token_secret')


def environ_fallback(*names, **kwargs):
    """Ansible's env_fallback, except that an empty variable counts as unset, and that it reads `environ`
    (the task's environment, on the controller) when given, else os.environ."""
    environ = kwargs.get('environ')
    environ = os.environ if environ is None else environ
    for name in names:
        if environ.get(name):
            return environ[name]
    raise AnsibleFallbackNotFound


# Documented once, in the allura.forge.auth doc fragment.
CONNECTION_SPEC = dict(
    server_url=dict(type='str', default='https://sourceforge.net', fallback=(environ_fallback, ['ALLURA_URL'])),
    token=dict(type='str', no_log=True, fallback=(environ_fallback, ['ALLURA_TOKEN'])),
    oauth_consumer_key=dict(type='str', no_log=False, fallback=(environ_fallback, ['ALLURA_OAUTH_CONSUMER_KEY'])),
    oauth_consumer_secret=dict(type='str', no_log=True, fallback=(environ_fallback, ['ALLURA_OAUTH_CONSUMER_SECRET'])),
    oauth_token=dict(type='str', no_log=True, fallback=(environ_fallback, ['ALLURA_OAUTH_TOKEN'])),
    oauth_token_secret=dict(type='str', no_log=True, fallback=(environ_fallback, ['ALLURA_OAUTH_TOKEN_SECRET'])),
    validate_certs=dict(type='bool', default=True, fallback=(environ_fallback, ['ALLURA_VALIDATE_CERTS'])),
    ca_path=dict(type='path', fallback=(environ_fallback, ['ALLURA_CA_PATH'])),
    use_proxy=dict(type='bool', default=True, fallback=(environ_fallback, ['ALLURA_USE_PROXY'])),
    proxy_url=dict(type='str', no_log=True, fallback=(environ_fallback, ['ALLURA_PROXY_URL'])),  # may hold a password
    timeout=dict(type='float', default=30, fallback=(environ_fallback, ['ALLURA_TIMEOUT'])),
    retries=dict(type='int', default=5, fallback=(environ_fallback, ['ALLURA_RETRIES'])),
    neighborhood=dict(type='str', default='p'),
)


# The options of the lock of a project (documented once, in the allura.forge.lock doc fragment), which every module
# that changes a project takes: its action plugin holds the project's lock while the task runs (plugin_utils/_lock.py).
# A module run as a module ignores them (the action plugin on the controller took the lock).
LOCK_DIR = '~/.ansible/tmp/allura.forge-locks'
LOCK_SPEC = dict(
    lock=dict(type='bool', default=True, fallback=(environ_fallback, ['ALLURA_LOCK'])),
    lock_timeout=dict(type='float', default=600, fallback=(environ_fallback, ['ALLURA_LOCK_TIMEOUT'])),
    lock_dir=dict(type='path', default=LOCK_DIR, fallback=(environ_fallback, ['ALLURA_LOCK_DIR'])),
)


# Module-level constants (MUTUALLY_EXCLUSIVE, REQUIRED_ONE_OF, ...) that both the module adapter and
# the controller-side action plugin apply, so the two validate alike.
VALIDATION_RULES = ('mutually_exclusive', 'required_one_of', 'required_together', 'required_if', 'required_by')


def validation_rules(module):
    return {rule: getattr(module, rule.upper()) for rule in VALIDATION_RULES if hasattr(module, rule.upper())}


def bulk_spec(key, item_spec):
    """The options of a module that converges one resource or many: the item options at the top level (an option an
    item requires is optional there, as the other form may be used) and `key`, a list of dicts of them."""
    spec = {name: {k: v for k, v in option.items() if k != 'required'} for name, option in item_spec.items()}
    spec[key] = dict(type='list', elements='dict', options=item_spec)
    return spec


def argument_spec(own, environ=None):
    """The connection options and a module's own; with `environ`, the ALLURA_* fallbacks read that environment."""
    spec = dict(CONNECTION_SPEC, **own)
    if environ is not None:
        spec = {name: dict(option, fallback=option['fallback'] + ({'environ': environ},)) if 'fallback' in option else option
                for name, option in spec.items()}
    return spec


def client_from_params(params, warn=None, environ=None):
    """The client for a module's validated parameters; `environ` is the task's environment (os.environ in a module)."""
    environ = os.environ if environ is None else environ
    oauth = {name: params.get(name) for name in OAUTH_OPTIONS}
    if params.get('timeout') is not None and params['timeout'] <= 0:
        raise ParameterError('timeout must be a positive number of seconds, got %r' % params['timeout'])
    if params.get('retries') is not None and params['retries'] < 0:
        raise ParameterError('retries must be 0 or more, got %r' % params['retries'])
    token = params.get('token')
    if all(oauth.values()) and token and token == environ.get('ALLURA_TOKEN'):
        token = None  # OAuth options given for the task win over a token that only comes from the environment
    return AlluraClient(params['server_url'], token=token, oauth=oauth if any(oauth.values()) else None,
                        validate_certs=params.get('validate_certs', True), ca_path=params.get('ca_path'),
                        use_proxy=params.get('use_proxy', True), proxy_url=params.get('proxy_url'),
                        timeout=params.get('timeout') or 30, retries=params.get('retries', 5), warn=warn, environ=environ)


def execute(run, params, check_mode=False, diff_mode=False, client=None, environ=None, progress=None):
    """Run a module's logic; always return a result dict (failed=True with msg on errors). `environ`: see
    client_from_params; `progress`: see Context."""
    ctx = Context(check_mode=check_mode, diff_mode=diff_mode, progress=progress)
    try:
        client = client or client_from_params(params, environ=environ)
        client.on_warning = ctx.warn  # the run's retries and rechecks are reported as the task's warnings
        out = run(params, client, ctx)
    except AlluraError as exc:
        out = dict(exc.result(), failed=True)  # changed stays False unless the error says writes were made
    out.setdefault('changed', False)
    out['check_mode'] = bool(check_mode)  # callers (the project role) tell a prediction from what was done by it
    if ctx.warnings:
        out['warnings'] = list(ctx.warnings)
    return out


def run_module(own_spec, run):
    """The AnsibleModule adapter around execute(); the validation rules are the module's constants (VALIDATION_RULES)."""
    module = AnsibleModule(argument_spec=argument_spec(own_spec), supports_check_mode=True,
                           **validation_rules(sys.modules[run.__module__]))
    if not HAS_REQUESTS:
        module.fail_json(msg=missing_required_lib('requests'), exception=str(REQUESTS_IMPORT_ERROR))
    out = execute(run, module.params, check_mode=module.check_mode, diff_mode=module._diff)
    for warning in out.pop('warnings', ()):
        module.warn(warning)
    if out.pop('failed', False):
        module.fail_json(**out)
    module.exit_json(**out)
