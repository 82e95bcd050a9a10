# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The text of a spec file (`allura_projects:`) from captured projects: readable YAML that loads back exactly.

Keys come in the order the project role documents them (its meta/argument_specs.yml, which the spec is also validated
against). Strings are written plain where that reads back the same, multi-line text as a literal block scalar (`|`)
where that keeps it exact, and double-quoted otherwise - text with carriage returns, trailing spaces or tabs, no final
newline, a first line that starts with a space, characters YAML cannot hold as they are - broken after each line feed
so it still reads as lines. Text that looks like a Jinja template is tagged `!unsafe`, so Ansible never renders it; the
webhook secrets capture writes are the only templates meant to be rendered. The whole text is loaded back and compared
with the data before it is returned: a spec file that would not read back exactly is an error, never a file.
"""

from __future__ import annotations

import os
import re

import yaml

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.allura.forge.plugins.module_utils._allura import NEW_TRACKER_MILESTONES, NEW_TRACKER_STATUSES

ROLE_SPEC = os.path.join(os.path.dirname(__file__), '..', '..', 'roles', 'project', 'meta', 'argument_specs.yml')
SCHEMA_URL = 'https://raw.githubusercontent.com/allura-forge/allura.forge/main/schemas/project_spec.schema.json'
TEMPLATE_MARKS = ('{{', '{%', '{#')
INDENT = '  '
ESCAPES = {'\\': '\\\\', '"': '\\"', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\0': '\\0', '\x07': '\\a', '\x08': '\\b',
           '\x0b': '\\v', '\x0c': '\\f', '\x1b': '\\e', '\x85': '\\N', '\u2028': '\\L', '\u2029': '\\P'}
# What a YAML reader takes as it is (YAML 1.1 printable, less the line breaks it would fold and the byte order mark).
PRINTABLE = re.compile('[\t\n\x20-\x7e\xa0-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]*')
SIMPLE_ITEM = re.compile(r'[^\W_][\w .+/@-]*', re.UNICODE)  # a list item that reads back plain in a flow list
# Text that is plain in YAML 1.1 without asking a reader: starts with a letter, ends with a letter, digit or dot, holds
# no indicator (":", "#", ",", brackets...) and is none of the words read as booleans or null (the whole document is
# read back in the end all the same). Anything else is tried with a reader.
SURELY_PLAIN = re.compile(r'[^\W\d_](?:[\w .-]*[\w.])?', re.UNICODE)
NOT_TEXT = frozenset(('yes', 'no', 'on', 'off', 'true', 'false', 'null', 'y', 'n'))

Loader = getattr(yaml, 'CSafeLoader', yaml.SafeLoader)


class SpecFileError(ValueError):
    """The captured data cannot be written as a spec file (not valid for the role, or not readable back exactly)."""


class _Reader(Loader):  # pylint: disable=too-many-ancestors
    """Reads what the writer writes, `!unsafe` included (as the string it tags)."""


_Reader.add_constructor('!unsafe', lambda loader, node: loader.construct_scalar(node))


def load(text):
    return yaml.load(text, Loader=_Reader)  # nosec B506 - a SafeLoader with one more string tag


def role_options():
    """The options of the role's `allura_project` (the documented order of every key)."""
    with open(ROLE_SPEC, encoding='utf-8') as handle:
        return yaml.safe_load(handle)['argument_specs']['main']['options']['allura_project']['options']


# --- ordering and validation -------------------------------------------------------------------

def ordered(value, options):
    """`value` with the keys of every dict in the order of `options` (a role argument spec level)."""
    if isinstance(value, list):
        return [ordered(item, options) for item in value]
    if not isinstance(value, dict) or not options:
        return value
    unknown = sorted(set(value) - set(options))
    if unknown:
        raise SpecFileError('keys the project role does not take: %s' % ', '.join(unknown))
    return {key: ordered(value[key], options[key].get('options')) for key in options if key in value}


def validate(spec, options):
    """Fails when the spec does not pass the role's own argument check."""
    result = ArgumentSpecValidator(dict(allura_project=dict(type='dict', options=options))).validate(dict(allura_project=spec))
    if result.error_messages:
        raise SpecFileError('the spec of %s does not pass the project role\'s argument check: %s'
                            % (spec.get('name'), '; '.join(result.error_messages)))


# --- scalars -----------------------------------------------------------------------------------

def _reads_back(text, value):
    try:
        return load(text) == {'k': value}
    except yaml.YAMLError:
        return False


def _plain(text, tag=''):
    """Whether `text` can be written as a plain scalar (after a tag)."""
    if not tag and SURELY_PLAIN.fullmatch(text) and text.lower() not in NOT_TEXT:
        return True
    return bool(text) and bool(PRINTABLE.fullmatch(text)) and _reads_back('k: ' + tag + text, text)


def quoted(text, indent=None):
    """A double-quoted scalar; with `indent`, broken after each line feed that has text after it (an escaped line
    break joins the lines; a space or tab that starts the next line is escaped, as it would be dropped there)."""
    out, start = ['"'], False
    for position, char in enumerate(text):
        if start and char in ' \t':
            out.append('\\ ' if char == ' ' else '\\t')
        elif char in ESCAPES:
            out.append(ESCAPES[char])
        elif not PRINTABLE.fullmatch(char):
            code = ord(char)
            out.append('\\x%02X' % code if code < 0x100 else '\\u%04X' % code if code < 0x10000 else '\\U%08X' % code)
        else:
            out.append(char)
        start = char == '\n' and indent is not None and position + 1 < len(text)
        if start:
            out.append('\\\n' + indent)
    return ''.join(out) + '"'


def literal(text, indent):
    """A literal block scalar for multi-line text it holds exactly, else None."""
    lines = text.split('\n')
    body = lines[:-1]
    first = next((line for line in body if line), '')
    if (text.endswith('\n') and '\r' not in text and PRINTABLE.fullmatch(text) and not first.startswith((' ', '\t'))
            and not any(line != line.rstrip(' \t') for line in body)):
        indicator = '|+' if text.endswith('\n\n') else '|'
        block = indicator + ''.join('\n' + (indent + line if line else '') for line in body)
        if _reads_back('k: ' + block.replace('\n' + indent, '\n  ') + '\n', text):
            return block
    return None


def scalar(value, indent, template=False):
    """A scalar as it follows `key: ` on a line at `indent` (continuation lines at indent + two spaces)."""
    if value is None or isinstance(value, bool):
        return {None: 'null', True: 'true', False: 'false'}[value]
    if isinstance(value, (int, float)):
        text = repr(value)
        if not _reads_back('k: ' + text, value):
            raise SpecFileError('the number %r cannot be written as YAML' % value)
        return text
    if not isinstance(value, str):
        raise SpecFileError('%r is not a string, number or boolean' % (value,))
    tag = '!unsafe ' if not template and any(mark in value for mark in TEMPLATE_MARKS) else ''
    inner = indent + INDENT
    if '\n' in value.rstrip('\n') or value.endswith('\n'):
        return tag + (literal(value, inner) or quoted(value, inner))
    return tag + (value if _plain(value, tag) else quoted(value))


def flow_item(value):
    """A scalar inside a flow list or mapping: plain only where flow indicators cannot trip it."""
    if isinstance(value, str):
        return value if SIMPLE_ITEM.fullmatch(value) and _plain(value) else quoted(value)
    return scalar(value, '')


def flow_list(values):
    """A short list of scalars on one line, or None (also for text that needs the !unsafe tag). The whole document is
    read back in the end, which proves it."""
    if any(isinstance(item, str) and any(mark in item for mark in TEMPLATE_MARKS) for item in values):
        return None
    text = '[%s]' % ', '.join(flow_item(item) for item in values)
    return text if len(text) <= 80 else None


# --- documents ---------------------------------------------------------------------------------

def key(name):
    """A mapping key: plain when it reads back as the same string, else quoted."""
    if not isinstance(name, str):
        raise SpecFileError('key %r is not a string' % (name,))
    return name if re.fullmatch(r'[^\W\d][\w-]*', name) and _plain(name) else quoted(name)


def mapping(value, indent, path, lines, comments, templates):
    for name, item in value.items():
        here = path + (name,)
        for comment in comments.get(here, ()):
            lines.append('%s# %s' % (indent, comment))
        head = '%s%s:' % (indent, key(name))
        if isinstance(item, dict) and item:
            lines.append(head)
            mapping(item, indent + INDENT, here, lines, comments, templates)
        elif isinstance(item, list) and item:
            short = None if any(isinstance(i, (dict, list)) for i in item) else flow_list(item)
            if short:
                lines.append('%s %s' % (head, short))
            else:
                lines.append(head)
                sequence(item, indent + INDENT, here, lines, comments, templates)
        elif isinstance(item, (dict, list)):
            lines.append('%s %s' % (head, '{}' if isinstance(item, dict) else '[]'))
        else:
            lines.append('%s %s' % (head, scalar(item, indent, template=here in templates)))


def flow_mapping(value):
    """A small dict of one-line scalars on one line ({tool: wiki, mount_point: docs}), or None."""
    if any(isinstance(v, (dict, list)) or isinstance(v, str) and ('\n' in v or any(m in v for m in TEMPLATE_MARKS))
           for v in value.values()):
        return None
    text = '{%s}' % ', '.join('%s: %s' % (key(name), flow_item(item)) for name, item in value.items())
    return text if len(text) <= 100 else None


def sequence(value, indent, path, lines, comments, templates):
    for index, item in enumerate(value):
        here = path + (index,)
        short = flow_mapping(item) if isinstance(item, dict) and item and not any(
            p[:len(here)] == here for p in comments) and not any(p[:len(here)] == here for p in templates) else None
        if short:
            lines.append('%s- %s' % (indent, short))
        elif isinstance(item, dict) and item:
            block = []
            mapping(item, indent + INDENT, here, block, comments, templates)
            lines.append(indent + '- ' + block[0][len(indent) + 2:])
            lines.extend(block[1:])
        else:
            lines.append('%s- %s' % (indent, scalar(item, indent, template=here in templates)))


def dump(document, comments=None, templates=()):
    """The YAML text of `document` (a dict), with comments before keys ({path: [lines]})."""
    lines = []
    mapping(document, '', (), lines, comments or {}, set(templates))
    return '\n'.join(lines) + '\n'


def header(captures, tool='ansible-playbook allura.forge.capture'):
    """The comment lines that open a spec file: where and when each project was captured, what a spec cannot hold, what
    must be set up in the web interface, the vault variables of webhook secrets and what was left out."""
    out = ['yaml-language-server: $schema=%s' % SCHEMA_URL, '']
    for cap in captures:
        source = cap.get('source') or {}
        out += ['allura.forge spec of %s, captured from %s at %s' % (source.get('project'), source.get('server_url'), source.get('captured')),
                'by `%s` (parts: %s).' % (tool, ', '.join(source.get('parts') or ()))]
    out += ['Provision it with allura.forge.provision (set create: true, admin and another name for a new project) and',
            'check it with allura.forge.drift.', '',
            'A spec cannot hold, and this file leaves out: secrets (webhook secrets are vault variables, listed below),',
            'attachments, comments, permissions, forums and their topics, and the numbers of deleted tickets (a new',
            'project numbers its tickets in the order they are listed here).']
    for cap in captures:
        label = (cap.get('source') or {}).get('project')
        setup = cap.get('setup') or {}
        needs = []
        for tracker in setup.get('trackers') or ():
            needs.append('tracker %s (%s):' % (tracker['mount_point'], 'its Field Management page'))
            if tracker.get('statuses'):
                needs.append('  status names used: %s%s' % (', '.join(tracker['statuses']), beyond(tracker['statuses'], NEW_TRACKER_STATUSES)))
            if tracker.get('milestones') or tracker.get('milestones_used'):
                names = tracker.get('milestones') or tracker.get('milestones_used')
                needs.append('  milestones: %s%s%s' % (', '.join(names), ' (used: %s)' % ', '.join(tracker['milestones_used'])
                                                       if tracker.get('milestones_used') else '', beyond(names, NEW_TRACKER_MILESTONES)))
            for name, field in (tracker.get('custom_fields') or {}).items():
                seen = ('; values seen: %s' % ', '.join(str(v) for v in field['values'])) if field.get('values') else ''
                needs.append('  custom field %s (%s%s) - a new tracker has none' % (name, field.get('kind'), seen))
        if setup.get('members'):
            needs.append('project members, to be assigned tickets (Admin > User Permissions): %s' % ', '.join(setup['members']))
        if needs:
            out += ['', 'Set up in the web interface of a project this is provisioned into%s, as the REST API cannot create' % (
                ' (from %s)' % label if len(captures) > 1 else ''), 'it (provision and drift report what is missing):']
            out += ['  ' + line for line in needs]
        if cap.get('secrets'):
            out += ['', 'Webhook secrets cannot be read; define these variables (in a vault) before provision or drift. Drift',
                    'never compares a secret; provision sends it when it creates the webhook:']
            out += ['  %s: %s %s %s' % (s['variable'], s['mount_point'], s['type'], s['url']) for s in cap['secrets']]
        if cap.get('partial'):
            out += ['', 'Partial%s:' % (' (%s)' % label if len(captures) > 1 else '')] + ['  ' + note for note in cap['partial']]
    return ['#' + (' ' + line if line else '') for line in out]


def beyond(names, defaults):
    extra = [name for name in names if name not in defaults]
    return ' - not in a new tracker: %s' % ', '.join(extra) if extra else ''


def spec_file(captures):
    """The text of a spec file holding the captured projects (results of allura_project_spec_info)."""
    options = role_options()
    specs = []
    comments, templates = {}, set()
    for index, cap in enumerate(captures):
        spec = ordered(cap['spec'], options)
        validate(spec, options)
        specs.append(spec)
        variables = {'{{ %s }}' % s['variable']: s for s in cap.get('secrets') or ()}
        for number, hook in enumerate(spec.get('webhooks') or ()):
            if hook.get('secret') in variables:
                path = ('allura_projects', index, 'webhooks', number, 'secret')
                templates.add(path)
                comments[path] = ['not readable over REST: define %s' % variables[hook['secret']]['variable']]
    document = {'allura_projects': specs}
    text = '\n'.join(header(captures)) + '\n---\n' + dump(document, comments, templates)
    try:
        exact = load(text) == document
    except yaml.YAMLError as exc:
        raise SpecFileError('the captured data cannot be written as YAML: %s' % exc) from exc
    if not exact:
        raise SpecFileError('the spec file would not read back as captured (a bug: please report it)')
    return text
