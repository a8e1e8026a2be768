"""Read-only backlog-health pages under /web/ (off unless `[web] enabled = true`).

Access: a signed share link, per team (`/web/t/<team>/<token>/`) or for every team
(`/web/all/<token>/`), or, behind a company proxy, a trusted header naming the user
(`/web/`). Anything else gets 403 and an empty page. Pages carry strict security headers
and never show a secret, a token of another scope or an e-mail address.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from flask import Blueprint, Flask, Response, abort, render_template, request
from markupsafe import Markup

from bot.pages import data
from bot.pages.access import ALL, Viewer, valid

if TYPE_CHECKING:
    from bot.context import AppContext

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
HEADERS = {
    # No scripts at all, styles only from our own stylesheet, nothing may frame the pages.
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
        "base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",  # links to the tracker must not carry the share token
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


def hide_emails(value: Any) -> Any:
    """Jinja's finalize: every printed value passes here, so no e-mail address is shown."""
    if isinstance(value, Markup):
        return Markup(EMAIL.sub("(address hidden)", str(value)))
    if isinstance(value, str):
        return EMAIL.sub("(address hidden)", value)
    return value


def register_pages(app: Flask, ctx: AppContext) -> None:
    """Mount the pages when the web section enables them."""
    web = ctx.settings.web
    if not web.enabled:
        return
    pages = Blueprint(
        "pages",
        __name__,
        url_prefix="/web",
        template_folder="templates",
        static_folder="static",
        static_url_path="/assets",
    )
    app.jinja_env.finalize = hide_emails
    app.jinja_env.globals.update(item_path=item_path, team_path=team_path)

    def every_team(token: str) -> Viewer:
        if not valid(ctx.settings, ALL, token):
            abort(403)
        return Viewer(None, f"/web/all/{token}")

    def one_team(team: str, token: str) -> Viewer:
        if data.find_team(ctx, team) is None or not valid(ctx.settings, team, token):
            abort(403)
        return Viewer(team, f"/web/t/{quote(team, safe='')}/{token}")

    def trusted() -> Viewer:
        header = web.trusted_user_header
        if not header or not request.headers.get(header, "").strip():
            abort(403)
        return Viewer(None, "/web")

    # -- routes: the same four pages under each way in -----------------------------------------

    @pages.get("/all/<token>/")
    def all_overview(token: str) -> str:
        return _overview(ctx, every_team(token))

    @pages.get("/all/<token>/team/<team>")
    def all_team(token: str, team: str) -> str:
        return _team(ctx, every_team(token), team)

    @pages.get("/all/<token>/item/<source>/<path:key>")
    def all_item(token: str, source: str, key: str) -> str:
        return _item(ctx, every_team(token), source, key)

    @pages.get("/all/<token>/requests")
    def all_requests(token: str) -> str:
        return _requests(ctx, every_team(token))

    @pages.get("/t/<team>/<token>/")
    def team_home(team: str, token: str) -> str:
        return _team(ctx, one_team(team, token), team)

    @pages.get("/t/<team>/<token>/item/<source>/<path:key>")
    def team_item(team: str, token: str, source: str, key: str) -> str:
        return _item(ctx, one_team(team, token), source, key)

    @pages.get("/t/<team>/<token>/requests")
    def team_requests(team: str, token: str) -> str:
        return _requests(ctx, one_team(team, token))

    @pages.get("/")
    def proxy_overview() -> str:
        return _overview(ctx, trusted())

    @pages.get("/team/<team>")
    def proxy_team(team: str) -> str:
        return _team(ctx, trusted(), team)

    @pages.get("/item/<source>/<path:key>")
    def proxy_item(source: str, key: str) -> str:
        return _item(ctx, trusted(), source, key)

    @pages.get("/requests")
    def proxy_requests() -> str:
        return _requests(ctx, trusted())

    @pages.errorhandler(403)
    def forbidden(_error: Exception) -> tuple[str, int]:
        return render_template("web/denied.html"), 403

    @pages.errorhandler(404)
    def missing(_error: Exception) -> tuple[str, int]:
        return render_template("web/missing.html"), 404

    @pages.after_request
    def secure(response: Response) -> Response:
        for name, value in HEADERS.items():
            response.headers[name] = value
        return response

    app.register_blueprint(pages)


def team_path(viewer: Viewer, team: str) -> str:
    if viewer.team is not None:
        return viewer.base + "/"
    return f"{viewer.base}/team/{quote(team, safe='')}"


def item_path(viewer: Viewer, source: str, key: str) -> str:
    return f"{viewer.base}/item/{quote(source, safe='')}/{quote(key, safe='/')}"


def _overview(ctx: AppContext, viewer: Viewer) -> str:
    summaries = data.overview(ctx)
    refresh = ctx.judge.state
    return render_template(
        "web/overview.html", viewer=viewer, teams=summaries, refresh=refresh, title="Overview"
    )


def _filters() -> data.Filters:
    def arg(name: str) -> str | None:
        value = request.args.get(name, "").strip()
        return value[:255] or None

    return data.Filters(rule=arg("rule"), owner=arg("owner"), kind=arg("kind"))


def _team(ctx: AppContext, viewer: Viewer, name: str) -> str:
    team = data.find_team(ctx, name)
    if team is None or not viewer.may_see_team(name):
        abort(404)
    page = data.team_page(ctx, team, _filters())
    return render_template("web/team.html", viewer=viewer, page=page, title=team.name)


def _item(ctx: AppContext, viewer: Viewer, source: str, key: str) -> str:
    page = data.item_page(ctx, source, key)
    if page is None:
        abort(404)
    if viewer.team is not None and not data.item_in_team(ctx, page.card, viewer.team):
        abort(404)  # another team's item: as if it did not exist
    team = viewer.team or data.item_team(ctx, page.card)
    return render_template("web/item.html", viewer=viewer, page=page, team=team, title=key)


def _requests(ctx: AppContext, viewer: Viewer) -> str:
    found = data.requests_page(ctx, viewer.team)
    return render_template("web/requests.html", viewer=viewer, requests=found, title="Requests")
