"""Incremental, resumable sync of one Jira site's JQL (the Stream protocol)."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from connectors.base import ConnectorError, KeyValues, Page, SyncPlan
from connectors.item import Item
from connectors.jira.client import JiraClient
from connectors.jira.config import JiraConfig
from connectors.jira.fields import (
    FieldMap,
    ambiguity_warning,
    from_field_list,
    names_of,
)
from connectors.jira.parse import parse_time, to_item
from connectors.prefetch import prefetch

log = logging.getLogger(__name__)

# JQL dates have minute resolution and search indexing lags a little: re-read a short overlap.
OVERLAP = timedelta(minutes=2)
ORDER = " ORDER BY updated ASC, key ASC"  # oldest change first, so a stopped sync resumes
ORDER_BY = re.compile(r"\s+order\s+by\s+.*$", re.IGNORECASE | re.DOTALL)
ID_PAGE_CLOUD = 5000  # /search/jql returns up to 5,000 issues per page when asked for ids only
ID_PAGE_DC = 1000  # Data Center's default jira.search.views.default.max
_warned: set[str] = set()


def base_jql(config: JiraConfig) -> str:
    """The configured JQL without ORDER BY, or open items of `jira.projects`."""
    if config.jql.strip():
        return ORDER_BY.sub("", config.jql.strip())
    if config.projects:
        keys = ", ".join(f'"{key}"' for key in config.projects)
        return f"project in ({keys}) AND statusCategory != Done"
    raise ConnectorError("set jira.jql or jira.projects so Refinery knows which issues to read")


class JiraStream:
    """Reads a site's JQL page by page, oldest change first; each page's cursor is safe to keep."""

    source = "jira"

    def __init__(self, client: JiraClient, config: JiraConfig, kv: KeyValues | None = None):
        self.client = client
        self.config = config
        self.kv = kv
        self.name = f"jira:{client.site}"
        self._jql: str | None = None  # built on first use: a webhooks-only setup has no scope
        self._fields: FieldMap | None = None
        self._fresh = False  # fields were read from the site by this stream (not the cache)
        self._live: set[str] | None = None

    @property
    def jql(self) -> str:
        if self._jql is None:
            self._jql = base_jql(self.config)
        return self._jql

    # -- Stream protocol -------------------------------------------------------------------

    def plan(self, cursor: str | None) -> SyncPlan:
        """Approximate total for a full sync (one request); incremental syncs skip it."""
        if cursor is not None:
            return SyncPlan(total=None)
        before = self.client.requests
        self._load_site(refresh=True)
        if self.client.deployment() == "cloud":
            # POST /rest/api/3/search/approximate-count
            answer = self.client.post("/rest/api/3/search/approximate-count", {"jql": self.jql})
            total = answer.get("count")
        else:
            # POST /rest/api/2/search with maxResults=0 returns only `total`
            body = {"jql": self.jql, "maxResults": 0, "fields": ["id"]}
            total = self.client.post("/rest/api/2/search", body).get("total")
        return SyncPlan(
            total=int(total) if isinstance(total, int) else None,
            requests=self.client.requests - before,
        )

    def fetch(self, cursor: str | None) -> Iterator[Page]:
        """Yield pages of items updated since `cursor` (None: all), oldest change first."""
        before = self.client.requests
        self._live = None
        fields = self._load_site(refresh=cursor is None)
        jql = self.jql
        if cursor is not None:
            jql = f"({jql}) AND {self._since(cursor)}"
        seen: dict[str, datetime | None] = {}
        cap: datetime | None = None  # upper bound for cursors once order shifted mid-sync
        newest = _parse_cursor(cursor)
        # The next page is fetched while this one is parsed and stored (requests stay serial).
        spent = self.client.requests - before  # site facts and time zone, before any page
        pages = prefetch(self._counted(self._pages(jql + ORDER, fields.request_fields())))
        for issues, shifted, requests in pages:
            items: list[Item] = []
            if shifted and newest is not None:
                cap = min(cap or newest, newest)
            for issue in issues:
                item = to_item(issue, fields, self.client.site)
                if item.key in seen:
                    earlier = seen[item.key]
                    if earlier is not None and item.updated is not None and item.updated <= earlier:
                        continue  # same version seen on an earlier page
                    # It moved behind us: an offset page may have skipped a neighbour.
                    if earlier is not None:
                        cap = min(cap or earlier, earlier)
                seen[item.key] = item.updated
                items.append(item)
                if item.updated is not None and (newest is None or item.updated > newest):
                    newest = item.updated
            bound = min(newest, cap) if newest is not None and cap is not None else newest
            yield Page(items, _format_cursor(bound), requests=spent + requests)
            spent = 0
        if cursor is None:
            self._live = set(seen)  # a complete full read already names every live key

    def live_keys(self) -> set[str] | None:
        """Keys the JQL matches now: free after a full read, else an id-only search."""
        if self._live is not None:
            return self._live
        keys: set[str] = set()
        size = ID_PAGE_CLOUD if self.client.deployment() == "cloud" else ID_PAGE_DC
        # `key` is asked for by name: an id-only search returns ids and nothing else.
        for issues, _ in self._pages(self.jql, ["key"], size):
            for issue in issues:
                if not issue.get("key"):
                    # A key we cannot read is not a gone item: skip the gone check this run.
                    log.warning("jira: the live-issue search returned no keys; gone check skipped")
                    return None
                keys.add(str(issue["key"]))
        return keys

    # -- searching -------------------------------------------------------------------------

    def _counted(
        self, pages: Iterator[tuple[list[dict[str, Any]], bool]]
    ) -> Iterator[tuple[list[dict[str, Any]], bool, int]]:
        """Add the requests each page cost (counted in the one thread that sends them)."""
        before = self.client.requests
        for issues, shifted in pages:
            yield issues, shifted, self.client.requests - before
            before = self.client.requests

    def _pages(
        self, jql: str, fields: list[str], size: int | None = None
    ) -> Iterator[tuple[list[dict[str, Any]], bool]]:
        """Yield (issues, order_shifted) per page; Cloud pages by token, Data Center by offset."""
        size = size or self.config.page_size
        if self.client.deployment() == "cloud":
            yield from self._cloud_pages(jql, fields, size)
        else:
            yield from self._dc_pages(jql, fields, size)

    def _cloud_pages(
        self, jql: str, fields: list[str], size: int
    ) -> Iterator[tuple[list[dict[str, Any]], bool]]:
        token: str | None = None
        while True:
            body: dict[str, Any] = {"jql": jql, "fields": fields, "maxResults": size}
            if token:
                body["nextPageToken"] = token
            # POST /rest/api/3/search/jql (the old /search answers 410 on Cloud)
            answer = self.client.post("/rest/api/3/search/jql", body)
            yield list(answer.get("issues") or ()), False
            token = answer.get("nextPageToken")
            if answer.get("isLast") or not token:
                return

    def _dc_pages(
        self, jql: str, fields: list[str], size: int
    ) -> Iterator[tuple[list[dict[str, Any]], bool]]:
        start = 0
        total: int | None = None
        while True:
            body = {"jql": jql, "fields": fields, "startAt": start, "maxResults": size}
            # POST /rest/api/2/search (offset paging)
            answer = self.client.post("/rest/api/2/search", body)
            issues = list(answer.get("issues") or ())
            new_total = answer.get("total")
            # A shrinking total means an issue left the results before our offset.
            shifted = total is not None and isinstance(new_total, int) and new_total < total
            total = new_total if isinstance(new_total, int) else total
            yield issues, shifted
            start += len(issues)
            if not issues or (total is not None and start >= total):
                return

    def _since(self, cursor: str) -> str:
        """`updated >= "yyyy/MM/dd HH:mm"` in the API user's time zone, minus the overlap."""
        moment = _parse_cursor(cursor)
        if moment is None:
            raise ConnectorError(f"stored Jira cursor {cursor!r} is not a timestamp; run --full")
        # GET /rest/api/3/myself: JQL dates are read in this user's time zone
        me = self.client.get(f"{self.client.api}/myself")
        zone_name = str((me or {}).get("timeZone") or "UTC")
        try:
            zone: Any = ZoneInfo(zone_name)
        except (ZoneInfoNotFoundError, ValueError):
            log.warning("Jira user time zone %r unknown; reading JQL dates as UTC", zone_name)
            zone = UTC
        local = (moment - OVERLAP).astimezone(zone)
        return f'updated >= "{local:%Y/%m/%d %H:%M}"'

    # -- site facts (deployment, custom fields), cached in the store -----------------------

    def field_map(self) -> FieldMap:
        return self._load_site(refresh=False)

    def cached_field_map(self) -> FieldMap | None:
        """The site's field map from the store's cache only (no request), or None when cold."""
        if self._fields is not None:
            return self._fields
        cached = self.kv.get_kv(f"jira-site:{self.client.site}") if self.kv else None
        if not cached or not cached.get("fields"):
            return None
        names: dict[str, str] = dict(cached.get("names") or {})
        return FieldMap.from_dict(cached["fields"]).configured(
            self.config.estimate_field, self.config.outcome_field, names
        )

    def _load_site(self, refresh: bool) -> FieldMap:
        if self._fields is not None and (self._fresh or not refresh):
            return self._fields
        key = f"jira-site:{self.client.site}"
        cached = self.kv.get_kv(key) if self.kv else None
        if cached and cached.get("deployment") and self.client.known_deployment() is None:
            self.client.set_deployment(cached["deployment"])
        if cached and not refresh and cached.get("fields"):
            discovered = FieldMap.from_dict(cached["fields"])
            names: dict[str, str] = dict(cached.get("names") or {})
        else:
            # GET /rest/api/3/field (v2 on Data Center): every field with its schema
            listing = self.client.get(f"{self.client.api}/field") or []
            discovered, names = from_field_list(listing), names_of(listing)
            self._fresh = True
            if self.config.board_id is not None:
                discovered = self._board_estimate(discovered)
            if self.kv:
                self.kv.set_kv(
                    key,
                    {
                        "deployment": self.client.deployment(),
                        "fields": discovered.to_dict(),
                        "names": names,
                    },
                )
        fields = discovered.configured(
            self.config.estimate_field, self.config.outcome_field, names, self.config.fields
        )
        if not self.config.estimate_field:
            self._warn_once(fields)
        self._fields = fields
        return fields

    def _board_estimate(self, fields: FieldMap) -> FieldMap:
        """Use the board's estimation field (GET /rest/agile/1.0/board/{id}/configuration)."""
        config = self.client.get(f"/rest/agile/1.0/board/{self.config.board_id}/configuration")
        estimation = (config or {}).get("estimation") or {}
        field_id = (estimation.get("field") or {}).get("fieldId")
        if estimation.get("type") == "field" and field_id:
            return FieldMap(
                (str(field_id),), fields.sprint, fields.rank, fields.epic_link, fields.outcome
            )
        return fields

    def _warn_once(self, fields: FieldMap) -> None:
        message = ambiguity_warning(fields, self.client.site)
        if message and self.client.site not in _warned:
            _warned.add(self.client.site)
            log.warning(message)


def _parse_cursor(cursor: str | None) -> datetime | None:
    return parse_time(cursor) if cursor else None


def _format_cursor(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat() if moment is not None else None
