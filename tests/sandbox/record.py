"""Record a batch of exchanges with a real Allura, in the format of the contract test's recordings.

    python tests/sandbox/record.py --base-url http://127.0.0.1:8080 tests/sandbox/recordings-access

reads the batch's ``plan.txt`` and writes one ``<name>.json`` per exchange and ``index.json``. Start
the server fresh first (the starting state of ``recordings/README.md``; the ``allura-harness.sh`` of
``../shared/allura-server`` gives it): exchanges are made in order and later ones may depend on
earlier ones. A plan line is

    name | user | METHOD /path?query [form body] | expected status | description

with user one of the seed users whose bearer token is known (``-`` for none). Fails when an
exchange does not answer the expected status, writing nothing.
"""

import argparse
import datetime
import http.client
import json
import os
import sys
import time
from urllib.parse import parse_qsl, urlsplit

TOKENS = {'root': 'a0000000000000000000', 'test-admin': 'a0000000000000000001', 'test-user': 'a0000000000000000002'}


def now():
    return datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat()


def read_plan(path):
    with open(path, encoding='utf-8') as handle:
        for line in handle:
            if line.strip() and not line.startswith('#'):
                name, user, request, expected, description = (part.strip() for part in line.split('|', 4))
                method, target, *body = request.split(' ', 2)
                yield dict(name=name, user=user, method=method, target=target, body=body[0] if body else None,
                           expected=int(expected), description=description)


def exchange(base_url, step):
    url = urlsplit(base_url)
    path, query = (step['target'].split('?', 1) + [''])[:2]
    headers = {}
    if step['user'] != '-':
        headers['Authorization'] = 'Bearer %s' % TOKENS[step['user']]
    if step['body'] is not None:
        headers['Content-Type'] = 'application/x-www-form-urlencoded'
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
    started = time.monotonic()
    try:
        conn.request(step['method'], step['target'], body=step['body'], headers=headers)
        resp = conn.getresponse()
        body = resp.read().decode('utf-8')
    finally:
        conn.close()
    content_type = resp.getheader('Content-Type', '')
    response = dict(status=resp.status, reason=resp.reason, content_type=content_type, headers=dict(resp.getheaders()),
                    body=body)
    if content_type.startswith('application/json') and body:
        response['json'] = json.loads(body)
    request = dict(method=step['method'], url=base_url.rstrip('/') + step['target'], path=path, query=query,
                   headers=headers, body=step['body'],
                   form=dict(parse_qsl(step['body'], keep_blank_values=True)) if step['body'] is not None else None, json=None)
    return dict(name=step['name'], description=step['description'], recorded_at=now(), request=request,
                response=response, elapsed_seconds=round(time.monotonic() - started, 3))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', maxsplit=1)[0])
    parser.add_argument('--base-url', required=True)
    parser.add_argument('directory')
    args = parser.parse_args(argv)
    steps = list(read_plan(os.path.join(args.directory, 'plan.txt')))
    records = [exchange(args.base_url, step) for step in steps]
    wrong = ['%s: %s, expected %s' % (step['name'], rec['response']['status'], step['expected'])
             for step, rec in zip(steps, records) if rec['response']['status'] != step['expected']]
    if wrong:
        sys.exit('not as expected, nothing written:\n' + '\n'.join(wrong))
    index = []
    for step, rec in zip(steps, records):
        name = step['name'] + '.json'
        with open(os.path.join(args.directory, name), 'w', encoding='utf-8') as handle:
            json.dump(rec, handle, indent=1, ensure_ascii=False)
            handle.write('\n')
        index.append(dict(file=name, method=step['method'], path=rec['request']['path'], query=rec['request']['query'],
                          auth=step['user'] if step['user'] != '-' else None, status=rec['response']['status'],
                          content_type=rec['response']['content_type'], expected_status=step['expected'], as_expected=True,
                          description=step['description']))
    with open(os.path.join(args.directory, 'index.json'), 'w', encoding='utf-8') as handle:
        json.dump(dict(base_url=args.base_url, recorded_at=records[0]['recorded_at'], count=len(index), recordings=index),
                  handle, indent=1, ensure_ascii=False)
        handle.write('\n')
    print('%d exchanges recorded in %s' % (len(index), args.directory))


if __name__ == '__main__':
    main()
