from unittest import mock

import pytest

import indexer
from vector_store import VectorStore, cosine


def test_cosine():
    assert cosine([1.0, 0.0], [1.0, 0.0]) == pytest.approx(1.0)
    assert cosine([1.0, 0.0], [0.0, 1.0]) == pytest.approx(0.0)
    assert cosine([0.0, 0.0], [1.0, 0.0]) == 0.0
    with pytest.raises(ValueError):
        cosine([1.0], [1.0, 2.0])


def test_search_ranks_the_relevant_text_first():
    store = VectorStore()
    store.add("refunds are paid back to the original card", title="Refunds")
    store.add("express shipping arrives the next business day", title="Shipping")
    store.add("enable two factor authentication", title="Security")
    hits = store.search("when are refunds paid back", k=2)
    assert hits[0].title == "Refunds"
    assert hits[0].score > (hits[1].score if len(hits) > 1 else 0)
    assert VectorStore().search("anything") == []


def test_from_database_loads_indexed_chunks(documents):
    store = indexer.build_store()
    assert isinstance(store, VectorStore)
    assert len(store) >= len(documents)
    assert {hit.title for hit in store.search("express shipping", k=1)} == {"Shipping"}


def test_search_embeds_the_query():
    store = VectorStore()
    store.add("alpha", vector=[1.0, 0.0])
    store.add("beta", vector=[0.0, 1.0])
    with mock.patch("vector_store.embed", return_value=[0.0, 1.0]) as fake_embed:
        hits = store.search("which one?", k=1)
    fake_embed.assert_called_once_with("which one?")
    assert [hit.text for hit in hits] == ["beta"]
