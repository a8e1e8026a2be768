"""ORM rows copied into the frozen records the store hands out (never the rows themselves)."""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

R = TypeVar("R")


def record(kind: type[R], row: Any, **overrides: Any) -> R:
    """A `kind` record with each of its fields read from `row`'s attribute of the same name;
    `overrides` replace some (a copied dict, so the record shares nothing with the row)."""
    names = [f.name for f in dataclasses.fields(kind)]  # type: ignore[arg-type]
    values = {name: getattr(row, name) for name in names if name not in overrides}
    return kind(**values, **overrides)
