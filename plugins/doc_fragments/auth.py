# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    # The connection options every allura.forge module takes.
    DOCUMENTATION = r'''
options:
  server_url:
    description:
      - Base URL of the Allura server, without C(/rest).
      - A token or OAuth credentials are only sent over C(https://), or over C(http://) to a loopback address
        (a local test server); anything else fails before a request is made.
      - Falls back to the E(ALLURA_URL) environment variable.
    type: str
    default: https://sourceforge.net
  token:
    description:
      - Bearer token (SourceForge/Allura "Personal Bearer Token" of an OAuth application).
      - Sent only in the C(Authorization) header, never in a URL. Never shown in output.
      - Mutually exclusive with the O(oauth_consumer_key) group; when the four C(oauth_*) options are given for a
        task, a token that only comes from E(ALLURA_TOKEN) is ignored.
      - Falls back to the E(ALLURA_TOKEN) environment variable.
      - Without any credentials requests are anonymous; most reads of public projects work, every write needs them.
    type: str
  oauth_consumer_key:
    description:
      - OAuth 1.0a consumer key; give all four C(oauth_*) options to sign requests with OAuth 1.0a instead of a token.
      - Falls back to E(ALLURA_OAUTH_CONSUMER_KEY).
    type: str
  oauth_consumer_secret:
    description:
      - OAuth 1.0a consumer secret. Falls back to E(ALLURA_OAUTH_CONSUMER_SECRET).
    type: str
  oauth_token:
    description:
      - OAuth 1.0a access token. Falls back to E(ALLURA_OAUTH_TOKEN).
    type: str
  oauth_token_secret:
    description:
      - OAuth 1.0a access token secret. Falls back to E(ALLURA_OAUTH_TOKEN_SECRET).
    type: str
  validate_certs:
    description:
      - Verify the server's TLS certificate. Only turn this off for a test server you control.
      - Falls back to E(ALLURA_VALIDATE_CERTS).
    type: bool
    default: true
  ca_path:
    description:
      - A CA bundle (PEM file) to verify the server's certificate with, for a self-hosted Allura behind a private CA,
        or a corporate proxy that inspects TLS.
      - Without it, the bundle given the usual way is used, the first of the environment variables
        E(REQUESTS_CA_BUNDLE), E(CURL_CA_BUNDLE), E(SSL_CERT_FILE) (a PEM file) and E(SSL_CERT_DIR) (a folder) that is
        set; without any of them, the certificates of the C(certifi) package, and those of the operating system's
        trust store when the Python package C(truststore) is installed.
      - A path that does not exist fails before a request is made.
      - Falls back to E(ALLURA_CA_PATH).
    type: path
  use_proxy:
    description:
      - Send the requests through a proxy, O(proxy_url) or the one the environment variables give
        (E(HTTPS_PROXY), E(HTTP_PROXY) or E(ALL_PROXY), lower-case names first, for the scheme of O(server_url)),
        unless E(NO_PROXY) lists the server's host (a host, a domain suffix, an IP address or network, or V(*)).
      - V(false) connects directly, whatever the variables and O(proxy_url) say.
      - C(~/.netrc) is never read (its credentials would replace the token).
      - Falls back to E(ALLURA_USE_PROXY).
    type: bool
    default: true
  proxy_url:
    description:
      - The proxy for every request, as C(http://host:port) or C(https://host:port), with C(user:password@) before
        the host if the proxy asks for authentication. It wins over the proxy environment variables and E(NO_PROXY).
      - Never shown in output (it may hold a password).
      - Falls back to E(ALLURA_PROXY_URL).
    type: str
  timeout:
    description:
      - Seconds to wait for each request (connect and read). Falls back to E(ALLURA_TIMEOUT).
    type: float
    default: 30
  retries:
    description:
      - How often a request is retried after a connection error, a timeout or HTTP 429, 502, 503 or 504,
        with jittered exponential backoff that honours C(Retry-After). Each retry is reported as a warning.
      - A write that may already have been done (connection lost after sending) is never sent again blindly;
        the resource is read again first.
      - Falls back to E(ALLURA_RETRIES).
    type: int
    default: 5
  neighborhood:
    description:
      - The neighborhood (URL prefix) of the project, V(p) for projects, V(u) for user projects.
    type: str
    default: p
seealso:
  - name: Allura REST API
    description: How Allura's REST API authenticates requests (bearer tokens and OAuth 1.0a), and all of its endpoints.
    link: https://forge-allura.apache.org/p/allura/rest-api-docs
notes:
  - All options of this group can be set once for every allura.forge module with
    C(module_defaults) and the action group C(group/allura.forge.allura).
  - The environment variables (E(ALLURA_*), the proxy and CA bundle ones) are read from the environment the task runs
    with, the C(environment) keyword of play, block, role and task included, also when the module runs on the
    controller without being copied (the default for C(localhost)). A variable set to an empty string counts as unset.
  - A connection failure names its cause in the result's C(connection_error) (V(dns), V(refused), V(timeout),
    V(broken), V(connection), V(tls), V(proxy), V(proxy_refused), V(proxy_auth)); only transient failures (timeouts,
    lost connections, busy servers) suggest raising O(retries), and those a retry cannot mend (an unknown host name, TLS,
    a proxy's refusal) fail at once.
requirements:
  - requests
  - requests-oauthlib (only for OAuth 1.0a)
  - truststore (optional, to trust the certificates of the operating system's trust store too)
'''
