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
