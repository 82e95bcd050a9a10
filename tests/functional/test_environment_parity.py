# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every environment variable the modules read, set every way a user sets it, gives the same result on both
execution paths (in process on the controller, and as a module with ALLURA_FORGE_RUN_AS_MODULE=1).

For each variable (the ALLURA_* fallbacks, the proxy and CA bundle variables) one task reads it as the shell
(the ansible-playbook process) set it, one as its play's `environment:` sets it, one with a task
`environment:` overriding the play's, and one with the task setting it to '' (unset). Each task is the same
probe, a check-mode allura_webhook against an HTTPS sandbox (the HTTP one for HTTP_PROXY); its result (success,
failure and its cause, the proxy and the variable it came from) and the option values the module resolved
(`invocation`) are compared across the two paths and with what the variable should do. The proxies refuse
everything, each naming itself, so a result says which proxy was used and no request can leave the machine.
`invocation` is read by a callback (callback_plugins/invocations.py), not from the registered results: ansible-core
2.19 drops it from those.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import time

import pytest
import yaml

CALLBACKS = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'callback_plugins')
ADMIN_TOKEN = 'a0000000000000000001'
USER_TOKEN = 'a0000000000000000002'
BAD_TOKEN = 'ffffffffffffffffffff'
OAUTH = dict(ALLURA_OAUTH_CONSUMER_KEY='sandboxconsumerkey000001', ALLURA_OAUTH_CONSUMER_SECRET='sandboxconsumersecret001',
             ALLURA_OAUTH_TOKEN='sandboxaccesstoken000001', ALLURA_OAUTH_TOKEN_SECRET='sandboxtokensecret000001')
NO_OAUTH = {name: '' for name in OAUTH}
HIDDEN = 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'
OPTION = dict(ALLURA_URL='server_url', ALLURA_TOKEN='token', ALLURA_VALIDATE_CERTS='validate_certs', ALLURA_CA_PATH='ca_path',
              ALLURA_TIMEOUT='timeout', ALLURA_RETRIES='retries', ALLURA_USE_PROXY='use_proxy', ALLURA_PROXY_URL='proxy_url',
              **{name: name[len('ALLURA_'):].lower() for name in OAUTH})


def rows(s):
    """(variable, environment of every way, {way: (value, expected result, expected option value or None)}, extra
    environment of the '' way). `s` holds the URLs and files: sandbox, sandbox2 (the same sandbox by another name),
    http (the HTTP sandbox), ca, ca2, ca3 (copies of the sandbox's CA), bad (another CA), proxies A (ALLURA_PROXY_URL
    of the shell), H (HTTP(S)_PROXY of the shell), P and T (values of play and task)."""
    via = '{} via {} ({})'.format
    through_proxies = dict(ALLURA_USE_PROXY='true', ALLURA_URL=s['sandbox2'])
    proxied = dict(through_proxies, ALLURA_PROXY_URL='')

    def shown(name, value):
        return None if not value else value if name == 'ALLURA_OAUTH_CONSUMER_KEY' else HIDDEN
    wrong = {name: 'wrong-' + name[len('ALLURA_'):].lower() for name in OAUTH}
    oauth_rows = [
        (name, {}, dict(shell=(OAUTH[name], 'ok', shown(name, OAUTH[name])), play=(wrong[name], 'HTTP 401', shown(name, wrong[name])),
                        task=(OAUTH[name], 'ok', shown(name, OAUTH[name])), empty=('', 'missing ' + OPTION[name], None)),
         {'ALLURA_TOKEN': ''})
        for name in OAUTH]
    return [
        ('ALLURA_URL', {}, dict(shell=(s['sandbox'], 'ok', s['sandbox']), play=(s['sandbox2'], 'ok', s['sandbox2']),
                                task=(s['sandbox2'] + '/', 'ok', s['sandbox2'] + '/'),
                                empty=('', via('proxy_refused', 'A', 'proxy_url'), 'https://sourceforge.net')),
         {'ALLURA_USE_PROXY': 'true'}),  # sourceforge.net is only ever asked for through a proxy that refuses
        ('ALLURA_TOKEN', NO_OAUTH, dict(shell=(ADMIN_TOKEN, 'ok', HIDDEN), play=(USER_TOKEN, 'HTTP 403', HIDDEN),
                                        task=(BAD_TOKEN, 'HTTP 401', HIDDEN), empty=('', 'HTTP 401', None)), {}),
        *oauth_rows,
        ('ALLURA_VALIDATE_CERTS', dict(ALLURA_CA_PATH='', REQUESTS_CA_BUNDLE='', SSL_CERT_FILE=''),
         dict(shell=('true', 'tls', True), play=('false', 'ok', False), task=('yes', 'tls', True), empty=('', 'tls', True)), {}),
        ('ALLURA_CA_PATH', {}, dict(shell=(s['ca'], 'ok', s['ca']), play=(s['bad'], 'tls', s['bad']), task=(s['ca3'], 'ok', s['ca3']),
                                    empty=('', 'tls', None)), {}),  # '': REQUESTS_CA_BUNDLE of the shell, the wrong CA
        ('REQUESTS_CA_BUNDLE', dict(ALLURA_CA_PATH=''),
         dict(shell=(s['bad'], 'tls', None), play=(s['ca'], 'ok', None), task=(s['bad'], 'tls', None), empty=('', 'ok', None)), {}),
        ('SSL_CERT_FILE', dict(ALLURA_CA_PATH='', REQUESTS_CA_BUNDLE=''),
         dict(shell=(s['ca2'], 'ok', None), play=(s['bad'], 'tls', None), task=(s['ca'], 'ok', None), empty=('', 'tls', None)), {}),
        ('ALLURA_TIMEOUT', {}, dict(shell=('11', 'ok', 11.0), play=('12', 'ok', 12.0), task=('13.5', 'ok', 13.5), empty=('', 'ok', 30.0),
                                    block=('14', 'ok', 14.0), role=('15', 'ok', 15.0)), {}),  # a block's, a role's over the play's
        ('ALLURA_RETRIES', {}, dict(shell=('1', 'ok', 1), play=('2', 'ok', 2), task=('3', 'ok', 3), empty=('', 'ok', 5)), {}),
        ('ALLURA_USE_PROXY', {}, dict(shell=('false', 'ok', False), play=('true', via('proxy_refused', 'A', 'proxy_url'), True),
                                      task=('no', 'ok', False), empty=('', via('proxy_refused', 'A', 'proxy_url'), True)), {}),
        ('ALLURA_PROXY_URL', through_proxies,
         dict(shell=(s['A'], via('proxy_refused', 'A', 'proxy_url'), HIDDEN), play=(s['P'], via('proxy_refused', 'P', 'proxy_url'), HIDDEN),
              task=(s['T'], via('proxy_refused', 'T', 'proxy_url'), HIDDEN), empty=('', via('proxy_refused', 'H', 'HTTPS_PROXY'), None)), {}),
        ('HTTPS_PROXY', proxied, dict(shell=(s['H'], via('proxy_refused', 'H', 'HTTPS_PROXY'), None),
                                      play=(s['P'], via('proxy_refused', 'P', 'HTTPS_PROXY'), None),
                                      task=(s['T'], via('proxy_refused', 'T', 'HTTPS_PROXY'), None), empty=('', 'ok', None)), {}),
        ('https_proxy', proxied, dict(play=(s['P'], via('proxy_refused', 'P', 'https_proxy'), None),  # the shell sets HTTPS_PROXY
                                      task=(s['T'], via('proxy_refused', 'T', 'https_proxy'), None),
                                      empty=('', 'ok', None)), {}),  # empty lower-case hides HTTPS_PROXY, as requests reads them
        ('NO_PROXY', proxied, dict(shell=('localhost', via('proxy_refused', 'H', 'HTTPS_PROXY'), None), play=('127.0.0.1', 'ok', None),
                                   task=('localhost,.example.org', via('proxy_refused', 'H', 'HTTPS_PROXY'), None),
                                   empty=('', via('proxy_refused', 'H', 'HTTPS_PROXY'), None)), {}),
        ('no_proxy', proxied, dict(play=('127.0.0.0/8', 'ok', None), task=('example.org', via('proxy_refused', 'H', 'HTTPS_PROXY'), None),
                                   empty=('', via('proxy_refused', 'H', 'HTTPS_PROXY'), None)), {}),
        ('HTTP_PROXY', dict(proxied, ALLURA_URL=s['http']),
         dict(shell=(s['H'], 'HTTP 403 from H', None), play=(s['P'], 'HTTP 403 from P', None), task=(s['T'], 'HTTP 403 from T', None),
              empty=('', 'ok', None)), {}),
    ]


def shell_environment(s):
    """What the shell sets (every variable's `shell` value): a working set, through no proxy."""
    env = dict(OAUTH, ALLURA_URL=s['sandbox'], ALLURA_TOKEN=ADMIN_TOKEN, ALLURA_VALIDATE_CERTS='true', ALLURA_CA_PATH=s['ca'],
               ALLURA_TIMEOUT='11', ALLURA_RETRIES='1', ALLURA_USE_PROXY='false', ALLURA_PROXY_URL=s['A'], HTTPS_PROXY=s['H'],
               HTTP_PROXY=s['H'], NO_PROXY='localhost', REQUESTS_CA_BUNDLE=s['bad'], SSL_CERT_FILE=s['ca2'],
               ANSIBLE_INJECT_INVOCATION='1')
    for name in ('CURL_CA_BUNDLE', 'SSL_CERT_DIR', 'ALL_PROXY', 'all_proxy', 'http_proxy', 'https_proxy', 'no_proxy'):
        env[name] = None  # not this machine's
    return env


def shell_tasks(table):
    """{row: the task that reads the shell's values in that row's environment}; rows with the same one share it."""
    names, seen = {}, {}
    for i, (_variable, neutral, ways, _extra) in enumerate(table):
        if 'shell' in ways:
            names[i] = seen.setdefault(json.dumps(neutral, sort_keys=True), 'shell_%d' % len(seen))
    return names


def playbook(table):
    """One play for the shell way of every variable, then one play per variable with its play value; the tasks of
    the role `probe` (a block's and a role's `environment:`); and {result name: (play, register) of its task}."""
    probe = {'allura.forge.allura_webhook': dict(project='test', mount_point='code', url='https://ci.example.org/env-parity')}

    def task(name, environment):
        return dict(probe, name=name, environment=environment, register=name, check_mode=True, ignore_errors=True)

    common = dict(hosts='localhost', gather_facts=False, vars=dict(ansible_python_interpreter='{{ ansible_playbook_python }}'))
    shell = {name: table[i][1] for i, name in shell_tasks(table).items()}  # the same environment for a name
    plays = [dict(common, name='shell', tasks=[task(name, neutral) for name, neutral in shell.items()])]
    sources = {name: ('shell', name) for name in shell}
    for i, (variable, neutral, ways, extra) in enumerate(table):
        tasks = [task('r%d_play' % i, {}), task('r%d_task' % i, {variable: ways['task'][0]}),
                 task('r%d_empty' % i, dict(extra, **{variable: ''}))]
        if 'block' in ways:
            tasks.append(dict(name='r%d_block' % i, environment={variable: ways['block'][0]}, block=[task('r%d_block' % i, {})]))
        if 'role' in ways:  # the role's task registers `probe`
            tasks += [{'name': 'role', 'ansible.builtin.import_role': {'name': 'probe'}, 'environment': {variable: ways['role'][0]}},
                      {'name': 'r%d_role' % i, 'ansible.builtin.set_fact': {'r%d_role' % i: '{{ probe }}'}}]
        plays.append(dict(common, name=variable, environment=dict(neutral, **{variable: ways['play'][0]}), tasks=tasks))
        sources.update(('r%d_%s' % (i, way), (variable, 'probe' if way == 'role' else 'r%d_%s' % (i, way)))
                       for way in ways if way != 'shell')
    save = {'ansible.builtin.copy': dict(dest='{{ out }}', mode='0600',
                                         content='{{ {%s} | to_json }}' % ', '.join("'%s': %s" % (n, n) for n in sources))}
    plays.append(dict(common, name='save', tasks=[save]))
    return yaml.safe_dump(plays, sort_keys=False, width=200), yaml.safe_dump([task('probe', {})]), sources


def outcome(result, labels):
    """A result in short: ok, HTTP <status> [from <proxy>], <connection_error> [via <proxy> (<variable>)], missing <option>."""
    if not result.get('failed'):
        return 'ok'
    msg = result.get('msg', '')
    proxy = next((label for port, label in labels.items() if '127.0.0.1:%d' % port in msg + (result.get('server_message') or '')), None)
    if result.get('connection_error'):
        source = re.search(r'\(from (\S+)\)', msg)
        return '%s via %s (%s)' % (result['connection_error'], proxy, source.group(1)) if proxy else result['connection_error']
    if result.get('status'):
        return 'HTTP %d' % result['status'] + (' from %s' % proxy if proxy else '')
    missing = re.search(r'needs all four oauth_\* options; missing: (\S+)', msg)
    return 'missing %s' % missing.group(1) if missing else msg


def observe(results, invocations, sources, labels):
    """Per task: its outcome, its message and the connection options it resolved (its invocation, as the callback
    recorded it for the task's (play, register))."""
    seen = {}
    for name, result in results.items():
        args = (invocations.get(sources[name]) or {}).get('module_args') or {}
        seen[name] = dict(outcome=outcome(result, labels), msg=result.get('msg'),
                          args={option: args.get(option) for option in sorted(set(OPTION.values()))})
    return seen


@pytest.fixture
def setting(tls, https_sandbox, allura_url, forward_proxy, tmp_path):
    proxies = {label: forward_proxy(deny=True) for label in 'AHPT'}
    for copy in ('ca2', 'ca3'):
        shutil.copy(tls['ca'], tmp_path / (copy + '.pem'))
    s = dict(sandbox='https://localhost:%d' % https_sandbox, sandbox2='https://127.0.0.1:%d' % https_sandbox, http=allura_url,
             ca=tls['ca'], ca2=str(tmp_path / 'ca2.pem'), ca3=str(tmp_path / 'ca3.pem'), bad=tls['other_ca'],
             **{label: proxy.url for label, proxy in proxies.items()})
    return s, {proxy.port: label for label, proxy in proxies.items()}


def test_every_variable_set_every_way_gives_the_same_result_on_both_paths(ansible_playbook, setting, tmp_path):
    s, labels = setting
    table = rows(s)
    seen = {}
    for path, extra in (('in-process', {}), ('as-module', {'ALLURA_FORGE_RUN_AS_MODULE': '1'})):
        out, recorded = tmp_path / ('%s.json' % path), tmp_path / ('%s-invocations.jsonl' % path)
        started = time.monotonic()
        plays, role, sources = playbook(table)
        (tmp_path / 'roles' / 'probe' / 'tasks').mkdir(parents=True, exist_ok=True)
        (tmp_path / 'roles' / 'probe' / 'tasks' / 'main.yml').write_text(role, encoding='utf-8')
        callback = dict(ANSIBLE_CALLBACK_PLUGINS=CALLBACKS, ANSIBLE_CALLBACKS_ENABLED='invocations', ALLURA_TEST_INVOCATIONS=str(recorded))
        proc = ansible_playbook(plays, '-e', 'out=%s' % out, env=dict(shell_environment(s), **callback, **extra))
        print('%s: %.1f s' % (path, time.monotonic() - started))
        assert proc.returncode == 0, (proc.stdout + proc.stderr)[-4000:]
        invocations = {}
        for line in recorded.read_text(encoding='utf-8').splitlines():
            record = json.loads(line)
            key = (record['play'], record['register'])
            assert key not in invocations, 'two results of %s' % (key,)
            invocations[key] = record['invocation']
        seen[path] = observe(json.loads(out.read_text(encoding='utf-8')), invocations, sources, labels)

    matrix, wrong, shell = [], [], shell_tasks(table)
    for i, (variable, _neutral, ways, _extra) in enumerate(table):
        for way, (value, expected, option_value) in ways.items():
            name = shell[i] if way == 'shell' else 'r%d_%s' % (i, way)
            in_process, as_module = seen['in-process'][name], seen['as-module'][name]
            matrix.append('| %s | %s | %s | %s | %s |' % (variable, way, value[-30:], in_process['outcome'], as_module['outcome']))
            if in_process != as_module:
                wrong.append('%s %s: the paths differ: %r != %r' % (variable, way, in_process, as_module))
            if in_process['outcome'] != expected:
                wrong.append('%s %s: %r, expected %r (%s)' % (variable, way, in_process['outcome'], expected, in_process['msg']))
            resolved = in_process['args'].get(OPTION.get(variable))
            if variable in OPTION and resolved != option_value:
                wrong.append('%s %s: %s=%r, expected %r' % (variable, way, OPTION[variable], resolved, option_value))
    print('\n'.join(matrix))
    assert not wrong, '\n'.join(wrong)
