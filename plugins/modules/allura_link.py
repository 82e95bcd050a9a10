#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: allura_link
short_description: Set the URL of an External Link tool of an Allura project
version_added: 0.1.0
description:
  - Makes sure the External Link tool mounted at O(mount_point) points to O(url)
    (C(GET) and C(POST /rest/<neighborhood>/<project>/<mount_point>/)).
  - The URL is compared in the form the server stores it - surrounding whitespace removed, C(http://) added when
    there is no scheme, an internationalised host name punycoded, the scheme lower-cased. So V(example.org) and
    V(http://example.org) are the same link, and the diff shows the value that will be stored.
  - A value the server would refuse (no dot in the host name such as V(localhost), an IP address, a scheme other
    than http and https, spaces or non-ASCII characters in the path) fails before anything is sent, with the server's
    reason; anything else the server refuses fails with the reason it gives.
  - The tool must exist (install it with M(allura.forge.allura_tool)) and be a link tool.
  - Changing the URL needs the C(configure) permission on the tool (project admins have it); reading it is public.
options:
  project:
    description: Shortname of the project.
    type: str
    required: true
  mount_point:
    description: Mount point of the link tool.
    type: str
    default: link
  url:
    description:
      - The URL the link points to.
      - It cannot be empty - the REST API has no way to clear a link's URL (a POST without a URL changes nothing);
        clear it in the web admin (Admin > Tools > the link's Options) if you must.
    type: str
    required: true
extends_documentation_fragment:
  - allura.forge.auth
  - allura.forge.attributes
  - allura.forge.lock
seealso:
  - module: allura.forge.allura_tool
  - name: 'Allura REST API: link tool'
    description: Reads and sets the URL of an External Link tool.
    link: https://forge-allura.apache.org/p/allura/rest-api-docs#operation/POST_neighborhood-project-link
author:
  - allura.forge developers (@allura-forge)
'''

EXAMPLES = r'''
- name: Point the project's link tool to the home page
  allura.forge.allura_link:
    project: myproj
    url: https://myproj.example.org/

- name: A link tool at another mount point (the scheme is added as the server does, http://docs.example.org)
  allura.forge.allura_link:
    project: myproj
    mount_point: docs-site
    url: docs.example.org
'''

RETURN = r'''
action:
  description: V(update) when the URL was (or in check mode would be) changed, else V(none).
  returned: success
  type: str
  sample: update
url:
  description: The URL the link points to, as the server stores it (in check mode, as it would store it). Null when none was ever set.
  returned: success
  type: str
  sample: https://myproj.example.org/
diff:
  description: With C(--diff), the old and the new C(url).
  returned: when diff mode is on and the URL differs
  type: list
  elements: dict
extends_documentation_fragment:
  - allura.forge.results
'''

from ansible_collections.allura.forge.plugins.module_utils._allura import LINK_TOOLS
from ansible_collections.allura.forge.plugins.module_utils._client import AlluraError, Denied, ParameterError
from ansible_collections.allura.forge.plugins.module_utils._link_url import InvalidURL, normalise_link_url
from ansible_collections.allura.forge.plugins.module_utils._module import LOCK_SPEC, run_module
from ansible_collections.allura.forge.plugins.module_utils._project import Project
from ansible_collections.allura.forge.plugins.module_utils._state import Field, converge, result

ARGUMENT_SPEC = dict(
    project=dict(type='str', required=True),
    **LOCK_SPEC,
    mount_point=dict(type='str', default='link'),
    url=dict(type='str', required=True),
)

FIELDS = dict(url=Field())


def desired_url(value):
    if value is None or not value.strip():
        raise ParameterError('url %r is invalid: it must not be empty (the REST API cannot clear the URL of a link tool)'
                             % value)
    try:
        return normalise_link_url(value)
    except InvalidURL as exc:
        raise ParameterError('url %r is invalid: %s (the server refuses it; a link URL needs http:// or https:// and a '
                             'full domain name, without spaces)' % (value, exc))


def read_link(client, project, mount_point):
    """{'url': ...} of the link tool at mount_point, failing clearly when there is none."""
    body = client.get_json(project.path(mount_point), not_found=project.not_found(mount_point))
    if isinstance(body, dict) and set(body) == {'url'}:
        return body  # exactly the link tool's JSON: no need to read the project
    # Something else answered (another tool type, or a sub-project of that name): let the project say what.
    project.require_tool(mount_point, kinds=LINK_TOOLS, purpose='allura_link')
    if not isinstance(body, dict) or 'url' not in body:
        raise AlluraError('%s answers with something that is not a link tool (a sub-project named %r shadows the '
                          'tool in the REST API?)' % (project.path(mount_point), mount_point))
    return dict(url=body['url'])


def run(params, client, ctx):
    url = desired_url(params['url'])
    mount_point = params['mount_point']
    if not mount_point:
        raise ParameterError('mount_point must not be empty')
    project = Project(client, params['neighborhood'], params['project'])
    label = 'link tool %r of project %s' % (mount_point, project.label)
    path = project.path(mount_point)

    def update(live, delta, desired):
        try:
            body = client.post_json(path, dict(url=desired['url']), not_found=project.not_found(mount_point),
                                    denied=Denied('set the URL of the', label, 'configure', 'the tool', 'a project admin'))
        except AlluraError as exc:
            if exc.status == 400:
                raise AlluraError('url %r was refused by the server: %s' % (params['url'], exc.server_message or 'HTTP 400'),
                                  status=400, method='POST', path=path, server_message=exc.server_message)
            raise
        return dict(url=body.get('url'))

    outcome = converge(ctx, label, FIELDS, read_link(client, project, mount_point), dict(url=url), update=update)
    out = result(ctx, 'url', outcome)
    out['url'] = outcome.after['url']
    return out


def main():
    run_module(ARGUMENT_SPEC, run)


if __name__ == '__main__':
    main()
