"""Store problems a person can fix (a bad URL, a missing directory, a full disk), in one line."""

from __future__ import annotations

import errno
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import (
    ArgumentError,
    DBAPIError,
    NoSuchModuleError,
    OperationalError,
    SQLAlchemyError,
)

SUPPORTED = "sqlite:///PATH or postgresql://USER@HOST:PORT/DATABASE"


class StoreError(Exception):
    """The store cannot be used; the message says what to fix and never shows a password."""


def safe_url(url: str) -> str:
    """The URL with any password replaced, fit to print."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return "<unparsable URL>"


def normalize_url(url: str) -> str:
    """Accept the spellings people copy from hosting providers; refuse other databases early."""
    scheme = url.split(":", 1)[0].lower() if ":" in url else ""
    if scheme in ("postgres", "postgresql"):
        return "postgresql+psycopg:" + url.split(":", 1)[1]
    if scheme == "sqlite" or scheme.startswith(("sqlite+", "postgresql+")):
        return url
    if not scheme:
        raise StoreError(f"'{url}' is not a database URL: use {SUPPORTED}")
    raise StoreError(f"the '{scheme}' database is not supported: use {SUPPORTED}")


def url_problem(url: str) -> str | None:
    """What is wrong with a store URL before connecting (config check uses it), else None."""
    try:
        normalized = normalize_url(url)
        parsed = make_url(normalized)
    except StoreError as exc:
        return str(exc)
    except (ArgumentError, ValueError):
        return f"cannot parse '{safe_url(url)}': use {SUPPORTED}"
    if parsed.get_backend_name() == "sqlite":
        path = parsed.database
        if path and path != ":memory:" and not path.startswith("file:"):
            parent = Path(path).expanduser().resolve().parent
            if not parent.is_dir():
                return f"the directory {parent} does not exist (create it, or change the path)"
    elif not parsed.database:
        return f"'{safe_url(url)}' names no database (postgresql://USER@HOST:PORT/DATABASE)"
    return None


def describe(exc: BaseException, url: str) -> str | None:
    """One line for a database error a person can act on; None when it is not one of those."""
    shown = safe_url(url)
    if isinstance(exc, StoreError):
        return str(exc)
    if isinstance(exc, NoSuchModuleError | ArgumentError):
        return url_problem(url) or f"cannot use '{shown}': use {SUPPORTED}"
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        return f"no space left on the disk holding {shown}: free some space and run again"
    if not isinstance(exc, SQLAlchemyError):
        return None
    original = exc.orig if isinstance(exc, DBAPIError) else None
    text = str(original if original is not None else exc).strip().splitlines()
    first = text[0] if text else type(exc).__name__
    lower = first.lower()
    if url.startswith("sqlite"):
        return _sqlite(lower, first, url, shown)
    return _postgres(lower, first, shown)


def _sqlite(lower: str, first: str, url: str, shown: str) -> str:
    path = make_url(url).database or ""
    if "unable to open database file" in lower:
        return url_problem(url) or f"cannot open the SQLite file {path} (check the path and rights)"
    if "file is not a database" in lower or "malformed" in lower:
        return f"{path} is not a usable SQLite database (corrupt, or another kind of file)"
    if "readonly" in lower or "read-only" in lower:
        return f"{path} is read-only: Refinery needs to write its store (check rights and mounts)"
    if "disk is full" in lower or "disk i/o error" in lower:
        return f"cannot write {path}: the disk is full or failing (free space and run again)"
    if "locked" in lower:
        return f"{path} stayed locked by another process (raise store.lock_timeout or retry)"
    return f"SQLite store {shown}: {first}"


def _postgres(lower: str, first: str, shown: str) -> str:
    if "does not exist" in lower and "database" in lower:
        return f"{shown}: {first} (create it with createdb, or fix the name)"
    if "connection refused" in lower or "could not connect" in lower or "timeout" in lower:
        return f"cannot reach PostgreSQL at {shown}: {first}"
    if "password authentication failed" in lower or "authentication" in lower:
        return f"PostgreSQL at {shown} refused the credentials"
    return f"PostgreSQL store {shown}: {first}"


# What callers outside the store catch, so they need no SQLAlchemy import: every database
# failure (SQLAlchemy wraps the DB-API's errors), and the subset meaning "cannot reach or
# lock the database now".
DatabaseError = SQLAlchemyError
DatabaseUnavailable = OperationalError
