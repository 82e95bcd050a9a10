"""Re-implementations of the formencode/Allura validators the REST API uses.

Only behaviour visible over REST is reproduced: accepted values, conversions
and the exact error messages.
"""

import ipaddress
import re
import socket
from urllib.parse import urlparse, urlsplit, urlunparse


class Invalid(Exception):
    """A validation error; ``str()`` is the message the server shows."""


_URL_TAIL = r'''
    (?:[%:\w]*@)?                              # authenticator
    (?:                                        # ip or domain
    (?P<ip>(?:(?:25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)\.){3}(?:25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?))|
    (?P<domain>[a-z0-9][a-z0-9\-]{,62}\.)*     # subdomain
    (?P<tld>[a-z]{2,63}|xn--[a-z0-9\-]{2,59})  # top level domain
    )
    (?::[0-9]{1,5})?                           # port
    (?P<path>/[a-z0-9\-\._~:/\?#\[\]@!%\$&\'\(\)\*\+,;=]*)?
    $
'''
# formencode URL: http(s) only
HTTP_URL_RE = re.compile(r'^(http|https)://' + _URL_TAIL, re.I | re.VERBOSE)
HTTP_SCHEME_RE = re.compile(r'^[a-zA-Z]+:')
# the webhook validator accepts any scheme syntactically; the scheme is only
# checked together with the address (skipped with urlopen_allow_internal_hostnames)
ANY_URL_RE = re.compile(r'^([a-z][a-z0-9.+-]*)://' + _URL_TAIL, re.I | re.VERBOSE)
ANY_SCHEME_RE = re.compile(r'^[a-z][a-z0-9.+-]*:', re.I)

MSG_EMPTY = 'Please enter a value'
MSG_BAD_URL = 'That is not a valid URL'


def _encode_idna(url):
    try:
        scheme, netloc, path, params, query, fragment = urlparse(url)
        return urlunparse((scheme, netloc.encode('idna').decode('ascii'), path, params, query, fragment))
    except (ValueError, UnicodeError):
        return url


def url(value, any_scheme=False, require_tld=True):
    """formencode ``URL(add_http=True)``: strip, add ``http://``, lower-case the scheme.

    ``require_tld`` (formencode's default, the link tool's validator): the host must be a domain
    name with a top-level domain - no IP address, no single-label host (contract cases
    ``link__set_*``). Allura's webhook validator (``NonPrivateUrl``) does not require one.
    """
    if value is None or value == '':
        raise Invalid(MSG_EMPTY)
    value = value.strip()
    scheme_re = ANY_SCHEME_RE if any_scheme else HTTP_SCHEME_RE
    if not scheme_re.search(value):
        value = 'http://' + value
    value = _encode_idna(value)
    match = scheme_re.search(value)
    if not match:
        raise Invalid('You must start your URL with http://, https://, etc')
    value = match.group(0).lower() + value[len(match.group(0)):]
    match = (ANY_URL_RE if any_scheme else HTTP_URL_RE).search(value)
    if not match:
        raise Invalid(MSG_BAD_URL)
    if require_tld and not match.group('domain'):
        raise Invalid('You must provide a full domain name (like %s.com)' % match.group('tld'))
    return value


def _public_address(host):
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError, OSError):
        return False
    if not infos:
        return False
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split('%')[0])
        if not address.is_global or address.is_multicast:
            return False
    return True


def webhook_url(value, allow_internal):
    """Allura's ``NonPrivateUrl`` for webhook targets.

    ``allow_internal`` mirrors ``urlopen_allow_internal_hostnames = true`` (the
    recording server's setting), which skips the scheme and address checks.
    The host is only resolved (``getaddrinfo``); nothing is ever sent to it.
    """
    value = url(value, any_scheme=True, require_tld=False)
    if allow_internal:
        return value
    parts = urlsplit(value)
    if parts.scheme not in ('http', 'https'):
        raise Invalid('Invalid URL scheme.')
    if not parts.hostname or not _public_address(parts.hostname):
        raise Invalid('Invalid URL.')
    return value


TRUE_VALUES = ('true', 't', 'yes', 'y', 'on', '1')
FALSE_VALUES = ('false', 'f', 'no', 'n', 'off', '0')


def string_bool(value):
    """formencode ``StringBool``."""
    if value is None or value == '':
        return False
    lowered = value.strip().lower()
    if lowered in TRUE_VALUES:
        return True
    if lowered in FALSE_VALUES:
        return False
    raise Invalid("Value should be 'true' or 'false'")


def number(value):
    """formencode ``Number``: int when integral, else float; '' -> None."""
    if value is None or value == '':
        return None
    try:
        converted = float(value)
    except ValueError as exc:
        raise Invalid('Please enter a number') from exc
    try:
        as_int = int(converted)
    except OverflowError:
        return converted
    except ValueError as exc:  # NaN
        raise Invalid('Please enter a number') from exc
    return as_int if as_int == converted else converted


def one_of(value, allowed):
    """formencode ``OneOf``; empty values pass (the widgets are not required)."""
    if value is None or value == '':
        return value
    if value not in allowed:
        raise Invalid('Value must be one of: %s (not %r)' % ('; '.join(allowed), value))
    return value


# Mount points (allura.lib.helpers regexes, allura.lib.validators.MountPointValidator)
TOOL_MOUNT_RE = re.compile(r'^(?!-)(?![0-9]+$)[a-z0-9-]{1,63}(?<!-)$')
RELAXED_MOUNT_RE = re.compile(r'^[a-zA-Z0-9][-a-zA-Z0-9_.+]{0,62}$')
RESERVED_MOUNT_POINTS = ('feed', 'index', 'icon', '_nav.json')

# Project shortnames: 3-15 lowercase letters, digits and dashes, not all digits
PROJECT_NAME_RE = re.compile(r'^(?!-)(?![0-9]+$)[a-z0-9-]{3,15}(?<!-)$')
