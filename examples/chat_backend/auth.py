"""Passwords (PBKDF2) and signed bearer tokens (HMAC-SHA256)."""
import base64
import hashlib
import hmac
import json
import secrets
import sqlite3
import time

import config
import database
from models import User


class AuthError(Exception):
    """Bad credentials or a bad token; the message is safe to show to the client."""


def hash_password(password, salt=None, iterations=None):
    salt = salt or secrets.token_hex(16)
    iterations = iterations or config.get("password_iterations")
    digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt.encode("ascii"), iterations)
    return f"pbkdf2_sha256${iterations}${salt}${digest.hex()}"


def verify_password(password, stored):
    try:
        scheme, iterations, salt, expected = stored.split("$")
    except ValueError:
        return False
    if scheme != "pbkdf2_sha256":
        return False
    candidate = hash_password(password, salt=salt, iterations=int(iterations))
    return hmac.compare_digest(candidate.rsplit("$", 1)[1], expected)


def _b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(payload):
    return _b64(hmac.new(config.secret_key(), payload.encode("ascii"), hashlib.sha256).digest())


def create_token(user_id, ttl=None):
    ttl = ttl or config.get("token_ttl_seconds")
    body = {"sub": user_id, "exp": int(time.time()) + ttl}
    payload = _b64(json.dumps(body, separators=(",", ":")).encode("utf-8"))
    return f"{payload}.{_sign(payload)}"


def verify_token(token):
    """The user id carried by ``token``; AuthError when it is forged or expired."""
    try:
        payload, signature = token.split(".")
    except (AttributeError, ValueError):
        raise AuthError("malformed token") from None
    if not hmac.compare_digest(signature, _sign(payload)):
        raise AuthError("invalid token signature")
    body = json.loads(_unb64(payload))
    if body["exp"] < time.time():
        raise AuthError("token expired")
    return body["sub"]


def register_user(username, password):
    user = User(username=username, password_hash=hash_password(password))
    try:
        with database.transaction() as conn:
            cursor = conn.execute(
                "INSERT INTO users (username, password_hash, created_at) VALUES (?, ?, ?)",
                (user.username, user.password_hash, user.created_at),
            )
    except sqlite3.IntegrityError:
        raise AuthError(f"username {username!r} is taken") from None
    user.id = cursor.lastrowid
    return user


def get_user(user_id):
    conn = database.get_db()
    try:
        row = conn.execute("SELECT * FROM users WHERE id = ?", (user_id,)).fetchone()
    finally:
        conn.close()
    return User.from_row(row) if row else None


def find_user(username):
    conn = database.get_db()
    try:
        row = conn.execute("SELECT * FROM users WHERE username = ?", (username,)).fetchone()
    finally:
        conn.close()
    return User.from_row(row) if row else None


def authenticate(username, password):
    user = find_user(username)
    if user is None or not verify_password(password, user.password_hash):
        raise AuthError("invalid username or password")
    return user
