"""Which sources Refinery knows, by name: the application asks here instead of naming vendors.

Adding a source is one package under connectors/ with a `Connector` object, plus one entry in
`CONNECTORS` below. Entries are cheap to import: a connector loads its vendor library only
when it builds a stream or a tracker."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from pydantic import SecretStr

from connectors.base import BodyFormat, KeyValues, Stream, Tracker
from connectors.comments import Formatter
from connectors.config import Problem, Section
from connectors.events import Comment, Event, WebhookShape
from connectors.github.connector import GITHUB
from connectors.item import Item
from connectors.jira.connector import JIRA


class Connector(Protocol):
    """Everything vendor-shaped about one source. `config` is the source's own settings
    section (an instance of `section`), which the application reads and passes in."""

    @property
    def name(self) -> str:
        """The source's name in items, cursors and settings: "jira"."""
        ...

    @property
    def title(self) -> str:
        """How people write it: "Jira"."""
        ...

    @property
    def section(self) -> type[Section]:
        """Its settings model, composed into the application's settings."""
        ...

    @property
    def preview_format(self) -> BodyFormat:
        """The comment body format for previews made without a tracker."""
        ...

    @property
    def webhook(self) -> WebhookShape: ...

    @property
    def formatters(self) -> Mapping[BodyFormat, Formatter]:
        """Comment formatters for the body formats its trackers write."""
        ...

    def configured(self, config: Any) -> bool:
        """Enough is set to sync from it and write back to it."""
        ...

    def streams(self, config: Any, kv: KeyValues | None) -> list[Stream]: ...

    def tracker(self, config: Any) -> Tracker: ...

    def webhook_secret(self, config: Any) -> SecretStr | None:
        """The secret its webhook deliveries are signed with (None: not set)."""
        ...

    def webhook_unready(self, config: Any) -> str:
        """Why its webhooks cannot be acted on yet ("" when they can: Jira needs its URL to
        build item links)."""
        ...

    def read_event(self, name: str, payload: Any) -> Event:
        """A decoded webhook body as one event; raises connectors.events.Malformed."""
        ...

    def in_scope(self, config: Any, project: str) -> bool:
        """A webhook's project is one the settings name (none named: every project)."""
        ...

    def is_own_author(self, config: Any, comment: Comment) -> bool:
        """The comment's author is the account Refinery writes with (when the payload says)."""
        ...

    def event_item(
        self, config: Any, event: Event, kv: KeyValues | None, tracker: Tracker | None
    ) -> tuple[Item, bool]:
        """The event's issue as an item, and whether the payload carried its estimate.
        May call the source (a cold field cache); run it after the request is answered."""
        ...

    def event_item_offline(
        self, config: Any, event: Event, kv: KeyValues | None, tracker: Tracker | None
    ) -> tuple[Item, bool]:
        """The event's issue as an item, never calling out, checking the payload's field types
        (TypeError/ValueError on a wrong one); and whether it is complete (False: parse it
        again with `event_item` after the answer)."""
        ...

    def estimate_known(
        self, config: Any, event: Event, kv: KeyValues | None, tracker: Tracker | None
    ) -> bool:
        """Whether an item from this event knows its estimate (False: keep the stored one)."""
        ...

    def project_of(self, key: str) -> str:
        """The project or repository an item key belongs to ("PAY-7" -> "PAY")."""
        ...

    def project_id(self, project: str) -> str:
        """A project name in the form the source compares it (GitHub: case-insensitive)."""
        ...

    def estimate_where(self, config: Any) -> str:
        """Where this source keeps estimates, in the reader's words (for comment how-tos)."""
        ...

    def problems(self, config: Any) -> list[Problem]:
        """Settings that load but will not work, for `refinery config check`."""
        ...

    def summary(self, config: Any) -> str:
        """One line: configured or not, and what is missing."""
        ...

    def destinations(self, config: Any) -> list[str]:
        """Projects accepted requests can be filed in, the default first."""
        ...

    def triage(self, config: Any) -> tuple[str, str, str]:
        """(triage label, triage status, status accepted items move to); "" when unused."""
        ...


CONNECTORS: Mapping[str, Connector] = {JIRA.name: JIRA, GITHUB.name: GITHUB}
FORMATTERS: Mapping[BodyFormat, Formatter] = {
    fmt: formatter
    for connector in CONNECTORS.values()
    for fmt, formatter in connector.formatters.items()
}


class UnknownSource(ValueError):
    """A source name no connector has."""


def get(name: str) -> Connector:
    try:
        return CONNECTORS[name]
    except KeyError:
        known = ", ".join(CONNECTORS)
        raise UnknownSource(f"no connector for source {name!r} (known: {known})") from None


def formatter(fmt: BodyFormat) -> Formatter:
    """The comment formatter for a body format (a tracker's `body_format`)."""
    return FORMATTERS[fmt]


def names() -> list[str]:
    return list(CONNECTORS)


def section_of(settings: Any, name: str) -> Any:
    """The source's settings section from an object that has one attribute per source."""
    return getattr(settings, name)


def configured(settings: Any) -> list[str]:
    """Names of the sources whose settings are enough to sync and write back."""
    return [name for name, c in CONNECTORS.items() if c.configured(section_of(settings, name))]
