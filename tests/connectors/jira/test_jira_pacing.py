from __future__ import annotations

from bot.config import JiraConfig
from connectors.jira.client import JiraClient
from connectors.pacing import PacedAdapter


def test_configured_rate_paces_every_request_of_the_session() -> None:
    paced = JiraClient(JiraConfig(url="https://example.atlassian.net", max_requests_per_second=4))
    adapters = paced.session.adapters.values()
    assert adapters and all(isinstance(adapter, PacedAdapter) for adapter in adapters)
    unpaced = JiraClient(JiraConfig(url="https://example.atlassian.net"))
    assert not any(isinstance(a, PacedAdapter) for a in unpaced.session.adapters.values())
