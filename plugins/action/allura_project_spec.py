# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Converges a whole project in one task: each resource kind by its module's action (so with its validation, lock,
environment, check mode and both execution paths), in the order and by the rules of the project role, which this is the
engine of. One task per project instead of one per resource kind: Ansible spends a process and the templating of the
task's arguments on each task and host, which is most of the time of a drift check of many projects."""

from __future__ import annotations

import functools
import os

import yaml

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.common.parameters import remove_values
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display

from ansible_collections.allura.forge.plugins.module_utils._module import CONNECTION_SPEC, LOCK_SPEC
# Not used here: the actions of the steps, loaded with this one in the controller's main process, so that the process
# of each task inherits them (the plugin loader takes them from sys.modules) instead of compiling them again.
from ansible_collections.allura.forge.plugins.action import (  # noqa: F401 pylint: disable=unused-import
    allura_access_info, allura_blog_post, allura_blog_post_info, allura_comment, allura_link, allura_lock, allura_project,
    allura_ticket, allura_ticket_info, allura_tool, allura_webhook, allura_webhook_info, allura_wiki_page,
    allura_wiki_page_info)
from ansible_collections.allura.forge.plugins.modules import allura_project_spec
from ansible_collections.allura.forge.plugins.plugin_utils._drift import summary_lines
from ansible_collections.allura.forge.plugins.plugin_utils._plan import (
    access_errors, plan_comments, plan_link, plan_tools, project_created, project_plan, project_task)
from ansible_collections.allura.forge.plugins.plugin_utils._report import project_report
from ansible_collections.allura.forge.plugins.plugin_utils._unmanaged import (
    looked_at, project_unmanaged, purge_guard, purge_items, purge_posts, purge_refused, unmanaged_reads)

# given or not: only those given are passed on (a module's own defaults and ALLURA_* fallbacks apply to the rest)
PASSED_ON = dict((name, dict(type='raw')) for name in list(CONNECTION_SPEC) + list(LOCK_SPEC))
OWN_SPEC = dict({k: v for k, v in allura_project_spec.ARGUMENT_SPEC.items() if k not in LOCK_SPEC}, **PASSED_ON)
PROJECT_FIELDS = ('name', 'summary', 'short_description', 'labels', 'private', 'external_homepage', 'video_url')
SKIPPED = dict(changed=False, skipped=True)

display = Display()
ROLE_SPEC_FILE = os.path.join(os.path.dirname(__file__), '..', '..', 'roles', 'project', 'meta', 'argument_specs.yml')


@functools.lru_cache(maxsize=None)
def role_options():
    """The options of the project role's main entry point (its variables)."""
    with open(ROLE_SPEC_FILE, encoding='utf-8') as handle:
        return yaml.load(handle, Loader=getattr(yaml, 'CSafeLoader', yaml.SafeLoader))['argument_specs']['main']['options']


class Failed(Exception):
    """A step failed: the role's task of that step would fail with this result."""

    def __init__(self, result):
        super().__init__(result.get('msg'))
        self.result = result


class ActionModule(ActionBase):
    TRANSFERS_FILES = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        validated = ArgumentSpecValidator(OWN_SPEC).validate(self._task.args)
        if validated.error_messages:
            return dict(result, failed=True, msg=' '.join(validated.error_messages))
        params = validated.validated_parameters
        self.task_vars = task_vars
        self.spec = params['spec'] or {}
        secrets = [hook['secret'] for hook in self.spec.get('webhooks') or () if isinstance(hook, dict) and hook.get('secret')]
        secrets += [v for k, v in params.items() if CONNECTION_SPEC.get(k, {}).get('no_log') and v]
        if params['validate_role']:
            errors = self.role_errors(task_vars)
            if errors:
                return remove_values(dict(result, failed=True, argument_errors=errors,
                                          msg='Validation of arguments failed:\n%s' % '\n'.join(errors)), set(secrets))
        self.connection = {k: v for k, v in params.items() if k in CONNECTION_SPEC and v is not None}
        self.writer = dict(self.connection, **{k: v for k, v in params.items() if k in LOCK_SPEC and v is not None})
        self.changed, self.diffs, self.warnings, self.clients = False, [], [], {}
        try:
            report = self.converge(params)
            result.update(changed=self.changed, report=report)
            display.display('\n'.join(summary_lines([report])))  # what it did, or would do, in a few lines
        except Failed as exc:
            result.update({k: v for k, v in exc.result.items() if k not in ('changed', 'failed', 'item', 'diff', 'warnings')},
                          failed=True, changed=self.changed)
        if self.diffs:
            result['diff'] = self.diffs
        if self.warnings:
            result['warnings'] = self.warnings
        return remove_values(result, set(secrets))

    def role_errors(self, task_vars):
        """What the role's validation task would refuse in its variables as this task sees them (the same check: the
        variables the spec names, templated, then Ansible's validator for role specs)."""
        options = role_options()
        given = self._templar.template({name: task_vars[name] for name in options if name in task_vars})
        checked = ArgumentSpecValidator(options).validate(given, validate_role_argument_spec=True)
        return remove_values(checked.error_messages, checked._no_log_values)  # pylint: disable=protected-access

    # --- the role's tasks, in order ---------------------------------------------------------

    def converge(self, params):
        spec = self.spec
        errors = access_errors(spec) + [message for message in [purge_refused(params['purge'])] if message]
        if errors:
            raise Failed(dict(msg='; '.join(errors)))
        self.step('allura_lock', self.writer, project=spec.get('name'))
        try:
            return self.converge_locked(params)
        finally:
            self.step('allura_lock', self.writer, project=spec.get('name'), state='released')

    def converge_locked(self, params):
        spec, name, parallel = self.spec, self.spec.get('name'), params['parallel']
        label = '%s/%s' % (spec.get('neighborhood') or 'p', name)
        create = bool(spec.get('create'))
        fields = spec.get('fields') or {}
        project = self.step('allura_project', self.writer, project=name, **dict(
            {k: fields[k] for k in PROJECT_FIELDS if k in fields},
            **({'admin': spec['admin']} if create and 'admin' in spec else {})))
        project = self.absorb(dict(project, failed=False))  # failed_when: false, as in the role: its message is used below
        if 'action' not in project:
            raise Failed(dict(project, msg=(
                'project %s does not exist (or this token cannot see it): set create: true, with admin and fields.name, to create it'
                % label if not create and project.get('missing') == 'project' else project.get('msg') or 'allura_project failed')))
        self.changed = bool(project.get('changed'))
        errors = access_errors(spec, project.get('project'))
        if errors:
            raise Failed(dict(msg='; '.join(errors)))

        # what the project holds beyond the spec, read before its first write (a failed read fails: nothing is purged)
        kinds = looked_at(params['report_unmanaged'], params['unmanaged_tickets'], params['purge'])
        reads = unmanaged_reads(spec, project, kinds, tickets=params['unmanaged_tickets'])
        live = dict(
            webhooks=self.read('allura_webhook_info', project=name, parallel=parallel) if reads['webhooks'] else None,
            wiki=self.read_each('allura_wiki_page_info', reads['wiki'], project=name),
            blog=self.read_each('allura_blog_post_info', reads['blog'], project=name, details=False),
            tickets=self.read_each('allura_ticket_info', reads['tickets'], project=name, parallel=parallel))
        unmanaged = project_unmanaged(spec, project, kinds=kinds, purge=params['purge'], **live)
        guard = purge_guard(unmanaged, params['purge_max'])
        if guard:
            raise Failed(dict(msg=guard))

        tool_items = plan_tools(spec)
        done = dict(project=project, tools=SKIPPED, link=SKIPPED, comments=SKIPPED, webhooks=SKIPPED)

        def created():
            return project_created(project, done['tools'], tool_items)

        if tool_items:
            done['tools'] = self.write('allura_tool', created, predicted=True, project=name, tools=tool_items)
        link = plan_link(spec)
        if link:
            done['link'] = self.write('allura_link', created, mounts=['link'], predicted=link['predicted_change'],
                                      project=name, mount_point='link', url=link['url'])
        done['wiki'] = self.write_loop('allura_wiki_page', created, project_plan(spec, 'wiki'), lambda group: dict(
            project=name, mount_point=group['mount_point'], pages=group['pages'], parallel=parallel))
        posts_to_purge = purge_posts(unmanaged)
        done['blog'] = self.write_loop('allura_blog_post', created, project_plan(spec, 'blog'), lambda group: dict(
            project=name, mount_point=group['mount_point'], posts=group['posts'] + posts_to_purge.get(group['mount_point'], []),
            parallel=parallel))
        done['tickets'] = self.write_loop('allura_ticket', created, project_plan(spec, 'tickets'), lambda group: dict(
            project=name, mount_point=group['mount_point'], tickets=group['tickets'], parallel=parallel))

        # the comments on tickets whose number the tickets step gave; those on tickets check mode would create are predicted
        comments = plan_comments(spec, done['tickets'])
        if comments['any']:
            done['comments'] = self.write('allura_comment', created, mounts=list(dict.fromkeys(c['mount_point'] for c in comments['comments'])),
                                          left_out=comments['left_out'], project=name, comments=comments['comments'], parallel=parallel)

        # the webhooks of repositories that exist (or will, in a real run); all of them when none does (then pending);
        # those of repositories still to create are predicted, not sent
        hooks, purged = project_plan(spec, 'webhooks'), purge_items(unmanaged)
        if hooks or purged:
            now = created()
            ready = [] if now['project'] else [h for h in hooks if h['mount_point'] not in now['mounts']]
            sent = ready if ready or purged else hooks
            waiting = [h for h in hooks if h not in ready]
            predicted = any(h['predicted_change'] for h in waiting)
            done['webhooks'] = self.write(
                'allura_webhook', created, mounts=[h['mount_point'] for h in sent] + [p['mount_point'] for p in purged],
                predicted=predicted, left_out=predicted, project=name,
                webhooks=[spec['webhooks'][h['index']] for h in sent] + purged, parallel=parallel)

        done['access'] = self.write_loop('allura_access_info', created, project_plan(spec, 'access'), lambda group: dict(
            dict(project=name, users=group['users'], permissions=group['permissions'], parallel=parallel),
            **({'mount_point': group['mount_point']} if 'mount_point' in group else {})),
            mounts=lambda group: [group['mount_point']] if 'mount_point' in group else [])
        return project_report(spec, unmanaged=unmanaged, **done)

    # --- steps ------------------------------------------------------------------------------

    def step(self, module, options, **args):
        """The result of the module's action run with these arguments, as a task of this task's play would run it."""
        task = self._task.copy(exclude_parent=True)  # a copy of the blocks around it would cost more than the step
        task._parent = self._task._parent  # pylint: disable=protected-access
        task.args = dict(options, **args)
        task.action = 'allura.forge.' + module
        action = self._shared_loader_obj.action_loader.get(
            task.action, task=task, connection=self._connection, play_context=self._play_context, loader=self._loader,
            templar=self._templar, shared_loader_obj=self._shared_loader_obj)
        action.shared_clients = self.clients
        result = action.run(task_vars=self.task_vars)
        if result.get('failed') and module == 'allura_lock':
            raise Failed(self.absorb(result))
        return result

    def absorb(self, result):
        """Keeps what a step says beyond its verdict (its diff and warnings); the step's result."""
        diff = result.get('diff')
        if diff:
            self.diffs.extend(diff if isinstance(diff, list) else [diff])
        self.warnings.extend(result.get('warnings') or ())
        return result

    def read(self, module, **args):
        result = self.absorb(self.step(module, self.connection, **args))
        if result.get('failed'):
            raise Failed(result)
        return result

    def read_each(self, module, mount_points, **args):
        """A read of each tool, as a registered loop over the mount points: {results: [each result with its item]}."""
        return dict(results=[dict(self.read(module, mount_point=mount_point, **args), item=mount_point) for mount_point in mount_points],
                    changed=False)

    def write(self, module, created, mounts=(), predicted=False, left_out=False, **args):
        """A converging step, failed and changed by the role's one rule (project_task): what lives in a project or
        tool this check run would create is pending, not failed."""
        result = self.step(module, self.writer if module != 'allura_access_info' else self.connection, **args)
        verdict = project_task(result, created(), mounts, predicted, left_out)
        result.update(failed=verdict['failed'], changed=verdict['changed'])
        self.absorb(result)
        self.changed = self.changed or verdict['changed']
        if verdict['failed']:
            raise Failed(result)
        return result

    def write_loop(self, module, created, groups, arguments, mounts=None):
        """A converging step per group (a wiki, blog, tracker or access level), as a registered loop."""
        results = []
        for group in groups:
            results.append(dict(self.write(module, created, mounts=mounts(group) if mounts else [group['mount_point']],
                                           predicted=group.get('predicted_change', False), **arguments(group)), item=group))
        return dict(results=results, changed=any(r['changed'] for r in results))
