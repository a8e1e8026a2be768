"""A fake Jira site on `responses`: real payload shapes, JQL paging and `updated >=` filtering."""

from __future__ import annotations

import copy
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import responses

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "jira"
SITE = "https://acme.atlassian.net"
T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
UPDATED_CLAUSE = re.compile(r'updated >= "(\d{4}/\d\d/\d\d \d\d:\d\d)"')


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def jira_time(moment: datetime) -> str:
    """Jira's own timestamp format: 2026-03-01T08:00:00.000+0000."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000+0000")


# The recorded Cloud Story TMSP-23 (ADF description, issue link, real user objects).
TEMPLATE = load("search_v3_legacy_real.trimmed.json")["issues"][1]


def make_issue(n: int, updated: datetime, project: str = "PAY") -> dict[str, Any]:
    """A recorded-shape issue with its own key, time, points and sprint."""
    issue: dict[str, Any] = copy.deepcopy(TEMPLATE)
    key = f"{project}-{n}"
    issue["id"] = str(10000 + n)
    issue["key"] = key
    issue["self"] = f"{SITE}/rest/api/3/issue/{10000 + n}"
    fields = issue["fields"]
    fields["summary"] = f"Item {n}"
    fields["project"]["key"] = project
    fields["updated"] = jira_time(updated)
    fields["created"] = jira_time(T0 - timedelta(days=30))
    fields["customfield_10016"] = n % 8 if n % 3 else None
    fields["customfield_10026"] = 5 if n % 3 == 0 else None
    fields["customfield_10020"] = [
        {"id": 1, "name": "Sprint 1", "state": "closed", "boardId": 1},
        {"id": 2, "name": "Sprint 2", "state": "active", "boardId": 1},
    ]
    return issue


class FakeJira:
    """Serves one site's search, field, myself, serverInfo and approximate-count endpoints."""

    def __init__(
        self,
        rsps: responses.RequestsMock,
        issues: list[dict[str, Any]],
        deployment: str = "cloud",
        time_zone: str = "Europe/Berlin",
        site: str = SITE,
    ) -> None:
        self.rsps = rsps
        self.site = site
        self.issues = {issue["key"]: issue for issue in issues}
        self.deployment = deployment
        self.zone = ZoneInfo(time_zone)
        self.time_zone = time_zone
        self.jqls: list[str] = []
        self.bodies: list[dict[str, Any]] = []
        self.fail: dict[int, Any] = {}  # search call number -> (status, headers, body) or exception
        self.search_calls = 0
        api = "3" if deployment == "cloud" else "2"
        rsps.add_callback("GET", f"{site}/rest/api/{api}/field", callback=self._fields)
        rsps.add_callback("GET", f"{site}/rest/api/{api}/myself", callback=self._myself)
        rsps.add_callback("GET", f"{site}/rest/api/2/serverInfo", callback=self._server_info)
        rsps.add_callback(
            "POST", f"{site}/rest/api/3/search/approximate-count", callback=self._count
        )
        rsps.add_callback("POST", f"{site}/rest/api/3/search/jql", callback=self._search_jql)
        rsps.add_callback("POST", f"{site}/rest/api/2/search", callback=self._search_dc)

    # -- mutations used by tests ---------------------------------------------------------------

    def touch(self, key: str, when: datetime, summary: str | None = None) -> None:
        fields = self.issues[key]["fields"]
        fields["updated"] = jira_time(when)
        if summary is not None:
            fields["summary"] = summary

    # -- endpoints --------------------------------------------------------------------------

    def _fields(self, request: Any) -> tuple[int, dict[str, str], str]:
        return 200, {}, json.dumps(load("field_list_real.json"))

    def _myself(self, request: Any) -> tuple[int, dict[str, str], str]:
        me = {"accountId": "712020:abc", "displayName": "Refinery Bot", "timeZone": self.time_zone}
        return 200, {}, json.dumps(me)

    def _server_info(self, request: Any) -> tuple[int, dict[str, str], str]:
        kind = "Cloud" if self.deployment == "cloud" else "Server"
        info = {"baseUrl": self.site, "deploymentType": kind, "versionNumbers": [10, 3, 0]}
        return 200, {}, json.dumps(info)

    def _count(self, request: Any) -> tuple[int, dict[str, str], str]:
        body = json.loads(request.body)
        return 200, {}, json.dumps({"count": len(self._matching(body["jql"]))})

    def _search_jql(self, request: Any) -> tuple[int, dict[str, str], str]:
        body = json.loads(request.body)
        failure = self._failure()
        if failure is not None:
            return failure
        matching = self._matching(body["jql"])
        start = int(body.get("nextPageToken") or 0)
        # Atlassian: up to 5,000 per page when only `id` or `key` is requested.
        small = set(body["fields"]) <= {"id", "key"}
        size = min(int(body.get("maxResults", 50)), 5000 if small else 100)
        page = matching[start : start + size]
        answer: dict[str, Any] = {"issues": [self._shape(i, body["fields"]) for i in page]}
        if start + size < len(matching):
            answer["nextPageToken"] = str(start + size)
            answer["isLast"] = False
        else:
            answer["isLast"] = True
        return 200, {}, json.dumps(answer)

    def _search_dc(self, request: Any) -> tuple[int, dict[str, str], str]:
        body = json.loads(request.body)
        failure = self._failure()
        if failure is not None:
            return failure
        matching = self._matching(body["jql"])
        start, size = int(body.get("startAt", 0)), min(int(body.get("maxResults", 50)), 1000)
        page = matching[start : start + size]
        answer = {
            "startAt": start,
            "maxResults": size,
            "total": len(matching),
            "issues": [self._shape(i, body["fields"]) for i in page],
        }
        return 200, {}, json.dumps(answer)

    # -- helpers ----------------------------------------------------------------------------

    def _failure(self) -> tuple[int, dict[str, str], str] | None:
        self.search_calls += 1
        failure = self.fail.pop(self.search_calls, None)
        if isinstance(failure, BaseException):
            raise failure
        return failure  # type: ignore[no-any-return]

    def _matching(self, jql: str) -> list[dict[str, Any]]:
        self.jqls.append(jql)
        issues = list(self.issues.values())
        found = UPDATED_CLAUSE.search(jql)
        if found:
            since = datetime.strptime(found.group(1), "%Y/%m/%d %H:%M").replace(tzinfo=self.zone)
            issues = [i for i in issues if _updated(i) >= since]
        if "ORDER BY updated ASC, key ASC" in jql:
            issues.sort(key=lambda i: (_updated(i), _key_order(i["key"])))
        else:
            issues.sort(key=lambda i: _key_order(i["key"]))
        return issues

    def _shape(self, issue: dict[str, Any], fields: list[str]) -> dict[str, Any]:
        wanted = set(fields)
        if wanted == {"id"}:
            return {"id": issue["id"]}  # as documented: an id-only search returns only ids
        shaped: dict[str, Any] = {
            k: issue[k] for k in ("expand", "id", "self", "key") if k in issue
        }
        shaped["fields"] = {k: v for k, v in issue["fields"].items() if k in wanted}
        return shaped


def _updated(issue: dict[str, Any]) -> datetime:
    return datetime.strptime(issue["fields"]["updated"], "%Y-%m-%dT%H:%M:%S.%f%z")


def _key_order(key: str) -> tuple[str, int]:
    project, number = key.rsplit("-", 1)
    return project, int(number)
