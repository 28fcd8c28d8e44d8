"""Measuring cost honestly: timings taken in turns, peak memory, and the machine they were taken on.

    t = time_fn(step, repeats=7, warmup=2)          # median of 7 timed calls after 2 untimed ones
    a, b = time_interleaved({"ours": f, "torch": g}, repeats=9).values()
    paired_ratio(a, b)                              # median of the per-round ratios f/g
    peak_memory_mb(lambda: model(x))                # extra memory at the high-water mark of one call
    with torch_threads(1): ...                      # torch on one thread, its own count back afterwards
    describe_hardware("cpu")                        # one line naming the CPU (or GPU), cores and threads

Two machines never give the same seconds, and a shared machine does not even give
the same seconds twice. So what the book reports are *ratios* measured side by
side: the contenders take turns (``ours, torch, torch, ours, ...``) within one
run, so whatever slows the machine down slows both. The lessons time with these
helpers, and ``benchmarks/run.py`` (``make bench``) too; :mod:`attnlib.book.benchmarks`
shows the results. Imports nothing else from ``attnlib``.
"""

from __future__ import annotations

import ctypes
import gc
import math
import os
import platform
import statistics
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Mapping, Sequence


# --------------------------------------------------------------------------------------
# Timing
# --------------------------------------------------------------------------------------

@dataclass
class Timing:
    """Seconds of each timed call (warm-up calls excluded)."""

    times: list[float] = field(default_factory=list)
    warmup: int = 0

    @property
    def repeats(self) -> int:
        return len(self.times)

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def best(self) -> float:
        return min(self.times)

    @property
    def spread(self) -> float:
        """Relative spread of the timed calls, ``(max - min) / median``: how noisy the machine was."""
        return (max(self.times) - min(self.times)) / self.median if self.median > 0 else 0.0

    def to_dict(self) -> dict:
        return {"median_s": self.median, "best_s": self.best, "repeats": self.repeats,
                "warmup": self.warmup, "spread": round(self.spread, 4)}


def synchronizer(device) -> Callable[[], None] | None:
    """What must run before reading the clock so that queued GPU work is counted (None on CPU)."""
    import torch

    device = torch.device(device) if device is not None else None
    if device is not None and device.type == "cuda":
        return lambda: torch.cuda.synchronize(device)
    return None


def _check_counts(repeats: int, warmup: int) -> None:
    if repeats < 1:
        raise ValueError(f"repeats={repeats}: time at least one call")
    if warmup < 0:
        raise ValueError(f"warmup={warmup} must be zero or more")


def time_fn(fn: Callable[[], Any], *, repeats: int = 5, warmup: int = 1,
            clock: Callable[[], float] = time.perf_counter, sync: Callable[[], None] | None = None) -> Timing:
    """Call ``fn`` ``warmup`` times untimed (caches, allocator, lazy initialisation), then ``repeats``
    times timed. ``sync`` (e.g. ``torch.cuda.synchronize``) runs before each clock reading."""
    return time_interleaved({"fn": fn}, repeats=repeats, warmup=warmup, clock=clock, sync=sync)["fn"]


def time_interleaved(fns: Mapping[str, Callable[[], Any]], *, repeats: int = 5, warmup: int = 1,
                     clock: Callable[[], float] = time.perf_counter,
                     sync: Callable[[], None] | None = None) -> dict[str, Timing]:
    """Time several functions taking turns: round ``r`` calls each once, in the given order on even
    rounds and the reverse order on odd ones, so neither drift nor "who goes first" favours one."""
    _check_counts(repeats, warmup)
    if not fns:
        raise ValueError("give at least one function to time")
    names = list(fns)
    timings = {name: Timing(warmup=warmup) for name in names}
    for r in range(warmup + repeats):
        for name in (names if r % 2 == 0 else names[::-1]):
            if sync is not None:
                sync()
            start = clock()
            fns[name]()
            if sync is not None:
                sync()
            elapsed = clock() - start
            if r >= warmup:
                timings[name].times.append(elapsed)
    return timings


def paired_ratio(a: Timing, b: Timing) -> float:
    """Median over rounds of ``a_r / b_r``: each ratio pairs two calls made moments apart."""
    if a.repeats != b.repeats or not a.repeats:
        raise ValueError(f"paired_ratio needs timings of the same rounds, got {a.repeats} and {b.repeats} calls")
    return statistics.median(x / y for x, y in zip(a.times, b.times))


# --------------------------------------------------------------------------------------
# Memory
# --------------------------------------------------------------------------------------

def _proc_status_mb(key: str) -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024  # kB -> MiB
    raise OSError(f"{key} not in /proc/self/status")


_MALLOC_TUNED = False


def _libc_release_free_memory() -> None:
    """Make freed memory go back to the OS, so that RSS tracks live tensors (glibc only)."""
    global _MALLOC_TUNED
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return
    if not _MALLOC_TUNED:
        libc.mallopt(-3, 64 * 1024)  # M_MMAP_THRESHOLD: big blocks are mmap-ed, and unmapped on free
        _MALLOC_TUNED = True
    libc.malloc_trim(0)


def memory_method(device=None) -> str | None:
    """How :func:`peak_memory_mb` measures on ``device``, or None where it cannot."""
    import torch

    device = torch.device(device) if device is not None else torch.device("cpu")
    if device.type == "cuda":
        return "torch.cuda.max_memory_allocated"
    if sys.platform.startswith("linux") and os.access("/proc/self/clear_refs", os.W_OK):
        return "Linux VmHWM after resetting it (/proc/self/clear_refs), minus VmRSS before"
    return None


def peak_memory_mb(fn: Callable[[], Any], device=None) -> float | None:
    """Extra memory (MiB) at the high-water mark of one call of ``fn``, above what was in use before.

    CUDA: the caching allocator's ``max_memory_allocated``. CPU: the process's peak resident set
    (``VmHWM``), reset just before the call (Linux). None where neither is possible.
    """
    import torch

    device = torch.device(device) if device is not None else torch.device("cpu")
    method = memory_method(device)
    if method is None:
        return None
    gc.collect()
    if device.type == "cuda":
        torch.cuda.synchronize(device)
        torch.cuda.reset_peak_memory_stats(device)
        before = torch.cuda.memory_allocated(device)
        result = fn()
        torch.cuda.synchronize(device)
        peak = torch.cuda.max_memory_allocated(device)
        del result
        return max(0.0, (peak - before) / 2**20)
    _libc_release_free_memory()
    before = _proc_status_mb("VmRSS")
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # reset the peak RSS to the current RSS
    result = fn()
    peak = _proc_status_mb("VmHWM")
    del result
    _libc_release_free_memory()
    return max(0.0, peak - before)


def process_tree_peak_rss(cmd: Sequence[str], *, interval: float = 0.2, cwd=None, env=None,
                          stdout=None, timeout: float | None = None) -> dict:
    """Run ``cmd``; its wall time and the peak of the summed RSS of it and all its descendants
    (kernels, workers), sampled every ``interval`` seconds. Needs ``psutil``."""
    try:
        import psutil
    except ImportError:  # pragma: no cover - psutil comes with ipykernel
        raise RuntimeError("measuring a process tree's memory needs psutil: pip install psutil") from None

    start = time.perf_counter()
    proc = subprocess.Popen(list(cmd), cwd=cwd, env=env, stdout=stdout, stderr=subprocess.STDOUT if stdout else None)
    peak, samples = 0, 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak, samples
        try:
            root = psutil.Process(proc.pid)
        except psutil.NoSuchProcess:
            return
        while not stop.is_set():
            total = 0
            try:
                members = [root, *root.children(recursive=True)]
            except psutil.NoSuchProcess:
                break
            for p in members:
                try:
                    total += p.memory_info().rss
                except (psutil.NoSuchProcess, psutil.AccessDenied):
                    pass
            peak, samples = max(peak, total), samples + 1
            stop.wait(interval)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        returncode = proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        returncode = proc.wait()
    finally:
        stop.set()
        sampler.join()
    return {"wall_s": time.perf_counter() - start, "peak_rss_mb": peak / 2**20, "returncode": returncode,
            "samples": samples}


def log_log_slope(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Least-squares slope of log(y) against log(x): ~1 for linear growth, ~2 for quadratic."""
    pts = [(math.log(x), math.log(y)) for x, y in zip(xs, ys) if x and y and x > 0 and y > 0]
    if len(pts) < 2:
        return None
    mx, my = statistics.fmean(p[0] for p in pts), statistics.fmean(p[1] for p in pts)
    sxx = sum((x - mx) ** 2 for x, _ in pts)
    return None if sxx == 0 else sum((x - mx) * (y - my) for x, y in pts) / sxx


# --------------------------------------------------------------------------------------
# The machine
# --------------------------------------------------------------------------------------

@contextmanager
def torch_threads(n: int = 1) -> Iterator[None]:
    """Run torch on ``n`` threads inside the block, then give back the count it had. One thread suits
    small tensors: several gain them nothing, on a busy machine they mostly wait for each other, and
    one thread gives the same numbers on every machine."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def cpu_name() -> str:
    """The processor's model name (from /proc/cpuinfo on Linux), else the machine type."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def describe_hardware(device=None) -> str:
    """One line naming the hardware a timing ran on: the CPU, or the GPU when ``device`` is CUDA."""
    import torch

    device = torch.device(device or "cpu")
    threads = torch.get_num_threads()
    text = (f"{cpu_name()}, {os.cpu_count()} CPU cores, torch {torch.__version__}, "
            f"{threads} thread{'s' * (threads != 1)}")
    if device.type == "cuda":
        text = f"{torch.cuda.get_device_name(device)} (CUDA {torch.version.cuda}); host: " + text
    return text
