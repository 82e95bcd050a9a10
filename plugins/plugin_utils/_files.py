# -*- coding: utf-8 -*-
# Copyright (c) allura.forge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Files the controller writes (lock leases, drift reports): whole or not at all."""

from __future__ import annotations

import contextlib
import os
import tempfile


def write_whole(path, text, prefix=None):
    """`path` holds `text` (mode 0644) or is left as it was: a temporary file beside it (named `prefix`..., default
    `.<name>.`...), renamed over it."""
    handle, temporary = tempfile.mkstemp(dir=os.path.dirname(path) or '.', prefix=prefix or '.%s.' % os.path.basename(path))
    try:
        with os.fdopen(handle, 'w', encoding='utf-8') as out:
            out.write(text)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
