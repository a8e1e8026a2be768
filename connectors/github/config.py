"""The `[github]` settings section: repositories, estimate labels, a Projects board, writes."""

from __future__ import annotations

from pydantic import Field, SecretStr

from connectors.config import Section
from connectors.estimates import DEFAULT_ESTIMATE_LABELS, DEFAULT_SIZE_POINTS


class GithubProject(Section):
    owner: str
    number: int
    field: str = "Estimate"


class GithubConfig(Section):
    token: SecretStr | None = None
    api_url: str = "https://api.github.com"
    repos: list[str] = Field(default_factory=list)
    estimate_labels: list[str] = Field(default_factory=lambda: list(DEFAULT_ESTIMATE_LABELS))
    size_points: dict[str, float] = Field(default_factory=lambda: dict(DEFAULT_SIZE_POINTS))
    project: GithubProject | None = None
    dry_run: bool = False
    webhook_secret: SecretStr | None = None
    triage_label: str = ""
    close_declined: bool = False
    min_rate_remaining: int = Field(default=50, ge=0)
    # Requests are serial (one at a time), which GitHub asks for; reads need no pause (a set
    # one counts from the previous request's start); writes keep GitHub's advised 1 s.
    seconds_between_requests: float = Field(default=0.0, ge=0)
    seconds_between_writes: float = Field(default=1.0, ge=0)
    timeout: float = 30.0
    max_retries: int = Field(default=5, ge=0, le=20)
