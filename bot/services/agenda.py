"""The refinement agenda: one question per unready item, the dependencies among the items,
and the items that may already exist under another key.

The question comes from what the item lacks, so the meeting discusses the what and the why
instead of reading a list of rule ids.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.services.report import ItemResult
from connectors.item import Item

# The first rule in this order that an item fails chooses its question.
QUESTIONS: dict[str, str] = {
    "missing-why": "Why does this matter, and to whom?",
    "missing-outcome": "How will we know it worked?",
    "missing-estimate": "Is it small enough? What would the team estimate?",
}


@dataclass(frozen=True)
class Dependency:
    """`source` <link type> `target`, both on the agenda ("PAY-3 blocks PAY-9")."""

    source: str
    kind: str
    target: str

    def line(self) -> str:
        return f"{self.source} {self.kind} {self.target}"


@dataclass(frozen=True)
class LikelyDuplicate:
    key: str  # on the agenda
    other: str  # a stored item that reads alike
    other_title: str
    other_url: str
    score: float


def question_for(result: ItemResult) -> str:
    """One question for the meeting, from the most basic thing the item lacks."""
    failed = {finding.rule: finding for finding in result.findings}
    for rule_id, question in QUESTIONS.items():
        if rule_id in failed:
            return question
    if result.findings:  # a rule without a question of its own: ask about its message
        message = result.findings[0].message.rstrip(".")
        return f"{message}: what should it say?"
    return "Is it ready to start?"


def dependencies(items: Sequence[Item]) -> list[Dependency]:
    """Links (and parent/child) between items on the agenda, each pair once."""
    keys = {item.key for item in items}
    seen: set[frozenset[str]] = set()
    found: list[Dependency] = []
    for item in items:
        pairs = [(link.type, link.target) for link in item.links]
        if item.parent:
            pairs.append(("is a child of", item.parent))
        for kind, target in pairs:
            pair = frozenset((item.key, target))
            if target in keys and target != item.key and pair not in seen:
                seen.add(pair)
                found.append(Dependency(item.key, kind, target))
    return found
