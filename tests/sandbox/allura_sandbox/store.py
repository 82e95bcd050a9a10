"""The state container: one lock, a write counter, optional JSON persistence."""

import copy
import json
import os
import tempfile
import threading

from . import seed


class Store:
    """Holds ``data`` (see :mod:`allura_sandbox.model`) and persists it after each write."""

    def __init__(self, path=None):
        self.lock = threading.RLock()
        self.path = path
        self.version = 0
        self.data = self._load() if path and os.path.exists(path) else seed.build()
        if path and not os.path.exists(path):
            self.save()

    def _load(self):
        with open(self.path, encoding='utf-8') as handle:
            data = json.load(handle)
        missing = {'users', 'tokens', 'oauth1', 'neighborhoods', 'projects', 'exports'} - set(data)
        if missing:
            raise ValueError('%s is not a sandbox state file (missing %s)' % (self.path, ', '.join(sorted(missing))))
        return data

    def changed(self):
        self.version += 1

    def save(self):
        if not self.path:
            return
        directory = os.path.dirname(os.path.abspath(self.path))
        os.makedirs(directory, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix='.sandbox-state-', dir=directory)
        with os.fdopen(fd, 'w', encoding='utf-8') as handle:
            json.dump(self.data, handle, indent=1, sort_keys=True)
        os.replace(tmp, self.path)

    def reset(self):
        with self.lock:
            self.data = seed.build()
            self.changed()
            self.save()

    def snapshot(self):
        with self.lock:
            return copy.deepcopy(self.data)
