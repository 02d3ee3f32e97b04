"""Request guard: resolve the bearer token of a request into its user."""
from functools import wraps

import auth
from auth import AuthError, verify_token


def bearer_token(headers):
    value = {key.lower(): item for key, item in (headers or {}).items()}.get("authorization", "")
    scheme, _, token = value.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise AuthError("missing bearer token")
    return token.strip()


def require_auth(handler):
    """Decorate a handler so that it runs only for a known user (sets ``request.user``)."""

    @wraps(handler)
    def guarded(request):
        user = auth.get_user(verify_token(bearer_token(request.headers)))
        if user is None:
            raise AuthError("unknown user")
        request.user = user
        return handler(request)

    guarded.requires_auth = True
    return guarded
