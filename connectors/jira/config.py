"""The `[jira]` settings section: what the Jira connector needs to read and write one site."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr

from connectors.config import Section


class JiraConfig(Section):
    url: str = ""
    email: str = ""
    api_token: SecretStr | None = None
    jql: str = ""  # empty: open items of `projects`
    projects: list[str] = Field(default_factory=list)
    estimate_field: str | None = None
    outcome_field: str | None = None
    # name -> field id or name: extra fields rules can name (e.g. goal = "customfield_10050").
    fields: dict[str, str] = Field(default_factory=dict)
    deployment: Literal["auto", "cloud", "datacenter"] = "auto"
    page_size: int = Field(default=100, ge=1, le=100)
    board_id: int | None = None
    time_estimates: bool = False  # count Jira's original estimate as an estimate
    dry_run: bool = False
    webhook_secret: SecretStr | None = None
    triage_label: str = ""
    triage_status: str = ""  # items in this status (any case) join the intake queue too
    accepted_status: str = ""  # where Accept moves them (empty: first "To Do" transition)
    default_issue_type: str = "Story"
    timeout: float = 30.0
    max_retries: int = Field(default=5, ge=0, le=20)
    # Cap on requests a second to the site, retries included (None: no cap beyond paging).
    max_requests_per_second: float | None = Field(default=None, gt=0)
