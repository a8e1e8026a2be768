"""Backlog readiness from stored verdicts, with SQL aggregations (no item is evaluated here).

Every report counts live items (not gone) in the given status categories; an item is ready
when it has no open finding. Scopes name a source and/or projects (Jira keys, GitHub repos).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, exists, func, select
from sqlalchemy.orm import aliased

from bot.store.models import CommentLedger, FindingRow, ItemRow
from bot.store.store import Store
from connectors.item import Person

OPEN = ("todo", "in_progress")


@dataclass(frozen=True, slots=True)
class Scope:
    """Which items a report covers. None: any."""

    source: str | None = None
    projects: tuple[str, ...] | None = None
    statuses: tuple[str, ...] = OPEN
    # Narrowing filters (the web team page): findings of one rule, one owner id, one kind.
    rule: str | None = None
    owner: str | None = None
    kind: str | None = None


@dataclass(frozen=True, slots=True)
class StoredFinding:
    rule: str
    severity: str
    message: str
    hint: str
    evidence: str | None
    first_seen: datetime
    resolved_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Card:
    """An item as reports show it, read from the item's columns (its JSON is not parsed)."""

    source: str
    key: str
    title: str
    url: str
    project: str
    kind: str
    status: str
    status_category: str
    rank: str | None
    estimate: float | None
    created: datetime | None
    updated: datetime | None
    owner: Person | None  # who can fix it: the assignee, else the reporter (no e-mail)
    findings: tuple[StoredFinding, ...] = ()

    @property
    def uid(self) -> str:
        return f"{self.source}:{self.key}"


@dataclass(frozen=True)
class Totals:
    items: int
    ready: int
    per_rule: dict[str, int] = field(default_factory=dict)
    points: float = 0.0  # story points of the items counted
    unestimated: int = 0

    @property
    def unready(self) -> int:
        return self.items - self.ready

    @property
    def ready_pct(self) -> float:
        return 100.0 * self.ready / self.items if self.items else 100.0


def _where(scope: Scope) -> list[Any]:
    clauses: list[Any] = [ItemRow.gone_at.is_(None), ItemRow.status_category.in_(scope.statuses)]
    if scope.source:
        clauses.append(ItemRow.source == scope.source)
    if scope.projects is not None:
        clauses.append(ItemRow.project.in_(list(scope.projects)))
    if scope.owner:
        clauses.append(ItemRow.owner_id == scope.owner)
    if scope.kind:
        clauses.append(ItemRow.kind == scope.kind)
    return clauses


_JOIN = and_(
    FindingRow.source == ItemRow.source,
    FindingRow.key == ItemRow.key,
    FindingRow.resolved_at.is_(None),
)


def _open_rules(session: Any) -> list[str]:
    """Rules with an open finding anywhere (an index-only scan)."""
    query = select(FindingRow.rule).where(FindingRow.resolved_at.is_(None)).distinct()
    return sorted(str(rule) for rule in session.scalars(query))


def _fails(rule: str) -> Any:
    return ItemRow.failing.contains(f",{rule},", autoescape=True)


def _total_columns(rules: Sequence[str]) -> list[Any]:
    unready = func.coalesce(ItemRow.open_findings, 0) > 0
    return [
        func.count(),
        func.sum(case((unready, 0), else_=1)),
        func.sum(ItemRow.estimate),
        func.sum(case((ItemRow.estimate.is_(None), 1), else_=0)),
        *(func.sum(case((_fails(rule), 1), else_=0)) for rule in rules),
    ]


def _totals(values: Sequence[Any], rules: Sequence[str]) -> Totals:
    items, ready, points, unestimated, *counts = values
    per_rule = {rule: int(n) for rule, n in zip(rules, counts, strict=True) if n}
    return Totals(
        int(items or 0), int(ready or 0), per_rule, float(points or 0), int(unestimated or 0)
    )


def totals(store: Store, scope: Scope) -> Totals:
    """Items, ready items, open findings per rule, points and unestimated items in `scope`:
    one scan of the report index (the failing rules are on the item row)."""
    with store.session() as session:
        rules = _open_rules(session)
        row = session.execute(select(*_total_columns(rules)).where(*_where(scope))).one()
    return _totals(row, rules)


def totals_by_project(store: Store, scope: Scope) -> dict[str, Totals]:
    """`totals` for every project at once (the overview combines them per team)."""
    with store.session() as session:
        rules = _open_rules(session)
        query = (
            select(ItemRow.project, *_total_columns(rules))
            .where(*_where(scope))
            .group_by(ItemRow.project)
        )
        return {row[0]: _totals(row[1:], rules) for row in session.execute(query)}


def combine(parts: Sequence[Totals]) -> Totals:
    per_rule: dict[str, int] = {}
    for part in parts:
        for rule, n in part.per_rule.items():
            per_rule[rule] = per_rule.get(rule, 0) + n
    return Totals(
        sum(p.items for p in parts),
        sum(p.ready for p in parts),
        per_rule,
        sum(p.points for p in parts),
        sum(p.unestimated for p in parts),
    )


def _unready_clauses(scope: Scope) -> list[Any]:
    clauses = [*_where(scope), func.coalesce(ItemRow.open_findings, 0) > 0]
    if scope.rule:
        clauses.append(_fails(scope.rule))
    return clauses


def unready(
    store: Store, scope: Scope, *, order: str = "rank", limit: int | None = None
) -> list[Card]:
    """Unready items in `scope` with their open findings.

    order: "rank" (backlog order), "worst" (highest severity, then most findings, then rank)
    or "oldest" (created first). With `scope.rule`, only items with that rule's finding.
    The order is chosen on the report index; only the chosen rows are read."""
    clauses = _unready_clauses(scope)
    rank_last = (ItemRow.rank.is_(None), ItemRow.rank, ItemRow.key)
    orders: dict[str, tuple[Any, ...]] = {
        "rank": rank_last,
        "worst": (ItemRow.worst.desc(), ItemRow.open_findings.desc(), *rank_last),
        "oldest": (ItemRow.created.is_(None), ItemRow.created, ItemRow.key),
    }
    with store.session() as session:
        if limit is None:  # everything in scope: one pass, findings in one joined query
            query = select(*_CARD_COLUMNS).where(*clauses).order_by(*orders[order])
            rows = list(session.execute(query))
            found = _scope_findings(session, clauses)
        else:
            ids = list(
                session.scalars(
                    select(ItemRow.id).where(*clauses).order_by(*orders[order]).limit(limit)
                )
            )
            by_id = {
                row.id: row
                for row in session.execute(select(*_CARD_COLUMNS).where(ItemRow.id.in_(ids)))
            }
            rows = [by_id[row_id] for row_id in ids if row_id in by_id]
            found = _findings(session, [(row.source, row.key) for row in rows])
    return [_card(row, found.get((row.source, row.key), ())) for row in rows]


def card(store: Store, source: str, key: str, *, history: bool = False) -> Card | None:
    """One item's card with its open findings (with `history`, resolved ones too)."""
    query = select(*_CARD_COLUMNS).where(ItemRow.source == source, ItemRow.key == key)
    with store.session() as session:
        row = session.execute(query).first()
        if row is None:
            return None
        found = _findings(session, [(source, key)], history=history)
    return _card(row, found.get((source, key), ()))


_CARD_COLUMNS = (
    ItemRow.id,
    ItemRow.source,
    ItemRow.key,
    ItemRow.title,
    ItemRow.url,
    ItemRow.project,
    ItemRow.kind,
    ItemRow.status,
    ItemRow.status_category,
    ItemRow.rank,
    ItemRow.estimate,
    ItemRow.created,
    ItemRow.updated,
    ItemRow.owner_id,
    ItemRow.owner_name,
)


_OWNER = (ItemRow.owner_id, ItemRow.owner_name)

_FINDING_COLUMNS = (
    FindingRow.rule,
    FindingRow.severity,
    FindingRow.message,
    FindingRow.hint,
    FindingRow.evidence,
    FindingRow.first_seen,
    FindingRow.resolved_at,
)


def _scope_findings(
    session: Any, clauses: list[Any]
) -> dict[tuple[str, str], tuple[StoredFinding, ...]]:
    query = (
        select(FindingRow.source, FindingRow.key, *_FINDING_COLUMNS)
        .join(ItemRow, _JOIN)
        .where(*clauses)
        .order_by(FindingRow.id)
    )
    found: dict[tuple[str, str], list[StoredFinding]] = {}
    for source, key, *values in session.execute(query):
        found.setdefault((source, key), []).append(StoredFinding(*values))
    return {uid: tuple(items) for uid, items in found.items()}


def _findings(
    session: Any, uids: list[tuple[str, str]], *, history: bool = False
) -> dict[tuple[str, str], tuple[StoredFinding, ...]]:
    by_source: dict[str, list[str]] = {}
    for source, key in uids:
        by_source.setdefault(source, []).append(key)
    found: dict[tuple[str, str], list[StoredFinding]] = {}
    for source, keys in by_source.items():
        for start in range(0, len(keys), 500):
            query = select(
                FindingRow.key,
                FindingRow.rule,
                FindingRow.severity,
                FindingRow.message,
                FindingRow.hint,
                FindingRow.evidence,
                FindingRow.first_seen,
                FindingRow.resolved_at,
            ).where(FindingRow.source == source, FindingRow.key.in_(keys[start : start + 500]))
            if not history:
                query = query.where(FindingRow.resolved_at.is_(None))
            for key, *values in session.execute(query.order_by(FindingRow.id)):
                found.setdefault((source, key), []).append(StoredFinding(*values))
    return {uid: tuple(items) for uid, items in found.items()}


def _card(row: Any, findings: Sequence[StoredFinding]) -> Card:
    return Card(
        source=row.source,
        key=row.key,
        title=row.title,
        url=row.url or "",
        project=row.project,
        kind=row.kind,
        status=row.status or "",
        status_category=row.status_category,
        rank=row.rank,
        estimate=row.estimate,
        created=row.created,
        updated=row.updated,
        owner=Person(row.owner_id, row.owner_name or "") if row.owner_id else None,
        findings=tuple(findings),
    )


@dataclass(frozen=True, slots=True)
class Quiet:
    """An item that may have had no human update since a cutoff (see `quiet_candidates`)."""

    key: str
    title: str
    url: str
    owner: Person | None
    updated: datetime | None
    created: datetime | None
    ledger: dict[str, Any] | None  # Refinery's comment times on it, when it commented


def quiet_candidates(
    store: Store, scope: Scope, cutoff: datetime, limit: int
) -> tuple[list[Quiet], int, list[Quiet]]:
    """Items in `scope` that may not have had a human update since `cutoff`.

    Returns the `limit` quietest items Refinery never commented on (decided in SQL: last update,
    else creation, before the cutoff), how many such items there are, and every item Refinery
    commented on (its `updated` may be Refinery's own write), with the ledger's times for the
    caller to decide."""
    last = func.coalesce(ItemRow.updated, ItemRow.created)
    ledger_join = and_(CommentLedger.source == ItemRow.source, CommentLedger.key == ItemRow.key)
    # Index-only: which items, and how many; then read just the rows listed.
    plain = (
        select(ItemRow.id, last)
        .outerjoin(CommentLedger, ledger_join)
        .where(*_where(scope), CommentLedger.id.is_(None), last <= cutoff)
    )
    plain_count = select(func.count()).select_from(plain.subquery())
    plain = plain.order_by(last, ItemRow.key).limit(limit)
    commented = (
        select(
            ItemRow.key,
            ItemRow.title,
            ItemRow.url,
            ItemRow.owner_id,
            ItemRow.owner_name,
            ItemRow.updated,
            ItemRow.created,
            CommentLedger.posted_at,
            CommentLedger.edited_at,
            CommentLedger.human_updated,
        )
        .join(CommentLedger, ledger_join)
        .where(*_where(scope))
    )
    quietest: list[Quiet] = []
    found: list[Quiet] = []
    with store.session() as session:
        chosen = list(session.execute(plain))
        columns = (ItemRow.id, ItemRow.key, ItemRow.title, ItemRow.url, *_OWNER)
        listed = [row_id for row_id, _ in chosen]
        rows = {
            row.id: row for row in session.execute(select(*columns).where(ItemRow.id.in_(listed)))
        }
        for row_id, when in chosen:
            item = rows[row_id]
            owner = Person(item.owner_id, item.owner_name or "") if item.owner_id else None
            quietest.append(Quiet(item.key, item.title, item.url or "", owner, when, None, None))
        count = session.scalar(plain_count) or 0
        for row in session.execute(commented):
            owner = Person(row.owner_id, row.owner_name or "") if row.owner_id else None
            times = {
                "posted_at": row.posted_at,
                "edited_at": row.edited_at,
                "human_updated": row.human_updated,
            }
            found.append(
                Quiet(row.key, row.title, row.url or "", owner, row.updated, row.created, times)
            )
    return quietest, count, found


def finding_rows(store: Store, scope: Scope) -> list[tuple[Any, ...]]:
    """Every open finding in `scope` as (source, key, rule, severity, message, hint,
    evidence, url),
    by item key and rule: the rows of `refinery check --format json`, without building items."""
    query = (
        select(
            ItemRow.source,
            ItemRow.key,
            FindingRow.rule,
            FindingRow.severity,
            FindingRow.message,
            FindingRow.hint,
            FindingRow.evidence,
            ItemRow.url,
        )
        .join(FindingRow, _JOIN)
        .where(*_where(scope))
        # The open-findings index's own order: no sort of tens of thousands of rows.
        .order_by(FindingRow.source, FindingRow.key, FindingRow.rule)
    )
    with store.engine.connect() as connection:  # Core, not the ORM: tens of thousands of rows
        return [tuple(row) for row in connection.execute(query)]


def count_unready(store: Store, scope: Scope) -> int:
    """How many items `unready` would list without a limit."""
    clauses = _unready_clauses(scope)
    with store.session() as session:
        return session.scalar(select(func.count()).select_from(ItemRow).where(*clauses)) or 0


def owners(store: Store, scope: Scope) -> list[tuple[str, str, int]]:
    """(owner id, name, unready items) of the unready items in `scope`, most items first."""
    query = (
        select(ItemRow.owner_id, func.max(ItemRow.owner_name), func.count())
        .where(*_where(scope), func.coalesce(ItemRow.open_findings, 0) > 0)
        .where(ItemRow.owner_id.is_not(None))
        .group_by(ItemRow.owner_id)
    )
    with store.session() as session:
        found = [(str(o), str(n or o), int(c)) for o, n, c in session.execute(query)]
    return sorted(found, key=lambda entry: (-entry[2], entry[1]))


def became_ready(store: Store, scope: Scope, since: datetime, limit: int = 50) -> list[Card]:
    """Items in `scope` that are ready now and had a finding resolved after `since`."""
    fixed = aliased(FindingRow)
    query = (
        select(*_CARD_COLUMNS)
        .where(*_where(scope), func.coalesce(ItemRow.open_findings, 0) == 0)
        .where(
            exists().where(
                fixed.source == ItemRow.source,
                fixed.key == ItemRow.key,
                fixed.resolved_at > since,
            )
        )
        .order_by(ItemRow.rank.is_(None), ItemRow.rank, ItemRow.key)
        .limit(limit)
    )
    with store.session() as session:
        return [_card(row, ()) for row in session.execute(query)]
