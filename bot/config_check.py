"""What `refinery config check` finds beyond types: settings that load but would fail later."""

from __future__ import annotations

import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.config import Settings, origin
from bot.store.errors import safe_url, url_problem

REPO = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
JOBS = ("sync", "digest", "refinement", "comments")


@dataclass(frozen=True)
class Problem:
    """One setting that will not work: its dotted key, and what to do about it."""

    key: str
    message: str

    def line(self, settings: Settings) -> str:
        where = origin(settings, *(part for part in self.key.split(".") if not part.isdigit()))
        where = "" if where == "default" else f"{where}: "
        return f"{where}'{self.key}': {self.message}"


def _set(value: object) -> bool:
    secret = getattr(value, "get_secret_value", None)
    return bool(secret() if callable(secret) else value)


def problems(settings: Settings) -> list[Problem]:
    """Every problem found; empty when each configured part should work."""
    found: list[Problem] = []
    found += _store(settings)
    found += _jira(settings)
    found += _github(settings)
    found += _slack(settings)
    found += _schedule(settings)
    found += _comments(settings)
    return found


def _url(key: str, value: str) -> list[Problem]:
    if value and not value.startswith(("https://", "http://")):
        return [Problem(key, f"'{value}' needs a scheme: https://{value.split('://')[-1]}")]
    return []


def _store(settings: Settings) -> list[Problem]:
    problem = url_problem(settings.store.url)
    return [Problem("store.url", problem)] if problem else []


def _jira(settings: Settings) -> list[Problem]:
    jira = settings.jira
    found = _url("jira.url", jira.url)
    if jira.email and not _set(jira.api_token):
        found.append(
            Problem("jira.email", "is set but REFINERY_JIRA__API_TOKEN is not (Cloud needs both)")
        )
    if (jira.projects or jira.jql) and not jira.url:
        found.append(Problem("jira.url", "is empty, but projects or jql are set"))
    if jira.url and not (jira.projects or jira.jql):
        found.append(Problem("jira.projects", "is empty and so is jira.jql: nothing to sync"))
    if jira.url and not jira.email and not _set(jira.api_token):
        found.append(Problem("jira.api_token", "is not set (REFINERY_JIRA__API_TOKEN)"))
    return found


def _github(settings: Settings) -> list[Problem]:
    github = settings.github
    found = _url("github.api_url", github.api_url)
    for index, repo in enumerate(github.repos):
        if not REPO.match(repo):
            found.append(
                Problem(f"github.repos.{index}", f"'{repo}' is not OWNER/NAME, e.g. '{repo}/REPO'")
            )
    if github.repos and not _set(github.token):
        found.append(Problem("github.token", "is not set (REFINERY_GITHUB__TOKEN)"))
    for index, pattern in enumerate(github.estimate_labels):
        if "{n}" not in pattern and "{size}" not in pattern:
            found.append(
                Problem(f"github.estimate_labels.{index}", f"'{pattern}' has no {{n}} or {{size}}")
            )
    return found


def _slack(settings: Settings) -> list[Problem]:
    slack = settings.slack
    found = _url("slack.api_url", slack.api_url)
    if slack.socket_mode:
        missing = [
            f"REFINERY_SLACK__{key.upper()}"
            for key in ("app_token", "bot_token")
            if not _set(getattr(slack, key))
        ]
        if missing:
            found.append(
                Problem("slack.socket_mode", f"is on, but {' and '.join(missing)} is not set")
            )
    else:
        pair = {"bot_token": _set(slack.bot_token), "signing_secret": _set(slack.signing_secret)}
        if any(pair.values()) and not all(pair.values()):
            given = next(key for key, on in pair.items() if on)
            absent = next(key for key, on in pair.items() if not on)
            found.append(
                Problem(
                    f"slack.{given}",
                    f"is set, but REFINERY_SLACK__{absent.upper()} is not (HTTP needs both)",
                )
            )
    return found


def _schedule(settings: Settings) -> list[Problem]:
    from bot.scheduler.triggers import crontab_trigger

    schedule = settings.schedule
    try:
        zone = ZoneInfo(schedule.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return [Problem("schedule.timezone", f"'{schedule.timezone}' is not an IANA time zone")]
    found = []
    for job in JOBS:
        expr = getattr(schedule, job)
        if not expr:
            continue
        try:
            crontab_trigger(expr, zone)
        except ValueError as exc:
            found.append(Problem(f"schedule.{job}", f"'{expr}' is not a cron expression: {exc}"))
    return found


def _comments(settings: Settings) -> list[Problem]:
    templates = settings.comments.templates
    found = [
        Problem(f"comments.templates.{name}", "is empty: the comment would say nothing there")
        for name in ("header", "ready", "why", "outcome", "estimate")
        if not getattr(templates, name).strip()
    ]
    from rules.engine import load_builtin_rules

    known = load_builtin_rules()
    for index, rule in enumerate(settings.comments.rules):
        if rule not in known:
            found.append(Problem(f"comments.rules.{index}", f"'{rule}' is not a rule id"))
    return found


def summary(settings: Settings) -> list[str]:
    """One line per part: configured or not, and what is missing."""
    from bot.serve_status import metrics_part, slack_part

    jira, github, schedule = settings.jira, settings.github, settings.schedule
    lines = [f"Store: {safe_url(settings.store.url)}"]
    if jira.url:
        scope = f"projects {', '.join(jira.projects)}" if jira.projects else f"jql {jira.jql!r}"
        auth = "Cloud (e-mail + API token)" if jira.email else "personal access token"
        token = "set" if _set(jira.api_token) else "NOT set"
        lines.append(f"Jira: {jira.url}, {scope}; {auth}: {token}")
    else:
        lines.append("Jira: not configured (set [jira] url and projects or jql)")
    if github.repos:
        token = "set" if _set(github.token) else "NOT set"
        lines.append(f"GitHub: {', '.join(github.repos)}; token {token}")
    else:
        lines.append("GitHub: not configured (set [github] repos and REFINERY_GITHUB__TOKEN)")
    lines.append(slack_part(settings).line())
    jobs = [f"{job} '{getattr(schedule, job)}'" for job in JOBS if getattr(schedule, job)]
    lines.append(f"Schedule ({schedule.timezone}): {', '.join(jobs) or 'no jobs'}")
    comments = settings.comments
    if comments.enabled:
        dry = " (dry run)" if comments.dry_run else ""
        lines.append(f"Comments: on{dry}, at most {comments.max_per_run} writes a run")
    else:
        lines.append("Comments: off (set [comments] enabled = true)")
    lines.append(f"Teams: {', '.join(t.name for t in settings.teams) or 'one, the whole backlog'}")
    lines.append(metrics_part(settings).line())
    return lines
