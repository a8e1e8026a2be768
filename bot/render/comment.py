"""Ticket comment bodies from findings: Markdown (GitHub), ADF (Jira Cloud), wiki (Jira DC)."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.config import CommentTemplates, Settings
from connectors import registry
from connectors.base import BodyFormat
from connectors.item import Item, Person
from rules.engine import Finding, Verdict

# Every body Refinery posts carries this signature; webhooks use it to skip our own comments.
SIGNATURE = "Posted by Refinery"
HIDDEN_MARKER = "<!-- refinery:comment -->"  # invisible on GitHub; Jira shows no HTML comments
# Cloud accountIds: "557058:uuid", "712020:uuid" or 24 hex digits; anything else is a DC username.
_ACCOUNT_ID = re.compile(r"^(\d+:[0-9a-f-]{36}|[0-9a-f]{24})$")


@dataclass(frozen=True, slots=True)
class Line:
    """One finding as the comment shows it: what is missing, and how to fix it."""

    rule: str
    message: str
    how_to: str
    evidence: str | None = None  # the words that show the problem, quoted after the message


# What a passed verdict is called in a comment ("Why: “so that …”").
COUNTED_NAMES = {"missing-why": "Why", "missing-outcome": "Outcome", "missing-estimate": "Estimate"}
_QUOTE_WIDTH = 140


def quote(evidence: str) -> str:
    """Evidence as a short quote on one line."""
    text = " ".join(evidence.split())
    return f"“{text if len(text) <= _QUOTE_WIDTH else text[: _QUOTE_WIDTH - 1] + '…'}”"


def counted_lines(verdicts: Sequence[Verdict]) -> list[str]:
    """ "Why: “so that …”" for every passed verdict that quotes the item: what already counts."""
    return [
        f"{COUNTED_NAMES.get(v.rule, v.rule)}: {quote(v.evidence)}"
        for v in verdicts
        if v.passed and v.evidence and v.rule in COUNTED_NAMES
    ]


@dataclass(frozen=True, slots=True)
class Rendered:
    """A comment body in the tracker's format, and the digest the ledger compares."""

    body: Any  # ADF dict, or wiki / Markdown text
    content_hash: str


def lines_for(findings: Sequence[Finding], item: Item, settings: Settings) -> list[Line]:
    """Pair each finding with its how-to: a template for the core rules, else the rule's hint."""
    templates = settings.comments.templates
    how_tos = {
        "missing-why": templates.why,
        "missing-outcome": templates.outcome,
        "missing-estimate": templates.estimate.replace("{where}", estimate_where(item, settings)),
    }
    return [
        Line(f.rule, f.message, how_tos.get(f.rule) or f.hint, f.evidence)
        for f in ordered(findings)
    ]


def ordered(findings: Sequence[Finding]) -> list[Finding]:
    """Findings in the order comments list them: why, outcome, estimate, then the rest."""
    core = ("missing-why", "missing-outcome", "missing-estimate")
    return sorted(findings, key=lambda f: (core.index(f.rule) if f.rule in core else 3, f.rule))


def estimate_where(item: Item, settings: Settings) -> str:
    """Name the place this item's tracker reads estimates from, in the user's words."""
    source = item.source if item.source in registry.CONNECTORS else "jira"
    return registry.get(source).estimate_where(registry.section_of(settings, source))


def mention_target(item: Item) -> Person | None:
    """Whom to notify: the reporter (who can say why), else the assignee."""
    return item.reporter or item.assignee


def render_findings(
    item: Item,
    findings: Sequence[Finding],
    fmt: BodyFormat,
    settings: Settings,
    verdicts: Sequence[Verdict] = (),
) -> Rendered:
    """Build the "not ready yet" comment for an item's findings; `verdicts` (from
    Engine.explain) add what already counts, quoted, so the reader sees why Refinery decided."""
    templates = settings.comments.templates
    lines = lines_for(findings, item, settings)
    counted = counted_lines(verdicts)
    footer = _footer(settings)
    who = mention_target(item)
    if fmt == "adf":
        return _rendered(_adf_findings(who, templates, lines, footer, counted))
    if fmt == "wiki":
        return _rendered(_wiki_findings(who, templates, lines, footer, counted))
    return _rendered(_markdown_findings(who, templates, lines, footer, counted))


def render_ready(fmt: BodyFormat, settings: Settings) -> Rendered:
    """Build the short "ready" note that replaces the findings once all are fixed."""
    text = settings.comments.templates.ready
    footer = _footer(settings)
    if fmt == "adf":
        body: Any = _adf_doc([_paragraph([_text(text)]), _paragraph([_text(footer, "em")])])
    elif fmt == "wiki":
        body = f"(/) {_wiki_escape(text)}\n\n_{_wiki_escape(footer)}_"
    else:
        body = f"{HIDDEN_MARKER}\n:white_check_mark: {text}\n\n_{footer}_"
    return _rendered(body)


def is_own_body(body: Any) -> bool:
    """True when a comment body (any format, any API version) was written by Refinery."""
    text = body if isinstance(body, str) else json.dumps(body)
    return HIDDEN_MARKER in text or "<!-- refinery" in text or SIGNATURE in text


def body_hash(body: Any) -> str:
    """A stable digest of a body: the ledger compares it to know whether to edit."""
    text = body if isinstance(body, str) else json.dumps(body, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def _rendered(body: Any) -> Rendered:
    return Rendered(body, body_hash(body))


def _footer(settings: Settings) -> str:
    label = settings.comments.opt_out_label
    note = f' Add the label "{label}" to stop these comments.' if label else ""
    return f"{SIGNATURE}: this comment is updated as the item changes.{note}"


# -- Markdown (GitHub) ----------------------------------------------------------------------------


def _markdown_findings(
    who: Person | None,
    templates: CommentTemplates,
    lines: list[Line],
    footer: str,
    counted: Sequence[str] = (),
) -> str:
    mention = f"@{who.id} " if who and who.id else ""
    parts = [HIDDEN_MARKER, f"{mention}{templates.header}", ""]
    for line in lines:
        seen = f" ({_md_escape(quote(line.evidence))})" if line.evidence else ""
        parts.append(f"- **{_md_escape(line.message)}**{seen}")
        if line.how_to:
            parts.append(f"  {_md_escape(line.how_to)}")
    if counted:
        parts += ["", "What already counts:"]
        parts += [f"- {_md_escape(entry)}" for entry in counted]
    parts += ["", f"_{footer}_"]
    return "\n".join(parts)


def _md_escape(text: str) -> str:
    # Rule text is plain: keep it from opening HTML or turning words into mentions.
    return text.replace("<", "&lt;").replace(">", "&gt;").replace("@", "@\u200b")


# -- Jira wiki markup (Data Center) ---------------------------------------------------------------


def _wiki_findings(
    who: Person | None,
    templates: CommentTemplates,
    lines: list[Line],
    footer: str,
    counted: Sequence[str] = (),
) -> str:
    mention = f"{_wiki_mention(who.id)} " if who and who.id else ""
    parts = [f"{mention}{_wiki_escape(templates.header)}", ""]
    for line in lines:
        how = f" — {_wiki_escape(line.how_to)}" if line.how_to else ""
        seen = f" ({_wiki_escape(quote(line.evidence))})" if line.evidence else ""
        parts.append(f"* *{_wiki_escape(line.message)}*{seen}{how}")
    if counted:
        parts += ["", "What already counts:"]
        parts += [f"* {_wiki_escape(entry)}" for entry in counted]
    parts += ["", f"_{_wiki_escape(footer)}_"]
    return "\n".join(parts)


def _wiki_mention(user_id: str) -> str:
    """Cloud ids need the accountid: prefix; Data Center mentions a username."""
    if _ACCOUNT_ID.match(user_id):
        return f"[~accountid:{user_id}]"
    return f"[~{user_id}]"


def _wiki_escape(text: str) -> str:
    # Brackets, braces and pipes start links, macros and tables in wiki markup.
    return re.sub(r"([\[\]{}|*_])", r"\\\1", text)


# -- Atlassian Document Format (Jira Cloud) -------------------------------------------------------


def _adf_findings(
    who: Person | None,
    templates: CommentTemplates,
    lines: list[Line],
    footer: str,
    counted: Sequence[str] = (),
) -> dict[str, Any]:
    opening: list[dict[str, Any]] = []
    if who and who.id:
        mention: dict[str, Any] = {"type": "mention", "attrs": {"id": who.id}}
        if who.name:
            mention["attrs"]["text"] = f"@{who.name}"
        opening += [mention, _text(" ")]
    opening.append(_text(templates.header))
    items = []
    for line in lines:
        head = [_text(line.message, "strong")]
        if line.evidence:
            head.append(_text(f" ({quote(line.evidence)})"))
        content = [_paragraph(head)]
        if line.how_to:
            content.append(_paragraph([_text(line.how_to)]))
        items.append({"type": "listItem", "content": content})
    blocks = [_paragraph(opening)]
    if items:
        blocks.append({"type": "bulletList", "content": items})
    if counted:
        blocks.append(_paragraph([_text("What already counts:")]))
        blocks.append(
            {
                "type": "bulletList",
                "content": [
                    {"type": "listItem", "content": [_paragraph([_text(entry)])]}
                    for entry in counted
                ],
            }
        )
    blocks.append(_paragraph([_text(footer, "em")]))
    return _adf_doc(blocks)


def _adf_doc(content: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "doc", "version": 1, "content": content}


def _paragraph(content: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "paragraph", "content": content}


def _text(text: str, mark: str | None = None) -> dict[str, Any]:
    node: dict[str, Any] = {"type": "text", "text": text}
    if mark:
        node["marks"] = [{"type": mark}]
    return node
