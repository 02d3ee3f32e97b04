"""Tests for the pass that puts rope's `import p.x` rewrites back into the user's `from p import x` style.

Each `rewritten` text below is what rope 1.15 wrote for the `original` beside it when the
modules of MODULE_MAP moved (captured from real MoveModule runs).
"""

from __future__ import annotations

import ast

import pytest

from organize_backend.changes import import_style
from organize_backend.changes.import_style import restore_import_style

MODULE_MAP = {
    "agent": "bots.agent",
    "database": "database.database",
    "vector_store": "data.vector_store",
}


def restore(original: str, rewritten: str, module_map=MODULE_MAP) -> str:
    """The pass's answer, which must be the same read from lines as from the parser."""
    result = restore_import_style(original, rewritten, module_map)
    ast.parse(result)  # whatever it does, the result is Python
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(import_style, "_import_aliases_by_lines", lambda original, candidates: None)
        patch.setattr(import_style, "_restored_by_lines", lambda rewritten, restored: None)
        assert restore_import_style(original, rewritten, module_map) == result
    return result


def test_plain_import_becomes_a_from_import_and_call_sites_are_restored() -> None:
    original = "import agent\n\n\ndef handle(text):\n    return agent.run(text), agent.Agent()\n"
    rewritten = "import bots.agent\n\n\ndef handle(text):\n    return bots.agent.run(text), bots.agent.Agent()\n"
    assert restore(original, rewritten) == (
        "from bots import agent\n\n\ndef handle(text):\n    return agent.run(text), agent.Agent()\n"
    )


def test_a_module_moved_into_its_own_name() -> None:
    original = "import database\n\nDB = database.get_db()\n"
    rewritten = "import database.database\n\nDB = database.database.get_db()\n"
    assert restore(original, rewritten) == "from database import database\n\nDB = database.get_db()\n"


def test_import_a_b_with_ropes_duplicates() -> None:
    original = (
        "import os, agent, json\n"
        "import database, vector_store\n"
        "\n"
        "VALUE = agent.run(os.sep), database.get_db(), vector_store.VectorStore\n"
    )
    # rope rewrites the names in place and also adds one import per moved module
    rewritten = (
        "import os, bots.agent, json\n"
        "import database.database, data.vector_store\n"
        "import bots.agent\n"
        "import database.database\n"
        "import data.vector_store\n"
        "\n"
        "VALUE = bots.agent.run(os.sep), database.database.get_db(), data.vector_store.VectorStore\n"
    )
    assert restore(original, rewritten) == (
        "import os, json\n"
        "from bots import agent\n"
        "from database import database\n"
        "from data import vector_store\n"
        "\n"
        "VALUE = agent.run(os.sep), database.get_db(), vector_store.VectorStore\n"
    )


def test_imports_inside_functions_keep_their_indentation() -> None:
    original = (
        "import os\n\n\nclass Handler:\n    def handle(self):\n        import agent\n"
        "        if True:\n            import database\n            return agent.run(database.get_db())\n"
    )
    rewritten = (
        "import os\nimport bots.agent\nimport database.database\n\n\nclass Handler:\n    def handle(self):\n"
        "        import bots.agent\n        if True:\n            import database.database\n"
        "            return bots.agent.run(database.database.get_db())\n"
    )
    assert restore(original, rewritten) == (
        "import os\nfrom bots import agent\nfrom database import database\n\n\nclass Handler:\n    def handle(self):\n"
        "        from bots import agent\n        if True:\n            from database import database\n"
        "            return agent.run(database.get_db())\n"
    )


def test_type_checking_blocks_and_semicolon_lines() -> None:
    original = (
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import vector_store\n\n"
        "def f(s: 'vector_store.VectorStore') -> None:\n    import agent; agent.run(s)\n"
    )
    rewritten = (
        "from typing import TYPE_CHECKING\nimport bots.agent\nimport data.vector_store\nif TYPE_CHECKING:\n"
        "    import data.vector_store\n\ndef f(s: 'vector_store.VectorStore') -> None:\n"
        "    import bots.agent; bots.agent.run(s)\n"
    )
    restored = restore(original, rewritten)
    assert "if TYPE_CHECKING:\n    from data import vector_store\n" in restored
    assert "    from bots import agent; agent.run(s)\n" in restored
    assert "bots.agent" not in restored.replace("from bots import agent", "")


def test_imports_in_try_except_and_else_blocks() -> None:
    original = "try:\n    import agent\nexcept ImportError:\n    import database\nelse:\n    import vector_store\n"
    rewritten = (
        "try:\n    import bots.agent\nexcept ImportError:\n    import database.database\n"
        "else:\n    import data.vector_store\n"
    )
    assert restore(original, rewritten) == (
        "try:\n    from bots import agent\nexcept ImportError:\n    from database import database\n"
        "else:\n    from data import vector_store\n"
    )


def test_aliases_are_kept_as_rope_wrote_them() -> None:
    original = "import agent as ag\nimport database as db\n\nX = ag.run(db.get_db())\n"
    rewritten = "import bots.agent as ag\nimport database.database as db\n\nX = ag.run(db.get_db())\n"
    assert restore(original, rewritten) == rewritten


def test_an_alias_beside_a_plain_import_of_the_same_module() -> None:
    original = "import agent\nimport agent as ag\n\nX = agent.run(1), ag.run(2)\n"
    rewritten = "import bots.agent\nimport bots.agent as ag\n\nX = bots.agent.run(1), ag.run(2)\n"
    assert restore(original, rewritten) == "from bots import agent\nimport bots.agent as ag\n\nX = agent.run(1), ag.run(2)\n"


def test_from_imports_are_left_as_rope_wrote_them() -> None:
    original = "from agent import run\nfrom database import get_db as db\n"
    rewritten = "from bots.agent import run\nfrom database.database import get_db as db\n"
    assert restore(original, rewritten) == rewritten


def test_a_crlf_file_stays_crlf() -> None:
    original = "import agent\r\nimport os\r\n\r\n\r\ndef f():\r\n    return agent.run(os.sep)  # café agent.run\r\n"
    rewritten = "import bots.agent\r\nimport os\r\n\r\n\r\ndef f():\r\n    return bots.agent.run(os.sep)  # café agent.run\r\n"
    assert restore(original, rewritten) == (
        "from bots import agent\r\nimport os\r\n\r\n\r\ndef f():\r\n    return agent.run(os.sep)  # café agent.run\r\n"
    )


def test_a_crlf_file_with_ropes_duplicates_stays_crlf() -> None:
    original = "import os, agent\r\n\r\nX = agent.run(os.sep)\r\n"
    rewritten = "import os, bots.agent\r\nimport bots.agent\r\n\r\nX = bots.agent.run(os.sep)\r\n"
    restored = restore(original, rewritten)
    assert restored == "import os\r\nfrom bots import agent\r\n\r\nX = agent.run(os.sep)\r\n"
    assert "\n" not in restored.replace("\r\n", "")


def test_non_ascii_text_before_a_call_site() -> None:
    original = "import agent\n\nX = ('héllo wörld', agent.run('ñ'))\n"
    rewritten = "import bots.agent\n\nX = ('héllo wörld', bots.agent.run('ñ'))\n"
    assert restore(original, rewritten) == "from bots import agent\n\nX = ('héllo wörld', agent.run('ñ'))\n"


def test_strings_and_comments_are_not_this_passes_business() -> None:
    original = "import agent\n\n# agent.run is the entry\nNAME = 'agent.run'\nX = agent.run\n"
    rewritten = "import bots.agent\n\n# agent.run is the entry\nNAME = 'agent.run'\nX = bots.agent.run\n"
    assert restore(original, rewritten) == (
        "from bots import agent\n\n# agent.run is the entry\nNAME = 'agent.run'\nX = agent.run\n"
    )


def test_a_file_that_already_used_the_new_dotted_names_is_left_as_rope_wrote_it() -> None:
    # `bots.agent` meant something before the move (an attribute of a local object), so in
    # rope's output it cannot be told apart from the moved module: leave it all alone.
    original = (
        "import agent\n\n\nclass Registry:\n    pass\n\n\nbots = Registry()\nbots.agent = None\n\n\n"
        "def f():\n    return agent.run(1), bots.agent\n"
    )
    rewritten = (
        "import bots.agent\n\n\nclass Registry:\n    pass\n\n\nbots = Registry()\nbots.agent = None\n\n\n"
        "def f():\n    return bots.agent.run(1), bots.agent\n"
    )
    assert restore(original, rewritten) == rewritten


def test_a_dotted_original_import_is_left_alone() -> None:
    original = "import RAI_Chat.Backend.utils\n\nX = RAI_Chat.Backend.utils.f()\n"
    rewritten = "import RAI_Chat.backend.utils\n\nX = RAI_Chat.backend.utils.f()\n"
    module_map = {"RAI_Chat.Backend.utils": "RAI_Chat.backend.utils", "RAI_Chat.Backend": "RAI_Chat.backend"}
    assert restore(original, rewritten, module_map) == rewritten


def test_a_module_moved_under_a_new_name_is_left_as_rope_wrote_it() -> None:
    # `from db import session` would silently rename every `connection.` call site.
    original = "import connection\n\nX = connection.get()\n"
    rewritten = "import db.session\n\nX = db.session.get()\n"
    assert restore(original, rewritten, {"connection": "db.session"}) == rewritten


def test_a_file_without_plain_imports_of_moved_modules_is_returned_as_is() -> None:
    rewritten = "import os\nfrom bots.agent import run\n"
    assert restore_import_style("import os\nfrom agent import run\n", rewritten, MODULE_MAP) is rewritten


def test_modules_that_did_not_move_are_not_touched() -> None:
    original = "import os\nimport agent\nimport config\n\nX = config.DEBUG, agent.run\n"
    rewritten = "import os\nimport bots.agent\nimport config\n\nX = config.DEBUG, bots.agent.run\n"
    assert restore(original, rewritten) == "import os\nfrom bots import agent\nimport config\n\nX = config.DEBUG, agent.run\n"


@pytest.mark.parametrize(
    ("original", "rewritten"),
    [
        pytest.param("import agent\ndef broken(:\n", "import bots.agent\ndef broken(:\n", id="both unparsable"),
        pytest.param("import agent\nX = agent.run\n", "import bots.agent\nX = bots.agent.run(\n", id="rewritten unparsable"),
        pytest.param("import agent\nX = agent.run(\n", "import bots.agent\nX = bots.agent.run\n", id="original unparsable"),
        pytest.param("import agent\nX = agent.run\n", "import bots.agent\nX = bots.agent.run\x00\n", id="null byte in rewritten"),
        pytest.param("import agent\nX = '\x00'\n", "import bots.agent\nX = bots.agent.run\n", id="null byte in original"),
    ],
)
def test_unparsable_input_is_no_crash(original: str, rewritten: str) -> None:
    """In the pipeline both texts parse (the plan refuses a file that does not), which the
    reading from lines relies on. Given one that does not, the pass still answers without
    raising, and the parser's reading leaves the file as rope wrote it."""
    restore_import_style(original, rewritten, MODULE_MAP)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(import_style, "_import_aliases_by_lines", lambda original, candidates: None)
        patch.setattr(import_style, "_restored_by_lines", lambda rewritten, restored: None)
        assert restore_import_style(original, rewritten, MODULE_MAP) == rewritten


def test_the_common_cases_are_read_from_lines() -> None:
    """The reading from lines answers for them itself (the parser is the fallback)."""
    original = "import os\nimport agent  # the bot\n\n\ndef f():\n    import  agent.tools\n    return agent.run(os)\n"
    assert sorted(import_style._import_aliases_by_lines(original, {"agent"})) == [("agent", None), ("agent.tools", None)]
    rewritten = "import os, bots.agent.tools\nimport bots.agent  # the bot\n\nX = bots.agent.run\n"
    assert import_style._restored_by_lines(rewritten, {"bots.agent": "agent"}) == (
        "import os, bots.agent.tools\nfrom bots import agent  # the bot\n\nX = agent.run\n")


@pytest.mark.parametrize("text", [
    "import os; import agent\n", "if True: import agent\n", "import os, \\\n    agent\n", "x = 'import'; agent.run()\n",
])
def test_lines_it_cannot_read_go_to_the_parser(text: str) -> None:
    assert import_style._import_aliases_by_lines(text, {"agent"}) is None
