"""Analyse each distinct description once: a bounded cache keyed by the content's digest.

A sync re-reads many items whose description did not change (an edited status or summary,
a full re-sync, a webhook after a sync); turning ADF or Markdown into text and sections is
the biggest part of parsing an item, so an unchanged description (same digest) reuses the
earlier analysis. The cache is per process and bounded; callers copy `sections`.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from typing import Any

import orjson

from connectors.text import Text, analyze

SIZE = 20_000  # descriptions remembered (about 1 KB each)

_cache: OrderedDict[bytes, Text] = OrderedDict()
_lock = threading.Lock()


def digest(description: Any, fmt: str) -> bytes:
    """The content's digest; ADF (a dict) by its canonical JSON."""
    if isinstance(description, str):
        body = description.encode("utf-8", "surrogatepass")
    else:
        body = orjson.dumps(description, option=orjson.OPT_SORT_KEYS, default=str)
    return hashlib.blake2b(fmt.encode() + b"\0" + body, digest_size=16).digest()


def analyze_once(description: Any, fmt: str, *item_key: str) -> Text:
    """connectors.text.analyze, from the cache when this exact description was analysed before.

    `item_key` (the item's key, for analyze's log line when a reader fails) is passed on to
    analyze on a miss; it is not part of the cache key."""
    try:
        key = digest(description, fmt)
    except (TypeError, orjson.JSONEncodeError):
        return analyze(description, fmt, *item_key)  # not JSON-serialisable: never cached
    with _lock:
        found = _cache.get(key)
        if found is not None:
            _cache.move_to_end(key)
            return found
    text = analyze(description, fmt, *item_key)
    with _lock:
        _cache[key] = text
        if len(_cache) > SIZE:
            _cache.popitem(last=False)
    return text


def clear() -> None:
    with _lock:
        _cache.clear()
