"""The in-page models' benchmarks as the benchmarks page shows them: each value beside its target."""

import pytest

from attnlib.book import benchmarks as bm
from attnlib.book import live_benchmarks as lb


def crafted(**entries) -> dict:
    run = {"hardware": "a crafted machine", "torch": "x", "cpu_count": 2, "threads": 1, "date": "2026-01-01T00:00:00",
           "device": "cpu", "quick": False}
    return {**run, **{name: bm.skipped("not selected (--only)") for name in bm.BENCHMARKS}, **entries}


def test_every_in_page_benchmark_is_one_that_make_bench_writes():
    assert set(lb.IN_PAGE) <= set(bm.BENCHMARKS)
    assert {"browser_lm_ready_s", "browser_lm_ms_per_token", "browser_lm_payload_mb"} <= set(lb.IN_PAGE)


def test_each_value_stands_beside_its_target_with_the_verdict():
    results = crafted(
        browser_lm_ready_s=bm.entry(2.4, unit="s (median, page load until the generator can generate)", target=3.0,
                                    comparison="<="),
        browser_lm_ms_per_token=bm.entry(12.5, unit="ms per token (median, 20-token continuations)", target=10.0,
                                         comparison="<="))
    rows = {r["benchmark"]: r for r in lb.in_page(results)}
    assert rows["browser_lm_ready_s"]["verdict"] == "meets its target" and rows["browser_lm_ready_s"]["target"] == "≤ 3"
    assert rows["browser_lm_ms_per_token"]["verdict"] == "misses its target"
    assert rows["browser_payload_mb"]["verdict"] == "not measured (not selected (--only))"
    text = lb.in_page_markdown(results)
    assert "| chapter 13's generator ready: page load until it can generate | 2.4 s | ≤ 3 s | meets its target |" in text
    assert "| 12.5 ms | ≤ 10 ms | misses its target |" in text
    assert len(text.splitlines()) == 2 + len(lb.IN_PAGE)  # the header, its rule, then a row each


def test_a_results_file_without_the_language_model_says_so():
    results = {k: v for k, v in crafted().items() if not k.startswith("browser_lm")}
    rows = lb.in_page(results)
    assert [r["verdict"] for r in rows[-3:]] == ["not measured (not in this results file)"] * 3


def test_the_shipped_results_measure_the_language_model_in_the_page():
    r = bm.load_results()
    for name in ("browser_lm_ready_s", "browser_lm_ms_per_token", "browser_lm_payload_mb"):
        assert r[name]["value"] is not None and r[name]["target"] is not None, (name, r[name]["note"])
    assert r["browser_lm_payload_mb"]["meets_target"] and r["browser_lm_payload_mb"]["value"] < 5
    assert all(f.endswith("lm_causal.onnx") or "lm_masked" not in f for f in r["browser_lm_payload_mb"]["files"])
    assert len(r["browser_lm_ms_per_token"]["continuations"]) >= 1


@pytest.mark.parametrize("name", list(lb.IN_PAGE))
def test_the_shipped_results_give_every_in_page_row_a_target(name):
    assert bm.load_results()[name]["target"] is not None
