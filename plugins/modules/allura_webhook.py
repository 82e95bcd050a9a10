#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: allura_webhook
short_description: Manage a webhook of an Allura repository tool
version_added: 0.1.0
description:
  - Creates or deletes a webhook of a repository tool (git, svn, hg) of an Allura project, for example
    a C(repo-push) hook that notifies a CI server.
  - A webhook is identified by its O(mount_point), O(type) and O(url). The URL is compared the way the
    server stores it (surrounding white space removed, C(http://) added when there is no scheme, scheme
    lower-cased; the host keeps its case), so V(ci.example.org/hook) and V(http://ci.example.org/hook)
    are the same webhook. Another URL is another webhook.
  - The secret is write-only on the server and cannot be compared. It is sent when the webhook is created
    and, with O(update_secret=always), on every run.
  - A create is never sent twice. After an ambiguous failure (connection lost after sending, gateway error)
    the webhooks are listed again and a webhook with this URL counts as created.
  - Needs a token of a project admin.
  - Give O(webhooks) to converge many webhooks in one task. The project is read once and the webhooks of each
    repository once (up to O(parallel) repositories at a time); every item is checked before the first write, and
    writes are made one after the other, in the order given.
options:
  project:
    description: Shortname of the project.
    type: str
    required: true
  mount_point:
    description: Mount point of the repository tool (git, svn or hg) the webhook belongs to.
    type: str
    default: code
  type:
    description: Webhook type. Stock Allura knows V(repo-push) only (sent after commits are pushed).
    type: str
    default: repo-push
  url:
    description:
      - The URL the server posts to.
      - Without a scheme C(http://) is assumed, as the server does. Only C(http) and C(https) are accepted.
      - One of O(url) and O(webhooks) is required.
    type: str
  secret:
    description:
      - Key of the HMAC-SHA1 signature (header C(X-Allura-Signature)) of every delivery.
      - When a webhook is created without a secret, the server generates a random one (which it never shows).
      - Never shown in output, diffs or messages.
    type: str
  update_secret:
    description:
      - V(on_create) sends O(secret) only when the webhook is created; an existing webhook is left alone
        (the secret cannot be compared, and a warning says so when O(secret) is given).
      - V(always) sends O(secret) to an existing webhook on every run, which is then reported as changed
        (shown as C(<hidden>) in the diff).
    type: str
    choices: [on_create, always]
    default: on_create
  state:
    description:
      - V(present) creates the webhook when there is none with this URL.
      - V(absent) deletes it; nothing to delete is not an error.
    type: str
    choices: [present, absent]
    default: present
  webhooks:
    description:
      - Many webhooks in one task, each a dict with the keys O(webhooks[].mount_point), O(webhooks[].type),
        O(webhooks[].url), O(webhooks[].secret), O(webhooks[].update_secret) and O(webhooks[].state), meaning the
        same as the single-webhook options (with the same defaults). A webhook (mount point, type and URL as the
        server stores it) may be listed once.
      - Mutually exclusive with O(mount_point), O(type), O(url), O(secret), O(update_secret) and O(state).
      - A failure names the item (for example C(webhooks[3])) and keeps the results of the items before it.
      - The secrets of the items are never shown, as O(secret).
    type: list
    elements: dict
    suboptions:
      mount_point:
        description: See O(mount_point).
        type: str
        default: code
      type:
        description: See O(type).
        type: str
        default: repo-push
      url:
        description: See O(url).
        type: str
        required: true
      secret:
        description: See O(secret).
        type: str
      update_secret:
        description: See O(update_secret).
        type: str
        choices: [on_create, always]
        default: on_create
      state:
        description: See O(state).
        type: str
        choices: [present, absent]
        default: present
  parallel:
    description: With O(webhooks), how many repositories' webhook lists are read at the same time (1 to 16). Writes are always sequential.
    type: int
    default: 4
extends_documentation_fragment:
  - allura.forge.auth
  - allura.forge.attributes
attributes:
  check_mode:
    details: Warns when the webhook limit of the tool is reached, so that creating one more would fail.
notes:
  - Allura allows a limited number of webhooks per tool and type (3 by default). Creating one more fails with the
    server's numbers in RV(limits).
  - A stock server refuses webhook URLs whose host resolves to a private or loopback address.
seealso:
  - name: 'Allura REST API: webhooks'
    description: The webhooks of a repository tool.
    link: https://forge-allura.apache.org/p/allura/rest-api-docs#operation/GET_neighborhood-project-admin-tool-webhooks
  - name: 'Allura REST API: new webhook'
    description: Creates a webhook.
    link: https://forge-allura.apache.org/p/allura/rest-api-docs#operation/POST_neighborhood-project-admin-tool-webhooks-type
author:
  - allura.forge developers (@allura-forge)
'''

EXAMPLES = r'''
- name: Notify the CI server of every push to the code repository
  allura.forge.allura_webhook:
    project: myproj
    url: https://ci.example.org/allura-hook
    secret: "{{ vault_hook_secret }}"
    token: "{{ vault_sourceforge_token }}"

- name: Rotate the secret of that webhook
  allura.forge.allura_webhook:
    project: myproj
    url: https://ci.example.org/allura-hook
    secret: "{{ vault_new_hook_secret }}"
    update_secret: always

- name: Several webhooks of several repositories in one task
  allura.forge.allura_webhook:
    project: myproj
    webhooks:
      - url: https://ci.example.org/allura-hook
        secret: "{{ vault_hook_secret }}"
      - mount_point: website-repo
        url: https://deploy.example.org/hook
        secret: "{{ vault_deploy_secret }}"
      - mount_point: website-repo
        url: https://old-ci.example.org/hook
        state: absent
  register: hooks

- name: Remove a webhook of another repository
  allura.forge.allura_webhook:
    project: myproj
    mount_point: website-repo
    url: https://old-ci.example.org/hook
    state: absent
'''

RETURN = r'''
action:
  description: What was done (or would be done in check mode).
  returned: success, with O(url)
  type: str
  choices: [create, update, delete, none]
  sample: create
webhook:
  description:
    - The webhook as the server stores it; C({}) after O(state=absent). The secret is never returned.
    - In check mode a webhook that would be created has C(id), C(url) and C(mod_date) null.
  returned: success, with O(url)
  type: dict
  contains:
    id:
      description: Id of the webhook.
      type: str
      sample: 6b0a6aab09bf77c467db0160
    url:
      description: REST URL of the webhook itself.
      type: str
      sample: https://sourceforge.net/rest/p/myproj/admin/code/webhooks/repo-push/6b0a6aab09bf77c467db0160
    hook_url:
      description: The URL the server posts to, as stored (normalised).
      type: str
      sample: https://ci.example.org/allura-hook
    type:
      description: Webhook type.
      type: str
      sample: repo-push
    mod_date:
      description: Last change, naive UTC as the server writes it.
      type: str
      sample: '2026-11-28 05:46:19.875000'
webhooks:
  description: One entry per item of O(webhooks), in the same order, shaped like RV(webhook) plus C(action).
  returned: success, with O(webhooks)
  type: list
  elements: dict
  sample: [{"id": "6b0a6aab09bf77c467db0160", "hook_url": "https://ci.example.org/allura-hook", "type": "repo-push",
            "url": "https://sourceforge.net/rest/p/myproj/admin/code/webhooks/repo-push/6b0a6aab09bf77c467db0160",
            "mod_date": "2026-11-28 05:46:19.875000", "action": "create"}]
summary:
  description: How many webhooks were created, updated (secret re-sent), deleted and left unchanged.
  returned: success, with O(webhooks)
  type: dict
  sample: {"created": 1, "updated": 0, "deleted": 0, "unchanged": 2}
limits:
  description: The server's webhook limit of this tool and type, when creating failed because it is reached.
  returned: on failure, when the limit is reached
  type: dict
  sample: {"max": 3, "used": 3}
'''

import re
from urllib.parse import urlparse, urlsplit, urlunparse

from ansible_collections.allura.forge.plugins.module_utils._client import AlluraError, ParameterError
from ansible_collections.allura.forge.plugins.module_utils._module import bulk_spec, run_module
from ansible_collections.allura.forge.plugins.module_utils._project import Project
from ansible_collections.allura.forge.plugins.module_utils._state import (
    Field, Outcome, bulk_items, converge, converge_each, items_result, named, parallel_option, read_many)

HOOK_SPEC = dict(
    mount_point=dict(type='str', default='code'),
    type=dict(type='str', default='repo-push'),
    url=dict(type='str', required=True),
    secret=dict(type='str', no_log=True),
    update_secret=dict(type='str', choices=['on_create', 'always'], default='on_create'),
    state=dict(type='str', choices=['present', 'absent'], default='present'),
)
ARGUMENT_SPEC = dict(
    project=dict(type='str', required=True),
    parallel=dict(type='int', default=4),
    **bulk_spec('webhooks', HOOK_SPEC)
)
MUTUALLY_EXCLUSIVE = [('webhooks', name) for name in HOOK_SPEC]
REQUIRED_ONE_OF = [('url', 'webhooks')]
DEFAULTS = {name: spec['default'] for name, spec in HOOK_SPEC.items() if 'default' in spec}

REPO_TOOLS = ('git', 'svn', 'hg')
KEYS = ('id', 'url', 'hook_url', 'type', 'mod_date')
_SCHEME = re.compile(r'^[a-zA-Z][a-zA-Z0-9.+-]*:')  # what the server's webhook URL validator takes for a scheme
_REPO_MOUNT_POINT = re.compile(r'^[a-zA-Z0-9][-a-zA-Z0-9_.+]{0,62}$')
_TYPE = re.compile(r'^[a-z0-9][-a-z0-9_]*$')


def normalise_url(value):
    """The URL as the server stores it (REFERENCE 6.3): stripped, http:// when no scheme, an international
    host name IDNA-encoded (other hosts keep their case), scheme lower-cased."""
    if value is None:
        return None
    value = value.strip()
    if not _SCHEME.match(value):
        value = 'http://' + value
    try:
        parts = urlparse(value)
        value = urlunparse(parts._replace(netloc=parts.netloc.encode('idna').decode('ascii')))
    except (ValueError, UnicodeError):
        pass
    scheme = _SCHEME.match(value).group(0)
    return scheme.lower() + value[len(scheme):]


# The server answers a create or an edit with the webhook as stored: no re-read is needed.
FIELDS = dict(hook_url=Field(normalise=normalise_url), type=Field(), secret=Field(secret=True))


def checked_params(params, opt=''):
    """The URL as the server stores it, after checking the item's options; opt prefixes option names ('webhooks[2].')."""
    raw = params.get('url')
    if not raw or not raw.strip():
        raise ParameterError('%surl must not be empty: give the URL the server should post to' % opt)
    url = normalise_url(raw)
    parts = urlsplit(url)
    if parts.scheme not in ('http', 'https') or not parts.netloc or re.search(r'\s', url):
        hint = ' (the server reads %r as its scheme)' % parts.scheme if '://' not in url else ''
        raise ParameterError('%surl %r is invalid%s: a webhook URL must be http:// or https:// with a host, such as '
                             'https://ci.example.org/hook' % (opt, raw, hint))
    if not _REPO_MOUNT_POINT.match(params.get('mount_point') or ''):
        raise ParameterError('%smount_point %r is invalid: a repository mount point is 1-63 letters, digits and - _ . +, '
                             'starting with a letter or digit' % (opt, params.get('mount_point')))
    if not _TYPE.match(params.get('type') or ''):
        raise ParameterError('%stype %r is invalid: webhook types are lower-case names such as repo-push' % (opt, params.get('type')))
    if params.get('secret') == '':
        raise ParameterError('%ssecret must not be empty (the server would replace an empty secret by a random one): '
                             'omit secret to let the server generate one' % opt)
    return url


def wanted(params):
    """[(item name, {mount_point, type, url (as stored), secret, update_secret, state})], validated."""
    items, seen = bulk_items(params, 'webhooks', HOOK_SPEC, 'webhook', DEFAULTS), {}
    for name, item in items:
        opt = name + '.' if name else ''
        item['url'] = checked_params(item, opt)
        key = (item['mount_point'], item['type'], item['url'])
        if key in seen:
            raise ParameterError('%surl %r is also given by %s for the same mount_point and type: each webhook may be '
                                 'listed once' % (opt, item['url'], seen[key]))
        seen[key] = name
    return items


def public(hook):
    """The returned form of a hook; never a secret."""
    if not hook:
        return {}
    out = dict.fromkeys(KEYS)
    out.update((k, v) for k, v in hook.items() if k in KEYS)
    if '_id' in hook:
        out['id'] = hook['_id']
    return out


class Hooks:
    """The webhooks of one repository tool, of one type."""

    def __init__(self, client, project, mount_point, hook_type):
        self.client = client
        self.project = project
        self.mount_point = mount_point
        self.type = hook_type
        self.base = project.path('admin', mount_point, 'webhooks', trailing_slash=False)
        self.item = lambda hook_id: project.path('admin', mount_point, 'webhooks', hook_type, hook_id, trailing_slash=False)
        self.create_path = project.path('admin', mount_point, 'webhooks', hook_type, trailing_slash=False)

    def listing(self):
        return self.client.get_json(self.base)

    def matching(self, listing, url):
        return [public(h) for h in listing.get('webhooks') or []
                if h.get('type') == self.type and h.get('hook_url') == url]

    def create(self, desired):
        form = dict(url=desired['hook_url'], secret=desired.get('secret'))
        response = self.client.post(self.create_path, form, expect=(201, 400),
                                    recheck=lambda: self._created(desired['hook_url']))
        if isinstance(response, dict):  # a re-read found it: the server did the create
            return response
        if response.status_code == 400:
            body = _body(response)
            if isinstance(body.get('limits'), dict):
                limits = body['limits']
                raise AlluraError('cannot create another %s webhook on %s: the server allows %s per tool and %s exist '
                                  '(delete one first)' % (self.type, self._where(), limits.get('max'), limits.get('used')),
                                  status=400, method='POST', path=self.create_path, limits=limits)
            if 'already exists' in str(body.get('error', '')):  # created meanwhile (a concurrent run)
                found = self._created(desired['hook_url'])
                if found:
                    return found
            raise self.client.error('POST', self.create_path, response)
        return public(response.json())

    def update(self, live, delta, desired):
        # Only the secret can differ: the URL and type are the identity.
        return public(self.client.post_json(self.item(live['id']), dict(secret=desired['secret'])))

    def delete(self, hook):
        self.client.request('DELETE', self.item(hook['id']), expect=(200, 404))  # 404: already gone

    def _created(self, url):
        found = self.matching(self.listing(), url)
        return found[0] if found else None

    def _where(self):
        return '%s/%s' % (self.project.label, self.mount_point)


def _body(response):
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def listings(client, project, items, parallel):
    """{mount point: its webhook listing}: each repository listed (`parallel` at a time) while checked."""
    mounts = {}
    for name, item in items:
        mounts.setdefault(item['mount_point'], name)

    def check():
        for mount_point, name in mounts.items():
            try:
                project.require_tool(mount_point, kinds=REPO_TOOLS, purpose='a webhook')
            except AlluraError as exc:
                raise named(exc, name)
    hooks = [Hooks(client, project, mount_point, None) for mount_point in mounts]
    return dict(zip(mounts, read_many(lambda each: each.listing(), hooks, parallel, first=check)))


def converge_hook(ctx, client, project, item, listing, used):
    url, hook_type, secret = item['url'], item['type'], item.get('secret')
    hooks = Hooks(client, project, item['mount_point'], hook_type)
    found = hooks.matching(listing, url)
    label = '%s webhook %s of %s/%s' % (hook_type, url, project.label, item['mount_point'])
    count = used.setdefault((item['mount_point'], hook_type), dict((listing.get('limits') or {}).get(hook_type) or {}))

    if item['state'] == 'absent':
        if not ctx.check_mode:
            for hook in found:
                hooks.delete(hook)
        count['used'] = (count.get('used') or 0) - len(found)
        if not found:
            return Outcome('none', None, {}, {}, label, FIELDS)
        ids = [h['id'] for h in found]
        return Outcome('delete', found[0], {}, dict(hook_url=(url, None), type=(hook_type, None),
                                                    id=(ids[0] if len(ids) == 1 else ids, None)), label, FIELDS)

    if len(found) > 1:
        ctx.warn('%s: the server holds %d webhooks with this URL (ids %s); using the first'
                 % (label, len(found), ', '.join(h['id'] for h in found)))
    live = found[0] if found else None
    always = item['update_secret'] == 'always'
    if live is not None and secret is not None and not always:
        ctx.warn('%s: the secret cannot be compared (the server never returns it), so it was not sent; '
                 'use update_secret=always to send it on every run' % label)
    if live is None:
        if ctx.check_mode and count.get('max') is not None and (count.get('used') or 0) >= count['max']:
            ctx.warn('%s: the tool already has %s of at most %s webhooks of this type, so creating it will fail'
                     % (label, count.get('used'), count['max']))
        count['used'] = (count.get('used') or 0) + 1
    outcome = converge(ctx, label, FIELDS, live, dict(hook_url=url, type=hook_type, secret=secret),
                       create=hooks.create, update=hooks.update, secrets_sent=['secret'] if always else None)
    outcome.after = public(outcome.after)
    return outcome


def run(params, client, ctx):
    items = wanted(params)
    parallel = parallel_option(params)
    project = Project(client, params['neighborhood'], params['project'])
    lists = listings(client, project, items, parallel)
    for name, item in items:
        limits = lists[item['mount_point']].get('limits') or {}
        if limits and item['type'] not in limits:
            raise ParameterError('%stype %r is not a webhook type of %s/%s (available: %s)'
                                 % (name + '.' if name else '', item['type'], project.label, item['mount_point'],
                                    ', '.join(sorted(limits))))

    used = {}
    outcomes = converge_each(ctx, 'webhooks', items, lambda name, item: converge_hook(
        ctx, client, project, item, lists[item['mount_point']], used), deletes=True)
    return items_result(ctx, params, 'webhooks', 'webhook', outcomes, deletes=True)


def main():
    run_module(ARGUMENT_SPEC, run)


if __name__ == '__main__':
    main()
