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
import os
import random
import re
import socket
import ssl
import threading
import time
from contextlib import contextmanager
from email.utils import parsedate_to_datetime
from html import unescape
from urllib.parse import quote, urlsplit

# Defined apart so that the planners (filters) import them without the HTTP stack; re-exported here.
from ansible_collections.allura.forge.plugins.module_utils._errors import (  # noqa: F401
    MAX_PARALLEL, AlluraError, Deferred, ParameterError)

try:
    import requests
    import urllib3.exceptions
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
except ImportError as exc:  # pragma: no cover - exercised by the sanity import test
    requests = urllib3 = None
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = exc

try:
    import truststore  # optional: verify against the operating system's trust store
    HAS_TRUSTSTORE = True
except ImportError:
    truststore = None
    HAS_TRUSTSTORE = False

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
MAX_RETRY_AFTER = 120.0
# A CA bundle given the usual way, in the order requests and OpenSSL read them; ca_path wins over all of them.
CA_BUNDLE_VARIABLES = ('REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE', 'SSL_CERT_FILE', 'SSL_CERT_DIR')
TRANSIENT_ADVICE = 'the server may be overloaded or unreachable; raise retries or timeout, or run again later'


class Denied:
    """What a request needs that the server may refuse (401, 403): the `denied` of AlluraClient.request, from which
    every permission error is worded the one same way.

    action, what: what could not be done ('create', "p/test wiki page 'Home'"); permission, on: the permission it
    needs and where ('create', "the wiki tool at mount_point 'wiki'"); who: whose credentials would do.
    """

    def __init__(self, action, what, permission=None, on=None, who='a user allowed to do this'):
        self.action, self.what, self.permission, self.on, self.who = action, what, permission, on, who

    def message(self, anonymous, detail):
        needed = ('the %r permission%s' % (self.permission, ' on %s' % self.on if self.on else '') if self.permission
                  else 'the permission it needs')
        failed = 'cannot %s' % ' '.join(part for part in (self.action, self.what) if part)
        if anonymous:  # a project's ACL may let anonymous users do some things: the request was sent, and refused
            return ('%s: authentication required - the request was sent without credentials (no token, no oauth_* options, '
                    'no ALLURA_TOKEN), and anonymous users lack %s (%s); give token (or set ALLURA_TOKEN, or give the four '
                    'oauth_* options) of %s' % (failed, needed, detail, self.who))
        return '%s: the user of this token lacks %s (%s); use the token of %s' % (failed, needed, detail, self.who)


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


# -- network settings: trust store and proxy, from the options and the task's environment ------------

def ca_bundle(validate_certs, ca_path, environ):
    """requests' `verify`: False, the CA bundle (a PEM file or a folder) to verify with, or True for the default store."""
    if not validate_certs:
        return False
    source, bundle = 'ca_path', ca_path
    if not bundle:
        source, bundle = next(((name, environ[name]) for name in CA_BUNDLE_VARIABLES if environ.get(name)), (None, None))
    if not bundle:
        return True
    if not os.path.exists(bundle):
        raise ParameterError('%s %r does not exist: give a CA bundle (PEM file) or a folder of CA certificates' % (source, bundle))
    return bundle


def environ_proxies(environ):
    """The <scheme>_proxy variables of an environment, as urllib reads them from os.environ: {scheme: (variable, url)}
    ('no' for no_proxy); the lower-case name wins, an empty value means unset."""
    proxies = {}
    for lower_case in (False, True):
        for name, value in environ.items():
            if len(name) > 6 and name[-6:].lower() == '_proxy' and (name[-6:] == '_proxy') == lower_case:
                key = name[:-6].lower()
                if value:
                    proxies[key] = (name, value)
                elif lower_case:
                    proxies.pop(key, None)
    return proxies


def no_proxy_matches(host, port, no_proxy):
    """Whether a NO_PROXY list exempts host:port, as requests decides: `*`, a host or domain (with or without the
    port; a leading dot is ignored), an IP address or network."""
    host = host.lower().strip('[]')
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        address = None
    for entry in no_proxy.replace(' ', '').lower().split(','):
        if entry == '*':
            return True
        if not entry:
            continue
        if address is not None:
            try:
                if address in ipaddress.ip_network(entry.strip('[]'), strict=False):
                    return True
            except ValueError:
                pass
        entry = entry.lstrip('.')
        for name in (host, '%s:%d' % (host, port)):
            if name == entry or name.endswith('.' + entry):
                return True
    return False


def select_proxy(url, use_proxy, proxy_url, environ):
    """The proxy for requests to `url` as (url, where it comes from), or (None, None) to connect directly.

    proxy_url wins; else the environment's proxy for the URL's scheme (or ALL_PROXY) unless NO_PROXY exempts the host.
    """
    if not use_proxy:
        return None, None
    parts = urlsplit(url)
    if proxy_url:
        source, proxy = 'proxy_url', proxy_url
    else:
        proxies = environ_proxies(environ)
        port = parts.port or (443 if parts.scheme == 'https' else 80)
        if 'no' in proxies and no_proxy_matches(parts.hostname, port, proxies['no'][1]):
            return None, None
        source, proxy = proxies.get(parts.scheme) or proxies.get('all') or (None, None)
        if not proxy:
            return None, None
    if '://' not in proxy:
        proxy = 'http://' + proxy  # as requests and curl read "proxy.example.org:3128"
    if not _is_proxy_url(proxy):
        raise ParameterError('%s must be an http:// or https:// proxy URL such as http://proxy.example.org:3128, got %s '
                             '(set use_proxy to false, or list the host in NO_PROXY, to connect directly)'
                             % (source, _without_credentials(proxy)))
    return proxy, source


def _is_proxy_url(url):
    parts = urlsplit(url)
    try:
        parts.port  # noqa: B018 pylint: disable=pointless-statement  # raises ValueError for a port that is not a number
    except ValueError:
        return False
    return parts.scheme in ('http', 'https') and bool(parts.hostname)


def _without_credentials(url):
    """A URL as it may be shown: user and password left out."""
    parts = urlsplit(url)
    return parts._replace(netloc=parts.netloc.rpartition('@')[2]).geturl()


def _host_port(url):
    parts = urlsplit(url)
    return '%s:%d' % (parts.hostname, parts.port or (443 if parts.scheme == 'https' else 80))


def _session_adapter(os_trust_store):
    """The connection pool of a session (room for the concurrent reads of the bulk forms); with os_trust_store it
    verifies certificates with the operating system's trust store (truststore), direct or through a proxy."""
    if not os_trust_store:
        return requests.adapters.HTTPAdapter(pool_connections=4, pool_maxsize=MAX_PARALLEL)
    context = truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)

    class TrustStoreAdapter(requests.adapters.HTTPAdapter):
        def init_poolmanager(self, *args, **kwargs):
            return super().init_poolmanager(*args, ssl_context=context, **kwargs)

        def proxy_manager_for(self, proxy, **kwargs):
            return super().proxy_manager_for(proxy, ssl_context=context, **kwargs)

    return TrustStoreAdapter(pool_connections=4, pool_maxsize=MAX_PARALLEL)


class Failure:
    """What a failed connection attempt means, decided from the exception types (never their text)."""

    def __init__(self, cause, reason, retry=True, sent=False, advice=TRANSIENT_ADVICE):
        self.cause = cause  # the result's `connection_error`: dns, refused, timeout, broken, tls, proxy, proxy_refused
        self.reason = reason  # what happened, for the message
        self.retry = retry  # another attempt may succeed
        self.sent = sent  # the server may have received the request (and carried it out)
        self.advice = advice  # what to do when every attempt failed


def _causes(exc):
    """An exception of requests and what it wraps, outermost first (requests -> urllib3 -> socket / ssl)."""
    chain = []
    while exc is not None and not any(exc is seen for seen in chain):
        chain.append(exc)
        reason = getattr(exc, 'reason', None)  # urllib3's MaxRetryError
        wrapped = [arg for arg in exc.args if isinstance(arg, BaseException) and arg is not exc]
        exc = reason if isinstance(reason, BaseException) else wrapped[0] if wrapped else exc.__cause__
    return chain


def classify(exc, server, proxy=None, proxy_source=None, timeout=None):
    """The Failure behind an exception of requests, for requests to `server` (a URL) through `proxy` (or directly)."""
    chain = _causes(exc)

    def found(kind):
        return next((e for e in chain if isinstance(e, kind)), None)

    target = _host_port(server)
    if isinstance(exc, requests.exceptions.SSLError):
        verification = found(ssl.SSLCertVerificationError)
        if verification is not None:
            return Failure('tls', 'TLS verification failed for %s: %s' % (target, verification.verify_message or verification.reason),
                           retry=False, advice='give the CA bundle of this server with ca_path (or REQUESTS_CA_BUNDLE or '
                           'SSL_CERT_FILE), or (for a test server only) set validate_certs to false')
        error = found(ssl.SSLError)
        return Failure('tls', 'the TLS handshake with %s failed: %s' % (target, getattr(error, 'reason', None) or 'no detail'),
                       retry=False, advice='check that server_url is right (https:// for a server that speaks TLS)')
    dns = found(urllib3.exceptions.NameResolutionError)
    not_found = dns is not None and getattr(dns.__cause__, 'errno', None) != socket.EAI_AGAIN  # EAI_AGAIN: try again
    if isinstance(exc, requests.exceptions.ProxyError) and proxy:
        where = 'the proxy %s (from %s)' % (_host_port(proxy), proxy_source)
        direct = 'or set use_proxy to false or list %s in NO_PROXY to connect directly' % urlsplit(server).hostname
        if dns is not None:
            return Failure('proxy', 'cannot resolve the host name of %s' % where, retry=not not_found,
                           advice='check the proxy URL, %s' % direct)
        if found(ConnectionRefusedError):
            return Failure('proxy', '%s refused the connection' % where,
                           advice='check the proxy URL and that the proxy is running, %s' % direct)
        if found(urllib3.exceptions.NewConnectionError) is None and found(urllib3.exceptions.ConnectTimeoutError):
            return Failure('proxy', 'connecting to %s timed out' % where)
        if found(urllib3.exceptions.NewConnectionError):
            return Failure('proxy', 'cannot connect to %s' % where, advice='check the proxy URL, %s' % direct)
        # Connected, but the proxy answered the CONNECT request with an error status: shown as the proxy gave it.
        answer = chain[-1] if len(chain) > 1 else None
        credentials = '@' in urlsplit(proxy).netloc
        return Failure('proxy_refused', '%s refused to open a tunnel to %s (%s)' % (where, target, answer or 'no answer'),
                       retry=False, advice=('check the user and password in the proxy URL, and that the proxy lets you reach '
                                            'this server' if credentials else
                                            'if it asks for authentication (407), give a user and password in the proxy URL '
                                            '(http://user:password@host:port); otherwise it does not let you reach this server'))
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return Failure('timeout', 'connecting to %s timed out' % target)
    if isinstance(exc, requests.exceptions.Timeout):
        return Failure('timeout', 'no answer within %ss' % timeout, sent=True)
    if isinstance(exc, requests.exceptions.ChunkedEncodingError):  # the answer broke off half-way: the work was done
        return Failure('broken', 'connection broken', sent=True)
    if dns is not None:
        return Failure('dns', 'cannot resolve the host name %s (DNS)' % urlsplit(server).hostname, retry=not not_found,
                       advice='check server_url, and the DNS settings of the host running the module')
    if found(ConnectionRefusedError):
        return Failure('refused', '%s refused the connection' % target,
                       advice='check server_url, its host and port, and that the server is running')
    if found(urllib3.exceptions.NewConnectionError):  # no route, network unreachable: never connected
        return Failure('connection', 'cannot connect to %s' % target)
    return Failure('connection', 'connection error', sent=True)  # reset or closed after the request may have been sent


class AlluraClient:
    """One keep-alive session against one Allura server, for one module run."""

    def __init__(self, server_url, token=None, oauth=None, validate_certs=True, ca_path=None,
                 timeout=30, retries=5, warn=None, backoff=0.5, backoff_max=20.0, sleep=time.sleep,
                 session=None, clock=time.monotonic, use_proxy=True, proxy_url=None, environ=None):
        """`environ` is the environment the proxy and CA bundle variables are read from (the task's; os.environ
        by default)."""
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
        self.on_warning = warn  # also told every warning (a module run's Context.warn)
        self.authenticated = credentials
        self.requests_made = 0
        self._pause_until = 0.0  # after a 429 every request of the run waits (concurrent reads back off together)
        # answers that made a request wait and try again (429, 5xx, no answer): writes in flight at once then go one at a
        # time (see _resource.write_many), so that concurrency does not multiply the retries against a strained server
        self.pushback = 0
        self._local = threading.local()  # this thread's deferring_limits
        # {request: answer} of the GETs answered 200, when set: for a client shared by the steps of a check run, which
        # writes nothing, so that what one step read (the project, a webhook list) is not read again by the next
        self.read_cache = None
        environ = os.environ if environ is None else environ
        verify = ca_bundle(validate_certs, ca_path, environ)
        self.proxy, self.proxy_source = select_proxy(self.base, use_proxy, proxy_url, environ)
        self.session = session or requests.Session()
        if session is None:
            # OpenSSL reads SSL_CERT_FILE and SSL_CERT_DIR for the OS trust store from this process's environment:
            # where the task's environment blanks one of them, that store would not be the task's
            os_trust_store = verify is True and HAS_TRUSTSTORE and not any(
                environ.get(name) == '' and os.environ.get(name) for name in ('SSL_CERT_FILE', 'SSL_CERT_DIR'))
            adapter = _session_adapter(os_trust_store)
            self.session.mount('https://', adapter)
            self.session.mount('http://', adapter)
        self.session.headers.update({'Accept': 'application/json', 'User-Agent': USER_AGENT})
        self.session.verify = verify
        # Proxies and CA bundle come from `environ` (above), never from os.environ or ~/.netrc (its credentials
        # would replace the token)
        self.session.trust_env = False
        self.session.proxies = {parts.scheme: self.proxy} if self.proxy else {}
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
        if self.on_warning:
            self.on_warning(message)

    # -- requests ---------------------------------------------------------------------------------

    @contextmanager
    def deferring_limits(self):
        """Inside: the requests of one of several writes in flight at once. Its first write that the server refuses
        with 429 (a creation limit: the server wrote nothing) is not retried but raises Deferred at once, so that the
        batch starts nothing new and sends it again in its turn when the writes go one at a time: retried alongside
        each other, the writes in flight would meet the limit once each per attempt. Once a write of it succeeded, a
        429 is retried as usual (sending the whole item again would repeat that write)."""
        self._local.defer = True
        try:
            yield
        finally:
            self._local.defer = False

    def request(self, method, path, params=None, data=None, expect=(200,), recheck=None, not_found=None,
                retry_statuses=RETRY_STATUSES, json=None, denied=None):
        """Send one request with retries; return the response whose status is in `expect`.

        `recheck` marks a write that must not be blindly re-sent: after an ambiguous failure (the
        server may have done the work) it is called, and a truthy result is returned as the outcome
        instead of sending the write again. Such a write that got no answer within the timeout is
        never sent again at all (the server may still be working on it): the remaining attempts only
        re-read. `not_found` is called on a 404 for a message that says what is missing. `denied` (a Denied) says
        what the request needs, for the error of a refusal (401 without credentials, 403).
        """
        cache, cached = (self.read_cache, repr((path, sorted((params or {}).items())))) if method == 'GET' else (None, None)
        if cache is not None and cached in cache and cache[cached].status_code in expect:
            return cache[cached]
        attempts = self.retries + 1
        unanswered = False  # a guarded write timed out: from then on only re-read
        for attempt in range(1, attempts + 1):
            reason, wait, ambiguous, advice, connection_error = None, None, False, TRANSIENT_ADVICE, None
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
                except (requests.exceptions.ConnectionError, requests.exceptions.Timeout,
                        requests.exceptions.ChunkedEncodingError) as exc:
                    failure = classify(exc, self.base, self.proxy, self.proxy_source, self.timeout)
                    if not failure.retry:  # retrying cannot help
                        raise AlluraError('%s %s: %s; %s' % (method, path, failure.reason, failure.advice),
                                          method=method, path=path, connection_error=failure.cause)
                    reason, ambiguous, advice = failure.reason, failure.sent, failure.advice
                    unanswered = failure.cause == 'timeout' and failure.sent and recheck is not None and method != 'GET'
                    connection_error = failure.cause
                else:
                    if response.status_code in expect:
                        if method != 'GET':
                            self._local.defer = False  # this write happened: sending the item again would repeat it
                        elif cache is not None and response.status_code == 200:
                            cache[cached] = response
                        return response
                    if (response.status_code == 429 and 429 in retry_statuses and method != 'GET'
                            and getattr(self._local, 'defer', False)):
                        self.pushback += 1
                        self._pause_until = max(self._pause_until, self.clock() + (retry_after_seconds(response) or self.backoff))
                        raise Deferred('%s %s: HTTP 429 (a creation limit of the server); not retried alongside other writes'
                                       % (method, path), status=429, method=method, path=path)
                    if response.status_code == 407 and self.proxy:
                        raise self.proxy_authentication_error(method, path)
                    if response.status_code not in retry_statuses:
                        raise self.error(method, path, response, not_found, denied)
                    reason = 'HTTP %d' % response.status_code
                    wait = retry_after_seconds(response)
                    ambiguous = response.status_code in AMBIGUOUS_STATUSES
            self.pushback += 1
            if ambiguous and recheck is not None and method != 'GET':
                done = recheck()
                if done:
                    self._local.defer = False
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
                              'raise timeout)' % (method, path, self.timeout, attempts), method=method, path=path,
                              connection_error='timeout')
        details = dict(connection_error=connection_error) if connection_error else {}
        raise AlluraError('%s %s failed after %d attempts: %s (%s)' % (method, path, attempts, reason, advice),
                          method=method, path=path, **details)

    def proxy_authentication_error(self, method, path):
        """The proxy answered 407 (a forwarded http request; through a CONNECT tunnel this is a ProxyError)."""
        where = 'the proxy %s (from %s)' % (_host_port(self.proxy), self.proxy_source)
        if '@' in urlsplit(self.proxy).netloc:
            msg = '%s %s: %s rejected the user and password in the proxy URL (HTTP 407)' % (method, path, where)
        else:
            msg = ('%s %s: %s asks for authentication (HTTP 407): give the user and password in the proxy URL '
                   '(http://user:password@host:port)' % (method, path, where))
        return AlluraError(msg, status=407, method=method, path=path, connection_error='proxy_auth')

    def get_json(self, path, params=None, not_found=None, expect=(200,), denied=None):
        return _json(self.request('GET', path, params=params, not_found=not_found, expect=expect, denied=denied), 'GET', path)

    def post(self, path, data=None, expect=(200,), recheck=None, not_found=None, retry_statuses=RETRY_STATUSES, denied=None):
        return self.request('POST', path, data=_form(data), expect=expect, recheck=recheck, not_found=not_found,
                            retry_statuses=retry_statuses, denied=denied)

    def post_json(self, path, data=None, recheck=None, not_found=None, denied=None):
        """The JSON answer of a POST; or, when `recheck` found the write already done, what it returned."""
        answer = self.post(path, data, recheck=recheck, not_found=not_found, denied=denied)
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

    def error(self, method, path, response, not_found=None, denied=None):
        status = response.status_code
        details = {}
        detail = server_message(response)
        what = '%s %s' % (method, path)
        if status == 401 and self.authenticated:
            msg = ('authentication failed for %s: the server rejected the %s' % (what, (
                'OAuth 1.0a signature (wrong consumer or token secret, or an unknown or revoked token)' if self._auth
                else 'token (unknown, revoked or expired, or a bearer token sent over plain http)')))
        elif status in (401, 403):
            denied = denied or Denied(None, what, who='a project admin' if '/admin/' in path else 'a user allowed to do this')
            msg = denied.message(not self.authenticated, detail or 'HTTP %d' % status)
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
            details.update(_validation_errors(response))
        else:
            msg = '%s failed with HTTP %d%s' % (what, status, ': %s' % detail if detail else '')
        return AlluraError(msg, status=status, method=method, path=path, server_message=detail or None, **details)


def _validation_errors(response):
    """{'validation_errors': the errors of a refused form, as the server gives them} (a tracker's new or save answers
    them as JSON text, REFERENCE 8.3), or {}."""
    try:
        body = response.json()
    except ValueError:
        return {}
    errors = body.get('errors') if isinstance(body, dict) else None
    return dict(validation_errors=errors) if isinstance(errors, dict) else {}


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
