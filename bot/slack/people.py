"""Find the Slack user behind a tracker user: the [slack] people map, else their e-mail."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import timedelta

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.store import Store
from bot.store.store import utcnow
from connectors.item import Person

log = logging.getLogger(__name__)

FORGET_MISSES = timedelta(days=1)  # someone may join Slack later


class People:
    """Resolve tracker users to Slack user ids; e-mail lookups are cached in the store."""

    def __init__(
        self, store: Store, people: Mapping[str, str], client: Callable[[], WebClient]
    ) -> None:
        self.store = store
        self.people = dict(people)
        self.client = client

    def slack_id(self, person: Person | None) -> str:
        """The Slack user id, or "" when nobody matches."""
        if person is None:
            return ""
        if person.id in self.people:
            return self.people[person.id]
        if not person.email:
            return ""
        key = "slack:user-by-email:" + person.email.lower()
        cached = self.store.get_kv(key)
        if cached is not None:
            missed_at = cached.get("missed_at")
            fresh_miss = (
                missed_at and utcnow().timestamp() - missed_at < FORGET_MISSES.total_seconds()
            )
            if cached.get("user") or fresh_miss:
                return str(cached.get("user") or "")
        user = self._lookup(person.email)
        if user is None:
            return ""  # the API failed: ask again next time
        value = {"user": user} if user else {"user": "", "missed_at": utcnow().timestamp()}
        self.store.set_kv(key, value)
        return user

    def _lookup(self, email: str) -> str | None:
        try:
            response = self.client().users_lookupByEmail(email=email)
        except SlackApiError as exc:
            if exc.response.get("error") == "users_not_found":
                return ""
            log.warning("users.lookupByEmail failed: %s", exc.response.get("error"))
            return None
        except SlackClientError as exc:
            log.warning("users.lookupByEmail failed: %s", type(exc).__name__)
            return None
        return str((response.get("user") or {}).get("id") or "")
