"""Which Jira custom fields hold story points, sprint, rank, epic link and outcome on a site."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

STORY_POINTS_TYPE = "com.pyxis.greenhopper.jira:jsw-story-points"
SPRINT_TYPE = "com.pyxis.greenhopper.jira:gh-sprint"
RANK_TYPE = "com.pyxis.greenhopper.jira:gh-lexo-rank"
EPIC_LINK_TYPE = "com.pyxis.greenhopper.jira:gh-epic-link"
STORY_POINTS_NAMES = ("story points", "story point estimate")

# The system fields Refinery reads; custom fields from the FieldMap are added to these.
BASE_FIELDS = (
    "summary",
    "issuetype",
    "status",
    "description",
    "labels",
    "assignee",
    "reporter",
    "created",
    "updated",
    "parent",
    "issuelinks",
    "project",
    "priority",
    "resolution",
    "components",
    "fixVersions",
    "duedate",
    "timeoriginalestimate",
)


@dataclass(frozen=True, slots=True)
class FieldMap:
    """Custom field ids of one site; `story_points` lists candidates, the first set value wins."""

    story_points: tuple[str, ...] = ()
    sprint: str | None = None
    rank: str | None = None
    epic_link: str | None = None
    outcome: str | None = None
    # jira.fields: (name, field id) pairs read into Item.fields[name] for the rules.
    extra: tuple[tuple[str, str], ...] = ()
    # Story-point candidates seen with their names, kept for a clear "which one?" warning.
    candidates: dict[str, str] = field(default_factory=dict)

    @property
    def ambiguous(self) -> bool:
        """More than one story-point field is in play (the first non-empty one is used)."""
        return len(self.story_points) > 1

    def request_fields(self) -> list[str]:
        """The `fields` parameter for a search: Refinery's system fields plus the mapped ones."""
        extra = [*self.story_points, self.sprint, self.rank, self.epic_link, self.outcome]
        extra += [field_id for _, field_id in self.extra]
        return [*BASE_FIELDS, *dict.fromkeys(f for f in extra if f)]

    def to_dict(self) -> dict[str, Any]:
        return {
            "story_points": list(self.story_points),
            "sprint": self.sprint,
            "rank": self.rank,
            "epic_link": self.epic_link,
            "outcome": self.outcome,
            "extra": [list(pair) for pair in self.extra],
            "candidates": dict(self.candidates),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FieldMap:
        return cls(
            story_points=tuple(data.get("story_points") or ()),
            sprint=data.get("sprint"),
            rank=data.get("rank"),
            epic_link=data.get("epic_link"),
            outcome=data.get("outcome"),
            extra=tuple((str(n), str(f)) for n, f in data.get("extra") or ()),
            candidates=dict(data.get("candidates") or {}),
        )

    def configured(
        self,
        estimate_field: str | None,
        outcome_field: str | None,
        names: Mapping[str, str] | None = None,
        extra: Mapping[str, str] | None = None,
    ) -> FieldMap:
        """Apply jira.estimate_field / jira.outcome_field / jira.fields (ids, or names found
        in `names`)."""
        result = self
        if extra:
            pairs = tuple((name.lower(), _resolve(wanted, names)) for name, wanted in extra.items())
            result = replace(result, extra=pairs)
        if estimate_field:
            result = replace(result, story_points=(_resolve(estimate_field, names),))
        if outcome_field:
            result = replace(result, outcome=_resolve(outcome_field, names))
        return result


def _resolve(wanted: str, names: Mapping[str, str] | None) -> str:
    """Return the field id for an id or a (case-insensitive) field name."""
    if names and wanted not in names:
        for field_id, name in names.items():
            if name.strip().lower() == wanted.strip().lower():
                return field_id
    return wanted


def from_names(names: Mapping[str, str]) -> FieldMap:
    """Build a map from a search response's `names` (expand=names): id -> display name."""
    points: dict[str, str] = {}
    sprint = rank = epic = None
    for field_id, name in names.items():
        lowered = str(name).strip().lower()
        if lowered in STORY_POINTS_NAMES:
            points[field_id] = str(name)
        elif lowered == "sprint":
            sprint = field_id
        elif lowered == "rank":
            rank = field_id
        elif lowered == "epic link":
            epic = field_id
    return FieldMap(_order_points(points, set()), sprint, rank, epic, candidates=points)


def from_field_list(fields: Iterable[Mapping[str, Any]]) -> FieldMap:
    """Build a map from GET /rest/api/3/field (or /rest/api/2/field on Data Center)."""
    points: dict[str, str] = {}
    typed: set[str] = set()
    sprint = rank = epic = None
    for entry in fields:
        field_id = str(entry.get("id", ""))
        name = str(entry.get("name", ""))
        custom = (entry.get("schema") or {}).get("custom", "")
        if custom == STORY_POINTS_TYPE:
            points[field_id] = name
            typed.add(field_id)
        elif name.strip().lower() in STORY_POINTS_NAMES:
            points[field_id] = name
        elif custom == SPRINT_TYPE:
            sprint = field_id
        elif custom == RANK_TYPE:
            rank = field_id
        elif custom == EPIC_LINK_TYPE:
            epic = field_id
    return FieldMap(_order_points(points, typed), sprint, rank, epic, candidates=points)


def names_of(fields: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """Field id -> name, from a GET /field answer (to resolve configured field names)."""
    return {str(entry.get("id", "")): str(entry.get("name", "")) for entry in fields}


def _order_points(points: Mapping[str, str], typed: set[str]) -> tuple[str, ...]:
    # Jira Software's own estimate type first, then "Story Points" fields, by id for stability.
    return tuple(sorted(points, key=lambda fid: (fid not in typed, points[fid].lower(), fid)))


def ambiguity_warning(fields: FieldMap, site: str) -> str | None:
    """One clear sentence when a site has several story-point fields and none is configured."""
    if not fields.ambiguous:
        return None
    listed = ", ".join(f"{fid} ({fields.candidates.get(fid, '?')})" for fid in fields.story_points)
    return (
        f"{site} has {len(fields.story_points)} story-point fields: {listed}. Refinery reads "
        "the first one that is set on each issue; set jira.estimate_field to pick one."
    )
