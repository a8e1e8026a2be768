"""The one fake Jira site for the tests, on `responses` at the transport.

It answers what Jira's REST API answers, in the recorded and documented shapes
(tests/fixtures/jira, see ../SOURCES.md): search with JQL paging and `updated >=` filtering
(Cloud /rest/api/3/search/jql with nextPageToken, Data Center /rest/api/2/search with startAt),
the approximate count, the field list, myself, serverInfo, and an issue's comments
(GET with startAt/maxResults paging, POST, PUT, DELETE). Like Jira, the comment listing
carries no comment properties: the endpoint documents `expand=renderedBody` only.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from itertools import count
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl
from zoneinfo import ZoneInfo

import responses
from requests import PreparedRequest

from tests.fakes.comments import Answer, Call, CommentLog

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "jira"
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


class FakeJira(CommentLog):
    """One Jira site: search, count, fields, myself, serverInfo, and comments per issue key."""

    def __init__(
        self,
        rsps: responses.RequestsMock,
        issues: Sequence[dict[str, Any]] = (),
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
        # search call number -> (status, headers, body) or an exception to raise
        self.fail: dict[int, Answer | BaseException] = {}
        self.search_calls = 0
        self.down = False  # True: every endpoint answers 503, as during an outage
        # Comments: the issue key -> its comments, oldest first; `calls` logs these requests.
        self.comments: dict[str, list[dict[str, Any]]] = {}
        self.calls: list[Call] = []
        self.ids = count(10001)
        api = f"{site}/rest/api/{'3' if deployment == 'cloud' else '2'}"
        issue = rf"{re.escape(api)}/issue/([A-Z][A-Z0-9]*-\d+)/comment"
        one = re.compile(rf"{issue}/(\d+)(\?.*)?$")
        endpoints: list[tuple[str, str | re.Pattern[str], Callable[[PreparedRequest], Answer]]] = [
            ("GET", f"{api}/field", self._fields),
            ("GET", f"{api}/myself", self._myself),
            ("GET", f"{site}/rest/api/2/serverInfo", self._server_info),
            ("POST", f"{site}/rest/api/3/search/approximate-count", self._count),
            ("POST", f"{site}/rest/api/3/search/jql", self._search_jql),
            ("POST", f"{site}/rest/api/2/search", self._search_dc),
            ("GET", re.compile(rf"{issue}(\?.*)?$"), self._list_comments),
            ("POST", re.compile(rf"{issue}$"), self._add_comment),
            ("PUT", one, self._edit_comment),
            ("DELETE", one, self._delete_comment),
        ]
        for method, url, answer in endpoints:
            rsps.add_callback(method, url, callback=self._unless_down(answer))

    # -- mutations used by tests ---------------------------------------------------------------

    def touch(self, key: str, when: datetime, summary: str | None = None) -> None:
        fields = self.issues[key]["fields"]
        fields["updated"] = jira_time(when)
        if summary is not None:
            fields["summary"] = summary

    def _unless_down(self, answer: Callable[[PreparedRequest], Answer]) -> Callable[..., Answer]:
        def serve(request: PreparedRequest) -> Answer:
            if self.down:
                return 503, {}, json.dumps({"errorMessages": ["Service Unavailable"]})
            return answer(request)

        return serve

    # -- comment endpoints ----------------------------------------------------------------------

    def _list_comments(self, request: PreparedRequest) -> Answer:
        call = self._note(request)
        found = self.comments.get(_issue_key(call), [])
        query = dict(parse_qsl(call.query))
        start, size = int(query.get("startAt", 0)), int(query.get("maxResults", 5000))
        # As documented, the listing has no comment properties (expand takes renderedBody only).
        page = [_without_properties(c) for c in found]
        answer = {"startAt": start, "maxResults": size, "total": len(found)}
        return 200, {}, json.dumps(answer | {"comments": page[start : start + size]})

    def _add_comment(self, request: PreparedRequest) -> Answer:
        call = self._note(request)
        key, comment_id = _issue_key(call), str(next(self.ids))
        comment = {
            "id": comment_id,
            "self": f"{self.site}/rest/api/3/issue/{key}/comment/{comment_id}",
            "body": call.body["body"],
            "properties": call.body.get("properties", []),
        }
        self.comments.setdefault(key, []).append(comment)
        return 201, {}, json.dumps(_without_properties(comment))

    def _edit_comment(self, request: PreparedRequest) -> Answer:
        call = self._note(request)
        try:
            _, comment = self.find(call.path.rsplit("/", 1)[1])
        except KeyError:
            return _not_found()
        comment["body"] = call.body["body"]
        return 200, {}, json.dumps(_without_properties(comment))

    def _delete_comment(self, request: PreparedRequest) -> Answer:
        call = self._note(request)
        try:
            key, comment = self.find(call.path.rsplit("/", 1)[1])
        except KeyError:
            return _not_found()
        self.comments[key].remove(comment)
        return 204, {}, ""

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

    def _failure(self) -> Answer | None:
        self.search_calls += 1
        failure = self.fail.pop(self.search_calls, None)
        if isinstance(failure, BaseException):
            raise failure
        return failure

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


def _issue_key(call: Call) -> str:
    return call.path.split("/issue/")[1].split("/")[0]


def _without_properties(comment: dict[str, Any]) -> dict[str, Any]:
    """A comment as the REST API answers it: properties are stored but never echoed."""
    return {k: v for k, v in comment.items() if k != "properties"}


def _not_found() -> Answer:
    return 404, {}, json.dumps({"errorMessages": ["Can not find a comment for the id."]})
