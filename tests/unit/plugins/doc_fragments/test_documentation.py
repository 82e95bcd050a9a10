# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every module's documentation must say, with its doc fragments merged in as ansible-doc merges them."""

from __future__ import annotations

import os
import re

import pytest
import yaml
from ansible.plugins.loader import fragment_loader
from ansible.utils.plugin_docs import get_docstring

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
MODULE_DIR = os.path.join(ROOT, 'plugins', 'modules')
MODULES = sorted(name[:-3] for name in os.listdir(MODULE_DIR) if name.endswith('.py') and not name.startswith('_'))
REST_API_DOCS = 'https://forge-allura.apache.org/p/allura/rest-api-docs'
with open(os.path.join(ROOT, 'meta', 'runtime.yml'), encoding='utf-8') as _handle:
    ACTION_GROUP = yaml.safe_load(_handle)['action_groups']['allura']


def documentation(module):
    doc = get_docstring(os.path.join(MODULE_DIR, module + '.py'), fragment_loader, collection_name='allura.forge')[0]
    assert doc, 'plugins/modules/%s.py has no DOCUMENTATION' % module
    return doc


def connects(module):
    """Whether the module talks to the server: it takes the connection options (as scripts/test.sh and the docs site
    check tell it)."""
    return 'server_url' in documentation(module)['options']


@pytest.mark.parametrize('module', MODULES)
def test_the_action_group_attribute_names_the_group_the_module_is_in(module):
    if not connects(module):  # talks to no server (allura_drift_report): outside the group, on the controller
        doc = documentation(module)
        assert module not in ACTION_GROUP and 'action_group' not in doc['attributes']
        assert doc['attributes']['platform']['platforms'] == 'controller'
        return
    attribute = documentation(module)['attributes']['action_group']
    assert attribute['support'] == 'full' and attribute['membership'] == ['allura.forge.allura']
    assert module in ACTION_GROUP


def test_the_modules_that_talk_to_no_server():
    assert [module for module in MODULES if not connects(module)] == ['allura_drift_report']


@pytest.mark.parametrize('module', [module for module in MODULES if module != 'allura_drift_report'])
def test_see_also_links_the_rest_api_docs(module):
    assert connects(module)
    links = [entry['link'] for entry in documentation(module)['seealso'] if 'link' in entry]
    assert REST_API_DOCS in links  # the overview, from the auth fragment
    for link in links:  # and the endpoints a module uses, as anchors of that page (#operation/<operationId>)
        if link.startswith(REST_API_DOCS) and link != REST_API_DOCS:
            assert re.match(re.escape(REST_API_DOCS) + r'#operation/(GET|POST|DELETE)_[\w-]+$', link), link
