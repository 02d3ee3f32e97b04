import text_utils


def test_normalize_and_tokenize():
    assert text_utils.normalize("  Hello\tWORLD \n") == "hello world"
    assert text_utils.tokenize("What is the refund policy?", drop_stopwords=True) == ["refund", "policy"]


def test_chunk_text_overlaps_and_covers_everything():
    text = " ".join(f"word{i}" for i in range(60))
    chunks = text_utils.chunk_text(text, size=60, overlap=15)
    assert len(chunks) > 1
    assert all(len(chunk) <= 60 for chunk in chunks)
    assert chunks[0].split()[-1] in chunks[1].split()
    assert set(" ".join(chunks).split()) == set(text.split())


def test_truncate_and_slugify():
    assert text_utils.truncate("short", 10) == "short"
    assert text_utils.truncate("a sentence that is far too long", 16) == "a sentence..."
    assert text_utils.slugify("Refund Policy (2024)!") == "refund-policy-2024"
