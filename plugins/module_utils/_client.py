# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one HTTP client every allura.forge module uses.

It owns everything that is the same for all Allura endpoints: URL building with exact quoting,
authentication (bearer header or OAuth 1.0a, never a token in a URL or over plain http to a remote
host), form-encoded bodies, timeouts, bounded retries that never duplicate a create, pagination
that cannot truncate, and one error type whose message a person can act on.
"""

from __future__ import annotations

import ipaddress
import random
import re
import time
from email.utils import parsedate_to_datetime
from html import unescape
from urllib.parse import quote, urlsplit

try:
    import requests
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
except ImportError as exc:  # pragma: no cover - exercised by the sanity import test
    requests = None
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = exc

try:
    from requests_oauthlib import OAuth1
    HAS_OAUTHLIB = True
    OAUTHLIB_IMPORT_ERROR = None
except ImportError as exc:  # pragma: no cover
    OAuth1 = None
    HAS_OAUTHLIB = False
    OAUTHLIB_IMPORT_ERROR = exc


USER_AGENT = 'allura.forge-ansible-collection'
RETRY_STATUSES = frozenset((429, 502, 503, 504))
# A gateway error may come after the server did the work: for a create that is not a safe retry.
AMBIGUOUS_STATUSES = frozenset((502, 504))
MAX_PAGE_SIZE = 500  # the server's limit_param_max default
MAX_PARALLEL = 16  # concurrent reads of one run (the bulk forms' `parallel`): the connection pool holds as many
MAX_RETRY_AFTER = 120.0


class AlluraError(Exception):
    """A failure a person can act on. `details` goes into the module result (never secrets)."""

    def __init__(self, message, status=None, method=None, path=None, server_message=None, **details):
        super().__init__(message)
        self.message = message
        self.status = status
        self.method = method
        self.path = path
        self.server_message = server_message
        self.details = details

    def result(self):
        out = dict(msg=self.message)
        if self.status is not None:
            out['status'] = self.status
        if self.method:
            out['request'] = '%s %s' % (self.method, self.path)
        if self.server_message:
            out['server_message'] = self.server_message
        out.update(self.details)
        return out


class ParameterError(AlluraError):
    """Bad input found before anything was sent."""


def is_loopback(host):
    if host in ('localhost', 'localhost.localdomain') or (host or '').endswith('.localhost'):
        return True
    try:
        return ipaddress.ip_address(host.strip('[]')).is_loopback
    except ValueError:
        return False


def quote_segment(value):
    """Percent-quote one path segment exactly (space %20, '+' and '%' literal, UTF-8)."""
    value = str(value)
    if '/' in value:
        # Allura decodes %2F before routing, so a slash always splits the path (REFERENCE 1.1).
        raise ParameterError('%r contains "/", which the Allura REST API cannot address' % value)
    return quote(value, safe='')


_TAG = re.compile(r'<[^>]+>')
_SPACE = re.compile(r'\s+')


def html_to_text(fragment):
    return _SPACE.sub(' ', unescape(_TAG.sub(' ', fragment))).strip()


def server_message(response):
    """The server's own explanation, reduced to one short line (JSON, WebOb page or error page)."""
    text = response.text or ''
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        for key in ('error', 'errors', 'info', 'message', 'detail'):
            if body.get(key):
                value = body[key]
                if key == 'message':  # WebOb JSON: "<explanation><br /><br />\n<detail>"
                    parts = [p for p in (html_to_text(x) for x in str(value).split('<br />')) if p]
                    value = parts[-1] if parts else value
                if isinstance(value, dict):
                    value = '; '.join('%s: %s' % (k, v) if k else str(v) for k, v in sorted(value.items()))
                return _short(str(value))
        return ''
    # WebOb HTML/text page: the endpoint-specific detail follows "<br /><br />".
    if '<br /><br />' in text:
        detail = html_to_text(text.split('<br /><br />', 1)[1])
        if detail:
            return _short(detail)
    # Allura's production error page: the message is the first paragraph of the content.
    content = text.split('id="content_base"', 1)
    match = re.search(r'<p>(.*?)</p>', content[-1], re.S)
    if match:
        return _short(html_to_text(match.group(1)))
    match = re.search(r'<title>(.*?)</title>', text, re.S | re.I)
    if match:
        return _short(html_to_text(match.group(1)))
    return _short(html_to_text(text))


def _short(text, limit=300):
    text = text.strip()
    return text if len(text) <= limit else text[:limit - 3] + '...'


def retry_after_seconds(response):
    value = response.headers.get('Retry-After')
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = parsedate_to_datetime(value).timestamp() - time.time()
        except (TypeError, ValueError):
            return None
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


class AlluraClient:
    """One keep-alive session against one Allura server, for one module run."""

    def __init__(self, server_url, token=None, oauth=None, validate_certs=True, ca_path=None,
                 timeout=30, retries=5, warn=None, backoff=0.5, backoff_max=20.0, sleep=time.sleep,
                 session=None, clock=time.monotonic):
        if not HAS_REQUESTS:  # the module adapter reports this properly; this is for direct use
            raise AlluraError('the Python library "requests" is required')
        token = _clean_token(token)
        parts = urlsplit(server_url or '')
        if parts.scheme not in ('http', 'https') or not parts.hostname:
            raise ParameterError('server_url must be an http(s) URL such as https://sourceforge.net, got %r' % server_url)
        if token and any(oauth.values() if oauth else ()):
            raise ParameterError('token and the oauth_* options are mutually exclusive: give one way to authenticate')
        credentials = bool(token) or bool(oauth and any(oauth.values()))
        if credentials and parts.scheme == 'http' and not is_loopback(parts.hostname):
            raise ParameterError(
                'refusing to send credentials over plain http to %s: use an https:// server_url '
                '(plain http is only allowed for loopback test servers)' % parts.hostname)
        self.base = '%s://%s%s' % (parts.scheme, parts.netloc, parts.path.rstrip('/'))
        self.host = parts.hostname
        self.timeout = timeout
        self.retries = max(0, int(retries))
        self.backoff = backoff
        self.backoff_max = backoff_max
        self.sleep = sleep
        self.clock = clock
        self.warnings = []
        self._warn = warn
        self.authenticated = credentials
        self.requests_made = 0
        self._pause_until = 0.0  # after a 429 every request of the run waits (concurrent reads back off together)
        self.session = session or requests.Session()
        if session is None:  # room for the concurrent reads of the bulk forms
            adapter = requests.adapters.HTTPAdapter(pool_connections=4, pool_maxsize=MAX_PARALLEL)
            self.session.mount('https://', adapter)
            self.session.mount('http://', adapter)
        self.session.headers.update({'Accept': 'application/json', 'User-Agent': USER_AGENT})
        self.session.verify = ca_path if (validate_certs and ca_path) else bool(validate_certs)
        self.session.trust_env = False  # no ~/.netrc credentials or proxies from the environment
        self._auth = None
        if token:
            self.session.headers['Authorization'] = 'Bearer %s' % token
        elif oauth and any(oauth.values()):
            missing = sorted(k for k, v in oauth.items() if not v)
            if missing:
                raise ParameterError('OAuth 1.0a needs all four oauth_* options; missing: %s' % ', '.join(missing))
            if not HAS_OAUTHLIB:
                raise AlluraError('the Python library "requests-oauthlib" is required for OAuth 1.0a')
            self._auth = OAuth1(oauth['oauth_consumer_key'], client_secret=oauth['oauth_consumer_secret'],
                                resource_owner_key=oauth['oauth_token'],
                                resource_owner_secret=oauth['oauth_token_secret'])

    # -- URLs -------------------------------------------------------------------------------------

    @staticmethod
    def path(*segments, trailing_slash=True):
        """'/rest/' + quoted segments; every segment is one path element, quoted exactly."""
        quoted = '/'.join(quote_segment(s) for s in segments)
        return '/rest/%s%s' % (quoted, '/' if trailing_slash and segments else '')

    def url(self, path):
        return self.base + path

    def warn(self, message):
        self.warnings.append(message)
        if self._warn:
            self._warn(message)

    # -- requests ---------------------------------------------------------------------------------

    def request(self, method, path, params=None, data=None, expect=(200,), recheck=None, not_found=None,
                retry_statuses=RETRY_STATUSES, json=None):
        """Send one request with retries; return the response whose status is in `expect`.

        `recheck` marks a write that must not be blindly re-sent: after an ambiguous failure (the
        server may have done the work) it is called, and a truthy result is returned as the outcome
        instead of sending the write again. Such a write that got no answer within the timeout is
        never sent again at all (the server may still be working on it): the remaining attempts only
        re-read. `not_found` is called on a 404 for a message that says what is missing.
        """
        attempts = self.retries + 1
        unanswered = False  # a guarded write timed out: from then on only re-read
        for attempt in range(1, attempts + 1):
            reason, wait, ambiguous = None, None, False
            pause = self._pause_until - self.clock()
            if pause > 0:
                self.sleep(pause)
            if unanswered:
                reason, ambiguous = 'no answer within %ss' % self.timeout, True
            else:
                try:
                    self.requests_made += 1
                    response = self.session.request(method, self.url(path), params=params, data=data, json=json,
                                                    auth=self._auth, timeout=self.timeout, allow_redirects=False)
                except requests.exceptions.SSLError as exc:  # retrying cannot help
                    raise AlluraError('TLS verification failed for %s: %s. Give the CA bundle of this server with ca_path, or '
                                      '(for a test server only) set validate_certs to false' % (self.host, _short(str(exc), 200)),
                                      method=method, path=path)
                except requests.exceptions.ConnectTimeout:
                    reason = 'connection timed out'
                except requests.exceptions.ConnectionError as exc:
                    reason = 'connection error'
                    ambiguous = not _never_connected(exc)
                except requests.exceptions.Timeout:
                    reason = 'no answer within %ss' % self.timeout
                    ambiguous = True
                    unanswered = recheck is not None and method != 'GET'
                except requests.exceptions.ChunkedEncodingError:  # the answer broke off half-way: the work was done
                    reason = 'connection broken'
                    ambiguous = True
                else:
                    if response.status_code in expect:
                        return response
                    if response.status_code not in retry_statuses:
                        raise self.error(method, path, response, not_found)
                    reason = 'HTTP %d' % response.status_code
                    wait = retry_after_seconds(response)
                    ambiguous = response.status_code in AMBIGUOUS_STATUSES
            if ambiguous and recheck is not None and method != 'GET':
                done = recheck()
                if done:
                    self.warn('%s %s: %s, but a re-read shows the change was made; not sending it again'
                              % (method, path, reason))
                    return done
            if attempt == attempts:
                break
            if wait is None:
                wait = min(self.backoff_max, self.backoff * (2 ** (attempt - 1))) * random.uniform(0.5, 1.0)
            if reason == 'HTTP 429':
                self._pause_until = max(self._pause_until, self.clock() + wait)
            if unanswered:
                self.warn('%s %s: %s and a re-read does not show the change yet; not sending it again (the server may '
                          'still be carrying it out): re-reading in %.1fs (attempt %d of %d)'
                          % (method, path, reason, wait, attempt + 1, attempts))
            else:
                self.warn('%s %s: %s; retrying in %.1fs (attempt %d of %d)' % (method, path, reason, wait, attempt + 1, attempts))
            self.sleep(wait)
        if unanswered:
            raise AlluraError('%s %s got no answer within %ss, and %d re-reads do not show the change: it was not sent again, '
                              'as the server may still carry it out (run again later: a run re-reads before it writes; or '
                              'raise timeout)' % (method, path, self.timeout, attempts), method=method, path=path)
        raise AlluraError('%s %s failed after %d attempts: %s (the server may be overloaded or unreachable; '
                          'raise retries or timeout, or run again later)' % (method, path, attempts, reason),
                          method=method, path=path)

    def get_json(self, path, params=None, not_found=None, expect=(200,)):
        return _json(self.request('GET', path, params=params, not_found=not_found, expect=expect), 'GET', path)

    def post(self, path, data=None, expect=(200,), recheck=None, not_found=None, retry_statuses=RETRY_STATUSES):
        return self.request('POST', path, data=_form(data), expect=expect, recheck=recheck, not_found=not_found,
                            retry_statuses=retry_statuses)

    def post_json(self, path, data=None, recheck=None, not_found=None):
        """The JSON answer of a POST; or, when `recheck` found the write already done, what it returned."""
        answer = self.post(path, data, recheck=recheck, not_found=not_found)
        return _json(answer, 'POST', path) if isinstance(answer, requests.Response) else answer

    def exists(self, path, params=None):
        """GET that answers None for 404 instead of failing."""
        response = self.request('GET', path, params=params, expect=(200, 404))
        return None if response.status_code == 404 else _json(response, 'GET', path)

    def paginate(self, path, key, limit=MAX_PAGE_SIZE, params=None):
        """Every item of a page/limit listing. Stops on the server's count, never on a short guess."""
        return self.read_list(path, key, limit=limit, params=params)[1]

    def read_list(self, path, key, limit=MAX_PAGE_SIZE, params=None, max_items=None, not_found=None, first_page=None,
                  counts_hidden=False):
        """(the first page's answer, every item of a page/limit listing, or its first `max_items`).

        key: the list's key in the answer, or a tuple of keys for a nested one (('thread', 'posts')).
        first_page: the answer to page 0 with this limit, when the caller has read it already.
        counts_hidden: the count includes items nobody reads over REST (a forum's held topics): no warning then.
        A listing that says how many items it has (`count`) is read until that many were seen, never
        stopping on a short guess; one without (a discussion thread) until a page is not full.
        """
        keys = key if isinstance(key, tuple) else (key,)
        if max_items is not None:
            limit = min(limit, max_items)
        items, seen, page, first = [], set(), 0, None
        while True:
            body = first_page if page == 0 and first_page is not None else self.get_json(
                path, params=dict(params or {}, limit=limit, page=page), not_found=not_found)
            first = body if first is None else first
            batch = body
            for name in keys:
                batch = batch.get(name) if isinstance(batch, dict) else None
            batch = batch or []
            count = body.get('count') if isinstance(body.get('count'), int) else None
            for item in batch:
                ident = repr(sorted(item.items())) if isinstance(item, dict) else repr(item)
                if ident not in seen:  # an item created meanwhile shifts the pages by one
                    seen.add(ident)
                    items.append(item)
            if max_items is not None and len(items) >= max_items:
                return first, items[:max_items]
            if not batch or ((page + 1) * limit >= count if count is not None else len(batch) < limit):
                break
            page += 1
        if count is not None and len(items) < count and not counts_hidden:
            self.warn('%s reported %d items but %d could be listed (items this user cannot read are not shown)'
                      % (path, count, len(items)))
        return first, items

    # -- errors -----------------------------------------------------------------------------------

    def error(self, method, path, response, not_found=None):
        status = response.status_code
        details = {}
        detail = server_message(response)
        what = '%s %s' % (method, path)
        if status == 401:
            if self.authenticated:
                msg = ('authentication failed for %s: the server rejected the %s' % (what, (
                    'OAuth 1.0a signature (wrong consumer or token secret, or an unknown or revoked token)' if self._auth
                    else 'token (unknown, revoked or expired, or a bearer token sent over plain http)')))
            else:
                msg = 'authentication required for %s: give token (or the oauth_* options) of a user allowed to do this' % what
        elif status == 403:
            msg = 'permission denied for %s%s: the user of this token lacks the permission%s' % (
                what, ' (%s)' % detail if detail else '',
                '; a project admin token is needed for admin endpoints' if '/admin/' in path else '')
        elif status == 404:
            # not_found() says what is missing: a message, or (message, 'project'|'tool'|'item')
            found = not_found() if not_found else None
            if isinstance(found, tuple):
                details['missing'] = found[1]
                found = found[0]
            msg = found or '%s: not found' % what
        elif status in (301, 302, 303, 307, 308):
            msg = '%s: unexpected redirect to %s' % (what, response.headers.get('Location'))
        elif status == 400:
            msg = '%s was refused: %s' % (what, detail or 'bad request')
        else:
            msg = '%s failed with HTTP %d%s' % (what, status, ': %s' % detail if detail else '')
        return AlluraError(msg, status=status, method=method, path=path, server_message=detail or None, **details)


def _clean_token(token):
    """The bearer token without surrounding whitespace (a vault or a file often adds a line break).

    Any other character a bearer token cannot have is refused without showing the value: sent as it
    is, the HTTP library would fail with an error message that quotes the whole header.
    """
    if not token:
        return token
    cleaned = token.strip()
    if not cleaned or not all(33 <= ord(char) < 127 for char in cleaned):
        raise ParameterError('token contains a line break, a space or another character a bearer token cannot have '
                             '(the value is not shown): check where it comes from (vault, file or environment)')
    return cleaned


def _never_connected(exc):
    """True when the connection was never made, so the request cannot have been processed."""
    text = repr(exc)
    return 'NewConnectionError' in text or 'Failed to establish' in text or 'Name or service not known' in text


def _form(data):
    """Form fields for requests: drop None, booleans as the server's true/false strings."""
    if data is None:
        return None
    out = []
    for key, value in (data.items() if isinstance(data, dict) else data):
        if value is None:
            continue
        if isinstance(value, bool):
            value = 'true' if value else 'false'
        out.append((key, value))
    return out


def _json(response, method, path):
    try:
        return response.json()
    except ValueError:
        raise AlluraError('%s %s: expected JSON but got %s (is server_url an Allura server?)'
                          % (method, path, response.headers.get('Content-Type', 'no content type')),
                          status=response.status_code, method=method, path=path)
