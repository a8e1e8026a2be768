"""Fixtures the Jira connector tests share: a transport mock and a recorder of waits."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import responses


@pytest.fixture
def rsps() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Record every time.sleep (the library's Retry-After waits) instead of sleeping."""
    waited: list[float] = []
    monkeypatch.setattr(time, "sleep", waited.append)
    return waited
