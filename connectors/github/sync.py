"""Incremental sync of one repository's issues, page by page, resumable after any stop."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from connectors.base import Page, SyncPlan
from connectors.github.client import GithubClient, next_link
from connectors.github.details import PageDetails
from connectors.github.parse import EstimateFromLabels, EstimateLabels, is_pull_request, to_item
from connectors.prefetch import prefetch

PAGE_SIZE = 100


class IssueStream:
    """The issues of one repository, oldest change first, so the cursor can follow the pages.

    Paging is by keyset, not page number: each request asks for `since=<newest updated_at seen>`
    (GitHub's `since` is inclusive, so the issue at each page boundary is read twice; the stream
    drops the repeat). Numbered pages would skip an issue whenever an issue on an earlier page is
    edited mid-sync (the list shifts left under us, and the skipped issue is older than the
    cursor, so no later sync sees it). The price is the overlap: N issues take about N/99
    requests instead of N/100.
    """

    source = "github"

    def __init__(
        self,
        client: GithubClient,
        repo: str,
        estimate_from_labels: EstimateFromLabels | None = None,
        details: PageDetails | None = None,
    ) -> None:
        self.client = client
        self.repo = repo
        self.name = f"github:{repo}"
        self.estimate = estimate_from_labels or EstimateLabels()
        self.details = details if details is not None else PageDetails(client)

    def plan(self, cursor: str | None) -> SyncPlan:
        """No total: counting would cost a request (search API) that the sync budget has not."""
        return SyncPlan(total=None, requests=0)

    def fetch(self, cursor: str | None) -> Iterator[Page]:
        """GET /repos/{owner}/{repo}/issues?state=all&sort=updated&direction=asc&since=<cursor>.

        Yields one page per request; pull requests are dropped. Raises RateLimited between pages
        when the core budget falls below github.min_rate_remaining (the page before it is
        already yielded, so its cursor is stored). The next page is fetched while this one is
        parsed and stored; requests stay one at a time (the client holds a lock per request).
        """
        for raw in prefetch(self._raw_pages(cursor)):
            items = [to_item(issue, self.repo, self.estimate) for issue in raw.issues]
            spent = self.details.fill(items, raw.issues)  # board estimates, dependencies: <= 1
            yield Page(items, raw.cursor, requests=raw.requests + spent)

    def _raw_pages(self, cursor: str | None) -> Iterator[_RawPage]:
        """The listing's pages, pull requests and repeats dropped (runs in the prefetch thread)."""
        self.client.check_budget()
        since, page_number = cursor, 1
        known: set[int] = set()  # numbers already yielded whose updated_at equals `since`
        while True:
            params: dict[str, Any] = {
                "state": "all",
                "sort": "updated",
                "direction": "asc",
                "per_page": PAGE_SIZE,
            }
            if since:
                params["since"] = since
            if page_number > 1:
                params["page"] = page_number
            headers, data = self.client.get(f"/repos/{self.repo}/issues", params)
            issues = [
                issue
                for issue in data
                if not is_pull_request(issue)
                and not (issue["updated_at"] == since and issue["number"] in known)
            ]
            newest, position = _newest(data, since, page_number)
            at_newest = {issue["number"] for issue in data if issue["updated_at"] == newest}
            known = known | at_newest if newest == since else at_newest
            yield _RawPage(issues, newest, requests=1)
            if next_link(headers) is None or not data:
                return
            # Restart the list at the newest timestamp, skipping the whole pages of issues that
            # share it (a bulk edit), so a tie longer than a page cannot loop forever.
            since, page_number = newest, position // PAGE_SIZE + 1
            self.client.check_budget()

    def live_keys(self) -> set[str] | None:
        """Unsupported: the issues endpoint never lists deleted or transferred issues."""
        return None


@dataclass
class _RawPage:
    issues: list[dict[str, Any]]
    cursor: str | None
    requests: int


def _newest(data: list[dict[str, Any]], since: str | None, page: int) -> tuple[str | None, int]:
    """Return the page's newest updated_at, and how far into a `since=<it>` list this page got."""
    stamps = [str(issue["updated_at"]) for issue in data]
    newest = max(stamps, default=since)
    if newest is None or newest == since:  # the whole page shares `since`: walking one tie
        return newest, (page - 1) * PAGE_SIZE + len(stamps)
    return newest, stamps.count(newest)
