import math

import config
import embeddings
from vector_store import cosine


def test_embed_is_deterministic_and_normalized():
    first = embeddings.embed("The warehouse ships orders daily")
    assert first == embeddings.embed("The warehouse ships orders daily")
    assert len(first) == config.get("embedding_dim")
    assert math.isclose(sum(x * x for x in first), 1.0)


def test_text_without_words_embeds_to_zeros():
    assert embeddings.embed("the of and", dim=8) == [0.0] * 8


def test_related_texts_are_closer_than_unrelated_ones():
    query = embeddings.embed("refund to my card")
    related = embeddings.embed("refunds are paid back to the card")
    unrelated = embeddings.embed("express shipping from Lyon")
    assert cosine(query, related) > cosine(query, unrelated)
