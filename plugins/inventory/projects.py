# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
name: projects
short_description: The projects of a spec file as inventory hosts
version_added: 0.3.0
description:
  - Reads a spec file - the one C(allura.forge.provision) and C(allura.forge.drift) take with C(-e @projects.yml), its
    C(allura_projects) list and optional top-level variables such as C(allura_project_template) - and makes each project
    an inventory host of the group C(allura_projects). The playbooks then check or converge one project per host, so
    C(--forks) runs that many projects at once, C(--limit) picks projects, and AWX/AAP job slicing spreads them over
    execution nodes.
  - A project of the neighborhood C(p) is the host named after its shortname (C(myproj)); a project of another
    neighborhood is C(NEIGHBORHOOD/NAME) (C(u/alice)). Select them with C(--limit myproj) or C(--limit 'u/alice').
  - Each host has the project's spec as C(allura_project) (the variable the C(allura.forge.project) role takes),
    C(ansible_connection=local) and C(ansible_python_interpreter={{ ansible_playbook_python }}), so nothing is ever
    reached over SSH. The spec file's other top-level keys are variables of the group C(allura_projects).
  - The spec file is read by Ansible's own loader - vault-encrypted files and C(!vault) values work as with C(-e @file).
    Host variables are shown by C(ansible-inventory --list) - decrypted when a vault password is given, so keep webhook
    secrets in C(!vault) values or vault-encrypted files and do not list the inventory where others can read it.
  - The inventory source is a YAML file whose name ends in C(allura.yml) or C(allura.yaml) (for example
    C(projects.allura.yml)), whose C(plugin) key names C(allura.forge.projects). The C(auto) inventory plugin (enabled by default)
    loads it; where C(enable_plugins) is set, add C(allura.forge.projects) (or C(auto)) to it.
extends_documentation_fragment:
  - ansible.builtin.constructed
options:
  plugin:
    description: The name of this plugin; the source file must say it.
    type: str
    required: true
    choices: [allura.forge.projects]
  spec_file:
    description:
      - The spec file, with C(allura_projects:) (a list of project specs, each with at least C(name)).
      - A relative path is relative to the folder of the inventory source file; C(~) is the user's home.
    type: str
    required: true
author:
  - allura.forge developers (@allura-forge)
'''

EXAMPLES = r'''
# projects.allura.yml, next to projects.yml:
#   ansible-playbook allura.forge.drift -i projects.allura.yml -f 8
#   ansible-playbook allura.forge.provision -i projects.allura.yml --limit 'myproj,u/alice'
plugin: allura.forge.projects
spec_file: projects.yml
---
# Groups from the specs (Constructable): keyed_groups by neighborhood (allura_nb_p, allura_nb_u), a group of the
# projects that have a tickets tool, and a host variable.
plugin: allura.forge.projects
spec_file: projects.yml
keyed_groups:
  - key: allura_project.neighborhood | default('p')
    prefix: allura_nb
groups:
  with_tickets: allura_project.tools | default([]) | selectattr('tool', 'equalto', 'tickets') | list | length > 0
compose:
  allura_project_parallel: 4
'''

import os

from collections.abc import Mapping

import yaml

from ansible.errors import AnsibleParserError
from ansible.module_utils.common.text.converters import to_native
from ansible.plugins.inventory import BaseInventoryPlugin, Constructable
from ansible.template import trust_as_template

GROUP = 'allura_projects'
SUFFIXES = ('allura.yml', 'allura.yaml')
# What every project host gets: the controller's own Python, no SSH.
CONNECTION_VARS = {'ansible_connection': 'local', 'ansible_python_interpreter': '{{ ansible_playbook_python }}'}


class PlainLoader(getattr(yaml, 'CSafeLoader', yaml.SafeLoader)):  # pylint: disable=too-many-ancestors
    """YAML (and so JSON) without Ansible's tags; refuses a key given twice (then Ansible's loader says it its way)."""

    def construct_mapping(self, node, deep=False):
        keys = [self.construct_object(key_node, deep=deep) for key_node, dummy in node.value]
        if len(keys) != len(set(keys)):
            raise yaml.constructor.ConstructorError(None, None, 'a key given twice', node.start_mark)
        return super().construct_mapping(node, deep)


def read_plainly(path):
    """The document of a spec file read as plain data, or None when Ansible's own loader must read it: vault (an
    encrypted file, !vault values), other tags of Ansible's (!unsafe), a key given twice, a file that is no YAML. Ansible's
    loader tags every value with where it comes from (its line): ten times the memory and the time of a large spec file."""
    with open(path, 'rb') as handle:
        data = handle.read()
    if data.lstrip().startswith(b'$ANSIBLE_VAULT'):
        return None
    try:
        return trusted(yaml.load(data, Loader=PlainLoader))  # nosec B506 - a SafeLoader
    except (yaml.YAMLError, ValueError):
        return None


def trusted(value):
    """The value with each string trusted as a template, as Ansible's loader trusts a playbook's own files."""
    if isinstance(value, str):
        return trust_as_template(value)
    if isinstance(value, dict):
        return {key: trusted(item) for key, item in value.items()}
    if isinstance(value, list):
        return [trusted(item) for item in value]
    return value


def kind(value):
    """What a value is, for an error message (the value itself when it is short and not a container)."""
    if value is None:
        return 'nothing'
    if isinstance(value, Mapping):
        return 'a mapping'
    if isinstance(value, (list, tuple)):
        return 'a list'
    return repr(value)


def host_name(project, default='p'):
    """`myproj` for a project of the neighborhood p, `u/alice` for one of another neighborhood (`default` when the
    project names none: the template's)."""
    neighborhood = project.get('neighborhood') or default
    return project['name'] if neighborhood == 'p' else '%s/%s' % (neighborhood, project['name'])


def project_hosts(document, path):
    """(host name, spec) of each project of a loaded spec file, in its order; AnsibleParserError on bad input."""
    if not isinstance(document, Mapping) or not isinstance(document.get(GROUP), list):
        found = document.get(GROUP) if isinstance(document, Mapping) else document
        raise AnsibleParserError('%s: %s must be a list of project specs, not %s' % (path, GROUP, kind(found)))
    template = document.get('allura_project_template')
    default = template.get('neighborhood') if isinstance(template, Mapping) else None
    if not isinstance(default, str) or not default or '/' in default or '{' in default:
        default = 'p'
    hosts = {}
    for index, project in enumerate(document[GROUP]):
        where = '%s: %s[%d]' % (path, GROUP, index)
        if not isinstance(project, Mapping):
            raise AnsibleParserError('%s must be a project spec (a mapping), not %s' % (where, kind(project)))
        name = project.get('name')
        if not isinstance(name, str) or not name.strip():
            raise AnsibleParserError('%s.name must be the project\'s shortname, not %r' % (where, name))
        neighborhood = project.get('neighborhood')
        if neighborhood is not None and (not isinstance(neighborhood, str) or '/' in neighborhood):
            raise AnsibleParserError('%s.neighborhood must be a neighborhood prefix such as p or u, not %r' % (where, neighborhood))
        host = host_name(project, default)
        if host in hosts:
            raise AnsibleParserError('%s: project %s (host %s) is already at %s[%d]' % (where, name, host, GROUP, hosts[host][0]))
        hosts[host] = (index, project)
    return [(host, project) for host, (dummy, project) in hosts.items()]


class InventoryModule(BaseInventoryPlugin, Constructable):
    NAME = 'allura.forge.projects'
    # the spec file is the user's own, as with -e @projects.yml: its strings may be templates (allura_project_template)
    trusted_by_default = True

    def verify_file(self, path):
        return super().verify_file(path) and os.path.basename(path).endswith(SUFFIXES)

    def parse(self, inventory, loader, path, cache=True):
        super().parse(inventory, loader, path, cache)
        self._read_config_data(path)
        spec_file = os.path.expanduser(self.get_option('spec_file'))
        if not os.path.isabs(spec_file):
            spec_file = os.path.join(os.path.dirname(path), spec_file)
        if not os.path.isfile(spec_file):
            raise AnsibleParserError('%s: spec_file %s is not a file' % (path, spec_file))
        try:
            document = read_plainly(spec_file)
            if document is None:
                document = self.loader.load_from_file(spec_file, cache='none', trusted_as_template=True)
        except Exception as exc:  # a YAML or vault error: name the file
            raise AnsibleParserError('%s: cannot read spec_file %s: %s' % (path, spec_file, to_native(exc))) from exc

        hosts = project_hosts(document, spec_file)
        self.inventory.add_group(GROUP)
        group_vars = {key: value for key, value in document.items() if key != GROUP}
        for key, value in group_vars.items():
            self.inventory.set_variable(GROUP, key, value)
        strict = self.get_option('strict')
        for host, project in hosts:
            self.inventory.add_host(host, group=GROUP)
            host_vars = dict(CONNECTION_VARS, allura_project=project)
            for key, value in host_vars.items():
                self.inventory.set_variable(host, key, value)
            variables = dict(group_vars, **host_vars)
            self._set_composite_vars(self.get_option('compose'), variables, host, strict=strict)
            self._add_host_to_composed_groups(self.get_option('groups'), variables, host, strict=strict)
            self._add_host_to_keyed_groups(self.get_option('keyed_groups'), variables, host, strict=strict)
