"""The benchmarks: targets, a quick run of `make bench`, and the figures the book shows."""

import datetime
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import plotly.graph_objects as go
import pytest
import torch

from attnlib import measure

from attnlib.book import benchmarks as bm

ROOT = Path(__file__).resolve().parents[2]
RUNNER = ROOT / "benchmarks" / "run.py"
RATIOS = ("mha_fast_vs_torch", "mha_explicit_vs_fast", "model_vs_nn_transformer", "kv_cache_speedup")


@pytest.fixture(scope="module")
def quick_results(tmp_path_factory) -> Path:
    """`benchmarks/run.py --quick` run once, as `make bench BENCH_ARGS=--quick` runs it, into a tmp file."""
    out = tmp_path_factory.mktemp("bench") / "results.json"
    proc = subprocess.run([sys.executable, str(RUNNER), "--quick", "--out", str(out)], cwd=ROOT,
                          capture_output=True, text=True, timeout=240)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "hardware:" in proc.stdout and "kv_cache_speedup" in proc.stdout  # hardware and table printed
    # the results the book reads appear whole at the end; what was measured on the way is gone with the run
    assert [p.name for p in out.parent.iterdir()] == ["results.json"]
    return out


# -- targets --------------------------------------------------------------------------------------

def test_targets():
    assert bm.meets(0.9, 1.0, "<=") is True and bm.meets(1.1, 1.0, "<=") is False
    assert bm.meets(2.5, 2.0, ">=") is True and bm.meets(1.5, 2.0, ">=") is False
    assert bm.meets(None, 2.0, ">=") is None and bm.meets(1.0, None, None) is None
    assert bm.entry(3.0, unit="x", target=2.0, comparison=">=")["meets_target"] is True
    with pytest.raises(ValueError, match="comparison"):
        bm.meets(1.0, 1.0, "<")


# -- the quick run -------------------------------------------------------------------------------

@pytest.mark.slow
def test_quick_run_writes_every_field_with_sane_values(quick_results):
    r = json.loads(quick_results.read_text())
    for key in bm.RUN_KEYS:
        assert key in r, key
    assert isinstance(r["hardware"], str) and r["hardware"].strip()
    assert r["torch"] == torch.__version__ and r["cpu_count"] >= 1 and r["threads"] >= 1 and r["quick"] is True
    datetime.datetime.fromisoformat(r["date"])
    for name in bm.BENCHMARKS:
        for key in bm.ENTRY_KEYS:
            assert key in r[name], (name, key)
        e = r[name]
        assert e["meets_target"] == bm.meets(e["value"], e["target"], e["comparison"]), name
        assert "ERROR" not in e["note"], e
    for name in RATIOS:
        assert isinstance(r[name]["value"], float) and r[name]["value"] > 0, name
    for name in ("mha_fast_vs_torch", "model_vs_nn_transformer", "kv_cache_speedup"):  # the spread of the pairs
        e = r[name]
        assert e["rounds"] >= 2 and e["ratio_q1"] <= e["value"] <= e["ratio_q3"], (name, e)
    assert isinstance(r["mha_fast_vs_torch"]["meets_target"], bool)
    assert r["mha_fast_vs_torch"]["outputs_match"] is True  # both layers compute the same function
    assert r["mha_fast_vs_torch"]["ours_s"] > 0 and r["mha_fast_vs_torch"]["torch_s"] > 0
    m = r["model_vs_nn_transformer"]
    assert m["ours_tokens_per_s"] > 0 and m["torch_tokens_per_s"] > 0
    assert m["parameters"]["ours"] == m["parameters"]["torch"]  # the reference really is the same size
    kv = r["kv_cache_speedup"]
    assert kv["steps"] == 64 and kv["same_tokens"] is True and kv["cache_s"] > 0 and kv["recompute_s"] > 0
    w = r["widget_latency_ms"]
    assert w["sequence_length"] == 16 and 0 < w["value"] < 10_000 and w["target"] == 50.0
    for name in ("time_to_bleu95_cpu_s", "book_build_s", "book_build_peak_rss_mb"):
        assert r[name]["value"] is None and r[name]["note"] == "skipped in quick mode", name
    assert r["time_to_bleu95_gpu_s"]["value"] is None and r["time_to_bleu95_gpu_s"]["note"]


@pytest.mark.slow
def test_quick_run_has_a_row_for_each_length(quick_results):
    e = json.loads(quick_results.read_text())["mha_explicit_vs_fast"]
    assert len(e["lengths"]) >= 3 and [row["T"] for row in e["rows"]] == e["lengths"]
    for row in e["rows"]:
        assert row["fast_s"] > 0 and row["explicit_s"] > 0 and row["time_ratio"] > 0
        assert row["time_ratio_q1"] <= row["time_ratio"] <= row["time_ratio_q3"]
        assert row["weights_mb"] == pytest.approx(row["B"] * e["shape"]["heads"] * row["T"] ** 2 * 4 / 2**20)
        for key in ("fast_peak_mb", "explicit_peak_mb"):
            assert row[key] is None or row[key] >= 0
    assert e["value"] == e["rows"][-1]["time_ratio"]
    assert set(e["growth_exponents"]) == {"fast_time", "fast_memory", "explicit_time", "explicit_memory"}


@pytest.mark.slow
def test_only_runs_the_selected_benchmarks_and_marks_the_rest(tmp_path):
    spec = importlib.util.spec_from_file_location("bench_run", RUNNER)
    run = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(run)
    with measure.torch_threads(torch.get_num_threads()):  # the run sets its own count: ours comes back after
        status = run.main(["--quick", "--only", "widget_latency_ms", "--out", str(tmp_path / "r.json")])
    r = json.loads((tmp_path / "r.json").read_text())
    assert status == 0 and r["widget_latency_ms"]["value"] > 0
    assert r["mha_fast_vs_torch"]["value"] is None and r["mha_fast_vs_torch"]["note"] == "not selected (--only)"
    table, ratios, scaling = bm.results_figures(tmp_path / "r.json")  # a partial run still shows
    assert len(ratios.data[0].y) == 0  # no ratio was measured
    assert not scaling.data and "make bench" in scaling.layout.annotations[0].text


# -- showing the results -------------------------------------------------------------------------

@pytest.mark.slow
def test_figures_and_table_come_from_the_results_file(quick_results):
    r = json.loads(quick_results.read_text())
    figs = bm.results_figures(quick_results)
    assert len(figs) == 3 and all(isinstance(f, go.Figure) for f in figs)
    table, ratios, scaling = figs
    assert list(table.data[0].cells.values[0]) == list(bm.BENCHMARKS)

    bars = ratios.data[0]
    assert list(bars.y) == [r[n]["value"] for n in bm.RATIO_BENCHMARKS]
    assert sorted(s.y0 for s in ratios.layout.shapes if s.line.dash == "dash") == sorted(
        r[n]["target"] for n in bm.RATIO_BENCHMARKS)
    colour = {True: bm.MEETS, False: bm.MISSES}
    assert list(bars.marker.color) == [colour[r[n]["meets_target"]] for n in bm.RATIO_BENCHMARKS]

    lengths = r["mha_explicit_vs_fast"]["lengths"]
    assert all(list(t.x) == lengths for t in scaling.data)
    assert scaling.layout.xaxis.type == "log" and scaling.layout.yaxis.type == "log"
    times = [t for t in scaling.data if t.xaxis == "x"]
    assert [v / 1e3 for v in times[0].y] == pytest.approx([row["explicit_s"] for row in r["mha_explicit_vs_fast"]["rows"]])
    assert r["hardware"] in scaling.layout.title.text

    rows = bm.results_table(quick_results)
    assert [row["benchmark"] for row in rows] == list(bm.BENCHMARKS)
    assert rows[0]["target"] == "<= 1" and rows[0]["value"] == r["mha_fast_vs_torch"]["value"]
    text = bm.format_table(rows)
    assert all(name in text for name in bm.BENCHMARKS)


def test_missing_or_outdated_results_say_to_run_make_bench(tmp_path):
    with pytest.raises(FileNotFoundError, match="make bench"):
        bm.results_figures(tmp_path / "nowhere.json")
    with pytest.raises(FileNotFoundError, match="make bench"):
        bm.results_table(tmp_path / "nowhere.json")
    (tmp_path / "old.json").write_text(json.dumps({"hardware": "x"}))
    with pytest.raises(ValueError, match="make bench"):
        bm.load_results(tmp_path / "old.json")


@pytest.mark.slow
def test_comparisons_for_readers_name_one_machine_and_every_row(quick_results, tmp_path):
    r = json.loads(quick_results.read_text())
    rows = bm.comparisons(r)
    assert len(rows) == 6 and all(row["ratio"] is not None for row in rows[:5])
    assert rows[5]["ratio"] is None and "quick mode" in rows[5]["reading"]  # the browser is not started
    assert rows[0]["ratio"] == r["mha_fast_vs_torch"]["value"]
    assert (rows[0]["ratio_q1"], rows[0]["ratio_q3"]) == (r["mha_fast_vs_torch"]["ratio_q1"], r["mha_fast_vs_torch"]["ratio_q3"])
    assert rows[2]["ratio"] == r["kv_cache_speedup"]["value"]
    text = bm.comparisons_markdown(r)
    assert text.count(r["hardware"]) == 1 and "quick run" in text  # one machine, named once
    assert text.count("\n| ") == 1 + len(rows)  # header and every row: nothing cut off
    assert "target" not in text.lower()  # measurements and their meaning, no pass/fail
    assert "spread not recorded" not in text  # a run of today's benchmarks/run.py records every spread
    assert bm.machine(r) in bm.scaling_figure(r).layout.title.text  # the figures name the same machine
    # what the ratios say
    assert bm._ours_vs_torch(0.8, "below", "time").startswith("below 1: ours is faster")
    assert bm._ours_vs_torch(0.8, "above", "tokens per second").startswith("below 1: ours is slower")
    assert bm._ours_vs_torch(1.02, "below", "time").startswith("about 1")
    # a run that left entries out still gives a complete table
    partial = {**r, "mha_fast_vs_torch": bm.skipped("not selected (--only)"),
               "mha_explicit_vs_fast": bm.skipped("not selected (--only)")}
    rows = bm.comparisons(partial)
    assert len(rows) == 6 and rows[0]["ratio"] is None and "not selected" in rows[0]["reading"]
    assert bm.comparisons_markdown(partial).count("\n| ") == 7


def test_the_shipped_results_measure_the_page_translator_against_python():
    """``make bench`` measured the in-page translator: every field, with a value, the same sentences."""
    r = bm.load_results()
    for name in ("browser_translator_load_s", "browser_translate_ms", "browser_vs_python_translate",
                 "browser_payload_mb"):
        assert r[name]["value"] is not None, (name, r[name]["note"])
    e = r["browser_vs_python_translate"]
    assert e["browser_ms"] == pytest.approx(r["browser_translate_ms"]["value"])  # one run, both sides
    assert e["python_threads"] == 1
    assert r["browser_payload_mb"]["value"] < 20
    assert all(len(s.split()) == 10 for s in r["browser_translate_ms"]["sentences"])


# -- what the table says: the ratio, its spread and the medians never contradict one another ------------------

def crafted(**entries) -> dict:
    """A complete results dict in which every benchmark was skipped, except ``entries``."""
    run = {"hardware": "a crafted machine", "torch": "x", "cpu_count": 2, "threads": 1, "date": "2026-01-01T00:00:00",
           "device": "cpu", "quick": False}
    return {**run, **{name: bm.skipped("not selected (--only)") for name in bm.BENCHMARKS}, **entries}


def mha(ratio, ours_s, torch_s, q1=None, q3=None) -> dict:
    spread = {} if q1 is None else {"ratio_q1": q1, "ratio_q3": q3}
    return bm.entry(ratio, unit="time ratio ours / torch", ours_s=ours_s, torch_s=torch_s,
                    shape={"B": 32, "T": 128, "d_model": 512, "heads": 8}, **spread)


def test_the_spread_of_paired_ratios():
    paired = bm.ratio_spread([2.0, 1.0, 3.0, 4.0, 10.0], [2.0, 2.0, 2.0, 2.0, 2.0])  # ratios 1, .5, 1.5, 2, 5
    assert paired == {"ratio": 1.5, "ratio_q1": 1.0, "ratio_q3": 2.0, "rounds": 5}
    a, b = measure.Timing([0.9, 1.3, 0.7, 2.0]), measure.Timing([1.0, 1.0, 1.0, 1.5])
    assert bm.ratio_spread(a.times, b.times)["ratio"] == measure.paired_ratio(a, b)  # the value make bench records
    assert bm.ratio_spread([3.0], [2.0]) == {"ratio": 1.5, "ratio_q1": 1.5, "ratio_q3": 1.5, "rounds": 1}
    with pytest.raises(ValueError, match="same rounds"):
        bm.ratio_spread([1.0, 2.0], [1.0])


def test_the_medians_are_labelled_and_never_left_to_contradict_the_paired_ratio():
    # ours' median is the larger, yet in three rounds out of four ours was faster than the torch call beside it
    row = bm.comparisons(crafted(mha_fast_vs_torch=mha(0.89, 0.331, 0.313, 0.85, 0.93)))[0]
    assert row["measured"] == "medians: ours 331 ms, PyTorch's 313 ms"
    assert row["reading"].startswith("below 1: ours is faster (11% less time)")
    assert "the two medians, each from its own rounds, give 1.06" in row["reading"]  # explained where it is read
    text = bm.comparisons_markdown(crafted(mha_fast_vs_torch=mha(0.89, 0.331, 0.313, 0.85, 0.93)))
    assert "| medians: ours 331 ms, PyTorch's 313 ms | **0.89** (0.85–0.93; time, ours ÷ PyTorch's) |" in text
    assert "per-round ratio (middle half of the rounds)" in text
    # medians that agree with the pairs need no remark
    row = bm.comparisons(crafted(mha_fast_vs_torch=mha(0.89, 0.300, 0.338, 0.85, 0.93)))[0]
    assert row["reading"] == "below 1: ours is faster (11% less time)"
    # without a spread, medians on the other side of 1 get the same remark
    row = bm.comparisons(crafted(mha_fast_vs_torch=mha(0.89, 0.331, 0.313)))[0]
    assert "ours is faster" in row["reading"] and "give 1.06" in row["reading"]


def test_the_words_follow_from_the_ratio_and_its_spread():
    def reading(ratio, q1=None, q3=None):
        return bm.comparisons(crafted(mha_fast_vs_torch=mha(ratio, ratio, 1.0, q1, q3)))[0]["reading"]

    assert reading(0.80, 0.70, 1.05).startswith("about 1: the same speed")  # the middle half reaches past 1
    assert "includes 1" in reading(0.80, 0.70, 1.05)
    assert reading(0.80, 0.75, 0.85).startswith("below 1: ours is faster")
    assert reading(1.30, 1.10, 1.50).startswith("above 1: ours is slower")
    assert reading(0.97, 0.96, 0.98).startswith("about 1") and "within 5%" in reading(0.97, 0.96, 0.98)
    kv = bm.entry(1.4, unit="x", recompute_s=1.4, cache_s=1.0, ratio_q1=0.9, ratio_q3=1.8)
    assert bm.comparisons(crafted(kv_cache_speedup=kv))[2]["reading"].startswith("about 1: no clear gain from the cache")
    kv = {**kv, "ratio_q1": 1.2}
    assert bm.comparisons(crafted(kv_cache_speedup=kv))[2]["reading"] == "the cache makes decoding 1.4 times as fast"


def test_a_results_file_without_spreads_says_so_rather_than_invent_them():
    """The shipped results.json may predate the spreads: the page says they were not recorded."""
    row = {"T": 64, "B": 1, "explicit_s": 2.0, "fast_s": 1.0, "time_ratio": 2.0, "explicit_peak_mb": 8.0, "fast_peak_mb": 2.0}
    text = bm.comparisons_markdown(crafted(mha_fast_vs_torch=mha(0.89, 0.300, 0.338),
                                           mha_explicit_vs_fast=bm.entry(2.0, unit="x", rows=[row])))
    assert "**0.89** (spread not recorded; time, ours ÷ PyTorch's)" in text
    assert "**2.00** (spread not recorded; time, explicit ÷ fast)" in text
    assert "**4.00** (measured once; memory, explicit ÷ fast)" in text and "| peaks: explicit 8, fast 2 MiB |" in text
