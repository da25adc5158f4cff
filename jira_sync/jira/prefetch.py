"""Read ahead: the next page is fetched while the caller works on the current one.

A pull spends most of its time waiting for Jira when Jira is far away (every page is a round trip),
and most of its time in the database when Jira is near. Fetching page n+1 in a thread while page n
is applied makes a run cost about the larger of the two instead of their sum. The thread only talks
HTTP (the client's connection pool is thread-safe); it never touches the database.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from typing import TypeVar

T = TypeVar("T")

_DONE = object()


def read_ahead(source: Iterator[T], *, depth: int = 1) -> Iterator[T]:
    """Yield what `source` yields, in order, with up to `depth` items fetched in advance in a thread.
    An exception raised by `source` is raised here, at the point the item would have come. Leaving
    the loop early stops the thread after the item it is fetching."""
    buffer: queue.Queue[tuple[object, BaseException | None]] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def offer(entry: tuple[object, BaseException | None]) -> bool:
        while not stop.is_set():
            try:
                buffer.put(entry, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def fill() -> None:
        try:
            for item in source:
                if not offer((item, None)):
                    return
            offer((_DONE, None))
        except BaseException as exc:  # handed to the consumer, which raises it in its own thread
            offer((_DONE, exc))

    # A daemon thread: a fetch still in flight when the consumer leaves ends on its own (or when the
    # client is closed) and is dropped; nothing waits for it.
    threading.Thread(target=fill, name="jira-read-ahead", daemon=True).start()
    try:
        while True:
            item, error = buffer.get()
            if error is not None:
                raise error
            if item is _DONE:
                return
            yield item  # type: ignore[misc]
    finally:
        stop.set()
