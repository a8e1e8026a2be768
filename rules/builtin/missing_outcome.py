"""Rule `missing-outcome`: the item must name how success will be measured."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from connectors.item import Item
from rules.engine import Problem, rule
from rules.text import meaningful

# Section headings that carry an outcome metric. "Acceptance criteria" is not one of them.
OUTCOME_SECTION = re.compile(
    r"\b(?:outcomes?|success\s+(?:metrics?|criteria|measures?|indicators?)|kpis?"
    r"|expected\s+(?:impact|results?|outcomes?)|measures?\s+of\s+success|metrics?"
    r"|how\s+(?:will\s+|do\s+|would\s+)?we\s+(?:will\s+)?(?:measure|know)|okrs?"
    r"|key\s+results?|target\s+metrics?|definition\s+of\s+success)\b"
)

_NUM = r"[~≈]?[$€£]?\d+(?:[.,]\d+)?"
_PCT = r"\s*(?:%|percent\b|pp\b|percentage\s+points?\b)"
_UNIT = (
    rf"(?:{_PCT}|\s*(?:ms|milliseconds?|s|secs?|seconds?|mins?|minutes?|h|hrs?|hours?|days?"
    r"|weeks?|x|k|m|bn|[$€£])\b|×)"
)
# Within one sentence: a "." only counts as the end when no digit follows (2.1% stays whole).
_NEAR = r"(?:[^.\n]|\.(?=\d)){0,80}?"
# Verb stems with their inflections only ("drop", "dropped", never "dropdown"), plus nouns.
_DIRECTION = (
    r"\b(?:(?:rais|increas|grow|boost|improv|lift|doubl|tripl|reduc|decreas|cut|lower|drop"
    r"|shrink|halv|minimi[sz]|maximi[sz]|keep|stay|reach|hit|achiev|driv|shorten|accelerat"
    r"|declin|fall|ris|climb|bring|brought)(?:e|es|ed|ing|s|d|n|ped|ping|ting)?"
    r"|(?:bring|brought|get|got|go|speed)(?:s|ing|ting)?\s+(?:down|to|up)"
    r"|reduction|improvement|growth|uplift)\b"
)
_TARGET = (
    # by 30% / by 2 (not "by 2025-03-01" nor "by 03/01")
    rf"\bby\s+(?!(?:19|20)\d\d\b){_NUM}(?![\d/:-])"
    rf"|\bfrom\s+{_NUM}{_UNIT}?\s*(?:to|->|→|–|-)\s*{_NUM}"
    rf"|\bto\s+(?:under\s+|below\s+|over\s+|above\s+|less\s+than\s+|more\s+than\s+"
    rf"|at\s+least\s+|at\s+most\s+)?{_NUM}{_UNIT}"
    rf"|(?:\b(?:under|below|over|above|beneath|less\s+than|more\s+than|fewer\s+than"
    rf"|at\s+least|at\s+most|no\s+more\s+than)\s*|[<>≤≥]=?\s*){_NUM}"
    rf"|{_NUM}{_PCT}|{_NUM}\s*(?:k|m)\b"
)
_METRIC = (
    r"\b(?:p\d{2}(?:\.\d+)?|latency|response\s+times?|load\s+times?|page\s+loads?|ttfb|lcp|inp"
    r"|apdex|conversion(?:\s+rate)?|churn(?:\s+rate)?|retention|nps|csat|error\s+rate|errors"
    r"|crash\w*(?:\s+rate)?|uptime|availability|bounce\s+rate|time\s+to\s+\w+|mttr|tickets"
    r"|revenue|sales|sign-?ups|activation|adoption|engagement|dau|wau|mau|active\s+users"
    r"|abandonment|drop-?off|throughput|success\s+rate|completion\s+rate|ctr|arpu|ltv|cac)\b"
)
# A measurable target: a metric moving in a direction by an amount, or held to a threshold.
TARGET_TEXT = re.compile(
    rf"{_DIRECTION}{_NEAR}(?:{_TARGET})"
    rf"|{_METRIC}(?:[^.\n]|\.(?=\d)){{0,40}}?(?:[<>≤≥]=?\s*{_NUM}|\b(?:under|below|over|above"
    rf"|less\s+than|more\s+than|fewer\s+than|at\s+least|at\s+most|within|no\s+more\s+than)\s+"
    rf"{_NUM}|\b(?:of|at|to|is|reaches|hits|=|:)\s*{_NUM}{_UNIT}"
    rf"|{_NUM}\s*(?:\+|or\s+(?:higher|more|above|better|lower|less|below|fewer|faster)\b))"
    rf"|\bfrom\s+{_NUM}{_PCT}\s*(?:to|->|→)\s*{_NUM}{_PCT}"
    # a 15% increase / 30% fewer tickets
    rf"|{_NUM}{_PCT}\s+(?:increase|decrease|reduction|improvement|drop|growth|uplift|lift|fewer"
    r"|more|less|higher|lower|faster|shorter)\b"
)
_CHECKLIST = re.compile(r"^\[[ x]\] |acceptance criteria|definition of done|given .+ when ", re.M)


@rule(
    id="missing-outcome",
    summary="Names an outcome metric",
    severity="warning",
    types=("story", "epic", "feature"),
    good=[
        {
            "title": "One-page checkout",
            "description": "Raise checkout conversion from 2.1% to 2.5% within a quarter.",
        },
        {
            "title": "Faster search",
            "description": "## Outcome\nSearch p95 under 200 ms for all tenants.",
            "description_format": "markdown",
        },
        {"title": "Self-serve refunds", "outcome": "Cut refund tickets by 30%"},
    ],
    bad=[
        {"title": "Add a blue button.", "description": "Add a blue button."},
        {
            "title": "Saved carts",
            "description": "## Acceptance criteria\n- [ ] cart survives logout\n"
            "- [ ] cart holds up to 50 items",
            "description_format": "markdown",
        },
        {
            "title": "Upgrade to version 2",
            "description": "Step 3 of the migration plan, due 2025-03-01 (see #1234).",
        },
    ],
)
def missing_outcome(item: Item, params: Mapping[str, Any]) -> Problem | None:
    """Flag items that do not say how success will be measured.

    An item passes when it has an Outcome / Success metrics / KPI / Expected impact section
    with real content, a value in the configured outcome field, or a measurable target in its
    text: a metric with a direction and an amount or threshold ("raise checkout conversion
    from 2.1% to 2.5%", "cut support tickets by 30%", "p95 under 200 ms"). Acceptance criteria
    say when the work is done, not whether it worked, so they do not count on their own.
    """
    if meaningful(item.outcome):
        return None
    empty_section = ""
    for heading, content in item.sections.items():
        if OUTCOME_SECTION.search(heading):
            if meaningful(content):
                return None
            empty_section = empty_section or heading
    text = f"{item.title}\n{item.text}".lower()
    if TARGET_TEXT.search(text):
        return None
    if empty_section:
        message = f"The '{empty_section}' section is empty or still holds template text."
    elif _CHECKLIST.search(text):
        message = (
            "Has acceptance criteria but no outcome metric: they say when the work is done,"
            " not whether it worked."
        )
    else:
        message = "Names no outcome metric: nothing says how success will be measured."
    return Problem(
        message=message,
        hint="Add an 'Outcome' section with a metric, a direction and a target,"
        " e.g. 'Raise checkout conversion from 2.1% to 2.5%'.",
    )
