"""The generators estimate their memory before allocating and refuse beyond the limit (2 GiB by default,
``WORKBOOK_MEMORY_LIMIT_GIB`` to change it), naming the size and what to lower."""
from __future__ import annotations

import time
import tracemalloc

import numpy as np
import pytest

from helpers.synthetic import audio, faces, recsys, trees
from helpers.validation import MemoryLimitError

RNG = np.random.default_rng

# the largest sizes each generator's parameters allow
LARGEST = [
    (lambda: faces.make_faces(200_000, RNG(0), size=64),
     r"^make_faces: 200000 images of 64x64 pixels need about [\d.]+ GiB of memory, over the limit of 2 GiB; "
     r"lower n or size, or raise the limit with the environment variable WORKBOOK_MEMORY_LIMIT_GIB"),
    (lambda: faces.make_clips(50_000, RNG(0), frames=64, size=64),
     r"^make_clips: 50000 clips of 64 frames of 64x64 pixels need about [\d.]+ GiB of memory, over the limit of "
     r"2 GiB; lower n, frames or size"),
    (lambda: audio.make_clips(100_000, RNG(0), sample_rate=48_000, duration=10.0),
     r"^make_clips: 100000 clips of 10 s at 48000 Hz need about 358 GiB of memory, over the limit of 2 GiB; "
     r"lower n, duration or sample_rate"),
    (lambda: recsys.make_interactions(RNG(0), n_customers=200_000, n_items=20_000),
     r"^make_interactions: 200000 customers x 20000 items need about 298 GiB of memory, over the limit of "
     r"2 GiB; lower n_customers or n_items"),
    (lambda: trees.make_trees(1_000_000, RNG(0), max_depth=12),
     r"^make_trees: 1000000 trees of depth up to 12 need about [\d.]+ GiB of memory, over the limit of 2 GiB; "
     r"lower n or max_depth"),
]


@pytest.mark.parametrize("call, message", LARGEST)
def test_the_largest_sizes_are_refused_before_any_work(call, message, monkeypatch):
    monkeypatch.delenv("WORKBOOK_MEMORY_LIMIT_GIB", raising=False)
    tracemalloc.start()
    start = time.perf_counter()
    try:
        with pytest.raises(MemoryLimitError, match=message):
            call()
        allocated = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert allocated < 1 << 20 and time.perf_counter() - start < 1.0


# moderate sizes: the estimate must not be below what the generator really allocates
MODERATE = [
    ("make_faces", lambda: faces.make_faces(3000, RNG(0), size=24), 3000 * 8 * 24 * 24),
    ("make_faces", lambda: faces.make_faces(300, RNG(0), size=64), 300 * 8 * 64 * 64),
    ("make_clips", lambda: faces.make_clips(200, RNG(0), frames=8, size=24), 1600 * 8 * 24 * 24),
    ("make_clips", lambda: audio.make_clips(20, RNG(0), sample_rate=8000, duration=2.0), 20 * 16000 * 8),
    ("make_interactions", lambda: recsys.make_interactions(RNG(0), n_customers=500, n_items=400), 500 * 400 * 8),
    ("make_trees", lambda: trees.make_trees(1500, RNG(0), min_depth=9, max_depth=9), 1500 * 96 * 24),
]


@pytest.mark.parametrize("owner, call, result_bytes", MODERATE)
def test_the_estimate_covers_the_measured_peak(owner, call, result_bytes, monkeypatch):
    """With the limit set just below the measured peak, the generator must refuse: its estimate is at least
    the peak. With the limit at 3x the peak it must run: the estimate is not wildly pessimistic."""
    tracemalloc.start()
    try:
        call()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak >= result_bytes                          # the measurement saw the result being built
    monkeypatch.setenv("WORKBOOK_MEMORY_LIMIT_GIB", str(0.99 * peak / 2**30))
    with pytest.raises(MemoryLimitError, match=f"^{owner}: "):
        call()
    monkeypatch.setenv("WORKBOOK_MEMORY_LIMIT_GIB", str(3 * peak / 2**30))
    call()


def test_the_limit_is_read_from_the_environment_when_the_generator_runs(monkeypatch):
    monkeypatch.setenv("WORKBOOK_MEMORY_LIMIT_GIB", "0.001")           # about 1 MiB
    with pytest.raises(MemoryLimitError, match=r"over the limit of 1.02 MiB; lower n or size"):
        faces.make_faces(500, RNG(0))
    monkeypatch.setenv("WORKBOOK_MEMORY_LIMIT_GIB", "1")
    assert faces.make_faces(500, RNG(0)).images.shape == (500, 24, 24)
