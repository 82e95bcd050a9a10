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
      - V(on_create) sends O(secret) only when the webhook is created; an existing webhook is left alone. The server
        never returns a secret, so it cannot be compared - a changed O(secret) is not noticed, not sent, and not
        reported (every run would otherwise say so). Use V(always) to rotate it.
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
    default: 8
  purge:
    description:
      - With O(webhooks), also delete every webhook of the repositories the items name (their O(webhooks[].mount_point))
        that no item lists - webhooks added by hand or left over from an old task. Repositories no item names are not
        touched.
      - Each deletion is an entry of RV(webhooks) (after the items, with C(action=delete)) and of the diff, in check mode
        too. Nothing is deleted when a repository's webhook list cannot be read completely.
    type: bool
    default: false
    version_added: 0.2.0
  purge_max:
    description:
      - With O(purge), the most webhooks one run may delete that no item lists. When more would go, the task fails naming
        them and changes nothing - a safety net against a wrong O(webhooks) list wiping a project's hooks.
    type: int
    default: 10
    version_added: 0.2.0
extends_documentation_fragment:
  - allura.forge.auth
  - allura.forge.attributes
  - allura.forge.lock
  - allura.forge.results
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

- name: Exactly these webhooks on the code repository, any other deleted (check mode shows each deletion first)
  allura.forge.allura_webhook:
    project: myproj
    purge: true
    webhooks:
      - url: https://ci.example.org/allura-hook
        secret: "{{ vault_hook_secret }}"

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
  description:
    - One entry per item of O(webhooks), in the same order, shaped like RV(webhook) plus C(action).
    - With O(purge), then one entry per webhook deleted because no item lists it (C(action=delete)), with C(mount_point).
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
purge:
  description:
    - With O(purge), the webhooks that would have been deleted when there were more than O(purge_max), shaped like
      RV(webhook) plus C(mount_point).
  returned: on failure, when O(purge_max) is exceeded
  version_added: 0.2.0
  type: list
  elements: dict
  sample: [{"mount_point": "code", "type": "repo-push", "hook_url": "https://old-ci.example.org/hook", "id": "6929b7a1c3d2",
            "url": "https://sourceforge.net/rest/p/myproj/admin/code/webhooks/repo-push/6929b7a1c3d2", "mod_date": "2026-11-28 05:46:19.875000"}]
limits:
  description: The server's webhook limit of this tool and type, when creating failed because it is reached.
  returned: on failure, when the limit is reached
  type: dict
  sample: {"max": 3, "used": 3}
'''

import re
from functools import partial
from urllib.parse import urlsplit

from ansible_collections.allura.forge.plugins.module_utils._allura import REPOSITORY_TOOLS, normalise_mount_point, normalise_url
from ansible_collections.allura.forge.plugins.module_utils._client import AlluraError, Denied, ParameterError
from ansible_collections.allura.forge.plugins.module_utils._module import run_module
from ansible_collections.allura.forge.plugins.module_utils._resource import PARALLEL, PURGE, Item, Resource
from ansible_collections.allura.forge.plugins.module_utils._state import CreatedMeanwhile, Field, read_many

FIELDS = dict(hook_url=Field(normalise=normalise_url), type=Field(), secret=Field(secret=True))
KEYS = ('id', 'url', 'hook_url', 'type', 'mod_date')


def public(hook):
    """The returned form of a hook (the server's `_id` as `id`); never a secret."""
    return {key: hook.get('_id' if key == 'id' and '_id' in hook else key) for key in KEYS} if hook else {}


class Webhook(Resource):
    one, many, key, required = 'webhook', 'webhooks', ('mount_point', 'type', 'url'), 'url'
    purged_from = 'of the repositories they name'
    options = dict(mount_point=dict(type='str', default='code'), type=dict(type='str', default='repo-push'),
                   url=dict(type='str', required=True), secret=dict(type='str', no_log=True),
                   update_secret=dict(type='str', choices=['on_create', 'always'], default='on_create'),
                   state=dict(type='str', choices=['present', 'absent'], default='present'))
    kinds, purpose, fields, returns = REPOSITORY_TOOLS, 'a webhook', FIELDS, dict.fromkeys(KEYS)
    identity = ('hook_url', 'type', 'id')
    reread = None  # the server answers a create or an edit with the webhook as stored

    def check(self, item):
        """The URL as the server stores it, after checking the item's options."""
        values, opt = item.values, item.opt
        raw = values.get('url')
        if not raw or not raw.strip():
            raise ParameterError('%surl must not be empty: give the URL the server should post to' % opt)
        url = normalise_url(raw)
        parts = urlsplit(url)
        if parts.scheme not in ('http', 'https') or not parts.netloc or re.search(r'\s', url):
            hint = ' (the server reads %r as its scheme)' % parts.scheme if '://' not in url else ''
            raise ParameterError('%surl %r is invalid%s: a webhook URL must be http:// or https:// with a host, such as '
                                 'https://ci.example.org/hook' % (opt, raw, hint))
        normalise_mount_point(REPOSITORY_TOOLS[0], values['mount_point'] or '', opt + 'mount_point')
        if not re.match(r'^[a-z0-9][-a-z0-9_]*$', values.get('type') or ''):
            raise ParameterError('%stype %r is invalid: webhook types are lower-case names such as repo-push' % (opt, values.get('type')))
        if values.get('secret') == '':
            raise ParameterError('%ssecret must not be empty (the server would replace an empty secret by a random one): '
                                 'omit secret to let the server generate one' % opt)
        values['url'] = url

    def label(self, item):
        return '%s webhook %s of %s' % (item.values['type'], item.values['url'], self.repository(item.values['mount_point']))

    def repository(self, mount_point):
        return '%s/%s' % (self.project.label, mount_point)

    def path(self, item, *segments):
        return self.project.path('admin', item.values['mount_point'], 'webhooks', item.values['type'], *segments, trailing_slash=False)

    def read_all(self, items):
        """One listing per repository, `parallel` at a time, while the repositories are checked; the types checked against it."""
        mounts = list(dict.fromkeys(item.values['mount_point'] for item in items))
        self.listings = dict(zip(mounts, read_many(self.listing, mounts, self.parallel, first=partial(self.require, items))))
        for mount_point, listing in self.listings.items():
            if self.params.get('purge') and not isinstance(listing.get('webhooks'), list):
                raise AlluraError('the webhook list of %s has no list of webhooks: nothing is purged' % self.repository(mount_point))
        for item in items:
            limits = self.listings[item.values['mount_point']].get('limits') or {}
            if limits and item.values['type'] not in limits:
                raise ParameterError('%stype %r is not a webhook type of %s (available: %s)'
                                     % (item.opt, item.values['type'], self.repository(item.values['mount_point']), ', '.join(sorted(limits))))
            item.found = self.matching(item, self.listings[item.values['mount_point']])
            item.live = item.found[0] if item.found else None
            if item.values['state'] == 'absent' and len(item.found) > 1:
                item.live = dict(item.live, id=[hook['id'] for hook in item.found])

    def unlisted(self, items):
        """With purge: an item deleting each webhook of the items' repositories that no item lists, all of them checked
        before the first write. A listing without its list of webhooks is a failure, never an empty repository."""
        listed = {(item.values['mount_point'], item.values['type'], item.values['url']) for item in items}
        extra = []
        for mount_point, listing in self.listings.items():
            for hook in listing['webhooks']:
                if (mount_point, hook.get('type'), hook.get('hook_url')) not in listed:
                    item = Item('purge[%d]' % len(extra), dict(mount_point=mount_point, type=hook.get('type'), url=hook.get('hook_url'),
                                                               secret=None, update_secret='on_create', state='absent'))
                    item.found = [public(hook)]
                    item.live = item.found[0]
                    extra.append(item)
        return extra

    def listing(self, mount_point):
        return self.client.get_json(self.project.path('admin', mount_point, 'webhooks', trailing_slash=False),
                                    denied=self.needs_admin('list the webhooks of', self.repository(mount_point)))

    def needs_admin(self, action, what):
        """Webhooks need admin permission on the project (REFERENCE 6.1)."""
        return Denied(action, what, 'admin', 'project %s' % self.project.label, 'a project admin')

    def matching(self, item, listing):
        return [public(hook) for hook in listing.get('webhooks') or []
                if hook.get('type') == item.values['type'] and hook.get('hook_url') == item.values['url']]

    def converge_item(self, item):
        """Counts the webhooks of the tool, so that check mode can say when a create will fail on the server's limit."""
        values, label = item.values, self.label(item)
        limit = (self.listings[values['mount_point']].get('limits') or {}).get(values['type']) or {}
        used = limit.get('used') or 0
        if values['state'] == 'absent':
            used -= len(item.found)
        elif item.live is None:
            if self.ctx.check_mode and limit.get('max') is not None and used >= limit['max']:
                self.ctx.warn('%s: the tool already has %s of at most %s webhooks of this type, so creating it will fail'
                              % (label, used, limit['max']))
            used += 1
        elif len(item.found) > 1:
            self.ctx.warn('%s: the server holds %d webhooks with this URL (ids %s); using the first'
                          % (label, len(item.found), ', '.join(h['id'] for h in item.found)))
        limit['used'] = used  # the listing's count of the type, kept current as the items converge
        return super().converge_item(item)

    def desired(self, item):
        return dict(hook_url=item.values['url'], type=item.values['type'], secret=item.values.get('secret'))

    def secrets_sent(self, item):
        return ['secret'] if item.values['update_secret'] == 'always' else ()

    def create(self, item, desired):
        path = self.path(item)
        response = self.client.post(path, dict(url=desired['hook_url'], secret=desired.get('secret')), expect=(201, 400),
                                    recheck=partial(self.created, item), denied=self.needs_admin('create', self.label(item)))
        if isinstance(response, dict):  # a re-read found it: the server did the create
            return response
        try:
            body = response.json()  # the webhook as stored, or why it was refused
        except ValueError:
            raise self.client.error('POST', path, response)
        if response.status_code == 201:
            return public(body)
        limits = body.get('limits')
        if isinstance(limits, dict):
            raise AlluraError('cannot create another %s webhook on %s: the server allows %s per tool and %s exist (delete one first)'
                              % (item.values['type'], self.repository(item.values['mount_point']), limits.get('max'), limits.get('used')),
                              status=400, method='POST', path=path, limits=limits)
        found = self.created(item)  # refused as a duplicate: another run created it meanwhile?
        if found:
            raise CreatedMeanwhile(found)
        raise self.client.error('POST', path, response)

    def created(self, item):
        return next(iter(self.matching(item, self.listing(item.values['mount_point']))), None)

    def update(self, item, live, sent, desired):
        # Only the secret can differ: the URL and type are the identity.
        return public(self.client.post_json(self.path(item, live['id']), dict(secret=desired['secret']),
                                            denied=self.needs_admin('change the secret of', self.label(item))))

    def delete(self, item):
        for hook in item.found:  # 404: already gone
            self.client.request('DELETE', self.path(item, hook['id']), expect=(200, 404),
                                denied=self.needs_admin('delete', self.label(item)))


ARGUMENT_SPEC = Webhook.argument_spec(parallel=PARALLEL, **PURGE)
MUTUALLY_EXCLUSIVE = Webhook.mutually_exclusive()
REQUIRED_ONE_OF = Webhook.required_one_of()


def run(params, client, ctx):
    return Webhook(params, client, ctx).run()


def main():
    run_module(ARGUMENT_SPEC, run)


if __name__ == '__main__':
    main()
