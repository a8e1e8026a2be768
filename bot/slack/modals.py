"""Block Kit modals (views) for intake and decisions, and reading their submitted values."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from bot.slack.blocks import Block, escape, request_fields

INTAKE = "refinery_intake"
ACCEPT_VIEW = "refinery_accept_view"
DECLINE_VIEW = "refinery_decline_view"
NEED_INFO_VIEW = "refinery_need_info_view"
DUPLICATE_VIEW = "refinery_duplicate_view"
DETAILS_VIEW = "refinery_details_view"
URGENCIES = ("low", "normal", "high", "critical")


@dataclass
class Prefill:
    title: str = ""
    why: str = ""
    links: str = ""


def _input(
    block_id: str,
    label: str,
    *,
    optional: bool = False,
    multiline: bool = False,
    initial: str = "",
    placeholder: str = "",
    hint: str = "",
) -> Block:
    element: Block = {"type": "plain_text_input", "action_id": "value", "multiline": multiline}
    if initial:
        element["initial_value"] = initial[:3000]
    if placeholder:
        element["placeholder"] = {"type": "plain_text", "text": placeholder[:150]}
    block: Block = {
        "type": "input",
        "block_id": block_id,
        "optional": optional,
        "label": {"type": "plain_text", "text": label},
        "element": element,
    }
    if hint:
        block["hint"] = {"type": "plain_text", "text": hint}
    return block


def _option(label: str, value: str) -> Block:
    return {"text": {"type": "plain_text", "text": label[:75]}, "value": value[:150]}


def _modal(callback_id: str, title: str, submit: str, blocks: list[Block], meta: Any) -> Block:
    return {
        "type": "modal",
        "callback_id": callback_id,
        "title": {"type": "plain_text", "text": title[:24]},
        "submit": {"type": "plain_text", "text": submit[:24]},
        "close": {"type": "plain_text", "text": "Cancel"},
        "private_metadata": json.dumps(meta),
        "blocks": blocks,
    }


def intake_modal(prefill: Prefill) -> Block:
    urgency: Block = {
        "type": "input",
        "block_id": "urgency",
        "optional": True,
        "label": {"type": "plain_text", "text": "Urgency"},
        "element": {
            "type": "static_select",
            "action_id": "value",
            "options": [_option(u.capitalize(), u) for u in URGENCIES],
        },
    }
    date: Block = {
        "type": "input",
        "block_id": "date",
        "optional": True,
        "label": {"type": "plain_text", "text": "Desired date"},
        "element": {"type": "datepicker", "action_id": "value"},
    }
    blocks = [
        _input("title", "Title", initial=prefill.title, placeholder="What do you need?"),
        _input(
            "why",
            "Problem / why",
            multiline=True,
            initial=prefill.why,
            hint="What problem does this solve, and for whom? Requests without a why wait.",
        ),
        _input("affected", "Who is affected", optional=True),
        _input(
            "outcome",
            "How will we know it worked?",
            optional=True,
            placeholder="e.g. checkout conversion from 2.1% to 2.5%",
        ),
        urgency,
        date,
        _input("links", "Links", optional=True, multiline=True, initial=prefill.links),
    ]
    return _modal(INTAKE, "Request for the backlog", "Send", blocks, {})


def accept_modal(request: Any, destinations: list[tuple[str, str]], issue_type: str) -> Block:
    """Pick where the ticket goes; tracker requests need no destination (they exist already)."""
    meta = {"request": request.id, "version": request.version}
    blocks: list[Block] = [_summary(request)]
    if request.origin != "slack":
        blocks.append(_plain(f"Accepting removes the triage label from {request.origin_key}."))
    else:
        blocks.append(
            {
                "type": "input",
                "block_id": "destination",
                "label": {"type": "plain_text", "text": "Create the ticket in"},
                "element": {
                    "type": "static_select",
                    "action_id": "value",
                    "options": [_option(label, value) for value, label in destinations],
                    "initial_option": _option(destinations[0][1], destinations[0][0]),
                },
            }
        )
        blocks.append(_input("issue_type", "Jira issue type", optional=True, initial=issue_type))
    return _modal(ACCEPT_VIEW, "Accept request", "Accept", blocks, meta)


def decline_modal(request: Any) -> Block:
    meta = {"request": request.id, "version": request.version}
    blocks = [
        _summary(request),
        _input(
            "reason",
            "Reason (the requester reads it)",
            multiline=True,
            hint="Say why it does not fit the goal now, and what would change your mind.",
        ),
    ]
    return _modal(DECLINE_VIEW, "Decline request", "Decline", blocks, meta)


def need_info_modal(request: Any) -> Block:
    meta = {"request": request.id, "version": request.version}
    blocks = [_summary(request), _input("question", "Your question", multiline=True)]
    return _modal(NEED_INFO_VIEW, "Ask for details", "Ask", blocks, meta)


def duplicate_modal(request: Any) -> Block:
    meta = {"request": request.id, "version": request.version}
    blocks = [
        _summary(request),
        _input("key", "Existing item key", placeholder="PAY-123 or owner/repo#45"),
    ]
    return _modal(DUPLICATE_VIEW, "Mark as duplicate", "Mark", blocks, meta)


def details_modal(request: Any, question: str) -> Block:
    blocks = [
        _plain(f"*{escape(request.title)}*\n>{escape(question)}" if question else request.title),
        _input("details", "Your answer", multiline=True),
    ]
    return _modal(DETAILS_VIEW, "Add details", "Send", blocks, {"request": request.id})


def _summary(request: Any) -> Block:
    return _plain(f"*#{request.id} {escape(request.title)}*\n{request_fields(request)}")


def _plain(value: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": value[:2900]}}


# -- reading submissions --------------------------------------------------------------------


def values(view: dict[str, Any]) -> dict[str, str]:
    """Flatten a submitted view's state to {block_id: value} (text, select or date)."""
    out: dict[str, str] = {}
    for block_id, actions in (view.get("state") or {}).get("values", {}).items():
        for action in actions.values():
            kind = action.get("type")
            if kind == "static_select":
                selected = action.get("selected_option") or {}
                out[block_id] = str(selected.get("value") or "")
            elif kind == "datepicker":
                out[block_id] = str(action.get("selected_date") or "")
            else:
                out[block_id] = str(action.get("value") or "")
    return out


def metadata(view: dict[str, Any]) -> dict[str, Any]:
    try:
        meta = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return {}
    return meta if isinstance(meta, dict) else {}
