"""Rule `missing-outcome`: the item must name how success will be measured."""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from connectors.item import Item
from connectors.text import meaningful
from rules.bugs import BUG_PARAMS, bug_evidence
from rules.judgment import Prepared, quote, sentence_at
from rules.phrases import phrase_pattern
from rules.registry import Passed, Problem, rule

# Section headings that carry an outcome metric. "Acceptance criteria" is not one of them.
OUTCOME_SECTION = re.compile(
    r"\b(?:outcomes?|success\s+(?:metrics?|criteria|measures?|indicators?)|kpis?"
    r"|expected\s+(?:impact|results?|outcomes?)|measures?\s+of\s+success|metrics?"
    r"|how\s+(?:will\s+|do\s+|would\s+)?we\s+(?:will\s+)?(?:measure|know)|okrs?"
    r"|key\s+results?|target\s+metrics?|definition\s+of\s+success)\b"
)

# A target is anchored on a number with a unit ("30%", "200 ms") or a preposition ("by 3",
# "under 200", "< 1%"). One pass finds those candidates, jumping from space to space; only
# then is the sentence before the number searched for a direction or a metric.
_UNIT_AHEAD = (
    r"\s*(?:%|percent\b|pp\b|percentage\s+points?\b|ms\b|milliseconds?\b|s\b|secs?\b|seconds?\b"
    r"|mins?\b|minutes?\b|h\b|hrs?\b|hours?\b|days?\b|weeks?\b|x\b|k\b|m\b|bn\b|×|\+"
    r"|or\s+(?:higher|more|above|better|lower|less|below|fewer|faster)\b)"
)
_CANDIDATE = re.compile(
    # a cheap look at the first characters after each space rejects most words at once
    r" (?=[0-9<>≤≥~≈$€£]|by|be|fr|un|ov|ab|wi|le|mo|fe|at|no)"
    r"(?:(?P<prep>by|below|beneath|from|under|over|above|within|(?:less|more|fewer|no\s+more)"
    r"\s+than|at\s+(?:least|most))\s+(?:(?:about|around|roughly|approximately|only|just)\s+)?"
    r"[~≈$€£]?(?=[0-9])|(?P<op>[<>≤≥]=?)\s*[~≈$€£]?(?=[0-9])"
    rf"|[~≈]?(?=[0-9][0-9.,]*(?:\s*[-–]\s*[0-9]+)?{_UNIT_AHEAD})|(?P<money>[$€£])(?=[0-9]))"
)
# Not dates nor 2.4.1; a range ("2-3 minutes") is one amount.
_NUMBER = re.compile(
    r"[0-9]+(?:[.,][0-9]+)?(?:\s*[-–]\s*[0-9]+(?:[.,][0-9]+)?)?(?![0-9]|[/:.,-][0-9])"
)
# "less than a second": an amount in words.
_WORD_AMOUNT = re.compile(
    r" (?:less\s+than|under|below|within|at\s+most|no\s+more\s+than)\s+(?:a|one|half\s+a)\s+"
    r"(?:second|minute|millisecond)\b"
)
# "has a p50 latency of 10ms", "is currently 200 ms": a measurement of today, not a target.
_OR_MORE = re.compile(r"\s*or\s+(?:higher|more|above|better|lower|less|below|fewer|faster)\b")
_BASELINE = re.compile(r"(?: of| is| was| at| currently| now| today| takes| taking)\s*$")
_PERCENT = re.compile(r"\s*(?:%|percent\b|pp\b|percentage\s+points?\b)")
_UNIT = re.compile(rf"(?={_UNIT_AHEAD})")
_FROM_TO = re.compile(r"\s*\S{0,12}\s*(?:to|->|→|–|-)\s*[~≈$€£]?[0-9]")
_DURATION = re.compile(r"\s*(?:mins?|minutes?|h|hrs?|hours?|days?|weeks?|months?|years?)\b")
_TIMEFRAME = (" in", " within", " every", " for", " after", " next", " per", " each", " last")
_PERCENT_CHANGE = re.compile(
    r"\s*(?:%|percent|pp|percentage\s+points?|x|×|times)\s+(?:increase|decrease|reduction"
    r"|improvement|drop|growth|uplift|lift|fewer|more|less|higher|lower|faster|shorter|quicker"
    r"|smaller|cheaper|speed-?up|throughput)\b"
)
# "the minimum Xcode version from 7.0 to 7.3", "a timeout of 30 s": settings, not targets.
_SETTING = re.compile(
    r"\b(?:versions?|release|sdk|api\s+level|minimum|maximum|limits?|timeouts?|ports?|quota"
    r"|max|min|threshold\s+setting|interval|retention\s+period|default|(?:page|batch|pool|buffer"
    r"|chunk|cache)\s+size)\b"
)
_STEMS = (
    "rais increas grow boost improv lift doubl tripl reduc decreas cut lower drop shrink halv"
    " minimis minimiz maximis maximiz keep stay reach hit achiev driv shorten accelerat declin"
    " fall ris climb bring brought optimi[sz]"
)
# Verbs match with their inflections only ("drop", "dropped", never "dropdown").
_DIRECTION = phrase_pattern(
    [rf"{stem}(?:e|es|ed|ing|s|d|n|ped|ping|ting)?\b" for stem in _STEMS.split()]
    + [rf"{verb}\s+(?:down|to|up)\b" for verb in ("get", "gets", "got", "go", "goes", "speed")]
    + [r"(?:get|gets|got|getting)\s+(?:it|this|that|them)\s+(?:below|under|down|to|above)\b"]
    # "get the hourly run down to 20 minutes", "get `tool --version` under 200 ms"
    + [r"(?:get|gets|getting)\s+(?:[\w`'./-]+\s+){1,5}?(?:below|under|down\s+to|back\s+under)\b"]
    # "losses down by at least 60%", "walking distance down from 310 m to 220 m"
    + [r"(?:down|up)\s+(?:by|from)\b"]
    # an amount in a purpose is the result wanted: "so that check-in takes under 2 minutes"
    + [r"so\s+that\b", r"so\s+(?:we|i|they|it)\s+(?:can|will)\b", r"in\s+order\s+to\b"]
    + [r"sav(?:e|es|ed|ing)\b"]
    + ["reduction", "improvement", "growth", "uplift", "freed", "free\\s+up", "frees\\s+up"]
)
_METRIC = phrase_pattern(
    (  # noqa: SIM905
        r"p\d{2}(?:\.\d+)?\b percentile timings? build\s+times?"
        r" memory\s+usage heap\s+usage footprint latency response\s+times? load\s+times?"
        r" page\s+loads? ttfb lcp inp"
        r" apdex conversion churn retention nps csat error\s+rate errors crash uptime availability"
        r" bounce\s+rate time\s+to\s+\w+ mttr tickets revenue sales sign-?ups activation adoption"
        r" engagement dau wau mau active\s+users abandonment drop-?off throughput success\s+rate"
        r" completion\s+rate ctr arpu ltv cac"
    ).split()
)
_CHECKLIST = (" [ ] ", " [x] ", "acceptance criteria", "definition of done")
# "Target: RTO of 15 minutes or less", "Success = zero-result searches under 5%": a label
# that makes the amount after it the target (a few words may sit between them).
_GOAL_LABEL = re.compile(
    r"(?:\b(?:goal|target|objective|aim)s?\s*(?::|is|=|should\s+be)"
    r"|\bsuccess\s*(?::|=|means|is\s+when))\s*(?:[\w`'./-]+\s+){0,5}$"
)
# Headings under which an amount is the target: "Goal", "Aim", "Targets", "Measure".
GOAL_HEADING = re.compile(r"^\W*(?:goals?|aims?|targets?|objectives?|measures?|measurement)\W*$")


def find_target(text: str, low: str, *, labelled: bool = False) -> tuple[int, int] | None:
    """The span of the first measurable target in `text` (a searchable form: one leading
    space, words after spaces), or None. `low` holds the same text with its line breaks,
    shifted by one, for telling where a sentence starts. `labelled`: the text sits under a
    goal heading, so an amount that is no setting, date or timeframe needs no direction."""
    shift = len(text) - len(low)
    for candidate in _CANDIDATE.finditer(text):
        number = _NUMBER.match(text, candidate.end())
        if number is None:
            continue
        start, end = number.span()
        prep = candidate.group("prep") or candidate.group("op")
        unit = candidate.group("money") is not None or _UNIT.match(text, end) is not None
        if prep == "from" and not _FROM_TO.match(text, end):
            prep = None
        if prep == "by" and not unit and 1900 <= float(number.group().replace(",", ".")) < 2100:
            continue  # "by 2026" is a date
        if not prep and not unit:
            continue
        if (prep == "within" or text.endswith(_TIMEFRAME, 0, candidate.start())) and (
            not unit or _DURATION.match(text, end)
        ):
            continue  # "in 2 weeks", "every 3 days": when, not how much
        if _PERCENT_CHANGE.match(text, end):
            return candidate.start(), end  # "a 15% increase", "a 3x speedup"
        if _SETTING.search(text, max(start - 60, 0), start):
            continue
        sentence = max(
            text.rfind(". ", 0, start),
            low.rfind("\n", 0, max(start - shift, 0)) + shift,
            start - 100,
            0,
        )
        if (
            labelled
            or _DIRECTION.search(text, sentence, start)
            or _GOAL_LABEL.search(text, max(sentence, candidate.start() - 60), candidate.start())
        ):
            return candidate.start(), end
        baseline = not prep and _BASELINE.search(text, max(0, start - 12), start)
        if baseline and _OR_MORE.match(text, end):
            baseline = None  # "an NPS of 40 or higher" is a threshold
        if not baseline and _METRIC.search(text, max(sentence, start - 60), start):
            return candidate.start(), end
    for amount in _WORD_AMOUNT.finditer(text):
        sentence = max(text.rfind(". ", 0, amount.start()), amount.start() - 100, 0)
        if _METRIC.search(text, sentence, amount.start()):
            return amount.start(), amount.end()
    return None


@lru_cache(maxsize=4096)
def is_outcome_heading(heading: str) -> bool:
    """True when a section heading names the outcome of an item (cached: headings repeat)."""
    return isinstance(heading, str) and OUTCOME_SECTION.search(heading) is not None


@rule(
    id="missing-outcome",
    summary="Names an outcome metric",
    severity="warning",
    types=("story", "epic", "feature"),
    params=BUG_PARAMS,
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
def missing_outcome(item: Item, params: Mapping[str, Any]) -> Problem | Passed | None:
    """Flag items that do not say how success will be measured.

    An item passes when it has an Outcome / Success metrics / KPI / Expected impact section
    with real content, a value in the configured outcome field, or a measurable target in its
    text: a metric with a direction and an amount or threshold ("raise checkout conversion
    from 2.1% to 2.5%", "cut support tickets by 30%", "p95 under 200 ms"). Acceptance criteria
    say when the work is done, not whether it worked, so they do not count on their own.
    """
    if meaningful(item.outcome):
        return Passed(str(item.outcome).strip()[:240], "The outcome field names the target.")
    bug = bug_evidence(item, params)
    if bug is not None:
        return Passed(bug, "Reads as a bug report; bugs are not asked for an outcome.")
    empty_section = ""
    for heading, content in item.sections.items():
        if is_outcome_heading(heading):
            real = meaningful(content)
            if real:
                line = next((ln.strip() for ln in real.split("\n") if ln.strip() in item.text), "")
                return Passed(line[:240] or None, f"The '{heading}' section names the outcome.")
            empty_section = empty_section or heading
    for heading, content in item.sections.items():
        if isinstance(heading, str) and GOAL_HEADING.match(heading.lower()) and content:
            under = Prepared.item("", content)
            found = find_target(under.search, under.low, labelled=True)
            if found is not None:
                s_start, s_end = sentence_at(under, found[0], found[1] - 1)
                evidence = quote(under, s_start, s_end, found[0], found[1] - 1)
                return Passed(evidence, f"The '{heading}' section names a measurable target.")
    whole = Prepared.item(item.title or "", item.text or "")
    span = find_target(whole.search, whole.low)
    if span is not None:
        start, end = span[0], span[1] - 1  # searchable offsets are one ahead
        s_start, s_end = sentence_at(whole, start, end)
        return Passed(quote(whole, s_start, s_end, start, end), "Names a measurable target.")
    text = " " + whole.low.replace("\n", " ") + " "
    if empty_section:
        message = f"The '{empty_section}' section is empty or still holds template text."
    elif any(mark in text for mark in _CHECKLIST):
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
