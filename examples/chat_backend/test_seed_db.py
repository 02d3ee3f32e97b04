import seed_db
from database import count


def test_seed_is_idempotent(chat_db, capsys):
    assert seed_db.main() == 0
    first = {table: count(table) for table in ("users", "documents", "chunks")}
    assert first["users"] == 1 and first["documents"] == len(seed_db.SAMPLE_DOCUMENTS)
    assert seed_db.seed() == first
    assert str(chat_db) in capsys.readouterr().out
