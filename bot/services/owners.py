"""Who may decide a request: global product owners decide every request, a team's product
owners (`[[teams]] po_users`, `po_usergroup`) decide the requests of that team's projects."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from bot.config import Settings
from connectors import registry

GroupMembers = Callable[[str], frozenset[str]]  # user group id -> member user ids
REFUSAL = "Only this request's product owners can decide it. Nothing was changed."


@dataclass(frozen=True)
class TeamOwners:
    name: str
    projects: frozenset[str]  # "jira:PAY", "github:acme/shop" (repos lower-cased)
    users: frozenset[str]
    usergroup: str = ""


def project_uid(source: str, project: str) -> str:
    """ "jira:PAY", "github:acme/shop": a project as its source compares names."""
    return f"{source}:{registry.get(source).project_id(project)}"


@dataclass
class ProductOwners:
    """The authoriser the intake service asks before any decision (Slack and CLI alike)."""

    users: frozenset[str] = frozenset()
    usergroup: str = ""
    teams: tuple[TeamOwners, ...] = ()
    members: GroupMembers = field(default=lambda _group: frozenset())

    @classmethod
    def from_settings(cls, settings: Settings, members: GroupMembers) -> ProductOwners:
        teams = tuple(
            TeamOwners(
                team.name,
                frozenset(
                    [project_uid("jira", p) for p in team.projects]
                    + [project_uid("github", r) for r in team.repos]
                ),
                frozenset(team.po_users),
                team.po_usergroup,
            )
            for team in settings.teams
        )
        slack = settings.slack
        return cls(frozenset(slack.po_users), slack.po_usergroup, teams, members)

    @property
    def configured(self) -> bool:
        return bool(self.users or self.usergroup or any(t.users or t.usergroup for t in self.teams))

    def is_global(self, user: str) -> bool:
        return bool(user) and (user in self.users or self._in(self.usergroup, user))

    def teams_of(self, user: str) -> list[TeamOwners]:
        return [t for t in self.teams if user in t.users or self._in(t.usergroup, user)]

    def is_any(self, user: str) -> bool:
        """A product owner of something: may see the queue and open the decision forms."""
        return self.is_global(user) or bool(self.teams_of(user))

    def may_decide(self, user: str, projects: Iterable[str]) -> bool:
        """`projects`: the request's project uids (its origin, or where Accept puts it);
        none yet (a Slack request being declined) means any product owner may decide."""
        if self.is_global(user):
            return True
        mine = self.teams_of(user)
        wanted = set(projects)
        if not wanted:
            return bool(mine)
        return any(wanted <= team.projects for team in mine)

    def may_decide_for_team(self, user: str, team: str) -> bool:
        """A decision that belongs to one team (a say-no proposal): that team's own product
        owners when it names any, else the global ones."""
        own = next((t for t in self.teams if t.name == team), None)
        if own is not None and (own.users or own.usergroup):
            return user in own.users or self._in(own.usergroup, user)
        return self.is_global(user)

    def _in(self, group: str, user: str) -> bool:
        return bool(group) and user in self.members(group)
