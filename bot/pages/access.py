"""Who may read the pages: a signed share link (per team, or for everything), or a trusted
proxy header naming the user. No accounts; the pages are read-only."""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from urllib.parse import quote

from bot.config import Settings

ALL = "*"  # the scope of a link to every team


def token(secret: str, version: int, scope: str) -> str:
    """The share token of `scope` (a team name, or ALL): `v<version>.<HMAC-SHA256>`."""
    message = f"refinery-web\n{version}\n{scope}".encode()
    digest = hmac.new(secret.encode(), message, hashlib.sha256).digest()
    return f"v{version}." + base64.urlsafe_b64encode(digest).decode().rstrip("=")


def valid(settings: Settings, scope: str, given: str) -> bool:
    """True when `given` is the current token of `scope` (an older key version or a rotated
    secret gives another token, so every old link stops working)."""
    secret = settings.web.secret.get_secret_value() if settings.web.secret else ""
    if not secret:
        return False
    expected = token(secret, settings.web.key_version, scope)
    return hmac.compare_digest(expected.encode(), given.encode())


@dataclass(frozen=True)
class Viewer:
    """What one request may see: every team (scope None) or one team; and its link prefix."""

    team: str | None
    base: str  # prefix for links between pages, token included

    def may_see_team(self, name: str) -> bool:
        return self.team is None or self.team == name


def share_path(settings: Settings, scope: str) -> str:
    """The path of a share link (raises ValueError when web.secret is not set)."""
    if settings.web.secret is None or not settings.web.secret.get_secret_value():
        raise ValueError("web.secret is not set: share links need it (REFINERY_WEB__SECRET)")
    signed = token(settings.web.secret.get_secret_value(), settings.web.key_version, scope)
    if scope == ALL:
        return f"/web/all/{signed}/"
    return f"/web/t/{quote(scope, safe='')}/{signed}/"


def share_url(settings: Settings, scope: str) -> str:
    base = settings.web.base_url.rstrip("/")
    if not base:
        base = f"http://{settings.server.host}:{settings.server.port}"
    return base + share_path(settings, scope)
