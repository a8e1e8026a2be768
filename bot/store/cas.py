"""Conditional writes: the one place that reads how many rows a statement changed."""

from __future__ import annotations

from typing import Any

from sqlalchemy import CursorResult, Executable
from sqlalchemy.orm import Session


def changed(session: Session, statement: Executable, params: Any = None) -> int:
    """Run an UPDATE or DELETE and return how many rows it changed.

    A compare-and-set is an UPDATE whose WHERE names the state the caller last saw
    (`status='pending' AND version=?`); a count of 0 means someone else got there first.
    """
    result = session.execute(statement, params)
    # DML always returns a CursorResult; Session.execute is typed as the wider Result.
    assert isinstance(result, CursorResult)
    return int(result.rowcount)


def swapped(session: Session, statement: Executable) -> bool:
    """A compare-and-set of one row: True when this caller's write won."""
    return changed(session, statement) == 1
