import config


def test_settings_are_read_from_the_file_beside_config():
    assert config.SETTINGS_FILE.name == "settings.json"
    assert config.SETTINGS_FILE.is_file()
    assert config.get("app_name") == "Chat Backend"


def test_environment_overrides(monkeypatch, tmp_path):
    monkeypatch.setenv("CHAT_TOP_K", "7")
    assert config.get("top_k") == 7
    assert config.db_path() == str(tmp_path / "chat.db")
    monkeypatch.delenv("CHAT_DB")
    assert config.db_path().endswith("chat_backend.db")
