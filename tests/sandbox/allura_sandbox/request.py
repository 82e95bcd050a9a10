"""Request decoding the way WebOb/TurboGears do it in Allura.

* The path is percent-decoded once (like a WSGI server), so ``%2F`` splits a
  segment; empty segments are dropped (TurboGears skips them).
* Query string and form body are decoded as UTF-8; undecodable input is a 400
  (Allura's ``SetRequestHostFromConfig`` middleware).
* Query and body parameters are merged into one dict; repeated names become
  lists (``export?tools=a&tools=b``).
* JSON bodies are not parsed: only ``add_project`` reads the raw body.
"""

from email.parser import BytesParser
from urllib.parse import unquote_to_bytes


class BadRequest(Exception):
    """Undecodable request: answered with a plain WebOb 400."""


class Upload:
    """A file field of a multipart form (kept only so the field exists)."""

    def __init__(self, filename, data, content_type):
        self.filename = filename
        self.data = data
        self.content_type = content_type

    def __repr__(self):
        return '<Upload %r (%d bytes)>' % (self.filename, len(self.data))


def parse_pairs(raw):
    """``a=1&b=2`` (bytes) -> [(name, value)], strict UTF-8 like WebOb."""
    pairs = []
    for chunk in raw.split(b'&'):
        if not chunk:
            continue
        name, _sep, value = chunk.partition(b'=')
        try:
            pairs.append((unquote_to_bytes(name.replace(b'+', b' ')).decode('utf-8'),
                          unquote_to_bytes(value.replace(b'+', b' ')).decode('utf-8')))
        except UnicodeDecodeError as exc:
            raise BadRequest(str(exc)) from exc
    return pairs


def parse_multipart(body, content_type):
    if 'boundary=' not in content_type.lower():
        raise BadRequest('multipart body without boundary')
    head = b'MIME-Version: 1.0\r\nContent-Type: ' + content_type.encode('latin-1', 'replace') + b'\r\n\r\n'
    message = BytesParser().parsebytes(head + body)
    if not message.is_multipart():
        raise BadRequest('malformed multipart body')
    pairs = []
    for part in message.get_payload():
        if isinstance(part, (str, bytes)) or part.is_multipart():
            continue
        name = part.get_param('name', header='content-disposition')
        if name is None:
            continue
        if isinstance(name, tuple):  # RFC 2231 encoded parameter
            name = name[2]
        payload = part.get_payload(decode=True) or b''
        filename = part.get_filename()
        try:
            name.encode('utf-8')
            if filename is None:
                value = payload.decode('utf-8')
            else:
                filename.encode('utf-8')
                value = Upload(filename, payload, part.get_content_type())
        except (UnicodeDecodeError, UnicodeEncodeError) as exc:
            raise BadRequest(str(exc)) from exc
        pairs.append((name, value))
    return pairs


class Request:
    """One decoded HTTP request."""

    def __init__(self, method, target, headers, body, scheme, default_host):
        self.method = method.upper()
        self.headers = headers
        self.body = body
        self.scheme = scheme
        if target.startswith(('http://', 'https://')):  # absolute-form request target
            target = '/' + target.split('://', 1)[1].partition('/')[2]
        raw_path, _sep, raw_query = target.partition('?')
        raw_path = raw_path.partition('#')[0]
        self.raw_path = raw_path or '/'
        self.raw_query = raw_query
        self.host = headers.get('Host') or default_host
        self.base_url = '%s://%s' % (scheme, self.host)
        try:
            self.path = unquote_to_bytes(self.raw_path).decode('utf-8')
        except UnicodeDecodeError as exc:
            raise BadRequest(str(exc)) from exc
        self.segments = [seg for seg in self.path.split('/') if seg]
        self.query_pairs = parse_pairs(raw_query.encode('latin-1', 'replace'))
        self.content_type = (headers.get('Content-Type') or '').split(';')[0].strip().lower()
        self.form_pairs = self._parse_form()
        self.params = {}
        for name, value in self.query_pairs + self.form_pairs:
            if name in self.params:
                previous = self.params[name]
                self.params[name] = (previous if isinstance(previous, list) else [previous]) + [value]
            else:
                self.params[name] = value

    def _parse_form(self):
        if self.method not in ('POST', 'PUT', 'PATCH', 'DELETE') or not self.body:
            return []
        if self.content_type == 'multipart/form-data':
            return parse_multipart(self.body, self.headers.get('Content-Type', ''))
        if self.content_type == 'application/x-www-form-urlencoded' or (self.content_type == '' and self.method != 'PUT'):
            return parse_pairs(self.body)
        return []

    @property
    def accept(self):
        return self.headers.get('Accept')

    def param(self, name, default=None):
        """A scalar parameter (the last value when repeated)."""
        value = self.params.get(name, default)
        if isinstance(value, list):
            value = value[-1] if value else default
        if isinstance(value, Upload):  # a file sent where text is expected: use its content
            value = value.data.decode('utf-8', 'replace')
        return value

    def has(self, name):
        return name in self.params

    def nested(self, prefix):
        """Allura's ``@vardec``: ``prefix.a.b=1`` -> ``{'a': {'b': '1'}}`` (None when absent)."""
        result = None
        start = prefix + '.'
        for name, value in self.params.items():
            if name != prefix and not name.startswith(start):
                continue
            if isinstance(value, list):
                value = value[-1]
            if isinstance(value, Upload):
                value = value.data.decode('utf-8', 'replace')
            if result is None:
                result = {}
            if name == prefix:
                continue
            node = result
            keys = name[len(start):].split('.')
            for key in keys[:-1]:
                child = node.get(key)
                if not isinstance(child, dict):
                    child = node[key] = {}
                node = child
            node[keys[-1]] = value
        return result
