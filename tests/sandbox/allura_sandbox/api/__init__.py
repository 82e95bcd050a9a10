"""REST endpoint handlers, one module per area.

Every handler takes a :class:`allura_sandbox.context.Ctx` and returns a
:class:`allura_sandbox.responses.Response` or raises an ``HTTPError``.
"""
