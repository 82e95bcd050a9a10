"""Process-level behaviour: --state-file persistence, start-up, command line, TLS."""

import json
import os
import subprocess
import sys
import time

import pytest

from harness import SERVER, SandboxError, start_sandbox
from sandbox_http import get, post


def test_state_file_survives_a_restart(fresh_sandbox, tmp_path):
    state_file = str(tmp_path / 'state.json')
    first = fresh_sandbox(state_file=state_file)
    assert os.path.exists(state_file)  # written at start
    post(first.url, '/rest/p/test/wiki/Persisted', {'text': 'still here'})
    post(first.url, '/rest/p/test/admin/code/webhooks/repo-push', {'url': 'http://example.com/h', 'secret': 'kept'})
    first.stop()
    assert json.load(open(state_file, encoding='utf-8'))['projects']['p/test']  # plain JSON
    second = fresh_sandbox(state_file=state_file)
    assert get(second.url, '/rest/p/test/wiki/Persisted').json['text'] == 'still here'
    hooks = [t for t in second.state()['projects']['p/test']['tools'] if t['mount_point'] == 'code'][0]['data']['webhooks']
    assert hooks[0]['secret'] == 'kept'
    second.reset()  # the reset is persisted too
    second.stop()
    third = fresh_sandbox(state_file=state_file)
    assert get(third.url, '/rest/p/test/wiki/Persisted').status == 404


def test_reads_do_not_rewrite_the_state_file(fresh_sandbox, tmp_path):
    state_file = str(tmp_path / 'state.json')
    proc = fresh_sandbox(state_file=state_file)
    before = os.stat(state_file).st_mtime_ns
    time.sleep(0.05)
    for _attempt in range(5):
        get(proc.url, '/rest/p/test/')
    assert os.stat(state_file).st_mtime_ns == before


def test_invalid_state_file_is_refused(tmp_path):
    state_file = tmp_path / 'state.json'
    state_file.write_text('{"something": "else"}')
    with pytest.raises(SandboxError):
        start_sandbox(state_file=str(state_file))


def test_start_up_is_fast():
    started = time.monotonic()
    proc = start_sandbox()
    try:
        elapsed = time.monotonic() - started
        assert get(proc.url, '/rest/').status == 200
    finally:
        proc.stop()
    assert elapsed < 3, 'start-up took %.2fs' % elapsed


def test_port_file_and_fixed_port(fresh_sandbox):
    proc = fresh_sandbox()
    again = fresh_sandbox(port=0)
    assert proc.port != again.port
    with pytest.raises(SandboxError):
        start_sandbox(port=proc.port, timeout=5)  # port already taken: the process exits


def test_loopback_only():
    result = subprocess.run([sys.executable, SERVER, '--host', '0.0.0.0', '--port', '0'], capture_output=True, timeout=30,
                            check=False)
    assert result.returncode == 2 and b'loopback' in result.stderr


def test_latency_option(fresh_sandbox):
    proc = fresh_sandbox(latency_ms=120)
    started = time.monotonic()
    get(proc.url, '/rest/')
    assert time.monotonic() - started >= 0.12
    assert proc.config()['latency_ms'] == 120


def test_stock_webhook_validation_option(fresh_sandbox):
    proc = fresh_sandbox(stock_webhook_validation=True)
    result = post(proc.url, '/rest/p/test/admin/code/webhooks/repo-push', {'url': 'ftp://127.0.0.1/x'})
    assert result.json == {'result': 'error', 'error': {'url': 'Invalid URL scheme.'}}


def test_https(fresh_sandbox, tmp_path):
    cert, key = str(tmp_path / 'cert.pem'), str(tmp_path / 'key.pem')
    made = subprocess.run(['openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
                           '-addext', 'subjectAltName=IP:127.0.0.1',
                           '-keyout', key, '-out', cert], capture_output=True, check=False)
    if made.returncode != 0:
        pytest.skip('openssl not available')
    proc = fresh_sandbox(certfile=cert, keyfile=key)
    assert proc.url.startswith('https://')
    import requests  # pylint: disable=import-outside-toplevel
    resp = requests.get(proc.url + '/rest/p/test/', headers={'Authorization': 'Bearer a0000000000000000001'},
                        verify=cert, timeout=10)
    assert resp.status_code == 200
    assert resp.json()['url'].startswith('https://127.0.0.1:')
