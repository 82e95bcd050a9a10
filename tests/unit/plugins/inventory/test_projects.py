# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The allura.forge.projects inventory plugin: hosts, groups and variables from a spec file, Constructable options,
and the errors of bad input (each naming the file and the key)."""

from __future__ import annotations

import pytest
import yaml

from ansible.errors import AnsibleParserError
from ansible.inventory.data import InventoryData
from ansible.parsing.dataloader import DataLoader
from ansible.plugins.loader import inventory_loader
from ansible.template import Templar, trust_as_template


SPEC = {
    'allura_project_template': {'fields': {'summary': 'Team {{ project.name }}'}},
    'allura_report_unmanaged': False,
    'allura_projects': [
        {'name': 'alpha', 'fields': {'summary': 'A'}},
        {'name': 'alice', 'neighborhood': 'u'},
        {'name': 'beta', 'neighborhood': 'p', 'tools': [{'type': 'tickets', 'mount_point': 'bugs'}]},
    ],
}


def plugin():
    """The plugin as Ansible loads it (with its documented options)."""
    return inventory_loader.get('allura.forge.projects')


def write(path, data):
    path.write_text(yaml.safe_dump(data), encoding='utf-8')
    return str(path)


def parse(tmp_path, spec=None, source_name='projects.allura.yml', written=True, **options):
    """The inventory the plugin builds from `spec` (written to projects.yml beside the source file)."""
    if written:
        write(tmp_path / 'projects.yml', SPEC if spec is None else spec)
    source = write(tmp_path / source_name, dict({'plugin': 'allura.forge.projects', 'spec_file': 'projects.yml'}, **options))
    projects = plugin()
    inventory = InventoryData()
    assert projects.verify_file(source)
    projects.parse(inventory, DataLoader(), source, cache=False)
    return inventory


def host_vars(inventory, name):
    host = inventory.get_host(name)
    merged = {}
    for group in sorted(host.get_groups(), key=lambda group: group.depth):
        merged.update(group.get_vars())
    merged.update(host.get_vars())
    return merged


@pytest.mark.parametrize('name, accepted', [
    ('projects.allura.yml', True), ('allura.yaml', True), ('team.allura.yaml', True),
    ('projects.yml', False), ('allura.yml.bak', False), ('projects.allura.json', False),
])
def test_verify_file_takes_the_documented_names(tmp_path, name, accepted):
    path = tmp_path / name
    path.write_text('plugin: allura.forge.projects\n', encoding='utf-8')
    assert plugin().verify_file(str(path)) is accepted


def test_one_host_per_project_in_spec_order_with_the_spec_and_a_local_connection(tmp_path):
    inventory = parse(tmp_path)
    group = inventory.groups['allura_projects']
    assert [host.name for host in group.get_hosts()] == ['alpha', 'u/alice', 'beta']
    alice = host_vars(inventory, 'u/alice')
    assert alice['allura_project'] == {'name': 'alice', 'neighborhood': 'u'}
    assert alice['ansible_connection'] == 'local'
    assert alice['ansible_python_interpreter'] == '{{ ansible_playbook_python }}'
    assert host_vars(inventory, 'beta')['allura_project']['tools'] == [{'type': 'tickets', 'mount_point': 'bugs'}]


def test_the_other_top_level_keys_are_vars_of_the_group(tmp_path):
    inventory = parse(tmp_path)
    group_vars = inventory.groups['allura_projects'].get_vars()
    assert group_vars == {'allura_project_template': SPEC['allura_project_template'], 'allura_report_unmanaged': False}
    assert 'allura_projects' not in host_vars(inventory, 'alpha')  # the list itself is not carried to every host


def test_templates_of_the_spec_file_stay_templates(tmp_path):
    """As with -e @projects.yml: the template's strings are rendered where the playbook binds `project`."""
    inventory = parse(tmp_path)
    template = inventory.groups['allura_projects'].get_vars()['allura_project_template']
    templar = Templar(loader=DataLoader(), variables={'project': {'name': 'alpha'}})
    assert templar.template(template['fields']['summary']) == 'Team alpha'


def test_constructable_compose_groups_and_keyed_groups(tmp_path):
    inventory = parse(tmp_path, compose={'allura_project_parallel': '2'},
                      groups={'with_tickets': "allura_project.tools | default([]) | selectattr('type', 'equalto', 'tickets') | list | length > 0"},
                      keyed_groups=[{'key': "allura_project.neighborhood | default('p')", 'prefix': 'nb'}])
    assert [host.name for host in inventory.groups['with_tickets'].get_hosts()] == ['beta']
    assert sorted(host.name for host in inventory.groups['nb_p'].get_hosts()) == ['alpha', 'beta']
    assert [host.name for host in inventory.groups['nb_u'].get_hosts()] == ['u/alice']
    assert host_vars(inventory, 'alpha')['allura_project_parallel'] == 2


def test_a_relative_spec_file_is_read_beside_the_source_and_an_absolute_one_anywhere(tmp_path):
    other = tmp_path / 'elsewhere'
    other.mkdir()
    spec = write(other / 'team.yml', {'allura_projects': [{'name': 'gamma'}]})
    inventory = parse(tmp_path, written=False, spec_file=spec)
    assert [host.name for host in inventory.groups['allura_projects'].get_hosts()] == ['gamma']


def test_a_missing_spec_file_names_the_source_and_the_path(tmp_path):
    with pytest.raises(AnsibleParserError, match=r'projects\.allura\.yml: spec_file .*nothere\.yml is not a file'):
        parse(tmp_path, written=False, spec_file='nothere.yml')


@pytest.mark.parametrize('spec, message', [
    ({'allura_project_template': {}}, r'projects\.yml: allura_projects must be a list of project specs, not nothing'),
    ({'allura_projects': {'name': 'alpha'}}, r'projects\.yml: allura_projects must be a list of project specs, not a mapping'),
    ({'allura_projects': [{'name': 'alpha'}, 'beta']}, r"projects\.yml: allura_projects\[1\] must be a project spec \(a mapping\), not 'beta'"),
    ({'allura_projects': [{'fields': {'summary': 'x'}}]}, r"projects\.yml: allura_projects\[0\]\.name must be the project's shortname, not None"),
    ({'allura_projects': [{'name': ' '}]}, r"allura_projects\[0\]\.name must be the project's shortname, not ' '"),
    ({'allura_projects': [{'name': 'a', 'neighborhood': 'u/x'}]}, r"allura_projects\[0\]\.neighborhood must be a neighborhood prefix .*'u/x'"),
    ({'allura_projects': [{'name': 'alpha'}, {'name': 'beta'}, {'name': 'alpha', 'neighborhood': 'p'}]},
     r'projects\.yml: allura_projects\[2\]: project alpha \(host alpha\) is already at allura_projects\[0\]'),
])
def test_bad_specs_are_parser_errors_naming_file_and_key(tmp_path, spec, message):
    with pytest.raises(AnsibleParserError, match=message):
        parse(tmp_path, spec=spec)


def test_the_same_name_in_two_neighborhoods_is_two_hosts(tmp_path):
    inventory = parse(tmp_path, spec={'allura_projects': [{'name': 'alice'}, {'name': 'alice', 'neighborhood': 'u'}]})
    assert [host.name for host in inventory.groups['allura_projects'].get_hosts()] == ['alice', 'u/alice']


def test_a_yaml_error_names_the_spec_file(tmp_path):
    (tmp_path / 'projects.yml').write_text('allura_projects: [\n', encoding='utf-8')
    with pytest.raises(AnsibleParserError, match=r'cannot read spec_file .*projects\.yml'):
        parse(tmp_path, written=False)


def test_vaulted_values_stay_vaulted_until_used(tmp_path, monkeypatch):
    """A webhook secret as a !vault value is loaded as such (decrypted only where used, with the vault password)."""
    from ansible.parsing.vault import VaultLib, VaultSecret, VaultSecretsContext
    secret = VaultSecret(b'pw')
    vault = VaultLib([('default', secret)])
    ciphertext = vault.encrypt('s3cret').decode()
    text = ('allura_projects:\n  - name: alpha\n    webhooks:\n      - type: repo-push\n        mount_point: code\n'
            '        url: https://ci.example.org/\n        secret: !vault |\n'
            + ''.join('          %s\n' % line for line in ciphertext.splitlines()))
    (tmp_path / 'projects.yml').write_text(text, encoding='utf-8')
    source = write(tmp_path / 'projects.allura.yml', {'plugin': 'allura.forge.projects', 'spec_file': 'projects.yml'})
    loader = DataLoader()
    loader.set_vault_secrets([('default', secret)])
    inventory = InventoryData()
    plugin().parse(inventory, loader, source, cache=False)
    value = host_vars(inventory, 'alpha')['allura_project']['webhooks'][0]['secret']
    assert 's3cret' not in repr(value)
    monkeypatch.setattr(VaultSecretsContext, '_current', VaultSecretsContext([('default', secret)]))  # as the CLI sets it
    assert Templar(loader=loader, variables={'x': value}).template(trust_as_template('{{ x }}')) == 's3cret'


def test_a_plain_spec_file_is_read_without_ansibles_loader_and_a_tagged_one_with_it(tmp_path):
    """Plain YAML is read plainly (its strings trusted as templates); vault, Ansible's tags or a key given twice are left
    to Ansible's loader, which says what to say about them."""
    from ansible.template import is_trusted_as_template
    from ansible_collections.allura.forge.plugins.inventory.projects import read_plainly
    plain = write(tmp_path / 'plain.yml', SPEC)
    document = read_plainly(str(plain))
    assert document == SPEC and is_trusted_as_template(document['allura_project_template']['fields']['summary'])
    for text in ('allura_projects: [{name: a, link: !unsafe "{{ x }}"}]\n',
                 'allura_projects: [{name: a, name: b}]\n',
                 '$ANSIBLE_VAULT;1.1;AES256\n6162\n',
                 'allura_projects: [\n'):
        (tmp_path / 'other.yml').write_text(text, encoding='utf-8')
        assert read_plainly(str(tmp_path / 'other.yml')) is None, text
