# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""OAuth 1.0a against a real Allura, through its TLS front, on both execution paths.

Allura verifies OAuth 1.0a signatures only over https, so the modules talk to the TLS front
(ALLURA_REAL_TLS_URL), trusting its CA with ca_path. Each path (the in-process action plugin, and
the module run by Ansible with ALLURA_FORGE_RUN_AS_MODULE=1) reads, writes a wiki page as
test-admin (whose application the keys belong to), runs again without a change, and fails clearly
with a wrong secret; the same keys over plain http are refused. No secret shows in the output.
"""

import json
import os
import subprocess
import sys
import urllib.parse
import urllib.request

import pytest

from test_differential import collections_path

CONSUMER_KEY, CONSUMER_SECRET = 'sandboxconsumerkey000001', 'sandboxconsumersecret001'
TOKEN, TOKEN_SECRET = 'sandboxaccesstoken000001', 'sandboxtokensecret000001'

PLAYBOOK = """
- hosts: localhost
  gather_facts: false
  module_defaults:
    group/allura.forge.allura:
      server_url: "{{ url }}"
      ca_path: "{{ ca }}"
      oauth_consumer_key: "{{ consumer_key }}"
      oauth_consumer_secret: "{{ consumer_secret }}"
      oauth_token: "{{ token }}"
      oauth_token_secret: "{{ token_secret }}"
  tasks:
    - name: Read a project
      allura.forge.allura_project_info:
        project: test
      register: oauth_read

    - name: Write a page
      allura.forge.allura_wiki_page:
        project: test
        title: "{{ title }}"
        text: "Signed with OAuth 1.0a\\n"
      register: oauth_write

    - name: The same page again
      allura.forge.allura_wiki_page:
        project: test
        title: "{{ title }}"
        text: "Signed with OAuth 1.0a\\n"
      register: oauth_again

    - name: A wrong token secret
      allura.forge.allura_project_info:
        project: test
        oauth_token_secret: not-the-secret-000001
      register: oauth_wrong
      ignore_errors: true

    - name: The keys over plain http
      allura.forge.allura_project_info:
        project: test
        server_url: "{{ plain_url }}"
      register: oauth_plain
      ignore_errors: true

    - name: Write the results
      ansible.builtin.copy:
        content: "{{ {'read': oauth_read, 'write': oauth_write, 'again': oauth_again, 'wrong': oauth_wrong,
                      'plain': oauth_plain} | to_json }}"
        dest: "{{ out }}"
        mode: "0600"
"""


@pytest.mark.parametrize('path', ['in-process', 'module'])
def test_oauth1_through_tls_on_both_execution_paths(real, tmp_path, path):
    title = 'OAuth page %s' % path
    playbook = tmp_path / 'oauth.yml'
    playbook.write_text(PLAYBOOK, encoding='utf-8')
    out = tmp_path / 'out.json'
    extra = {'url': real.tls_url, 'plain_url': real.url, 'ca': real.ca, 'consumer_key': CONSUMER_KEY,
             'consumer_secret': CONSUMER_SECRET, 'token': TOKEN, 'token_secret': TOKEN_SECRET, 'title': title,
             'out': str(out)}
    env = {k: v for k, v in os.environ.items() if not k.startswith('ALLURA_')}
    env.update(ANSIBLE_COLLECTIONS_PATH=collections_path(), ANSIBLE_PYTHON_INTERPRETER=sys.executable, ANSIBLE_NOCOLOR='1')
    if path == 'module':
        env['ALLURA_FORGE_RUN_AS_MODULE'] = '1'
    proc = subprocess.run([os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'), str(playbook), '-vvv',
                           '-e', json.dumps(extra)], env=env, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    results = json.loads(out.read_text(encoding='utf-8'))
    assert results['read']['project']['shortname'] == 'test' and not results['read']['changed']
    assert results['write']['changed'] and results['write']['action'] in ('create', 'update')
    assert not results['again']['changed'] and results['again']['action'] == 'none'
    assert results['wrong']['failed'] and results['wrong']['status'] == 401
    assert results['plain']['failed'] and results['plain']['status'] == 401
    # the page is on the server, written as the user the keys belong to
    request = urllib.request.Request(real.url + '/rest/p/test/wiki/' + urllib.parse.quote(title),
                                     headers={'Authorization': 'Bearer ' + real.ADMIN_TOKEN})
    with urllib.request.urlopen(request, timeout=30) as response:
        assert json.load(response)['text'] == 'Signed with OAuth 1.0a\n'
    for secret in (CONSUMER_SECRET, TOKEN_SECRET):
        assert secret not in proc.stdout and secret not in proc.stderr
