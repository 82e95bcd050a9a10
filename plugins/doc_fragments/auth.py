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
      - A CA bundle (PEM file) to verify the server's certificate with, for a self-hosted Allura behind a private CA.
      - Falls back to E(ALLURA_CA_PATH).
    type: path
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
requirements:
  - requests
  - requests-oauthlib (only for OAuth 1.0a)
'''
