"""The benchmarks of the models that run in the published page (chapter 10's translator, chapter 13's GPT),
each against its target, for the benchmarks page.

``benchmarks/run.py`` measures them in headless Chromium (``browser_*`` in ``benchmarks/results.json``);
:func:`in_page_markdown` sets each value beside its target, in words a reader can check.
"""

from __future__ import annotations

from pathlib import Path
from typing import Mapping

from .benchmarks import _as_results, _fmt

# what each entry measures, as the benchmarks page names it
IN_PAGE = {
    "browser_translator_load_s": "chapter 10's translator ready: page load to its first translation",
    "browser_translate_ms": "chapter 10's translator: one 10-word sentence",
    "browser_payload_mb": "downloaded for the translator: runtime, graphs, vocabularies, scripts",
    "browser_lm_ready_s": "chapter 13's generator ready: page load until it can generate",
    "browser_lm_ms_per_token": "chapter 13's generator: one token of a 20-token continuation",
    "browser_lm_payload_mb": "downloaded for the language model beyond what the translator's page loads",
}


def in_page(results: str | Path | Mapping | None = None) -> list[dict]:
    """The in-page models' measurements, each against its target: ``measure`` (what, in words), ``value``,
    ``unit``, ``target`` (e.g. "≤ 3") and ``verdict`` ("meets its target", "misses it", or why there is none)."""
    results = _as_results(results)
    rows = []
    for name, measure in IN_PAGE.items():
        e = results.get(name) or {"note": "not in this results file"}
        target = None if e.get("target") is None else f"{'≤' if e['comparison'] == '<=' else '≥'} {_fmt(e['target'])}"
        if e.get("value") is None:
            verdict = f"not measured ({e.get('note') or 'no value'})"
        else:
            verdict = {True: "meets its target", False: "misses its target", None: "no target"}[e.get("meets_target")]
        rows.append({"benchmark": name, "measure": measure, "value": e.get("value"), "unit": e.get("unit", ""),
                     "target": target, "verdict": verdict})
    return rows


def in_page_markdown(results: str | Path | Mapping | None = None) -> str:
    """:func:`in_page` as a Markdown table: what is measured, the value with its unit, the target, the verdict."""
    lines = ["| in the page | measured | target | verdict |", "|---|---|---|---|"]
    for row in in_page(results):
        unit = (row["unit"].split() or [""])[0]  # "s (median, …)" -> "s": the first column says what was measured
        value = "—" if row["value"] is None else f"{_fmt(row['value'])} {unit}"
        target = "—" if row["target"] is None else f"{row['target']} {unit}"
        lines.append(f"| {row['measure']} | {value} | {target} | {row['verdict']} |")
    return "\n".join(lines) + "\n"
