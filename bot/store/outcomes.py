"""Outcome reviews and their answers in the store: frozen records out, compare-and-set writes."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.store.cas import swapped
from bot.store.models import ItemRow, OutcomeAnswer, OutcomeReview
from bot.store.records import record
from bot.store.store import Store
from connectors.item import Item


@dataclass(frozen=True, slots=True)
class Review:
    """One done item's outcome follow-up (id 0: not stored yet)."""

    id: int
    source: str
    key: str
    team: str
    title: str
    url: str
    target: str | None  # the quoted outcome
    owner: str  # Slack user id asked ("" when nobody)
    status: str
    asks: int
    version: int
    done_at: datetime
    due_at: datetime | None
    created_at: datetime
    updated_at: datetime
    answer: str | None = None  # the latest
    channel: str | None = None
    ts: str | None = None


@dataclass(frozen=True, slots=True)
class Answer:
    review_id: int
    answer: str  # moved | not_yet | did_not_move | cant_tell
    observed: str
    note: str
    actor: str
    answered_at: datetime
    id: int = 0


class Reviews:
    def __init__(self, store: Store) -> None:
        self.store = store

    def done_items_unseen(self) -> list[Item]:
        """Live done items that have no review row yet, in store order."""
        joined = and_(OutcomeReview.source == ItemRow.source, OutcomeReview.key == ItemRow.key)
        query = (
            select(ItemRow.data)
            .outerjoin(OutcomeReview, joined)
            .where(
                ItemRow.status_category == "done",
                ItemRow.gone_at.is_(None),
                OutcomeReview.id.is_(None),
            )
            .order_by(ItemRow.id)
        )
        with self.store.session() as session:
            return [Item.from_dict(data) for data in session.scalars(query)]

    def add(self, drafts: Sequence[Review]) -> list[Review]:
        """Store new reviews in one transaction, or one by one when another replica stored
        some first (those are skipped); the ones stored here."""
        try:
            with self.store.session() as session:
                session.add_all([_row(d) for d in drafts])
            return list(drafts)
        except IntegrityError:
            pass
        done = []
        for draft in drafts:
            try:
                with self.store.session() as session:
                    session.add(_row(draft))
            except IntegrityError:
                continue  # another replica recorded it first
            done.append(draft)
        return done

    def due(self, statuses: Sequence[str], now: datetime) -> list[Review]:
        query = (
            select(OutcomeReview)
            .where(OutcomeReview.status.in_(list(statuses)), OutcomeReview.due_at <= now)
            .order_by(OutcomeReview.due_at, OutcomeReview.id)
        )
        with self.store.session() as session:
            return [_review(row) for row in session.scalars(query)]

    def move(self, review_id: int, version: int, status: str, values: Mapping[str, Any]) -> bool:
        """Compare-and-set: only the row still at `version` and `status` takes `values`."""
        with self.store.session() as session:
            return _swap(session, review_id, version, status, values)

    def answer(
        self,
        review_id: int,
        version: int,
        status: str,
        values: Mapping[str, Any],
        answer: Answer,
    ) -> Answer | None:
        """Take `values` (compare-and-set on `status`/`version`) and append `answer` in one
        transaction; None when someone answered first."""
        with self.store.session() as session:
            if not _swap(session, review_id, version, status, values):
                return None
            row = OutcomeAnswer(
                **{k: v for k, v in dataclasses.asdict(answer).items() if k != "id"}
            )
            session.add(row)
            session.flush()
            return dataclasses.replace(answer, id=row.id)

    def get(self, review_id: int) -> Review | None:
        with self.store.session() as session:
            row = session.get(OutcomeReview, review_id)
            return _review(row) if row is not None else None

    def with_target(self, team: str | None = None) -> list[Review]:
        """Reviews of items that named a target, newest done first."""
        query = select(OutcomeReview).where(OutcomeReview.target.is_not(None))
        if team is not None:
            query = query.where(OutcomeReview.team == team)
        query = query.order_by(OutcomeReview.done_at.desc(), OutcomeReview.id.desc())
        with self.store.session() as session:
            return [_review(row) for row in session.scalars(query)]

    def answers(self, review_ids: list[int]) -> dict[int, list[Answer]]:
        if not review_ids:
            return {}
        query = (
            select(OutcomeAnswer)
            .where(OutcomeAnswer.review_id.in_(review_ids))
            .order_by(OutcomeAnswer.id)
        )
        found: dict[int, list[Answer]] = {}
        with self.store.session() as session:
            for row in session.scalars(query):
                found.setdefault(row.review_id, []).append(_answer(row))
        return found

    def counts(self, team: str, without: str) -> list[tuple[str, str | None, int]]:
        """(status, latest answer, count) of a team's reviews, leaving status `without` out."""
        query = (
            select(OutcomeReview.status, OutcomeReview.answer, func.count())
            .where(OutcomeReview.team == team, OutcomeReview.status != without)
            .group_by(OutcomeReview.status, OutcomeReview.answer)
        )
        with self.store.session() as session:
            return [(s, a, int(n)) for s, a, n in session.execute(query)]


def _swap(
    session: Session, review_id: int, version: int, status: str, values: Mapping[str, Any]
) -> bool:
    return swapped(
        session,
        update(OutcomeReview)
        .where(
            OutcomeReview.id == review_id,
            OutcomeReview.version == version,
            OutcomeReview.status == status,
        )
        .values(**values)
        .execution_options(synchronize_session=False),
    )


def _row(review: Review) -> OutcomeReview:
    return OutcomeReview(**{k: v for k, v in dataclasses.asdict(review).items() if k != "id"})


def _review(row: OutcomeReview) -> Review:
    return record(Review, row)


def _answer(row: OutcomeAnswer) -> Answer:
    return record(Answer, row)
