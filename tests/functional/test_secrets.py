# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Secrets never shown: tokens, OAuth 1.0a secrets and webhook secrets, on both execution paths.

Every module runs at -vvv with --diff (and some in check mode), successful and failing, with a
bearer token, with OAuth 1.0a and with webhook secrets; no secret value may appear in the output,
in registered results, diffs or error messages, nor in a URL the sandbox received. Redirects are
never followed, so a token never reaches another host.
"""

from __future__ import annotations

import importlib
import json
import os
import re
import sys
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import quote, quote_plus

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
COLLECTION_ROOT = os.path.dirname(os.path.dirname(HERE))

ADMIN_TOKEN = os.environ.get('ALLURA_ADMIN_TOKEN') or 'a0000000000000000001'
USER_TOKEN = os.environ.get('ALLURA_USER_TOKEN') or 'a0000000000000000002'
ROOT_TOKEN = os.environ.get('ALLURA_ROOT_TOKEN') or 'a0000000000000000000'
BAD_TOKEN = 'ffffffffffffffffffff'  # unknown to the sandbox: 401
# the sandbox's OAuth 1.0a credentials of test-admin (the consumer key is an identifier, not a secret)
OAUTH = dict(oauth_consumer_key='sandboxconsumerkey000001', oauth_consumer_secret='sandboxconsumersecret001',
             oauth_token='sandboxaccesstoken000001', oauth_token_secret='sandboxtokensecret000001')
WRONG_TOKEN_SECRET = 'wrongtokensecret7Hq3xZ'
HOOK_SECRET = 'hook-secret-Zq8vK2pL9xR4'
HOOK_SECRET_2 = 'rotated p@ss/w0rd&x=1+%2F "q"'  # characters that quoting or escaping could change
HOOK_SECRET_3 = 'refused-secret-Wm5tY7'

SECRETS = [ADMIN_TOKEN, USER_TOKEN, ROOT_TOKEN, BAD_TOKEN, OAUTH['oauth_consumer_secret'], OAUTH['oauth_token'],
           OAUTH['oauth_token_secret'], WRONG_TOKEN_SECRET, HOOK_SECRET, HOOK_SECRET_2, HOOK_SECRET_3]
RUN_AS_MODULE = {'ALLURA_FORGE_RUN_AS_MODULE': '1'}
PATHS = [pytest.param({}, id='in-process'), pytest.param(RUN_AS_MODULE, id='as-module')]
MODULES = ['allura_access_info', 'allura_blog_post_info', 'allura_discussion_info', 'allura_export', 'allura_link', 'allura_project',
           'allura_project_info', 'allura_ticket', 'allura_ticket_info', 'allura_tool', 'allura_user_info', 'allura_webhook',
           'allura_webhook_info', 'allura_wiki_page', 'allura_wiki_page_info']


def forms(value):
    """The value and the forms an encoder could turn it into (JSON, repr, URL quoting)."""
    return {value, json.dumps(value)[1:-1], repr(value)[1:-1], quote(value, safe=''), quote_plus(value)}


def assert_hidden(text, where):
    for secret in SECRETS:
        for form in forms(secret):
            assert form not in text, '%s shows a secret (%r) in %s' % (where, form, text[max(0, text.find(form) - 300):][:700])


def ansible_version():
    from ansible.release import __version__
    return tuple(int(part) for part in __version__.split('.')[:2])


def recap(proc):
    found = re.findall(r'^localhost\s*:\s*(.*)$', proc.stdout, re.M)
    assert found, proc.stdout + proc.stderr
    return dict((k, int(v)) for k, v in re.findall(r'(\w+)=(\d+)', found[-1]))


# -- every module, successful and failing ---------------------------------------------------------

# Tokens and secrets come from a vars file (never the command line); the sandbox's ALLURA_TOKEN
# (the admin token, from the environment) authenticates the tasks that name no credentials.
ALL_MODULES_PLAYBOOK = r"""
- hosts: localhost
  gather_facts: false
  vars:
    ansible_python_interpreter: "{{ ansible_playbook_python }}"
    oauth: &oauth
      token: ""  # ALLURA_TOKEN is set in the environment: OAuth and a token are mutually exclusive
      oauth_consumer_key: "{{ s.oauth_consumer_key }}"
      oauth_consumer_secret: "{{ s.oauth_consumer_secret }}"
      oauth_token: "{{ s.oauth_token }}"
      oauth_token_secret: "{{ s.oauth_token_secret }}"
  module_defaults:
    group/allura.forge.allura:
      server_url: "{{ url }}"
  tasks:
    - name: Sandbox settings (stock webhook URL checks refuse loopback receivers; quick exports)
      ansible.builtin.uri: {url: "{{ url }}/_sandbox/config", method: POST, body_format: json,
                            body: {export_seconds: 0.2}}

    # -- successes ------------------------------------------------------------------------------
    - name: project (create, root token)
      allura.forge.allura_project: {project: sec-proj, name: Sec Proj, summary: s, admin: test-admin, token: "{{ s.root }}"}
      register: r_project
    - name: project (drift in check mode, admin token)
      allura.forge.allura_project: {project: sec-proj, summary: other, token: "{{ s.admin }}"}
      check_mode: true
      register: r_project_check
    - name: project_info (OAuth 1.0a read)
      allura.forge.allura_project_info: {project: test, <<: *oauth}
      register: r_project_info
    - name: user_info (token)
      allura.forge.allura_user_info: {username: test-admin, token: "{{ s.admin }}"}
      register: r_user_info
    - name: tool (environment token)
      allura.forge.allura_tool: {project: test, tool: wiki, mount_point: sec-docs, mount_label: Sec Docs}
      register: r_tool
    - name: link (OAuth 1.0a write)
      allura.forge.allura_link: {project: test, url: "https://sec.example.org/", <<: *oauth}
      register: r_link
    - name: wiki_page (OAuth 1.0a write)
      allura.forge.allura_wiki_page: {project: test, title: Secret page, text: "kept\n", labels: [a], <<: *oauth}
      register: r_wiki
    - name: ticket (token)
      allura.forge.allura_ticket: {project: test, mount_point: bugs, summary: Sec ticket, labels: [x], token: "{{ s.admin }}"}
      register: r_ticket
    - name: webhook (create with a secret)
      allura.forge.allura_webhook: {project: test, url: "http://127.0.0.1:9/sec", secret: "{{ s.hook }}", token: "{{ s.admin }}"}
      register: r_webhook
    - name: webhook (secret given again, not sent, no warning)
      allura.forge.allura_webhook: {project: test, url: "http://127.0.0.1:9/sec", secret: "{{ s.hook }}"}
      register: r_webhook_again
    - name: webhook (rotate the secret, check mode)
      allura.forge.allura_webhook: {project: test, url: "http://127.0.0.1:9/sec", secret: "{{ s.hook2 }}", update_secret: always}
      check_mode: true
      register: r_webhook_rotate_check
    - name: webhook (rotate the secret)
      allura.forge.allura_webhook: {project: test, url: "http://127.0.0.1:9/sec", secret: "{{ s.hook2 }}", update_secret: always,
                                    <<: *oauth}
      register: r_webhook_rotate
    - name: export
      allura.forge.allura_export: {project: test, tools: [wiki], poll_interval: 0.2, token: "{{ s.admin }}"}
      register: r_export
    - name: access_info
      allura.forge.allura_access_info: {project: test, users: [test-user, test-admin], permissions: [read, admin], token: "{{ s.admin }}"}
      register: r_access

    # -- failures -------------------------------------------------------------------------------
    - name: Stock webhook URL checks from here on
      ansible.builtin.uri: {url: "{{ url }}/_sandbox/config", method: POST, body_format: json,
                            body: {stock_webhook_validation: true}}
    - name: webhook refused by the server (loopback receiver), with a secret
      allura.forge.allura_webhook: {project: test, url: "http://127.0.0.1:9/refused", secret: "{{ s.hook3 }}"}
      register: r_fail_webhook_server
      ignore_errors: true
    - name: webhook without permission (user token), with a secret
      allura.forge.allura_webhook: {project: test, url: "https://ci.example.org/x", secret: "{{ s.hook3 }}", token: "{{ s.user }}"}
      register: r_fail_webhook_403
      ignore_errors: true
    - name: webhook with a bad option value, with a secret
      allura.forge.allura_webhook: {project: test, url: "https://ci.example.org/x", secret: "{{ s.hook3 }}", update_secret: sometimes}
      register: r_fail_webhook_param
      ignore_errors: true
    - name: webhook with bad input, with a secret
      allura.forge.allura_webhook: {project: test, url: "ftp://ci.example.org/x", secret: "{{ s.hook3 }}"}
      register: r_fail_webhook_input
      ignore_errors: true
    - name: read with a bad token
      allura.forge.allura_project_info: {project: test, token: "{{ s.bad }}"}
      register: r_fail_bad_token_read
      ignore_errors: true
    - name: write with a bad token
      allura.forge.allura_wiki_page: {project: test, title: Nope, text: "x\n", token: "{{ s.bad }}"}
      register: r_fail_bad_token_write
      ignore_errors: true
    - name: OAuth 1.0a with a wrong token secret
      allura.forge.allura_ticket:
        project: test
        mount_point: bugs
        summary: Nope
        token: ""
        oauth_consumer_key: "{{ s.oauth_consumer_key }}"
        oauth_consumer_secret: "{{ s.oauth_consumer_secret }}"
        oauth_token: "{{ s.oauth_token }}"
        oauth_token_secret: "{{ s.wrong }}"
      register: r_fail_oauth
      ignore_errors: true
    - name: token and OAuth together
      allura.forge.allura_tool: {project: test, tool: wiki, mount_point: nope, token: "{{ s.admin }}", oauth_token: "{{ s.oauth_token }}"}
      register: r_fail_both
      ignore_errors: true
    - name: a token over plain http to a remote host
      allura.forge.allura_link: {project: test, url: "https://x.example.org/", server_url: "http://forge.example.org", token: "{{ s.admin }}"}
      register: r_fail_http
      ignore_errors: true
    - name: export without permission
      allura.forge.allura_export: {project: test, tools: [wiki], token: "{{ s.user }}"}
      register: r_fail_export
      ignore_errors: true
    - name: access_info with a bad token
      allura.forge.allura_access_info: {project: test, users: [test-user], permissions: [read], token: "{{ s.bad }}"}
      register: r_fail_access
      ignore_errors: true
    - name: project create without permission
      allura.forge.allura_project: {project: sec-two, name: Two, admin: test-admin, token: "{{ s.user }}"}
      register: r_fail_project
      ignore_errors: true
    - name: user_info with a bad token
      allura.forge.allura_user_info: {username: test-admin, token: "{{ s.bad }}"}
      register: r_fail_user
      ignore_errors: true

    # -- everything registered, shown and kept ----------------------------------------------------
    - name: Show every result
      ansible.builtin.debug:
        var: "{{ item }}"
      loop: "{{ query('ansible.builtin.varnames', '^r_') }}"
    - name: Keep every result
      ansible.builtin.copy:
        content: "{{ dict(names | zip(query('ansible.builtin.vars', *names))) | to_json }}"
        dest: "{{ out }}"
        mode: "0644"
      vars:
        names: "{{ query('ansible.builtin.varnames', '^r_') }}"
"""


def _vars_file(tmp_path, url):
    path = tmp_path / 'secrets.json'
    path.write_text(json.dumps({'url': url, 'out': str(tmp_path / 'results.json'), 's': dict(
        OAUTH, root=ROOT_TOKEN, admin=ADMIN_TOKEN, user=USER_TOKEN, bad=BAD_TOKEN, wrong=WRONG_TOKEN_SECRET,
        hook=HOOK_SECRET, hook2=HOOK_SECRET_2, hook3=HOOK_SECRET_3)}), encoding='utf-8')
    return '@%s' % path


def _sandbox_json(url, path):
    with urllib.request.urlopen(url + path, timeout=10) as response:
        return json.loads(response.read().decode())


@pytest.mark.parametrize('env', PATHS)
def test_no_module_shows_a_secret_at_vvv_with_diff_succeeding_or_failing(ansible_playbook, sandbox, tmp_path, env):
    # with the invocation in every result (ansible-core 2.21 leaves it out unless asked), to check it too
    proc = ansible_playbook(ALL_MODULES_PLAYBOOK, '-e', _vars_file(tmp_path, sandbox), '-vvv', '--diff',
                            env=dict(env, ANSIBLE_INJECT_INVOCATION='1'))
    text = proc.stdout + proc.stderr
    assert proc.returncode == 0, text[-5000:]
    results = json.loads((tmp_path / 'results.json').read_text(encoding='utf-8'))
    assert_hidden(text, 'ansible-playbook output')
    assert_hidden(json.dumps(results), 'the registered results')
    (tmp_path / 'output.txt').write_text(text, encoding='utf-8')

    # Not vacuous: each module ran, on the path asked for, and did what was asked.
    assert ('AnsiballZ_allura_' in text) == bool(env)
    assert '"r_webhook_rotate": {' in text and '"r_fail_oauth": {' in text  # debug showed the registered results
    assert text.count('"secret": "<hidden>"') >= 4  # the --diff of the two secret rotations, redacted
    for name in ('r_project', 'r_tool', 'r_link', 'r_wiki', 'r_ticket', 'r_webhook', 'r_webhook_rotate', 'r_export',
                 'r_webhook_rotate_check', 'r_project_check'):
        assert results[name]['changed'] and not results[name].get('failed'), (name, results[name])
    for name in ('r_project_info', 'r_user_info', 'r_access', 'r_webhook_again'):
        assert not results[name]['changed'] and not results[name].get('failed'), (name, results[name])
    # -vvv shows each task's invocation, masked; ansible-core keeps it in registered results from 2.21 on, when asked
    assert '"secret": "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"' in text and '"module_args": {' in text
    assert '"oauth_token_secret": "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"' in text
    if ansible_version() >= (2, 21):
        assert results['r_webhook']['invocation']['module_args']['secret'] == 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'
        assert results['r_project_info']['invocation']['module_args']['oauth_token_secret'] == 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'
    else:
        assert 'invocation' not in results['r_webhook']
    assert 'warnings' not in results['r_webhook_again']  # a run that changes nothing warns of nothing
    assert results['r_webhook_rotate_check']['diff'] and results['r_webhook_rotate']['diff']
    assert results['r_access']['access']['test-admin']['admin'] is True
    expected_failures = {
        'r_fail_webhook_server': 'Invalid URL', 'r_fail_webhook_403': 'permission', 'r_fail_webhook_param': 'update_secret',
        'r_fail_webhook_input': 'ftp://ci.example.org/x', 'r_fail_bad_token_read': 'authentication failed',
        'r_fail_bad_token_write': 'authentication failed', 'r_fail_oauth': 'authentication failed',
        'r_fail_both': 'mutually exclusive', 'r_fail_http': 'refusing to send credentials over plain http',
        'r_fail_export': 'permission', 'r_fail_access': 'authentication failed', 'r_fail_project': 'permission',
        'r_fail_user': 'authentication failed'}
    for name, words in expected_failures.items():
        assert results[name].get('failed') and words in results[name]['msg'], (name, results[name])

    # The secrets reached the server where they belong: the rotated webhook secret, OAuth as test-admin.
    state = _sandbox_json(sandbox, '/_sandbox/state')
    hooks = [h for t in state['projects']['p/test']['tools'] for h in (t.get('data') or {}).get('webhooks') or ()]
    assert [(h['hook_url'], h['secret']) for h in hooks] == [('http://127.0.0.1:9/sec', HOOK_SECRET_2)]
    entries = _sandbox_json(sandbox, '/_sandbox/log')['requests']
    link_posts = [r for r in entries if r['method'] == 'POST' and r['path'] == '/rest/p/test/link/']
    assert [r['user'] for r in link_posts] == ['test-admin']

    # No secret in any URL the server received (tokens go in the Authorization header only).
    assert len(entries) > 40
    assert_hidden(json.dumps([(r['path'], r['query']) for r in entries]), 'the URLs the sandbox received')


# -- argument specs -------------------------------------------------------------------------------

def _import(name):
    """A module of the collection under test (the tree this file belongs to)."""
    try:
        return importlib.import_module('ansible_collections.allura.forge.plugins.' + name)
    except ImportError:
        pass
    parts = COLLECTION_ROOT.split(os.sep)
    if parts[-3:-2] == ['ansible_collections']:
        root = os.sep.join(parts[:-3])
    else:  # a source checkout: make it importable as ansible_collections.allura.forge
        root = os.path.join(COLLECTION_ROOT, '.cache', 'import-root')
        link = os.path.join(root, 'ansible_collections', 'allura', 'forge')
        if not os.path.exists(link):
            os.makedirs(os.path.dirname(link), exist_ok=True)
            os.symlink(COLLECTION_ROOT, link)
    sys.path.insert(0, root)
    return importlib.import_module('ansible_collections.allura.forge.plugins.' + name)


SECRET_WORDS = ('secret', 'token', 'password', 'passwd', 'key', 'credential', 'auth')
# an OAuth 1.0a consumer key identifies the application and travels in clear; update_secret is a choice
NOT_SECRET = {'oauth_consumer_key', 'update_secret'}
# Not named like a secret, but may hold one (a proxy's password in the URL).
HOLDS_SECRET = {'proxy_url'}


def _options(spec, prefix=''):
    for name, option in spec.items():
        yield prefix + name, option
        if option.get('options'):
            yield from _options(option['options'], prefix + name + '.')


@pytest.mark.parametrize('module', MODULES)
def test_every_secret_option_is_no_log(module):
    connection = _import('module_utils._module').CONNECTION_SPEC
    own = _import('modules.' + module).ARGUMENT_SPEC
    spec = dict(connection, **own)
    secret_like = {name for name, _o in _options(spec)
                   if any(w in name.split('.')[-1] for w in SECRET_WORDS) and name.split('.')[-1] not in NOT_SECRET} | HOLDS_SECRET
    no_log = {name for name, option in _options(spec) if option.get('no_log')}
    assert secret_like == no_log, 'options that look secret: %s; no_log: %s' % (sorted(secret_like), sorted(no_log))
    assert {'token', 'oauth_consumer_secret', 'oauth_token', 'oauth_token_secret'} <= no_log
    if module == 'allura_webhook':
        assert 'secret' in no_log
    assert connection['oauth_consumer_key'].get('no_log') is False  # explicit, so Ansible does not warn


# -- a bearer token with a stray line break ---------------------------------------------------------

TOKEN_PLAYBOOK = """
- hosts: localhost
  gather_facts: false
  vars:
    ansible_python_interpreter: "{{ ansible_playbook_python }}"
  tasks:
    - name: Read with a token that has a trailing line break (as a vault or a file gives it)
      allura.forge.allura_project_info: {project: test, server_url: "{{ url }}", token: "{{ s.trailing }}"}
      register: r_trailing
      ignore_errors: true
    - name: Read with a token broken by a line break
      allura.forge.allura_project_info: {project: test, server_url: "{{ url }}", token: "{{ s.inner }}"}
      register: r_inner
      ignore_errors: true
    - name: Show
      ansible.builtin.debug: {var: "{{ item }}"}
      loop: [r_trailing, r_inner]
"""


@pytest.mark.parametrize('env', PATHS)
def test_a_token_with_a_stray_line_break_is_never_shown(ansible_playbook, sandbox, tmp_path, env):
    path = tmp_path / 'vars.json'
    path.write_text(json.dumps({'url': sandbox, 's': {'trailing': ADMIN_TOKEN + '\n', 'inner': ADMIN_TOKEN[:10] + '\r\n' + ADMIN_TOKEN[10:]}}),
                    encoding='utf-8')
    proc = ansible_playbook(TOKEN_PLAYBOOK, '-e', '@%s' % path, '-vvv', env=env)
    text = proc.stdout + proc.stderr
    assert proc.returncode == 0, text[-3000:]
    for fragment in (ADMIN_TOKEN, ADMIN_TOKEN[:10], ADMIN_TOKEN[10:]):
        assert fragment not in text, text[max(0, text.find(fragment) - 500):][:1000]
    assert recap(proc)['failed'] == 0 and recap(proc)['ignored'] == 1  # the trailing line break is dropped; the other fails
    assert 'token contains a line break, a space or another character' in text


# -- redirects --------------------------------------------------------------------------------------

class _Recorder(BaseHTTPRequestHandler):
    """Records every request's method, path and headers. With a `location`, answers 302 there, except
    a GET of a link tool (answered like Allura, so that the write after it is reached); else 200 {}."""
    location = None
    seen = None

    def _answer(self):
        self.seen.append((self.command, self.path, dict(self.headers)))
        length = int(self.headers.get('Content-Length') or 0)
        if length:
            self.rfile.read(length)
        body = b'{}'
        if self.location and not (self.command == 'GET' and self.path.endswith('/link/')):
            self.send_response(302)
            self.send_header('Location', self.location + self.path)
            body = b''
        else:
            self.send_response(200)
            self.send_header('Content-Type', 'application/json')
            if self.location:
                body = b'{"url": "https://old.example.org/"}'
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, *args):
        pass


def _serve(location=None):
    handler = type('Handler', (_Recorder,), {'location': location, 'seen': []})
    server = ThreadingHTTPServer(('127.0.0.1', 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, handler.seen


REDIRECT_PLAYBOOK = """
- hosts: localhost
  gather_facts: false
  vars:
    ansible_python_interpreter: "{{ ansible_playbook_python }}"
  tasks:
    - name: Read from a server that redirects elsewhere
      allura.forge.allura_project_info: {project: test, server_url: "{{ url }}", token: "{{ token }}"}
      register: r_read
      ignore_errors: true
    - name: Write to a server that redirects elsewhere
      allura.forge.allura_link: {project: test, url: "https://x.example.org/", server_url: "{{ url }}", token: "{{ token }}"}
      register: r_write
      ignore_errors: true
    - name: Show
      ansible.builtin.debug: {var: "{{ item }}"}
      loop: [r_read, r_write]
"""


@pytest.mark.parametrize('env', PATHS)
def test_a_redirect_to_another_host_is_never_followed(ansible_playbook, tmp_path, env):
    other, other_seen = _serve()
    other_url = 'http://localhost:%d' % other.server_address[1]  # another host name, another port
    first, first_seen = _serve(location=other_url)
    try:
        path = tmp_path / 'vars.json'
        path.write_text(json.dumps({'url': 'http://127.0.0.1:%d' % first.server_address[1], 'token': ADMIN_TOKEN}), encoding='utf-8')
        proc = ansible_playbook(REDIRECT_PLAYBOOK, '-e', '@%s' % path, '-vvv', env=env)
    finally:
        first.shutdown()
        other.shutdown()
    text = proc.stdout + proc.stderr
    assert proc.returncode == 0, text[-3000:]
    assert recap(proc)['ignored'] == 2
    assert 'GET /rest/p/test/: unexpected redirect to %s/rest/p/test/' % other_url in text
    assert other_seen == [], other_seen  # the other host never heard from the client
    assert 'POST /rest/p/test/link/: unexpected redirect to %s/rest/p/test/link/' % other_url in text
    # no retry of a redirect, and never followed
    assert [(method, p) for method, p, _h in first_seen] == [
        ('GET', '/rest/p/test/'), ('GET', '/rest/p/test/link/'), ('POST', '/rest/p/test/link/')]
    assert all(headers.get('Authorization') == 'Bearer ' + ADMIN_TOKEN for _m, _p, headers in first_seen)
    assert ADMIN_TOKEN not in text
