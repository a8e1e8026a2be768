"""Webhook signatures: HMAC-SHA256 of the raw body, compared in constant time."""

from __future__ import annotations

import hashlib
import hmac

from pydantic import SecretStr

PREFIX = "sha256="


def sign(secret: str, body: bytes) -> str:
    """The header value a sender computes: "sha256=<hex digest>"."""
    return PREFIX + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(
    secret: SecretStr | None, header: str | None, body: bytes, *, allow_unsigned: bool
) -> str | None:
    """Check a request's signature; return why it is refused, or None when it is accepted.

    With a secret configured, a valid signature is always required. Without one, requests
    are refused unless `server.allow_unsigned_webhooks` is set explicitly.
    """
    key = secret.get_secret_value() if secret is not None else ""
    if not key:
        if allow_unsigned:
            return None
        return "no webhook secret is configured and unsigned webhooks are not allowed"
    if not header:
        return "missing signature"
    if not header.startswith(PREFIX):
        return "signature is not sha256=<hex>"
    expected = sign(key, body)
    if not hmac.compare_digest(expected.encode(), header.strip().encode()):
        return "signature does not match"
    return None
