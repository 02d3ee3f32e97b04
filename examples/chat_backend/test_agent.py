from unittest import mock

import agent
from agent import run
from vector_store import Hit


def test_run_answers_from_the_indexed_documents(documents):
    answer = run("How long does express shipping take?")
    assert answer.tool is None
    assert "Shipping" in answer.text
    assert answer.sources and answer.sources[0]["title"] == "Shipping"


def test_run_uses_the_vector_store():
    with mock.patch("agent.VectorStore") as store_class:
        store_class.from_database.return_value.search.return_value = [
            Hit(text="Refunds take five days. Call us.", score=0.9, document_id=1, title="Refunds"),
        ]
        answer = run("how long do refunds take")
    store_class.from_database.assert_called_once_with()
    assert answer.text.startswith('According to "Refunds": Refunds take five days.')


def test_run_without_hits_says_so():
    with mock.patch("agent.VectorStore") as store_class:
        store_class.from_database.return_value.search.return_value = []
        answer = run("what is the meaning of life")
    assert answer.text == agent.NO_ANSWER
    assert answer.sources == []


def test_arithmetic_goes_to_the_calculator():
    with mock.patch("agent.VectorStore") as store_class:
        answer = run("what is 6 * (3 + 4)?")
    assert answer.tool == "calculator"
    assert answer.text == "42"
    store_class.from_database.assert_not_called()
