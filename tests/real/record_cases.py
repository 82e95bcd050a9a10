# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Record the contract cases (cases.py) from a real Allura into tests/sandbox/contract-cases/.

    scripts/real-allura.sh run .venv/bin/python tests/real/record_cases.py

The server is restarted first (fresh data: the recordings' starting state). The files have the
format of the shared recordings; paths of the server's data directory are written as
/var/lib/allura, as there.
"""

import datetime
import json
import os
import subprocess
import sys
import time
from urllib.parse import urlencode

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), 'sandbox'))

import contract  # noqa: E402  pylint: disable=wrong-import-position
from cases import CASES, JSON_BODIES  # noqa: E402  pylint: disable=wrong-import-position

OUT = contract.RECORDING_SETS['contract-cases']
TOKENS = {'test-admin': 'a0000000000000000001', 'test-user': 'a0000000000000000002', 'root': 'a0000000000000000000'}


def main():
    base = os.environ['ALLURA_REAL_URL']
    data_dir = os.path.join(os.environ['ALLURA_REAL_HOME'], 'data')
    subprocess.run(os.environ['ALLURA_REAL_RESTART'].split(), check=True, stdout=subprocess.DEVNULL)
    os.makedirs(OUT, exist_ok=True)
    for name in os.listdir(OUT):
        if name.endswith('.json'):
            os.remove(os.path.join(OUT, name))
    index = []
    started = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat()
    for spec in CASES:
        headers = {}
        if spec['auth'] != 'anonymous':
            headers['Authorization'] = 'Bearer ' + TOKENS[spec['auth']]
        body = None
        if spec['form'] is not None:
            headers['Content-Type'] = 'application/x-www-form-urlencoded'
            body = urlencode(spec['form'])
        if spec['name'] in JSON_BODIES:
            headers['Content-Type'] = 'application/json'
            body = json.dumps(JSON_BODIES[spec['name']])
        path = spec['path'] + ('?' + spec['query'] if spec['query'] else '')
        t0 = time.monotonic()
        status, served_headers, raw = contract.send(base, spec['method'], path, dict(headers, Accept='*/*'), body)
        text = raw.decode('utf-8').replace(data_dir, '/var/lib/allura')
        content_type = served_headers.get('Content-Type', '')
        recording = {
            'name': spec['name'], 'description': spec['description'], 'recorded_at': started,
            'request': {'method': spec['method'], 'url': base + path, 'path': spec['path'], 'query': spec['query'],
                        'headers': headers, 'body': body, 'form': spec['form'], 'json': None},
            'response': {'status': status, 'content_type': content_type,
                         'headers': {k: v for k, v in served_headers.items() if k in ('Content-Type', 'Location', 'Allow')},
                         'body': text,
                         'json': json.loads(text) if content_type.startswith('application/json') and text else None},
            'elapsed_seconds': round(time.monotonic() - t0, 3),
        }
        with open(os.path.join(OUT, spec['name'] + '.json'), 'w', encoding='utf-8') as handle:
            json.dump(recording, handle, indent=1, ensure_ascii=False)
            handle.write('\n')
        index.append({'file': spec['name'] + '.json', 'method': spec['method'], 'path': spec['path'],
                      'query': spec['query'], 'auth': spec['auth'], 'status': status, 'content_type': content_type,
                      'description': spec['description']})
        print('%3d %s' % (status, spec['name']))
    with open(os.path.join(OUT, 'index.json'), 'w', encoding='utf-8') as handle:
        json.dump({'base_url': base, 'recorded_at': started, 'count': len(index), 'recordings': index}, handle, indent=1)
        handle.write('\n')


if __name__ == '__main__':
    main()
