"""Likely duplicates of a request among the stored items, found with the database's own
full-text index (SQLite FTS5, PostgreSQL tsvector; migration 0005).

The index picks a few dozen candidates by its own rank; each is then scored the same way on
both databases (a cosine of stemmed words, the title counting double), so one threshold
means the same everywhere. BENCHMARKS.md shows how that threshold was chosen on real pairs.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import snowballstemmer  # type: ignore[import-untyped]

from bot.config import Settings
from bot.store import Store
from bot.store.requests import Request
from bot.store.search import BODY_CHARS, candidates

CANDIDATES = 40  # rows the index hands over for scoring
MAX_TERMS = 8  # words of a request sent to the index (more: slower, no better)
TITLE_WEIGHT = 2.0
_WORD = re.compile(r"[a-z0-9]+")
# Words that say nothing about what an item is about (plus the usual English stop words).
STOP = frozenset(
    """a about above after again against all also am an and any are as at be because been before
    being below between both but by can cannot could did do does doing down during each few for
    from further get gets got had has have having he her here hers him his how i if in into is
    it its itself just let me more most my no nor not now of off on once only or other our ours
    out over own same she should so some such than that the their theirs them then there these
    they this those through to too under until up us very was we were what when where which
    while who whom why will with would you your yours able add added adding allow allows issue
    issues please new use used using want wants need needs should make makes like get see seems
    way work works working when""".split()  # noqa: SIM905
)


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A stored item that may already be what a request asks for."""

    key: str
    title: str
    url: str
    status: str
    score: float  # 0..1


@lru_cache(maxsize=1)
def _stemmer() -> snowballstemmer.stemmer:
    return snowballstemmer.stemmer("english")


_STEMS: dict[str, str] = {}  # word -> stem: stemming in Python is the slow part of scoring


def stems(found: list[str]) -> list[str]:
    if len(_STEMS) > 200_000:  # bounded; words repeat, so it refills with the common ones
        _STEMS.clear()
    missing = [word for word in found if word not in _STEMS]
    if missing:
        for word, stem in zip(missing, _stemmer().stemWords(missing), strict=True):
            _STEMS[word] = stem
    return [_STEMS[word] for word in found]


def words(value: str) -> list[str]:
    """Content words of `value`, lower-cased, stop words dropped (not stemmed)."""
    return [w for w in _WORD.findall(value.lower()) if w not in STOP and len(w) > 1]


def profile(title: str, body: str) -> dict[str, float]:
    """Stemmed word weights: each title word counts TITLE_WEIGHT, each body word once."""
    weights: dict[str, float] = {}
    for word in stems(words(title)):
        weights[word] = weights.get(word, 0.0) + TITLE_WEIGHT
    for word in stems(words(body[:BODY_CHARS])):
        weights[word] = weights.get(word, 0.0) + 1.0
    return weights


def similarity(left: dict[str, float], right: dict[str, float]) -> float:
    """Cosine of two word-weight profiles (1.0: the same words in the same proportions)."""
    if not left or not right:
        return 0.0
    shared = sum(weight * right.get(word, 0.0) for word, weight in left.items())
    norm = math.sqrt(sum(w * w for w in left.values()) * sum(w * w for w in right.values()))
    return shared / norm if norm else 0.0


def query_terms(title: str, body: str) -> list[str]:
    """The words sent to the index: a title of three words or more says enough on its own
    (measured: the same recall as adding the body's words, at a fraction of the postings
    read); a shorter one is helped by the body's first words. Each word once."""
    named = list(dict.fromkeys(words(title)))
    if len(named) < 3:
        named = list(dict.fromkeys([*named, *words(body[:BODY_CHARS])]))
    return named[:MAX_TERMS]


class DuplicateFinder:
    """Suggest up to `limit` stored items scoring at least `threshold` against a request."""

    def __init__(self, store: Store, threshold: float = 0.5, limit: int = 3) -> None:
        self.store = store
        self.threshold = threshold
        self.limit = limit

    def suggest(self, title: str, body: str = "", exclude: Iterable[str] = ()) -> list[Suggestion]:
        terms = query_terms(title, body)
        if not terms:
            return []
        skip = set(exclude)
        wanted = profile(title, body)
        scored = []
        for key, found_title, url, status, found_text in self._candidates(terms):
            if key in skip:
                continue
            score = similarity(wanted, profile(found_title, found_text))
            if score >= self.threshold:
                scored.append(Suggestion(key, found_title, url, status, round(score, 3)))
        scored.sort(key=lambda s: (-s.score, s.key))
        return scored[: self.limit]

    def _candidates(self, terms: list[str]) -> list[tuple[str, str, str, str, str]]:
        return candidates(self.store, terms, CANDIDATES)


def request_suggester(
    store: Store, settings: Settings
) -> Callable[[Request], list[dict[str, Any]]] | None:
    """What intake calls for each new request (None when [duplicates] is switched off)."""
    config = settings.duplicates
    if not config.enabled:
        return None
    finder = DuplicateFinder(store, config.threshold, config.max_suggestions)

    def suggest(row: Request) -> list[dict[str, Any]]:
        body = " ".join(part for part in (row.why, row.outcome) if part)
        exclude = [row.origin_key] if row.origin_key else []
        return [
            {"key": s.key, "title": s.title, "url": s.url, "status": s.status, "score": s.score}
            for s in finder.suggest(row.title, body, exclude)
        ]

    return suggest
