"""Read the next chunk of a streamed result while the current one is being used.

A workbook of a million orders alternates two kinds of work: the database computes
and sends a chunk of rows, then Python writes them out. On two cores these can
overlap: a worker thread fetches chunk n+1 (the driver waits on the socket without
holding the GIL, and the server works on the other core) while the caller writes
chunk n. At most `depth` chunks wait in memory, so memory stays flat.

Only for drivers whose connections may be used from another thread (psycopg);
sqlite3 connections refuse that, and a laptop's SQLite file needs no overlap.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable, Iterator
from typing import Generic, TypeVar

__all__ = ["ReadAhead"]

T = TypeVar("T")
_DONE = object()


class _Failed:
    def __init__(self, error: BaseException) -> None:
        self.error = error


class ReadAhead(Generic[T]):
    """Iterates `chunks` in a worker thread, up to `depth` chunks ahead of the caller.

    Use as a context manager (or call `close`): leaving early stops the worker and
    waits for it, so the caller may close the underlying cursor right after. An error
    in the worker is raised in the caller, at the chunk where it happened.
    """

    def __init__(self, chunks: Iterable[T], *, depth: int = 2) -> None:
        self._queue: queue.Queue = queue.Queue(maxsize=depth)
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._fetch, args=(iter(chunks),), name="read-ahead", daemon=True
        )
        self._thread.start()

    def _fetch(self, chunks: Iterator[T]) -> None:
        try:
            for chunk in chunks:
                if not self._put(chunk):
                    return
            self._put(_DONE)
        except BaseException as error:  # noqa: BLE001 - handed to the caller's thread
            self._put(_Failed(error))

    def _put(self, item) -> bool:
        """Queue `item` unless the caller has stopped; False when it has."""
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def __iter__(self) -> Iterator[T]:
        while True:
            item = self._queue.get()
            if item is _DONE:
                return
            if isinstance(item, _Failed):
                raise item.error
            yield item

    def close(self) -> None:
        """Stop the worker and wait for it (it finishes the fetch it is in)."""
        self._stop.set()
        self._thread.join()

    def __enter__(self) -> ReadAhead[T]:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()
