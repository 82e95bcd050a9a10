"""Start the Allura REST sandbox: ``python tests/sandbox/server.py --port 8080``.

See README.md next to this file for the options, seed data and test controls.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from allura_sandbox.httpserver import main  # noqa: E402  pylint: disable=wrong-import-position

if __name__ == '__main__':
    sys.exit(main())
