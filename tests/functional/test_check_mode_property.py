# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Check mode predicts the real run exactly, however it is entered: a property test on the sandbox.

Projects are provisioned, then a seeded generator changes their spec again and again: a tool added with pages,
tickets, blog posts or webhooks in it, a webhook removed, page text and labels, ticket fields and custom fields, a
blog post's text, labels or state, a new post, a post deleted, a comment on a ticket (an existing one or one to
create), the link added or changed, a new project with `create: true`, access checks that no longer hold, several of
these at once. For
every change, check mode is entered each way a user can - `--check` on the provision playbook, the `check_mode`
keyword of a play, of a block and of include_role's `apply` on the role, and the drift playbook's own way - and
each prediction (every resource's action, the summary counts, which tasks change something, and no write) must
equal the real provision that follows; a drift check after it reports nothing but the access checks the spec
says do not hold (access is checked, never changed).

Cost (2 cores): the projects change side by side, one change each per round, so a round is two ansible-playbook
runs whatever the number of projects - `provision --check` (check mode by CLI), and one run whose plays are the
three keyword ways, the drift check, the real provision and the drift check after it. A test-only callback
(callbacks/allura_task_log.py) logs which tasks changed play by play, which a PLAY RECAP cannot.

`make test` runs ALLURA_PROPERTY_ROUNDS rounds (default 5) over ALLURA_PROPERTY_PROJECTS projects (default 6): 30
changes. ALLURA_PROPERTY_SEED replays a run (the seed is printed on failure); `make property` runs the full matrix
(more rounds, and both execution paths).
"""

from __future__ import annotations

import json
import os
import random
import time
import urllib.request

import pytest
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT_TOKEN = 'a0000000000000000000'  # root: neighborhood admin of p, so it may also create projects
ROUNDS = int(os.environ.get('ALLURA_PROPERTY_ROUNDS') or 5)
PROJECTS = int(os.environ.get('ALLURA_PROPERTY_PROJECTS') or 6)
SEED = int(os.environ.get('ALLURA_PROPERTY_SEED') or random.SystemRandom().randrange(10 ** 6))

FULL = bool(os.environ.get('ALLURA_PROPERTY_FULL'))
KINDS = ('tool', 'hook_gone', 'page_text', 'page_labels', 'page_new', 'ticket', 'custom', 'post', 'post_new', 'post_gone', 'comment',
         'link', 'access', 'project', 'several')
STATUSES = ('open', 'unread', 'accepted', 'pending', 'closed')
LABELS = ('docs', 'start', 'two words', 'alpha', 'beta')


class Generator:
    """Specs of a few projects, and the seeded changes made to them."""

    def __init__(self, seed, projects):
        self.rng = random.Random(seed)
        self.serial = 0
        self.specs = [self.seeded('test'), self.seeded('test2')][:projects]
        while len(self.specs) < projects:
            self.specs.append(self.new_project())

    def next(self, prefix):
        self.serial += 1
        return '%s%d' % (prefix, self.serial)

    def labels(self):
        return self.rng.sample(LABELS, self.rng.randint(0, 2))

    def text(self):
        lines = ['%s line %d' % (self.rng.choice(('First', 'Some', 'Other')), n) for n in range(self.rng.randint(1, 4))]
        return '\n'.join(lines) + ('\n' if self.rng.random() < 0.8 else '')

    def page(self, title=None):
        page = dict(title=title or self.rng.choice(('Page %s', 'Café %s', 'Notes + %s')) % self.next(''), text=self.text())
        if self.rng.random() < 0.6:
            page['labels'] = self.labels()
        return page

    def ticket(self, custom):
        ticket = dict(summary='Ticket %s' % self.next(''), status=self.rng.choice(STATUSES))
        if self.rng.random() < 0.5:
            ticket['labels'] = self.labels()
        if self.rng.random() < 0.4:
            ticket['description'] = self.text()
        if custom and self.rng.random() < 0.7:
            ticket['custom_fields'] = self.custom_fields()
            ticket['milestone'] = self.rng.choice(('1.0', '2.0'))
        return ticket

    def post(self):
        post = dict(title=self.rng.choice(('News %s', 'Café %s', 'Release + %s')) % self.next(''), text=self.text())
        if self.rng.random() < 0.7:
            post['state'] = self.rng.choice(('draft', 'published'))
        if self.rng.random() < 0.5:
            post['labels'] = self.labels()
        return post

    def comments(self):
        return ['Comment %s' % self.next('') for _unused in range(self.rng.randint(1, 2))]

    def custom_fields(self):
        return dict(self.rng.sample([('severity', self.rng.choice(('low', 'normal', 'high'))), ('public', self.rng.random() < 0.5),
                                     ('estimate', self.rng.randint(1, 9))], self.rng.randint(1, 3)))

    def hook(self, mount_point):
        return dict(mount_point=mount_point, url='https://ci%s.example.org/hook' % self.next(''), secret='s-%s' % self.next(''))

    def seeded(self, name):
        """A project of the sandbox's seed: wiki (Home), bugs (with custom fields), blog, code (git), link."""
        tickets = [dict(self.ticket(True), mount_point='bugs') for _unused in range(2)]
        tickets[0]['comments'] = self.comments()
        return dict(name=name, wiki=[dict(title='Home', text=self.text()), self.page()], blog=[self.post()],
                    tickets=tickets, webhooks=[self.hook('code')],
                    access=[dict(mount_point='wiki', user='test-user', permission='edit', expected=False)])

    def new_project(self):
        wiki, news = self.next('docs'), self.next('news')
        return dict(name=self.next('prop'), create=True, admin='test-admin', fields=dict(name='Property %d' % self.serial),
                    tools=[dict(tool='wiki', mount_point=wiki, mount_label='Docs'), dict(tool='tickets', mount_point='tickets'),
                           dict(tool='blog', mount_point=news)],
                    wiki=[dict(self.page(), mount_point=wiki)], tickets=[dict(self.ticket(False), comments=self.comments())],
                    blog=[dict(self.post(), mount_point=news), dict(title='Never posted', state='absent', mount_point=news)],
                    access=[dict(user='*anonymous', permission='read')])

    # -- the changes: each returns what it did -------------------------------------------------------

    def change(self, spec, number):
        """A random change; with ALLURA_PROPERTY_FULL, change `number` is of every kind in turn."""
        kind = KINDS[number % len(KINDS)] if FULL else self.rng.choice(KINDS + ('several',))
        if kind == 'several':
            return 'several: ' + ', '.join(getattr(self, 'change_' + k)(spec) for k in self.rng.sample(KINDS[:-2], 3))
        return getattr(self, 'change_' + kind)(spec)

    def change_tool(self, spec, kind=None):
        kind = kind or self.rng.choice(('wiki', 'tickets', 'git', 'blog'))
        mount_point = self.next({'wiki': 'docs', 'tickets': 'track', 'git': 'repo', 'blog': 'news'}[kind])
        spec.setdefault('tools', []).append(dict(tool=kind, mount_point=mount_point))
        if kind == 'wiki':  # a new wiki starts with Home: give it too, sometimes
            pages = [self.page() for _unused in range(self.rng.randint(1, 2))] + ([self.page('Home')] if self.rng.random() < 0.5 else [])
            spec.setdefault('wiki', []).extend(dict(page, mount_point=mount_point) for page in pages)
        elif kind == 'tickets':
            spec.setdefault('tickets', []).extend(dict(self.ticket(False), mount_point=mount_point) for _unused in range(2))
            spec['tickets'][-1]['comments'] = self.comments()
        elif kind == 'blog':  # a new blog has no posts: one to delete changes nothing
            spec.setdefault('blog', []).extend([dict(self.post(), mount_point=mount_point),
                                                dict(title='Never posted', state='absent', mount_point=mount_point)])
        else:
            spec.setdefault('webhooks', []).extend(self.hook(mount_point) for _unused in range(self.rng.randint(1, 2)))
        if self.rng.random() < 0.3:
            spec.setdefault('access', []).append(dict(mount_point=mount_point, user='test-user', permission='read'))
        return 'a %s tool %s with what lives in it' % (kind, mount_point)

    def change_hook_gone(self, spec):
        present = [hook for hook in spec.get('webhooks') or () if hook.get('state') != 'absent']
        if not present:
            repos = [tool['mount_point'] for tool in spec.get('tools') or () if tool['tool'] == 'git'] or (
                ['code'] if not spec.get('create') else [])
            if not repos:
                return self.change_tool(spec, 'git')
            spec.setdefault('webhooks', []).append(self.hook(repos[0]))
            return 'a webhook added'
        hook = self.rng.choice(present)
        hook['state'] = 'absent'
        hook.pop('secret', None)
        return 'webhook %s removed' % hook['url']

    def pages(self, spec):
        return [page for page in spec.get('wiki') or () if page.get('text') is not None]

    def change_page_text(self, spec):
        page = self.rng.choice(self.pages(spec))
        page['text'] = self.text() + 'changed %s\n' % self.next('')
        return 'text of page %s' % page['title']

    def change_page_labels(self, spec):
        page = self.rng.choice(self.pages(spec))
        page['labels'] = self.labels() + ['l%s' % self.next('')]
        return 'labels of page %s' % page['title']

    def change_page_new(self, spec):
        mount_point = self.rng.choice(self.pages(spec)).get('mount_point')
        spec['wiki'].append(dict(self.page(), **({'mount_point': mount_point} if mount_point else {})))
        return 'a new page'

    def change_ticket(self, spec):
        tickets = spec.get('tickets') or []
        if not tickets or self.rng.random() < 0.3:
            where = self.rng.choice(tickets).get('mount_point', 'tickets') if tickets else 'tickets'
            spec.setdefault('tickets', []).append(dict(self.ticket(where == 'bugs'), mount_point=where))
            return 'a new ticket'
        ticket = self.rng.choice(tickets)
        ticket.update(status=self.rng.choice(STATUSES), labels=self.labels(), description=self.text())
        return 'fields of ticket %s' % ticket['summary']

    def change_custom(self, spec):
        bugs = [ticket for ticket in spec.get('tickets') or () if ticket.get('mount_point') == 'bugs']
        if not bugs:
            return self.change_ticket(spec)
        ticket = self.rng.choice(bugs)
        ticket['custom_fields'] = self.custom_fields()
        return 'custom fields of ticket %s' % ticket['summary']

    def posts(self, spec):
        return [post for post in spec.get('blog') or () if post.get('state') != 'absent']

    def change_post(self, spec):
        posts = self.posts(spec)
        if not posts:
            return self.change_post_new(spec)
        post = self.rng.choice(posts)
        post.update(text=self.text() + 'changed %s\n' % self.next(''), state=self.rng.choice(('draft', 'published')),
                    labels=self.labels())
        return 'text, state and labels of post %s' % post['title']

    def change_post_new(self, spec):
        blogs = sorted({post.get('mount_point', 'blog') for post in spec.get('blog') or ()})
        if not blogs:
            return self.change_tool(spec, 'blog')
        spec['blog'].append(dict(self.post(), mount_point=self.rng.choice(blogs)))
        return 'a new post'

    def change_post_gone(self, spec):
        posts = self.posts(spec)
        if not posts:
            return self.change_post_new(spec)
        post = self.rng.choice(posts)
        kept = {key: post[key] for key in ('title', 'mount_point') if key in post}
        post.clear()
        post.update(kept, state='absent')
        return 'post %s deleted' % post['title']

    def change_comment(self, spec):
        tickets = spec.get('tickets') or []
        if not tickets or self.rng.random() < 0.3:  # on a ticket this run creates
            self.change_ticket(spec)
            tickets = spec['tickets'][-1:]
        ticket = self.rng.choice(tickets)
        ticket.setdefault('comments', []).extend(self.comments())
        return 'comments on ticket %s' % ticket['summary']

    def change_link(self, spec):
        spec['link'] = 'https://%s.example.org/' % self.next('home')
        return 'link %s' % spec['link']

    def change_access(self, spec):
        check = self.rng.choice(spec['access'])
        check['expected'] = not check.get('expected', True)
        return 'access check %s %s now expects %s' % (check['user'], check['permission'], check['expected'])

    def change_project(self, spec):
        spec.clear()
        spec.update(self.new_project())
        return 'a new project %s (create: true)' % spec['name']


def http(url, method='GET'):
    request = urllib.request.Request(url, data=b'' if method == 'POST' else None, method=method)
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read().decode() or 'null')


CHECKS = '''
- name: "check: play keyword"
  hosts: localhost
  gather_facts: false
  connection: local
  check_mode: true
  diff: true
  vars: &vars
    ansible_python_interpreter: "{{ ansible_playbook_python }}"
  tasks:
    - &each
      name: Each project
      ansible.builtin.include_role:
        name: allura.forge.project
      vars:
        allura_project: "{{ spec }}"
      loop: "{{ allura_projects }}"
      loop_control: {loop_var: spec, label: "{{ spec.name }}"}
    - &save
      name: Save the reports
      ansible.builtin.copy:
        dest: "{{ out }}/{{ way }}.json"
        content: "{{ allura_project_reports | to_json }}"
        mode: "0600"
      check_mode: false
      diff: false
      vars: {way: keyword}
    - &forget
      name: Forget them
      ansible.builtin.set_fact:
        allura_project_reports: []

- name: "check: block keyword"
  hosts: localhost
  gather_facts: false
  connection: local
  vars: *vars
  tasks:
    - check_mode: true
      diff: true
      block:
        - *each
    - <<: *save
      vars: {way: block}
    - *forget

- name: "check: include_role apply"
  hosts: localhost
  gather_facts: false
  connection: local
  vars: *vars
  tasks:
    - name: Each project
      ansible.builtin.include_role:
        name: allura.forge.project
        apply: {check_mode: true, diff: true}
      vars:
        allura_project: "{{ spec }}"
      loop: "{{ allura_projects }}"
      loop_control: {loop_var: spec, label: "{{ spec.name }}"}
    - <<: *save
      vars: {way: apply}
    - *forget
    - name: What the checks wrote
      ansible.builtin.copy:
        dest: "{{ out }}/writes.json"
        content: "{{ (lookup('ansible.builtin.url', sandbox ~ '/_sandbox/log', split_lines=false) | from_json).counters | to_json }}"
        mode: "0600"

- name: Drift check before
  ansible.builtin.import_playbook: allura.forge.drift
  vars: {drift_report_dir: "{{ out }}", drift_report_name: before}

- name: Forget the reports
  hosts: localhost
  gather_facts: false
  tasks:
    - *forget

- name: The real provision
  ansible.builtin.import_playbook: allura.forge.provision
  vars: {provision_report_file: "{{ out }}/real.json"}

- name: Forget the reports again
  hosts: localhost
  gather_facts: false
  tasks:
    - *forget

- name: Drift check after
  ansible.builtin.import_playbook: allura.forge.drift
  vars: {drift_report_dir: "{{ out }}", drift_report_name: after}
'''


def run_round(ansible_playbook, sandbox, folder, specs, env):
    folder.mkdir()
    spec_file = folder / 'spec.yml'
    spec_file.write_text(yaml.safe_dump({'allura_projects': specs}, sort_keys=False, allow_unicode=True), encoding='utf-8')
    playbook = folder / 'checks.yml'
    playbook.write_text(CHECKS, encoding='utf-8')
    env = dict(env, ANSIBLE_CALLBACK_PLUGINS=os.path.join(HERE, 'callbacks'), ANSIBLE_CALLBACKS_ENABLED='allura_task_log')
    http(sandbox + '/_sandbox/log/clear', 'POST')
    started = time.monotonic()
    cli = ansible_playbook('allura.forge.provision', '-e', '@%s' % spec_file, '--check', '--diff', '-e',
                           'provision_report_file=%s' % (folder / 'cli.json'), token=ROOT_TOKEN,
                           env=dict(env, ALLURA_TASK_LOG=str(folder / 'cli.log')))
    cli_writes = http(sandbox + '/_sandbox/log')['counters']['writes']
    middle = time.monotonic()
    rest = ansible_playbook(str(playbook), '-e', '@%s' % spec_file, '-e', 'out=%s' % folder, '-e', 'sandbox=%s' % sandbox,
                            token=ROOT_TOKEN, env=dict(env, ALLURA_TASK_LOG=str(folder / 'rest.log')))
    print('round %s: provision --check %.1f s, the other checks, provision and drift %.1f s'
          % (folder.name, middle - started, time.monotonic() - middle))
    return cli, cli_writes, rest


def task_changes(log_file, play, occurrence=0):
    """[(task, changed)] of the project role's tasks that ran in a play of a logged run (the first of that name, or a
    later one); a skipped task changes nothing, nor does Ansible's validation of the role's variables (a task of its main
    entry point; the playbooks run its `converge` entry point, whose engine validates them)."""
    with open(log_file, encoding='utf-8') as handle:
        lines = [json.loads(line) for line in handle]
    numbers = sorted({line['play_number'] for line in lines if line['play'] == play})
    return [(line['task'], line['changed']) for line in lines
            if numbers and line['play_number'] == numbers[occurrence] and line['role'] in ('project', 'allura.forge.project')
            and line['status'] != 'skipped' and not (line['task'].partition(' : ')[2].startswith('Validating arguments')
                                                     and not line['changed'])]


def resources(report):
    return [(r['resource'], r['action']) for r in report['resources']]


def counts(report):
    return {k: v for k, v in report['summary'].items() if k not in ('pending', 'mismatch', 'drift')}


def check_round(folder, cli, cli_writes, rest, changes):
    """Every prediction equals the real run; what is wrong, as a list of lines."""
    problems = []
    for name, proc in (('provision --check', cli), ('checks, provision, drift', rest)):
        if proc.returncode:
            problems.append('%s failed (%d):\n%s' % (name, proc.returncode, (proc.stdout + proc.stderr)[-6000:]))
    if problems:
        return problems

    def load(name):
        return json.loads((folder / name).read_text(encoding='utf-8'))
    real = load('real.json')['reports']
    before, after = load('before.json'), load('after.json')
    predictions = dict(cli=load('cli.json')['reports'], keyword=load('keyword.json'), block=load('block.json'),
                       apply=load('apply.json'), drift=before['reports'])
    real_tasks = task_changes(folder / 'rest.log', 'Provision Allura projects')
    tasks = {'cli': task_changes(folder / 'cli.log', 'Provision Allura projects'),
             'keyword': task_changes(folder / 'rest.log', 'check: play keyword'),
             'block': task_changes(folder / 'rest.log', 'check: block keyword'),
             'apply': task_changes(folder / 'rest.log', 'check: include_role apply'),
             'drift': task_changes(folder / 'rest.log', 'Drift check of the Allura projects on localhost', 0)}
    writes = dict(cli=cli_writes, others=load('writes.json')['writes'])
    if any(writes.values()):
        problems.append('check mode wrote to the server: %s' % writes)
    if before['errors'] or after['errors']:
        problems.append('drift check errors: %s / %s' % (before['errors'], after['errors']))
    for way, reports in predictions.items():
        for predicted, done, change in zip(reports, real, changes):
            if not predicted['check_mode'] or done['check_mode']:
                problems.append('%s: %s: check_mode is %s in the prediction, %s in the real run'
                                % (way, done['project'], predicted['check_mode'], done['check_mode']))
            if resources(predicted) != resources(done):
                problems.append('%s: %s (%s): predicted %s, the real run did %s' % (
                    way, done['project'], change, sorted(set(resources(predicted)) - set(resources(done))),
                    sorted(set(resources(done)) - set(resources(predicted)))))
            elif counts(predicted) != counts(done):
                problems.append('%s: %s (%s): predicted counts %s, real %s'
                                % (way, done['project'], change, counts(predicted), counts(done)))
        if tasks[way] != real_tasks:
            problems.append('%s: tasks changed %s, in the real run %s' % (
                way, [t for t in tasks[way] if t not in real_tasks], [t for t in real_tasks if t not in tasks[way]]))
    mismatches = sorted((report['project'], r['resource']) for report in real for r in report['resources'] if r['mismatch'])
    left = sorted((row['project'], row['resource']) for row in after['rows'])
    if left != mismatches:
        problems.append('the drift check after the real run reports %s (only the access checks that do not hold: %s)'
                        % (after['rows'], mismatches))
    return problems


@pytest.fixture
def property_env():
    return {'ANSIBLE_FORCE_COLOR': '0'}


def test_check_mode_predicts_the_real_run_however_it_is_entered(ansible_playbook, sandbox, tmp_path, property_env):
    generator = Generator(SEED, PROJECTS)
    env = dict(property_env)
    if os.environ.get('ALLURA_PROPERTY_AS_MODULE'):
        env['ALLURA_FORGE_RUN_AS_MODULE'] = '1'
    started, cases = time.monotonic(), 0
    changes = ['the first provision (%s)' % ('create: true' if spec.get('create') else 'content added') for spec in generator.specs]
    for number in range(ROUNDS):
        if number:
            changes = [generator.change(spec, number * len(generator.specs) + slot) for slot, spec in enumerate(generator.specs)]
        folder = tmp_path / ('round%d' % number)
        outcome = run_round(ansible_playbook, sandbox, folder, generator.specs, env)
        problems = check_round(folder, *outcome, changes)
        cases += len(changes)
        assert not problems, 'seed %d (ALLURA_PROPERTY_SEED=%d replays it), round %d:\n%s\nthe changes: %s\nthe spec: %s' % (
            SEED, SEED, number, '\n'.join(problems), changes, folder / 'spec.yml')
    print('property test: seed %d, %d changes in %d rounds of %d projects, %.0f s'
          % (SEED, cases, ROUNDS, PROJECTS, time.monotonic() - started))
    assert cases >= 30 or ROUNDS * PROJECTS < 30
