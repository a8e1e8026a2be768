"""Ticket comments from findings: Refinery's words here, each tracker's markup (Markdown, ADF,
wiki) written by its connector's formatter."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.config import Settings
from connectors import registry
from connectors.base import BodyFormat
from connectors.comments import Entry, FindingsBody, ReadyBody
from connectors.github.body import HIDDEN_MARKER
from connectors.item import Item, Person
from rules.engine import Finding, Verdict

# Every body Refinery posts carries this signature; webhooks use it to skip our own comments.
SIGNATURE = "Posted by Refinery"
COUNTED_TITLE = "What already counts:"


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
    content = FindingsBody(
        mention=mention_target(item),
        header=settings.comments.templates.header,
        entries=[
            Entry(line.message, quote(line.evidence) if line.evidence else None, line.how_to)
            for line in lines_for(findings, item, settings)
        ],
        counted_title=COUNTED_TITLE,
        counted=counted_lines(verdicts),
        footer=_footer(settings),
    )
    return _rendered(registry.formatter(fmt).findings(content))


def render_ready(fmt: BodyFormat, settings: Settings) -> Rendered:
    """Build the short "ready" note that replaces the findings once all are fixed."""
    content = ReadyBody(settings.comments.templates.ready, _footer(settings))
    return _rendered(registry.formatter(fmt).ready(content))


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
