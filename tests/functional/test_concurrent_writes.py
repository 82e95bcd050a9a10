# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Concurrent writes seen from the server: a bulk wiki task of 60 new pages with parallel 8 has 8 page writes in flight
at the sandbox at once, never a 9th, and its result and the pages it leaves equal those of the same task with
parallel 1. The sandbox's `hold` fault keeps the writes waiting until released, so the test counts what is in flight
instead of timing anything."""

from __future__ import annotations

import json
import time

import pytest

from conftest import untimed
from test_locking import RUN_AS_MODULE, control

PAGES = [dict(title='Page %02d' % n, text='Text of page %d\n' % n, labels=['n%d' % (n % 3)]) for n in range(60)]


def playbook(out, parallel):
    return '''
- hosts: localhost
  gather_facts: false
  tasks:
    - name: Sixty pages
      allura.forge.allura_wiki_page:
        project: test
        pages: %s
        parallel: %d
      diff: true
      register: r_pages
    - name: Keep the result
      ansible.builtin.copy:
        dest: %s
        content: "{{ r_pages | to_json }}"
''' % (json.dumps(PAGES), parallel, out)


def pages(url):
    """The pages of p/test's wiki: (title, text, labels, version), sorted."""
    wiki = next(tool for tool in control(url, '/_sandbox/state')['projects']['p/test']['tools'] if tool['mount_point'] == 'wiki')
    return sorted((page['title'], page.get('text'), tuple(page.get('labels') or ()), page['version'])
                  for page in wiki['data'].get('pages') or () if not page.get('deleted'))


def held(url, rule):
    return next(r for r in control(url, '/_sandbox/faults')['holds'] if r['id'] == rule)['waiting']


@pytest.mark.parametrize('env', [None, RUN_AS_MODULE], ids=['action', 'module'])
def test_sixty_pages_are_written_eight_at_a_time_with_the_result_of_a_sequential_run(ansible_playbook, sandbox, tmp_path, env):
    out = tmp_path / 'one.json'
    ansible_playbook(playbook(out, 1), check=True)
    sequential, after_sequential = json.loads(out.read_text(encoding='utf-8')), pages(sandbox)

    control(sandbox, '/_sandbox/reset', {})
    hold = dict(kind='hold', delay_ms=60000, count=9, match=dict(method='POST', path_regex='^/rest/p/test/wiki/Page'))
    rule = control(sandbox, '/_sandbox/faults', hold)['rules'][0]['id']
    out = tmp_path / 'eight.json'
    proc = ansible_playbook(playbook(out, 8), background=True, env=env)
    try:
        deadline = time.monotonic() + 120
        while held(sandbox, rule) < 8 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert held(sandbox, rule) == 8  # eight page writes in flight at the server at once
        time.sleep(1)
        assert held(sandbox, rule) == 8  # and no ninth starts while they are
    finally:
        control(sandbox, '/_sandbox/faults/release', dict(id=rule))
        stdout, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 0, stdout + stderr
    concurrent = json.loads(out.read_text(encoding='utf-8'))
    assert concurrent['summary'] == dict(created=60, updated=0, unchanged=0)
    assert untimed(concurrent) == untimed(sequential)  # results, summary and diffs, in the order given
    assert [page['title'] for page in concurrent['pages']] == [page['title'] for page in PAGES]
    assert pages(sandbox) == after_sequential and len(after_sequential) > 60  # each written once (version 1), Home kept
