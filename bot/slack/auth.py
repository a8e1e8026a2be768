"""Who may decide on requests: the configured PO users and members of the PO user group."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.config import SlackConfig

log = logging.getLogger(__name__)


class PoDirectory:
    """Answers "is this user a PO?"; the user group's members are cached for `ttl` seconds."""

    def __init__(
        self,
        config: SlackConfig,
        client: Callable[[], WebClient],
        ttl: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.users = set(config.po_users)
        self.usergroup = config.po_usergroup
        self.client = client
        self.ttl = ttl
        self.clock = clock
        self._lock = threading.Lock()
        self._members: frozenset[str] = frozenset()
        self._fetched_at: float | None = None

    def is_po(self, user_id: str) -> bool:
        if user_id in self.users:
            return True
        if not self.usergroup or not user_id:
            return False
        return user_id in self._group_members()

    def _group_members(self) -> frozenset[str]:
        with self._lock:
            fresh = self._fetched_at is not None and self.clock() - self._fetched_at < self.ttl
            if fresh:
                return self._members
            try:
                response = self.client().usergroups_users_list(usergroup=self.usergroup)
            except (SlackApiError, SlackClientError) as exc:
                # Fail closed, and do not cache the failure: the next click asks again.
                log.warning("cannot list PO user group %s: %s", self.usergroup, exc)
                return self._members if self._fetched_at is not None else frozenset()
            self._members = frozenset(response.get("users") or [])
            self._fetched_at = self.clock()
            return self._members
