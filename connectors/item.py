"""The normalized backlog item: the only shape rules, services and Slack code ever see."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

Source = Literal["jira", "github", "file"]
StatusCategory = Literal["todo", "in_progress", "done"]
# Normalized kinds the rules scope on; `type` keeps the tracker's own name.
Kind = Literal["story", "task", "bug", "epic", "feature", "subtask", "other"]
TextFormat = Literal["adf", "wiki", "markdown", "plain"]

KINDS: tuple[str, ...] = ("story", "task", "bug", "epic", "feature", "subtask", "other")
STATUS_CATEGORIES: tuple[str, ...] = ("todo", "in_progress", "done")


@dataclass(slots=True, frozen=True)
class Person:
    """A tracker user: Jira accountId / DC username, or GitHub login, plus display data."""

    id: str
    name: str = ""
    email: str | None = None


@dataclass(slots=True, frozen=True)
class Link:
    """A typed link from this item to another, read from this item's side ("blocks", ...)."""

    type: str
    target: str


@dataclass(slots=True)
class Item:
    """One backlog entry, whatever its source."""

    source: Source
    key: str  # Jira "PAY-12", GitHub "owner/repo#123"
    title: str
    url: str = ""
    project: str = ""  # Jira project key, GitHub "owner/repo"
    type: str = ""  # the tracker's own type name: "Story", "Sub-task", "Bug", ...
    kind: Kind = "story"
    status: str = ""
    status_category: StatusCategory = "todo"
    description: Any = None  # as the source has it: ADF dict, wiki/Markdown string, or None
    description_format: TextFormat = "plain"
    text: str = ""  # plain text extracted from the description
    sections: dict[str, str] = field(default_factory=dict)  # heading (lower-case) -> content
    estimate: float | None = None  # story points; 0 is an estimate
    time_estimate: float | None = None  # seconds (Jira original estimate), if any
    outcome: str | None = None  # a configured tracker field holding the outcome metric
    labels: tuple[str, ...] = ()
    assignee: Person | None = None
    reporter: Person | None = None
    created: datetime | None = None
    updated: datetime | None = None
    rank: str | None = None  # lexically sortable; None sorts last
    parent: str | None = None
    links: tuple[Link, ...] = ()
    sprint: str | None = None
    # Tracker facts rules may name in their parameters (`priority`, `milestone`, configured
    # Jira fields), by lower-case name, as plain text; set by the connector, never raw JSON.
    fields: dict[str, str] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict)

    @property
    def uid(self) -> str:
        """Globally unique id across sources."""
        return f"{self.source}:{self.key}"

    def to_dict(self) -> dict[str, Any]:
        """Return Refinery's normalized JSON form (datetimes as ISO 8601).

        Shallow on purpose: `description` and `raw` are shared, not deep-copied (the store
        serializes them straight away, and deep copies of ADF documents dominated sync time).
        `fields` appears only when set, so items without any keep their stored content hash."""
        data: dict[str, Any] = {
            "source": self.source,
            "key": self.key,
            "title": self.title,
            "url": self.url,
            "project": self.project,
            "type": self.type,
            "kind": self.kind,
            "status": self.status,
            "status_category": self.status_category,
            "description": self.description,
            "description_format": self.description_format,
            "text": self.text,
            "sections": dict(self.sections),
            "estimate": self.estimate,
            "time_estimate": self.time_estimate,
            "outcome": self.outcome,
            "labels": list(self.labels),
            "assignee": _person(self.assignee),
            "reporter": _person(self.reporter),
            "created": self.created.isoformat() if self.created else None,
            "updated": self.updated.isoformat() if self.updated else None,
            "rank": self.rank,
            "parent": self.parent,
            "links": [{"type": link.type, "target": link.target} for link in self.links],
            "sprint": self.sprint,
            "raw": self.raw,
        }
        if self.fields:
            data["fields"] = dict(self.fields)
        return data

    def validate(self) -> None:
        """Raise TypeError when a parser produced a field of the wrong type (odd payloads)."""
        for name in ("key", "title", "url", "project", "type", "status", "text"):
            _expect(name, getattr(self, name), str)
        for name in ("rank", "parent", "sprint", "outcome"):
            _expect(name, getattr(self, name), (str, type(None)))
        for name in ("estimate", "time_estimate"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float | type(None)):
                raise TypeError(f"{name} is a {type(value).__name__}")
        for name in ("created", "updated"):
            _expect(name, getattr(self, name), (datetime, type(None)))
        for label in self.labels:
            _expect("labels", label, str)
        for link in self.links:
            _expect("links", link.type, str)
            _expect("links", link.target, str)
        for name, text in self.fields.items():
            _expect("fields", name, str)
            _expect("fields", text, str)
        for heading, content in self.sections.items():
            _expect("sections", heading, str)
            _expect("sections", content, str)
        for person in (self.assignee, self.reporter):
            if person is not None:
                _expect("person", person.id, str)
                _expect("person", person.name, str)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Item:
        """Build an item from its normalized JSON form; raises KeyError/TypeError/ValueError."""
        values = dict(data)
        for name in ("created", "updated"):
            raw = values.get(name)
            values[name] = datetime.fromisoformat(raw) if isinstance(raw, str) else raw
        for name in ("assignee", "reporter"):
            person = values.get(name)
            values[name] = Person(**person) if isinstance(person, dict) else person
        values["labels"] = tuple(values.get("labels") or ())
        values["links"] = tuple(Link(**link) for link in values.get("links") or ())
        values["sections"] = dict(values.get("sections") or {})
        values["fields"] = dict(values.get("fields") or {})
        values["raw"] = dict(values.get("raw") or {})
        values.setdefault("kind", "story")
        values.setdefault("status_category", "todo")
        if "text" not in values and values.get("description"):
            # A hand-written Refinery JSON item gives the description only; rules read text.
            from connectors.text import analyze

            if "description_format" not in values:
                is_adf = isinstance(values["description"], dict)
                values["description_format"] = "adf" if is_adf else "markdown"
            text = analyze(values["description"], values["description_format"])
            values["text"], values["sections"] = text.plain, dict(text.sections)
        if values.get("kind") not in KINDS:
            raise ValueError(f"unknown kind {values.get('kind')!r}")
        if values.get("status_category") not in STATUS_CATEGORIES:
            raise ValueError(f"unknown status_category {values.get('status_category')!r}")
        return cls(**values)


def _expect(name: str, value: Any, kinds: type | tuple[type, ...]) -> None:
    if not isinstance(value, kinds):
        raise TypeError(f"{name} is a {type(value).__name__}")


def _person(person: Person | None) -> dict[str, Any] | None:
    if person is None:
        return None
    return {"id": person.id, "name": person.name, "email": person.email}
