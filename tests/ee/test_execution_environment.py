# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The example execution environment (examples/execution-environment/), without a container engine.

`ansible-builder create` turns it into a build context; what the image build would then do with this collection is
run here for real where it needs no container: the Galaxy stage's collection install (from the context, offline,
with the collection built from this tree) and the introspection that collects the Python requirements.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest
import yaml
from packaging.specifiers import SpecifierSet
from packaging.version import Version

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXAMPLE = os.path.join(ROOT, 'examples', 'execution-environment')
BIN = os.path.dirname(sys.executable)


def load(path):
    with open(path, encoding='utf-8') as handle:
        return yaml.safe_load(handle)


def run(*args, cwd=None):
    # --force on installs and no collection path of the caller's (pytest-ansible sets one holding this collection):
    # an install must never be skipped as "already installed"
    env = {k: v for k, v in os.environ.items() if not k.startswith('ANSIBLE_COLLECTIONS_PATH')}
    proc = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, '%s failed (%d):\n%s\n%s' % (' '.join(args), proc.returncode, proc.stdout, proc.stderr)
    return proc.stdout


def create(ee_dir, context):
    run(os.path.join(BIN, 'ansible-builder'), 'create', '-f', os.path.join(ee_dir, 'execution-environment.yml'),
        '-c', str(context), '--output-filename', 'Containerfile')
    with open(os.path.join(context, 'Containerfile'), encoding='utf-8') as handle:
        return handle.read()


@pytest.fixture(scope='module')
def tarball(tmp_path_factory):
    """This tree, built as users get it."""
    out = tmp_path_factory.mktemp('dist')
    run(os.path.join(BIN, 'ansible-galaxy'), 'collection', 'build', ROOT, '--output-path', str(out))
    (path,) = out.glob('allura-forge-*.tar.gz')
    return path


def test_create_writes_a_context_that_installs_the_collection_and_ansible(tmp_path):
    containerfile = create(EXAMPLE, tmp_path / 'context')
    assert load(tmp_path / 'context' / '_build' / 'requirements.yml') == load(os.path.join(EXAMPLE, 'requirements.yml'))
    assert 'ansible-galaxy collection install $ANSIBLE_GALAXY_CLI_COLLECTION_OPTS -r requirements.yml' in containerfile
    assert 'ARG ANSIBLE_INSTALL_REFS="ansible-core>=2.19,<2.22 ansible-runner"' in containerfile
    assert 'introspect.py introspect' in containerfile  # the collection's Python requirements are gathered and installed
    assert 'ARG EE_BASE_IMAGE="quay.io/centos/centos:stream9"' in containerfile


def test_the_requirement_takes_this_release_and_ansible_core_covers_the_supported_range():
    (collection,) = load(os.path.join(EXAMPLE, 'requirements.yml'))['collections']
    assert collection['name'] == 'allura.forge'
    version = Version(load(os.path.join(ROOT, 'galaxy.yml'))['version'])
    assert version in SpecifierSet(collection['version']), 'requirements.yml does not admit version %s' % version
    core = SpecifierSet(load(os.path.join(EXAMPLE, 'execution-environment.yml'))['dependencies']['ansible_core']['package_pip'][len('ansible-core'):])
    minimum = load(os.path.join(ROOT, 'meta', 'runtime.yml'))['requires_ansible'].lstrip('>=')
    assert Version(minimum) in core, 'the EE must allow the oldest ansible-core the collection supports (%s)' % minimum
    import ansible  # pylint: disable=import-outside-toplevel
    assert Version(ansible.__version__) in core, 'the EE must allow the ansible-core the tests run (%s)' % ansible.__version__


def test_built_from_a_checkout_the_context_holds_and_installs_this_collection(tmp_path, tarball):
    # The variant requirements.yml documents: the tarball as a file, copied into the context.
    ee_dir = tmp_path / 'ee'
    ee_dir.mkdir()
    shutil.copy(tarball, ee_dir)
    definition = load(os.path.join(EXAMPLE, 'execution-environment.yml'))
    definition['additional_build_files'] = [{'src': tarball.name, 'dest': '.'}]
    (ee_dir / 'execution-environment.yml').write_text(yaml.safe_dump(definition), encoding='utf-8')
    (ee_dir / 'requirements.yml').write_text(yaml.safe_dump({'collections': [{'name': tarball.name, 'type': 'file'}]}), encoding='utf-8')
    create(ee_dir, tmp_path / 'context')
    build = tmp_path / 'context' / '_build'
    assert (build / tarball.name).is_file()
    # the Galaxy stage's command, run in what becomes its /build
    run(os.path.join(BIN, 'ansible-galaxy'), 'collection', 'install', '--offline', '--force', '-r', 'requirements.yml',
        '--collections-path', str(tmp_path / 'share'), cwd=build)
    installed = tmp_path / 'share' / 'ansible_collections' / 'allura' / 'forge'
    assert (installed / 'MANIFEST.json').is_file() and (installed / 'plugins' / 'modules' / 'allura_tool.py').is_file()


def test_introspection_gives_the_collections_python_requirements(tmp_path, tarball):
    run(os.path.join(BIN, 'ansible-galaxy'), 'collection', 'install', '--offline', '--force', str(tarball), '-p', str(tmp_path))
    run(os.path.join(BIN, 'ansible-builder'), 'introspect', str(tmp_path), '--write-pip', str(tmp_path / 'pip.txt'),
        '--write-bindep', str(tmp_path / 'bindep.txt'))
    with open(tmp_path / 'pip.txt', encoding='utf-8') as handle:
        found = sorted(line.split('#')[0].strip() for line in handle if line.strip())
    with open(os.path.join(ROOT, 'requirements.txt'), encoding='utf-8') as handle:
        wanted = sorted(line.split('#')[0].strip() for line in handle if line.split('#')[0].strip())
    assert found == wanted == ['requests-oauthlib>=1.3', 'requests>=2.28']
    assert not (tmp_path / 'bindep.txt').exists() or not (tmp_path / 'bindep.txt').read_text(encoding='utf-8').strip()
