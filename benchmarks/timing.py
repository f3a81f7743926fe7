"""Timing helper shared by the benchmark scripts (run them from the repository root)."""

from __future__ import annotations

import time


def best_of(fn, repeat: int = 3) -> float:
    """The shortest wall time of ``repeat`` calls of ``fn()``, in seconds."""
    times = []
    for _ in range(max(1, repeat)):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)
