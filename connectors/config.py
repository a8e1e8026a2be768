"""The base every settings section shares, connectors' own sections included."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

# One setting that loads but will not work: (dotted key, what to do about it).
Problem = tuple[str, str]


class Section(BaseModel):
    """Base for every section: unknown keys are errors, so typos never pass silently."""

    model_config = ConfigDict(extra="forbid", validate_default=True)


def is_set(value: object) -> bool:
    """A secret (or plain value) that is present and not empty."""
    secret = getattr(value, "get_secret_value", None)
    return bool(secret() if callable(secret) else value)


def url_problems(key: str, value: str) -> list[Problem]:
    if value and not value.startswith(("https://", "http://")):
        return [(key, f"'{value}' needs a scheme: https://{value.split('://')[-1]}")]
    return []
