# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The filter plugins are thin wrappers of plugin_utils/_report.py (tested there)."""

from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.allura.forge.plugins.filter import drift_report, project_access_errors, project_plan, project_report

REPORT = dict(project='p/demo', check_mode=True, summary=dict(create=0, update=1, delete=0, none=0, mismatch=0),
              resources=[dict(kind='link', resource='link link', action='update', drift=True, pending=False, mismatch=False,
                              changes=[dict(field='url', live='http://a.example.org', desired='http://b.example.org', text=False)])])


def test_filter_names():
    assert list(drift_report.FilterModule().filters()) == ['drift_report']
    assert list(project_plan.FilterModule().filters()) == ['project_plan']
    assert list(project_report.FilterModule().filters()) == ['project_report']
    assert list(project_access_errors.FilterModule().filters()) == ['project_access_errors']


def test_project_access_errors_is_wired():
    f = project_access_errors.FilterModule().filters()['project_access_errors']
    spec = dict(name='x', access=[dict(user='u', permission='edit', mount_point='docs')])
    assert f(spec) == []  # the kind of docs is not known yet
    assert f(spec, dict(tools=[dict(name='blog', mount_point='docs')]))[0].startswith(
        "allura_project.access[0].permission 'edit' is not a permission of the blog tool at mount_point 'docs'")


def test_drift_report_formats():
    f = drift_report.FilterModule().filters()['drift_report']
    assert f([REPORT]) == [dict(project='p/demo', kind='link', resource='link link', action='update', field='url',
                                live='http://a.example.org', desired='http://b.example.org', text=False)]
    assert f(REPORT, 'lines') == ['p/demo  link link  url: "http://a.example.org" -> "http://b.example.org"']
    assert f(REPORT, 'summary')[0] == 'p/demo: 1 would be updated, 0 unchanged'
    md = f([REPORT], 'markdown', title='Nightly', generated='now')
    assert md.startswith('# Nightly\n\nGenerated now.\n')
    assert '| p/demo | link link | url | `"http://a.example.org"` | `"http://b.example.org"` |' in md
    with pytest.raises(AnsibleFilterError, match="format must be rows, lines, summary, markdown or unmanaged, not 'csv'"):
        f([REPORT], 'csv')


def test_project_plan_and_report_are_wired():
    plan = project_plan.FilterModule().filters()['project_plan'](dict(name='x', wiki=[dict(title='A', text='a')]))
    assert plan['wiki'] == [dict(mount_point='wiki', pages=[dict(title='A', text='a')], predicted_change=True)]
    out = project_report.FilterModule().filters()['project_report'](dict(name='x'), check_mode=True)
    assert out['project'] == 'p/x' and out['resources'] == [] and out['drift'] is False
