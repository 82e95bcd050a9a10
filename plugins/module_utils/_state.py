# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The desired-state engine: compare, predict, diff and apply, the same way for every resource.

A module describes its resource with Fields (how to normalise each one, whether the REST API can
change it after creation, whether it is long text or a secret, whether the server may store it
differently without saying so) and gives the callables create, update and reread. The engine
compares only the fields the user set, derives `changed` from the difference, writes nothing in
check mode, checks the server really stored what was asked (re-reading only where the server may
silently store something else), and returns the same keys in check mode as in a real run.
"""

from __future__ import annotations

import threading

from ansible_collections.allura.forge.plugins.module_utils._errors import MAX_PARALLEL, AlluraError, Deferred, ParameterError

REDACTED = '<hidden>'


class Field:
    """How one field of a resource is compared.

    normalise: maps a live or desired value to the form in which equal values compare equal.
    create_only: the REST API cannot change it once the resource exists (drift, never written).
    text: long text, shown as a unified diff of its own.
    secret: never shown, never compared (write-only on the server).
    where: for create_only fields, where a person can change it instead.
    equal: equal(live, desired) -> bool, for values whose type shows only on the live side (a server
      that stores "3" as 3); replaces comparing normalise(live) with normalise(desired).
    partial: a dict compared only on the keys the user set (each value with equal/normalise); the
      diff shows only the differing keys and a prediction merges the desired keys into the live dict.
    verify: the server may store something else than was sent without an error (drop it, ignore it,
      replace it): a write that sends this field is followed by a re-read, and what is stored is
      checked. A field without it is stored as sent (the REST reference says so), so the resource
      after such a write is predicted, not read back (see converge's `reread`).
    """

    def __init__(self, normalise=None, create_only=False, text=False, secret=False, where=None, equal=None,
                 partial=False, verify=False):
        self.normalise = normalise or (lambda value: value)
        self.create_only = create_only
        self.text = text
        self.secret = secret
        self.where = where
        self.equal = equal or (lambda have, want: self.normalise(have) == self.normalise(want))
        self.partial = partial
        self.verify = verify

    def delta(self, have, want):
        """None when have and want agree, else the (live, desired) pair to report."""
        if not self.partial:
            return None if self.equal(have, want) else (have, want)
        have = have or {}
        keys = sorted(k for k, v in want.items() if v is not None and not self.equal(have.get(k), v))
        return ({k: have.get(k) for k in keys}, {k: want[k] for k in keys}) if keys else None


def clean_labels(labels):
    """Labels as they mean: trimmed, non-empty, first occurrence kept (Allura stores the comma-split input as is)."""
    out = []
    for label in labels or ():
        label = label.strip()
        if label and label not in out:
            out.append(label)
    return out


def check_labels(labels, option):
    """Labels as they are sent (cleaned); a label with a comma fails, since the server splits on commas."""
    for index, label in enumerate(labels or ()):
        if ',' in label:
            raise ParameterError('%s[%d] %r contains a comma: the server splits labels on commas, so a label cannot '
                                 'contain one; give each label as its own list item' % (option, index, label))
    return None if labels is None else clean_labels(labels)


# Labels compared as a set of cleaned labels (order, spaces, empties and duplicates do not count).
LABELS = Field(normalise=lambda labels: sorted(clean_labels(labels)))


class Context:
    """What a module run knows besides its parameters."""

    def __init__(self, check_mode=False, diff_mode=False, warn=None, progress=None):
        self.check_mode = check_mode
        self.diff_mode = diff_mode
        self.warnings = []
        self._warn = warn
        self.progress = progress  # progress(message): shown while the task runs (on the controller only), or None
        self._lock = threading.Lock()  # concurrent writes warn too

    def warn(self, message):
        with self._lock:
            if message in self.warnings:  # say a thing once, however many items share it
                return
            self.warnings.append(message)
        if self._warn:
            self._warn(message)


def changes(fields, live, desired):
    """{name: (live value, desired value)} for every field the user set that differs, normalised."""
    out = {}
    for name, want in desired.items():
        field = fields[name]
        if want is None or field.secret:
            continue
        found = field.delta(None if live is None else live.get(name), want)
        if found:
            out[name] = found
    return out


class CreatedMeanwhile(Exception):
    """Raised by a create the server refused because the resource exists now (another run made it since it was read:
    a tool's mount point taken, a webhook with that URL): `live` is the resource as read again. converge() then
    converges that instead, so a resource that matches counts as converged, never as a failure. `desired`: what to
    compare it with, when not what the create sent (defaults a create fills in, which an existing resource keeps)."""

    def __init__(self, live, desired=None):
        super().__init__('created meanwhile')
        self.live, self.desired = live, desired


class Outcome:
    """The result of converging one resource."""

    def __init__(self, action, before, after, delta, label, fields, predicted=False):
        self.action = action  # 'create', 'update', 'delete' or 'none'
        self.before = before
        self.after = after
        self.delta = delta
        self.label = label
        self.fields = fields
        # after is a prediction (check mode, or a write whose result the server's answer and the
        # fields' rules tell exactly) rather than what the server returned or was read back
        self.predicted = predicted

    @property
    def changed(self):
        return self.action != 'none'

    def diff(self):
        """Ansible diff entries: one with the differing fields, one unified diff per text field."""
        if not self.changed:
            return []
        head = {'before_header': self.label, 'after_header': self.label, 'before': {}, 'after': {}}
        if self.action == 'delete':  # delta: the fields that identify what goes, as (live, None)
            head['before'] = {name: have for name, (have, want) in sorted(self.delta.items())}
            return [head]
        texts = []
        for name, (have, want) in sorted(self.delta.items()):
            field = self.fields[name]
            if field.secret:
                head['before'][name], head['after'][name] = REDACTED, REDACTED
            elif field.text:
                old, new = as_text(have), as_text(want)
                head['before'][name] = _summary(old) if self.action != 'create' else None
                head['after'][name] = _summary(new)
                texts.append({'before_header': '%s: %s' % (self.label, name), 'after_header': '%s: %s' % (self.label, name),
                              'before': old, 'after': new})
            else:
                head['before'][name] = have if self.action != 'create' else None
                head['after'][name] = want
        if self.action == 'create':
            head['before'] = {}
        return [head] + texts


def as_text(value):
    """A value as text (None: '')."""
    return '' if value is None else str(value)


def first_line(text, width=40):
    """A text as a name shows it: its first line, shortened (with '...' when anything is left out)."""
    line = text.strip().split('\n', 1)[0]
    return line if len(line) <= width and line == text else line[:width - 3].rstrip() + '...'


def _summary(text):
    lines = text.count('\n') + (1 if text and not text.endswith('\n') else 0)
    return '(%d lines, %d characters)' % (lines, len(text))


def converge(ctx, label, fields, live, desired, create=None, update=None, secrets_sent=None, reread=None):
    """Bring one resource to `desired`.

    live: the current resource (a dict of at least the declared fields) or None when absent.
    desired: the fields the user set (None = not set, ignored).
    create(desired) / update(live, delta, desired): write, and return the resource as the server answered.
    reread: without it, that answer is the resource as stored (the server's answer to the write is the
      resource, as for webhooks and links). With it, the answer may be partial (what the server assigned,
      such as an id or a number, or nothing): the resource after the write is the prediction (exactly what
      check mode reports) completed by the answer, and reread(after) reads it back only when the write sent
      a field declared `verify`, which the server may store differently without saying so.
    Either way, what was sent is checked against the result.
    secrets_sent: names of secret fields that will be (re-)sent on update; they count as a change.
    """
    desired = {k: v for k, v in desired.items() if v is not None}
    if live is None:
        if create is None:
            raise AlluraError('%s does not exist and cannot be created by this module' % label)
        delta = changes(fields, None, desired)
        if ctx.check_mode:
            return Outcome('create', None, _predict(None, desired, fields), delta, label, fields, predicted=True)
        try:
            answer = create(desired)
        except CreatedMeanwhile as exc:
            ctx.warn('%s was created meanwhile by another run (the server refused to create it again); it is compared with '
                     'the spec as it is now' % label)
            return converge(ctx, label, fields, exc.live, desired if exc.desired is None else exc.desired, update=update,
                            secrets_sent=secrets_sent, reread=reread)
        after, predicted = _written(label, fields, None, desired, desired, desired, answer, reread)
        return Outcome('create', None, after, delta, label, fields, predicted=predicted)

    delta = changes(fields, live, desired)
    for name in secrets_sent or ():
        if desired.get(name) is not None:
            delta[name] = (REDACTED, REDACTED)
    frozen = sorted(name for name in delta if fields[name].create_only)
    if frozen:
        report = '; '.join('%s is %r on the server but %r is wanted' % (n, delta[n][0], delta[n][1]) for n in frozen)
        where = sorted({fields[n].where for n in frozen if fields[n].where})
        hint = ('the REST API cannot change %s after creation: change it %s, or adapt the task'
                % (', '.join(frozen), ' / '.join(where) if where else 'in the web interface'))
        if not ctx.check_mode:
            raise AlluraError('%s: %s; %s' % (label, report, hint), drift={n: dict(live=delta[n][0], desired=delta[n][1]) for n in frozen})
        ctx.warn('%s: %s (%s)' % (label, report, hint))
    if not delta:
        return Outcome('none', live, live, {}, label, fields)
    if ctx.check_mode:
        return Outcome('update', live, _predict(live, desired, fields), delta, label, fields, predicted=True)
    writable = {k: v for k, v in desired.items() if not fields[k].create_only}
    sent = {k: desired[k] for k in delta}
    after, predicted = _written(label, fields, live, desired, writable, sent, update(live, sent, desired), reread)
    return Outcome('update', live, after, delta, label, fields, predicted=predicted)


def _written(label, fields, live, desired, check, sent, answer, reread):
    """(the resource after a write, whether it is predicted), checked against `check`."""
    if reread is None:
        return verify(label, fields, check, answer), False
    after = _predict(live, desired, fields)
    if isinstance(answer, dict):
        after.update(answer)
    if any(fields[name].verify for name in sent):
        return verify(label, fields, check, reread(after)), False
    return verify(label, fields, check, after), True


def _predict(live, desired, fields):
    after = dict(live or {})
    for name, value in desired.items():
        if fields[name].partial:
            merged = dict(after.get(name) or {})
            merged.update((k, v) for k, v in value.items() if v is not None)
            after[name] = merged
        elif not fields[name].secret:
            after[name] = value
    return after


def verify(label, fields, desired, after):
    """`after`, or a failure when the server silently stored something else than was sent (it does, for some fields)."""
    left = changes(fields, after, desired)
    if left:
        raise AlluraError('%s: the server accepted the change but stored %s' % (
            label, '; '.join('%s=%r instead of %r' % (n, have, want) for n, (have, want) in sorted(left.items()))),
            resource=after, changed=True)
    return after


def result(ctx, key, outcome):
    """The module result for one resource."""
    out = dict(changed=outcome.changed, action=outcome.action)
    out[key] = outcome.after
    if ctx.diff_mode:
        out['diff'] = outcome.diff()
    return out


SUMMARY_KEYS = {'create': 'created', 'update': 'updated', 'delete': 'deleted', 'none': 'unchanged'}


def bulk_result(ctx, key, outcomes, deletes=False):
    """The module result for a list of resources: one entry each, a summary, all diffs.

    deletes: the module can delete, so the summary also counts `deleted`.
    """
    summary = dict(created=0, updated=0, unchanged=0)
    if deletes:
        summary['deleted'] = 0
    for item in outcomes:
        summary[SUMMARY_KEYS[item.action]] += 1
    out = dict(changed=any(o.changed for o in outcomes), summary=summary)
    out[key] = [dict(o.after or {}, action=o.action) for o in outcomes]
    if ctx.diff_mode:
        out['diff'] = [entry for o in outcomes for entry in o.diff()]
    return out


def named(exc, name):
    """`exc` with its message prefixed by the name of the bulk item it is about ('tools[3]: ...'), if any."""
    if name:
        exc.message = '%s: %s' % (name, exc.message)
        exc.args = (exc.message,)
    return exc


DEFAULT_PARALLEL = 8  # the default of the `parallel` options: requests of one task at once


def parallel_option(params, default=DEFAULT_PARALLEL):
    """The `parallel` option of a bulk form (how many reads run at once), checked: 1 to MAX_PARALLEL."""
    parallel = default if params.get('parallel') is None else params['parallel']
    if not 1 <= parallel <= MAX_PARALLEL:
        raise ParameterError('parallel %r is out of range: give 1 to %d' % (parallel, MAX_PARALLEL))
    return parallel


def read_many(read_one, keys, parallel=DEFAULT_PARALLEL, first=None):
    """read_one(key) for every key, at most `parallel` at a time, results in the order of keys.

    first: the check the reads depend on (that the project and its tool exist), run alongside them
    instead of one round trip before: its error wins over theirs, and the reads not yet started are
    then dropped. Reads only: writes go through write_many.
    """
    keys = list(keys)
    jobs = len(keys) + (first is not None)
    if parallel <= 1 or jobs <= 1:
        if first is not None:
            first()
        return [read_one(key) for key in keys]
    from concurrent.futures import ThreadPoolExecutor
    with ThreadPoolExecutor(max_workers=min(parallel, jobs)) as pool:
        checked = pool.submit(first) if first is not None else None
        reads = [pool.submit(read_one, key) for key in keys]
        if checked is not None:
            try:
                checked.result()
            except BaseException:
                for read in reads:
                    read.cancel()
                raise
        return [read.result() for read in reads]


def write_many(write_one, independent, parallel, client):
    """write_one(index, together) for every index of `independent`, in their order: ({index: result}, {index: exception}).

    independent[index]: that write may run alongside the others, up to `parallel` at a time; the other writes go one
    at a time (alongside the independent ones). Each write starts once those before it have started. `together`:
    others may be in flight meanwhile (see below).

    The first failure stops new writes from starting: those in flight finish, and their results (or failures) are
    returned with the others. When the server pushes back (client.pushback: a 429, a 5xx, no answer), nothing new
    starts until the writes in flight are done, and the rest go one at a time, as in a sequential run: a write that a
    creation limit refused while others were in flight (Deferred: sent `together`, inside
    AlluraClient.deferring_limits) is sent again in its turn.
    """
    from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
    done, failed, running = {}, {}, {}  # running: {future: index}
    pending = list(range(len(independent)))
    calm = client.pushback

    def startable():
        """Whether pending[0] may start now."""
        if failed or not pending or len(running) >= parallel:
            return False
        if client.pushback != calm:  # one at a time from now on
            return not running
        return independent[pending[0]] or all(independent[index] for index in running.values())

    with ThreadPoolExecutor(max_workers=parallel) as pool:
        while pending or running:
            while startable():
                index = pending.pop(0)
                running[pool.submit(write_one, index, client.pushback == calm)] = index
            if not running:
                break
            finished, _pending = wait(list(running), return_when=FIRST_COMPLETED)
            for future in finished:
                index = running.pop(future)
                try:
                    done[index] = future.result()
                except Deferred:
                    pending = sorted(pending + [index])
                except Exception as exc:  # pylint: disable=broad-except  # raised by the caller once all are done
                    failed[index] = exc
    return done, failed
