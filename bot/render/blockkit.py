"""Block Kit building blocks: plain dicts, no Slack client, no I/O.

Both the Slack app's messages (bot.slack.blocks) and those built without loading the app (the
say-no proposal for the CLI's dry run and the scheduler) use these.
"""

from __future__ import annotations

from typing import Any

Block = dict[str, Any]
MAX_TEXT = 2900  # a section's text may hold 3,000 characters


def escape(value: str) -> str:
    """Escape the three characters mrkdwn treats as control characters."""
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clip(value: str, limit: int = MAX_TEXT) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


def link(url: str, label: str) -> str:
    return f"<{url}|{escape(label)}>" if url else escape(label)


def text(value: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": clip(value)}}


def context(value: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": clip(value)}]}


def header(value: str) -> Block:
    return {"type": "header", "text": {"type": "plain_text", "text": value[:150]}}


def button(label: str, action_id: str, value: str, style: str = "") -> Block:
    element: Block = {
        "type": "button",
        "text": {"type": "plain_text", "text": label},
        "action_id": action_id,
        "value": value,
    }
    if style:
        element["style"] = style
    return element
