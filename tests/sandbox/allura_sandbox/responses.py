"""Responses and the one place where error bodies are produced.

Allura answers errors in three different ways (REFERENCE section 1.5):

* 403, 404 and 500 are rewritten by the production error-page middleware into
  a full HTML page (always HTML, whatever the ``Accept`` header says);
* WebOb exceptions (400, 401, 405, 429, 503, and also 201/301/302 raised as
  exceptions) are content-negotiated: HTML for ``*/*`` or ``text/html``, JSON
  for ``application/json``, plain text when nothing acceptable was offered;
* some handlers build their own error bodies (tracker validation, webhooks,
  add_project); those simply return a :class:`Response`.
"""

import html
import json
import os
import re

from .util import dumps

JSON_TYPE = 'application/json; charset=utf-8'
HTML_PAGE_TYPE = 'text/html; charset=utf-8'

_PAGE = None


class Response:
    """A complete HTTP response (status, headers, body bytes)."""

    __slots__ = ('status', 'headers', 'body')

    def __init__(self, status=200, body=b'', content_type=None, headers=None):
        self.status = status
        self.body = body.encode('utf-8') if isinstance(body, str) else body
        self.headers = list(headers or [])
        if content_type:
            self.headers.insert(0, ('Content-Type', content_type))

    def header(self, name):
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None


def json_response(obj, status=200, headers=None):
    return Response(status, dumps(obj), JSON_TYPE, headers)


class HTTPError(Exception):
    """Raised anywhere below the router; rendered by :meth:`render`."""

    def __init__(self, status, detail='', headers=None, location=None):
        super().__init__(status, detail)
        self.status = status
        self.detail = detail or ''
        self.headers = list(headers or [])
        self.location = location

    def render(self, accept, method):
        if self.status in (403, 404, 500):
            return error_page(self.status, self.detail)
        return webob_response(self.status, self.detail, accept, method, self.headers, self.location)


class Abort(Exception):
    """Carries a ready-made response out of deeply nested code."""

    def __init__(self, response):
        super().__init__(response.status)
        self.response = response


# -- shortcuts used by the handlers ------------------------------------------

def not_found():
    return HTTPError(404)


def server_error():
    return HTTPError(500)


def forbidden(perm):
    return HTTPError(403, '%s access required' % perm.capitalize())


def unauthorized(detail=''):
    return HTTPError(401, detail)


def bad_request(detail=''):
    return HTTPError(400, detail)


def method_not_allowed():
    return HTTPError(405, headers=[('Allow', 'POST')])


def redirect(location, status=302):
    return HTTPError(status, headers=[('Location', location)], location=location)


# -- production HTML error page ----------------------------------------------

def _page():
    global _PAGE  # pylint: disable=global-statement
    if _PAGE is None:
        with open(os.path.join(os.path.dirname(__file__), 'error_page.json'), encoding='utf-8') as handle:
            _PAGE = json.load(handle)
    return _PAGE


def error_page(status, detail=''):
    """The HTML page Allura's ``/error/document`` renders for 403/404/500."""
    page = _page()
    message = html.escape(detail, quote=True).replace('&#x27;', '&#39;') if detail else page['generic_message']
    body = page['html'].replace('@@CODE@@', str(status)).replace('@@MESSAGE@@', message)
    return Response(status, body, HTML_PAGE_TYPE)


# -- WebOb exception bodies ----------------------------------------------------

WEBOB = {
    201: ('Created', ''),
    301: ('Moved Permanently', 'The resource has been moved to'),
    302: ('Found', 'The resource was found at'),
    400: ('Bad Request', 'The server could not comply with the request since it is either malformed or otherwise incorrect.'),
    401: ('Unauthorized', 'This server could not verify that you are authorized to access the document you requested. '
                          'Either you supplied the wrong credentials (e.g., bad password), or your browser does not '
                          'understand how to supply the credentials required.'),
    405: ('Method Not Allowed', ''),
    413: ('Request Entity Too Large', 'The request is larger than the server is willing or able to process.'),
    429: ('Too Many Requests', 'The client has sent too many requests in a given amount of time.'),
    500: ('Internal Server Error', 'The server has either erred or is incapable of performing the requested operation.'),
    502: ('Bad Gateway', 'Bad gateway.'),
    503: ('Service Unavailable', 'The server is currently unavailable. Please try again at a later time.'),
    504: ('Gateway Timeout', 'The gateway has timed out.'),
}

_BR_RE = re.compile(r'<br.*?>', re.I | re.S)
_TAG_RE = re.compile(r'<.*?>', re.S)
_COMMENT_RE = re.compile(r'<!--|-->')


def _no_escape(value):
    return value


def _html_escape(value):
    return html.escape(value, quote=True)


def negotiate(accept):
    """WebOb 1.8 ``acceptable_offers(['text/html', 'application/json'])``.

    Returns the best offer or None.  A missing header counts as an empty one
    (WebOb reads ``environ.get('HTTP_ACCEPT', '')``), which accepts nothing,
    so the body becomes text/plain.  An unparsable header accepts everything.
    """
    ranges = []
    for part in (accept or '').split(','):
        part = part.strip()
        if not part:
            continue
        bits = part.split(';')
        media = bits[0].strip().lower()
        if media.count('/') != 1:
            return 'text/html'
        quality = 1.0
        for param in bits[1:]:
            key, _sep, value = param.partition('=')
            if key.strip().lower() == 'q':
                try:
                    quality = float(value.strip())
                except ValueError:
                    return 'text/html'
        ranges.append((media, quality))
    offers = []
    for offer in ('text/html', 'application/json'):
        major = offer.split('/', maxsplit=1)[0]
        best = None
        for media, quality in ranges:
            if media == offer:
                rank = 3
            elif media == major + '/*':
                rank = 2
            elif media == '*/*':
                rank = 1
            else:
                continue
            if best is None or rank > best[0]:
                best = (rank, quality)
        if best and best[1] > 0:
            offers.append((offer, best[1]))
    offers.sort(key=lambda item: -item[1])
    return offers[0][0] if offers else None


def _webob_text(status, detail, method, location, escape):
    title, explanation = WEBOB.get(status, ('Error', ''))
    del title
    if status in (301, 302):
        return ('%s <a href="%s">%s</a>;\nyou should be redirected automatically.\n%s\n'
                % (escape(explanation), escape(location or ''), escape(location or ''), escape(detail)))
    if status == 405:
        return 'The method %s is not allowed for this resource. <br /><br />\n%s' % (escape(method), escape(detail))
    return '%s<br /><br />\n%s\n\n' % (escape(explanation), escape(detail))


def webob_response(status, detail='', accept=None, method='GET', headers=None, location=None):
    title = WEBOB.get(status, ('Error', ''))[0]
    status_line = '%d %s' % (status, title)
    match = negotiate(accept)
    if match == 'text/html':
        body = ('<html>\n <head>\n  <title>%s</title>\n </head>\n <body>\n  <h1>%s</h1>\n  %s\n </body>\n</html>'
                % (status_line, status_line, _webob_text(status, detail, method, location, _html_escape)))
        content_type = 'text/html; charset=UTF-8'
    elif match == 'application/json':
        body = json.dumps({'message': _webob_text(status, detail, method, location, _no_escape),
                           'code': status_line, 'title': title})
        content_type = 'application/json'
    else:
        text = _webob_text(status, detail, method, location, _no_escape)
        text = _BR_RE.sub('\n', text.replace('\n', ' ').replace('\r', ''))
        text = _TAG_RE.sub('', _COMMENT_RE.sub('', text))
        body = '%s\n\n%s' % (status_line, text)
        content_type = 'text/plain; charset=UTF-8'
    return Response(status, body, content_type, headers)
