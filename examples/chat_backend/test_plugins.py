import pytest

import agent
import indexer
import plugins


def test_builtin_plugins_resolve():
    assert plugins.get("answer") is agent.run
    assert plugins.load("agent:run") is agent.run
    assert plugins.indexer_module() is indexer
    assert callable(plugins.get("tokenize"))


def test_bad_specs_raise():
    with pytest.raises(plugins.PluginError):
        plugins.get("nope")
    with pytest.raises(plugins.PluginError):
        plugins.load("no_such_module:thing")
    with pytest.raises(plugins.PluginError):
        plugins.load("agent:no_such_function")
