"""Tell a bug report from a story: bugs are never asked for a why or an outcome."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from connectors.item import Item

DEFAULT_BUG_LABELS = [
    "bug",
    "defect",
    "kind/bug",
    "type: bug",
    "type:bug",
    "type/bug",
    "regression",
]
BUG_PARAMS: dict[str, Any] = {"bug_labels": DEFAULT_BUG_LABELS, "bug_forms": True}

_TITLE = re.compile(
    r"^\s*(?:\[\s*(?:bug|defect|regression)\s*\]|(?:bug|defect|regression)\s*:)", re.I
)
_REPRO = re.compile(
    r"\b(?:steps\s+to\s+reproduce|to\s+reproduce|reproduction(?:\s+steps)?|repro)\b"
)
_EXPECTED = re.compile(r"\b(?:expected|actual|current)\s+(?:behaviou?r|result|outcome)s?\b")


# The item and params last asked about, the answer, and what it was read from (an item may
# change between two evaluations: then it is asked again).
_last: list[Any] = [None, None, None, None]


def bug_evidence(item: Item, params: Mapping[str, Any]) -> str | None:
    """The verbatim sign that `item` is a bug report (a label, a title prefix, a bug form's
    heading), or None. Typed bugs never reach the rules: their kind is out of scope.

    The why and outcome rules ask in turn about the same item: the last answer is kept."""
    # Keyed on the bug settings, not the params mapping: the why and outcome rules each have
    # their own mapping but, by default, the very same settings.
    settings = (id(params.get("bug_labels", DEFAULT_BUG_LABELS)), params.get("bug_forms", True))
    seen = (item.labels, item.title, item.sections)
    if _last[0] is item and _last[1] == settings and _last[3] == seen:
        return _last[2]  # type: ignore[no-any-return]
    answer = _bug_evidence(item, params)
    _last[:] = [item, settings, answer, seen]
    return answer


def _bug_evidence(item: Item, params: Mapping[str, Any]) -> str | None:
    if item.labels:
        wanted = _folded(params)
        for label in item.labels:
            if label.lower() in wanted:
                return label
    match = _TITLE.match(item.title or "")
    if match:
        return item.title[match.start() : match.end()].strip()
    if item.sections and params.get("bug_forms", True):
        repro = next((h for h in item.sections if "repro" in h and _REPRO.search(h)), None)
        if repro is not None and any(_EXPECTED.search(h) for h in item.sections):
            return _verbatim_heading(item.text, repro)
    return None


_folded_for: list[Any] = [None, frozenset()]  # the params last folded, and their labels


def _folded(params: Mapping[str, Any]) -> frozenset[str]:
    labels = params.get("bug_labels", DEFAULT_BUG_LABELS)
    if _folded_for[0] is not labels:
        _folded_for[:] = [labels, frozenset(str(label).lower() for label in labels)]
    return _folded_for[1]  # type: ignore[no-any-return]


def _verbatim_heading(text: str, heading: str) -> str:
    at = text.lower().find(heading)
    return text[at : at + len(heading)] if at >= 0 else heading
