"""Per-request context handed to every handler."""


class Ctx:
    """The decoded request, the state, the caller and a few shortcuts."""

    def __init__(self, req, store, options):
        self.req = req
        self.store = store
        self.data = store.data
        self.options = options
        self.user = None  # username, None for anonymous

    @property
    def method(self):
        return self.req.method

    def abs(self, path):
        """Absolute URL on the host the client used (like the recordings' base_url)."""
        return self.req.base_url + path

    def changed(self):
        """Mark the request as a write (persisted, counted in the log)."""
        self.store.changed()
