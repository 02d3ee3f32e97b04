"""Test-suite wide setup: `import helpers` works from any test folder, fixtures are not collected.

The fixture backends under tests/fixtures/ (and examples/) carry test suites of their own;
they are run in a subprocess on a copy (see helpers.run_fixture_tests), never collected here.
"""

import sys
from pathlib import Path

TESTS_DIR = Path(__file__).resolve().parent
if str(TESTS_DIR) not in sys.path:
    sys.path.insert(0, str(TESTS_DIR))

collect_ignore = ["fixtures"]
