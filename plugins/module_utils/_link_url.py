# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The URL of an External Link tool, normalised exactly as the server stores it.

Allura validates the link URL (REST POST on the link tool, and install_tool's `url` option) with
formencode's `URL(not_empty=True, add_http=True)` and stores the converted value (REFERENCE 11,
5.2). This is that conversion, step by step, so a module can compare the user's value with the
stored one, show in --diff exactly what will be stored, and refuse a value the server would refuse
before sending anything (a failed install_tool still renumbers the project's tools).
"""

from __future__ import annotations

import re
from urllib.parse import urlparse, urlunparse

# formencode.validators.URL, verbatim.
_URL_RE = re.compile(r'''
    ^(http|https)://
    (?:[%:\w]*@)?                              # authenticator
    (?:                                        # ip or domain
    (?P<ip>(?:(?:25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)\.){3}(?:25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?))|
    (?P<domain>[a-z0-9][a-z0-9\-]{,62}\.)*     # subdomain
    (?P<tld>[a-z]{2,63}|xn--[a-z0-9\-]{2,59})  # top level domain
    )
    (?::[0-9]{1,5})?                           # port
    # files/delims/etc
    (?P<path>/[a-z0-9\-\._~:/\?#\[\]@!%\$&\'\(\)\*\+,;=]*)?
    $
''', re.I | re.VERBOSE)
_SCHEME_RE = re.compile(r'^[a-zA-Z]+:')

BAD_URL = 'That is not a valid URL'


class InvalidURL(ValueError):
    """The server would refuse this URL; the message is the server's own."""


def _encode_idna(url):
    try:
        scheme, netloc, path, params, query, fragment = urlparse(url)
    except ValueError:
        return url
    try:
        netloc = netloc.encode('idna').decode('ascii')
        return str(urlunparse((scheme, netloc, path, params, query, fragment)))
    except UnicodeError:
        return url


def normalise_link_url(value):
    """The value the server stores for `value`, or InvalidURL with the server's message.

    Surrounding whitespace is stripped, a value without a scheme gets `http://`, an
    internationalised host name is punycoded, the scheme is lower-cased; an empty value, a host
    without a dot (`localhost`), an IP address, a scheme other than http(s) or characters outside
    the allowed set (spaces, quotes, non-ASCII in the path) are refused.
    """
    if value is None or value == '':
        raise InvalidURL('Please enter a value')
    value = str(value).strip()
    if not _SCHEME_RE.search(value):
        value = 'http://' + value
    value = _encode_idna(value)
    match = _SCHEME_RE.search(value)
    if not match:
        raise InvalidURL('You must start your URL with http://, https://, etc')
    value = match.group(0).lower() + value[len(match.group(0)):]
    match = _URL_RE.search(value)
    if not match:
        raise InvalidURL(BAD_URL)
    if not match.group('domain'):
        raise InvalidURL('You must provide a full domain name (like %s.com)' % match.group('tld'))
    return value
