"""The pages over WSGI: access, security headers, content, filters, and nothing secret."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from flask.testing import FlaskClient

from bot.context import AppContext
from bot.pages.access import ALL, share_path, token
from bot.web import create_app
from connectors.item import Item
from rules.engine import Engine
from tests.web.stock import EMAILS, SECRETS, fill, settings


class Site:
    def __init__(self, ctx: AppContext, items: list[Item]) -> None:
        self.ctx = ctx
        self.items = items
        self.client: FlaskClient = create_app(ctx).test_client()

    def all_path(self) -> str:
        return share_path(self.ctx.settings, ALL)

    def team_path(self, team: str) -> str:
        return share_path(self.ctx.settings, team)

    def get(self, path: str, **kwargs: Any) -> tuple[int, str, dict[str, str]]:
        response = self.client.get(path, **kwargs)
        return response.status_code, response.get_data(as_text=True), dict(response.headers)


def build(tmp_path: Path, **web: Any) -> Site:
    tmp_path.mkdir(parents=True, exist_ok=True)
    ctx = AppContext.build(settings(f"sqlite:///{tmp_path / 'pages.db'}", **web))
    items = fill(ctx.store, ctx.engine)
    return Site(ctx, items)


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    built = build(tmp_path)
    yield built
    built.ctx.close()


def jira_unready(site: Site) -> Item:
    return next(i for i in site.items if i.project == "PAY" and Engine().evaluate(i))


def every_page(site: Site) -> list[str]:
    """Every page a share link for everything reaches, plus the team link's pages."""
    base = site.all_path()
    pages = [base, base + "requests"]
    for team in ("payments", "mobile"):
        pages.append(f"{base}team/{team}")
        pages.append(f"{base}team/{team}?rule=missing-why")
    for item in site.items:
        pages.append(f"{base}item/{item.source}/{quote(item.key, safe='/')}")
    team = site.team_path("payments")
    pages += [team, team + "requests"]
    return pages


def test_the_four_pages_render_with_a_share_link(site: Site) -> None:
    base = site.all_path()
    status, body, _ = site.get(base)
    assert status == 200
    assert "payments" in body and "mobile" in body and "%</strong> ready" in body
    assert "Oldest unready items" in body and "<svg" in body
    assert "Intake: 1 pending; 1 accepted, 1 declined in 90 days (50% accepted)" in body
    status, body, _ = site.get(base + "team/payments")
    assert status == 200 and "Not ready, in backlog order" in body
    item = jira_unready(site)
    status, body, _ = site.get(f"{base}item/jira/{item.key}")
    assert status == 200 and "Verdicts" in body and "Finding history" in body
    assert "Refinery&#39;s comment" in body or "Refinery's comment" in body
    status, body, _ = site.get(base + "requests")
    assert status == 200
    assert "Month-end pain is real" in body and "U0PO2" in body and "Bulk refunds" in body


def test_strict_headers_and_no_scripts_or_inline_styles(site: Site) -> None:
    for path in every_page(site)[:6]:
        status, body, headers = site.get(path)
        assert status == 200, path
        csp = headers["Content-Security-Policy"]
        assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
        assert "script-src" not in csp and "unsafe-inline" not in csp
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["Referrer-Policy"] == "no-referrer"
        assert headers["Cache-Control"] == "no-store"
        assert "<script" not in body.lower()
        assert not re.search(r"\sstyle=", body), path  # the CSP would block it
        assert not re.search(r"\son[a-z]+=", body), path  # no inline event handlers


def test_wrong_missing_and_foreign_tokens_get_403_and_show_nothing(site: Site) -> None:
    good = site.all_path()
    wrong = good.replace(good.split("/")[3], "v1.AAAAwrongtoken")
    for path in (
        wrong,
        wrong + "team/payments",
        wrong + "requests",
        "/web/all/x/",
        "/web/",  # no trusted header configured
        "/web/requests",
        site.team_path("payments").replace("/payments/", "/mobile/"),  # another team's token
    ):
        status, body, _ = site.get(path)
        assert status == 403, path
        assert "PAY-" not in body and "payments" not in body and "ready" not in body


def test_a_team_link_sees_its_team_only(site: Site) -> None:
    team = site.team_path("payments")
    status, body, _ = site.get(team)
    assert status == 200 and "<h1>payments</h1>" in body
    mobile_item = next(i for i in site.items if i.project == "acme/mobile-app")
    status, _, _ = site.get(f"{team}item/github/{quote(mobile_item.key, safe='/')}")
    assert status == 404  # another team's item is not there for this link
    pay_item = jira_unready(site)
    assert site.get(f"{team}item/jira/{pay_item.key}")[0] == 200
    token_part = team.split("/")[4]
    assert site.get(f"/web/all/{token_part}/")[0] == 403  # a team token is not an overview one


def test_rotating_the_secret_or_the_key_version_revokes_links(tmp_path: Path) -> None:
    site = build(tmp_path)
    old_all, old_team = site.all_path(), site.team_path("payments")
    assert site.get(old_all)[0] == 200
    site.ctx.close()
    rotated = build(tmp_path / "rotated", secret="a-new-secret")
    try:
        assert rotated.get(old_all)[0] == 403
        assert rotated.get(old_team)[0] == 403
        assert rotated.get(rotated.all_path())[0] == 200
    finally:
        rotated.ctx.close()
    bumped = build(tmp_path / "bumped", key_version=2)
    try:
        assert bumped.get(old_all)[0] == 403
        assert bumped.all_path().startswith("/web/all/v2.")
        assert bumped.get(bumped.all_path())[0] == 200
    finally:
        bumped.ctx.close()


def test_trusted_header_when_configured(tmp_path: Path) -> None:
    site = build(tmp_path, trusted_user_header="X-Forwarded-User")
    try:
        assert site.get("/web/")[0] == 403
        assert site.get("/web/", headers={"X-Forwarded-User": " "})[0] == 403
        status, body, _ = site.get("/web/", headers={"X-Forwarded-User": "ana"})
        assert status == 200 and 'href="/web/team/payments"' in body
        assert site.get("/web/team/mobile", headers={"X-Forwarded-User": "ana"})[0] == 200
    finally:
        site.ctx.close()


def test_pages_are_off_unless_enabled(tmp_path: Path) -> None:
    ctx = AppContext.build(settings(f"sqlite:///{tmp_path / 'off.db'}", enabled=False))
    try:
        client = create_app(ctx).test_client()
        path = share_path(ctx.settings, ALL)
        assert client.get(path).status_code == 404
    finally:
        ctx.close()


def test_no_page_shows_a_secret_another_token_or_an_email(site: Site) -> None:
    web_secret = SECRETS["web"]
    other_tokens = [
        token(web_secret, 1, "mobile"),  # the pages below are for ALL and payments only
        token("", 1, ALL),
    ]
    pages = every_page(site)
    assert len(pages) > 40
    for path in pages:
        status, body, headers = site.get(path)
        assert status == 200, path
        text = body + " ".join(headers.values())
        for secret in SECRETS.values():
            assert secret not in text, (path, secret)
        for other in other_tokens:
            assert other not in text, path
        assert not re.search(r"[\w.+-]+@[\w-]+\.[\w.-]+", body), path
        for email in (*EMAILS, "ops@example.net", "bot@example.com"):
            assert email not in body, path


def test_filters_by_rule_owner_and_kind(site: Site) -> None:
    base = site.all_path() + "team/payments"
    _, everything, _ = site.get(base)
    keys = set(re.findall(r"<strong>(PAY-\d+)</strong>", everything))
    _, why, _ = site.get(base + "?rule=missing-why")
    why_keys = set(re.findall(r"<strong>(PAY-\d+)</strong>", why))
    expected = {
        i.key
        for i in site.items
        if i.project == "PAY"
        and i.status_category != "done"
        and any(f.rule == "missing-why" for f in Engine().evaluate(i))
    }
    assert why_keys == expected and why_keys < keys
    owner = next(i.assignee or i.reporter for i in site.items if i.key in keys)
    assert owner is not None
    _, owned, _ = site.get(base + "?owner=" + quote(owner.id))
    owned_keys = set(re.findall(r"<strong>(PAY-\d+)</strong>", owned))
    assert owned_keys and all(
        (i.assignee or i.reporter) == owner for i in site.items if i.key in owned_keys
    )
    _, bugs, _ = site.get(base + "?kind=epic")
    epic_keys = set(re.findall(r"<strong>(PAY-\d+)</strong>", bugs))
    assert epic_keys == {i.key for i in site.items if i.key in keys and i.kind == "epic"}


def test_item_page_shows_every_verdict_with_evidence_and_history(site: Site) -> None:
    item = jira_unready(site)
    _, body, _ = site.get(f"{site.all_path()}item/jira/{item.key}")
    verdicts = Engine().explain(item)
    assert verdicts
    for verdict in verdicts:
        assert verdict.rule in body
        if verdict.evidence:
            from markupsafe import escape

            assert str(escape(verdict.evidence)) in body
    for finding in Engine().evaluate(item):
        from markupsafe import escape

        assert str(escape(finding.hint)) in body
    assert "open" in body  # the history row of an open finding


def test_became_ready_since_the_last_digest(site: Site) -> None:
    import dataclasses

    item = jira_unready(site)
    fixed = dataclasses.replace(
        item,
        text="Refunds take a week because support re-keys them. Success metric: cut refund "
        "time from 7 days to 1 day.",
        description=None,
        sections={},
        estimate=3.0,
        labels=(),
    )
    assert Engine().evaluate(fixed) == []
    site.ctx.store.upsert_items([fixed])
    site.ctx.judge.items([fixed])
    _, body, _ = site.get(site.all_path() + "team/payments")
    ready_part = body.split("Ready since the last digest")[1]
    assert item.key in ready_part
