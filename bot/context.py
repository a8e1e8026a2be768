"""What every entry point (CLI, server, scheduler) shares: settings, store, rules, clients."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from bot.config import Settings
from bot.store import Store, open_store
from rules.engine import Engine

if TYPE_CHECKING:
    from slack_sdk import WebClient

    from bot.services.judge import Judge
    from connectors.base import Tracker

log = logging.getLogger(__name__)


@dataclass
class AppContext:
    """Long-lived objects, built once per process. Trackers and Slack clients are built lazily."""

    settings: Settings
    store: Store
    engine: Engine
    _trackers: dict[str, Tracker] = field(default_factory=dict)
    _closers: list[Callable[[], None]] = field(default_factory=list)

    @classmethod
    def build(cls, settings: Settings) -> AppContext:
        return cls(
            settings,
            open_store(settings.store.url, settings.store.lock_timeout),
            Engine(settings.rules),
        )

    def tracker(self, source: str) -> Tracker:
        """The write-back client for `source`, built by its connector on first use."""
        if source not in self._trackers:
            from connectors import registry

            try:
                connector = registry.get(source)
            except registry.UnknownSource:
                raise ValueError(f"no tracker for source {source!r}") from None
            section = registry.section_of(self.settings, source)
            self._trackers[source] = connector.tracker(section)
        return self._trackers[source]

    @cached_property
    def slack(self) -> WebClient:
        from bot.slack.poster import make_web_client

        return make_web_client(self.settings)

    @cached_property
    def judge(self) -> Judge:
        """Evaluates items as they are stored and keeps stored verdicts current."""
        from bot.services.judge import Judge

        return Judge(self.store, self.engine)

    @cached_property
    def background(self) -> ThreadPoolExecutor:
        """Where work goes after an HTTP request is answered (Slack's 3 s, webhooks' 10 s)."""
        return ThreadPoolExecutor(max_workers=4, thread_name_prefix="refinery-bg")

    def on_close(self, closer: Callable[[], None]) -> None:
        """Run `closer` first on close (stop a worker before its pool and store go)."""
        self._closers.append(closer)

    def close(self) -> None:
        for closer in reversed(self._closers):
            closer()
        self._closers.clear()
        if "background" in self.__dict__:
            self.background.shutdown(wait=True)
        self.store.close()
