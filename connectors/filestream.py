"""Read big saved exports a page at a time, so memory does not grow with the file.

`stream_file(path)` yields the same items `files.load_file(path)` returns, in the same order,
in chunks of about a page (`Loaded` each). The file is mapped, not read: msgspec splits the
top level (a list of pages, a page's `issues`, Refinery JSON's `items`) into raw slices
without building them, and each chunk is decoded only when it is wanted, then dropped. A
157 MB, 100,000-issue Jira export is checked in a fraction of the memory a whole-file
`json.load` needs (figures in BENCHMARKS.md).

Anything this fast path does not recognise or cannot decode (another shape, a BOM, invalid
JSON or UTF-8, a hook-handled format) goes through `files.load_file` instead, so every file is
accepted, refused and worded exactly as there.
"""

from __future__ import annotations

import mmap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec

from connectors import files
from connectors.files import FileFormatError, Loaded, _gc_paused

CHUNK = 100  # entries decoded at once when one object holds them all (a single huge page)
MIN_SIZE = 1 << 20  # smaller files are read whole: nothing to gain, one code path fewer

_split_list = msgspec.json.Decoder(list[msgspec.Raw])
_split_object = msgspec.json.Decoder(dict[str, msgspec.Raw])
_decode = msgspec.json.Decoder()


class _Names(msgspec.Struct):
    """Only a page's `names` map (the rest of the page is skipped, not built)."""

    names: dict[str, Any] | None = None


_names_only = msgspec.json.Decoder(_Names)


class _Fallback(Exception):
    """The fast path cannot handle this file: read it the ordinary way."""


def stream_file(path: Path | str) -> Iterator[Loaded]:
    """Yield a file's items in page-sized chunks; raise FileFormatError naming the file."""
    path = Path(path)
    mapped = _map(path)
    if mapped is None:
        yield files.load_file(path)
        return
    items = skipped = 0
    with _gc_paused():
        try:
            for chunk in _chunks(path, mapped):
                items += len(chunk.items)
                skipped += chunk.skipped
                yield chunk
            return
        except _Fallback:
            pass
    # Not for the fast path (or broken further in): the ordinary reader refuses it with its
    # own words, or reads it; then only what was not yielded yet follows, in the same order.
    loaded = files.load_file(path)
    yield Loaded(path, loaded.shape, loaded.items[items:], max(loaded.skipped - skipped, 0))


def _map(path: Path) -> mmap.mmap | None:
    """The file mapped read-only, or None to use the ordinary reader (small, special, missing)."""
    try:
        if not path.is_file() or path.stat().st_size < MIN_SIZE:
            return None
        with path.open("rb") as handle:
            return mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError):
        return None


def _chunks(path: Path, data: mmap.mmap) -> Iterator[Loaded]:
    try:
        stripped = data[:1]
        if stripped == b"[":
            yield from _from_list(path, _split_list.decode(data))
        elif stripped == b"{":
            yield from _from_object(path, _split_object.decode(data))
        else:
            raise _Fallback
    except (msgspec.DecodeError, UnicodeDecodeError):
        raise _Fallback from None


def _from_list(path: Path, entries: list[msgspec.Raw]) -> Iterator[Loaded]:
    if not entries:
        raise _Fallback  # the empty GitHub page: trivial, leave it to the ordinary reader
    first = _decode.decode(entries[0])
    if isinstance(first, dict) and files._is_jira_page(first):
        yield from _jira_pages(path, entries)
    elif isinstance(first, dict) and files._is_github_issue(first):
        yield from _github_issues(path, entries)
    elif isinstance(first, list):
        yield from _github_pages(path, entries)
    else:
        raise _Fallback


def _from_object(path: Path, top: dict[str, msgspec.Raw]) -> Iterator[Loaded]:
    if "refinery" in top:
        yield from _refinery(path, top)
    elif "issues" in top and "fields" not in top:
        yield from _jira_single_page(path, top)
    else:
        raise _Fallback


# -- Jira ------------------------------------------------------------------------------------


def _jira_pages(path: Path, entries: list[msgspec.Raw]) -> Iterator[Loaded]:
    """A list of search pages: names from every page first (a cheap pass), then page by page."""
    names: dict[str, Any] = {}
    for entry in entries:
        found = _names_only.decode(entry).names
        if isinstance(found, dict):
            names.update(found)
    base = ""
    for number, entry in enumerate(entries, start=1):
        page = _decode.decode(entry)
        if not (isinstance(page, dict) and files._is_jira_page(page)):
            raise _Fallback  # not every entry is a page: the ordinary reader says so
        if not base:
            base = files.site_url([page])
        where = f"page {number}, " if len(entries) > 1 else ""
        yield Loaded(path, "jira", _jira_page_items(path, page, names, base, where))


def _jira_single_page(path: Path, top: dict[str, msgspec.Raw]) -> Iterator[Loaded]:
    """One page holding every issue: its `issues` decoded CHUNK at a time."""
    head = {key: _decode.decode(value) for key, value in top.items() if key != "issues"}
    issues = _split_list.decode(top["issues"])
    names = head.get("names") if isinstance(head.get("names"), dict) else {}
    base = ""
    if not issues:
        raise _Fallback
    for start in range(0, len(issues), CHUNK):
        chunk = [_decode.decode(raw) for raw in issues[start : start + CHUNK]]
        if not base:
            base = files.site_url([{"issues": chunk}])
        page = {**head, "issues": chunk}
        if not files._is_jira_page(page):
            raise _Fallback
        yield Loaded(path, "jira", _jira_page_items(path, page, names or {}, base, "", start))


def _jira_page_items(
    path: Path, page: dict[str, Any], names: dict[str, Any], base: str, where: str, offset: int = 0
) -> list[Any]:
    from connectors.jira.parse import items_from_search_response

    for index, issue in enumerate(page["issues"], start=offset + 1):
        problem = files._jira_issue_problem(issue)
        if problem:
            raise FileFormatError(path, f"{where}issue {index}: {problem}")
    if names and page.get("names") != names:
        page = {**page, "names": names}
    try:
        return items_from_search_response(page, base)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        problem = f"{where}not a usable Jira issue: {files._short(exc)}"
        raise FileFormatError(path, problem) from None


# -- GitHub ----------------------------------------------------------------------------------


def _github_issues(path: Path, entries: list[msgspec.Raw]) -> Iterator[Loaded]:
    """One issue list (a JSON array of issues), CHUNK issues at a time."""
    for start in range(0, len(entries), CHUNK):
        chunk = [_decode.decode(raw) for raw in entries[start : start + CHUNK]]
        if not all(isinstance(e, dict) and files._is_github_issue(e) for e in chunk):
            raise _Fallback
        yield _github_chunk(path, chunk, "", start)


def _github_pages(path: Path, entries: list[msgspec.Raw]) -> Iterator[Loaded]:
    """A list of issue lists (pages), one page at a time."""
    for number, entry in enumerate(entries, start=1):
        page = _decode.decode(entry)
        if not isinstance(page, list) or not all(
            isinstance(e, dict) and files._is_github_issue(e) for e in page
        ):
            raise _Fallback
        where = f"page {number}, " if len(entries) > 1 else ""
        yield _github_chunk(path, page, where)


def _github_chunk(path: Path, page: list[Any], where: str, offset: int = 0) -> Loaded:
    from connectors.github.parse import items_from_issue_list

    for index, issue in enumerate(page, start=offset + 1):
        problem = files._github_issue_problem(issue)
        if problem:
            raise FileFormatError(path, f"{where}issue {index}: {problem}")
    skipped = sum(1 for issue in page if "pull_request" in issue)
    try:
        items = items_from_issue_list(page, None)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        problem = f"{where}not a usable GitHub issue: {files._short(exc)}"
        raise FileFormatError(path, problem) from None
    return Loaded(path, "github", items, skipped)


# -- Refinery JSON ---------------------------------------------------------------------------


def _refinery(path: Path, top: dict[str, msgspec.Raw]) -> Iterator[Loaded]:
    version = _decode.decode(top["refinery"])
    if version != files.FORMAT_VERSION or "items" not in top:
        raise _Fallback  # the ordinary reader words these errors
    entries = _split_list.decode(top["items"])
    for start in range(0, len(entries), CHUNK):
        chunk = [_decode.decode(raw) for raw in entries[start : start + CHUNK]]
        document = {"refinery": version, "items": chunk}
        items = files._refinery_items(path, document, offset=start)
        yield Loaded(path, "refinery", items)
