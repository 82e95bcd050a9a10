"""Contract test: replay every recorded exchange against a fresh sandbox, values included.

Three sets, each from the starting state the sandbox seeds (see ``contract.py`` for what is
compared and which generated values are masked):

* ``recordings/`` and ``recordings-wave2/``: the shared recordings of a real Allura;
* ``contract-cases/``: this project's own cases, recorded from a real Allura by
  ``tests/real/record_cases.py`` (every difference between the sandbox and a real server found so
  far), and replayed against the real server by the ``real`` step.

Skipped, per the recordings' READMEs: notes without an HTTP exchange and
``code__repo_after_push.json`` (follows a real ``git push``). The README also lists the two "busy
export" recordings and the ftp:// webhook pair as out-of-band; the sandbox reproduces them (its
export stays busy for a configurable time, and its default webhook validation is the recording
server's relaxed one), so they are replayed too.
"""

import json
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import contract  # noqa: E402  pylint: disable=wrong-import-position

OUT_OF_BAND = {'code__repo_after_push.json': 'follows a real git push to the repository'}
NOTES = {'webhook_delivery__repo_push.json', 'admin_export__artifact.json', 'smtp_sink__messages.json'}
EXPORT_OK = 'admin_export__ok.json'
EXPORT_READY = 'admin_export_status__ready.json'

# Where a recording shows an artefact of the recording server's in-memory database rather than
# Allura's behaviour on MongoDB, the sandbox follows REFERENCE.md; the problem the replay reports
# there must be exactly this one (the value the sandbox serves instead), so nothing else hides.
ARTEFACTS = {
    # REFERENCE 6.3: a unique index on (tool, type, hook_url) rejects the write of a duplicate
    # edit (webhook__edit_duplicate.json, 400); the in-memory store kept the edited URL anyway.
    'webhooks__list_full.json':
        '$.webhooks[1].hook_url: "http://127.0.0.1:45759/hook1-edited" recorded, "http://127.0.0.1:45759/hook2" served',
}


def replay_set(sb, name):
    recordings, base_url = contract.load(name)

    def before(file_name):
        if file_name == EXPORT_OK:
            sb.config(export_seconds=3)  # long enough for the two "busy" recordings that follow
        if file_name == EXPORT_READY:  # the recording itself was taken after polling
            assert contract.wait_until(lambda: sb.json('GET', '/rest/p/test/admin/export_status',
                                                       token=sb.ADMIN_TOKEN)[1] == {'status': 'ready'})

    replayed, skipped, mismatches = contract.replay(recordings, base_url, sb.url, skip=OUT_OF_BAND, before=before)
    return recordings, replayed, skipped, mismatches


@pytest.mark.parametrize('name', sorted(contract.RECORDING_SETS))
def test_replay_every_recording_values_included(fresh_sandbox, name):
    sb = fresh_sandbox()
    recordings, replayed, skipped, mismatches = replay_set(sb, name)
    unexpected = [m for m in mismatches if not any(m.startswith(f + ' ') and m.endswith(': ' + problem)
                                                   for f, problem in ARTEFACTS.items())]
    assert not unexpected, '%d of %d recordings differ:\n%s' % (len(unexpected), len(replayed), '\n'.join(unexpected))
    assert len(replayed) + len(skipped) == len(recordings)
    assert set(skipped) <= NOTES | set(OUT_OF_BAND)
    assert len(mismatches) == sum(1 for f in ARTEFACTS if f in replayed)
    assert sb.log()['counters']['internal_errors'] == 0


@pytest.mark.parametrize('name', sorted(contract.RECORDING_SETS))
def test_index_is_complete(name):
    recordings, _base = contract.load(name)
    directory = contract.RECORDING_SETS[name]
    with open(os.path.join(directory, 'index.json'), encoding='utf-8') as handle:
        assert json.load(handle)['count'] == len(recordings)
    files = {f for f in os.listdir(directory) if f.endswith('.json') and f != 'index.json'}
    assert files == {f for f, _rec in recordings}


def test_the_contract_cases_are_recorded_as_specified():
    """contract-cases/ holds exactly the requests of tests/real/cases.py, in that order."""
    sys.path.insert(0, os.path.join(os.path.dirname(contract.HERE), 'real'))
    from cases import CASES  # pylint: disable=import-outside-toplevel,import-error
    recordings, _base = contract.load('contract-cases')
    assert [f for f, _r in recordings] == [c['name'] + '.json' for c in CASES]
    for (_file, recording), spec in zip(recordings, CASES):
        request = recording['request']
        assert (request['method'], request['path'], request['query'], request['form']) == \
            (spec['method'], spec['path'], spec['query'], spec['form']), spec['name']


# -- the comparison itself ------------------------------------------------------------------------

@pytest.mark.parametrize('expected,actual,ok', [
    ({'a': [1, 'x']}, {'a': ['y', 2, 3]}, True),
    ({'a': [{'b': 1}]}, {'a': []}, False),
    ({'a': None}, {'a': 'x'}, False),
    ({'a': 1}, {'a': 1, 'b': 2}, False),
])
def test_shape_comparison(expected, actual, ok):
    assert (not contract.shape_diff(expected, actual)) is ok


@pytest.mark.parametrize('expected,actual,ok', [
    ({'a': [], 'f': {}}, {'a': [{'n': 1}], 'f': {'status': [['open', 1]]}}, True),
    ({'a': [{'n': 1}]}, {'a': []}, True),
    ({'a': [{'n': 1}]}, {'a': [{'n': 'x'}]}, False),
    ({'f': {}}, {'f': []}, False),
    ({'a': 1}, {'a': 1, 'b': 2}, False),
])
def test_loose_shape_comparison(expected, actual, ok):
    assert (not contract.shape_diff(expected, actual, loose=True)) is ok


def generated():
    return contract.Generated('http://127.0.0.1:8080', 'http://127.0.0.1:5000', {'/srv/data': '/var/lib/allura'})


@pytest.mark.parametrize('expected,actual,ok', [
    # values the server does not generate must be equal
    ({'status': 'open', 'n': 1}, {'status': 'open', 'n': 1}, True),
    ({'status': 'open'}, {'status': 'closed'}, False),
    ({'n': 1}, {'n': True}, False),
    ({'labels': ['a', 'b']}, {'labels': ['b', 'a']}, False),
    ({'x': None}, {'x': ''}, False),
    # ids: any value, but one served id per recorded id
    ({'_id': 'aaa', 'ref_id': 'aaa'}, {'_id': 'bbb', 'ref_id': 'bbb'}, True),
    ({'_id': 'aaa', 'ref_id': 'aaa'}, {'_id': 'bbb', 'ref_id': 'ccc'}, False),
    ({'a': {'_id': 'aaa'}, 'b': {'_id': 'ddd'}}, {'a': {'_id': 'bbb'}, 'b': {'_id': 'bbb'}}, False),
    # dates, the server's address, its data directory
    ({'mod_date': '2026-11-28 05:46:19.469000'}, {'mod_date': '2027-01-02 10:00:00.001000'}, True),
    ({'mod_date': '2026-11-28 05:46:19.469000'}, {'mod_date': 'yesterday'}, False),
    ({'url': 'http://127.0.0.1:8080/p/test/'}, {'url': 'http://127.0.0.1:5000/p/test/'}, True),
    ({'url': 'http://127.0.0.1:8080/p/test/'}, {'url': 'http://127.0.0.1:5000/p/test2/'}, False),
    ({'f': '/var/lib/allura/scm/git/p/test/code'}, {'f': '/srv/data/scm/git/p/test/code'}, True),
    # a URL carries the served id of the same answer
    ({'_id': 'aaa', 'url': 'http://127.0.0.1:8080/hooks/aaa'}, {'_id': 'bbb', 'url': 'http://127.0.0.1:5000/hooks/bbb'}, True),
    ({'_id': 'aaa', 'url': 'http://127.0.0.1:8080/hooks/aaa'}, {'_id': 'bbb', 'url': 'http://127.0.0.1:5000/hooks/aaa'}, False),
])
def test_value_comparison(expected, actual, ok):
    gen = generated()
    gen.learn_ids(expected, actual)
    assert (not contract.value_diff(expected, actual, gen)) is ok


def test_generated_paths_are_carried_forward():
    gen = generated()
    gen.learn_location('/rest/p/test/bugs/_discuss/thread/abc/9495/', '/rest/p/test/bugs/_discuss/thread/abc/1f2e/')
    gen.learn_location('/rest/p/test/bugs/_discuss/thread/abc/9495/23cc/', '/rest/p/test/bugs/_discuss/thread/abc/1f2e/77aa/')
    assert gen.path('/rest/p/test/bugs/_discuss/thread/abc/9495/reply') == '/rest/p/test/bugs/_discuss/thread/abc/1f2e/reply'
    assert gen.path('/rest/p/test/bugs/_discuss/thread/abc/9495/23cc/') == '/rest/p/test/bugs/_discuss/thread/abc/1f2e/77aa/'
    assert gen.path('/rest/p/test/bugs/9495/') == '/rest/p/test/bugs/9495/'  # only below the thread it was learned in


def test_shape_only_where_a_readme_says_so():
    gen = generated()
    response = {'status': 200, 'content_type': 'application/json', 'headers': {}, 'body': '{"tickets": [{"n": 1}]}',
                'json': {'tickets': [{'n': 1}]}}
    served = (200, {'Content-Type': 'application/json'}, b'{"tickets": [{"n": 2}, {"n": 3}]}')
    assert contract.compare('tracker_search__word.json', response, *served, gen) == []
    assert contract.compare('tracker__list.json', response, *served, gen) != []
