# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unmanaged resources (what a project holds that its spec does not declare) in the drift check, and their purge by
the provision playbook, against the sandbox: each kind reported and nowhere else, purge of exactly the kinds asked, check
mode (flag and keyword) predicting it, a rerun changing nothing, a failing listing purging nothing, the max guard."""

from __future__ import annotations

import json

import pytest

from ansible_collections.allura.forge.tests.functional.test_reliability import control
from ansible_collections.allura.forge.tests.functional.test_project_role import (
    TEST_SPEC, actions, drift, out_of_band, recap, request, spec_file)

HOOKS = '/rest/p/test/admin/code/webhooks'
STRAY = 'http://127.0.0.1:9/stray'
BLOG = '/rest/p/test/blog/'
STRAY_POST = 'Written by hand'
# p/test with a post of its own on the blog, which makes the blog's posts managed
SPEC = dict(TEST_SPEC, blog=[{'title': 'Release notes', 'text': 'Version 1 is out.\n', 'state': 'published'}])

pytestmark = pytest.mark.scenario  # long: the current ansible-core leg only (see conftest)


def hook_urls(url):
    return sorted(hook['hook_url'] for hook in request(url + HOOKS)['webhooks'])


def post_titles(url):
    return sorted(post['title'] for post in request(url + BLOG)['posts'])


# Per purgeable kind: the unmanaged item's report entry, what the diff shows of its deletion, what the project holds
# before and after the purge, and the listing the role reads it from (a fault there must purge nothing).
KINDS = dict(
    webhooks=dict(entry='webhook code repo-push %s' % STRAY, diff='"hook_url": "%s"' % STRAY, held=hook_urls,
                  before=sorted(['http://127.0.0.1:9/hook', STRAY]), after=['http://127.0.0.1:9/hook'], listing='/admin/code/webhooks$'),
    posts=dict(entry='blog blog/%s' % STRAY_POST, diff='"title": "%s"' % STRAY_POST, held=post_titles,
               before=['Release notes', STRAY_POST], after=['Release notes'], listing='^%s$' % BLOG),
)


def make_strays(url):
    """Behind Ansible's back: a webhook on the code repository, a wiki page in docs, a post on the blog, a ticket in bugs."""
    out_of_band(url, HOOKS + '/repo-push', {'url': STRAY})
    out_of_band(url, '/rest/p/test/docs/Stray', {'text': 'not in the spec'})
    out_of_band(url, BLOG, {'title': STRAY_POST, 'text': 'not in the spec', 'state': 'published'})
    out_of_band(url, '/rest/p/test/bugs/new', {'ticket_form.summary': 'Filed by hand'})


def sandbox_writes(url):
    return [(r['method'], r['path']) for r in request(url + '/_sandbox/log')['requests'] if r['write']]


@pytest.fixture
def spec(ansible_playbook, sandbox, tmp_path):
    """The spec file of p/test, provisioned; then a webhook, a wiki page, a blog post and a ticket added by hand, and the log
    cleared."""
    path = spec_file(tmp_path, SPEC)
    ansible_playbook('allura.forge.provision', '-e', path, check=True)
    make_strays(sandbox)
    request(sandbox + '/_sandbox/log/clear', 'POST')
    return path


def provision(ansible_playbook, spec, tmp_path, *args, check=False, env=None):
    out = tmp_path / ('check.json' if check else 'real.json')
    proc = ansible_playbook('allura.forge.provision', '-e', spec, '-e', 'provision_report_file=%s' % out,
                            *(['--check', '--diff'] if check else ['--diff']), *args, env=env)
    return proc, (json.load(open(out, encoding='utf-8'))['reports'][0] if out.exists() else None)


def test_drift_lists_each_unmanaged_kind_in_its_own_section(ansible_playbook, sandbox, tmp_path, spec):

    proc, report = drift(ansible_playbook, spec, tmp_path / 'all', '-e', 'fail_on_drift=true')
    assert proc.returncode != 0 and '0 difference(s) from the spec and 3 unmanaged resource(s) in p/test' in proc.stdout
    assert report['rows'] == [] and report['drift'] is True and report['errors'] == []
    assert [(r['project'], r['kind'], r['resource']) for r in report['unmanaged']] == [
        ('p/test', 'webhook', 'webhook code repo-push %s' % STRAY), ('p/test', 'wiki_page', 'wiki docs/Stray'),
        ('p/test', 'blog_post', 'blog blog/%s' % STRAY_POST)]
    assert report['unmanaged'][2]['url'].endswith('/written-by-hand/')
    assert report['reports'][0]['resources'] and all(r['action'] == 'none' for r in report['reports'][0]['resources'])
    assert 'p/test  webhook code repo-push %s  unmanaged: not in the spec' % STRAY in proc.stdout
    markdown = (tmp_path / 'all' / 'allura-drift.md').read_text(encoding='utf-8')
    assert '## Unmanaged resources' in markdown and '| p/test | wiki_page | wiki docs/Stray | unmanaged: not in the spec |' in markdown

    # tickets only when asked: every ticket of bugs the spec does not declare (the seeded ones and the new one)
    proc, report = drift(ansible_playbook, spec, tmp_path / 'tickets', '-e', '{"allura_unmanaged_tickets": true}')
    tickets = [r for r in report['unmanaged'] if r['kind'] == 'ticket']
    assert 'Filed by hand' in [r['summary'] for r in tickets] and 'Crash on start' not in [r['summary'] for r in tickets]
    assert {r['mount_point'] for r in tickets} == {'bugs'}  # issues holds only what the spec declares

    # each kind can be switched off
    proc, report = drift(ansible_playbook, spec, tmp_path / 'pages', '-e', '{"allura_report_unmanaged": [pages]}')
    assert [r['kind'] for r in report['unmanaged']] == ['wiki_page']
    proc, report = drift(ansible_playbook, spec, tmp_path / 'posts', '-e', '{"allura_report_unmanaged": [posts]}')
    assert [(r['kind'], r['title']) for r in report['unmanaged']] == [('blog_post', STRAY_POST)]
    proc, report = drift(ansible_playbook, spec, tmp_path / 'none', '-e', '{"allura_report_unmanaged": []}', '-e', 'fail_on_drift=true')
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert report['unmanaged'] == [] and report['drift'] is False


@pytest.mark.parametrize('kind', KINDS)
@pytest.mark.parametrize('as_module', [None, '1'], ids=['action', 'module'])
def test_purge_deletes_exactly_the_unmanaged_items_of_the_kind_predicted_by_check_mode(ansible_playbook, sandbox, tmp_path, spec,
                                                                                       as_module, kind):
    env, this = {'ALLURA_FORGE_RUN_AS_MODULE': as_module}, KINDS[kind]
    purge = ('-e', '{"allura_purge": [%s]}' % kind)
    others = [KINDS[other]['entry'] for other in KINDS if other != kind]

    check, predicted = provision(ansible_playbook, spec, tmp_path, *purge, check=True, env=env)
    assert check.returncode == 0, check.stdout + check.stderr
    assert (this['entry'], 'delete') in actions(predicted)
    # the other kinds are reported, not purged
    assert sorted(r['resource'] for r in predicted['unmanaged']) == sorted(others + ['wiki docs/Stray'])
    assert this['diff'] in check.stdout  # the diff shows the deletion
    assert this['held'](sandbox) == this['before']

    real, done = provision(ansible_playbook, spec, tmp_path, *purge, env=env)
    assert real.returncode == 0, real.stdout + real.stderr
    assert actions(done) == actions(predicted) and recap(real)['changed'] == recap(check)['changed']
    assert this['held'](sandbox) == this['after']
    assert all(KINDS[other]['held'](sandbox) == KINDS[other]['before'] for other in KINDS if other != kind)

    again = ansible_playbook('allura.forge.provision', '-e', spec, *purge, env=env)
    assert recap(again)['changed'] == 0, again.stdout


@pytest.mark.parametrize('kind', KINDS)
def test_purge_by_the_check_mode_keyword_predicts_the_same(ansible_playbook, sandbox, tmp_path, spec, kind):
    playbook = """
- hosts: localhost
  gather_facts: false
  check_mode: true
  tasks:
    - ansible.builtin.include_role:
        name: allura.forge.project
      vars:
        allura_project: "{{ allura_projects[0] }}"
        allura_purge: [%s]
    - ansible.builtin.copy:
        content: "{{ allura_project_report | to_nice_json }}"
        dest: "%s"
        mode: "0644"
      check_mode: false
      changed_when: false
""" % (kind, tmp_path / 'keyword.json')
    proc = ansible_playbook(playbook, '-e', spec)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = json.load(open(tmp_path / 'keyword.json', encoding='utf-8'))
    assert report['check_mode'] is True and (KINDS[kind]['entry'], 'delete') in actions(report)
    assert KINDS[kind]['held'](sandbox) == KINDS[kind]['before'] and sandbox_writes(sandbox) == []


@pytest.mark.parametrize('kind', KINDS)
def test_a_list_that_fails_purges_nothing(ansible_playbook, sandbox, tmp_path, spec, kind):
    control(sandbox, '/_sandbox/faults', {'kind': '502', 'match': {'method': 'GET', 'path_regex': KINDS[kind]['listing']}})
    proc, _report = provision(ansible_playbook, spec, tmp_path, '-e', '{"allura_purge": [%s], "allura_retries": 0}' % kind)
    assert proc.returncode != 0
    assert [w for w in sandbox_writes(sandbox) if w[0] == 'DELETE' or w[1].startswith(BLOG)] == []
    control(sandbox, '/_sandbox/faults', method='DELETE')
    assert KINDS[kind]['held'](sandbox) == KINDS[kind]['before']


def test_purge_max_fails_naming_them_before_any_write(ansible_playbook, sandbox, tmp_path, spec):
    proc, _report = provision(ansible_playbook, spec, tmp_path, '-e', '{"allura_purge": [webhooks, posts], "allura_purge_max": 1}')
    assert proc.returncode != 0
    assert ('purge would delete 2 unmanaged items of the project, more than allura_purge_max 1: webhook code repo-push %s, blog blog/%s'
            % (STRAY, STRAY_POST)) in proc.stdout
    assert sandbox_writes(sandbox) == []


def test_kinds_rest_cannot_delete_are_refused_before_any_request(ansible_playbook, sandbox, tmp_path):
    spec = spec_file(tmp_path, TEST_SPEC)
    request(sandbox + '/_sandbox/log/clear', 'POST')
    proc, _report = provision(ansible_playbook, spec, tmp_path, '-e', '{"allura_purge": [webhooks, pages]}')
    assert proc.returncode != 0
    assert "the REST API cannot delete pages, so they cannot be purged (purgeable: webhooks, posts); for pages, delete them in the wiki's " \
           "web interface" in proc.stdout
    assert request(sandbox + '/_sandbox/log')['requests'] == []
