"""The description cache: an unchanged description is analysed once, a changed one again."""

from __future__ import annotations

from typing import Any

import pytest

from connectors.text import analyze
from connectors.text import cache as textcache


@pytest.fixture(autouse=True)
def empty_cache() -> None:
    textcache.clear()


def test_an_unchanged_description_is_analysed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[Any] = []
    real = analyze

    def counting(description: Any, fmt: str) -> Any:
        calls.append(description)
        return real(description, fmt)

    monkeypatch.setattr(textcache, "analyze", counting)
    adf = {"type": "doc", "version": 1, "content": [{"type": "paragraph", "content": []}]}
    first = textcache.analyze_once(adf, "adf")
    again = textcache.analyze_once({"version": 1, "content": adf["content"], "type": "doc"}, "adf")
    assert again is first and len(calls) == 1  # the same content, keys in another order
    textcache.analyze_once("## Why\n\nBecause.", "markdown")
    textcache.analyze_once("## Why\n\nBecause!", "markdown")
    textcache.analyze_once("## Why\n\nBecause!", "wiki")  # same text, other format
    assert len(calls) == 4


def test_the_cache_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(textcache, "SIZE", 10)
    for n in range(25):
        textcache.analyze_once(f"Item {n}", "plain")
    assert len(textcache._cache) == 10


def test_results_equal_plain_analysis() -> None:
    body = (
        "### Why\n\nCustomers on slow connections abandon checkout.\n\n### Outcome\n\n_No response_"
    )
    assert textcache.analyze_once(body, "markdown") == analyze(body, "markdown")
