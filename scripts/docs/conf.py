# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Sphinx configuration of the allura.forge docs site (scripts/docs.sh; `make docs`).

The site builds offline: instead of intersphinx (which downloads inventories), the few labels of
Ansible's own documentation that antsibull-docs' pages refer to resolve to fixed URLs below, and
every other unresolved reference fails the build (sphinx-build -W -n).
"""

from __future__ import annotations

from docutils import nodes

project = 'allura.forge'
copyright = 'allura.forge contributors'  # pylint: disable=redefined-builtin
title = 'allura.forge documentation'
html_title = 'allura.forge documentation'
html_short_title = 'allura.forge'

extensions = ['sphinx_antsibull_ext']
pygments_style = 'ansible'
highlight_language = 'YAML+Jinja'

html_theme = 'sphinx_ansible_theme'
html_theme_options = {
    'topbar_links': {
        'Repository': 'https://github.com/allura-forge/allura.forge',
        'Apache Allura REST API': 'https://forge-allura.apache.org/p/allura/rest-api-docs',
    },
    'show_extranav': False,
    'show_rtd_ethical_ads': False,
    'display_version': False,
}
html_static_path = ['_static']
html_css_files = ['allura-forge.css']
html_show_sphinx = False
html_use_smartypants = True
html_use_modindex = False
html_use_index = False
html_copy_source = False
default_role = 'any'

ANSIBLE_DOCS = 'https://docs.ansible.com/projects/ansible/latest/'
# Labels of Ansible's documentation that antsibull-docs' templates refer to: label -> (page, title)
ANSIBLE_LABELS = {
    'action_plugins': ('plugins/action.html', 'action plugin'),
    'common_return_values': ('reference_appendices/common_return_values.html', 'Common return values'),
    'ansible_configuration_settings': ('reference_appendices/config.html', 'Ansible configuration settings'),
    'module_defaults': ('playbook_guide/playbooks_module_defaults.html', 'Module defaults'),
}


def resolve_ansible_label(app, env, node, contnode):  # pylint: disable=unused-argument
    if node.get('refdomain') != 'std' or node.get('reftype') != 'ref' or node.get('reftarget') not in ANSIBLE_LABELS:
        return None
    page, text = ANSIBLE_LABELS[node['reftarget']]
    reference = nodes.reference('', '', internal=False, refuri=ANSIBLE_DOCS + page)
    reference += contnode if node.get('refexplicit') else nodes.inline(text, text)
    return reference


def home_link(app, pagename, templatename, context, doctree):  # pylint: disable=unused-argument,too-many-arguments
    # The theme links its top bar to documentation_home_url on every page (default "/", no page of this site);
    # make it the index, relative to each page, so the site works from any folder and from file://.
    context['theme_documentation_home_url'] = context['pathto'](app.config.root_doc)


def setup(app):
    app.connect('missing-reference', resolve_ansible_label)
    app.connect('html-page-context', home_link)
