"""One configured PyGithub requester: raw JSON pages, request counting, rate-limit bookkeeping."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, cast

import orjson
import requests
from github import Auth, Github, GithubException, GithubRetry, RateLimitExceededException
from urllib3.connectionpool import ConnectionPool
from urllib3.response import BaseHTTPResponse

from connectors.base import AuthError, ConnectorError, RateLimited
from connectors.pacing import MinInterval
from connectors.retries import retried

# GitHub asks for serial requests and for a pause between writes, not between reads: one
# request at a time (a lock in this client) keeps its secondary limits (100 concurrent
# requests, 900 REST points a minute) out of reach at ordinary latencies, so reads are not
# spaced by default. A configured read spacing counts from the previous request's start (not
# from when its page was parsed, as PyGithub's own spacing does). Writes keep 1 s after the
# previous write, as GitHub asks for content-creating requests.
READ_SPACING = 0.0
WRITE_SPACING = 1.0
# Longest rate-limit wait GithubRetry may sit out inside one request; a primary budget reset is
# usually further away, and then the sync stops cleanly instead of sleeping for up to an hour.
MAX_RATE_LIMIT_WAIT = 300.0
LINK_NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="next"')


class PacedRetry(GithubRetry):
    """GithubRetry whose retries also keep the read spacing (counted from each attempt's start)
    after sitting out any Retry-After, so no attempt follows another closer than the pace."""

    def __init__(self, *args: Any, pace: MinInterval | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pace = pace

    def new(self, **kw: Any) -> PacedRetry:
        retry: PacedRetry = super().new(**kw)
        retry.pace = self.pace
        return retry

    def increment(
        self,
        method: str | None = None,
        url: str | None = None,
        response: BaseHTTPResponse | None = None,
        error: Exception | None = None,
        _pool: ConnectionPool | None = None,
        _stacktrace: TracebackType | None = None,
    ) -> PacedRetry:
        """Count the retry once urllib3 has decided to make it (it raises when out of tries)."""
        # PyGithub types `response` narrower than urllib3 (HTTPResponse); it is the same object.
        answer = cast(Any, response)
        retry = cast(PacedRetry, super().increment(method, url, answer, error, _pool, _stacktrace))
        retried("github", response.status if response is not None else None)
        return retry

    def sleep(self, response: Any = None) -> None:
        super().sleep(response)
        if self.pace is not None:
            self.pace.wait()


class NotFound(ConnectorError):
    """GitHub answered 404: the thing is missing, or the token may not see it."""


@dataclass
class Budget:
    """The last rate-limit headers seen for one resource ("core", "graphql", "search")."""

    remaining: int
    reset: int  # epoch seconds

    def resets_at(self) -> str:
        return datetime.fromtimestamp(self.reset, UTC).isoformat(timespec="seconds")


def next_link(headers: dict[str, Any]) -> str | None:
    """Return the rel="next" URL of a Link header (ignoring rel="deprecation" and others)."""
    match = LINK_NEXT.search(str(headers.get("link") or ""))
    return match.group(1) if match else None


API_VERSION = "2022-11-28"  # sent as X-GitHub-Api-Version on every request


class GithubClient:
    """Send REST and GraphQL requests through PyGithub's requester and count them."""

    def __init__(
        self,
        token: str | None,
        api_url: str = "https://api.github.com",
        *,
        timeout: float = 30.0,
        max_retries: int = 5,
        min_rate_remaining: int = 50,
        seconds_between_requests: float = READ_SPACING,
        seconds_between_writes: float = WRITE_SPACING,
        secondary_rate_wait: float = 60.0,
        pace: MinInterval | None = None,
    ) -> None:
        """`pace` replaces the limiter built from `seconds_between_requests` (tests pass one
        on a fake clock)."""
        if pace is None and seconds_between_requests:
            pace = MinInterval(1 / seconds_between_requests)
        self._pace = pace
        retry = PacedRetry(
            pace=pace,
            total=max_retries,
            secondary_rate_wait=secondary_rate_wait,
            max_rate_limit_wait=MAX_RATE_LIMIT_WAIT,
        )
        self.github = Github(
            auth=Auth.Token(token) if token else None,
            base_url=api_url.rstrip("/"),
            per_page=100,
            retry=retry,
            timeout=int(timeout),
            seconds_between_requests=None,  # paced here instead, from each request's start
            seconds_between_writes=seconds_between_writes,
            # Pinned, so a new API default cannot change the shapes the parser reads.
            api_version=API_VERSION,
        )
        self.requester = self.github.requester
        _decode_with_orjson(self.requester)
        # Held for the whole of each request: pages prefetched in a background thread and the
        # GraphQL details asked for in the sync's thread never overlap.
        self._one_at_a_time = threading.Lock()
        self.min_rate_remaining = min_rate_remaining
        self.requests = 0  # every request sent through this client (retries not included)
        self.writes = 0
        self.budgets: dict[str, Budget] = {}

    def get(self, url: str, params: dict[str, Any] | None = None) -> tuple[dict[str, Any], Any]:
        """GET a REST path or absolute URL; return (lower-case headers, JSON)."""
        return self._send("GET", url, params=params)

    def write(self, verb: str, url: str, body: Any | None = None) -> Any:
        """POST/PATCH/PUT/DELETE a REST path; return the JSON answer (None when empty)."""
        self.writes += 1
        return self._send(verb, url, body=body)[1]

    def graphql(self, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        """Run a GraphQL query; return its `data`."""
        try:
            with self._turn():
                headers, data = self.requester.graphql_query(query, variables)
        except (GithubException, requests.RequestException) as exc:
            raise self._translate(exc, "POST", "/graphql") from None
        self._note_budget(headers)
        result: dict[str, Any] = data.get("data") or {}
        return result

    def check_budget(self, resource: str = "core") -> None:
        """Raise RateLimited when the last known budget is below the configured minimum."""
        budget = self.budgets.get(resource)
        if budget is None or budget.remaining >= self.min_rate_remaining:
            return
        if budget.reset <= datetime.now(UTC).timestamp():
            return  # the window has rolled over since we last looked
        raise RateLimited(
            f"GitHub {resource} rate limit nearly used up ({budget.remaining} requests left, "
            f"minimum {self.min_rate_remaining}); resume after {budget.resets_at()}",
            resume_at=budget.resets_at(),
        )

    def _send(
        self,
        verb: str,
        url: str,
        params: dict[str, Any] | None = None,
        body: Any | None = None,
    ) -> tuple[dict[str, Any], Any]:
        try:
            with self._turn():
                headers, data = self.requester.requestJsonAndCheck(verb, url, params, None, body)
        except (GithubException, requests.RequestException) as exc:
            raise self._translate(exc, verb, url) from None
        self._note_budget(headers)
        return headers, data

    @contextmanager
    def _turn(self) -> Iterator[None]:
        """One request at a time, started no sooner than the spacing after the last start."""
        with self._one_at_a_time:
            self.requests += 1
            if self._pace is not None:
                self._pace.wait()
            yield

    def _note_budget(self, headers: dict[str, Any]) -> None:
        remaining, reset = headers.get("x-ratelimit-remaining"), headers.get("x-ratelimit-reset")
        if remaining is None or reset is None:
            return
        resource = str(headers.get("x-ratelimit-resource") or "core")
        self.budgets[resource] = Budget(int(float(remaining)), int(float(reset)))

    def _translate(self, exc: Exception, verb: str, url: str) -> ConnectorError:
        """Phrase a failure for the user; PyGithub's exceptions never carry our token."""
        where = f"{verb} {_path(url)}"
        if isinstance(exc, GithubException) and _is_rate_limited(exc):
            headers = {k.lower(): v for k, v in (exc.headers or {}).items()}
            reset = headers.get("x-ratelimit-reset")
            when = Budget(0, int(float(reset))).resets_at() if reset else None
            text = f"resume after {when}" if when else "retry in a few minutes"
            return RateLimited(f"GitHub rate limit exceeded at {where}; {text}", resume_at=when)
        if isinstance(exc, GithubException):
            data = exc.data if isinstance(exc.data, dict) else {}
            message = exc.message or data.get("message") or ""
            if exc.status == 401:
                return AuthError(f"GitHub rejected the token (401) at {where}")
            if exc.status == 403 and "rate limit" not in str(message).lower():
                return AuthError(f"GitHub refused {where} (403): {message}")
            if exc.status == 404:
                return NotFound(f"GitHub has no {_path(url)} (404) or hides it from us")
            return ConnectorError(f"GitHub answered {exc.status} to {where}: {message}")
        return ConnectorError(f"cannot reach GitHub for {where}: {type(exc).__name__}")


def _decode_with_orjson(requester: Any) -> None:
    """Have the requester decode answers with orjson: a page of 100 issues in a fifth of
    json's time (PyGithub has no hook for it; its private decoder is replaced on this one
    instance, and left alone should a PyGithub version not have it)."""
    name = "_Requester__structuredFromJson"
    original = getattr(requester, name, None)
    if original is None:
        return

    def decode(data: str | bytes) -> Any:
        if data and data[:1] in ("[", "{", b"[", b"{"):
            try:
                return orjson.loads(data)
            except orjson.JSONDecodeError:
                pass  # PyGithub's own error, as before
        return original(data)

    setattr(requester, name, decode)


def _is_rate_limited(exc: GithubException) -> bool:
    """Primary budget spent, a secondary limit that outlasted our retries, or a plain 429."""
    if isinstance(exc, RateLimitExceededException) or exc.status == 429:
        return True
    headers = {k.lower(): v for k, v in (exc.headers or {}).items()}
    return exc.status == 403 and str(headers.get("x-ratelimit-remaining")) == "0"


def _path(url: str) -> str:
    """Return the path of a URL without host or query (short, and never holding a secret)."""
    return re.sub(r"^[a-z]+://[^/]+", "", url).split("?", 1)[0]
