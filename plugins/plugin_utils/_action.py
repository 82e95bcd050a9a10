# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run an allura.forge module's logic on the controller, in process, without AnsiballZ.

A task that runs on the controller (connection `local`: implicit localhost or delegate_to
localhost) skips building, copying and starting a module (about 0.25 s a task) and calls the
module's `run()` directly, with the same argument validation, no_log masking, check mode and diff
as the module would apply, and with the environment the module would see: the controller's, with the
`environment:` of play, block, role and task over it (so the ALLURA_* fallbacks, the proxy and CA
bundle variables come from there; os.environ is never changed, as tasks run side by side). On any
other host, or when the controller lacks `requests`, the module runs as usual, and so it does
everywhere when the environment variable ALLURA_FORGE_RUN_AS_MODULE is set (for debugging, and to
test both paths).

A module that takes the lock options (it changes a project) runs, either way, inside the project's lock,
which this plugin takes on the controller (plugin_utils/_lock.py): in check mode it only looks whether
another run holds it, and says so.
"""

from __future__ import annotations

import os
from functools import partial

from ansible import constants as C
from ansible.errors import AnsibleUndefinedConfigEntry
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.errors import UnsupportedError
from ansible.module_utils.common.parameters import remove_values
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display

from ansible_collections.allura.forge.plugins.module_utils._client import HAS_REQUESTS, AlluraError, ParameterError
from ansible_collections.allura.forge.plugins.module_utils._module import (
    CONNECTION_SPEC, argument_spec, client_from_params, execute, validation_rules)
# Not used here: loaded with the action plugins, in the controller's main process (which loads the action
# of a task before it forks the process that runs it), so that the process of each task inherits the
# filters of the project role instead of loading them again (see also ActionModule.module).
from ansible_collections.allura.forge.plugins.filter import (  # noqa: F401 pylint: disable=unused-import
    drift_report, project_access_errors, project_created, project_merge, project_plan, project_report, project_task,
    project_unmanaged, spec_file)
from ansible_collections.allura.forge.plugins.plugin_utils._lock import ProjectLock, describe, holder_details

display = Display()


class AlluraAction(ActionBase):
    """The action of an allura.forge module; ActionModule.module is that module, imported with the
    action plugin (so in the controller's main process, once, not by the process of every task)."""
    TRANSFERS_FILES = False
    module = None
    progress = None  # progress(message) for the module's Context (shown while the task runs), if the module reports any
    # {connection options: client} of the steps of one allura_project_spec task, which share their clients (and, in a
    # check run, what they read); None: a client of its own
    shared_clients = None

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        module = self.module
        as_module = not (HAS_REQUESTS and self._connection.transport in ('local', 'ansible.builtin.local')) or bool(
            os.environ.get('ALLURA_FORGE_RUN_AS_MODULE'))
        environ = self.task_environment()
        validator = ArgumentSpecValidator(argument_spec(module.ARGUMENT_SPEC, environ=environ), **validation_rules(module))
        validated = validator.validate(self._task.args)
        secrets, params = validated._no_log_values, validated.validated_parameters
        if validated.error_messages and not as_module:  # a module run says it itself
            # worded as AnsibleModule words it, so both paths fail alike
            messages = ['Unsupported parameters for (%s) module: %s' % (self._task.action, err) if isinstance(err, UnsupportedError)
                        else str(err) for err in validated.errors]
            result.update(failed=True, msg=remove_values(' '.join(messages), secrets))
        else:
            try:
                work = partial(self.converge, params, secrets, environ, as_module, task_vars)
                result.update(work() if validated.error_messages else self.locked(params, work))
            except AlluraError as exc:
                result.update(exc.result(), failed=True)
        if inject_invocation(task_vars) and not as_module:
            result['invocation'] = dict(module_args=remove_values(params, secrets))
        return result

    def converge(self, params, secrets, environ, as_module, task_vars):
        """The module's result: its logic run here, or the module run as a module."""
        if as_module:
            return self._execute_module(module_name='allura.forge.' + self.module.__name__.rsplit('.', 1)[1],
                                        module_args=self._task.args, task_vars=task_vars)
        return remove_values(execute(self.module.run, params, check_mode=bool(self._task.check_mode), diff_mode=bool(self._task.diff),
                                     client=self.shared_client(params, environ), environ=environ, progress=self.progress), secrets)

    def shared_client(self, params, environ):
        """The client the steps of an allura_project_spec task share for these connection options (made by the first),
        reading each resource once in a check run; None otherwise, or when it cannot be made (the step says why)."""
        if self.shared_clients is None:
            return None
        key = repr(sorted((name, params.get(name)) for name in CONNECTION_SPEC))
        if key not in self.shared_clients:
            try:
                client = client_from_params(params, environ=environ)
            except AlluraError:
                return None
            client.read_cache = {} if self._task.check_mode else None
            self.shared_clients[key] = client
        return self.shared_clients[key]

    @staticmethod
    def project_lock(params):
        """The lock of the project the task is about, for a module that takes the lock options and has `lock` on."""
        if not params.get('lock'):
            return None
        if params['lock_timeout'] < 0:
            raise ParameterError('lock_timeout must be 0 or more seconds, got %r' % params['lock_timeout'])
        return ProjectLock(params['lock_dir'], params['server_url'], params['neighborhood'], params['project'])

    def locked(self, params, work):
        """work() inside the project's lock: taken (or entered) for this task and left after it. In check mode, nothing
        is taken or waited for: a warning names another run converging the project, if any."""
        lock = self.project_lock(params)
        if lock is None:
            return work()
        if self._task.check_mode:
            holder = self.peek(lock)
            return dict(work(), **holder)
        waited = lock.enter(params['lock_timeout'], on_wait=display.display)
        try:
            out = work()
        finally:
            lock.leave()
        return dict(out, **waited_for(waited))

    @staticmethod
    def peek(lock):
        """Check mode: {lock_holder} of another run converging the project, which a warning names; else {}."""
        other = lock.other()
        if not other:
            return {}
        display.warning('%s is being converged by another run: %s. This check-mode run does not wait for it, so what it reports '
                        'may change when that run ends' % (lock.label, describe(other)))
        return dict(lock_holder=holder_details(other))

    def task_environment(self):
        """The environment a module of this task would run with: the controller's, with the task's effective
        `environment:` (merged and templated by Ansible, as for a module run) over it, its values as strings."""
        task_environment = {}
        self._compute_environment_string(task_environment)
        environ = dict(os.environ)
        environ.update((name, str(value)) for name, value in task_environment.items())
        return environ


def waited_for(seconds):
    """{lock_waited} when a task waited for the lock."""
    return dict(lock_waited=round(seconds, 1)) if seconds >= 0.05 else {}


def inject_invocation(task_vars):
    """Whether a module's result would carry `invocation`: as INJECT_INVOCATION says (ansible-core 2.21 and
    later, off by default); always before it existed."""
    try:
        return bool(C.config.get_config_value('INJECT_INVOCATION', variables=task_vars))
    except AnsibleUndefinedConfigEntry:
        return True
