"""Tables of Refinery's own store. Change them only together with a new Alembic migration."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, on SQLite (which keeps no zone) too."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; use an aware one")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, datetime: UTCDateTime()}


class ItemRow(Base):
    """One item, as last synced. `data` holds the whole normalized item (Item.to_dict)."""

    __tablename__ = "items"
    __table_args__ = (
        UniqueConstraint("source", "key", name="uq_items_source_key"),
        Index("ix_items_project", "project"),
        Index("ix_items_rank", "rank"),
        Index("ix_items_judged", "judged", "gone_at"),
        # Covering indexes: reports scan these instead of the rows (which hold the item JSON).
        Index(
            "ix_items_report",
            "status_category",
            "gone_at",
            "project",
            "open_findings",
            "worst",
            "failing",
            "source",
            "key",
            "rank",
            "created",
            "updated",
            "estimate",
            "owner_id",
            "kind",
        ),
        Index(
            "ix_items_uid_report", "source", "key", "status_category", "gone_at", "project", "url"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(String(255))
    project: Mapped[str] = mapped_column(String(255), default="")
    title: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(16), default="story")
    status_category: Mapped[str] = mapped_column(String(16), default="todo")
    rank: Mapped[str | None] = mapped_column(String(255), nullable=True)
    assignee: Mapped[str | None] = mapped_column(String(255), nullable=True)
    estimate: Mapped[float | None] = mapped_column(Float, nullable=True)
    updated: Mapped[datetime | None] = mapped_column(nullable=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    synced_at: Mapped[datetime]
    # Set when the item left its source's query (deleted, moved, closed out of scope).
    gone_at: Mapped[datetime | None] = mapped_column(nullable=True)
    # What reports show without parsing `data` (no e-mail addresses: pages must not show any).
    url: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(255), default="")
    created: Mapped[datetime | None] = mapped_column(nullable=True)
    # Who can fix it: the assignee, else the reporter (id and display name).
    owner_id: Mapped[str | None] = mapped_column(String(255), nullable=True)
    owner_name: Mapped[str | None] = mapped_column(String(255), nullable=True)
    # The stored verdicts: the rules fingerprint they were made under (NULL: not judged since
    # the item last changed) and how many findings are open.
    judged: Mapped[str | None] = mapped_column(String(32), nullable=True)
    open_findings: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # The failing rules as ",rule-a,rule-b," and the worst severity (0 info .. 2 error), so
    # per-rule counts and worst-first lists need no join with the findings table.
    failing: Mapped[str | None] = mapped_column(String(1024), nullable=True)
    worst: Mapped[int | None] = mapped_column(Integer, nullable=True)


class FindingRow(Base):
    """A finding with history: open while resolved_at is NULL; a reopened finding is a new row."""

    __tablename__ = "findings"
    __table_args__ = (
        Index("ix_findings_item_open", "source", "key", "resolved_at"),
        Index("ix_findings_rule", "rule"),
        # Open findings per item and rule without reading the rows (messages, hints, evidence).
        Index("ix_findings_open", "resolved_at", "source", "key", "rule", "severity"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(String(255))
    rule: Mapped[str] = mapped_column(String(64))
    severity: Mapped[str] = mapped_column(String(16))
    message: Mapped[str] = mapped_column(Text)
    hint: Mapped[str] = mapped_column(Text, default="")
    # The quoted span of the item that shows the problem, when the rule found one.
    evidence: Mapped[str | None] = mapped_column(Text, nullable=True)
    first_seen: Mapped[datetime]
    last_seen: Mapped[datetime]
    resolved_at: Mapped[datetime | None] = mapped_column(nullable=True)


class SyncCursor(Base):
    """Where the next incremental sync of one source (a Jira site, a GitHub repo) starts."""

    __tablename__ = "sync_cursors"

    name: Mapped[str] = mapped_column(String(255), primary_key=True)  # "jira:<url>", "github:o/r"
    cursor: Mapped[str | None] = mapped_column(String(255), nullable=True)
    updated_at: Mapped[datetime]
    state: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class KeyValue(Base):
    """Small cached facts: discovered field ids, Slack user lookups, ..."""

    __tablename__ = "kv"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    value: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime]


class RequestRow(Base):
    """A stakeholder request in the intake queue. `version` guards concurrent decisions."""

    __tablename__ = "requests"
    __table_args__ = (Index("ix_requests_status", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    title: Mapped[str] = mapped_column(Text)
    why: Mapped[str] = mapped_column(Text, default="")
    affected: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[str] = mapped_column(Text, default="")
    urgency: Mapped[str] = mapped_column(Text, default="")
    links: Mapped[str] = mapped_column(Text, default="")
    requester: Mapped[str] = mapped_column(String(64), default="")  # Slack user id
    origin: Mapped[str] = mapped_column(String(16), default="slack")  # slack | jira | github
    origin_key: Mapped[str | None] = mapped_column(String(255), nullable=True, unique=True)
    ticket_key: Mapped[str | None] = mapped_column(String(255), nullable=True)
    ticket_url: Mapped[str | None] = mapped_column(Text, nullable=True)
    card_channel: Mapped[str | None] = mapped_column(String(64), nullable=True)
    card_ts: Mapped[str | None] = mapped_column(String(64), nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    extra: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class DecisionRow(Base):
    """Who decided what on a request, when and why. Never edited, only appended."""

    __tablename__ = "decisions"
    __table_args__ = (Index("ix_decisions_request", "request_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(16))  # accept | decline | need_info | duplicate
    actor: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text, default="")
    target: Mapped[str | None] = mapped_column(String(255), nullable=True)  # ticket/dup key
    decided_at: Mapped[datetime]


class CommentLedger(Base):
    """Refinery's own comment on one tracker item: what it last said and when."""

    __tablename__ = "comment_ledger"
    __table_args__ = (UniqueConstraint("source", "key", name="uq_comment_ledger_item"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(String(255))
    comment_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16), default="open")  # open | ready | deleted
    posted_at: Mapped[datetime]
    edited_at: Mapped[datetime | None] = mapped_column(nullable=True)
    pending_since: Mapped[datetime | None] = mapped_column(nullable=True)
    # A write in flight (one replica at a time per item); stale after a few minutes.
    claimed_at: Mapped[datetime | None] = mapped_column(nullable=True)
    # Which process holds the claim: one that died is known at once on its own host.
    claimed_by: Mapped[str | None] = mapped_column(String(255), nullable=True)
    # The item's `updated` before Refinery's writes: the last human activity we know of.
    human_updated: Mapped[datetime | None] = mapped_column(nullable=True)


class WebhookDelivery(Base):
    """The webhook inbox: each accepted delivery, stored before it is answered, worked until
    done. The primary key deduplicates redeliveries (and replayed Slack submissions)."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (Index("ix_webhook_deliveries_status", "status", "received_at"),)

    delivery_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    source: Mapped[str] = mapped_column(String(16))
    received_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16), default="done")  # pending | done | failed
    event_name: Mapped[str] = mapped_column(String(64), default="")  # X-GitHub-Event
    body: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(nullable=True)
    claimed_by: Mapped[str | None] = mapped_column(String(255), nullable=True)
    claimed_until: Mapped[datetime | None] = mapped_column(nullable=True)
    done_at: Mapped[datetime | None] = mapped_column(nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)


class JobRun(Base):
    """The last run of each scheduled job, so a run missed while down can be caught up."""

    __tablename__ = "job_runs"

    job: Mapped[str] = mapped_column(String(128), primary_key=True)
    last_run_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16), default="ok")
    detail: Mapped[str] = mapped_column(Text, default="")


class DigestSnapshot(Base):
    """Backlog health of one team at one digest: what trends and deltas are drawn from."""

    __tablename__ = "digest_snapshots"
    __table_args__ = (Index("ix_digest_snapshots_team", "team", "taken_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team: Mapped[str] = mapped_column(String(128))
    taken_at: Mapped[datetime]
    items: Mapped[int] = mapped_column(Integer)
    ready: Mapped[int] = mapped_column(Integer)
    per_rule: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class SchedulerLease(Base):
    """Which process runs the scheduler on a SQLite store (PostgreSQL uses an advisory lock)."""

    __tablename__ = "scheduler_lease"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(255))
    heartbeat_at: Mapped[datetime]


class OutcomeReview(Base):
    """One done item's outcome follow-up: when to ask whom whether its target moved.

    Every done item gets one row: `output` when it named no target, `baseline` when it was
    done before the follow-up started; otherwise it is `scheduled`, `asked`, then `reviewed`.
    `version` guards answers, so a double click or two people answer once.
    """

    __tablename__ = "outcome_reviews"
    __table_args__ = (
        UniqueConstraint("source", "key", name="uq_outcome_reviews_item"),
        Index("ix_outcome_reviews_due", "status", "due_at"),
        Index("ix_outcome_reviews_team", "team"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(String(255))
    team: Mapped[str] = mapped_column(String(128))
    title: Mapped[str] = mapped_column(Text)
    url: Mapped[str] = mapped_column(Text)
    target: Mapped[str | None] = mapped_column(Text, nullable=True)  # the quoted outcome
    owner: Mapped[str] = mapped_column(String(64))  # Slack user id asked ("" when nobody)
    status: Mapped[str] = mapped_column(String(16))
    answer: Mapped[str | None] = mapped_column(String(16), nullable=True)  # the latest
    asks: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[int] = mapped_column(Integer, default=0)
    done_at: Mapped[datetime]
    due_at: Mapped[datetime | None] = mapped_column(nullable=True)
    channel: Mapped[str | None] = mapped_column(String(64), nullable=True)
    ts: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class OutcomeAnswer(Base):
    """One answer to an outcome review (the history per item). Never edited, only appended."""

    __tablename__ = "outcome_answers"
    __table_args__ = (Index("ix_outcome_answers_review", "review_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    review_id: Mapped[int] = mapped_column(Integer)
    answer: Mapped[str] = mapped_column(String(16))  # moved | not_yet | did_not_move | cant_tell
    observed: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")
    actor: Mapped[str] = mapped_column(String(64))
    answered_at: Mapped[datetime]


class PruneProposal(Base):
    """One item proposed to a team's PO for a say-no decision; `version` guards the click.

    Rows are never deleted: with who decided, when and why, they are the audit log.
    status: proposed -> kept (snoozed until `snooze_until`) | declining -> declined.
    """

    __tablename__ = "prune_proposals"
    __table_args__ = (
        Index("ix_prune_item", "source", "key"),
        Index("ix_prune_status", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch: Mapped[str] = mapped_column(String(64))  # one run's message for one team
    team: Mapped[str] = mapped_column(String(128))
    source: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(String(255))
    title: Mapped[str] = mapped_column(Text, default="")
    url: Mapped[str] = mapped_column(Text, default="")
    why: Mapped[str] = mapped_column(Text, default="")  # why it was proposed
    status: Mapped[str] = mapped_column(String(16), default="proposed")
    version: Mapped[int] = mapped_column(Integer, default=0)
    proposed_at: Mapped[datetime]
    decided_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(nullable=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    snooze_until: Mapped[datetime | None] = mapped_column(nullable=True)
    messages: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # PO -> [channel, ts]


class LeaderEpoch(Base):
    """One row per scheduler election: its id is the leader's epoch, rising across replicas."""

    __tablename__ = "leader_epochs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    holder: Mapped[str] = mapped_column(String(255))
    elected_at: Mapped[datetime]


class JobTick(Base):
    """Which epoch ran one fire time of one job: a second leader finds the tick taken."""

    __tablename__ = "job_ticks"

    job: Mapped[str] = mapped_column(String(128), primary_key=True)
    fire_at: Mapped[datetime] = mapped_column(primary_key=True)
    epoch: Mapped[int] = mapped_column(Integer)
    holder: Mapped[str] = mapped_column(String(255))
    started_at: Mapped[datetime]


class ItemFacet(Base):
    """One label or the status of an item, folded to lower case, for indexed triage lookups.

    Kept by triggers on `items` (migration 0007), so whatever writes an item keeps its facets.
    """

    __tablename__ = "item_facets"
    __table_args__ = (Index("ix_item_facets_item", "item_id"),)

    facet: Mapped[str] = mapped_column(String(16), primary_key=True)  # label | status
    value: Mapped[str] = mapped_column(Text, primary_key=True)
    item_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("items.id", ondelete="CASCADE"), primary_key=True
    )
