# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The contract in reverse: the recordings the sandbox is checked against hold on the real server.

Each set is replayed in order against a freshly restarted real Allura and compared exactly as the
sandbox's contract test compares (values included; tests/sandbox/contract.py). Only what needs an
out-of-band action is left out: the push that code__repo_after_push.json follows, and the two
"busy export" recordings (this server runs its background tasks right after each response, so an
export is never still running). The ftp:// webhook pair is replayed: the server runs with the
recording server's relaxed webhook check, as its README says.
"""

import os

import pytest

import contract

OUT_OF_BAND = {
    'code__repo_after_push.json': 'follows a real git push to the repository',
    'admin_export__busy.json': 'taken while background tasks were held back',
    'admin_export_status__busy.json': 'taken while background tasks were held back',
}
NOTES = {'webhook_delivery__repo_push.json', 'admin_export__artifact.json', 'smtp_sink__messages.json'}


@pytest.mark.parametrize('name', sorted(contract.RECORDING_SETS))
def test_every_replayable_recording_holds_on_the_real_server(real, name):
    real.fresh()
    recordings, base_url = contract.load(name)
    replayed, skipped, mismatches = contract.replay(recordings, base_url, real.url, skip=OUT_OF_BAND,
                                                    path_map={real.data_dir: '/var/lib/allura'})
    assert not mismatches, '%d of %d recordings differ on the real server:\n%s' % (
        len(mismatches), len(replayed), '\n'.join(mismatches))
    assert set(skipped) <= NOTES | set(OUT_OF_BAND)
    assert len(replayed) + len(skipped) == len(recordings)
    assert replayed, 'nothing was replayed'


def test_the_recordings_are_the_shared_ones():
    """The sandbox's copies equal the shared recordings they were copied from."""
    shared = os.environ.get('ALLURA_API_DIR')
    if not shared:  # a server built from ALLURA_SRC alone: no shared recordings beside this repository
        pytest.skip('ALLURA_API_DIR is not set: there is no shared allura-api folder to compare the copies with')
    for name in ('recordings', 'recordings-wave2'):
        theirs = sorted(os.listdir(os.path.join(shared, name)))
        assert theirs == sorted(os.listdir(contract.RECORDING_SETS[name]))
        for file_name in theirs:
            with open(os.path.join(shared, name, file_name), 'rb') as handle, \
                    open(os.path.join(contract.RECORDING_SETS[name], file_name), 'rb') as copy:
                assert handle.read() == copy.read(), '%s/%s differs from the shared copy' % (name, file_name)
