# -*- coding: utf-8 -*-
"""Deterministic embeddings: the hashing trick over words and word pairs.

No model to download: each token is hashed (BLAKE2b) into one of ``dim`` buckets with a
sign, then the vector is L2-normalised. Crude, but « similar words in, similar vector
out » holds well enough for retrieval over a few hundred documents — and it is fast.
"""
import hashlib
import math

import config
from text_utils import tokenize


def dimension():
    return config.get("embedding_dim")


def stem(word):
    """A naïve English stemmer: enough to match "refunds" with "refund"."""
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def _bucket(token, dim):
    digest = hashlib.blake2b(token.encode("utf-8"), digest_size=8).digest()
    value = int.from_bytes(digest, "big")
    return value % dim, (1.0 if (value >> 63) & 1 else -1.0)


def embed(text, dim=None):
    """A unit vector of ``dim`` floats for ``text`` (all zeros for text without words)."""
    dim = dim or dimension()
    vector = [0.0] * dim
    words = [stem(word) for word in tokenize(text, drop_stopwords=True)]
    features = words + [f"{a}_{b}" for a, b in zip(words, words[1:])]
    for token in features:
        index, sign = _bucket(token, dim)
        vector[index] += sign
    norm = math.sqrt(sum(x * x for x in vector))
    if norm == 0:
        return vector
    return [x / norm for x in vector]


def embed_many(texts, dim=None):
    return [embed(text, dim) for text in texts]
