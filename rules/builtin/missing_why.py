"""Rule `missing-why`: the item must say why it matters."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from connectors.item import Item
from rules.engine import Problem, rule
from rules.text import meaningful

# Section headings that carry the reason for an item.
WHY_SECTION = re.compile(
    r"\b(?:why|motivation|problems?|rationale|(?:user|business|customer) value|value|goals?"
    r"|objectives?|background|context|purpose|reasons?|benefits?|pain ?points?|justification)\b"
)

# After "so that", "because"...: a real word, not "<benefit>", "[value]", "TBD" or "...".
_FILLED = r"(?:\s*:)?\s+(?!tbd\b|tbc\b|n/a\b|xxx\b)(?=[^\W_])"
_WHO = (
    r"(?:users?|customers?|clients?|people|buyers?|shoppers?|merchants?|admins?|agents?|teams?"
    r"|members|visitors|developers|engineers|operators|owners|support|sales|everyone|we|they)"
)
_GAIN = (
    r"(?:let|allow|enabl|help|sav|reduc|increas|improv|prevent|unblock|remov|cut|lower|speed"
    r"|avoid|eliminat|free|stop|boost|rais|simplif|grow|protect|mak\w*\s+it\s+(?:easier|faster"
    r"|possible|simpler|safer)|giv\w*\s+(?:users|customers|us|them|people))"
)
# Causal phrasings, matched on lower-cased title + text; each alternative is one way of saying
# why. They are deliberately specific: a bare "to" or "for" is not a reason.
WHY_TEXT = re.compile(
    "|".join(
        (
            # so that / so I can / so users can / in order to
            r"\bso\s+(?:that|(?:[a-z'-]+\s+){1,3}?(?:can|could"
            r"|will|would|won'?t|don'?t|do\s+not|no\s+longer|are\s+able|is\s+able|have|get"
            rf"|stop|may|might|never))\b{_FILLED}",
            rf"\bin\s+order\s+(?:to|for|that)\b{_FILLED}",
            rf"\b(?:because|due\s+to|as\s+a\s+result\s+of)\b(?:\s+of)?{_FILLED}",
            # users are struggling / customers complain / we keep losing deals
            rf"\b{_WHO}\s+(?:(?:are|were|keep|have\s+been|often|regularly|frequently|constantly"
            r"|currently|still|repeatedly|sometimes|always)\s+)*(?:struggl|complain|confus"
            r"|frustrat|unable|can'?t|cannot|could\s*n'?o?t|fail|abandon|churn|drop\w*\s+off"
            r"|keep\s+asking|ask\w*\s+(?:for|us|about)|request|los[eit]|wast|spend|miss|leav"
            r"|get\s+(?:lost|confused|stuck|errors?)|giv\w*\s+up|hate|report|run\w*\s+into"
            r"|end\s+up|don'?t\s+know|do\s+not\s+know|need\s+to\s+manually|have\s+to\s+manually)",
            # this will let / which helps / the change saves
            rf"\b(?:this|it|that|which|doing\s+so|the\s+change|the\s+feature)\s+(?:(?:will|would"
            rf"|should|could|can|also|is\s+going\s+to)\s+)*{_GAIN}",
            rf"\bhelps?\s+(?:{_WHO}|us|the\s+team|them)\s+\w",
            # we want to increase sales / to reduce churn for new users
            r"\b(?:we|i|they|the\s+business|the\s+company|the\s+team|product|marketing|sales"
            r"|finance|leadership|management)\s+(?:want|wants|need|needs|aim|aims|hope|hopes"
            r"|would\s+like|are\s+trying|is\s+trying|plan|plans)\s+to\s+(?:reduce|increase"
            r"|improve|boost|lower|cut|prevent|avoid|speed\s+up|save|grow|raise|minimi[sz]e"
            r"|maximi[sz]e|eliminate|drive|lift|decrease|win|retain|attract|convert|comply|meet)",
            r"\bto\s+(?:reduce|increase|improve|boost|lower|cut|prevent|avoid|speed\s+up|save"
            r"|grow|raise|minimi[sz]e|maximi[sz]e|eliminate|unblock|drive|lift|decrease|simplify"
            r"|streamline)\b[^.\n]{1,80}?\b(?:for|of|so|among|across)\b",
            # the goal is / the problem is / pain point / leads to
            rf"\bthe\s+(?:goal|reason|problem|motivation|benefit|purpose|rationale|aim)\s+(?:is"
            rf"|was|here\s+is)\b{_FILLED}",
            r"\b(?:pain\s*points?|painful|bottleneck|costs?\s+us|we\s+are\s+losing"
            r"|(?:leads?|leading|led)\s+to|results?\s+in|resulting\s+in|customers?\s+complain)\b",
            r"\b(?:tickets?|complaints?|requests?)\s+(?:a|per|each|every)\s+(?:day|week|month)",
            # currently people have to ... / today it takes ...
            r"\b(?:currently|today|right\s+now|at\s+the\s+moment)\b[^.\n]{0,60}?\b(?:have\s+to"
            r"|has\s+to|must|can'?t|cannot|unable|manual(?:ly)?|takes?\s|impossible|no\s+way)",
        )
    )
)
_TEMPLATE_SO_THAT = re.compile(r"\bso\s+that\s*[<{\[]|\bso\s+that\s+(?:tbd|\.\.\.|…)")


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
        if WHY_SECTION.search(heading):
            if meaningful(content):
                return None
            empty_section = empty_section or heading
    text = f"{item.title}\n{item.text}".lower()
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
