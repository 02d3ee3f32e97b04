"""Text helpers shared by the indexer, the embeddings and the chat service.

This file keeps Windows line endings (CRLF): it was written on a Windows laptop.
"""
import re
import unicodedata

import config

_WORD = re.compile(r"[a-z0-9]+")
_SPACES = re.compile(r"\s+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")

STOPWORDS = frozenset(
    "a an and are as at be by for from has have how i in is it of on or that the this to "
    "was were what when where which who why will with you your".split()
)


def normalize(text):
    """NFKC-normalized, lower-cased text with runs of whitespace collapsed."""
    text = unicodedata.normalize("NFKC", text)
    return _SPACES.sub(" ", text).strip().lower()


def tokenize(text, drop_stopwords=False):
    words = _WORD.findall(normalize(text))
    if drop_stopwords:
        words = [word for word in words if word not in STOPWORDS]
    return words


def sentences(text):
    text = _SPACES.sub(" ", text).strip()
    return [part for part in _SENTENCE_END.split(text) if part]


def chunk_text(text, size=None, overlap=None):
    """Split text into windows of about ``size`` characters, cut at word boundaries."""
    size = size or config.get("chunk_size")
    overlap = config.get("chunk_overlap") if overlap is None else overlap
    if overlap >= size:
        raise ValueError("overlap must be smaller than size")
    words = _SPACES.sub(" ", text).strip().split(" ")
    chunks, current = [], []
    length = 0
    for word in words:
        if current and length + len(word) + 1 > size:
            chunks.append(" ".join(current))
            kept, kept_length = [], 0
            for previous in reversed(current):
                if kept_length + len(previous) + 1 > overlap:
                    break
                kept.insert(0, previous)
                kept_length += len(previous) + 1
            current, length = kept, kept_length
        current.append(word)
        length += len(word) + 1
    if current and current != [""]:
        chunks.append(" ".join(current))
    return chunks


def truncate(text, limit, suffix="..."):
    if len(text) <= limit:
        return text
    cut = text[: max(0, limit - len(suffix))].rstrip()
    if " " in cut:
        cut = cut[: cut.rfind(" ")]
    return cut + suffix


def slugify(text):
    return "-".join(_WORD.findall(normalize(text)))
