"""The Jira connector: builds its stream and tracker from `[jira]`, reads its webhooks."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol

from pydantic import SecretStr

from connectors.base import BodyFormat, KeyValues, Tracker
from connectors.comments import Formatter
from connectors.config import Problem, is_set, url_problems
from connectors.events import Comment, Event, WebhookShape
from connectors.item import Item
from connectors.jira.body import ADF, WIKI
from connectors.jira.config import JiraConfig

if TYPE_CHECKING:
    from connectors.base import Stream
    from connectors.jira.fields import FieldMap
    from connectors.jira.search import JiraStream
    from connectors.jira.writeback import JiraTracker


class HasJira(Protocol):
    """Settings with a `[jira]` section (the application's settings satisfy it)."""

    @property
    def jira(self) -> JiraConfig: ...


def make_jira_stream(settings: HasJira, kv: KeyValues | None) -> JiraStream:
    """The sync stream for `[jira]`; site facts (fields, deployment) are cached in `kv`."""
    from connectors.jira.client import JiraClient
    from connectors.jira.search import JiraStream

    return JiraStream(JiraClient(settings.jira), settings.jira, kv=kv)


def make_jira_tracker(settings: HasJira) -> JiraTracker:
    """Write-back for `[jira]`, honouring jira.dry_run."""
    from connectors.jira.client import JiraClient
    from connectors.jira.writeback import JiraTracker

    return JiraTracker(JiraClient(settings.jira), dry_run=settings.jira.dry_run)


class _Settings:
    """One section dressed as settings, for the factories above."""

    def __init__(self, jira: JiraConfig) -> None:
        self.jira = jira


class JiraConnector:
    name = "jira"
    title = "Jira"
    section = JiraConfig
    preview_format: BodyFormat = "wiki"  # readable as plain text, unlike ADF
    formatters: Mapping[BodyFormat, Formatter] = {"adf": ADF, "wiki": WIKI}
    webhook = WebhookShape(
        signature_header="X-Hub-Signature", delivery_header="X-Atlassian-Webhook-Identifier"
    )

    def configured(self, config: JiraConfig) -> bool:
        return bool(config.url)

    def streams(self, config: JiraConfig, kv: KeyValues | None) -> list[Stream]:
        return [make_jira_stream(_Settings(config), kv)]

    def tracker(self, config: JiraConfig) -> Tracker:
        return make_jira_tracker(_Settings(config))

    def webhook_secret(self, config: JiraConfig) -> SecretStr | None:
        return config.webhook_secret

    def webhook_unready(self, config: JiraConfig) -> str:
        return "" if config.url else "jira.url is not set"

    def read_event(self, name: str, payload: Any) -> Event:
        from connectors.jira.events import jira_event

        return jira_event(payload)

    def in_scope(self, config: JiraConfig, project: str) -> bool:
        return not config.projects or project in config.projects

    def is_own_author(self, config: JiraConfig, comment: Comment) -> bool:
        email = config.email
        return bool(email) and comment.author_email.lower() == email.lower()

    def event_item(
        self, config: JiraConfig, event: Event, kv: KeyValues | None, tracker: Tracker | None
    ) -> tuple[Item, bool]:
        from connectors.jira.parse import to_item

        return to_item(
            event.issue, self._stream(config, kv, tracker).field_map(), config.url
        ), False

    def event_item_offline(
        self, config: JiraConfig, event: Event, kv: KeyValues | None, tracker: Tracker | None
    ) -> tuple[Item, bool]:
        from connectors.jira.fields import FieldMap
        from connectors.jira.parse import to_item
        from connectors.strict import check_depth, check_jira_issue

        check_depth(event.issue)
        check_jira_issue(event.issue)
        cached = self._stream(config, kv, tracker).cached_field_map()
        fields = cached or FieldMap()
        return to_item(event.issue, fields, config.url), cached is not None

    def estimate_known(
        self, config: JiraConfig, event: Event, kv: KeyValues | None, tracker: Tracker | None
    ) -> bool:
        fields: FieldMap = self._stream(config, kv, tracker).field_map()
        values = event.issue.get("fields") or {}
        return any(field_id in values for field_id in fields.story_points)

    def project_of(self, key: str) -> str:
        return key.rsplit("-", 1)[0]

    def project_id(self, project: str) -> str:
        return project

    def estimate_where(self, config: JiraConfig) -> str:
        if config.estimate_field:
            return f"the {config.estimate_field} field"
        return "the Story Points field"

    def problems(self, config: JiraConfig) -> list[Problem]:
        found = url_problems("jira.url", config.url)
        if config.email and not is_set(config.api_token):
            found.append(
                ("jira.email", "is set but REFINERY_JIRA__API_TOKEN is not (Cloud needs both)")
            )
        if (config.projects or config.jql) and not config.url:
            found.append(("jira.url", "is empty, but projects or jql are set"))
        if config.url and not (config.projects or config.jql):
            found.append(("jira.projects", "is empty and so is jira.jql: nothing to sync"))
        if config.url and not config.email and not is_set(config.api_token):
            found.append(("jira.api_token", "is not set (REFINERY_JIRA__API_TOKEN)"))
        return found

    def summary(self, config: JiraConfig) -> str:
        if not config.url:
            return "Jira: not configured (set [jira] url and projects or jql)"
        scope = (
            f"projects {', '.join(config.projects)}" if config.projects else f"jql {config.jql!r}"
        )
        auth = "Cloud (e-mail + API token)" if config.email else "personal access token"
        token = "set" if is_set(config.api_token) else "NOT set"
        return f"Jira: {config.url}, {scope}; {auth}: {token}"

    def destinations(self, config: JiraConfig) -> list[str]:
        return list(config.projects) if config.url else []

    def triage(self, config: JiraConfig) -> tuple[str, str, str]:
        return config.triage_label, config.triage_status, config.accepted_status

    def _stream(
        self, config: JiraConfig, kv: KeyValues | None, tracker: Tracker | None
    ) -> JiraStream:
        """A stream for its field cache, on the tracker's client when there is one."""
        from connectors.jira.search import JiraStream
        from connectors.jira.writeback import JiraTracker

        if isinstance(tracker, JiraTracker):
            return JiraStream(tracker.client, config, kv=kv)
        return make_jira_stream(_Settings(config), kv)


JIRA = JiraConnector()
