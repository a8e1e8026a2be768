"""Rule `missing-why`: the item must say why it matters."""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from connectors.item import Item
from connectors.text import meaningful
from rules.bugs import BUG_PARAMS, bug_evidence
from rules.judgment import Prepared, find_reason
from rules.registry import Passed, Problem, rule

# Section headings whose real content is the reason for an item. Background, Context, Goal
# and Purpose are not among them: their content often only describes today's state or the
# work itself, so it is judged sentence by sentence like the rest of the text.
WHY_SECTION = re.compile(
    r"\b(?:why|motivation|problems?|problem\s+statement|rationale|(?:user|business|customer)"
    r"\s+value|benefits?|pain\s*points?|justification|reasons?|use\s+cases?)\b"
)
_TEMPLATE_SO_THAT = re.compile(r"so\s+that\s*[<{\[]|so\s+that\s+(?:tbd|\.\.\.|…)")
# Left-over template prompts in a why section: questions and instructions to the writer
# ("Is it related to a problem?", "Please describe the motivation").
_PROMPT_SENTENCE = re.compile(
    r"^\W*(?:please|describe|explain|tell\s+us|provide|include|add\s+any|if\s+(?:this|you"
    r"|applicable)|e\.g\.|ex\.|example:|n/a\b)|\?\W*$"
)
# An empty "**Why:**" followed by "**What:** ...": the text belongs to the next label.
_OTHER_LABEL = re.compile(
    r"^\W*(?:what|how|details?|description|scope|proposal|solution|summary|notes?|tasks?"
    r"|acceptance\s+criteria)\s*:"
)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n")


def why_content(content: str) -> str:
    """The first sentence of a why section that is neither a template prompt nor the next
    section's label, or "" when there is none."""
    real = meaningful(content)
    if not real:
        return ""
    low = real.lower()
    if _OTHER_LABEL.match(low):
        return ""
    if "?" not in real and not _PROMPT_SENTENCE.match(low) and ". " not in real:
        return real  # one plain statement: the common case, no splitting needed
    for sentence in _SENTENCE_END.split(real):
        sentence = sentence.strip()
        if sentence and not _PROMPT_SENTENCE.search(sentence.lower()):
            return sentence
    return ""


@lru_cache(maxsize=4096)
def is_why_heading(heading: str) -> bool:
    """True when a section heading names the reason for an item (cached: headings repeat)."""
    return isinstance(heading, str) and WHY_SECTION.search(heading) is not None


@rule(
    id="missing-why",
    summary="Says why the item matters",
    severity="warning",
    types=("story", "epic", "feature"),
    params=BUG_PARAMS,
    good=[
        {
            "title": "Prominent checkout button",
            "description": "We need a prominent button because users are struggling to find the"
            " checkout page, and we want to increase sales.",
        },
        {
            "title": "Saved carts",
            "description": "As a returning shopper I want my cart saved so that I can finish"
            " my order on another device.",
        },
        {
            "title": "Bulk export",
            "description": "## Why\nFinance reconciles invoices by hand every month.\n",
            "description_format": "markdown",
        },
    ],
    bad=[
        {"title": "Add a blue button.", "description": "Add a blue button."},
        {
            "title": "Saved carts",
            "description": "As a <role> I want <goal> so that <benefit>",
        },
        {
            "title": "Dark mode",
            "description": "### Why\n\n_No response_\n\n### Details\n\nA dark theme.",
            "description_format": "markdown",
        },
    ],
)
def missing_why(item: Item, params: Mapping[str, Any]) -> Problem | Passed | None:
    """Flag items that do not say why they matter.

    An item passes when its title or description gives a reason: a "so that …" or "in order
    to …" clause, a sentence such as "because users are struggling to …", or a Why /
    Motivation / Problem / Background / Goal / Value section with real content. Template text
    left unchanged ("so that <benefit>", "_No response_", "TBD") does not count. A backlog is
    the team's limited time: without a why, nobody can weigh this item against the others.
    """
    bug = bug_evidence(item, params)
    if bug is not None:
        return Passed(bug, "Reads as a bug report; bugs are not asked why.")
    empty_section = ""
    for heading, content in item.sections.items():
        if is_why_heading(heading):
            real = why_content(content)
            if real:
                return Passed(_first_line(item.text, real), f"The '{heading}' section says why.")
            empty_section = empty_section or heading
    title = item.title or ""
    whole = Prepared.item(title, item.text or "")
    reason, rejected = find_reason(whole, whole.low[: len(title)])
    if reason is not None:
        return Passed(reason.evidence, f"States why it matters ({reason.group.replace('_', ' ')}).")
    evidence = None
    if empty_section:
        message = f"The '{empty_section}' section is empty or still holds template text."
    elif _TEMPLATE_SO_THAT.search(whole.low):
        message = "The user-story template is unfilled: 'so that …' still holds a placeholder."
    elif rejected is not None:
        evidence = rejected.evidence
        message = "Its purpose only restates what it asks for; it does not say who gains what."
    else:
        message = "Does not say why it matters: no 'so that …' clause, reason or Why section."
    return Problem(
        message=message,
        hint="Add a 'Why' section or a 'so that …' clause naming who benefits and how.",
        evidence=evidence,
    )


def _first_line(text: str, content: str) -> str:
    """A verbatim line of the section content, found in the item's text."""
    for line in content.split("\n"):
        line = line.strip()
        if line and line in text:
            return line[:240]
    return content.split("\n")[0][:240]
