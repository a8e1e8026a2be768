"""Refinery's settings: a TOML file overlaid by REFINERY_<SECTION>__<KEY> environment variables."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, SecretStr, ValidationError
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

DEFAULT_PATH = Path("refinery.toml")
ENV_PREFIX = "REFINERY_"


class ConfigError(Exception):
    """A configuration problem, phrased for the person who has to fix it."""


class Section(BaseModel):
    """Base for every section: unknown keys are errors, so typos never pass silently."""

    model_config = ConfigDict(extra="forbid", validate_default=True)


class StoreConfig(Section):
    url: str = "sqlite:///refinery.db"
    # How long a write waits for a lock held by another process before failing clearly.
    lock_timeout: float = Field(default=30.0, gt=0)


class JiraConfig(Section):
    url: str = ""
    email: str = ""
    api_token: SecretStr | None = None
    jql: str = ""  # empty: open items of `projects`
    projects: list[str] = Field(default_factory=list)
    estimate_field: str | None = None
    outcome_field: str | None = None
    deployment: Literal["auto", "cloud", "datacenter"] = "auto"
    page_size: int = Field(default=100, ge=1, le=100)
    board_id: int | None = None
    time_estimates: bool = False  # count Jira's original estimate as an estimate
    dry_run: bool = False
    webhook_secret: SecretStr | None = None
    triage_label: str = ""
    triage_status: str = ""  # items in this status (any case) join the intake queue too
    accepted_status: str = ""  # where Accept moves them (empty: first "To Do" transition)
    default_issue_type: str = "Story"
    timeout: float = 30.0
    max_retries: int = Field(default=5, ge=0, le=20)
    # Cap on requests a second to the site, retries included (None: no cap beyond paging).
    max_requests_per_second: float | None = Field(default=None, gt=0)


class GithubProject(Section):
    owner: str
    number: int
    field: str = "Estimate"


class GithubConfig(Section):
    token: SecretStr | None = None
    api_url: str = "https://api.github.com"
    repos: list[str] = Field(default_factory=list)
    estimate_labels: list[str] = Field(
        default_factory=lambda: ["estimate: {n}", "points/{n}", "sp:{n}", "size: {size}"]
    )
    size_points: dict[str, float] = Field(
        default_factory=lambda: {"XS": 1.0, "S": 2.0, "M": 3.0, "L": 5.0, "XL": 8.0}
    )
    project: GithubProject | None = None
    dry_run: bool = False
    webhook_secret: SecretStr | None = None
    triage_label: str = ""
    close_declined: bool = False
    min_rate_remaining: int = Field(default=50, ge=0)
    # Requests are serial (one at a time), which GitHub asks for; reads need no pause (a set
    # one counts from the previous request's start); writes keep GitHub's advised 1 s.
    seconds_between_requests: float = Field(default=0.0, ge=0)
    seconds_between_writes: float = Field(default=1.0, ge=0)
    timeout: float = 30.0
    max_retries: int = Field(default=5, ge=0, le=20)


class SlackConfig(Section):
    bot_token: SecretStr | None = None
    signing_secret: SecretStr | None = None
    app_token: SecretStr | None = None
    socket_mode: bool = False
    api_url: str = "https://slack.com/api/"
    command: str = "/refinery"
    po_users: list[str] = Field(default_factory=list)
    po_usergroup: str = ""
    intake_channel: str = ""
    digest_channel: str = ""
    people: dict[str, str] = Field(default_factory=dict)  # tracker user id -> Slack user id


class ServerConfig(Section):
    host: str = "127.0.0.1"
    port: int = Field(default=3000, ge=1, le=65535)
    threads: int = Field(default=16, ge=1, le=256)
    allow_unsigned_webhooks: bool = False
    max_body_bytes: int = Field(default=1_048_576, ge=1024)


class ScheduleConfig(Section):
    timezone: str = "UTC"
    sync: str = "*/15 * * * *"
    digest: str = "0 9 * * mon"
    refinement: str = ""
    comments: str = ""
    misfire_grace_seconds: int = Field(default=3600, ge=1)
    leader_retry_seconds: float = Field(default=15.0, gt=0)  # standby replicas retry this often


class TeamConfig(Section):
    name: str
    projects: list[str] = Field(default_factory=list)
    repos: list[str] = Field(default_factory=list)
    channel: str = ""
    po_users: list[str] = Field(default_factory=list)
    sprint_capacity: float | None = None  # story points per sprint
    refinement_items: int = Field(default=10, ge=1, le=100)
    dm_owners: bool = False


class DigestConfig(Section):
    stale_days: int = Field(default=30, ge=1)
    top_unready: int = Field(default=5, ge=1, le=20)
    trend_points: int = Field(default=8, ge=2, le=30)


class CommentTemplates(Section):
    header: str = "Refinery found this item is not ready for the team yet."
    ready: str = (
        "Thanks! This item now says why it matters, how success is measured, and how big it is."
    )
    # Per-rule how-to lines; "{where}" in `estimate` becomes where this tracker keeps estimates.
    why: str = 'Add a "Why" section: "As a <who>, I want <what>, so that <the problem it solves>."'
    outcome: str = (
        'Name an outcome metric, e.g. "Outcome: checkout drop-off falls from 30% to 20% '
        'within a month of release."'
    )
    estimate: str = "Estimate it with the team and put the number in {where}."


class CommentsConfig(Section):
    enabled: bool = False
    dry_run: bool = False
    rules: list[str] = Field(
        default_factory=lambda: ["missing-why", "missing-outcome", "missing-estimate"]
    )
    max_per_run: int = Field(default=20, ge=0)
    min_interval: int = Field(default=3600, ge=0)  # seconds between edits of one comment
    opt_out_label: str = "refinery-skip"
    on_fixed: Literal["edit", "delete"] = "edit"
    templates: CommentTemplates = Field(default_factory=CommentTemplates)


class Settings(BaseSettings):
    """Every setting Refinery reads. See config.example.toml for what each key means."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter="__",
        extra="forbid",
        validate_default=True,
    )

    store: StoreConfig = Field(default_factory=StoreConfig)
    jira: JiraConfig = Field(default_factory=JiraConfig)
    github: GithubConfig = Field(default_factory=GithubConfig)
    slack: SlackConfig = Field(default_factory=SlackConfig)
    server: ServerConfig = Field(default_factory=ServerConfig)
    schedule: ScheduleConfig = Field(default_factory=ScheduleConfig)
    teams: list[TeamConfig] = Field(default_factory=list)
    digest: DigestConfig = Field(default_factory=DigestConfig)
    comments: CommentsConfig = Field(default_factory=CommentsConfig)
    # Per-rule settings, validated by the rules engine (it knows each rule's parameters).
    rules: dict[str, dict[str, Any]] = Field(default_factory=dict)
    # The file these settings were read from (None: defaults and environment only).
    _path: Path | None = PrivateAttr(default=None)

    @property
    def path(self) -> Path | None:
        return self._path

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Environment first: it overlays the TOML file, which arrives as init values.
        return (env_settings, init_settings)


def resolve_path(path: Path | str | None) -> Path:
    """--config PATH, else $REFINERY_CONFIG, else ./refinery.toml."""
    if path:
        return Path(path)
    env = os.environ.get("REFINERY_CONFIG")
    return Path(env) if env else DEFAULT_PATH


def load_settings(path: Path | str | None = None) -> Settings:
    """Load settings; a missing default file means defaults, a missing named file is an error."""
    explicit = bool(path) or bool(os.environ.get("REFINERY_CONFIG"))
    resolved = resolve_path(path)
    data: dict[str, Any] = {}
    if resolved.exists():
        try:
            with resolved.open("rb") as handle:
                data = tomllib.load(handle)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{resolved}: not valid TOML: {exc}") from exc
        except OSError as exc:
            raise ConfigError(f"{resolved}: cannot read: {exc.strerror}") from exc
    elif explicit:
        raise ConfigError(f"{resolved}: config file not found")
    try:
        settings = Settings(**data)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, resolved, data)) from None
    settings._path = resolved if resolved.exists() else None
    from rules.engine import validate_rule_config  # late: rules must not import bot

    problems = validate_rule_config(settings.rules)
    if problems:
        where = resolved if resolved.exists() else "environment"
        raise ConfigError("\n".join(f"{where}: {problem}" for problem in problems))
    return settings


def _describe(exc: ValidationError, path: Path, data: dict[str, Any]) -> str:
    """Name each bad key and where it came from, never echoing a value (it may be a secret)."""
    lines = []
    for error in exc.errors(include_input=False, include_url=False):
        dotted = ".".join(str(part) for part in error["loc"])
        origin = str(path) if _in_file(data, error["loc"]) else _env_name(error["loc"])
        if error["type"] == "extra_forbidden":
            lines.append(f"{origin}: unknown key '{dotted}'")
        else:
            lines.append(f"{origin}: '{dotted}': {error['msg']}")
    return "\n".join(lines)


def _in_file(data: Any, loc: tuple[int | str, ...]) -> bool:
    node = data
    for part in loc:
        in_dict = isinstance(node, dict) and part in node
        in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        if not (in_dict or in_list):
            return False
        node = node[part]
    return True


def _env_name(loc: tuple[int | str, ...]) -> str:
    return "environment variable " + ENV_PREFIX + "__".join(str(p).upper() for p in loc)


def masked(settings: Settings) -> dict[str, Any]:
    """The effective settings as plain data, with every secret replaced by '**********'."""
    data: dict[str, Any] = _mask(settings.model_dump(mode="python"))
    return data


def _mask(value: Any) -> Any:
    if isinstance(value, SecretStr):
        return "**********" if value.get_secret_value() else ""
    if isinstance(value, dict):
        return {key: _mask(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_mask(item) for item in value]
    return value
