"""Render digests and refinement reminders as Block Kit JSON and as terminal text.

Slack rejects a message with more than 50 blocks or a section text over 3,000 characters,
so lists are cut to fit, ending with "…and N more" instead of failing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.services.digest import (
    AgendaItem,
    DigestData,
    Mention,
    OwnedItem,
    OwnerGroup,
    ReminderData,
    sparkline,
)

MAX_BLOCKS = 50
MAX_TEXT = 3000
MAX_HEADER = 150
MAX_FIELDS = 10
MAX_FIELD_TEXT = 2000
MAX_FALLBACK = 3000  # the notification text; Slack allows far more, phones show little

Block = dict[str, Any]


def escape(text: str) -> str:
    """Escape the three characters Slack mrkdwn treats as control characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clip(text: str, limit: int = MAX_TEXT) -> str:
    """Cut text to `limit` characters, ending with an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def fit_lines(lines: Sequence[str], limit: int = MAX_TEXT, *, head: str = "") -> str:
    """Join whole lines under `limit` characters; the rest becomes "…and N more"."""
    text = head
    for index, line in enumerate(lines):
        candidate = f"{text}\n{line}" if text else line
        more = len(lines) - index - 1
        tail = f"\n…and {more} more" if more else ""
        if len(candidate) + len(tail) > limit:
            rest = len(lines) - index
            return clip(f"{text}\n…and {rest} more" if text else f"…and {rest} more", limit)
        text = candidate
    return clip(text, limit)


def section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": clip(text)}}


def header(text: str) -> Block:
    return {"type": "header", "text": {"type": "plain_text", "text": clip(text, MAX_HEADER)}}


def context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": clip(text)}]}


def link(url: str, label: str) -> str:
    return f"<{url}|{escape(label)}>" if url else escape(label)


def who(person: Mention) -> str:
    """A Slack mention as is; a plain name escaped (it is text, not markup)."""
    return person.text if person.slack_id else escape(person.text)


def item_line(entry: OwnedItem, *, with_owner: bool = True) -> str:
    """One item: linked key, title, owner, and what it misses."""
    result = entry.result
    title = clip(result.title, 120)
    owner = f" · {who(entry.owner)}" if with_owner else ""
    missing = " ".join(clip(message, 140) for message in entry.missing)
    return f"• {link(result.url, result.key)} {escape(title)}{owner}\n   _{escape(missing)}_"


# -- digest -----------------------------------------------------------------------------------


def _delta(now: float, before: float | None, unit: str = "") -> str:
    if before is None:
        return ""
    change = now - before
    if abs(change) < 0.05:
        return " (no change)"
    arrow = "▲" if change > 0 else "▼"
    return f" ({arrow} {change:+.1f}{unit})" if unit else f" ({arrow} {change:+.0f})"


def digest_summary(data: DigestData) -> str:
    """The headline numbers as one line, for notifications and the terminal."""
    return (
        f"{data.team}: {data.items} items, {data.ready_pct:.0f}% ready, "
        f"{data.unready} need work, {len(data.pending)} pending requests"
    )


def _capacity_line(data: DigestData) -> str:
    points = f"{data.backlog_points:g} points"
    unestimated = f" (+{data.unestimated} unestimated items)" if data.unestimated else ""
    sprints = data.sprints_of_work
    if sprints is None:
        return f"The backlog holds {points}{unestimated}. Set sprint_capacity to see sprints."
    return (
        f"The backlog holds *{sprints:.1f} sprints* of work: {points}{unestimated} "
        f"at {data.sprint_capacity:g} points per sprint."
    )


def _rule_fields(data: DigestData) -> list[dict[str, str]]:
    before = data.previous.per_rule if data.previous else None
    ranked = sorted(data.per_rule.items(), key=lambda pair: (-pair[1], pair[0]))
    fields = []
    for rule_id, count in ranked[:MAX_FIELDS]:
        change = _delta(count, before.get(rule_id, 0) if before is not None else None)
        fields.append({"type": "mrkdwn", "text": clip(f"*{rule_id}*\n{count}{change}", 2000)})
    return fields


def digest_blocks(data: DigestData) -> list[Block]:
    """The digest as Block Kit blocks (always within Slack's limits)."""
    previous = data.previous
    ready = f"*{data.ready_pct:.0f}%* ready" + _delta(
        data.ready_pct, previous.ready_pct if previous else None, " pts"
    )
    count = f"*{data.items}* items" + _delta(data.items, previous.items if previous else None)
    since = f" since {previous.taken_at:%Y-%m-%d}" if previous else ""
    blocks: list[Block] = [
        header(f"Backlog health — {data.team}"),
        section(f"{count} · {ready}{since}"),
    ]
    if len(data.trend) > 1:
        blocks.append(
            context(f"Ready trend, last {len(data.trend)} digests: {sparkline(data.trend)}")
        )
    fields = _rule_fields(data)
    if fields:
        blocks.append({"type": "section", "fields": fields})
    blocks.append(section(_capacity_line(data)))
    if data.outcomes is not None:
        blocks.append(section(f"*Outcomes*: {data.outcomes.line()}"))
    blocks.append({"type": "divider"})
    if data.top_unready:
        lines = [item_line(entry) for entry in data.top_unready]
        head = f"*Not ready, near the top of the backlog* ({data.unready} unready in all)"
        blocks.append(section(fit_lines(lines, head=head)))
    else:
        blocks.append(section("*Every item in the backlog is ready.* :tada:"))
    blocks.append(section(_requests_text(data)))
    blocks.append(section(_stale_text(data)))
    blocks.append(context(f"Refinery digest · {data.taken_at:%Y-%m-%d %H:%M} UTC"))
    return blocks[:MAX_BLOCKS]


def _requests_text(data: DigestData) -> str:
    decided = (
        f"Since {data.decisions_since:%Y-%m-%d}: {data.accepted} accepted, "
        f"{data.declined} declined"
        + (f", {data.other_decisions} other" if data.other_decisions else "")
    )
    if not data.pending:
        return f"*Intake*: no requests waiting. {decided}."
    lines = [
        f"• #{req.id} {escape(clip(req.title, 120))} — waiting {req.age_days} d"
        + (f" (from <@{req.requester}>)" if req.requester else "")
        for req in data.pending
    ]
    return fit_lines(
        lines, head=f"*Intake*: {len(data.pending)} waiting for a decision. {decided}."
    )


def _stale_text(data: DigestData) -> str:
    if not data.stale:
        return f"*Stale*: nothing untouched for {data.stale_days}+ days."
    lines = [
        f"• {link(s.url, s.key)} {escape(clip(s.title, 100))} · {who(s.owner)} — {s.days} d"
        for s in data.stale
    ]
    head = f"*Stale*: {len(data.stale)} items no one has updated for {data.stale_days}+ days"
    return fit_lines(lines, head=head)


def digest_message(data: DigestData) -> dict[str, Any]:
    """chat.postMessage arguments (channel, text, blocks) for one team's digest."""
    return {
        "channel": data.channel,
        "text": clip(digest_summary(data), MAX_FALLBACK),
        "blocks": digest_blocks(data),
    }


def digest_terminal(data: DigestData) -> str:
    """The digest as plain text for `refinery digest --dry-run`."""
    previous = data.previous
    lines = [
        f"Backlog health — {data.team} (channel {data.channel or 'not set'})",
        f"{data.items} items, {data.ready_pct:.0f}% ready"
        + _delta(data.ready_pct, previous.ready_pct if previous else None, " pts"),
    ]
    if len(data.trend) > 1:
        lines.append(f"Trend: {sparkline(data.trend)}")
    for rule_id, count in sorted(data.per_rule.items(), key=lambda p: (-p[1], p[0])):
        lines.append(f"  {rule_id:<24} {count}")
    lines.append(_capacity_line(data).replace("*", ""))
    if data.outcomes is not None:
        lines.append(f"Outcomes: {data.outcomes.line()}")
    lines.append(f"Not ready near the top ({data.unready} unready in all):")
    for entry in data.top_unready:
        result = entry.result
        lines.append(f"  {result.key} {result.title} [{entry.owner.text}] {result.url}")
        lines.append(f"      missing: {' '.join(entry.missing)}")
    lines.append(
        f"Requests waiting: {len(data.pending)}; since {data.decisions_since:%Y-%m-%d}: "
        f"{data.accepted} accepted, {data.declined} declined"
    )
    for req in data.pending:
        lines.append(f"  #{req.id} {req.title} — {req.age_days} d")
    lines.append(f"Stale ({data.stale_days}+ days without a human update): {len(data.stale)}")
    for stale in data.stale[:20]:
        lines.append(f"  {stale.key} {stale.title} — {stale.days} d")
    if len(data.stale) > 20:
        lines.append(f"  …and {len(data.stale) - 20} more")
    return "\n".join(lines)


# -- refinement reminder ----------------------------------------------------------------------


def agenda_line(number: int, item: AgendaItem) -> str:
    """One agenda entry: rank, linked key, title, owner, and the question to answer."""
    result = item.entry.result
    title = escape(clip(result.title, 120))
    return (
        f"*{number}.* {link(result.url, result.key)} {title} · {who(item.entry.owner)}\n"
        f"   :speech_balloon: _{escape(item.question)}_"
    )


def pack_lines(lines: Sequence[str], limit: int = MAX_TEXT - 100) -> list[str]:
    """Whole lines packed into as few texts of at most `limit` characters as possible."""
    texts: list[str] = []
    for line in lines:
        line = clip(line, limit)
        if texts and len(texts[-1]) + 1 + len(line) <= limit:
            texts[-1] += "\n" + line
        else:
            texts.append(line)
    return texts


def reminder_blocks(data: ReminderData) -> list[Block]:
    """The refinement agenda: items in rank order with one question each, their dependencies
    and likely duplicates; cut to fit 50 blocks."""
    if not data.agenda:
        return [
            header(f"Refinement — {data.team}"),
            section(f"The next {data.looked_at} items are ready for refinement. :tada:"),
        ]
    blocks: list[Block] = [
        header(f"Refinement agenda — {data.team}"),
        section(
            f"*{len(data.agenda)}* of the next items are not ready yet, one question each. "
            "Owners, bring the answers, or give them before the meeting."
        ),
    ]
    tail: list[Block] = []
    if data.dependencies:
        lines = [f"• {escape(dep.line())}" for dep in data.dependencies]
        tail.append(section(fit_lines(lines, head="*Dependencies among them*")))
    if data.duplicates:
        lines = [
            f"• {escape(dup.key)} reads like {link(dup.other_url, dup.other)} "
            f"{escape(clip(dup.other_title, 80))}"
            for dup in data.duplicates
        ]
        tail.append(section(fit_lines(lines, head="*Likely duplicates*")))
    lines = [agenda_line(n, item) for n, item in enumerate(data.agenda, 1)]
    texts = pack_lines(lines)
    room = MAX_BLOCKS - len(blocks) - len(tail) - 1  # one for "…and N more"
    blocks.extend(section(text) for text in texts[:room])
    if len(texts) > room:
        shown = sum(text.count("\n   :speech_balloon:") for text in texts[:room])
        blocks.append(context(f"…and {len(lines) - shown} more items"))
    blocks.extend(tail)
    return blocks


def agenda_item_message(channel: str, number: int, item: AgendaItem) -> dict[str, Any]:
    """One agenda item as its own message, so the team can answer in its thread."""
    result = item.entry.result
    return {
        "channel": channel,
        "text": clip(f"{result.key}: {item.question}", MAX_FALLBACK),
        "blocks": [
            section(agenda_line(number, item)),
            context("Answer in this thread, before or during refinement."),
        ],
    }


def _group_text(group: OwnerGroup, *, with_owner_line: bool = True) -> str:
    lines = [item_line(entry, with_owner=False) for entry in group.items]
    head = f"*{who(group.owner)}*" if with_owner_line else ""
    return fit_lines(lines, head=head)


def reminder_message(data: ReminderData) -> dict[str, Any]:
    return {
        "channel": data.channel,
        "text": clip(f"Refinement agenda — {data.team}: {data.count} items", MAX_FALLBACK),
        "blocks": reminder_blocks(data),
    }


def owner_dm_message(team: str, group: OwnerGroup) -> dict[str, Any]:
    """A DM to one owner with just their items (channel = their Slack user id)."""
    count = len(group.items)
    return {
        "channel": group.owner.slack_id or "",
        "text": f"{count} of your items need work before {team}'s refinement",
        "blocks": [
            section(f"Before *{escape(team)}*'s refinement: {count} of your items are not ready."),
            section(_group_text(group, with_owner_line=False)),
        ],
    }


def reminder_terminal(data: ReminderData) -> str:
    if not data.agenda:  # an owner's DM: their items, grouped
        lines = [f"Refinement — {data.team} (channel {data.channel or 'not set'})"]
        if not data.groups:
            lines.append(f"The next {data.looked_at} items are ready.")
        for group in data.groups:
            lines.append(f"{group.owner.text}:")
            for entry in group.items:
                result = entry.result
                lines.append(f"  {result.key} {result.title} {result.url}")
                lines.append(f"      missing: {' '.join(entry.missing)}")
        return "\n".join(lines)
    lines = [f"Refinement agenda — {data.team} (channel {data.channel or 'not set'})"]
    for number, item in enumerate(data.agenda, 1):
        result = item.entry.result
        lines.append(f"{number:>3}. {result.key} {result.title} [{item.entry.owner.text}]")
        lines.append(f"       Q: {item.question}")
        lines.append(f"       missing: {' '.join(item.entry.missing)}")
    if data.dependencies:
        lines.append("Dependencies among them:")
        lines.extend(f"  {dep.line()}" for dep in data.dependencies)
    if data.duplicates:
        lines.append("Likely duplicates:")
        lines.extend(
            f"  {dup.key} reads like {dup.other} {dup.other_title} ({dup.score:.2f})"
            for dup in data.duplicates
        )
    return "\n".join(lines)


def check_limits(blocks: Sequence[Block]) -> list[str]:
    """Name every way `blocks` break Slack's limits (empty when the message is valid)."""
    problems = []
    if len(blocks) > MAX_BLOCKS:
        problems.append(f"{len(blocks)} blocks (max {MAX_BLOCKS})")
    for index, block in enumerate(blocks):
        texts = _texts(block)
        for text in texts:
            if len(text) > MAX_TEXT:
                problems.append(f"block {index}: text of {len(text)} chars (max {MAX_TEXT})")
        if block.get("type") == "header" and len(block["text"]["text"]) > MAX_HEADER:
            problems.append(f"block {index}: header over {MAX_HEADER} chars")
        fields = block.get("fields", [])
        if len(fields) > MAX_FIELDS:
            problems.append(f"block {index}: {len(fields)} fields (max {MAX_FIELDS})")
        if any(len(f["text"]) > MAX_FIELD_TEXT for f in fields):
            problems.append(f"block {index}: a field over {MAX_FIELD_TEXT} chars")
    return problems


def _texts(block: Block) -> list[str]:
    texts = []
    if isinstance(block.get("text"), dict):
        texts.append(block["text"]["text"])
    texts.extend(element.get("text", "") for element in block.get("elements", []))
    texts.extend(field["text"] for field in block.get("fields", []))
    return texts
