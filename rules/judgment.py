"""Sentence-level reading for the why and outcome rules: cue candidates, then judgment.

A cue ("so that", "because", "is too slow", "would be useful") only proposes a reason. The
sentence around it then decides: a cue inside quoted UI text, inside a template prompt left
unchanged, or a purpose clause that only restates what the item asks for ("unpublish it so
that it is no longer visible") is not a reason. What counts is quoted verbatim as evidence.

Text is searched in a form that keeps every offset (lower case, quotes and newlines as
spaces, one leading space) so that a match maps straight back to the author's own words.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import NamedTuple

import snowballstemmer  # type: ignore[import-untyped]

from connectors.text import has_prompt_words, strip_prompts
from rules.phrases import phrase_pattern
from rules.why_cues import CUE_GROUPS, RESTATING_GROUPS

__all__ = [
    "CUE_GROUPS",
    "RESTATE_CHECKS",
    "Prepared",
    "Reason",
    "find_reason",
    "only_groups",
    "sentence_at",
]

# Characters that may stand before a word; turned into spaces so phrases start after a space.
_TO_SPACE = '\n\t\r("“”‘*_[{>|/'
_MAX_EVIDENCE = 240


class Prepared(NamedTuple):
    """One text (a title or a description), its lower-case form and its searchable form."""

    original: str
    low: str
    search: str  # " " + low with quotes and line breaks as spaces: offsets shift by one

    @staticmethod
    def item(title: str, text: str) -> Prepared:
        """The title and the text as one, on lines of their own: one scan reads both, and
        no sentence runs from one into the other (cached: the why and outcome rules read the
        same item in turn)."""
        return _prepare(f"{title}\n{text}" if text else title)


@lru_cache(maxsize=8)
def _prepare(text: str) -> Prepared:
    """Prepare `text`; template prompts are blanked in the searched forms only."""
    low = text.lower()
    if has_prompt_words(low):
        low = strip_prompts(text).lower()
    if len(low) != len(text):  # a few characters grow when lowered ("İ"): keep offsets
        low = "".join(c.lower() if len(c.lower()) == 1 else c for c in strip_prompts(text))
    search = low
    for char in _TO_SPACE:  # a few str.replace calls beat one str.translate (measured)
        if char in search:
            search = search.replace(char, " ")
    return Prepared(text, low, " " + search)


_BOUNDARY = re.compile(r"[.!?;:](?=\s)|\n")


def sentence_at(text: Prepared, start: int, end: int) -> tuple[int, int]:
    """The span (in `text.original`) of the sentence around [start, end)."""
    low = text.low
    left = max(
        low.rfind(". ", 0, start),
        low.rfind("! ", 0, start),
        low.rfind("? ", 0, start),
        low.rfind("\n", 0, start),
    )
    left = 0 if left < 0 else left + 1
    match = _BOUNDARY.search(low, end)
    right = match.start() + (0 if low[match.start()] == "\n" else 1) if match else len(low)
    while left < right and low[left].isspace():
        left += 1
    while right > left and low[right - 1].isspace():
        right -= 1
    return left, right


def quote(text: Prepared, start: int, end: int, cue_start: int, cue_end: int) -> str:
    """The verbatim evidence: the sentence, or a window of it around the cue when it is long."""
    if end - start > _MAX_EVIDENCE:
        start = max(start, cue_start - 100)
        end = min(end, max(cue_end, start) + 140)
        while start > 0 and not text.original[start - 1].isspace() and start < cue_start:
            start += 1
        while end < len(text.original) and not text.original[end].isspace() and end > cue_end:
            end -= 1
    return text.original[start:end].strip()


# --- restatement ------------------------------------------------------------------------

_STOP = frozenset(
    (  # noqa: SIM905
        "a an the i we you he she they it its it's my our your their his her them us me this"
        " that these those to of in on at for with from by as and or but so can could will"
        " would should may might must be is are was were been being am do does did have has"
        " had not no more most very also just only all any some each every there here what"
        " which who whom when where how why than then into onto about up down out over under"
        " able easily quickly easy simply new own one want wants need needs like would also"
        " sure get gets getting make makes user users someone people everyone anyone others"
        " account"
    ).split()
)
_STEMMER = snowballstemmer.stemmer("english")


@lru_cache(maxsize=8192)
def _stem(word: str) -> str:
    """The Snowball (Porter 2) stem, folded into a synonym group where it has one."""
    stem = str(_STEMMER.stemWord(word.removesuffix("'s")))
    return _SYNONYMS.get(stem, stem)


# Words that name the same act; a purpose built from them says again what the item asks.
_SYNONYM_GROUPS = (
    "find search locate look browse discover lookup filter",
    "see view show display list look overview visible visualise visualize read review know",
    "remove delete unpublish clear drop purge erase cancel revoke deactivate disable",
    "publish share available public publicly release",
    "change modify edit update customise customize configure set adjust alter",
    "create add make define generate build introduce",
    "download get obtain retrieve export fetch save",
    "notify alert inform notification message",
    "enroll enrol register signup sign join admit member membership",
    "select choose pick assign",
    "store keep retain",
    "sync synchronise synchronize",
    "prevent avoid stop block hold pause halt suspend freeze",
    "log login logon authenticate",
    "upload import load",
    "challenge prompt ask",
    "access open",
    "pay fee charge payment",
    "request apply application",
)
_SYNONYMS: dict[str, str] = {
    str(_STEMMER.stemWord(word)): str(_STEMMER.stemWord(group.split()[0]))
    for group in _SYNONYM_GROUPS
    for word in group.split()
}
_WORD = re.compile(r"[a-z0-9][a-z0-9']*")
_REMOVE = _SYNONYMS[str(_STEMMER.stemWord("remove"))]
# Seeing or knowing names a new thing to know more often than the act again ("display my
# logo so that others see our support"); consuming the feature itself is `_CONSUME`'s case.
_PERCEIVE = frozenset({_SYNONYMS[str(_STEMMER.stemWord("see"))]})


# "sign in" is logging in, "sign up" registering: the phrase decides, not the word "sign".
_SIGN = re.compile(r"\bsign(?:ed|ing|s)?[\s-]?(in|on|up)\b")


def content_words(text: str) -> set[str]:
    """Content words of lower-case `text`, stemmed and folded into synonym groups.

    A hyphenated word counts as its parts: "bit-integrity check" and "bit integrity" share
    their words.
    """
    if "sign" in text:
        text = _SIGN.sub(lambda m: " login " if m.group(1) != "up" else " register ", text)
    out = set()
    for word in _WORD.findall(text):
        if word in _STOP or len(word) < 3:
            continue
        out.add(_stem(word))
    return out


_ROLE = re.compile(r"\bas\s+(?:an?|the)\s+[^,]{0,60}?(?=,|\s+i\s+(?:want|would|need|wish|can|'d))")
# "so that I can see the list": consuming the feature itself, not a gain beyond it.
_CONSUME = re.compile(
    r"^\W*(?:i|we|everyone(?:\s+involved)?|the\s+team|they)\s+(?:can|could|will|am\s+able\s+to)"
    r"\s+(?:see|view|find|look\s+up|browse)\b"
)
# "so that I can more easily ...": a gain in speed or ease is a reason of its own.
_EASE = re.compile(
    r"\b(?:quickly|easily|faster|sooner|more\s+\w+|less\s+\w+|better|without|instead"
    r"|no\s+longer\s+(?:have|need)\s+to"
    r"|don'?t\s+have|do\s+not\s+have|never|(?:good|correct|accurate|valid)\s+\w+)\b"
    # "so that I can use the data in other tools": a use beyond the feature itself
    r"|\b(?:in|with|into|to|from)\s+(?:other|another|external|third[\s-]party|(?:my|our|their)"
    r"\s+own)\s+(?:\w+\s+)?(?:tools?|systems?|applications?|apps?|platforms?|programs?"
    r"|software|services?|projects?)\b"
)
# "so that they can be notified", "so that I can share it": the act the benefit names first
# (after its subject and modal verbs) is the act the item asks for.
_HEAD_ACT = re.compile(
    r"^\W*(?:i|we|you|they|he|she|it|the\s+team|everyone(?:\s+involved)?|others|users?|people"
    r"|customers?)\s+(?:(?:can|could|will|would|may|might|am|are|is|be|been|able|to|also|then"
    r"|now|all)\s+)*([a-z][a-z']+)"
)
# "... are published on time", "... is archived": the thing acted on, in the state the act
# puts it in.
_RESULT_STATE = re.compile(
    r"^\W*(?:[a-z'-]+\s+){1,5}?(?:is|are|gets?|will\s+be|can\s+be|be)\s+(?:then\s+|now\s+)?"
    r"([a-z]+ed)\b"
)
# "update the descriptor so that the service implements the factory interface": how the code
# is to be wired, with nobody gaining anything named.
_PEOPLE = (
    r"(?:i|we|you|he|she|they|users?|customers?|people|everyone|admins?|developers?|team|staff"
    r"|members?|anyone|someone|one)"
)
_WIRING = re.compile(
    rf"^\W*(?:(?!{_PEOPLE}\b)[\w.'-]+\s+){{1,3}}?(?:(?:will|would|can|could|should|may)\s+"
    r"(?:then\s+|now\s+|also\s+)?(?:use|implement|extend|inherit|call|invoke|be\s+(?:generated"
    r"|called|invoked|implemented|injected|registered))|(?:then\s+|now\s+|also\s+)?"
    r"(?:uses|implements|extends|inherits|calls|invokes|is\s+(?:generated|called|invoked"
    r"|implemented|injected|registered)))\b"
)
# "delete a game so that its stories are no longer stored": what removal does, said again.
_NO_LONGER = re.compile(r"\bno\s+longer\b|\bnot\s+(?:be\s+)?(?:stored|kept|visible|shown|listed)\b")


RESTATE_SHARE = 2  # a benefit restates when 1/RESTATE_SHARE of its words are the want's


def restates(want: str, benefit: str, short_restates: bool = True) -> bool:
    """True when the purpose `benefit` only says again what `want` asks for.

    Measured on content words after folding synonyms: a benefit whose words mostly occur in
    the want names no further gain ("delete a game so that its stories are no longer
    stored"); a benefit with words of its own does ("so that I don't have to retype it").
    A benefit that only consumes the feature ("so that I can see the list") restates it too.
    """
    checks = _CHECKS
    if "ease" in checks and _EASE.search(benefit):
        return False
    if "consume" in checks and _CONSUME.match(benefit):
        return True
    if "wiring" in checks and _WIRING.match(benefit):
        return True
    gain = content_words(benefit)
    if not gain or (short_restates and len(gain) <= 1):
        return True
    asked = content_words(_ROLE.sub(" ", want))
    if "same_act" in checks:
        act = _HEAD_ACT.match(benefit) or _RESULT_STATE.match(benefit)
        if act and act.group(1) not in _STOP and _stem(act.group(1)) in asked - _PERCEIVE:
            return True
    if "no_longer" in checks and _REMOVE in asked and _NO_LONGER.search(benefit):
        return True
    shared = gain & asked
    return "shared_words" in checks and len(shared) * RESTATE_SHARE >= len(gain)


# The tests `restates` makes, by name: the judgment benchmark leaves each out in turn to see
# whether it carries one source only.
RESTATE_CHECKS = frozenset({"ease", "consume", "wiring", "same_act", "no_longer", "shared_words"})
_CHECKS = RESTATE_CHECKS


_STORY_WANT = re.compile(
    r"\bas\s+(?:an?|the)\b[^.\n]{0,80}?\b(?:i|we)\s+(?:want|would\s+like|need|wish|should\s+be"
    r"\s+able)\b"
)
_WANT_BEFORE = re.compile(r"(?:want|wants|wanted|like|need|needs|wish|able|trying|tries|asked)\s+$")


# "This was done because ...", "is different from X because ...": explains the design as it
# is, not why to change it.
_HISTORY = re.compile(
    r"\b(?:was|were|is|has\s+been)\s+(?:done|chosen|designed|implemented|added|introduced|built"
    r"|written|made)\b|\bdifferent\s+(?:to|from|than)\b"
)


# Where the "I want ..." part of a story ends: a comma or dash before a new clause ("...,
# because ...", "..., which would ...", "...; right now ..."), or a semicolon.
_WANT_END = re.compile(
    r"[,:]\s+(?=(?:which|because|since|as|so|otherwise|this|that\s+(?:would|will|way)|thus"
    r"|therefore|hence|then|in\s+order|to|right\s+now|currently|today|at\s+the\s+moment)\b)"
    r"|;|\s[-–—]\s|\s(?=which\s+(?:means|meant|would|will|saves?|lets?|helps?)\b)"
    r"|\s(?=(?:because|otherwise)\b)"
)


def _in_story_want(text: Prepared, sentence_start: int, position: int) -> bool:
    """True inside the "I want ..." part of a user story: that part is the feature."""
    match = _STORY_WANT.search(text.low, sentence_start, position + 40)
    if match is None or match.start() >= position:
        return False
    end = _WANT_END.search(text.low, match.end(), position + 30)  # room for the lookahead
    return end is None or end.start() >= position


# "Currently, in order to change the owner you edit the row": today's workaround, not a purpose.
_TODAY = re.compile(
    r"\W*(?:currently|today|right\s+now|at\s+the\s+moment|at\s+present|presently|for\s+now)\b"
)
# "explain what the problem is", "report an issue", "mark it as misleading", "allow admins to
# manually override": the problem word is what the feature handles or permits.
_PROBLEM_OBJECT = re.compile(
    r"\b(?:explain|describe|report|record|log|track|categori[sz]e|flag)(?:\s+[a-z'-]+){0,2}\s*$"
    r"|\bwhat\s+(?:the|a|an|your|their)\s+(?:[a-z'-]+\s+)?$"
    r"|\b(?:mark|flag|label|tag|classify|treat)\w*\s+(?:[\w'-]+\s+){0,3}as\s*$"
    r"|\b(?:allow|allows|let|lets|enable|enables|option|ability|able)\b(?:\s+[\w'-]+){0,3}\s+to\s*$"
)
# "confusion matrix", "risk register", "error log": a problem noun naming a part of the feature
# (an adjective before a noun, "a broken dashboard", still states a problem).
_NOUN_CUE = re.compile(
    r"(?:ion|ions|risks?|limitations?|problems?|issues?|errors?|crash(?:es)?|costs?|bottlenecks?"
    r"|spam|complaints?|regressions?|overhead|burden|vulnerabilit(?:y|ies))\W*$"
)
_FEATURE_NOUN = re.compile(
    r"\W*(?:registers?|matrix|matrices|detection|detector|sections?|pages?|reports?|reporter|logs?"
    r"|lists?|fields?|dashboards?|forms?|tracker|tracking|buttons?|links?|views?|panels?|screens?"
    r"|widgets?|columns?|tables?|types?|categor(?:y|ies)|metrics?|scores?|counters?|badges?"
    r"|labels?|filters?|templates?|handling|handlers?|modes?|management|analysis|assessments?"
    r"|indicators?|dialogs?|banners?|tooltips?|icons?|codes?)\b"
)


_WORD_REST = re.compile(r"[\w'-]*")


def _names_the_feature(low: str, sentence_start: int, start: int, end: int) -> bool:
    """True when a problem cue is what the feature handles, permits or is called."""
    if _PROBLEM_OBJECT.search(low, max(sentence_start, start - 40), start):
        return True
    rest = _WORD_REST.match(low, end)  # "frustrat" → "frustration"
    word_end = rest.end() if rest else end
    return bool(_NOUN_CUE.search(low, start, word_end) and _FEATURE_NOUN.match(low, word_end))


# --- finding a reason -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Reason:
    """A cue that survived judgment, or one that was rejected, with its verbatim sentence."""

    group: str
    evidence: str


class _Cues:
    """The cue patterns, compiled on first use: compiling them costs about 0.4 s of CPU, which
    commands that only read stored verdicts (`refinery check` from the store) never need."""

    def __init__(self, groups: frozenset[str]) -> None:
        self.groups = groups

    @cached_property
    def any(self) -> re.Pattern[str]:
        phrases = [p for name in sorted(self.groups) for p in CUE_GROUPS[name]]
        return phrase_pattern(phrases) if phrases else re.compile(r"(?!)")

    @cached_property
    def each(self) -> dict[str, re.Pattern[str]]:
        return {name: phrase_pattern(CUE_GROUPS[name]) for name in sorted(self.groups)}

    def group_at(self, search: str, position: int) -> tuple[str, int] | None:
        for name, pattern in self.each.items():
            match = pattern.match(search, position)
            if match:
                return name, match.end()
        return None


_ACTIVE = _Cues(frozenset(CUE_GROUPS))


@contextmanager
def only_groups(groups: frozenset[str]) -> Iterator[None]:
    """Judge with only these cue groups and restatement checks (`RESTATE_CHECKS`): the
    judgment benchmark's cross-source check."""
    global _ACTIVE, _CHECKS
    saved = _ACTIVE, _CHECKS
    _ACTIVE = _Cues(frozenset(groups) & frozenset(CUE_GROUPS))
    _CHECKS = frozenset(groups) & RESTATE_CHECKS
    try:
        yield
    finally:
        _ACTIVE, _CHECKS = saved


# A purpose after the want's object ("I want to brief the board to ensure ...") says why.
_PURPOSES = frozenset({"purpose", "purpose_open"})
# Problem words may name what the feature handles ("an error page", "lost-password flow").
_HARMS = frozenset({"problem", "consequence"})
_QUOTES = ('"', "“", "”")


def _inside_quotes(text: Prepared, sentence_start: int, position: int) -> bool:
    """True inside a quoted string or a `<placeholder>` left in a template."""
    before = text.low[sentence_start:position]
    return sum(before.count(q) for q in _QUOTES) % 2 == 1 or before.count("<") > before.count(">")


def find_reason(text: Prepared, title: str) -> tuple[Reason | None, Reason | None]:
    """The first accepted reason in `text`, and the first rejected one (for the message).

    A purpose clause is compared with what the item asks for: the lower-case `title` and the
    words of its own sentence before the cue.
    """
    rejected: Reason | None = None
    cues = _ACTIVE
    for match in cues.any.finditer(text.search):
        found = cues.group_at(text.search, match.start())
        if found is None:
            continue
        group, cue_end = found
        start, end = match.start(), cue_end - 1  # in original offsets
        s_start, s_end = sentence_at(text, start, end)
        if _inside_quotes(text, s_start, start):
            continue
        purpose = group in _PURPOSES
        if purpose and _WANT_BEFORE.search(text.low, max(0, start - 12), start):
            continue  # "I want to improve ...": the want itself
        if not purpose and group != "so_that" and _in_story_want(text, s_start, start):
            continue
        if group == "cause" and _HISTORY.search(text.low, s_start, start):
            continue
        if text.low.startswith("in order", start) and _TODAY.match(text.low, s_start, start):
            continue
        if group in _HARMS and _names_the_feature(text.low, s_start, start, cue_end - 1):
            continue
        if start == s_start and text.low.startswith(("improve ", "make "), start):
            continue  # "Improve the performance of search": the want itself
        evidence = quote(text, s_start, s_end, start, end)
        if not evidence:
            continue
        if group in RESTATING_GROUPS:
            benefit = text.low[end:s_end]
            want = title.replace(text.low[start:s_end], " ") + " " + text.low[s_start:start]
            if restates(want, benefit, short_restates=group == "so_that"):
                rejected = rejected or Reason(group, evidence)
                continue
        return Reason(group, evidence), rejected
    return None, rejected
