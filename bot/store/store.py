"""Store access: items, finding history, sync cursors and small cached facts."""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import orjson
from sqlalchemy import Engine, Table, create_engine, event, insert, inspect, select, text, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from bot.store.cas import changed
from bot.store.errors import StoreError, describe, normalize_url
from bot.store.models import FindingRow, ItemRow, KeyValue, SyncCursor
from connectors.item import Item
from rules.engine import Finding

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
CHUNK = 500  # keys per IN (...) query: well under SQLite's bound-parameter limit


def utcnow() -> datetime:
    return datetime.now(UTC)


def content_hash(item: Item, data: dict[str, Any] | None = None) -> str:
    """A stable digest of the normalized item, so re-importing it unchanged writes nothing."""
    data = item.to_dict() if data is None else data
    return hashlib.sha256(_canonical(data)).hexdigest()


def _canonical(data: dict[str, Any]) -> bytes:
    """The JSON the content hash is taken of (sorted keys)."""
    return orjson.dumps(data, default=str, option=_SORTED)


class _Encoded(str):
    """JSON text made already (the content hash's), written to a JSON column as it is."""


# orjson: a quarter of json's time per item.
_SORTED = orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS


def dump_json(value: Any) -> str:
    """The JSON columns' serializer (both databases): orjson, several times json's speed.

    A document with non-ASCII text is written by json instead, ASCII-escaped as every stored
    row so far is. Nothing reads the column as text any more (triage reads `item_facets`),
    so this could go; a test still pins the escaping."""
    if type(value) is _Encoded:
        return value
    try:
        text = orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()
    except (TypeError, orjson.JSONEncodeError):
        return json.dumps(value)  # what orjson refuses (integers past 64 bits): json, as before
    return text if _as_json_writes(text) else json.dumps(value)


def _as_json_writes(text: str) -> bool:
    """Whether orjson's text is what json writes too (json escapes non-ASCII and DEL)."""
    return text.isascii() and "\x7f" not in text


def load_json(text: str | bytes) -> Any:
    """The JSON columns' deserializer: orjson, and json for what json once wrote that orjson
    refuses (NaN, Infinity), so every stored row stays readable. (orjson reads an integer
    past 64 bits as a float; tracker payloads hold none.)"""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


@dataclass(frozen=True)
class Verdict:
    """What the judge found for one item, stored with its row (bot.services.judge makes it):
    the findings and the row's columns that sum them up."""

    findings: Sequence[Finding]
    judged: str  # the rules fingerprint
    open_findings: int
    failing: str | None  # ",rule-a,rule-b,"
    worst: int | None  # the worst severity's rank

    @property
    def columns(self) -> dict[str, Any]:
        return {
            "judged": self.judged,
            "open_findings": self.open_findings,
            "failing": self.failing,
            "worst": self.worst,
        }

    def row(self) -> tuple[Any, ...]:
        return (self.judged, self.open_findings, self.failing, self.worst)


@dataclass
class UpsertResult:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    stale: int = 0  # older (by the source's `updated`) than the stored copy: left alone
    # Content hash of each item stored (inserted, updated or unchanged), by (source, key), so
    # the judge that follows need not compute them again.
    hashes: dict[tuple[str, str], str] = field(default_factory=dict)

    def __iadd__(self, other: UpsertResult) -> UpsertResult:
        self.inserted += other.inserted
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.stale += other.stale
        self.hashes.update(other.hashes)
        return self

    def hashes_of(self, items: Iterable[Item]) -> list[str] | None:
        """The stored content hashes of `items` in their order; None if any was not stored."""
        found: list[str] = []
        for item in items:
            digest = self.hashes.get((item.source, item.key))
            if digest is None:
                return None
            found.append(digest)
        return found


@dataclass(frozen=True, slots=True)
class OpenFinding:
    """One open finding as stored: a rule's verdict on an item, and since when."""

    source: str
    key: str
    rule: str
    severity: str
    message: str
    hint: str
    evidence: str | None
    first_seen: datetime
    last_seen: datetime


def make_engine(url: str, lock_timeout: float = 30.0) -> Engine:
    """Create an engine. SQLite gets WAL so the server's threads can share it; on both
    databases a write waits at most `lock_timeout` seconds for another process's lock."""
    url = normalize_url(url)
    codec: dict[str, Any] = {"json_serializer": dump_json, "json_deserializer": load_json}
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"timeout": lock_timeout, "check_same_thread": False}, **codec
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            # Checkpoint every ~40 MB of WAL rather than 4 MB: a sync rewrites the same index
            # pages page after page, and each checkpoint copies them (and syncs the file)
            # again; 10x fewer took a sixth off a judged sync page's CPU (bench/sync_cpu.py).
            cursor.execute("PRAGMA wal_autocheckpoint=10000")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return engine
    engine = create_engine(url, pool_pre_ping=True, **codec)
    if engine.dialect.name == "postgresql":

        @event.listens_for(engine, "connect")
        def _pg_lock_timeout(dbapi_connection: Any, _record: Any) -> None:
            # Without it a stuck lock blocks a request forever; with it the error is clear.
            with dbapi_connection.cursor() as cursor:
                cursor.execute(f"SET lock_timeout = {int(lock_timeout * 1000)}")
            dbapi_connection.commit()

    return engine


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest migration (runs on every start; a no-op when current).

    A current schema is told by one query: Alembic (a fifth of a short command's start-up) is
    imported only when there is a migration to run."""
    if schema_revision(engine) == head_revision():
        return
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def head_revision() -> str:
    """The newest migration's revision: each file under versions/ is named after its revision
    ("0007_item_facets.py" is "0007"; a test holds the files to that)."""
    names = sorted(path.name for path in (MIGRATIONS / "versions").glob("[0-9]*_*.py"))
    return names[-1].split("_", 1)[0]


def schema_revision(engine: Engine) -> str | None:
    """The store's migration revision; None for a new store (or one Alembic never stamped).
    A store that cannot be reached raises here, once, for `open_store` to describe."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        versions = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    return str(versions[0][0]) if len(versions) == 1 else None


def open_store(url: str, lock_timeout: float = 30.0) -> Store:
    """Open (creating and migrating as needed) the store at `url`; raise StoreError, in one
    line a person can act on, when the URL, the file or the server is not usable."""
    try:
        engine = make_engine(url, lock_timeout)
    except (SQLAlchemyError, ValueError) as exc:
        raise StoreError(describe(exc, url) or str(exc)) from exc
    try:
        upgrade(engine)
    except (SQLAlchemyError, OSError) as exc:
        engine.dispose()
        message = describe(exc, url)
        if message is None:
            raise
        raise StoreError(message) from exc
    return Store(engine)


class Store:
    """Typed access to the store. Services use these methods; connectors never touch SQL."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.sessions = sessionmaker(engine, expire_on_commit=False)
        # One re-evaluation of stale verdicts at a time in this process (bot.services.judge).
        self.judge_lock = threading.RLock()

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session in one transaction: committed on success, rolled back on any error."""
        with self.sessions.begin() as session:
            yield session

    def close(self) -> None:
        self.engine.dispose()

    # -- items -------------------------------------------------------------------------------

    def upsert_items(
        self,
        items: Iterable[Item],
        now: datetime | None = None,
        *,
        verdicts: Mapping[tuple[str, str], Verdict] | None = None,
        cursor: tuple[str, str] | None = None,
    ) -> UpsertResult:
        """Insert new items, update changed ones, leave identical ones alone; one transaction.

        With `verdicts` (one per item, by (source, key): what the judge found) each row is
        written with its verdict columns and its finding history in the same transaction, so
        a judged page costs one write of each row instead of two. With `cursor` (stream name,
        value) the stream's cursor moves in that transaction too: with the items, never before.
        """
        now = now or utcnow()
        result = UpsertResult()
        by_uid: dict[tuple[str, str], Item] = {(i.source, i.key): i for i in items}
        findings: dict[tuple[str, str], list[Finding]] = {}
        with self.session() as session:
            for chunk in _chunks(list(by_uid), CHUNK):
                existing = _stored_hashes(session, chunk)
                new: list[dict[str, Any]] = []
                changed: list[dict[str, Any]] = []
                marks: list[dict[str, Any]] = []  # unchanged rows whose verdict columns differ
                for uid in chunk:
                    item = by_uid[uid]
                    values = _row_values(item, now)
                    verdict = verdicts[uid] if verdicts is not None else None
                    if verdict is not None:
                        values.update(verdict.columns)
                    stored = existing.get(uid)
                    if stored is None:
                        new.append(values)
                    elif _older(item.updated, stored.updated):
                        result.stale += 1  # a page or event that lost a race to a newer copy
                        continue
                    elif stored.content_hash != values["content_hash"] or stored.gone:
                        changed.append({"id": stored.id, **values})
                    else:
                        result.unchanged += 1
                        if verdict is not None and stored.verdict != verdict.row():
                            marks.append({"id": stored.id, **verdict.columns})
                    result.hashes[uid] = values["content_hash"]
                    if verdict is not None:
                        findings[uid] = list(verdict.findings)
                # A Core insert, one executemany: the ORM's bulk insert splits a batch
                # wherever a row's None values differ, a dozen statements for a page of 100.
                if new:
                    session.execute(insert(_ITEMS), new)
                if changed:
                    session.execute(update(ItemRow), changed)  # bulk update by primary key
                if marks:
                    session.execute(update(ItemRow), marks)
                result.inserted += len(new)
                result.updated += len(changed)
            if findings:
                self._record_findings(session, findings, now)
            if cursor is not None:
                _put_cursor(session, cursor[0], cursor[1], None)
        return result

    def items(
        self,
        source: str | None = None,
        projects: Sequence[str] | None = None,
        include_gone: bool = False,
    ) -> Iterator[Item]:
        """Yield stored items (streamed in batches, so 100,000 items stay cheap)."""
        query = select(ItemRow.data).order_by(ItemRow.id)
        if source:
            query = query.where(ItemRow.source == source)
        if projects:
            query = query.where(ItemRow.project.in_(list(projects)))
        if not include_gone:
            query = query.where(ItemRow.gone_at.is_(None))
        with self.engine.connect() as connection:
            result = connection.execution_options(yield_per=2000).execute(query)
            for (data,) in result:
                yield Item.from_dict(data)

    def get_item(self, source: str, key: str) -> Item | None:
        with self.session() as session:
            data = session.scalar(
                select(ItemRow.data).where(ItemRow.source == source, ItemRow.key == key)
            )
        return Item.from_dict(data) if data is not None else None

    def find_item(self, key: str) -> Item | None:
        """Find an item by key in any source (keys do not collide across Jira and GitHub)."""
        with self.session() as session:
            data = session.scalar(select(ItemRow.data).where(ItemRow.key == key).limit(1))
        return Item.from_dict(data) if data is not None else None

    def keys(self, source: str, project: str | None = None) -> set[str]:
        """Keys of the items of a source that are not gone."""
        query = select(ItemRow.key).where(ItemRow.source == source, ItemRow.gone_at.is_(None))
        if project is not None:
            query = query.where(ItemRow.project == project)
        with self.session() as session:
            return set(session.scalars(query))

    def mark_gone(self, source: str, keys: Iterable[str], now: datetime | None = None) -> int:
        """Mark items that left their source's query; they stay in history, out of reports."""
        now = now or utcnow()
        count = 0
        with self.session() as session:
            for chunk in _chunks(list(keys), CHUNK):
                count += changed(
                    session,
                    update(ItemRow)
                    .where(ItemRow.source == source, ItemRow.key.in_(chunk))
                    .where(ItemRow.gone_at.is_(None))
                    .values(gone_at=now),
                )
        return count

    def count_items(self) -> int:
        from sqlalchemy import func

        with self.session() as session:
            return (
                session.scalar(
                    select(func.count()).select_from(ItemRow).where(ItemRow.gone_at.is_(None))
                )
                or 0
            )

    # -- findings ----------------------------------------------------------------------------

    def record_findings(
        self,
        results: Iterable[tuple[str, str, Sequence[Finding]]],
        now: datetime | None = None,
        session: Session | None = None,
    ) -> None:
        """Update finding history for evaluated (source, key, findings): open new, touch kept,
        resolve fixed. Set-based (a few statements per 500 items), so 100,000 items stay fast."""
        now = now or utcnow()
        pending = {(source, key): list(found) for source, key, found in results}
        if session is None:
            with self.session() as session:
                self._record_findings(session, pending, now)
        else:
            self._record_findings(session, pending, now)

    def _record_findings(
        self,
        session: Session,
        pending: dict[tuple[str, str], list[Finding]],
        now: datetime,
    ) -> None:
        for chunk in _chunks(list(pending), CHUNK):
            current: dict[tuple[str, str], dict[str, Any]] = {}
            for row in _open_findings(session, chunk):
                current.setdefault((row.source, row.key), {})[row.rule] = row
            new: list[dict[str, Any]] = []
            touched: list[int] = []
            resolved: list[int] = []
            for uid in chunk:
                kept = current.get(uid, {})
                for finding in pending[uid]:
                    row = kept.pop(finding.rule, None)
                    if row is None:
                        new.append(_finding_values(uid, finding, now))
                    elif (row.severity, row.message, row.hint, row.evidence) == (
                        finding.severity,
                        finding.message,
                        finding.hint,
                        _evidence(finding),
                    ):
                        touched.append(row.id)
                    else:
                        session.execute(
                            update(FindingRow)
                            .where(FindingRow.id == row.id)
                            .values(
                                last_seen=now,
                                severity=finding.severity,
                                message=finding.message,
                                hint=finding.hint,
                                evidence=_evidence(finding),
                            )
                        )
                resolved.extend(row.id for row in kept.values())
            if new:
                session.execute(insert(FindingRow), new)
            if touched:
                session.execute(
                    update(FindingRow).where(FindingRow.id.in_(touched)).values(last_seen=now)
                )
            if resolved:
                session.execute(
                    update(FindingRow).where(FindingRow.id.in_(resolved)).values(resolved_at=now)
                )

    def open_findings(self, source: str | None = None) -> dict[str, list[OpenFinding]]:
        """Open findings keyed by item uid ("jira:PAY-1"), oldest first."""
        query = select(FindingRow).where(FindingRow.resolved_at.is_(None))
        if source:
            query = query.where(FindingRow.source == source)
        grouped: dict[str, list[OpenFinding]] = {}
        with self.session() as session:
            for row in session.scalars(query.order_by(FindingRow.id)):
                grouped.setdefault(f"{row.source}:{row.key}", []).append(
                    OpenFinding(
                        row.source,
                        row.key,
                        row.rule,
                        row.severity,
                        row.message,
                        row.hint,
                        row.evidence,
                        row.first_seen,
                        row.last_seen,
                    )
                )
        return grouped

    # -- cursors and cached facts -------------------------------------------------------------

    def get_cursor(self, name: str) -> tuple[str | None, dict[str, Any]]:
        with self.session() as session:
            row = session.get(SyncCursor, name)
            return (row.cursor, dict(row.state or {})) if row else (None, {})

    def set_cursor(
        self, name: str, cursor: str | None, state: dict[str, Any] | None = None
    ) -> None:
        with self.session() as session:
            _put_cursor(session, name, cursor, state)

    def get_kv(self, key: str) -> dict[str, Any] | None:
        with self.session() as session:
            row = session.get(KeyValue, key)
            return dict(row.value) if row else None

    def set_kv(self, key: str, value: dict[str, Any]) -> None:
        for attempt in (1, 2):
            try:
                with self.session() as session:
                    row = session.get(KeyValue, key)
                    if row is None:
                        session.add(KeyValue(key=key, value=value, updated_at=utcnow()))
                    else:
                        row.value = value
                        row.updated_at = utcnow()
                return
            except IntegrityError:
                if attempt == 2:
                    raise  # two threads inserted the same key at once: the second updates


def _put_cursor(
    session: Session, name: str, cursor: str | None, state: dict[str, Any] | None
) -> None:
    row = session.get(SyncCursor, name)
    if row is None:
        session.add(SyncCursor(name=name, cursor=cursor, updated_at=utcnow(), state=state or {}))
    else:
        row.cursor = cursor
        row.updated_at = utcnow()
        if state is not None:
            row.state = state


def _chunks(values: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _older(new: datetime | None, stored: datetime | None) -> bool:
    return new is not None and stored is not None and new < stored


@dataclass(frozen=True)
class _Stored:
    id: int
    content_hash: str
    gone: bool
    updated: datetime | None
    verdict: tuple[Any, ...]  # (judged, open_findings, failing, worst), as Verdict.row()


def _stored_hashes(session: Session, uids: list[tuple[str, str]]) -> dict[tuple[str, str], _Stored]:
    """What the upsert compares of the stored items among `uids`."""
    by_source: dict[str, list[str]] = {}
    for source, key in uids:
        by_source.setdefault(source, []).append(key)
    found: dict[tuple[str, str], _Stored] = {}
    for source, keys in by_source.items():
        query = select(
            ItemRow.id,
            ItemRow.key,
            ItemRow.content_hash,
            ItemRow.gone_at,
            ItemRow.updated,
            ItemRow.judged,
            ItemRow.open_findings,
            ItemRow.failing,
            ItemRow.worst,
        ).where(ItemRow.source == source, ItemRow.key.in_(keys))
        for row_id, key, digest, gone_at, updated, *verdict in session.execute(query):
            found[(source, key)] = _Stored(
                row_id, digest, gone_at is not None, updated, tuple(verdict)
            )
    return found


def _open_findings(session: Session, uids: list[tuple[str, str]]) -> Iterator[Any]:
    by_source: dict[str, list[str]] = {}
    for source, key in uids:
        by_source.setdefault(source, []).append(key)
    columns = (
        FindingRow.id,
        FindingRow.source,
        FindingRow.key,
        FindingRow.rule,
        FindingRow.severity,
        FindingRow.message,
        FindingRow.hint,
        FindingRow.evidence,
    )
    for source, keys in by_source.items():
        query = select(*columns).where(
            FindingRow.source == source,
            FindingRow.key.in_(keys),
            FindingRow.resolved_at.is_(None),
        )
        yield from session.execute(query)


_ITEMS = cast(Table, ItemRow.__table__)


def _row_values(item: Item, now: datetime) -> dict[str, Any]:
    data = item.to_dict()
    canonical = _canonical(data)
    text = canonical.decode()
    owner = item.assignee or item.reporter
    return {
        "source": item.source,
        "key": item.key,
        "project": item.project,
        "title": item.title,
        "kind": item.kind,
        "status_category": item.status_category,
        "rank": item.rank,
        "assignee": item.assignee.id if item.assignee else None,
        "estimate": item.estimate,
        "updated": item.updated,
        "content_hash": hashlib.sha256(canonical).hexdigest(),
        # The hash's JSON is the column's too (one encoding, not two), unless it holds
        # non-ASCII text, which dump_json writes ASCII-escaped.
        "data": _Encoded(text) if _as_json_writes(text) else data,
        "synced_at": now,
        "gone_at": None,
        "url": item.url,
        "status": item.status,
        "created": item.created,
        "owner_id": owner.id if owner else None,
        "owner_name": (owner.name or owner.id)[:255] if owner else None,
        # New content: its stored verdicts are out of date until it is judged again.
        "judged": None,
    }


def _evidence(finding: Finding) -> str | None:
    return getattr(finding, "evidence", None)


def _finding_values(uid: tuple[str, str], finding: Finding, now: datetime) -> dict[str, Any]:
    return {
        "source": uid[0],
        "key": uid[1],
        "rule": finding.rule,
        "severity": finding.severity,
        "message": finding.message,
        "hint": finding.hint,
        "evidence": _evidence(finding),
        "first_seen": now,
        "last_seen": now,
    }
