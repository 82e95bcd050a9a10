# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import threading
from concurrent.futures import Future

import pytest

from ansible_collections.allura.forge.plugins.module_utils._client import AlluraError
from ansible_collections.allura.forge.plugins.module_utils._state import (
    REDACTED, Context, Field, Outcome, bulk_result, converge, read_many, result)


def labels(value):
    return sorted({v.strip() for v in value or () if v.strip()})


FIELDS = dict(
    text=Field(text=True),
    labels=Field(normalise=labels),
    kind=Field(create_only=True, where='in the web admin'),
    secret=Field(secret=True),
)
LIVE = dict(text='one\ntwo\n', labels=['a', ' b'], kind='wiki')


class Recorder:
    def __init__(self, stored=None):
        self.calls = []
        self.stored = stored

    def create(self, desired):
        self.calls.append(('create', desired))
        return dict(self.stored or desired)

    def update(self, live, delta, desired):
        self.calls.append(('update', delta))
        merged = dict(live)
        merged.update(self.stored or desired)
        return merged


def test_nothing_differs_after_normalisation():
    rec = Recorder()
    out = converge(Context(), 'page', FIELDS, LIVE, dict(text='one\ntwo\n', labels=['b', 'a', 'a'], kind=None),
                   rec.create, rec.update)
    assert out.action == 'none' and not out.changed and out.diff() == [] and rec.calls == []


def test_only_fields_the_user_set_are_compared():
    rec = Recorder()
    out = converge(Context(), 'page', FIELDS, LIVE, dict(labels=['a', 'b']), rec.create, rec.update)
    assert not out.changed


def test_update_sends_only_the_delta_and_diff_shows_exactly_it():
    rec = Recorder()
    out = converge(Context(diff_mode=True), "wiki page 'Home'", FIELDS, LIVE, dict(text='one\nthree\n', labels=['a', 'b']),
                   rec.create, rec.update)
    assert rec.calls == [('update', {'text': 'one\nthree\n'})]
    head, text = out.diff()
    assert head['before'] == {'text': '(2 lines, 8 characters)'} and head['after'] == {'text': '(2 lines, 10 characters)'}
    assert text['before'] == 'one\ntwo\n' and text['after'] == 'one\nthree\n'
    assert text['before_header'] == "wiki page 'Home': text"


def test_create_diff_has_empty_before():
    rec = Recorder()
    out = converge(Context(diff_mode=True), 'page', FIELDS, None, dict(text='x', labels=['a']), rec.create, rec.update)
    head = out.diff()[0]
    assert out.action == 'create' and head['before'] == {} and head['after']['labels'] == ['a']


def test_check_mode_writes_nothing_and_returns_the_same_keys():
    desired = dict(text='new', labels=['z'])
    check_rec = Recorder()
    checked = result(Context(check_mode=True, diff_mode=True), 'page',
                     converge(Context(check_mode=True), 'page', FIELDS, LIVE, desired, check_rec.create, check_rec.update))
    assert check_rec.calls == []
    rec = Recorder()
    real = result(Context(diff_mode=True), 'page', converge(Context(), 'page', FIELDS, LIVE, desired, rec.create, rec.update))
    assert rec.calls == [('update', {'text': 'new', 'labels': ['z']})]
    assert sorted(checked) == sorted(real)
    assert checked['changed'] is real['changed'] is True
    assert checked['diff'] == real['diff']
    assert checked['page'] == real['page']


def test_check_mode_create_predicts_without_writing():
    rec = Recorder()
    out = converge(Context(check_mode=True), 'page', FIELDS, None, dict(text='x'), rec.create, rec.update)
    assert out.action == 'create' and out.after == {'text': 'x'} and rec.calls == []


def test_create_only_drift_is_a_warning_in_check_mode():
    ctx = Context(check_mode=True)
    out = converge(ctx, "tool 'docs'", FIELDS, LIVE, dict(kind='blog'), None, None)
    assert out.changed
    assert out.diff()[0]['after'] == {'kind': 'blog'}
    assert "kind is 'wiki' on the server but 'blog' is wanted" in ctx.warnings[0]
    assert 'in the web admin' in ctx.warnings[0]


def test_create_only_drift_fails_a_real_run_before_any_write():
    rec = Recorder()
    with pytest.raises(AlluraError) as err:
        converge(Context(), "tool 'docs'", FIELDS, LIVE, dict(kind='blog', text='changed too'), rec.create, rec.update)
    assert "kind is 'wiki' on the server but 'blog' is wanted" in err.value.message
    assert err.value.details['drift'] == {'kind': {'live': 'wiki', 'desired': 'blog'}}
    assert rec.calls == []


def test_secret_is_never_compared_but_counts_when_resent():
    rec = Recorder()
    quiet = converge(Context(), 'hook', FIELDS, LIVE, dict(secret='s3cr3t'), rec.create, rec.update)
    assert not quiet.changed
    loud = converge(Context(diff_mode=True), 'hook', FIELDS, LIVE, dict(secret='s3cr3t'), rec.create, rec.update,
                    secrets_sent=['secret'])
    assert loud.changed
    assert 's3cr3t' not in repr(loud.diff()) and loud.diff()[0]['after'] == {'secret': REDACTED}


def test_server_storing_something_else_is_detected():
    rec = Recorder(stored=dict(LIVE, labels=['other']))
    with pytest.raises(AlluraError, match=r"stored labels=\['other'\] instead of \['x'\]") as err:
        converge(Context(), 'page', FIELDS, LIVE, dict(labels=['x']), rec.create, rec.update)
    assert err.value.result()['changed'] is True  # the write was made


def test_bulk_result_summarises():
    ctx = Context(diff_mode=True)
    rec = Recorder()
    outcomes = [converge(ctx, 'p%d' % i, FIELDS, live, dict(text='same'), rec.create, rec.update)
                for i, live in enumerate([None, dict(text='same'), dict(text='other')])]
    out = bulk_result(ctx, 'pages', outcomes)
    assert out['summary'] == dict(created=1, updated=1, unchanged=1)
    assert [p['action'] for p in out['pages']] == ['create', 'none', 'update']
    assert out['changed'] is True and len(out['diff']) == 4  # create: head + text; update: head + text


@pytest.mark.parametrize('parallel', [1, 4])
def test_read_many_keeps_order(parallel):
    assert read_many(lambda k: k * 2, range(20), parallel=parallel) == [k * 2 for k in range(20)]


def test_read_many_runs_first_alongside_the_reads():
    """The dependency check does not cost a round trip of its own: it runs while the reads do."""
    a_read_ran = threading.Event()

    def first():
        assert a_read_ran.wait(5), 'the reads waited for the check'

    def read(key):
        a_read_ran.set()
        return key

    assert read_many(read, range(10), parallel=4, first=first) == list(range(10))


@pytest.mark.parametrize('parallel', [1, 4])
def test_read_many_first_error_wins_and_drops_the_remaining_reads(parallel, monkeypatch):
    """Only the reads already running when the check failed run; they are held until every read was
    cancelled (counted, not timed), so that a read could only start after that if none was dropped."""
    started, cancelled = [], []
    all_cancelled = threading.Event()
    real_cancel = Future.cancel

    def cancel(future):
        cancelled.append(future)
        if len(cancelled) == 100:
            all_cancelled.set()
        return real_cancel(future)
    monkeypatch.setattr(Future, 'cancel', cancel)

    def first():
        raise AlluraError('project p/x has no tool at mount_point %r' % 'wiki', missing='tool')

    def read(key):
        started.append(key)
        if not all_cancelled.wait(5):  # nothing was cancelled: let the rest run, and fail below
            all_cancelled.set()
        raise AlluraError('HTTP 404 for page %d' % key)

    with pytest.raises(AlluraError, match='no tool at mount_point') as err:
        read_many(read, range(100), parallel=parallel, first=first)
    assert err.value.details == dict(missing='tool')
    assert len(started) <= (parallel if parallel > 1 else 0)  # one per worker at most; none when reading one at a time


def _number_equal(have, want):
    try:
        return float(have) == float(want)
    except (TypeError, ValueError):
        return have == want


PARTIAL = dict(extra=Field(partial=True, equal=_number_equal))


def test_equal_sees_the_live_type():
    fields = dict(size=Field(equal=_number_equal))
    assert not converge(Context(), 'x', fields, dict(size=3), dict(size='3.0'), None, None).changed
    assert converge(Context(check_mode=True), 'x', fields, dict(size=3), dict(size='4'), None, None).changed


def test_partial_dict_compares_only_the_keys_set():
    live = dict(extra={'a': 1, 'b': 'keep', 'c': True})
    assert not converge(Context(), 'x', PARTIAL, live, dict(extra={'a': '1'}), None, None).changed
    out = converge(Context(check_mode=True), 'x', PARTIAL, live, dict(extra={'a': 2, 'b': 'keep', 'z': None}), None, None)
    assert out.delta == {'extra': ({'a': 1}, {'a': 2})}
    assert out.diff()[0]['before'] == {'extra': {'a': 1}} and out.diff()[0]['after'] == {'extra': {'a': 2}}
    assert out.after == dict(extra={'a': 2, 'b': 'keep', 'c': True})  # prediction merges, keeps the rest


def test_partial_dict_update_gets_the_desired_dict_and_is_verified():
    rec = Recorder(stored=dict(extra={'a': 1}))  # the server drops key 'new'
    with pytest.raises(AlluraError, match=r"stored extra=\{'new': None\} instead of \{'new': 'v'\}"):
        converge(Context(), 'x', PARTIAL, dict(extra={'a': 1}), dict(extra={'new': 'v'}), rec.create, rec.update)
    assert rec.calls == [('update', {'extra': {'new': 'v'}})]


def test_labels_helpers():
    from ansible_collections.allura.forge.plugins.module_utils._client import ParameterError
    from ansible_collections.allura.forge.plugins.module_utils._state import LABELS, check_labels, clean_labels
    assert clean_labels(['b', ' a', '', 'b ', None and 'x' or 'a']) == ['b', 'a']
    assert check_labels(None, 'labels') is None and check_labels([' x', 'x'], 'labels') == ['x']
    with pytest.raises(ParameterError, match=r"pages\[2\].labels\[1\] 'a,b' contains a comma"):
        check_labels(['ok', 'a,b'], 'pages[2].labels')
    assert LABELS.equal(['x', ' y', '', 'z'], ['z', 'y', 'x', 'x']) and not LABELS.equal(['x'], ['x', 'y'])


# -- re-reading after a write only where the server may silently store something else ------------

VERIFIED = dict(text=Field(text=True), owner=Field(verify=True), tags=Field(normalise=labels))


class Server:
    """A write answers `answer`; a re-read returns `stored` (or the prediction it is given)."""

    def __init__(self, answer=None, stored=None):
        self.answer = answer
        self.stored = stored
        self.calls = []

    def create(self, desired):
        self.calls.append('create')
        return self.answer

    def update(self, live, delta, desired):
        self.calls.append(('update', sorted(delta)))
        return self.answer

    def reread(self, after):
        self.calls.append('reread')
        return dict(after, **(self.stored or {}))


def test_write_of_fields_stored_as_sent_is_predicted_not_reread():
    server = Server(answer={'id': 7})
    out = converge(Context(), 'item', VERIFIED, None, dict(text='hello', tags=['a']), server.create, server.update,
                   reread=server.reread)
    assert server.calls == ['create']
    assert out.after == {'text': 'hello', 'tags': ['a'], 'id': 7} and out.predicted is True
    check = converge(Context(check_mode=True), 'item', VERIFIED, None, dict(text='hello', tags=['a']), reread=server.reread,
                     create=server.create)
    assert check.predicted is True and {k: v for k, v in out.after.items() if k != 'id'} == check.after


def test_write_of_a_verify_field_is_reread_and_checked():
    server = Server(answer={'id': 7}, stored={'owner': 'bob'})
    out = converge(Context(), 'item', VERIFIED, None, dict(text='hello', owner='bob'), server.create, reread=server.reread)
    assert server.calls == ['create', 'reread'] and out.predicted is False and out.after['owner'] == 'bob'

    dropped = Server(answer={'id': 7}, stored={'owner': None})
    with pytest.raises(AlluraError) as err:
        converge(Context(), 'item', VERIFIED, None, dict(text='hello', owner='eve'), dropped.create, reread=dropped.reread)
    assert "item: the server accepted the change but stored owner=None instead of 'eve'" in str(err.value)
    assert err.value.details['changed'] is True


def test_update_rereads_only_when_a_sent_field_needs_it():
    live = dict(text='old', owner='bob', tags=['a'])
    server = Server()
    out = converge(Context(), 'item', VERIFIED, live, dict(text='new', owner='bob'), update=server.update, reread=server.reread)
    assert server.calls == [('update', ['text'])]  # owner is unchanged, so not sent, so not re-read
    assert out.after == dict(live, text='new') and out.predicted is True
    server = Server(stored={'owner': 'eve'})
    out = converge(Context(), 'item', VERIFIED, live, dict(owner='eve'), update=server.update, reread=server.reread)
    assert server.calls == [('update', ['owner']), 'reread'] and out.predicted is False


def test_without_reread_the_answer_is_the_resource_and_is_checked():
    server = Server(answer={'text': 'as stored', 'id': 3})
    with pytest.raises(AlluraError) as err:
        converge(Context(), 'item', VERIFIED, None, dict(text='hello'), server.create)
    assert "stored text='as stored' instead of 'hello'" in str(err.value)
    server = Server(answer={'text': 'hello', 'id': 3})
    out = converge(Context(), 'item', VERIFIED, None, dict(text='hello'), server.create)
    assert out.after == {'text': 'hello', 'id': 3} and out.predicted is False


def test_delete_outcome_diff_and_bulk_summary_counts_deletes():
    out = Outcome('delete', dict(url='u', id='1'), {}, dict(url=('u', None), id=('1', None)), 'hook u', {})
    assert out.changed and out.diff() == [{'before_header': 'hook u', 'after_header': 'hook u',
                                           'before': {'id': '1', 'url': 'u'}, 'after': {}}]
    none = Outcome('none', None, {}, {}, 'hook v', {})
    done = bulk_result(Context(diff_mode=True), 'hooks', [out, none], deletes=True)
    assert done['summary'] == {'created': 0, 'updated': 0, 'deleted': 1, 'unchanged': 1}
    assert done['hooks'] == [{'action': 'delete'}, {'action': 'none'}] and len(done['diff']) == 1
    assert 'deleted' not in bulk_result(Context(), 'hooks', [none])['summary']


@pytest.mark.parametrize('value, words', [(0, 'parallel 0 is out of range: give 1 to 16'), (17, 'parallel 17 is out of range'),
                                          (-3, 'parallel -3 is out of range')])
def test_parallel_option_refuses_what_the_connection_pool_cannot_serve(value, words):
    from ansible_collections.allura.forge.plugins.module_utils._client import ParameterError
    from ansible_collections.allura.forge.plugins.module_utils._state import parallel_option
    with pytest.raises(ParameterError, match=words):
        parallel_option(dict(parallel=value))


def test_parallel_option_default_and_bounds():
    from ansible_collections.allura.forge.plugins.module_utils._state import parallel_option
    assert parallel_option({}) == 8 and parallel_option(dict(parallel=None)) == 8
    assert [parallel_option(dict(parallel=n)) for n in (1, 16)] == [1, 16]
