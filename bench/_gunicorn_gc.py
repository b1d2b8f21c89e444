"""A gunicorn config for bench/clinic_load.py: each worker times its garbage collections.

`post_worker_init` runs in each worker after the application is loaded (clinic/wsgi.py, which
warms up and freezes the start-up heap: clinic/warmup.py). From then on every collection that
takes 1 ms or more is written, as "generation milliseconds", to `$BENCH_GC_DIR/gc-<pid>.log`;
the benchmark reads them after the run. With `BENCH_GC_UNFROZEN=1` the worker first unfreezes
its heap, to measure what the freeze saves.
"""

from __future__ import annotations

import gc
import os
import time
from pathlib import Path
from typing import Any

MIN_MS = 1.0


def post_worker_init(worker: Any) -> None:
    if os.environ.get("BENCH_GC_UNFROZEN") == "1":
        gc.unfreeze()
    directory = os.environ.get("BENCH_GC_DIR")
    if not directory:
        return
    # Open for the worker's life: each line is flushed as written, and the process's exit closes it.
    out = Path(directory, f"gc-{os.getpid()}.log").open("a", buffering=1)  # noqa: SIM115
    started: dict[str, float] = {}

    def watch(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            started["at"] = time.perf_counter()
            return
        ms = (time.perf_counter() - started.get("at", time.perf_counter())) * 1000
        if ms >= MIN_MS:
            out.write(f"{info['generation']} {ms:.2f}\n")

    gc.callbacks.append(watch)
