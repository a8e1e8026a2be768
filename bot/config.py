"""Refinery's settings: a TOML file overlaid by REFINERY_<SECTION>__<KEY> environment variables."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, get_origin

from pydantic import (
    Field,
    PrivateAttr,
    SecretStr,
    ValidationError,
    create_model,
    field_validator,
)
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    SettingsError,
)

from connectors import registry
from connectors.config import Section as Section
from connectors.github.config import GithubConfig as GithubConfig
from connectors.github.config import GithubProject as GithubProject
from connectors.jira.config import JiraConfig as JiraConfig

DEFAULT_PATH = Path("refinery.toml")
ENV_PREFIX = "REFINERY_"


class ConfigError(Exception):
    """A configuration problem, phrased for the person who has to fix it."""


class EnvValueError(ValueError):
    """An environment value that is neither JSON nor the plain form its setting accepts."""

    def __init__(self, field: str, expected: str) -> None:
        super().__init__(f"{field}: {expected}")
        self.field = field
        self.expected = expected


class PlainListsEnv(EnvSettingsSource):
    """Environment values: JSON as pydantic-settings reads it, or, for lists, `PAY,WEB`, and
    for tables, `U1=U2,U3=U4`, the forms people type in a shell or a compose file."""

    def decode_complex_value(self, field_name: str, field: FieldInfo, value: Any) -> Any:
        try:
            return super().decode_complex_value(field_name, field, value)
        except ValueError:
            pass
        kind = get_origin(field.annotation) if field is not None else None
        parts = [part.strip() for part in str(value).split(",") if part.strip()]
        if kind is list and field.annotation == list[str]:
            return parts
        if kind is dict and all("=" in part for part in parts):
            return dict(part.split("=", 1) for part in parts)
        if kind is dict:
            raise EnvValueError(field_name, "expected KEY=VALUE,KEY=VALUE or a JSON object")
        raise EnvValueError(field_name, "expected JSON (a list or an object)")


class StoreConfig(Section):
    url: str = "sqlite:///refinery.db"
    # How long a write waits for a lock held by another process before failing clearly.
    lock_timeout: float = Field(default=30.0, gt=0)


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
    metrics: bool = False  # GET /metrics in Prometheus text format


class SyncConfig(Section):
    # An incremental sync marks at most this share of a source gone; more needs --full.
    max_gone_share: float = Field(default=0.2, ge=0, le=1)


class ScheduleConfig(Section):
    timezone: str = "UTC"
    sync: str = "*/15 * * * *"
    digest: str = "0 9 * * mon"
    refinement: str = ""
    comments: str = ""
    outcomes: str = ""  # outcome reviews; empty: right after each scheduled sync
    prune: str = "0 9 * * mon"  # weekly; runs only when [prune] enabled = true
    misfire_grace_seconds: int = Field(default=3600, ge=1)
    leader_retry_seconds: float = Field(default=15.0, gt=0)  # standby replicas retry this often


class TeamConfig(Section):
    name: str
    projects: list[str] = Field(default_factory=list)
    repos: list[str] = Field(default_factory=list)
    channel: str = ""
    po_users: list[str] = Field(default_factory=list)  # decide this team's requests
    po_usergroup: str = ""  # a Slack user group whose members do too
    sprint_capacity: float | None = None  # story points per sprint
    refinement_items: int = Field(default=10, ge=1, le=100)
    dm_owners: bool = False
    agenda_threads: bool = False  # one thread reply per agenda item, for answers before the meeting
    review_after_days: int = Field(default=30, ge=1)  # outcome follow-up this long after done


class DigestConfig(Section):
    stale_days: int = Field(default=30, ge=1)
    top_unready: int = Field(default=5, ge=1, le=20)
    trend_points: int = Field(default=8, ge=2, le=30)


class PruneConfig(Section):
    """The weekly say-no proposal: candidates each team's PO keeps or declines in Slack."""

    enabled: bool = False
    candidates: int = Field(default=5, ge=1, le=20)  # per PO message
    max_per_run: int = Field(default=50, ge=0)  # proposals across all teams per run
    stale_days: int = Field(default=90, ge=1)
    low_rank_share: float = Field(default=0.5, gt=0, le=1)  # "low in rank": the bottom half
    snooze_days: int = Field(default=90, ge=1)  # Keep: not proposed again for this long
    jira_transition: str = ""  # status Decline moves Jira items to (empty: a "Won't do" one)
    opt_out_label: str = "refinery-keep"
    sprint_weeks: float = Field(default=2.0, gt=0)  # for "months of work" in the report


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

    @field_validator("*")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        # An empty template renders an empty paragraph, which Jira refuses as a comment body.
        if not value.strip():
            raise ValueError("must not be empty (leave the key out to use the default)")
        return value


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


class OutcomesConfig(Section):
    enabled: bool = True
    ask_again_days: int = Field(default=14, ge=1)  # after "Not yet" (at most twice)
    comment: bool = False  # add the answer to the ticket's Refinery comment


class DuplicatesConfig(Section):
    enabled: bool = True
    threshold: float = Field(default=0.5, ge=0.0, le=1.0)  # see BENCHMARKS.md for its choice
    max_suggestions: int = Field(default=3, ge=1, le=10)


class WebConfig(Section):
    enabled: bool = False  # the read-only pages under /web/ of `refinery serve`
    secret: SecretStr | None = None  # signs share links; changing it revokes every link
    key_version: int = Field(default=1, ge=1)  # raising it also revokes every link
    base_url: str = ""  # public address for `refinery web link` (default: server.host:port)
    trusted_user_header: str = ""  # behind a company proxy: a header naming the signed-in user


class Settings(BaseSettings):
    """Every setting Refinery reads. See config.example.toml for what each key means."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter="__",
        # `REFINERY_SLACK__BOT_TOKEN=` (as compose writes an unset ${VAR:-}) means "not set".
        env_ignore_empty=True,
        extra="forbid",
        validate_default=True,
    )

    store: StoreConfig = Field(default_factory=StoreConfig)
    jira: JiraConfig = Field(default_factory=JiraConfig)
    github: GithubConfig = Field(default_factory=GithubConfig)
    slack: SlackConfig = Field(default_factory=SlackConfig)
    server: ServerConfig = Field(default_factory=ServerConfig)
    schedule: ScheduleConfig = Field(default_factory=ScheduleConfig)
    sync: SyncConfig = Field(default_factory=SyncConfig)
    teams: list[TeamConfig] = Field(default_factory=list)
    digest: DigestConfig = Field(default_factory=DigestConfig)
    comments: CommentsConfig = Field(default_factory=CommentsConfig)
    outcomes: OutcomesConfig = Field(default_factory=OutcomesConfig)
    duplicates: DuplicatesConfig = Field(default_factory=DuplicatesConfig)
    prune: PruneConfig = Field(default_factory=PruneConfig)
    web: WebConfig = Field(default_factory=WebConfig)
    # Per-rule settings, validated by the rules engine (it knows each rule's parameters).
    rules: dict[str, dict[str, Any]] = Field(default_factory=dict)
    # The file these settings were read from (None: defaults and environment only).
    _path: Path | None = PrivateAttr(default=None)
    _file_data: dict[str, Any] = PrivateAttr(default_factory=dict)

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
        return (PlainListsEnv(settings_cls), init_settings)


def with_sections(base: type[Settings], connectors: Mapping[str, Any]) -> type[Settings]:
    """`base` with a settings section for every connector it does not declare (a new source's
    `[name]` table and REFINERY_NAME__* variables work without an edit here); `base` itself
    when it declares them all. Jira and GitHub are declared above, typed, for the code that
    reads them by name."""
    extra: dict[str, Any] = {
        name: (connector.section, Field(default_factory=connector.section))
        for name, connector in connectors.items()
        if name not in base.model_fields
    }
    if not extra:
        return base
    model: type[Settings] = create_model(
        base.__name__, __base__=base, __module__=base.__module__, **extra
    )
    return model


if not TYPE_CHECKING:
    Settings = with_sections(Settings, registry.CONNECTORS)


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
    except SettingsError as exc:
        raise ConfigError(_describe_env(exc)) from None
    settings._path = resolved if resolved.exists() else None
    settings._file_data = data
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


def _describe_env(exc: SettingsError) -> str:
    """Name the environment variable pydantic-settings could not decode (never its value)."""
    cause = exc.__cause__
    while cause is not None and not isinstance(cause, EnvValueError):
        cause = cause.__cause__
    field = cause.field if isinstance(cause, EnvValueError) else ""
    expected = cause.expected if isinstance(cause, EnvValueError) else "expected JSON"
    suffix = f"__{field.upper()}"
    names = sorted(
        name
        for name in os.environ
        if field
        and name.upper().startswith(ENV_PREFIX)
        and (name.upper().endswith(suffix) or name.upper() == ENV_PREFIX + field.upper())
    )
    named = ", ".join(names) or f"a {ENV_PREFIX}* environment variable"
    return f"environment variable {named}: {expected}"


def origin(settings: Settings | None, *dotted: str) -> str:
    """Where a setting's value came from: its environment variable, the file, or the default."""
    env = ENV_PREFIX + "__".join(part.upper() for part in dotted)
    if env in os.environ:
        return env
    if settings is not None and settings.path and _in_file(settings._file_data, dotted):
        return str(settings.path)
    return "default"


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
