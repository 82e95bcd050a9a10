# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
name: allura_api
short_description: Read any path of the Allura REST API
version_added: 0.2.0
description:
  - Sends C(GET /rest/<path>) to an Allura server (SourceForge by default) for each path given and returns the
    answer's JSON (or its text, for answers that are not JSON, such as a project's DOAP).
  - With O(paginate=true) the path must be a list (tickets, blog posts, forums, topics, thread posts, ...). Every
    page of it is read and the items are returned, so nothing is missed however long the list is.
  - The same connection options as the modules, with the same E(ALLURA_*) environment fallbacks, the same retries
    of 429, 502, 503, 504 and connection errors, and the same errors (a missing project, tool or item is named).
    Secrets are sent only in headers and never shown.
  - A permanent redirect (301) to another C(/rest/) path of the same server is followed (for example a blog
    list without its trailing slash, or a moved ticket); any other redirect is an error.
options:
  _terms:
    description:
      - Paths relative to C(/rest/), such as V(p/myproj/wiki/Home) or V(p/myproj/tickets/42/); a leading V(/rest/)
        is allowed. Each segment is given as it is (a wiki title with spaces, not URL-encoded) and encoded exactly.
      - A query string may follow C(?) (V(p/myproj/tickets/search?q=status:open)); see also O(params).
      - Absolute URLs, other absolute paths, empty segments and C(.) or C(..) segments are refused.
    type: list
    elements: str
    required: true
  paginate:
    description:
      - Read every page of the list at the path and return its items (a list) instead of the first page's JSON.
      - The list is found in the answer by itself (C(tickets), C(posts), C(forums), C(forum.topics), C(thread.posts),
        C(topic.posts), C(pages), C(webhooks), or the answer's only list); see O(list_key).
    type: bool
    default: false
  list_key:
    description:
      - With O(paginate=true), where the list is in the answer, dotted for a nested one (V(forum.topics)), when the
        answer has more than one list.
    type: str
  params:
    description:
      - Query parameters to send, such as C(q) and C(sort) of a ticket search. With O(paginate=true), C(limit) and
        C(page) are set by the lookup.
    type: dict
    default: {}
  server_url:
    description: Base URL of the Allura server, without C(/rest). Credentials are only sent over https, or over http to loopback.
    type: str
    default: https://sourceforge.net
    env:
      - name: ALLURA_URL
  token:
    description: Bearer token; sent only in the C(Authorization) header, never shown. Mutually exclusive with the C(oauth_*) options.
    type: str
    env:
      - name: ALLURA_TOKEN
  oauth_consumer_key:
    description: OAuth 1.0a consumer key; give all four C(oauth_*) options to sign requests instead of using a token.
    type: str
    env:
      - name: ALLURA_OAUTH_CONSUMER_KEY
  oauth_consumer_secret:
    description: OAuth 1.0a consumer secret.
    type: str
    env:
      - name: ALLURA_OAUTH_CONSUMER_SECRET
  oauth_token:
    description: OAuth 1.0a access token.
    type: str
    env:
      - name: ALLURA_OAUTH_TOKEN
  oauth_token_secret:
    description: OAuth 1.0a access token secret.
    type: str
    env:
      - name: ALLURA_OAUTH_TOKEN_SECRET
  validate_certs:
    description: Verify the server's TLS certificate.
    type: bool
    default: true
    env:
      - name: ALLURA_VALIDATE_CERTS
  ca_path:
    description: A CA bundle (PEM file) to verify the server's certificate with.
    type: path
    env:
      - name: ALLURA_CA_PATH
  use_proxy:
    description:
      - Send the requests through a proxy, O(proxy_url) or the one the controller's environment variables give
        (E(HTTPS_PROXY), E(HTTP_PROXY) or E(ALL_PROXY), lower-case names first), unless E(NO_PROXY) lists the server's
        host. V(false) connects directly.
    type: bool
    default: true
    env:
      - name: ALLURA_USE_PROXY
  proxy_url:
    description:
      - The proxy for every request (C(http://host:port), with C(user:password@) when it asks for authentication); it
        wins over the proxy environment variables. Never shown.
    type: str
    env:
      - name: ALLURA_PROXY_URL
  timeout:
    description: Seconds to wait for each request.
    type: float
    default: 30
    env:
      - name: ALLURA_TIMEOUT
  retries:
    description: How often a request is retried after a connection error, a timeout or HTTP 429, 502, 503 or 504.
    type: int
    default: 5
    env:
      - name: ALLURA_RETRIES
notes:
  - A lookup runs on the controller while the task is templated, before the task runs. It reads the E(ALLURA_*)
    variables of the controller's own environment (the one C(ansible-playbook) was started with); the
    C(environment:) keyword of a play, block or task does B(not) reach it, and neither do C(module_defaults).
    Pass the options to the lookup (for example O(token)) when they come from elsewhere.
  - Retries are reported as warnings.
seealso:
  - module: allura.forge.allura_project_info
  - module: allura.forge.allura_ticket_info
author:
  - allura.forge developers (@allura-forge)
'''

EXAMPLES = r'''
- name: The text of a wiki page (ALLURA_URL and ALLURA_TOKEN from the controller's environment)
  ansible.builtin.debug:
    msg: "{{ lookup('allura.forge.allura_api', 'p/myproj/wiki/Home').text }}"

- name: Every ticket number and summary of a tracker, over all pages
  ansible.builtin.set_fact:
    tickets: "{{ lookup('allura.forge.allura_api', 'p/myproj/tickets/', paginate=true) }}"

- name: Open tickets through the search, with a token from a vault
  ansible.builtin.set_fact:
    open_tickets: >-
      {{ lookup('allura.forge.allura_api', 'p/myproj/tickets/search', params={'q': 'status:open'},
                paginate=true, server_url='https://forge.example.org', token=vault_allura_token) }}

- name: Two pages at once
  ansible.builtin.set_fact:
    pages: "{{ query('allura.forge.allura_api', 'p/myproj/wiki/Home', 'p/myproj/wiki/Install') }}"
'''

RETURN = r'''
_list:
  description:
    - One element per path - the answer's JSON (or its text when it is not JSON); with O(paginate=true), the list of
      every item of the list at that path.
  type: list
  elements: raw
'''

from urllib.parse import parse_qsl, urlsplit

from ansible.errors import AnsibleLookupError
from ansible.plugins.lookup import LookupBase
from ansible.utils.display import Display

from ansible_collections.allura.forge.plugins.module_utils._client import (
    HAS_REQUESTS, MAX_PAGE_SIZE, AlluraError, ParameterError, quote_segment)
from ansible_collections.allura.forge.plugins.module_utils._module import client_from_params
from ansible_collections.allura.forge.plugins.module_utils._project import Project

display = Display()
# The modules' connection options (CONNECTION_SPEC) this lookup documents: a unit test keeps the two lists alike.
CONNECTION_OPTIONS = ('server_url', 'token', 'oauth_consumer_key', 'oauth_consumer_secret', 'oauth_token', 'oauth_token_secret',
                      'validate_certs', 'ca_path', 'use_proxy', 'proxy_url', 'timeout', 'retries')


def rest_path(term):
    """(the quoted path under /rest/, the query parameters of the term) of a path relative to /rest/."""
    if not isinstance(term, str) or not term.strip():
        raise ParameterError('path %r is empty: give a path relative to /rest/, such as p/myproj/wiki/Home' % (term,))
    path, _sep, query = term.partition('?')
    if '://' in path or path.startswith('//'):
        raise ParameterError('path %r is an absolute URL: give a path relative to /rest/ (server_url says which server), '
                             'such as p/myproj/wiki/Home' % term)
    if path.startswith('/rest/') or path == '/rest':
        path = path[len('/rest/'):]
    elif path.startswith('/'):
        raise ParameterError('path %r is outside /rest/: give a path relative to /rest/, such as %r'
                             % (term, path.lstrip('/') or 'p/myproj/'))
    segments = path.split('/')
    trailing = len(segments) > 1 and segments[-1] == ''
    if trailing:
        segments.pop()
    if path and ('' in segments or '.' in segments or '..' in segments):
        raise ParameterError('path %r has an empty, "." or ".." segment: give a plain path relative to /rest/, such as '
                             'p/myproj/wiki/Home' % term)
    quoted = '/'.join(quote_segment(s) for s in segments) if path else ''
    return '/rest/' + quoted + ('/' if trailing else ''), dict(parse_qsl(query, keep_blank_values=True))


# Where Allura's listings keep their items (REFERENCE 7-10): the list a listing is about, before the others it
# also carries (a tracker's answer has milestones and saved_bins next to its tickets).
LISTS = (('tickets',), ('posts',), ('forums',), ('forum', 'topics'), ('thread', 'posts'), ('topic', 'posts'),
         ('pages',), ('webhooks',))


def find_list(body, list_key, path):
    """The keys leading to the list of a listing's answer: list_key ('forum.topics'), else the known listing key it
    holds, else its one list."""
    def at(keys):
        value = body
        for key in keys:
            value = value.get(key) if isinstance(value, dict) else None
        return value

    if list_key:
        if not isinstance(at(list_key.split('.')), list):
            raise ParameterError('list_key %r: the answer of %s has no list there (its keys: %s)'
                                 % (list_key, path, ', '.join(sorted(body)) if isinstance(body, dict) else 'none'))
        return tuple(list_key.split('.'))
    known = [keys for keys in LISTS if isinstance(at(keys), list)]
    if known:
        return known[0]
    found = [(key,) for key, value in (body.items() if isinstance(body, dict) else ()) if isinstance(value, list)]
    if len(found) != 1:
        raise ParameterError('paginate: %s %s; give list_key' % (
            path, 'answers no list' if not found else 'answers several lists (%s)' % ', '.join('.'.join(k) for k in found)))
    return found[0]


def explain_404(client, path):
    """What a 404 of a path under /rest/<neighborhood>/<project>/ means: the project, the tool or the item is missing."""
    segments = path[len('/rest/'):].strip('/').split('/')
    if len(segments) < 2:
        return None
    try:
        found = Project(client, segments[0], segments[1]).missing(segments[2] if len(segments) > 2 else None)
    except AlluraError:  # the explanation is a courtesy: the 404 itself is the error
        return None
    if found[1] != 'item':
        return found
    return 'GET %s: not found (project %s/%s%s)' % (
        path, segments[0], segments[1], ' and its tool %r exist' % segments[2] if len(segments) > 2 else ' exists'), 'item'


def fetch(client, term, paginate=False, list_key=None, params=None):
    """The answer to GET /rest/<term>: its JSON (or text); with paginate, every item of the list there."""
    path, query = rest_path(term)
    query.update(params or {})
    if paginate and ({'limit', 'page'} & set(query)):
        raise ParameterError('paginate reads every page itself: leave limit and page out of %r and of params' % term)
    path, response = get(client, path, dict(query, limit=MAX_PAGE_SIZE, page=0) if paginate else query)
    if 'json' not in response.headers.get('Content-Type', ''):
        if paginate:
            raise ParameterError('paginate: %s does not answer JSON, so it is not a list' % path)
        return response.text
    body = response.json()
    if not paginate:
        return body
    return client.read_list(path, find_list(body, list_key, path), params=query, first_page=body)[1]


def get(client, path, query):
    """(path, response) of a GET, after following one permanent redirect to another /rest/ path (on this server: the
    Location may name the server as it sees itself, http behind a TLS proxy for one, so only its path is used)."""
    response = client.request('GET', path, params=query, expect=(200, 301), not_found=lambda: explain_404(client, path))
    if response.status_code == 301:
        location = response.headers.get('Location', '')
        target = urlsplit(location)
        prefix = urlsplit(client.base).path
        if not target.path.startswith(prefix + '/rest/'):
            raise AlluraError('GET %s was redirected to %s, outside the REST API' % (path, location),
                              status=301, method='GET', path=path)
        path = target.path[len(prefix):]
        query = dict(parse_qsl(target.query, keep_blank_values=True), **query)
        response = client.request('GET', path, params=query, not_found=lambda: explain_404(client, path))
    return path, response


class LookupModule(LookupBase):

    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=variables, direct=kwargs)
        if not HAS_REQUESTS:
            raise AnsibleLookupError('allura_api: the Python library "requests" is required on the controller')
        try:
            client = client_from_params({name: self.get_option(name) for name in CONNECTION_OPTIONS}, warn=display.warning)
            return [fetch(client, term, self.get_option('paginate'), self.get_option('list_key'), self.get_option('params'))
                    for term in terms]
        except AlluraError as exc:
            raise AnsibleLookupError('allura_api: %s' % exc.message)
