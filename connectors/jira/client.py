"""JSON access to one Jira site through the jira library's ResilientSession, errors made plain."""

from __future__ import annotations

import json
import logging
from typing import Any, Literal, cast
from urllib.parse import urlparse

import orjson
import requests
from jira import JIRA
from jira.exceptions import JIRAError
from jira.resilientsession import ResilientSession

from connectors.base import AuthError, ConnectorError, RateLimited
from connectors.jira.config import JiraConfig
from connectors.pacing import pace_session
from connectors.retries import retried

log = logging.getLogger(__name__)

Deployment = Literal["cloud", "datacenter"]
# ResilientSession waits min(max_retry_delay, 2 * Retry-After) * U(0.5, 1): keep the cap well
# above typical Retry-After values so the wait is never shorter than Jira asked for.
MAX_RETRY_DELAY = 600
CLOUD_HOSTS = (".atlassian.net", ".jira.com", ".jira-dev.com")


class JiraUnreachable(ConnectorError):
    """The Jira URL does not answer, or does not look like a Jira site (wrong jira.url)."""


class JqlRejected(ConnectorError):
    """Jira refused the JQL; the message is Jira's own."""


class JiraRequestError(ConnectorError):
    """Jira refused a request for another reason (bad field, missing permission, ...)."""


class FailFastSession(ResilientSession):
    """The library's session, except that before Jira first answers, a connection error is
    final: a wrong jira.url fails at once instead of after minutes of reconnect back-off."""

    reached: bool = False

    def _ResilientSession__recoverable(  # overrides the name-mangled private hook (jira 3.10)
        self, response: Any, url: Any, request_method: str, counter: int = 1
    ) -> bool:
        if isinstance(response, requests.ConnectionError) and not self.reached:
            return False
        hook = getattr(super(), "_ResilientSession__recoverable")  # noqa: B009 (mangled name)
        again = bool(hook(response, url, request_method, counter))
        if again:
            status = getattr(response, "status_code", None)
            retried("jira", int(status) if status is not None else None)
        return again


def is_cloud_host(url: str) -> bool:
    host = urlparse(url).hostname or ""
    return host.endswith(CLOUD_HOSTS)


class JiraClient:
    """One site's REST API: counts requests, and turns HTTP failures into ConnectorErrors."""

    def __init__(self, config: JiraConfig, jira: JIRA | None = None) -> None:
        if not config.url:
            raise ConnectorError("jira.url is not set (e.g. https://your-site.atlassian.net)")
        self.config = config
        self.site = config.url.rstrip("/")
        self.jira = jira or _connect(config)
        session = self.jira._session
        if type(session) is ResilientSession:
            session.__class__ = FailFastSession  # same object and state, one policy changed
        self.session: FailFastSession = cast(FailFastSession, session)
        self.session.reached = False
        self.session.max_retries = config.max_retries
        self.session.max_retry_delay = MAX_RETRY_DELAY
        if config.max_requests_per_second:
            # Paces the library's own retries too: the adapter sits under ResilientSession.
            pace_session(self.session, config.max_requests_per_second)
        self.requests = 0
        self._deployment: Deployment | None = (
            None if config.deployment == "auto" else config.deployment
        )

    # -- deployment ------------------------------------------------------------------------

    def known_deployment(self) -> Deployment | None:
        """The deployment if it is known without a request (config, or an Atlassian host)."""
        if self._deployment is None and is_cloud_host(self.site):
            self._deployment = "cloud"
        return self._deployment

    def deployment(self) -> Deployment:
        """Cloud or Data Center: from config, the host name, or GET /rest/api/2/serverInfo."""
        known = self.known_deployment()
        if known is None:
            info = self.get("/rest/api/2/serverInfo")
            kind = str(info.get("deploymentType", "")).lower()
            known = "cloud" if kind == "cloud" else "datacenter"
            self._deployment = known
        return known

    def set_deployment(self, deployment: Deployment) -> None:
        self._deployment = deployment

    @property
    def api(self) -> str:
        """The REST prefix: v3 (ADF bodies) on Cloud, v2 (wiki markup) on Data Center."""
        return "/rest/api/3" if self.deployment() == "cloud" else "/rest/api/2"

    # -- requests --------------------------------------------------------------------------

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return self.call("GET", path, params=params)

    def post(self, path: str, body: Any) -> Any:
        return self.call("POST", path, body=body)

    def put(self, path: str, body: Any) -> Any:
        return self.call("PUT", path, body=body)

    def delete(self, path: str) -> Any:
        return self.call("DELETE", path)

    def call(
        self,
        method: str,
        path: str,
        params: dict[str, Any] | None = None,
        body: Any = None,
    ) -> Any:
        """Send one request (the session retries 429/503 itself) and return the decoded JSON."""
        url = self.site + path
        kwargs: dict[str, Any] = {"params": params}
        if body is not None:
            kwargs["data"] = json.dumps(body)
        self.requests += 1
        try:
            response = self._send(method, url, kwargs)
        except JIRAError as exc:
            raise self._translate(exc, method, path) from None
        except requests.RequestException as exc:
            raise JiraUnreachable(
                f"cannot reach Jira at {self.site} ({type(exc).__name__}); check jira.url"
            ) from None
        if response.status_code == 204 or not response.content:
            return None
        try:
            return orjson.loads(response.content)  # several times faster than json on big pages
        except orjson.JSONDecodeError:
            raise JiraUnreachable(
                f"{self.site}{path} did not answer with JSON; is jira.url a Jira site?"
            ) from None

    def _send(self, method: str, url: str, kwargs: dict[str, Any]) -> requests.Response:
        response = self.session.request(method, url, **kwargs)
        self.session.reached = True
        return response

    def _translate(self, exc: JIRAError, method: str, path: str) -> ConnectorError:
        """Phrase an HTTP failure for the user; never includes headers (they hold the token)."""
        status = exc.status_code
        message = _jira_message(exc)
        where = f"{method} {path}"
        if status == 401:
            who = f" for {self.config.email}" if self.config.email else ""
            return AuthError(
                f"Jira at {self.site} rejected the credentials{who} (HTTP 401): "
                "check jira.email and jira.api_token"
            )
        if status == 403:
            return AuthError(
                f"Jira at {self.site} refused {where} (HTTP 403){_colon(message)}: "
                "the account lacks permission, or the token is wrong"
            )
        if status == 404:
            return JiraUnreachable(
                f"Jira at {self.site} answered 404 for {where}{_colon(message)}: "
                "check jira.url (and the issue or project key)"
            )
        if status == 410:
            return JiraRequestError(
                f"Jira at {self.site} has removed {path} (HTTP 410); "
                'set jira.deployment = "cloud" so Refinery uses /rest/api/3/search/jql'
            )
        if status == 400 and "/search" in path:
            return JqlRejected(f"Jira rejected the JQL{_colon(message)}")
        if status in (429, 503):
            retry = exc.response.headers.get("Retry-After") if exc.response is not None else None
            return RateLimited(
                f"Jira at {self.site} is still rate limiting after "
                f"{self.config.max_retries} retries (HTTP {status})",
                resume_at=retry,
            )
        return JiraRequestError(
            f"Jira at {self.site}: {where} failed (HTTP {status}){_colon(message)}"
        )


def _connect(config: JiraConfig) -> JIRA:
    """Build the jira client without network traffic (server info is read lazily, if needed)."""
    token = config.api_token.get_secret_value() if config.api_token else ""
    common: dict[str, Any] = {
        "server": config.url.rstrip("/"),
        "get_server_info": False,
        "max_retries": config.max_retries,
        "timeout": config.timeout,
    }
    if config.email:
        return JIRA(basic_auth=(config.email, token), **common)
    if token:
        return JIRA(token_auth=token, **common)  # Data Center personal access token
    return JIRA(**common)


def _jira_message(exc: JIRAError) -> str:
    """Jira's own error text (errorMessages / errors), trimmed to one line."""
    text = " ".join(str(exc.text or "").split())
    if text.lstrip().lower().startswith(("<!doctype", "<html")):
        return ""  # an HTML error page (proxy, wrong host): not worth showing
    return text[:500]


def _colon(message: str) -> str:
    return f": {message}" if message else ""
