"""Block Kit messages for slash-command answers and triage cards: plain dicts, no I/O."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

# The building blocks are shared with messages built without the Slack app (bot.render).
from bot.render.blockkit import Block as Block
from bot.render.blockkit import button as button
from bot.render.blockkit import context as context
from bot.render.blockkit import escape as escape
from bot.render.blockkit import header as header
from bot.render.blockkit import link as link
from bot.render.blockkit import text as text
from bot.services.comment_body import counted_lines, quote
from bot.services.health import Health
from bot.services.report import ItemResult
from bot.store.requests import Decision, Request
from connectors.item import Item
from rules.engine import Finding, Verdict

ACCEPT, DECLINE, NEED_INFO, DUPLICATE = (
    "refinery_accept",
    "refinery_decline",
    "refinery_need_info",
    "refinery_duplicate",
)
ADD_DETAILS = "refinery_add_details"
DUPLICATE_OF = "refinery_duplicate_of"  # one click: "Duplicate of KEY" (value "id:KEY")
TRIAGE_ACTIONS = (ACCEPT, DECLINE, NEED_INFO, DUPLICATE)
SEVERITY_ICON = {
    "error": ":red_circle:",
    "warning": ":large_orange_circle:",
    "info": ":white_circle:",
}
STATUS_WORDS = {
    "pending": "Pending",
    "accepting": "Being accepted…",
    "declining": "Being declined…",
    "accepted": "Accepted",
    "declined": "Declined",
    "need_info": "Waiting for details",
    "duplicate": "Duplicate",
}


# -- slash-command answers ------------------------------------------------------------------

HELP = [
    ("help", "this list"),
    ("health [project|repo]", "totals, ready %, findings per rule and the worst items"),
    ("check KEY", "the findings for one item, with how to fix them"),
    ("ready [N]", "the top N backlog items that are not ready yet (default 10)"),
    ("request [title]", "ask the product owners for something, through the intake form"),
    ("queue", "pending requests (product owners only)"),
]
EXAMPLES = ("health", "health PAY", "check PAY-123", "ready 5", "request Export invoices as CSV")


def help_blocks(command: str, unknown: str = "", suggestion: str = "") -> list[Block]:
    blocks: list[Block] = []
    if unknown:
        hint = f" Did you mean `{command} {suggestion}`?" if suggestion else ""
        blocks.append(text(f"I don't know `{escape(unknown)}`.{hint}"))
    lines = [f"`{command} {usage}` — {what}" for usage, what in HELP]
    blocks.append(text("*Refinery* keeps the backlog honest.\n" + "\n".join(lines)))
    blocks.append(context("Examples: " + ", ".join(f"`{command} {e}`" for e in EXAMPLES)))
    return blocks


def health_blocks(report: Health, scope: str, worst: int = 5) -> list[Block]:
    where = f" of {escape(scope)}" if scope else ""
    if report.items == 0:
        return [text(f"No open items{where} in the store yet. Has `refinery sync` run?")]
    blocks = [
        header(f"Backlog health{' · ' + scope if scope else ''}"),
        text(
            f"*{report.ready_pct:.0f}% ready* — {report.ready} of {report.items} open items"
            f"{where} pass every rule."
        ),
    ]
    if report.per_rule:
        counts = "\n".join(f"• `{rule}`: {n}" for rule, n in report.per_rule.most_common())
        blocks.append(text(f"*Findings per rule*\n{counts}"))
    results = report.worst[:worst]
    if results:
        blocks.append(text("*Worst items*\n" + "\n".join(_result_line(r) for r in results)))
    if report.lean:
        blocks.append(text("*Leanness*\n" + "\n".join(f"• {line}" for line in report.lean)))
    if report.pending:
        blocks.append(text(f"_Re-evaluating {report.pending} items under the current rules._"))
    return blocks


def ready_blocks(results: list[ItemResult], n: int, total_unready: int) -> list[Block]:
    if not results:
        return [text(":white_check_mark: Every open item is ready.")]
    lines = [f"{i}. {_result_line(r)}" for i, r in enumerate(results, 1)]
    return [
        text(f"*Top {len(results)} items that are not ready* (of {total_unready})"),
        text("\n".join(lines)),
    ]


def check_blocks(
    key: str, item: Item | None, findings: list[Finding], verdicts: Sequence[Verdict] = ()
) -> list[Block]:
    """One item's findings with how to fix them, and what already counts, quoted."""
    if item is None:
        return [text(f"No item `{escape(key)}` in the store. Check the key, or run a sync.")]
    title = f"*{link(item.url, item.key)}* {escape(item.title)}"
    counted = [f":white_check_mark: {escape(line)}" for line in counted_lines(verdicts)]
    if not findings:
        return [text("\n".join([f"{title}\n:white_check_mark: Ready: nothing to fix.", *counted]))]
    lines = [
        f"{SEVERITY_ICON.get(f.severity, '')} *{escape(f.message)}*"
        + (f" ({escape(quote(f.evidence))})" if f.evidence else "")
        + f"\n    _Fix:_ {escape(f.hint)}"
        for f in findings
    ]
    found = [text(title), text("\n".join(lines))]
    if counted:
        found.append(text("*What already counts*\n" + "\n".join(counted)))
    return found


def _result_line(result: ItemResult) -> str:
    lacks = ", ".join(f.rule for f in result.findings)
    return f"{link(result.url, result.key)} {escape(result.title[:80])} — _{lacks}_"


# -- triage cards ---------------------------------------------------------------------------


def request_fields(row: Request) -> str:
    parts = [f"*Why:* {escape(row.why)}"]
    for label, value in (
        ("Who is affected", row.affected),
        ("Outcome metric", row.outcome),
        ("Urgency", row.urgency),
        ("Links", row.links),
    ):
        if value:
            parts.append(f"*{label}:* {escape(value)}")
    for answer in row.extra.get("details", []):
        parts.append(f"*More details:* {escape(str(answer.get('text', '')))}")
    return "\n".join(parts)


def _origin_line(row: Request) -> str:
    if row.origin != "slack" and row.origin_key:
        by = f" · reported by {escape(str(row.extra.get('reporter') or 'unknown'))}"
        return f"From {row.origin} {link(str(row.extra.get('url') or ''), row.origin_key)}{by}"
    return f"Requested by <@{row.requester}>" if row.requester else "Requested"


def suggestions_of(row: Request) -> list[dict[str, Any]]:
    found = (row.extra or {}).get("suggestions") or []
    return [s for s in found if isinstance(s, dict) and s.get("key")]


def _suggestion_lines(row: Request) -> str:
    lines = []
    for found in suggestions_of(row):
        status = f" ({escape(str(found['status']))})" if found.get("status") else ""
        title = escape(str(found.get("title", ""))[:100])
        lines.append(f"• {link(str(found.get('url') or ''), str(found['key']))} {title}{status}")
    return "\n*Possibly a duplicate of:*\n" + "\n".join(lines) if lines else ""


def triage_card(row: Request) -> list[Block]:
    """The card POs act on; buttons carry only the request id (the version is read on click).

    Likely duplicates are listed in the card's text, each with a one-click button in the same
    actions block, so a card stays three blocks (the queue fits twelve in one message)."""
    value = str(row.id)
    one_click = [
        button(f"Duplicate of {str(s['key'])[:40]}", DUPLICATE_OF, f"{row.id}:{s['key']}")
        for s in suggestions_of(row)
    ]
    for index, element in enumerate(one_click):  # action ids must be unique in a block
        element["action_id"] = f"{DUPLICATE_OF}_{index}"
    suggested = _suggestion_lines(row)
    return [
        text(f"*Request #{row.id}: {escape(row.title)}*\n{request_fields(row)}{suggested}"),
        context(f"{_origin_line(row)} · {STATUS_WORDS.get(row.status, row.status)}"),
        {
            "type": "actions",
            "block_id": f"triage_{row.id}",
            "elements": [
                button("Accept", ACCEPT, value, "primary"),
                button("Decline", DECLINE, value, "danger"),
                button("Need info", NEED_INFO, value),
                button("Duplicate", DUPLICATE, value),
                *one_click,
            ],
        },
    ]


def decided_card(row: Request, decision: Decision) -> list[Block]:
    """The card after a decision: no buttons, who decided what."""
    return [
        text(f"*Request #{row.id}: {escape(row.title)}*\n{request_fields(row)}"),
        context(_origin_line(row)),
        text(decision_line(row, decision)),
    ]


def decision_line(row: Request, decision: Decision) -> str:
    who = f"<@{decision.actor}>"
    ticket = link(row.ticket_url or "", row.ticket_key or "")
    if decision.action == "accept":
        return f":white_check_mark: Accepted by {who} → {ticket}"
    if decision.action == "decline":
        return f":no_entry_sign: Declined by {who}: {escape(decision.reason)}"
    if decision.action == "duplicate":
        return f":twisted_rightwards_arrows: Duplicate of {ticket}, marked by {who}"
    return f":question: {who} asked: {escape(decision.reason)}"


def queue_blocks(rows: list[Request]) -> list[Block]:
    if not rows:
        return [text("The intake queue is empty.")]
    blocks: list[Block] = [text(f"*{len(rows)} pending request(s)*")]
    for row in rows[:12]:  # 4 blocks each; a message holds 50
        blocks.extend(triage_card(row))
        blocks.append({"type": "divider"})
    if len(rows) > 12:
        blocks.append(context(f"…and {len(rows) - 12} more. `refinery requests` lists all."))
    return blocks


def requester_outcome(row: Request, decision: Decision) -> str:
    """What the requester reads after a decision."""
    title = f"“{escape(row.title)}”"
    if decision.action == "accept":
        ticket = link(row.ticket_url or "", row.ticket_key or "the backlog")
        return f"Your request {title} was accepted by <@{decision.actor}>: {ticket}"
    if decision.action == "decline":
        return (
            f"Your request {title} was declined by <@{decision.actor}>.\n"
            f"*Reason:* {escape(decision.reason)}"
        )
    if decision.action == "duplicate":
        ticket = link(row.ticket_url or "", row.ticket_key or "")
        return f"Your request {title} is already in the backlog as {ticket}."
    return f"<@{decision.actor}> needs more about your request {title}:\n>{escape(decision.reason)}"


def details_prompt(row: Request, decision: Decision) -> list[Block]:
    """The need-info message, with the button that opens the details form."""
    return [
        text(requester_outcome(row, decision)),
        {
            "type": "actions",
            "elements": [button("Add details", ADD_DETAILS, str(row.id), "primary")],
        },
    ]
