"""Files people have that are not a saved API response: Jira CSV exports, GitHub CLI output,
standard input (`-`), and text with a byte-order mark. files.load_file asks here first.

A file with a byte-order mark, and standard input, are copied without the mark into a
temporary file and read by files.py as any other file, so every shape and error message stays
the same (the error names the original file, or "standard input").
"""

from __future__ import annotations

import codecs
import json
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from connectors.file_types import FileFormatError, Loaded

LoadFile = Callable[[Path], Loaded]  # files.load_file, handed in

HEAD = 64 * 1024
STDIN = "-"
BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
SEARCH_FIELDS = (
    "summary,description,issuetype,status,labels,assignee,reporter,created,updated,"
    "project,resolution,parent,timeoriginalestimate,customfield_NNNNN"
)


def load_other(path: Path, load_file: LoadFile) -> Any:
    """A `Loaded` for the shapes read here, or None to let files.py read the file as usual."""
    if str(path) == STDIN:
        return _from_bytes(sys.stdin.buffer.read(), "standard input", load_file)
    try:
        with path.open("rb") as handle:
            head = handle.read(HEAD)
    except OSError:
        return None  # files.py says what is wrong with the path
    for bom, encoding in BOMS:
        if head.startswith(bom):
            try:
                text = path.read_bytes().decode(encoding)
            except UnicodeDecodeError:
                raise FileFormatError(path, f"not {encoding} text despite its mark") from None
            return _from_text(text.lstrip("\ufeff"), str(path), load_file)
    return _sniffed(path, head)


def _sniffed(path: Path, head: bytes) -> Any:
    from connectors.file_csv import CsvError, items_from_csv, looks_like_jira_csv
    from connectors.file_gh import is_gh_list

    start = head.lstrip()[:1]
    if start not in (b"{", b"["):
        text = head.decode("utf-8", errors="replace")
        if looks_like_jira_csv(text) or path.suffix.lower() == ".csv":
            try:
                content = path.read_text("utf-8-sig")
                return Loaded(path, "jira", items_from_csv(content))
            except UnicodeDecodeError:
                raise FileFormatError(path, "a CSV that is not UTF-8 text") from None
            except CsvError as exc:
                raise FileFormatError(path, str(exc)) from None
        return None
    if start == b"[" and b'"html_url"' not in head and b'"repository_url"' not in head:
        try:
            data = json.loads(path.read_text("utf-8"))
        except (ValueError, OSError):
            return None  # files.py reports the JSON error
        if is_gh_list(data):
            return _gh(path, data)
    return None


def _gh(path: Path, data: list[Any]) -> Any:
    from connectors.file_gh import items_from_gh, problem

    found = problem(data)
    if found:
        raise FileFormatError(path, found)
    return Loaded(path, "github", items_from_gh(data))


def _from_bytes(raw: bytes, name: str, load_file: LoadFile) -> Any:
    for bom, encoding in BOMS:
        if raw.startswith(bom):
            return _from_text(raw.decode(encoding).lstrip("\ufeff"), name, load_file)
    try:
        return _from_text(raw.decode("utf-8"), name, load_file)
    except UnicodeDecodeError:
        raise FileFormatError(name, "not UTF-8 text") from None


def _from_text(text: str, name: str, load_file: LoadFile) -> Any:
    """Read text through a temporary file, so files.py (`load_file`) applies every usual check
    to it; files.py hands its reader in, so the two modules do not import each other."""
    suffix = ".csv" if text.lstrip()[:1] not in ("{", "[") else ".json"
    with tempfile.TemporaryDirectory(prefix="refinery-input-") as directory:
        copy = Path(directory) / f"input{suffix}"
        copy.write_text(text, "utf-8")
        try:
            loaded = load_file(copy)
        except FileFormatError as exc:
            raise FileFormatError(name, exc.problem) from None
    loaded.path = Path(name)
    return loaded


def unknown_shape(data: Any) -> str | None:
    """A clearer problem for JSON that is close to a known shape, else None."""
    if not isinstance(data, dict):
        return None
    issues = data.get("issues")
    if (
        isinstance(issues, list)
        and issues
        and all(isinstance(i, dict) and "fields" not in i for i in issues)
    ):
        return (
            "a Jira search page with issue ids only (no 'fields'): save "
            "GET /rest/api/3/search/jql?jql=...&expand=names&fields="
            + SEARCH_FIELDS
            + " (customfield_NNNNN: your story-point field)"
        )
    return None
