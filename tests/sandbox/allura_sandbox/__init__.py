"""Allura-compatible REST sandbox server used by the collection's tests.

The package mimics the behaviour of a real Apache Allura server (as documented
in the recordings and the API reference) closely enough for integration tests,
molecule scenarios, benchmarks and demos.  See ``tests/sandbox/README.md``.
"""

__version__ = '1.0.0'
