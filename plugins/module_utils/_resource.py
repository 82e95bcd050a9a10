# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Resources as declarations, and the one batch driver that converges them.

A module that converges one resource of a kind, or many in one task (its bulk option, such as
`pages:`), declares the kind as a Resource and hands its run to it:

    class Page(Resource):
        one, many = 'page', 'pages'   # result key of the single form; option and result key of the bulk form
        options = PAGE_SPEC           # the options of one item: top-level in the single form, per item in the other
        required = 'title'            # the single form's option without which neither form is given
        key = ('title',)              # the options that identify an item (the last one names it in messages)
        kinds = WIKI_TOOLS            # the tool kinds it lives in (None: in the project itself)
        purpose = 'allura_wiki_page'  # who needs such a tool, for the message when the tool is of another kind
        fields = dict(text=Field(text=True), labels=LABELS)   # what is compared (the engine's Fields)
        create_requires = ('text',)   # what an item needs when the resource does not exist yet

        def check(self, item): ...    # validate, and normalise as the server stores them, item.values
        def read(self, item): ...     # the live resource (a dict holding the fields), or None
        def create(self, item, desired): ...           # write; return the server's answer
        def update(self, item, live, sent, desired): ...

    ARGUMENT_SPEC = Page.argument_spec(mount_point=dict(type='str', default='wiki'), parallel=PARALLEL)
    MUTUALLY_EXCLUSIVE = Page.mutually_exclusive()  # one constant per line: ansible-doc reads the module's AST
    REQUIRED_ONE_OF = Page.required_one_of()

    def run(params, client, ctx):
        return Page(params, client, ctx).run()

`run()` always goes the same way: every item checked and repeated keys refused, before any request ->
`resolve` -> every item read, `parallel` at a time, while the project and its tool are checked
alongside (that error wins over the reads') -> `ready` -> each item converged by the engine (`converge`;
`state: absent` deletes): one after the other in the order given, or, for the writes the kind declares
`concurrent`, `parallel` at a time (see below) -> `finish` -> the result: the one resource's (`action`,
`<one>`, `diff`), or one entry per item, in the order of the items, with a `summary`. A failure of a bulk
item names it (`pages[3]: ...`) and keeps the results of the items converged (those before it, and those
in flight alongside it).

Declared as well where it applies:
    concurrent      the writes ('create', 'update', 'delete') that are independent of each other on the server: a bulk
                    task makes them up to `parallel` at a time (never in check mode), the other writes one at a time in
                    the order given, alongside (write_many). The first failure starts nothing new (the writes in flight
                    finish and are reported); a 429, 5xx or timeout makes the rest go one at a time, a 429 met in flight
                    being sent again in its turn (AlluraClient.deferring_limits), so that a creation limit (REFERENCE
                    1.9) is met once more at most per write in flight. Wiki pages declare creates and updates (a page
                    POST is an upsert of that page), tickets their updates (creates are numbered in the order sent).
                    Not declared: tools (each install renumbers every tool, 5.2), webhooks (a per-tool limit, 6.3),
                    blog posts (each create and update counts against the creation limit, and a create is not
                    idempotent) and comments (a thread shows them in the order posted)
    number, listed  the option holding the number the server gives a resource (a ticket's ticket_num), and the
                    key of the tool's paginated listing ('tickets'): an item without a number is found by its
                    key in that listing (`index()`, one read, alongside the check of the tool) or else created;
                    a number that does not exist is an error
    returns         the resource as the module returns it: {key: value when unknown} (default: as the engine
                    has it); `volatile`: the fields every write changes (unknown after a predicted write)
    identity        the fields a deletion's diff shows
    twins           where the server lets two resources share a key (tickets, blog posts, comments): how a person
                    resolves that (ticket: 'close one as a duplicate ..., or give ticket_num'). Each resource the task
                    creates is then looked for at once in the listing again (`twins_of`), before the next create:
                    another one with its key, created meanwhile by a run the lock cannot see (on another controller, or
                    with `lock: false`), fails the task naming both, and a key found twice fails before any write, so no
                    third is ever made
    newest_first    the listing shows the newest first (a tracker's): that look reads only what is new since the
                    listing was read, not all of it again, and nothing when the number of the new one follows the
                    newest the task has seen (none can have been made in between)
Hooks, each with a default, overridden only where a resource differs:
    label(item)             how messages and diffs name it ('p/test wiki page 'Home'')
    resolve(items)          find the numbers (see `number`)
    read_all(items)         read otherwise than one `read` per item (webhooks: one listing per repository)
    unlisted(items)         with `purge` (declared by a module whose ARGUMENT_SPEC takes PURGE): after the reads, an
                            item deleting each resource no item lists, made from complete listings (see purge_items)
    ready(items)            check what was read, before the first write (default: `create_requires`, `number`)
    desired(item)           the fields to converge to (default: the item's values of the fields)
    secrets_sent(item)      the secret fields an update re-sends (they count as a change)
    reread(item, after)     the server's answer to a write is not the resource (default): the resource after a write
                            is predicted, and read back only when a field declared `verify` was sent (default:
                            `read`). Set to None when the answer is the resource.
    delete(item)            declared when `state: absent` removes the resource (item.live)
    public(item, outcome)   the resource as the module returns it (default: from `returns`)
    web_url(item, number)   the address of a resource in the web interface, for messages, or None (default: the tool's
                            URL and the number: a ticket's)
    finish(items, outcomes) after the last write (tools: one project re-read verifies every install)
`stored(item, want)` is a ready-made `recheck` for a write, `denied(item, permission, who)` its `denied` (see
AlluraClient.request). An Item holds `name` ('' in the single form, 'pages[3]' in the other), `opt` (its
option prefix in messages, '' or 'pages[3].'), `values` (its options, every one present) and `live`. The
hooks see `self.project`, `self.client`, `self.ctx`, `self.parallel` and `self.where(item)` (its mount point).

A create the server refuses because the resource exists now (made meanwhile by another run) raises CreatedMeanwhile
with the resource read again: the engine converges that instead (see _state.converge).

Every module declared here takes the lock options (`argument_spec`): the action plugin holds the project's lock while
the task runs (plugin_utils/_lock.py).

tests/unit/plugins/module_utils/test_resource.py declares a new kind in about 40 lines (posts found by
title or addressed by number, deleted with `state: absent`) and tests the driver through it.
"""

from __future__ import annotations

from contextlib import nullcontext
from functools import partial

from ansible_collections.allura.forge.plugins.module_utils._allura import default_mount_point
from ansible_collections.allura.forge.plugins.module_utils._client import AlluraError, Denied, ParameterError
from ansible_collections.allura.forge.plugins.module_utils._module import LOCK_SPEC, bulk_spec
from ansible_collections.allura.forge.plugins.module_utils._project import Project
from ansible_collections.allura.forge.plugins.module_utils._state import (
    DEFAULT_PARALLEL, Outcome, bulk_result, changes, converge, named, parallel_option, read_many, result, write_many)

# The `parallel` option of a module whose bulk form reads (and, where `concurrent` says, writes) concurrently.
PARALLEL = dict(type='int', default=DEFAULT_PARALLEL)
# A bulk module's `purge` and `purge_max` (see Resource.purge_items).
PURGE_MAX = 10
PURGE = dict(purge=dict(type='bool', default=False), purge_max=dict(type='int', default=PURGE_MAX))


class Item:
    """One resource a task asks for: its name, its option prefix, its values; its live state once read."""

    def __init__(self, name, values):
        self.name = name
        self.opt = name + '.' if name else ''
        self.values = values
        self.live = None


class Resource:
    one = many = required = purpose = number = None
    purged_from = None  # with `purge`: where the resources it deletes live, as its message says
    options = fields = {}
    key = identity = create_requires = volatile = ()
    kinds = returns = listed = twins = None
    newest_first = False
    empty = False  # the bulk option may be an empty list (nothing to converge) instead of an error
    update = delete = None
    # The writes ('create', 'update', 'delete') independent of each other on the server: a bulk task makes them up to
    # `parallel` at a time; the others go one at a time in the order given (see write_many)
    concurrent = ()

    def __init__(self, params, client, ctx):
        self.params, self.client, self.ctx = params, client, ctx
        self.project = None
        self.parallel = 1
        self.known, self.newest = {}, None  # with `number`: {key value: [numbers]} as the task has seen them, the highest
        # a mount point for the whole task (a wiki's pages), unless each item has its own (webhooks)
        self.mount_point = None
        if 'mount_point' not in self.options and self.kinds:
            self.mount_point = params.get('mount_point') or default_mount_point(self.kinds[0])

    @classmethod
    def argument_spec(cls, **task_options):
        """The module's ARGUMENT_SPEC: `project`, the lock's options, the options of the task as a whole, and the item
        options both at the top level (the single form) and under `many`."""
        spec = dict(project=dict(type='str', required=True), **LOCK_SPEC)
        spec.update(task_options)
        spec.update(bulk_spec(cls.many, cls.options))
        return spec

    @classmethod
    def mutually_exclusive(cls):
        return [(cls.many, name) for name in cls.options]

    @classmethod
    def required_one_of(cls):
        return [(cls.required, cls.many)] if cls.required else []

    # -- the driver ---------------------------------------------------------------------------

    def run(self):
        items = self.items()
        if 'parallel' in self.params:
            self.parallel = parallel_option(self.params)
        self.project = Project(self.client, self.params['neighborhood'], self.params['project'])
        self.resolve(items)
        self.read_all(items)
        if self.purge_max is not None:
            items.extend(self.purge_items(self.unlisted(items)))
        self.ready(items)
        outcomes = self.converge_all(items)
        self.finish(items, outcomes)
        if self.params.get(self.many) is not None:
            return bulk_result(self.ctx, self.many, outcomes, deletes=bool(self.delete))
        return result(self.ctx, self.one, outcomes[0])

    def items(self):
        """The items, checked, each key once: nothing has been sent yet."""
        params, many = self.params, self.many
        self.purge_max = self.purge_option()
        if self.required and params.get(many) is None and params.get(self.required) is None:
            raise ParameterError('one of %s or %s is required' % (self.required, many))
        if params.get(many) is None:
            given = [('', {name: params.get(name) for name in self.options})]
        else:
            defaults = {name: spec['default'] for name, spec in self.options.items() if 'default' in spec}
            mixed = sorted(k for k in self.options if params.get(k) is not None and params.get(k) != defaults.get(k))
            if mixed:
                raise ParameterError('%s is mutually exclusive with %s: give them per %s' % (many, ', '.join(mixed), self.one))
            if not params[many] and not self.empty:
                raise ParameterError('%s must list at least one %s' % (many, self.one))
            given = [('%s[%d]' % (many, index), {k: defaults.get(k) if (values or {}).get(k) is None else values[k] for k in self.options})
                     for index, values in enumerate(params[many])]
        items, seen = [], {}
        for name, values in given:
            item = Item(name, values)
            self.check(item)
            key = self.key_of(item)
            if key in seen:
                raise ParameterError('%s%s %r is also given by %s: each %s may be listed once'
                                     % (item.opt, key[0], key[1], seen[key].name, self.one))
            seen[key] = item
            items.append(item)
        return items

    def purge_option(self):
        """With `purge`: the checked purge_max (else None): purge needs the bulk option, whose list it completes."""
        if not self.params.get('purge'):
            return None
        if self.params.get(self.many) is None:
            raise ParameterError('purge needs %s: it deletes the %s %s that none of them lists' % (self.many, self.many, self.purged_from))
        purge_max = PURGE_MAX if self.params.get('purge_max') is None else self.params['purge_max']
        if purge_max < 0:
            raise ParameterError('purge_max %r is out of range: give 0 or more' % purge_max)
        return purge_max

    def purge_items(self, extra):
        """With purge: `extra` (an item deleting each resource no item lists: `unlisted`) when there are at most purge_max
        of them; else a failure naming them, before the first write."""
        if len(extra) > self.purge_max:
            raise AlluraError('purge would delete %d %s, more than purge_max %d: %s; nothing was changed (list the ones to '
                              'keep in %s, or raise purge_max)' % (len(extra), self.many, self.purge_max,
                                                                   ', '.join(self.label(item) for item in extra), self.many),
                              purge=[self.purge_entry(item) for item in extra])
        for item in extra:
            item.purged = True
        return extra

    def purge_entry(self, item):
        """A resource purge deletes (or would), as the result names it: with its mount point when each item has its own."""
        return dict(item.live, mount_point=self.where(item)) if 'mount_point' in self.options else item.live

    def key_of(self, item):
        """(option, value, more values of the key): what identifies the item among the others of the task."""
        values = item.values
        if self.number and values[self.number] is not None:
            return (self.number, values[self.number])
        return (self.key[-1], values[self.key[-1]]) + tuple(values[name] for name in self.key[:-1])

    def converge_all(self, items):
        """Each item converged, the outcomes in the order of the items: one after the other or, where the kind declares
        writes `concurrent`, through write_many (never in check mode, which writes nothing)."""
        independent = [self.write_of(item) in self.concurrent for item in items]
        if self.ctx.check_mode or self.parallel < 2 or sum(independent) < 2:
            outcomes = []
            for item in items:
                try:
                    outcomes.append(self.converge_item(item))
                except AlluraError as exc:
                    raise self.failure(exc, item, outcomes) if item.name else exc
            return outcomes
        done, failed = write_many(partial(self.write_item, items), independent, self.parallel, self.client)
        if failed:
            first = min(failed)
            if not isinstance(failed[first], AlluraError) or not items[first].name:
                raise failed[first]
            raise self.failure(failed[first], items[first], [done[index] for index in range(first)],
                               later=[(items[index].name, done[index]) for index in sorted(done) if index > first],
                               also=[(items[index].name, failed[index]) for index in sorted(failed) if index > first])
        return [done[index] for index in range(len(items))]

    def write_of(self, item):
        """The write converging the item may make: 'delete', 'create' or 'update'."""
        if item.values.get('state') == 'absent':
            return 'delete'
        return 'create' if item.live is None else 'update'

    def write_item(self, items, index, together):
        """converge_item of items[index] in write_many."""
        with self.client.deferring_limits() if together else nullcontext():
            return self.converge_item(items[index])

    def converge_item(self, item):
        if item.values.get('state') == 'absent':
            outcome = self.remove(item)
            if getattr(item, 'purged', False):  # no item names it: say which one went
                outcome.after = self.purge_entry(item)
            return outcome
        outcome = converge(self.ctx, self.label(item), self.fields, item.live, self.desired(item),
                           create=partial(self.create, item), update=self.update and partial(self.update, item),
                           reread=self.reread and partial(self.reread, item), secrets_sent=self.secrets_sent(item))
        if self.twins and outcome.action == 'create' and not self.ctx.check_mode:
            self.no_twin(item, outcome)
        outcome.after = self.public(item, outcome)
        return outcome

    def no_twin(self, item, outcome):
        """After creating the item: fail when the listing now shows another resource with its key (see `twins`)."""
        number, key = outcome.after[self.number], self.key[-1]
        others = self.twins_of(item, number)
        if others:
            where = '%s %s' % (self.project.label, self.where(item))
            raise AlluraError(
                'the %s with %s %r was created in %s as %s, but %s now also has %s with this %s, created meanwhile by another '
                'run (on another controller, or with the lock off): %s. Until then every run stops at this %s and never '
                'creates a third' % (self.one, key, item.values[key], where, self.shown(item, number), where,
                                     ', '.join(self.shown(item, n) for n in others), key, self.twins, self.one),
                changed=True, resource=self.public(item, outcome), duplicates=sorted(others + [number]))

    def remove(self, item):
        label = self.label(item)
        if item.live is None:
            return Outcome('none', None, {}, {}, label, self.fields)
        if not self.ctx.check_mode:
            self.delete(item)
        return Outcome('delete', item.live, {}, {name: (item.live.get(name), None) for name in self.identity}, label, self.fields)

    def failure(self, exc, item, outcomes, later=(), also=()):
        """The error of a bulk task that failed at `item`: names it, says what the items before it did (`outcomes`), and
        those after it that were in flight (`later`: (name, outcome); `also`: (name, error) of those that failed too),
        keeps the results of all that were converged, in their order."""
        named(exc, item.name)
        converged = list(outcomes) + [outcome for _name, outcome in later]
        done = converged and bulk_result(self.ctx, self.many, converged, deletes=bool(self.delete))
        summary = done and '%d %s were converged: %s' % (
            len(converged), self.many, ', '.join('%d %s' % (n, k) for k, n in done['summary'].items()))
        if later or also:  # writes were in flight when it failed
            notes = [summary] if done else []
            if later:
                notes.append('%s of them after it, in flight when it failed' % ', '.join(name for name, _outcome in later))
            notes += ['%s failed too: %s' % (name, getattr(error, 'message', error)) for name, error in also]
            exc.message += ' (%s; the others were not touched)' % '; '.join(notes)
        elif done:
            exc.message += ' (before it, %s; later ones were not touched)' % summary
        if done:
            exc.details.update(changed=done['changed'] or exc.details.get('changed', False), summary=done['summary'])
            exc.details[self.many] = done[self.many]
        exc.args = (exc.message,)
        return exc

    # -- the hooks' defaults ----------------------------------------------------------------------

    def where(self, item):
        return item.values['mount_point'] if 'mount_point' in self.options else self.mount_point

    def label(self, item):
        where = '%s %s' % (self.project.label, self.where(item))
        number = self.number and item.values[self.number]
        if number:
            return '%s %s %s' % (where, self.one, self.ref(number))
        return '%s %s%s %r' % (where, 'new ' if self.number else '', self.one, item.values[self.key[-1]])

    def ref(self, number):
        return '#%s' % number

    def web_url(self, item, number):
        url = (self.project.tool(self.where(item)) or {}).get('url')
        return url and '%s%s/' % (url, number)

    def shown(self, item, number):
        """A resource as messages name it: its reference and, where known, its address."""
        url = self.web_url(item, number)
        return '%s (%s)' % (self.ref(number), url) if url else self.ref(number)

    def require(self, items):
        """That the project exists and has a tool of the declared kinds at every mount point of the items."""
        if not self.kinds:
            self.project.read()
            return
        first = {}
        for item in items:
            first.setdefault(self.where(item), item)
        for mount_point, item in first.items():
            try:
                self.project.require_tool(mount_point, kinds=self.kinds, purpose=self.purpose)
            except AlluraError as exc:  # named when each item has its own mount point
                raise named(exc, item.name if 'mount_point' in self.options else '')

    def resolve(self, items):
        """With `number`: an item without it takes the number of the one resource its key finds in the listing."""
        unnumbered = [item for item in items if self.number and item.values[self.number] is None]
        if not unnumbered:
            return
        self.known = read_many(self.index, [None], self.parallel, first=partial(self.require, items))[0]
        if self.newest_first:
            self.newest = max((n for numbers in self.known.values() for n in numbers), default=0)
        for item in unnumbered:
            item.values[self.number] = self.find(item, self.known)
        seen = {}
        for item in items:
            number = item.values[self.number]
            if number is not None and number in seen:
                raise ParameterError('%s and %s both address %s %s: each %s may be listed once'
                                     % (seen[number].name, item.name, self.one, self.ref(number), self.one))
            seen[number] = item

    def find(self, item, index=None):
        """The number of the one resource whose key is the item's (in `index`, or a listing read now), or None."""
        value = item.values[self.key[-1]]
        found = sorted((self.index() if index is None else index).get(value, ()))
        if len(found) > 1:
            raise AlluraError('%s%s %r matches %d %ss in %s %s: %s; %s' % (
                item.opt, self.key[-1], value, len(found), self.one, self.project.label, self.where(item),
                ', '.join(self.ref(n) for n in found), self.twins or 'give %s to choose one' % self.number), duplicates=found)
        return found[0] if found else None

    def twins_of(self, item, number):
        """The numbers of the other resources that have the key of the item, just created as `number`."""
        if self.newest_first and number == self.newest + 1:
            # numbered right after the newest the task has seen, which it knows every resource up to: nothing was
            # created in between, so the listing would show nothing new (a twin made after this one is numbered
            # higher, and the run that made it sees a gap and looks)
            self.newest = number
            self.known.setdefault(item.values[self.key[-1]], []).append(number)
        elif self.newest_first:
            self.read_newer()
        else:
            self.known = self.index()
        return sorted(n for n in self.known.get(item.values[self.key[-1]], ()) if n != number)

    def read_newer(self, limit=100):
        """With `newest_first`: the resources numbered above the newest the task has seen, added to its listing: the first
        pages of the listing, as far as they show new ones."""
        newest, page = self.newest, 0
        while True:
            entries = self.client.get_json(self.project.path(self.mount_point), params=dict(limit=limit, page=page)).get(self.listed) or []
            new = [entry for entry in entries if entry[self.number] > self.newest]
            for entry in new:
                numbers = self.known.setdefault(entry.get(self.key[-1]), [])
                if entry[self.number] not in numbers:
                    numbers.append(entry[self.number])
                newest = max(newest, entry[self.number])
            if len(new) < len(entries) or len(entries) < limit:
                break
            page += 1
        self.newest = newest

    def read_all(self, items):
        for item, live in zip(items, read_many(self.read, items, self.parallel, first=partial(self.require, items))):
            item.live = live

    def ready(self, items):
        """What the reads tell about the items, before the first write: a resource to create has what that needs, and a
        number given exists (numbers are given by the server)."""
        for item in items:
            if self.number and item.values[self.number] is not None and item.live is None:
                raise AlluraError('%s%s %s does not exist in %s %s (the server numbers each %s: to create one, give its %s '
                                  'without %s)' % (item.opt, self.number, item.values[self.number], self.project.label,
                                                   self.where(item), self.one, self.key[-1], self.number))
        lacking = [item for item in items if item.live is None and item.values.get('state') != 'absent'
                   and any(item.values.get(name) is None for name in self.create_requires)]
        if lacking:
            needs = ', '.join(self.create_requires)
            raise ParameterError('%s: no such %s in %s %s, and no %s to create it with: give %s%s' % (
                ', '.join('%s%s %r' % (item.opt, self.key[-1], item.values[self.key[-1]]) for item in lacking), self.one,
                self.project.label, self.where(lacking[0]), needs, needs, ' for each of them' if lacking[0].name else ''))

    def desired(self, item):
        return {name: item.values.get(name) for name in self.fields}

    def secrets_sent(self, item):
        return ()

    def reread(self, item, after):
        return self.read(item)

    def stored(self, item, want):
        """After an ambiguous failure of a write (see AlluraClient.request's recheck): the resource when the server
        holds what was sent, so that it is not sent again; else None."""
        live = self.read(item)
        return live if live is not None and not changes(self.fields, live, want) else None

    def denied(self, item, permission, who):
        """The `denied` of a write to the item (see AlluraClient.request) that needs `permission` on its tool."""
        return Denied(permission, self.label(item), permission, 'the %s tool at mount_point %r' % (self.kinds[0], self.where(item)), who)

    def index(self, key=None):
        """With `number`: {key value: [numbers]} over every page of the tool's listing (its entries under `listed`)."""
        return self.indexed(self.client.paginate(self.project.path(self.mount_point), self.listed))

    def indexed(self, entries):
        """{key value: [numbers]} of entries of the listing."""
        out = {}
        for entry in entries:
            out.setdefault(entry.get(self.key[-1]), []).append(entry[self.number])
        return out

    def public(self, item, outcome):
        """The resource as the module returns it: the keys of `returns` (with their value when unknown), and the
        `volatile` fields, which every write changes, unknown after a predicted write."""
        if self.returns is None:
            return outcome.after
        after = {name: (outcome.after or {}).get(name, value) for name, value in self.returns.items()}
        if outcome.changed and outcome.predicted:
            after.update(dict.fromkeys(self.volatile))
        return after

    def finish(self, items, outcomes):
        pass
