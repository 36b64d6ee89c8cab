"""The read-ahead worker: order, errors in the caller's thread, and stopping early."""

from __future__ import annotations

import itertools
import threading

import pytest

from queries.core.read_ahead import ReadAhead


def test_every_chunk_arrives_in_order():
    with ReadAhead(([i, i + 1] for i in range(0, 100, 2)), depth=2) as chunks:
        assert [v for chunk in chunks for v in chunk] == list(range(100))


def test_an_error_in_the_worker_is_raised_in_the_caller_after_the_chunks_before_it():
    def chunks():
        yield [1]
        yield [2]
        raise LookupError("the cursor went away")

    seen = []
    with ReadAhead(chunks()) as reader, pytest.raises(LookupError, match="went away"):
        for chunk in reader:
            seen += chunk
    assert seen == [1, 2]


def test_leaving_early_stops_the_worker_even_when_the_source_never_ends():
    produced = itertools.count()
    reader = ReadAhead(([next(produced)] for _ in itertools.repeat(None)), depth=2)
    first = next(iter(reader))
    reader.close()
    assert first == [0]
    assert not reader._thread.is_alive()
    # It stopped at the queue's depth: no more than a few chunks were ever read.
    assert next(produced) <= 4
    assert not [t for t in threading.enumerate() if t is reader._thread]
