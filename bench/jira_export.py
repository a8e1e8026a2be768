"""Write a large saved Jira search export (v3, ADF descriptions) for `refinery check` benchmarks.

The issues copy the shapes of a recorded Cloud story (tests/fixtures/jira), trimmed to the
fields an export made with `fields=*navigable` typically carries that Refinery reads, with
a description that differs in every issue (so no cache of repeated text can help). Pages of
100, saved as one JSON list of /rest/api/3/search/jql answers, as a paging script saves them.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "jira"
SITE = "https://bench.atlassian.net"
WHY = [
    "Merchants call support to ask when they are paid, because the balance page shows no date.",
    "Users are struggling to find the refund button on the order page.",
    "This will let finance close the month two days earlier.",
    "",
]
OUTCOME = [
    "Raise mobile checkout conversion from 2.1% to 2.6% by the end of Q1.",
    "Cut 'where is my order' tickets by 25% in the first month.",
    "p95 payment latency under 300 ms.",
    "",
]
TYPES = [("Story", False)] * 6 + [("Task", False), ("Bug", False), ("Epic", False)]


def _text(text: str) -> dict[str, Any]:
    return {"type": "paragraph", "content": [{"type": "text", "text": text}]}


def _heading(text: str) -> dict[str, Any]:
    return {"type": "heading", "attrs": {"level": 2}, "content": [{"type": "text", "text": text}]}


def _description(rng: random.Random, n: int) -> dict[str, Any]:
    content = [_text(f"Item {n}: reuse the wallet sheet for account {rng.randrange(10**6)}.")]
    why, outcome = rng.choice(WHY), rng.choice(OUTCOME)
    if why:
        content += [_heading("Why"), _text(why)]
    if outcome:
        content += [_heading("Success metrics"), _text(outcome)]
    return {"version": 1, "type": "doc", "content": content}


def _person(n: int) -> dict[str, Any]:
    account = f"712020:{n:08d}-671d-4e68-b21c-d7892d390c3c"
    return {
        "self": f"{SITE}/rest/api/3/user?accountId={account}",
        "accountId": account,
        "displayName": f"Person {n}",
        "active": True,
    }


def issue(template: dict[str, Any], rng: random.Random, n: int) -> dict[str, Any]:
    f = template["fields"]
    type_name, subtask = rng.choice(TYPES)
    done = rng.random() < 0.15
    created = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=n)
    status = {k: f["status"][k] for k in ("self", "id", "name")}
    category = {k: f["status"]["statusCategory"][k] for k in ("id", "key", "name")}
    status.update(name="Done" if done else "To Do", statusCategory=category)
    category["key"] = "done" if done else "new"
    issuetype = {k: f["issuetype"][k] for k in ("id", "name", "subtask")}
    issuetype.update(name=type_name, subtask=subtask)
    project = {k: f["project"][k] for k in ("id", "key", "name")}
    project["key"] = f"P{n % 20:02d}"
    fields = {
        "summary": f"Generated item {n}",
        "issuetype": issuetype,
        "status": status,
        "project": project,
        "labels": rng.sample(["checkout", "payouts", "mobile", "api", "ux"], 2),
        "assignee": _person(rng.randrange(40)) if rng.random() < 0.7 else None,
        "reporter": _person(rng.randrange(40)),
        "created": created.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
        "updated": (created + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
        "customfield_10016": rng.choice([None, 0, 1, 2, 3, 5, 8]),
        "customfield_10019": f"0|i{n:07d}:",
        "description": _description(rng, n),
    }
    key = f"{project['key']}-{n}"
    ident = str(10**6 + n)
    link = f"{SITE}/rest/api/3/issue/{ident}"
    return {"expand": template["expand"], "id": ident, "self": link, "key": key, "fields": fields}


def write_jira_export(path: Path, count: int, seed: int = 7, page_size: int = 100) -> None:
    """Write `count` issues as a JSON list of /search/jql pages, streaming to disk."""
    recorded = json.loads((FIXTURES / "search_v3_legacy_real.trimmed.json").read_text())
    template = recorded["issues"][1]  # a real Cloud story
    names = {"customfield_10016": "Story point estimate", "customfield_10019": "Rank"}
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as out:
        out.write("[")
        for start in range(0, count, page_size):
            issues = [issue(template, rng, n) for n in range(start, min(start + page_size, count))]
            last = start + page_size >= count
            page: dict[str, Any] = {"issues": issues, "isLast": last}
            if not last:
                page["nextPageToken"] = f"token-{start + page_size}"
            if start == 0:
                page["names"] = names
            out.write(("," if start else "") + json.dumps(page, separators=(",", ":")))
        out.write("]\n")
