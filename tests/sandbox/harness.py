"""Start and drive a sandbox server from tests (standard library only).

    from harness import start_sandbox          # tests/sandbox on sys.path

    sandbox = start_sandbox()                  # free port, in-memory state
    try:
        status, headers, body = sandbox.request('GET', '/rest/p/test/', token=sandbox.ADMIN_TOKEN)
        sandbox.faults(kind='503', count=1)
        sandbox.reset()
        print(sandbox.log()['counters'])
    finally:
        sandbox.stop()

``start_sandbox`` launches ``server.py --port 0 --port-file ...`` as a
subprocess and waits until the port file appears.
"""

import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
SERVER = os.path.join(HERE, 'server.py')

ADMIN_TOKEN = 'a0000000000000000001'
USER_TOKEN = 'a0000000000000000002'
ROOT_TOKEN = 'a0000000000000000000'
BAD_TOKEN = 'ffffffffffffffffffff'


class SandboxError(RuntimeError):
    pass


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


class SandboxProcess:
    """A running sandbox server: ``.url``, ``.port``, controls and ``.stop()``."""

    ADMIN_TOKEN = ADMIN_TOKEN
    USER_TOKEN = USER_TOKEN
    ROOT_TOKEN = ROOT_TOKEN
    BAD_TOKEN = BAD_TOKEN

    def __init__(self, proc, url, port, state_file, workdir):
        self.proc = proc
        self.url = url
        self.port = port
        self.state_file = state_file
        self._workdir = workdir
        self._opener = urllib.request.build_opener(_NoRedirect)

    # -- plain HTTP ------------------------------------------------------------------

    def request(self, method, path, data=None, headers=None, token=None, timeout=30):
        """Send one request; returns (status, headers dict, body bytes).  Never raises for HTTP errors.

        ``data``: bytes, str, or a dict (form-encoded).  ``token``: bearer token.
        """
        headers = dict(headers or {})
        if isinstance(data, dict):
            data = urllib.parse.urlencode(data).encode()
            headers.setdefault('Content-Type', 'application/x-www-form-urlencoded')
        elif isinstance(data, str):
            data = data.encode('utf-8')
        if token:
            headers['Authorization'] = 'Bearer ' + token
        req = urllib.request.Request(self.url + path, data=data, headers=headers, method=method)
        try:
            with self._opener.open(req, timeout=timeout) as resp:
                return resp.status, dict(resp.headers.items()), resp.read()
        except urllib.error.HTTPError as err:
            try:
                return err.code, dict(err.headers.items()), err.read()
            finally:
                err.close()

    def json(self, method, path, **kwargs):
        status, _headers, body = self.request(method, path, **kwargs)
        return status, json.loads(body) if body else None

    def _control(self, method, name, payload=None):
        data = json.dumps(payload).encode() if payload is not None else None
        headers = {'Content-Type': 'application/json'} if data is not None else {}
        status, _headers, body = self.request(method, '/_sandbox/' + name, data=data, headers=headers)
        result = json.loads(body) if body else None
        if status != 200:
            raise SandboxError('/_sandbox/%s: %s %s' % (name, status, result))
        return result

    # -- controls -------------------------------------------------------------------

    def reset(self):
        """Back to the seed; clears the log, faults and latency."""
        return self._control('POST', 'reset')

    def log(self):
        return self._control('GET', 'log')

    def clear_log(self):
        return self._control('POST', 'log/clear')

    def faults(self, *rules, **rule):
        """Add fault rules: ``faults(kind='503', count=2)`` or ``faults({...}, {...})``."""
        specs = list(rules) + ([rule] if rule else [])
        return self._control('POST', 'faults', specs if len(specs) != 1 else specs[0])

    def clear_faults(self):
        return self._control('DELETE', 'faults')

    def holds(self):
        """Every hold rule since the last reset, used up or not, with `waiting` (requests it keeps now)."""
        return self._control('GET', 'faults')['holds']

    def release(self, rule_id):
        """Let the requests the hold rule `rule_id` keeps waiting (and later ones it matches) go on."""
        return self._control('POST', 'faults/release', {'id': rule_id})['rule']

    def latency(self, ms):
        return self._control('POST', 'latency', {'ms': ms})

    def service(self, ms):
        """Each request holds the server `ms` milliseconds, one at a time (0: off, requests overlap)."""
        return self._control('POST', 'service', {'ms': ms})

    def state(self):
        return self._control('GET', 'state')

    def config(self, **settings):
        """``config(export_seconds=0.1, stock_webhook_validation=True)``; no arguments: read."""
        if settings:
            return self._control('POST', 'config', settings)
        return self._control('GET', 'config')

    def seed_topic(self, **spec):
        """A forum topic (REST cannot create one): ``seed_topic(subject='Hi', posts=[{'text': 'x', 'author': 'test-user'}])``;
        returns ``{_id, forum, subject, posts: [{slug, status}]}``."""
        return self._control('POST', 'topics', spec)

    def tool_acl(self, mount_point, permission, role, project='p/test'):
        """Who holds ``permission`` on a tool (``role``: *anonymous, *authenticated, Member, Developer, Admin, None)."""
        return self._control('POST', 'acl', dict(project=project, mount_point=mount_point, permission=permission, role=role))

    def tracker_fields(self, mount_point, open_status_names, closed_status_names, custom_fields, project='p/test'):
        """A tracker's status names and its whole list of custom fields, as its Field Management page sets them."""
        return self._control('POST', 'tracker', dict(project=project, mount_point=mount_point, open_status_names=open_status_names,
                                                     closed_status_names=closed_status_names, custom_fields=custom_fields))

    def member(self, user, role, project='p/test'):
        """A user's group in a project (Member, Developer, Admin; None removes the user), as Admin > User Permissions sets it."""
        return self._control('POST', 'member', dict(project=project, user=user, role=role))

    # -- lifecycle ------------------------------------------------------------------

    def alive(self):
        return self.proc.poll() is None

    def stop(self, timeout=5):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout)
        if self.proc.stderr:
            self.proc.stderr.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def start_sandbox(port=0, host='127.0.0.1', state_file=None, latency_ms=None, service_ms=None, stock_webhook_validation=False,
                  export_seconds=None, certfile=None, keyfile=None, python=None, timeout=15, extra_args=()):
    """Start ``server.py`` and return a :class:`SandboxProcess` once it listens."""
    workdir = tempfile.mkdtemp(prefix='allura-sandbox-')
    port_file = os.path.join(workdir, 'port')
    cmd = [python or sys.executable, SERVER, '--port', str(port), '--host', host, '--port-file', port_file]
    if state_file:
        cmd += ['--state-file', state_file]
    if latency_ms:
        cmd += ['--latency-ms', str(latency_ms)]
    if service_ms:
        cmd += ['--service-ms', str(service_ms)]
    if stock_webhook_validation:
        cmd.append('--stock-webhook-validation')
    if export_seconds is not None:
        cmd += ['--export-seconds', str(export_seconds)]
    if certfile:
        cmd += ['--certfile', certfile] + (['--keyfile', keyfile] if keyfile else [])
    cmd += list(extra_args)
    stderr_path = os.path.join(workdir, 'stderr')
    with open(stderr_path, 'wb') as stderr:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,  # pylint: disable=consider-using-with
                                stderr=stderr)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            with open(stderr_path, encoding='utf-8', errors='replace') as handle:
                raise SandboxError('sandbox exited with %s: %s' % (proc.returncode, handle.read()))
        try:
            with open(port_file, encoding='ascii') as handle:
                content = handle.read().strip()
            if content:
                bound = int(content)
                scheme = 'https' if certfile else 'http'
                return SandboxProcess(proc, '%s://%s:%d' % (scheme, host, bound), bound, state_file, workdir)
        except FileNotFoundError:
            pass
        time.sleep(0.02)
    proc.kill()
    raise SandboxError('sandbox did not start within %ss' % timeout)
