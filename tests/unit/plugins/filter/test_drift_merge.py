# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The drift_merge filter: parts of a drift check (hosts of a play, job slices) combined as one run reports them."""

from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.allura.forge.plugins.filter import drift_merge

merge = drift_merge.FilterModule().filters()['drift_merge']


def report(project):
    return {'project': project, 'resources': []}


def part(*projects, errors=(), origins=None):
    return {'projects': list(projects), 'reports': [report(p) for p in projects if not any(e.startswith(p + ':') for e in errors)],
            'origins': origins or {}, 'errors': list(errors)}


def test_parts_in_order_of_their_projects():
    result = merge([part('p/a', origins={'p/a': {'tool docs': 'template'}}), part('u/alice'), part('p/b')])
    assert [r['project'] for r in result['reports']] == ['p/a', 'u/alice', 'p/b']
    assert result['origins'] == {'p/a': {'tool docs': 'template'}} and result['errors'] == []


def test_slices_interleaved_back_into_the_order_of_the_whole_run():
    """AWX slices by host name: slice 1 has hosts 0, 2, 4; slice 2 hosts 1, 3."""
    specs = [{'name': 'a'}, {'name': 'b'}, {'name': 'c', 'neighborhood': 'u'}, {'name': 'd'}, {'name': 'e'}]
    one = part('p/a', 'u/c', 'p/e', errors=['u/c: no permission'])
    two = part('p/b', 'p/d')
    result = merge([two, one], order=specs)
    assert [r['project'] for r in result['reports']] == ['p/a', 'p/b', 'p/d', 'p/e']
    assert result['errors'] == ['u/c: no permission']


def test_a_project_no_part_reports_is_an_error():
    result = merge([part('p/a')], order=['p/a', 'p/b', {'name': 'c'}])
    assert result['errors'] == ['p/b: not checked (no report of it: its host failed, or a part of the run is missing)',
                                'p/c: not checked (no report of it: its host failed, or a part of the run is missing)']


def test_failed_hosts_are_errors_and_not_reported_twice():
    result = merge([part('p/a'), part('p/c')], failed=[{'name': 'b'}])
    assert result['errors'] == ['p/b: not checked: its host failed (see the task that failed)']


def test_errors_follow_the_projects_not_their_kind():
    """A template error of one project and a check error of an earlier one: by project, as hosts report them."""
    result = merge([{'projects': ['p/a', 'p/b'], 'reports': [],
                     'errors': ['p/b: wiki must be a list', 'p/a: project p/a does not exist']}])
    assert result['errors'] == ['p/a: project p/a does not exist', 'p/b: wiki must be a list']


def test_the_template_neighborhood_names_specs_without_one():
    result = merge([part('u/alice')], order=[{'name': 'alice'}], neighborhood='u')
    assert result['errors'] == [] and [r['project'] for r in result['reports']] == ['u/alice']


def test_json_reports_are_parts():
    """A drift JSON report (projects, reports, origins, errors and more) is a part as it is."""
    full = dict(part('p/a'), generated='2026-01-01T00:00:00Z', rows=[], lines=[], unmanaged=[], drift=False)
    assert merge([full])['reports'] == [report('p/a')]


@pytest.mark.parametrize('parts, options, message', [
    ('x', {}, 'the input must be a list of parts'),
    ([['p/a']], {}, 'the input must be a list of parts'),
    ([part('p/a')], {'order': 'p/a'}, 'order must be a list of project specs or names'),
    ([part('p/a')], {'order': [1]}, 'order must be a list of project specs or names'),
])
def test_bad_input(parts, options, message):
    with pytest.raises(AnsibleFilterError, match=message):
        merge(parts, **options)


# --- drift_part: a host's part, from what it recorded ------------------------------------------------------------

from ansible_collections.allura.forge.plugins.filter import drift_part as drift_part_plugin  # noqa: E402

host_part = drift_part_plugin.FilterModule().filters()['drift_part']


def test_an_inventory_host_reports_its_own_project_not_the_playbook_list():
    host = {'group_names': ['allura_projects'], 'allura_project': {'name': 'a', 'neighborhood': 'u'},
            'allura_project_reports': [report('u/a')]}
    part_of_host = host_part(host, projects=[{'name': 'x'}, {'name': 'y'}])
    assert part_of_host == {'projects': ['u/a'], 'reports': [report('u/a')], 'origins': {}, 'errors': []}


def test_localhost_reports_the_playbook_projects_with_the_template_neighborhood():
    part_of_host = host_part({'group_names': [], 'allura_project_reports': [report('t/a')]},
                             projects=[{'name': 'a'}, {'name': 'b', 'neighborhood': 'p'}, {}], neighborhood='t')
    assert part_of_host['projects'] == ['t/a', 'p/b', 't/(no name)']
    assert merge([part_of_host])['errors'] == ['p/b: not checked (no report of it: its host failed, or a part of the '
                                               'run is missing)', 't/(no name): not checked (no report of it: its host '
                                               'failed, or a part of the run is missing)']


def test_template_origins_and_errors_and_check_errors_are_kept():
    merged = {'results': [
        {'ansible_facts': {'drift_project_origins': {'p/a': {'tool wiki': 'template'}}}},
        {'failed': True, 'msg': "templating: allura.forge.project_merge: p/b: fields.name: 'x' is undefined"}]}
    part_of_host = host_part({'drift_merged': merged, 'drift_errors': ['p/c: no permission']},
                             projects=[{'name': 'a'}, {'name': 'b'}, {'name': 'c'}])
    assert part_of_host['origins'] == {'p/a': {'tool wiki': 'template'}}
    assert part_of_host['errors'] == ["p/b: fields.name: 'x' is undefined", 'p/c: no permission']


def test_drift_part_refuses_what_is_not_a_host():
    with pytest.raises(AnsibleFilterError, match='variables of a host'):
        host_part(['p/a'])
