"""Parameter lists folded once: rules run 100,000 times a batch with the same parameters."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache


@lru_cache(maxsize=64)
def _fold(values: tuple[str, ...]) -> frozenset[str]:
    return frozenset(value.strip().lower() for value in values)


def folded(values: Iterable[str] | None) -> frozenset[str]:
    """The values stripped and lower-cased, as a set (cached per distinct list)."""
    return _fold(tuple(values or ()))
