"""Measure the sandbox: start-up time and simple GETs per second on loopback.

    python tests/sandbox/bench.py [--seconds 5] [--clients 4] [--path /rest/p/test/wiki/Home]

Starts its own sandbox (stdlib only), prints one JSON line with the results.
"""

import argparse
import http.client
import json
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import ADMIN_TOKEN, start_sandbox  # noqa: E402  pylint: disable=wrong-import-position


def _client(port, path, deadline, counts, index):
    conn = http.client.HTTPConnection('127.0.0.1', port, timeout=10)
    headers = {'Authorization': 'Bearer ' + ADMIN_TOKEN, 'Accept': 'application/json'}
    done = 0
    while time.monotonic() < deadline:
        conn.request('GET', path, headers=headers)
        resp = conn.getresponse()
        resp.read()
        if resp.status != 200:
            raise RuntimeError('unexpected status %s' % resp.status)
        done += 1
    conn.close()
    counts[index] = done


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('--seconds', type=float, default=5.0)
    parser.add_argument('--clients', type=int, default=4)
    parser.add_argument('--path', default='/rest/p/test/wiki/Home')
    args = parser.parse_args()
    started = time.monotonic()
    sandbox = start_sandbox()
    startup = time.monotonic() - started
    try:
        counts = [0] * args.clients
        deadline = time.monotonic() + args.seconds
        threads = [threading.Thread(target=_client, args=(sandbox.port, args.path, deadline, counts, i))
                   for i in range(args.clients)]
        begin = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - begin
        errors = sandbox.log()['counters']['internal_errors']
    finally:
        sandbox.stop()
    print(json.dumps({'startup_seconds': round(startup, 3), 'requests': sum(counts), 'seconds': round(elapsed, 2),
                      'requests_per_second': round(sum(counts) / elapsed, 1), 'clients': args.clients,
                      'path': args.path, 'internal_errors': errors}))


if __name__ == '__main__':
    main()
