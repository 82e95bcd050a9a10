"""Request authentication (REFERENCE 2.1 and 1.6), done once for every /rest/ path.

1. No ``Authorization`` header and no ``access_token``/``oauth_token``
   parameter: anonymous.
2. ``Authorization: Bearer <token>`` (exact prefix) or an ``access_token``
   parameter: OAuth1 bearer token.  Plain HTTP is refused first (the sandbox
   treats requests as HTTPS, like the recording server behind its TLS proxy,
   unless ``X-Forwarded-Proto`` says otherwise).  Unknown token: 401; a token
   that came from the URL gets Allura's "Do not use tokens in URL" detail.
3. Anything else is an OAuth1 signed request, verified with oauthlib's
   ``ResourceEndpoint``.  Headers oauthlib cannot parse (``Basic``, lowercase
   ``bearer``, an empty bearer) raise ``ValueError`` there, which the real
   server turns into a 500 - so does the sandbox.  Bad signatures: 401.
"""

from .responses import server_error, unauthorized

URL_TOKEN_DETAIL = 'Do not use tokens in URL, instead use header Authorization: Bearer $TOKEN'

_ENDPOINT = {}


def is_https(req, tls):
    if tls or req.headers.get('X-Forwarded-SSL', '').lower() == 'on':
        return True
    proto = req.headers.get('X-Forwarded-Proto')
    return proto is None or proto.strip().lower() == 'https'


def authenticate(req, data, tls=False):
    """Return the username (None for anonymous) or raise a 401/500 HTTPError."""
    header = req.headers.get('Authorization')
    if header is None and not req.has('access_token') and not req.has('oauth_token'):
        return None
    header = (header or '').strip()
    if header.startswith('Bearer '):
        token, from_url = header[len('Bearer '):], False
    else:
        token, from_url = req.param('access_token'), True
    if token:
        if not is_https(req, tls):
            raise unauthorized(URL_TOKEN_DETAIL if from_url else '')
        username = data['tokens'].get(token)
        user = data['users'].get(username) if username else None
        if user is None or user.get('disabled'):
            raise unauthorized(URL_TOKEN_DETAIL if from_url else '')
        return username
    return _oauth1(req, data, is_https(req, tls))


def _endpoint():
    if 'endpoint' not in _ENDPOINT:
        # imported lazily: keeps start-up fast when nobody signs requests
        from oauthlib.oauth1 import RequestValidator, ResourceEndpoint  # pylint: disable=import-outside-toplevel

        class Validator(RequestValidator):
            """Validates against the consumers/tokens in the current state."""

            data = None
            enforce_ssl = False  # HTTPS-ness is judged by is_https(); the client signs the URL it used

            @property
            def dummy_client(self):
                return 'dummyclientkey00000000001'

            @property
            def dummy_access_token(self):
                return 'dummyaccesstoken00000001'

            def check_nonce(self, nonce):
                return bool(nonce)  # Allura does not check nonces

            def validate_client_key(self, client_key, request):
                return client_key in self.data['oauth1']['consumers']

            def validate_access_token(self, client_key, token, request):
                entry = self.data['oauth1']['tokens'].get(token)
                return entry is not None and entry['consumer'] == client_key

            def validate_timestamp_and_nonce(self, client_key, timestamp, nonce, request, request_token=None,
                                             access_token=None):
                return True

            def validate_realms(self, client_key, token, request, uri=None, realms=None):
                return True

            def get_client_secret(self, client_key, request):
                entry = self.data['oauth1']['consumers'].get(client_key)
                return entry['secret'] if entry else 'dummy-secret'

            def get_access_token_secret(self, client_key, token, request):
                entry = self.data['oauth1']['tokens'].get(token)
                return entry['secret'] if entry else 'dummy-secret'

        validator = Validator()
        _ENDPOINT['validator'] = validator
        _ENDPOINT['endpoint'] = ResourceEndpoint(validator)
        _ENDPOINT['error'] = __import__('oauthlib.oauth1.rfc5849.errors', fromlist=['OAuth1Error']).OAuth1Error
    return _ENDPOINT


def _oauth1(req, data, https):
    parts = _endpoint()
    parts['validator'].data = data
    uri = req.base_url + req.raw_path + ('?' + req.raw_query if req.raw_query else '')
    headers = dict(req.headers.items())
    body = req.body.decode('utf-8', 'replace') if req.content_type == 'application/x-www-form-urlencoded' else None
    try:
        valid, oauth_request = parts['endpoint'].validate_protected_resource_request(
            uri, http_method=req.method, body=body, headers=headers)
    except ValueError as exc:  # 'Malformed authorization header' and friends: a 500 on the real server
        raise server_error() from exc
    except parts['error'] as exc:
        raise unauthorized() from exc
    if not valid or not https:  # oauthlib's transport check refuses plain HTTP (after parsing the header)
        raise unauthorized()
    entry = data['oauth1']['tokens'].get(oauth_request.resource_owner_key)
    if entry is None or entry['user'] not in data['users']:
        raise unauthorized()
    return entry['user']
