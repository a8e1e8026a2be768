"""Block Kit for the outcome follow-up: the question to the owner, its form, the answered note."""

from __future__ import annotations

import json

from bot.services.outcomes import ANSWERS
from bot.slack.blocks import Block, button, context, escape, link, text
from bot.slack.poster import SlackPoster
from bot.store.outcomes import Answer, Review

OUTCOME_VIEW = "refinery_outcome_view"
ACTIONS = {f"refinery_outcome_{answer}": answer for answer in ANSWERS}
STYLES = {"moved": "primary", "did_not_move": "danger"}


def ask_text(row: Review) -> str:
    return f"Did {row.key} move its outcome? It aimed for: {row.target}"


def ask_blocks(row: Review) -> list[Block]:
    """The question: the item, the target it named, when it shipped, and four answers."""
    again = f" (asked again: {row.asks - 1} of 2)" if row.asks > 1 else ""
    return [
        text(
            f"*Outcome check{again}:* {link(row.url, row.key)} {escape(row.title)}\n"
            f"*It aimed for:* _{escape(row.target or '')}_\n"
            f"*Shipped:* {row.done_at:%Y-%m-%d} ({_days_ago(row)} days ago)"
        ),
        {
            "type": "actions",
            "block_id": f"outcome_{row.id}",
            "elements": [
                button(label, action_id, str(row.id), STYLES.get(answer, ""))
                for action_id, answer in ACTIONS.items()
                for label in (ANSWERS[answer],)
            ],
        },
        context("You can add what you observed and a note on the next screen."),
    ]


def _days_ago(row: Review) -> int:
    from bot.store.store import utcnow

    return max(0, (utcnow() - row.done_at).days)


def answer_modal(row: Review, answer: str) -> Block:
    """The optional observed value and note; the answer and version travel in the metadata."""
    meta = {"review": row.id, "version": row.version, "answer": answer}
    return {
        "type": "modal",
        "callback_id": OUTCOME_VIEW,
        "title": {"type": "plain_text", "text": "Outcome check"},
        "submit": {"type": "plain_text", "text": "Save answer"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "private_metadata": json.dumps(meta),
        "blocks": [
            text(
                f"*{escape(row.key)}* aimed for _{escape(row.target or '')}_.\n"
                f"Your answer: *{ANSWERS[answer]}*"
            ),
            _optional_input("observed", "What did you observe? (e.g. 24% fewer tickets)"),
            _optional_input("note", "Note", multiline=True),
        ],
    }


def _optional_input(block_id: str, label: str, *, multiline: bool = False) -> Block:
    return {
        "type": "input",
        "block_id": block_id,
        "optional": True,
        "label": {"type": "plain_text", "text": label[:2000]},
        "element": {"type": "plain_text_input", "action_id": "value", "multiline": multiline},
    }


def answered_blocks(row: Review, answer: Answer, asks_again: bool) -> list[Block]:
    """The question after it was answered: no buttons, who said what."""
    said = f"*{ANSWERS[answer.answer]}*, said <@{answer.actor}>"
    if answer.observed:
        said += f" · observed: {escape(answer.observed)}"
    if answer.note:
        said += f"\n>{escape(answer.note)}"
    later = f"\nI'll ask again on {row.due_at:%Y-%m-%d}." if asks_again and row.due_at else ""
    return [
        text(f"*Outcome check:* {link(row.url, row.key)} {escape(row.title)}"),
        context(f"It aimed for: {escape(row.target or '')}"),
        text(said + later),
    ]


def ask_in_slack(poster: SlackPoster, row: Review) -> tuple[str, str] | None:
    """DM the question to its owner; (DM channel, ts) for later updates, None when refused."""
    posted = poster.post(
        row.owner, ask_text(row), ask_blocks(row), what=f"outcome check of {row.key}"
    )
    if not posted.ok:
        return None
    return (posted.posted_in or row.owner, posted.ts or "")
