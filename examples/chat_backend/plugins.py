"""Optional features loaded by name, so that deployments can switch them in settings."""
import importlib

BUILTIN_PLUGINS = {
    "answer": "agent:run",
    "search": "agent_tools:search_documents",
    "index": "indexer:index_document",
    "tokenize": "text_utils:tokenize",
}


class PluginError(LookupError):
    pass


def load(spec):
    """Resolve "module:attribute" (or a bare module name) to the object it names."""
    module_name, _, attribute = spec.partition(":")
    try:
        target = importlib.import_module(module_name)
    except ImportError as error:
        raise PluginError(f"cannot import {module_name!r}: {error}") from error
    for part in filter(None, attribute.split(".")):
        try:
            target = getattr(target, part)
        except AttributeError:
            raise PluginError(f"{module_name!r} has no attribute {attribute!r}") from None
    return target


def get(name):
    if name not in BUILTIN_PLUGINS:
        raise PluginError(f"unknown plugin {name!r}")
    return load(BUILTIN_PLUGINS[name])


def indexer_module():
    """The indexer, imported on first use only (it pulls in the embeddings)."""
    return importlib.import_module("indexer")


def available():
    return sorted(BUILTIN_PLUGINS)
