"""Reading Python source: IPython cell scripts (`# %%` cells with magics) parse like Python."""

from __future__ import annotations

import ast

import pytest
from organize_backend.source_text import keep_comment_columns, parse_python

# As VS Code's interactive window and Spyder keep a notebook: `# %%` cells, magics and shell escapes.
CELL_SCRIPT = ("#%%\n%load_ext autoreload\n%autoreload 2\n\nimport random\n  !pip install requests\n"
               "from app.billing import total\n%%time\nx = 7 % 2\n")


@pytest.mark.parametrize("source", [CELL_SCRIPT, CELL_SCRIPT.encode()])
def test_magic_and_shell_lines_read_as_comments_and_positions_stay(source: str | bytes) -> None:
    tree = parse_python(source)
    assert [type(node).__name__ for node in tree.body] == ["Import", "ImportFrom", "Assign"]
    assert (tree.body[1].lineno, tree.body[1].col_offset) == (7, 0)
    assert isinstance(tree.body[2].value, ast.BinOp)  # `7 % 2` inside a line is Python's own `%`


@pytest.mark.parametrize("source", [
    "x = = 1\n",  # no IPython line: the plain error
    "%load_ext autoreload\nx = = 1\n",  # IPython lines, and a real error too
    '%load_ext autoreload\ntext = """\n%s done\n"""\n',  # `%s` inside a string is no magic
])
def test_what_does_not_parse_as_python_or_as_a_cell_script_raises(source: str) -> None:
    with pytest.raises(SyntaxError):
        parse_python(source)


def test_valid_python_is_read_as_it_is() -> None:
    source = "total = (price\n         % 7)\nok = (a\n      !=b)\n"  # lines that start with `%` and `!`
    assert ast.dump(parse_python(source)) == ast.dump(ast.parse(source))


def test_a_renamed_lines_trailing_comment_keeps_its_column_where_the_padding_allows() -> None:
    # AppDaemon's APPGUIDE.rst: comments aligned at column 40 drifted to 45
    before = "from app import adbase as ad     # base\nfrom app.adapi import ADAPI      # API\nx = 1  # one\n"
    after = "from app.core import adbase as ad     # base\nfrom app.core.adapi import ADAPI      # API\nx = 1  # one\n"
    assert keep_comment_columns(before, after) == (  # back to column 33, but never fewer than two spaces
        "from app.core import adbase as ad  # base\nfrom app.core.adapi import ADAPI  # API\nx = 1  # one\n")
    assert keep_comment_columns("import a          # x\n", "import a.core     # x\n") == "import a.core     # x\n"
    assert keep_comment_columns("import app.core.a   # x\n", "import a   # x\n") == "import a            # x\n"
    assert keep_comment_columns("import app.core.a  # x\n", "import a  # x\n") == "import a  # x\n"  # no alignment


def test_a_comment_column_is_kept_only_where_lines_pair_up() -> None:
    before = "from a import b   # x\n"
    assert keep_comment_columns(before, "from a.core import b   # x\n") == "from a.core import b  # x\n"
    assert keep_comment_columns(before, "from a.core import (\n    b,\n)   # x\n") == "from a.core import (\n    b,\n)   # x\n"
    assert keep_comment_columns("s = 'a'   # x\n", "s = 'abc'   # x\n") == "s = 'abc'   # x\n"  # quotes: left alone
