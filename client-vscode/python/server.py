"""Starts the bundled organize-backend language server: `python server.py lsp`.

The extension ships the server (next to this file) and its pure-Python dependencies
(`../libs`), so it runs on any Python 3.10+ without `pip install`. Both go before the
interpreter's own site-packages, so another installed pygls or rope cannot shadow them.
Running a script (not `-m`) keeps the current folder, the user's workspace, off sys.path:
a project module named like a dependency cannot shadow it either.
"""

import os
import runpy
import sys

if sys.version_info < (3, 10):
    sys.exit("organize-backend needs Python 3.10 or newer, this is " + sys.version.split()[0])

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[0:1] = [HERE, os.path.join(os.path.dirname(HERE), "libs")]
sys.argv[0] = "organize-backend"
runpy.run_module("organize_backend", run_name="__main__", alter_sys=True)
