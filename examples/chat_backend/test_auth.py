import pytest

import auth
from auth import AuthError


def test_password_hash_round_trip():
    stored = auth.hash_password("s3cret-password")
    assert stored.startswith("pbkdf2_sha256$")
    assert auth.verify_password("s3cret-password", stored)
    assert not auth.verify_password("wrong-password", stored)
    assert not auth.verify_password("s3cret-password", "md5$garbage")
    assert auth.hash_password("same-password") != auth.hash_password("same-password")


def test_token_round_trip(user):
    token = auth.create_token(user.id)
    assert auth.verify_token(token) == user.id


def test_tampered_token_is_refused(user):
    payload, signature = auth.create_token(user.id).split(".")
    with pytest.raises(AuthError, match="signature"):
        auth.verify_token(payload + "x." + signature)


def test_expired_token_is_refused(user, monkeypatch):
    token = auth.create_token(user.id, ttl=60)
    real_time = auth.time.time()
    monkeypatch.setattr("auth.time.time", lambda: real_time + 3600)
    with pytest.raises(AuthError, match="expired"):
        auth.verify_token(token)


def test_register_and_authenticate(user):
    assert auth.authenticate("alice", "correct horse battery").id == user.id
    with pytest.raises(AuthError):
        auth.authenticate("alice", "not the password")
    with pytest.raises(AuthError, match="taken"):
        auth.register_user("alice", "another password")
