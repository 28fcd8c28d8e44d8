"""Measuring: timings taken in turns, peak memory, the thread count and the machine's name."""

import sys
import textwrap

import pytest
import torch

from attnlib import measure


# -- timing --------------------------------------------------------------------------------------

class FakeClock:
    """A clock that only moves when the timed function says so."""

    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_time_fn_returns_the_median_of_exactly_the_timed_repeats():
    clock, calls = FakeClock(), []
    durations = [100.0, 200.0, 5.0, 1.0, 3.0, 2.0, 4.0]  # two warm-ups (slow), then five timed calls

    def fn():
        clock.now += durations[len(calls)]
        calls.append(1)

    t = measure.time_fn(fn, repeats=5, warmup=2, clock=clock)
    assert len(calls) == 7 and t.repeats == 5 and t.warmup == 2
    assert t.times == [5.0, 1.0, 3.0, 2.0, 4.0]  # warm-ups are not timed
    assert t.median == 3.0 and t.best == 1.0
    with pytest.raises(ValueError, match="repeats=0"):
        measure.time_fn(fn, repeats=0)


def test_time_fn_synchronises_around_every_timed_call():
    syncs = []
    measure.time_fn(lambda: None, repeats=3, warmup=1, sync=lambda: syncs.append(1))
    assert len(syncs) == 2 * 4


def test_interleaved_timing_alternates_the_order_and_pairs_the_rounds():
    clock, order = FakeClock(), []

    def make(name, seconds):
        def fn():
            order.append(name)
            clock.now += seconds
        return fn

    t = measure.time_interleaved({"a": make("a", 2.0), "b": make("b", 1.0)}, repeats=3, warmup=1, clock=clock)
    assert order == ["a", "b", "b", "a", "a", "b", "b", "a"]  # neither always goes first
    assert t["a"].times == [2.0] * 3 and t["b"].times == [1.0] * 3
    assert measure.paired_ratio(t["a"], t["b"]) == 2.0
    with pytest.raises(ValueError, match="same rounds"):
        measure.paired_ratio(t["a"], measure.Timing([1.0]))


# -- memory --------------------------------------------------------------------------------------

@pytest.mark.skipif(measure.memory_method("cpu") is None, reason="no way to read the peak RSS here")
def test_peak_memory_sees_a_temporary_tensor_and_not_a_cheap_call():
    big = measure.peak_memory_mb(lambda: torch.ones(16 * 2**20).sum(), "cpu")  # a 64 MiB temporary
    small = measure.peak_memory_mb(lambda: torch.ones(16).sum(), "cpu")
    assert 60 <= big <= 200
    assert small < 16


def test_process_tree_peak_rss_counts_the_children():
    child = textwrap.dedent("""
        import subprocess, sys
        subprocess.run([sys.executable, "-c", "import time; b = b'x' * (150 * 2**20); time.sleep(1.0)"], check=True)
    """)
    run = measure.process_tree_peak_rss([sys.executable, "-c", child], interval=0.05, timeout=60)
    assert run["returncode"] == 0 and run["samples"] >= 3
    assert run["peak_rss_mb"] >= 150  # the grandchild's 150 MiB is in the sum
    assert run["wall_s"] >= 1.0


# -- growth --------------------------------------------------------------------------------------

def test_log_log_slope_reads_the_growth():
    assert measure.log_log_slope([64, 128, 256], [3 * t**2 for t in (64, 128, 256)]) == pytest.approx(2.0)
    assert measure.log_log_slope([64, 128, 256], [5.0 * t for t in (64, 128, 256)]) == pytest.approx(1.0)


# -- the machine ---------------------------------------------------------------------------------

def test_torch_threads_sets_the_count_and_gives_it_back_even_after_an_error():
    before = torch.get_num_threads()
    with measure.torch_threads(1):
        assert torch.get_num_threads() == 1
    assert torch.get_num_threads() == before
    with pytest.raises(RuntimeError, match="inside"):
        with measure.torch_threads(2):
            assert torch.get_num_threads() == 2
            raise RuntimeError("inside")
    assert torch.get_num_threads() == before


def test_describe_hardware_names_the_cpu_cores_and_threads_in_one_line():
    with measure.torch_threads(1):
        line = measure.describe_hardware("cpu")
    assert line.startswith(measure.cpu_name()) and measure.cpu_name()
    assert "\n" not in line and f"torch {torch.__version__}, 1 thread" in line and line.endswith("1 thread")
