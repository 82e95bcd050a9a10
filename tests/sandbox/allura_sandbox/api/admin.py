"""Project admin REST root ``/rest/{nbhd}/{project}/admin/...`` (REFERENCE 5)."""

import time

from .. import model, perms, tooltypes, validators
from ..responses import HTTPError, bad_request, json_response, method_not_allowed, not_found, server_error
from ..util import now_str, utcnow
from . import webhooks
from .common import touch


def route(ctx, project, tool, rest):
    del tool
    perms.require(perms.project_access(ctx.data, project, 'admin', ctx.user), 'admin', ctx.user)
    if not rest:
        raise not_found()  # GET .../admin/ itself has no API
    head = rest[0]
    if head in ROUTES and len(rest) == 1:
        handler, post_only = ROUTES[head]
        if post_only and ctx.method != 'POST':
            raise method_not_allowed()
        return handler(ctx, project)
    target = model.tool_by_mount(project, head)
    if target is None or not tooltypes.TOOL_TYPES[target['tool']].get('webhooks'):
        raise not_found()  # only tools with an admin API root (repositories) continue
    return webhooks.route(ctx, project, target, rest[1:])


# -- installable_tools / install_tool ------------------------------------------------

def installable(project):
    """``AdminApp.installable_tools_for``: status allowed and below ``max_instances``."""
    names = []
    for name in tooltypes.INSTALL_ORDER:
        spec = tooltypes.TOOL_TYPES[name]
        status = spec.get('status', 'production')
        if status != 'production' and status not in project.get('extra_tool_status', []):
            continue
        if 'max_instances' in spec and sum(1 for t in project['tools'] if t['tool'] == name) >= spec['max_instances']:
            continue
        names.append(name)
    return names


def installable_tools(ctx, project):
    tools = []
    for name in installable(project):
        spec = tooltypes.TOOL_TYPES[name]
        default_options = {'mount_point': 'app', 'mount_label': 'app', 'ordinal': '0'}
        default_options.update(spec.get('options', {}))
        tools.append({'name': name, 'description': spec['description'],
                      'icons': {size: 'images/%s_%s.png' % (spec['icon'], size) for size in ('24', '32', '48')},
                      'tool_label': spec['label'],
                      'defaults': {'default_options': default_options, 'default_mount_label': spec['default_label'],
                                   'default_mount_point': None}})
    if not project.get('parent'):
        tools.append({'name': 'subproject', 'description': 'With a Sub Project you can add an entire project just like any other tool.',
                      'tool_label': 'Sub Project', 'defaults': {'default_mount_label': 'Sub', 'default_mount_point': 'sub'}})
    del ctx
    return json_response({'tools': tools})


def _failure(info):
    return json_response({'success': False, 'info': info})


def install_tool(ctx, project):
    """Failures are HTTP 200 ``success: false``, checked in Allura's order."""
    tool_name = ctx.req.param('tool')
    mount_point = ctx.req.param('mount_point')
    mount_label = ctx.req.param('mount_label')
    order = ctx.req.param('order')
    if not tool_name or not mount_point or not mount_label:
        return _failure('All arguments required.')
    if tool_name not in installable(project):
        return _failure('Incorrect tool name, or limit is reached.')
    if model.tool_by_mount(project, mount_point) is not None:
        return _failure('Mount point already exists.')
    if order is None:
        order = 'last'
    mounts = sorted(model.mounts(project), key=lambda t: t['ordinal'])
    if order == 'first':
        ordinal = 0
    elif order == 'last':
        ordinal = len(mounts)
    elif order == 'alpha_tool':
        ordinal = next((i for i, t in enumerate(mounts) if t['tool'] == tool_name and t['mount_label'] > mount_label),
                       len(mounts))
    else:
        raise server_error()  # unbound 'ordinal' in ProjectAdminRestController.install_tool
    # every tool is renumbered 0..n-1 around the new slot, and this is kept even if the install fails below
    for index, tool in enumerate(mounts):
        new_ordinal = index if index < ordinal else index + 1
        if tool['ordinal'] != new_ordinal:
            tool['ordinal'] = new_ordinal
            ctx.changed()
    spec = tooltypes.TOOL_TYPES[tool_name]
    stored = mount_point if spec.get('relaxed') else mount_point.lower()
    pattern = validators.RELAXED_MOUNT_RE if spec.get('relaxed') else validators.TOOL_MOUNT_RE
    if not pattern.match(stored):
        return _failure('Mount point "%s" is invalid' % stored)
    if stored in validators.RESERVED_MOUNT_POINTS:
        return _failure('Mount point "%s" is reserved' % stored)
    if model.tool_by_mount(project, stored) is not None:
        return _failure('Mount point "%s" is already in use' % stored)
    options = {}
    if tool_name == 'link' and ctx.req.param('url'):
        try:
            options['url'] = validators.url(ctx.req.param('url'))
        except validators.Invalid as exc:
            return _failure('url: %s' % exc)
    project['tools'].append(model.new_tool(tool_name, stored, mount_label, ordinal, options))
    touch(ctx, project)
    return json_response({'success': True, 'info': 'Tool %s with mount_point %s and mount_label %s was created.'
                                                   % (tool_name, mount_point, mount_label)})


# -- ordering, grouping, admin menu --------------------------------------------------

def mount_order(ctx, project):
    items = list(ctx.req.params.items())  # every parameter counts, like **kw
    if not items:
        raise bad_request('Expected kw params in the form of "ordinal: mount_point"')
    try:
        items = sorted(((int(name), value) for name, value in items), key=lambda item: item[0])
    except ValueError as exc:
        raise bad_request('Invalid kw: expected "ordinal: mount_point"') from exc
    for ordinal, value in items:
        name = value[-1] if isinstance(value, list) else value
        tool = model.tool_by_mount(project, name) or model.subproject(project, name)
        if tool is not None and tool['ordinal'] != ordinal:  # unknown names are ignored silently
            tool['ordinal'] = ordinal
            touch(ctx, project)
    return json_response({'status': 'ok'})


def configure_tool_grouping(ctx, project):
    try:
        threshold = int(ctx.req.param('grouping_threshold', '1'))
    except (TypeError, ValueError) as exc:
        raise bad_request('Invalid threshold. Expected a value between 1 and 10') from exc
    if not 1 <= threshold <= 10:
        raise bad_request('Invalid threshold. Expected a value between 1 and 10')
    allura = project['tool_data'].setdefault('allura', {})
    if allura.get('grouping_threshold') != threshold:
        allura['grouping_threshold'] = threshold
        touch(ctx, project)
    return json_response({'status': 'ok'})


def admin_options(ctx, project):
    mount_point = ctx.req.param('mount_point')
    if not mount_point:
        raise bad_request('Must provide a mount point')
    tool = model.tool_by_mount(project, mount_point)
    if tool is None:
        raise bad_request('The mount point you provided was invalid')
    base = model.project_url(project) + 'admin/' + tool['mount_point'] + '/'
    menu = tooltypes.ADMIN_MENUS.get(tool['tool'], tooltypes.DEFAULT_ADMIN_MENU)
    options = [{'text': text, 'href': base + href, 'className': css} for text, href, css in menu]
    if tool['tool'] not in tooltypes.UNDELETABLE:
        options.append({'text': 'Delete Everything', 'href': base + 'delete', 'className': 'admin_modal'})
    return json_response({'options': options})


# -- bulk export ------------------------------------------------------------------------

def export_busy(ctx, project):
    key = model.project_key(project['nbhd'], project['shortname'])
    return any(e['project'] == key and e['finish_at'] > time.time() for e in ctx.data['exports'])


def export(ctx, project):
    tools = ctx.req.params.get('tools')
    if not tools:
        raise bad_request('Must give at least one tool mount point to export')
    if isinstance(tools, list):
        tools = [t if isinstance(t, str) else '' for t in tools]  # repeated values are used verbatim
    else:
        tools = [t.strip() for t in str(tools).split(',')]
    allowed = {t['mount_point'] for t in project['tools'] if t['tool'] in tooltypes.EXPORTABLE}
    if not set(tools).issubset(allowed):
        raise bad_request('Invalid tool')
    if export_busy(ctx, project):
        raise HTTPError(503, 'Export for project %s already running' % model.project_shortname(project))
    filename = '%s-backup-%s.zip' % (project['shortname'], utcnow().strftime('%Y-%m-%d-%H%M%S'))
    ctx.data['exports'].append({
        'project': model.project_key(project['nbhd'], project['shortname']), 'tools': tools,
        # passed to the task as raw strings: any non-empty value counts as true
        'send_email': ctx.req.param('send_email'), 'with_attachments': ctx.req.param('with_attachments'),
        'filename': filename, 'path': '/var/lib/allura/bulk_export/%s/%s/%s' % (project['nbhd'], project['shortname'], filename),
        'user': ctx.user, 'started': now_str(), 'finish_at': time.time() + ctx.options.export_seconds,
    })
    ctx.changed()
    return json_response({'status': 'in progress', 'filename': filename})


def export_status(ctx, project):
    return json_response({'status': 'busy' if export_busy(ctx, project) else 'ready'})


# name -> (handler, POST only)
ROUTES = {
    'installable_tools': (installable_tools, False),
    'install_tool': (install_tool, True),
    'mount_order': (mount_order, True),
    'configure_tool_grouping': (configure_tool_grouping, True),
    'admin_options': (admin_options, False),
    'export': (export, True),
    'export_status': (export_status, False),
}
