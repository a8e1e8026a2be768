"""`outcomes.comment = true`: add an outcome answer to the ticket's Refinery comment.

The write goes through the comment ledger like every other, so the item keeps exactly one
Refinery comment and two replicas never write it twice.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.services.comment_body import SIGNATURE, body_hash
from bot.services.outcomes import ANSWERS
from bot.store import comment_ledger as ledger
from bot.store.outcomes import Answer, Review
from bot.store.store import utcnow
from connectors import registry
from connectors.base import BodyFormat
from connectors.comments import NoteBody

if TYPE_CHECKING:
    from bot.services.comments import CommentContext


def outcome_body(row: Review, answer: Answer, fmt: BodyFormat) -> Any:
    """The comment: what the item aimed for and what its owner said, in the tracker's format."""
    said = f"Outcome check on {answer.answered_at:%Y-%m-%d}: {ANSWERS[answer.answer]}."
    aimed = f"It aimed for: {row.target or ''}"
    extra = [f"Observed: {answer.observed}"] if answer.observed else []
    extra += [f"Note: {answer.note}"] if answer.note else []
    footer = f"{SIGNATURE}: outcome follow-up of work done on {row.done_at:%Y-%m-%d}."
    return registry.formatter(fmt).note(NoteBody([said, aimed, *extra], footer))


def add_to_comment(ctx: CommentContext, row: Review, answer: Answer) -> bool:
    """Edit (or add) the item's Refinery comment to carry the answer; False when another
    writer held the item (the answer stays stored either way)."""
    tracker = ctx.tracker(row.source)
    body = outcome_body(row, answer, tracker.body_format)
    found = ledger.rows(ctx.store, row.source, [row.key]).get(row.key)
    before = found.snapshot if found else None
    now = utcnow()
    if not ledger.claim(ctx.store, row.source, row.key, before, now):
        return False
    try:
        comment_id = before.comment_id if before else None
        if comment_id is None:
            comment_id = tracker.find_own_comment(row.key)
        if comment_id is not None:
            tracker.edit_comment(row.key, comment_id, body)
        else:
            comment_id = tracker.add_comment(row.key, body)
    except BaseException:
        ledger.release(ctx.store, row.source, row.key, before)
        raise
    ledger.save(
        ctx.store,
        row.source,
        row.key,
        comment_id=comment_id,
        state="ready",
        content_hash=body_hash(body),
        human_updated=found.human_updated if found else None,
        edited=before is not None,
        now=now,
    )
    return True
