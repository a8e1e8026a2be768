"""Who may decide on requests: the configured PO users and members of the PO user group."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.config import SlackConfig
from bot.slack.poster import error_code

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
        self._members: dict[str, tuple[frozenset[str], float]] = {}  # group -> (members, at)

    def is_po(self, user_id: str) -> bool:
        if user_id in self.users:
            return True
        if not self.usergroup or not user_id:
            return False
        return user_id in self.group_members(self.usergroup)

    def group_members(self, usergroup: str) -> frozenset[str]:
        """Members of a Slack user group (global or a team's), cached for `ttl` seconds."""
        if not usergroup:
            return frozenset()
        with self._lock:
            known = self._members.get(usergroup)
            if known is not None and self.clock() - known[1] < self.ttl:
                return known[0]
            try:
                response = self.client().usergroups_users_list(usergroup=usergroup)
            except (SlackApiError, SlackClientError) as exc:
                # Fail closed, and do not cache the failure: the next click asks again.
                log.warning("cannot list PO user group %s: %s", usergroup, error_code(exc))
                return known[0] if known is not None else frozenset()
            members = frozenset(response.get("users") or [])
            self._members[usergroup] = (members, self.clock())
            return members
