"""Incremental sync of one repository's issues, page by page, resumable after any stop."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from connectors.base import Page, SyncPlan
from connectors.estimates import EstimateFromLabels, EstimateLabels
from connectors.github.client import GithubClient, next_link
from connectors.github.details import PageDetails
from connectors.github.parse import is_pull_request, to_item
from connectors.prefetch import prefetch

PAGE_SIZE = 100


class IssueStream:
    """The issues of one repository, oldest change first, so the cursor can follow the pages.

    Paging is by keyset, not page number: each request asks for the issues updated after one
    second before the newest `updated_at` seen (GitHub documents `since` as "after", so asking
    for the newest itself could skip the rest of a tie); repeats are dropped. Numbered pages would
    skip an issue whenever an issue on an earlier page is edited mid-sync (the list shifts left
    under us, and the skipped issue is older than the cursor, so no later sync sees it). The
    price is the overlap: N issues take about N/99 requests instead of N/100.
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
        target, page_number = cursor, 1  # read issues updated at or after `target`
        seen: set[tuple[int, str]] = set()  # (number, updated_at) already yielded this run
        at_stamp: Counter[str] = Counter()  # how many of them carry each updated_at
        while True:
            params: dict[str, Any] = {
                "state": "all",
                "sort": "updated",
                "direction": "asc",
                "per_page": PAGE_SIZE,
            }
            if target:
                # GitHub's `since` means "updated after": ask from one second earlier so the
                # issues at `target` itself come back (if it is inclusive, earlier ones repeat).
                params["since"] = one_second_before(target)
            if page_number > 1:
                params["page"] = page_number
            headers, data = self.client.get(f"/repos/{self.repo}/issues", params)
            fresh = [i for i in data if (i["number"], str(i["updated_at"])) not in seen]
            for issue in fresh:
                seen.add((issue["number"], str(issue["updated_at"])))
                at_stamp[str(issue["updated_at"])] += 1
            issues = [i for i in fresh if not is_pull_request(i)]
            newest = max((str(i["updated_at"]) for i in data), default=target)
            yield _RawPage(issues, newest, requests=1)
            if next_link(headers) is None or not data:
                return
            if newest is None or newest == target:
                page_number += 1  # a page inside one timestamp (a bulk edit): walk the tie
            else:
                # Restart the list at the newest timestamp, past the whole pages of it already
                # read, so an issue edited mid-sync never shifts another out of view.
                target, page_number = newest, at_stamp[newest] // PAGE_SIZE + 1
            self.client.check_budget()

    def live_keys(self) -> set[str] | None:
        """Unsupported: the issues endpoint never lists deleted or transferred issues."""
        return None


def one_second_before(stamp: str) -> str:
    """GitHub's "2026-01-17T11:36:36Z", one second earlier."""
    moment = datetime.fromisoformat(stamp.replace("Z", "+00:00")) - timedelta(seconds=1)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class _RawPage:
    issues: list[dict[str, Any]]
    cursor: str | None
    requests: int
