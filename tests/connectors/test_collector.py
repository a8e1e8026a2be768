"""fewer_collections: the collector's settings change inside the block and come back after."""

from __future__ import annotations

import gc
import threading

from connectors.collector import fewer_collections


def test_settings_change_inside_and_come_back_after_the_last_block() -> None:
    before = gc.get_threshold()
    frozen = gc.get_freeze_count()
    with fewer_collections(threshold=50_000):
        assert gc.get_threshold()[0] == 50_000
        assert gc.get_freeze_count() > frozen
        with fewer_collections():  # nested (a sync inside a serve, say): still calm
            pass
        assert gc.get_threshold()[0] == 50_000
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == frozen


def test_blocks_in_two_threads_restore_once_both_end() -> None:
    before = gc.get_threshold()
    inside, leave = threading.Event(), threading.Event()

    def other() -> None:
        with fewer_collections():
            inside.set()
            leave.wait(5)

    thread = threading.Thread(target=other)
    thread.start()
    inside.wait(5)
    with fewer_collections():
        pass
    assert gc.get_threshold() != before  # the other thread's block is still open
    leave.set()
    thread.join(5)
    assert gc.get_threshold() == before


def test_cycles_made_inside_are_still_collected_after() -> None:
    class Node:
        def __init__(self) -> None:
            self.me = self

    with fewer_collections():
        for _ in range(1000):
            Node()
    gc.collect()
    assert not [o for o in gc.get_objects() if isinstance(o, Node)]
