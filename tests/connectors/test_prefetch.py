"""prefetch: the same pages in order, at most `depth` ahead, errors raised where they occur."""

from __future__ import annotations

import threading
import time
from collections.abc import Generator, Iterator

import pytest

from connectors.prefetch import prefetch


class Killed(BaseException):
    pass


def counting(pages: int, log: list[str], fail_at: int | None = None) -> Iterator[int]:
    for number in range(1, pages + 1):
        log.append(f"fetch {number}")
        if number == fail_at:
            raise Killed(f"at {number}")
        yield number


def test_pages_arrive_in_order_from_another_thread() -> None:
    threads: set[str] = set()

    def pages() -> Iterator[int]:
        for number in range(20):
            threads.add(threading.current_thread().name)
            yield number

    assert list(prefetch(pages())) == list(range(20))
    assert threading.current_thread().name not in threads


@pytest.mark.parametrize("depth", [1, 2])
def test_never_more_than_depth_pages_ahead(depth: int) -> None:
    log: list[str] = []
    for number in prefetch(counting(10, log), depth):
        time.sleep(0.02)  # let the producer run as far as it may
        fetched = sum(1 for entry in log if entry.startswith("fetch"))
        assert fetched <= number + depth
        log.append(f"use {number}")
    assert log.count("use 10") == 1


def test_the_next_page_is_fetched_while_this_one_is_used() -> None:
    log: list[str] = []
    for number in prefetch(counting(3, log)):
        time.sleep(0.05)
        log.append(f"use {number}")
    assert log.index("fetch 2") < log.index("use 1")
    assert log.index("fetch 3") < log.index("use 2")


def test_an_error_arrives_after_every_page_before_it() -> None:
    log: list[str] = []
    used = []
    with pytest.raises(Killed, match="at 4"):
        for number in prefetch(counting(10, log, fail_at=4)):
            used.append(number)
    assert used == [1, 2, 3]
    assert "fetch 5" not in log


def test_stopping_early_stops_the_producer() -> None:
    log: list[str] = []
    pages = prefetch(counting(100, log))
    assert next(pages) == 1
    assert isinstance(pages, Generator)  # prefetch is a generator: close() is how to stop it
    pages.close()  # joins the producer thread
    assert len(log) <= 3
    assert not [t for t in threading.enumerate() if t.name == "refinery-prefetch"]


def test_a_failing_caller_leaves_no_thread_behind() -> None:
    with pytest.raises(ValueError):
        for _ in prefetch(counting(100, [])):
            raise ValueError("store failed")
    assert not [t for t in threading.enumerate() if t.name == "refinery-prefetch"]
