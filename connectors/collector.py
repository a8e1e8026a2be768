"""Fewer garbage collections while a sync or a big file allocates its many short-lived objects.

Decoding a page of 100 Jira issues makes about 15,000 dicts and lists. With the default
threshold (700 allocations) that starts some 20 young collections a page, and the older
generations, which hold every module, class and function imported, are walked again and
again as pages survive into them: half the CPU of decoding, measured (bench/sync_cpu.py).
Inside `fewer_collections()` what existed before is frozen (never walked again until the
block ends) and young collections wait for 20,000 allocations. Decoded JSON holds no cycles,
so nothing collectable is left waiting; the settings come back when the last block ends.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

THRESHOLD = 20_000  # allocations between young collections (CPython's default is 700)

_lock = threading.Lock()
_depth = 0  # blocks open in this process (a sync thread and a check may overlap)
_saved: tuple[int, int, int] = gc.get_threshold()


@contextmanager
def fewer_collections(threshold: int = THRESHOLD) -> Iterator[None]:
    """Freeze what exists and collect young objects less often, for the block's duration."""
    global _depth, _saved
    with _lock:
        _depth += 1
        if _depth == 1:
            _saved = gc.get_threshold()
            gc.freeze()
            gc.set_threshold(max(threshold, _saved[0]), _saved[1], _saved[2])
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                gc.set_threshold(*_saved)
                gc.unfreeze()
