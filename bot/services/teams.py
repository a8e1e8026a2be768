"""The configured teams; with none, one implicit team covering the whole backlog."""

from __future__ import annotations

from bot.config import Settings, TeamConfig

IMPLICIT_TEAM = "backlog"


def teams(settings: Settings) -> list[TeamConfig]:
    """The configured teams; with none, one implicit team covering everything."""
    if settings.teams:
        return list(settings.teams)
    return [TeamConfig(name=IMPLICIT_TEAM, channel=settings.slack.digest_channel)]


def select_teams(settings: Settings, name: str | None) -> list[TeamConfig]:
    """All teams, or the one called `name` (ValueError naming the known teams otherwise)."""
    every = teams(settings)
    if name is None:
        return every
    chosen = [team for team in every if team.name == name]
    if not chosen:
        known = ", ".join(team.name for team in every)
        raise ValueError(f"no team {name!r} (configured: {known})")
    return chosen


def channel_for(settings: Settings, team: TeamConfig) -> str:
    return team.channel or settings.slack.digest_channel
