# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The read-only modules and the allura_api lookup, the way users run them.

- Both execution paths give the same results: in process (action plugin) and as modules
  (ALLURA_FORGE_RUN_AS_MODULE), in check mode by keyword, at -vvv with `invocation` shown (as ansible-core 2.19
  shows it; 2.21 with INJECT_INVOCATION), and no secret shows.
- The connection is taken from the play's `environment:` while the controller's own environment
  points elsewhere, on both paths.
- The lookup reads the controller's ALLURA_* environment, and a task's `environment:` does not reach it
  (as its documentation says).
"""

from __future__ import annotations

import json
import re

import pytest

ADMIN_TOKEN = 'a0000000000000000001'
HOOK_SECRET = 'info-hook-Secret-8Jw2'
RUN_AS_MODULE = {'ALLURA_FORGE_RUN_AS_MODULE': '1'}
# the controller's environment points at a port nothing listens on: only `environment:` can make the tasks work
ELSEWHERE = {'ALLURA_URL': 'http://127.0.0.1:9', 'ALLURA_TOKEN': 'ffffffffffffffffffff'}

PLAYBOOK = r'''
- hosts: localhost
  gather_facts: false
  connection: local
  vars:
    ansible_python_interpreter: "{{ ansible_playbook_python }}"
    auth: {Authorization: "Bearer {{ token }}"}
  environment: "{{ {'ALLURA_URL': url, 'ALLURA_TOKEN': token} if play_environment | bool else {} }}"
  tasks:
    - allura.forge.allura_webhook: {project: test, mount_point: code, url: "https://ci.example.org/info", secret: "{{ hook_secret }}"}

    - name: A ticket with a comment, a blog post, a forum topic (the test's own requests, whose invocation shows the token)
      when: seed | bool
      no_log: true
      block:
        - ansible.builtin.uri:
            url: "{{ url }}/rest/p/test/bugs/new"
            method: POST
            headers: "{{ auth }}"
            body_format: form-urlencoded
            body: {ticket_form.summary: Info ticket, ticket_form.status: open, ticket_form.labels: info}
            status_code: 302
        - ansible.builtin.uri:
            url: "{{ url }}/rest/p/test/bugs/1/"
            headers: "{{ auth }}"
          register: seeded_ticket
        - ansible.builtin.uri:
            url: "{{ url }}/rest/p/test/bugs/_discuss/thread/{{ seeded_ticket.json.ticket.discussion_thread._id }}/new"
            method: POST
            headers: "{{ auth }}"
            body_format: form-urlencoded
            body: {text: A comment}
            status_code: 302
        - ansible.builtin.uri:
            url: "{{ url }}/rest/p/test/blog/"
            method: POST
            headers: "{{ auth }}"
            body_format: form-urlencoded
            body: {title: Info post, text: Hello, state: published}
            status_code: 201
        - ansible.builtin.uri:
            url: "{{ url }}/_sandbox/topics"
            method: POST
            body_format: json
            body: {subject: Info topic, posts: [Question, Answer]}
          register: seeded_topic

    - name: Read everything, in check mode by keyword
      check_mode: true
      block:
        - allura.forge.allura_ticket_info: {project: test, mount_point: bugs, ticket_num: 1, comments: true}
          register: r_ticket
        - allura.forge.allura_ticket_info: {project: test, mount_point: bugs, labels: [info], status: [open]}
          register: r_tickets
        - allura.forge.allura_wiki_page_info: {project: test, title: Home}
          register: r_page
        - allura.forge.allura_webhook_info: {project: test}
          register: r_hooks
        - allura.forge.allura_blog_post_info: {project: test, title: Info post, comments: true}
          register: r_post
        - allura.forge.allura_discussion_info: {project: test, forum: general}
          register: r_topics
        - allura.forge.allura_discussion_info: {project: test, forum: general, topic: "{{ r_topics.topics[0]._id }}"}
          register: r_posts
        - allura.forge.allura_ticket_info: {project: test, mount_point: bugs, ticket_num: 99}
          register: r_missing
          ignore_errors: true
        - allura.forge.allura_discussion_info: {project: test, limit: 0}
          register: r_bad
          ignore_errors: true

    - name: Save them
      ansible.builtin.copy:
        dest: "{{ out }}"
        content: "{{ {'ticket': r_ticket, 'tickets': r_tickets, 'page': r_page, 'hooks': r_hooks, 'post': r_post,
                      'topics': r_topics, 'posts': r_posts, 'missing': r_missing, 'bad': r_bad} | to_json }}"
        mode: "0600"
'''


def run(ansible_playbook, sandbox, tmp_path, env, seed, play_environment=False):
    """The playbook's results and output; the connection from the controller's environment, or from the play's
    `environment:` while the controller's points elsewhere."""
    out = tmp_path / ('results-%d.json' % len(list(tmp_path.glob('results-*.json'))))
    extra = json.dumps(dict(url=sandbox, token=ADMIN_TOKEN, hook_secret=HOOK_SECRET, seed=seed, out=str(out),
                            play_environment=play_environment))
    proc = ansible_playbook(PLAYBOOK, '-e', extra, '-vvv',
                            env=dict(env, ANSIBLE_INJECT_INVOCATION='1', **(ELSEWHERE if play_environment else {})))
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-4000:]
    return json.loads(out.read_text(encoding='utf-8')), proc.stdout + proc.stderr


def test_both_paths_read_alike(ansible_playbook, sandbox, tmp_path):
    in_process, text = run(ansible_playbook, sandbox, tmp_path, {}, seed=True)
    as_module, module_text = run(ansible_playbook, sandbox, tmp_path, RUN_AS_MODULE, seed=False)

    # Not vacuous: each read found what was seeded, on the path asked for.
    assert 'AnsiballZ_allura_ticket_info' in module_text and 'AnsiballZ_allura_' not in text
    assert [c['text'] for c in in_process['ticket']['ticket']['comments']] == ['A comment']
    assert [t['ticket_num'] for t in in_process['tickets']['tickets']] == [1]
    assert in_process['page']['page']['title'] == 'Home'
    assert [h['hook_url'] for h in in_process['hooks']['webhooks']] == ['https://ci.example.org/info']
    assert in_process['post']['post']['title'] == 'Info post' and in_process['post']['post']['comments'] == []
    assert [t['subject'] for t in in_process['topics']['topics']] == ['Info topic']
    assert [p['text'] for p in in_process['posts']['posts']] == ['Question', 'Answer']
    assert in_process['missing']['missing'] == 'item' and 'limit 0 is out of range' in in_process['bad']['msg']
    assert not any(result.get('changed') for result in in_process.values())

    for name in sorted(in_process):
        assert in_process[name] == as_module[name], name
    # Every allura.forge task shows its result with the options it ran with (-vvv, INJECT_INVOCATION), secrets
    # masked; the test's own requests (ansible.builtin.uri with the token in a header) are no_log.
    for output in (text, module_text):
        forge = [section for section in re.split(r'^TASK \[', output, flags=re.M) if section.startswith('allura.forge.')]
        assert len(forge) == 10 and all('"module_args": {' in section for section in forge), output[-4000:]
        assert '"secret": "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"' in forge[0]
    for label, shown in (('output in process', text), ('output as modules', module_text),
                         ('results in process', json.dumps(in_process)), ('results as modules', json.dumps(as_module))):
        for what, secret in (('the webhook secret', HOOK_SECRET), ('the token', ADMIN_TOKEN)):
            assert secret not in shown, '%s show %s after: %s' % (label, what, shown[max(0, shown.find(secret) - 800):shown.find(secret)])


@pytest.mark.parametrize('env', [{}, RUN_AS_MODULE], ids=['in-process', 'as-module'])
def test_the_connection_comes_from_the_plays_environment(ansible_playbook, sandbox, tmp_path, env):
    results, _text = run(ansible_playbook, sandbox, tmp_path, env, seed=True, play_environment=True)
    assert [t['ticket_num'] for t in results['tickets']['tickets']] == [1]
    assert [p['text'] for p in results['posts']['posts']] == ['Question', 'Answer']


LOOKUP_PLAYBOOK = r'''
- hosts: localhost
  gather_facts: false
  vars:
    ansible_python_interpreter: "{{ ansible_playbook_python }}"
  tasks:
    - name: The lookup, while the task's environment points at a server that does not answer
      ansible.builtin.set_fact:
        pages: "{{ lookup('allura.forge.allura_api', 'p/test/wiki/') }}"
        tickets: "{{ lookup('allura.forge.allura_api', 'p/test/bugs/', paginate=true) }}"
      environment:
        ALLURA_URL: http://127.0.0.1:9
        ALLURA_TOKEN: ffffffffffffffffffff
    - name: Save
      ansible.builtin.copy:
        dest: "{{ out }}"
        content: "{{ {'pages': pages, 'tickets': tickets} | to_json }}"
        mode: "0600"
'''


@pytest.mark.parametrize('token,works', [(ADMIN_TOKEN, True), ('ffffffffffffffffffff', False)], ids=['controller-token', 'bad-token'])
def test_the_lookup_reads_the_controllers_environment_not_the_tasks(ansible_playbook, sandbox, tmp_path, token, works):
    out = tmp_path / 'lookup.json'
    proc = ansible_playbook(LOOKUP_PLAYBOOK, '-e', 'out=%s' % out, token=token)
    text = proc.stdout + proc.stderr
    if works:
        assert proc.returncode == 0, text[-3000:]
        assert json.loads(out.read_text(encoding='utf-8')) == {'pages': {'pages': ['Home']}, 'tickets': []}
    else:  # the controller's token is refused: the lookup never used the task's environment
        assert proc.returncode != 0 and 'allura_api: authentication failed for GET /rest/p/test/wiki/' in text
        assert '127.0.0.1:9' not in text.split('allura_api:', 1)[1].split('\n', 1)[0]
    assert ADMIN_TOKEN not in text
