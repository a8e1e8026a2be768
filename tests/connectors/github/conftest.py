"""Fixtures for the GitHub connector: a client that never pauses, a store, generated issues."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import responses

from bench.stubs.github_stub import make_issues
from bot.store import Store, open_store
from connectors.github.client import GithubClient
from tests.fakes.github import API, TOKEN


@pytest.fixture
def client() -> GithubClient:
    """A client with PyGithub's request spacing switched off, so tests never sleep."""
    return GithubClient(
        TOKEN, API, seconds_between_requests=0, seconds_between_writes=0, max_retries=3
    )


@pytest.fixture
def rsps() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(f"sqlite:///{tmp_path / 'refinery.db'}")
    yield opened
    opened.close()


@pytest.fixture
def issues() -> list[dict[str, Any]]:
    """250 issues and 20 pull requests in acme/shop, built from the recorded payloads."""
    return make_issues(250, pulls=20)
