# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The spec file writer: every text reads back exactly (with Ansible's own loader, never rendered as a template), keys
in the role's order, the role's argument check, the header."""

from __future__ import annotations

import importlib.util
import os
import tempfile

import pytest
from ansible.errors import AnsibleError
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar

from ansible_collections.allura.forge.plugins.filter.spec_file import spec_file as spec_file_filter
from ansible_collections.allura.forge.plugins.plugin_utils import _spec_file as writer

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
_schema = importlib.util.spec_from_file_location('spec_schema', os.path.join(ROOT, 'scripts', 'spec_schema.py'))
spec_schema = importlib.util.module_from_spec(_schema)
_schema.loader.exec_module(spec_schema)

ODD_TEXTS = [
    'Welcome\n', 'no final newline', 'crlf\r\nline two\r\n', 'lone\rcarriage return\n', 'trailing  \nspaces\n',
    'trailing tab\t\nx\n', '\ttab first\n', 'tab\tinside\n', 'a\n\tb tab-indented later line\n', '  leading\nspaces\n',
    '    indented code first\nthen text\n', 'unicode ü 中文 😀\n', 'a\n\n\n', 'x\n\n', '\n', '\n\nleading empty lines\n',
    '', ' ', '  \n', 'yes', 'no', 'on', 'null', '~', '1.0', '007', '1:20', '2026-12-03', '0x1F', '- item', 'key: value',
    '#hash', '@at', '`tick', '%s', '!tag', '&anchor', '*alias', '|', '>', "'single'", '"double"', 'a "quote" and \\ backslash\n',
    'é', 'x\u2028y', 'x\u2029y', 'x\x85y\n', 'bom\ufeffhere\n', 'ctrl\x01\x7f\n', 'nul\x00byte',
    '{{ jinja }}\n', 'Render {{ this }} and {% this %} and {# this #}', '{%raw%}', '{{', 'a: {{ b }}', '{ not: jinja }',
    'ends with a colon:', 'has # a hash', 'line one\nline two', 'long ' * 60, '-', '?', ':', ',', '[a, b]',
]


def reloaded(text, variables=None):
    """The spec file as `ansible-playbook -e @file` loads it (trusted as template, like a vars file), then templated."""
    with tempfile.NamedTemporaryFile('w', encoding='utf-8', suffix='.yml', delete=False) as handle:
        handle.write(text)
    try:
        loader = DataLoader()
        return Templar(loader=loader, variables=variables or {}).template(loader.load_from_file(handle.name, trusted_as_template=True))
    finally:
        os.unlink(handle.name)


def capture(**spec):
    base = dict(spec=dict(dict(name='demo', neighborhood='p'), **spec), setup={'trackers': [], 'members': []}, secrets=[],
                partial=[], source=dict(server_url='https://forge.example.org', project='p/demo', captured='2026-12-03T10:00:00Z',
                                        parts=['wiki']))
    return base


def test_every_text_reads_back_exactly_and_is_never_rendered():
    pages = [dict(mount_point='wiki', title='page %d' % index, text=text, labels=[text.strip()] if text.strip() and ',' not in text else [])
             for index, text in enumerate(ODD_TEXTS)]
    cap = capture(wiki=pages, fields=dict(name='Demo', summary=ODD_TEXTS[-6], labels=['with space', 'yes', 'ü']),
                  tickets=[dict(mount_point='bugs', summary=text.strip() or 'x', description=text) for text in ODD_TEXTS if text.strip()])
    out = writer.spec_file([cap])
    assert writer.load(out)['allura_projects'][0] == writer.ordered(cap['spec'], writer.role_options())
    loaded = reloaded(out)['allura_projects'][0]
    for page, text in zip(loaded['wiki'], ODD_TEXTS):
        assert page['text'] == text, (text, page['text'])
        assert page['labels'] == ([text.strip()] if text.strip() and ',' not in text else [])
    assert [t['description'] for t in loaded['tickets']] == [text for text in ODD_TEXTS if text.strip()]


def test_multi_line_text_is_a_literal_block_where_that_is_exact_and_quoted_otherwise():
    assert writer.scalar('Line one\n\nLine three\n', '  ') == '|\n    Line one\n\n    Line three'
    assert writer.scalar('keep\n\n', '') == '|+\n  keep\n'
    for text in ('crlf\r\n', 'trailing \nx\n', 'no final newline\nx', ' leading\n', '\tleading tab\n'):
        assert writer.scalar(text, '').startswith('"'), text
    assert writer.scalar('crlf\r\nline two\r\n', '  ') == '"crlf\\r\\n\\\n    line two\\r\\n"'
    assert writer.scalar('a\n  b  \n', '') == '"a\\n\\\n  \\  b  \\n"'  # a leading space after a break is escaped
    assert writer.scalar('plain', '') == 'plain' and writer.scalar('yes', '') == '"yes"' and writer.scalar('1.0', '') == '"1.0"'
    assert writer.scalar('{{ x }}', '') == '!unsafe "{{ x }}"' and writer.scalar('{{ x }}', '', template=True) == '"{{ x }}"'
    assert writer.scalar(None, '') == 'null' and writer.scalar(1.5, '') == '1.5' and writer.scalar(False, '') == 'false'


def test_keys_follow_the_role_and_unknown_keys_or_bad_values_are_errors():
    cap = capture(tickets=[dict(custom_fields={'severity': 'high'}, labels=[], status='open', summary='S', mount_point='bugs')],
                  tools=[dict(mount_label='Docs', mount_point='docs', tool='wiki'), dict(tool='wiki', mount_point='x', mount_label='A, b: c')],
                  fields=dict(labels=[], name='Demo'))
    out = writer.spec_file([cap])
    body = out.split('\n---\n', 1)[1]
    assert body.index('fields:') < body.index('tools:') < body.index('tickets:')
    assert '- {tool: wiki, mount_point: docs, mount_label: Docs}' in body
    assert '- {tool: wiki, mount_point: x, mount_label: "A, b: c"}' in body
    assert writer.load(out)['allura_projects'][0]['tools'][1]['mount_label'] == 'A, b: c'
    ticket = body[body.index('tickets:'):]
    assert ticket.index('mount_point: bugs') < ticket.index('summary: S') < ticket.index('status: open') < ticket.index('labels: []')
    with pytest.raises(writer.SpecFileError, match='keys the project role does not take: blog'):
        writer.spec_file([capture(blog=[dict(title='x')])])
    with pytest.raises(writer.SpecFileError, match="argument check: .*ticket_num"):
        writer.spec_file([capture(tickets=[dict(ticket_num='seven')])])
    with pytest.raises(writer.SpecFileError, match='cannot be written as YAML'):  # a lone surrogate: no server sends one
        writer.spec_file([capture(fields=dict(name='\ud800'))])
    with pytest.raises(AnsibleError, match='give the registered result'):
        spec_file_filter([{'changed': False}])


def test_webhook_secrets_are_the_only_templates_and_say_so():
    secrets = [dict(variable='vault_webhook_code_ci_example_org_hook', mount_point='code', type='repo-push',
                    url='https://ci.example.org/hook')]
    cap = dict(capture(webhooks=[dict(mount_point='code', type='repo-push', url='https://ci.example.org/hook',
                                      secret='{{ vault_webhook_code_ci_example_org_hook }}')],
                       wiki=[dict(mount_point='wiki', title='T', text='{{ vault_webhook_code_ci_example_org_hook }}\n', labels=[])]),
               secrets=secrets)
    out = writer.spec_file([cap])
    assert ('        # not readable over REST: define vault_webhook_code_ci_example_org_hook\n'
            '        secret: "{{ vault_webhook_code_ci_example_org_hook }}"\n') in out
    data = reloaded(out, {'vault_webhook_code_ci_example_org_hook': 's3cret'})['allura_projects'][0]
    assert data['webhooks'][0]['secret'] == 's3cret'
    assert data['wiki'][0]['text'] == '{{ vault_webhook_code_ci_example_org_hook }}\n'  # text, never rendered
    assert '#   vault_webhook_code_ci_example_org_hook: code repo-push https://ci.example.org/hook' in out
    with pytest.raises(AnsibleError):  # what the tag prevents: the same text untagged is rendered by Ansible
        reloaded('text: "{{ undefined_variable }}"\n')


def test_the_header_says_where_when_what_is_left_out_and_what_to_set_up():
    cap = capture(tickets=[dict(mount_point='bugs', summary='S')])
    cap['setup'] = dict(members=['ann'], trackers=[dict(
        mount_point='bugs', statuses=['open', 'reviewing'], milestones=['1.0', '2.0', '3.0'], milestones_used=['3.0'],
        custom_fields={'_severity': dict(kind='text', values=['high']), '_public': dict(kind='boolean', values=[])}, assignees=['ann'])])
    cap['partial'] = ['tracker bugs: the newest 1 of 9 tickets (capture_max_items)']
    header = writer.spec_file([cap]).split('\n---\n', 1)[0].split('\n')
    assert header[0] == '# yaml-language-server: $schema=%s' % writer.SCHEMA_URL
    assert '# allura.forge spec of p/demo, captured from https://forge.example.org at 2026-12-03T10:00:00Z' in header
    for line in ('#     status names used: open, reviewing - not in a new tracker: reviewing',
                 '#     milestones: 1.0, 2.0, 3.0 (used: 3.0) - not in a new tracker: 3.0',
                 '#     custom field _severity (text; values seen: high) - a new tracker has none',
                 '#     custom field _public (boolean) - a new tracker has none',
                 '#   project members, to be assigned tickets (Admin > User Permissions): ann',
                 '# Partial:', '#   tracker bugs: the newest 1 of 9 tickets (capture_max_items)'):
        assert line in header
    assert 'leaves out: secrets (webhook secrets are vault variables, listed below),\n# attachments, comments, permissions' in '\n'.join(header)
    assert all(len(line) <= 120 for line in header[1:])


def test_many_projects_in_one_file_validate_against_the_published_schema():
    first, second = capture(fields=dict(name='First')), capture(wiki=[dict(mount_point='wiki', title='Home', text='x\r\n', labels=[])])
    second['spec']['name'] = 'second'
    second['source']['project'] = 'p/second'
    out = writer.spec_file([first, second])
    data = writer.load(out)
    assert [p['name'] for p in data['allura_projects']] == ['demo', 'second']
    assert spec_schema.errors(data) == []
    assert '# allura.forge spec of p/second' in out
