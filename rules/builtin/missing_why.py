"""Rule `missing-why`: the item must say why it matters."""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from connectors.item import Item
from rules.engine import Problem, rule
from rules.text import meaningful, phrase_pattern, searchable

# Section headings that carry the reason for an item.
WHY_SECTION = re.compile(
    r"\b(?:why|motivation|problems?|rationale|(?:user|business|customer) value|value|goals?"
    r"|objectives?|background|context|purpose|reasons?|benefits?|pain ?points?|justification)\b"
)

# After "so that", "because"...: a real word, not "<benefit>", "[value]", "TBD" or "...".
_FILLED = r"(?:\s*:)?\s+(?!tbd\b|tbc\b|n/a\b|xxx\b)(?=[^\W_])"
_WHO = (  # noqa: SIM905
    "users? customers? clients? people buyers? shoppers? merchants? admins? agents? teams?"
    " members visitors developers engineers operators owners support sales everyone we they"
).split()
_OFTEN = (
    r"(?:(?:are|were|keep|have\s+been|often|regularly|frequently|constantly|currently|still"
    r"|repeatedly|sometimes|always)\s+)*"
)
_PAIN = (
    r"(?:fail|abandon|churn|drop\w*\s+off|keep\s+asking|ask\w*\s+(?:for|us|about)|request"
    r"|los[eit]|wast|spend|miss|leav|get\s+(?:lost|confused|stuck|errors?)|giv\w*\s+up|hate"
    r"|report|run\w*\s+into|end\s+up|don'?t\s+know|do\s+not\s+know|can'?t|cannot"
    r"|could\s*n'?o?t|need\s+to\s+manually|have\s+to\s+manually)"
)
_GAIN = (
    r"(?:let|allow|enabl|help|sav|reduc|increas|improv|prevent|unblock|remov|cut|lower|speed"
    r"|avoid|eliminat|free|stop|boost|rais|simplif|grow|protect|mak\w*\s+it\s+(?:easier|faster"
    r"|possible|simpler|safer)|giv\w*\s+(?:users|customers|us|them|people))"
)
_BETTER = (
    r"(?:reduce|increase|improve|boost|lower|cut|prevent|avoid|speed\s+up|save|grow|raise"
    r"|minimi[sz]e|maximi[sz]e|eliminate|drive|lift|decrease|win|retain|attract|convert|comply"
    r"|meet|unblock|simplify|streamline)"
)
_MODAL = r"(?:(?:will|would|should|could|can|also|is\s+going\s+to)\s+)*"
_WANTERS = (  # noqa: SIM905
    "we i they the\\s+business the\\s+company the\\s+team product marketing sales finance"
    " leadership management"
).split()
_PROBLEM_NOW = r"\b[^.\n]{0,60}?\b(?:have\s+to|has\s+to|must|can'?t|cannot|unable|manual"
_PROBLEM_NOW += r"(?:ly)?|takes?\s|impossible|no\s+way)"

# Causal phrasings, matched on searchable(title, text); each phrase is one way of saying why.
# They are deliberately specific: a bare "to" or "for" is not a reason.
WHY_TEXT = phrase_pattern(
    [
        # so that / so I can / so finance can / in order to / because / due to
        r"so\s+(?:that|(?:[a-z'-]+\s+){1,3}?(?:can|could|will|would|won'?t|don'?t|do\s+not"
        r"|no\s+longer|are\s+able|is\s+able|have|get|stop|may|might|never))\b" + _FILLED,
        r"in\s+order\s+(?:to|for|that)\b" + _FILLED,
        r"because\b(?:\s+of)?" + _FILLED,
        r"due\s+to" + _FILLED,
        r"as\s+a\s+result\s+of" + _FILLED,
        # struggling / complain / frustrated: a problem whoever has it
        r"struggl",
        r"complain",
        r"frustrat",
        r"confus(?:ed|ing|ion)\b",
        r"unable\s+to\b",
        r"pain\s*points?\b",
        r"painful\b",
        r"bottleneck",
        # users keep losing / customers abandon / we waste
        *(rf"{who}\s+{_OFTEN}{_PAIN}" for who in _WHO),
        # this will let / which helps / the change saves
        *(
            rf"{subject}\s+{_MODAL}{_GAIN}"
            for subject in ("this", "it", "that", "which", "doing\\s+so", "the\\s+change")
        ),
        *(rf"helps?\s+{who}\s+\w" for who in (*_WHO, "us", "the\\s+team", "them")),
        # we want to increase sales / to reduce churn for new users
        *(
            rf"{who}\s+(?:want|wants|need|needs|aim|aims|hope|hopes|would\s+like|are\s+trying"
            rf"|is\s+trying|plan|plans)\s+to\s+{_BETTER}"
            for who in _WANTERS
        ),
        rf"to\s+{_BETTER}\b[^.\n]{{1,80}}?\b(?:for|of|so|among|across)\b",
        # the goal is / leads to / costs us / 40 tickets a week
        r"the\s+(?:goal|reason|problem|motivation|benefit|purpose|rationale|aim)\s+(?:is|was"
        r"|here\s+is)\b" + _FILLED,
        r"costs?\s+us\b",
        r"leads?\s+to\b",
        r"leading\s+to\b",
        r"led\s+to\b",
        r"results?\s+in\b",
        r"resulting\s+in\b",
        *(
            rf"{noun}\s+(?:a|per|each|every)\s+(?:day|week|month)"
            for noun in ("tickets?", "complaints?", "requests?")
        ),
        # currently people have to ... / today it takes ...
        *(
            moment + _PROBLEM_NOW
            for moment in ("currently", "today", "right\\s+now", "at\\s+the\\s+moment")
        ),
    ]
)
_TEMPLATE_SO_THAT = re.compile(r"so\s+that\s*[<{\[]|so\s+that\s+(?:tbd|\.\.\.|…)")


@lru_cache(maxsize=4096)
def is_why_heading(heading: str) -> bool:
    """True when a section heading names the reason for an item (cached: headings repeat)."""
    return isinstance(heading, str) and WHY_SECTION.search(heading) is not None


@rule(
    id="missing-why",
    summary="Says why the item matters",
    severity="warning",
    types=("story", "epic", "feature"),
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
def missing_why(item: Item, params: Mapping[str, Any]) -> Problem | None:
    """Flag items that do not say why they matter.

    An item passes when its title or description gives a reason: a "so that …" or "in order
    to …" clause, a sentence such as "because users are struggling to …", or a Why /
    Motivation / Problem / Background / Goal / Value section with real content. Template text
    left unchanged ("so that <benefit>", "_No response_", "TBD") does not count. A backlog is
    the team's limited time: without a why, nobody can weigh this item against the others.
    """
    empty_section = ""
    for heading, content in item.sections.items():
        if is_why_heading(heading):
            if meaningful(content):
                return None
            empty_section = empty_section or heading
    text = searchable(item.title, item.text)
    if WHY_TEXT.search(text):
        return None
    if empty_section:
        message = f"The '{empty_section}' section is empty or still holds template text."
    elif _TEMPLATE_SO_THAT.search(text):
        message = "The user-story template is unfilled: 'so that …' still holds a placeholder."
    else:
        message = "Does not say why it matters: no 'so that …' clause, reason or Why section."
    return Problem(
        message=message,
        hint="Add a 'Why' section or a 'so that …' clause naming who benefits and how.",
    )
