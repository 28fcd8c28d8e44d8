"""The book's benchmark results: the targets, the table, the figures and the comparisons for readers.

``benchmarks/run.py`` (``make bench``) measures with :mod:`attnlib.measure` and writes
``benchmarks/results.json``; :func:`comparisons_markdown` shows its comparisons to readers
(the measurements and what they mean), :func:`results_table` and :func:`results_figures` show
every entry against its target.
"""

from __future__ import annotations

import json
import statistics
from pathlib import Path
from typing import Any, Mapping, Sequence

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from attnlib.paths import SOURCE_TREE

ROOT = SOURCE_TREE  # benchmarks/ and the book live in the repository
DEFAULT_RESULTS = ROOT / "benchmarks" / "results.json"

# Every field `make bench` writes, in the order the table shows them.
BENCHMARKS = (
    "mha_fast_vs_torch",
    "mha_explicit_vs_fast",
    "model_vs_nn_transformer",
    "kv_cache_speedup",
    "widget_latency_ms",
    "time_to_bleu95_cpu_s",
    "time_to_bleu95_gpu_s",
    "book_build_s",
    "book_build_peak_rss_mb",
    # the models that run in the page: chapter 10's translator, chapter 13's GPT (see attnlib.book.live_benchmarks)
    "browser_translator_load_s", "browser_translate_ms", "browser_vs_python_translate", "browser_payload_mb",
    "browser_lm_ready_s", "browser_lm_ms_per_token", "browser_lm_payload_mb",
)
ENTRY_KEYS = ("value", "unit", "target", "comparison", "meets_target", "note")
RUN_KEYS = ("hardware", "torch", "cpu_count", "threads", "date", "device", "quick")
MEETS, MISSES = "#0072b2", "#d55e00"  # a bar on or off target: blue, vermilion (Okabe-Ito), apart for colour-blind eyes


# --------------------------------------------------------------------------------------
# Results: entries with targets
# --------------------------------------------------------------------------------------

def meets(value: float | None, target: float | None, comparison: str | None) -> bool | None:
    """Whether ``value`` meets ``target`` (``"<="`` or ``">="``); None when either is missing."""
    if value is None or target is None or comparison is None:
        return None
    if comparison == "<=":
        return bool(value <= target)
    if comparison == ">=":
        return bool(value >= target)
    raise ValueError(f"comparison must be '<=' or '>=', got {comparison!r}")


def entry(value: float | None, *, unit: str, target: float | None = None, comparison: str | None = None,
          note: str = "", **details: Any) -> dict:
    """One benchmark's record: the value, its target, whether it meets it, and the details."""
    return {"value": value, "unit": unit, "target": target, "comparison": comparison,
            "meets_target": meets(value, target, comparison), "note": note, **details}


def skipped(note: str, *, unit: str = "", target: float | None = None, comparison: str | None = None) -> dict:
    return entry(None, unit=unit, target=target, comparison=comparison, note=note)


# --------------------------------------------------------------------------------------
# Showing results.json in the book
# --------------------------------------------------------------------------------------

def load_results(path: str | Path | None = None) -> dict:
    """``benchmarks/results.json`` (or ``path``) as a dict; a clear error when it was never measured."""
    path = Path(path) if path is not None else DEFAULT_RESULTS
    if not path.is_file():
        raise FileNotFoundError(
            f"no benchmark results at {path}: run `make bench` (or `make bench BENCH_ARGS=--quick` for a "
            f"quick check) to measure them on this machine"
        )
    results = json.loads(path.read_text())
    missing = [k for k in (*RUN_KEYS, *BENCHMARKS) if k not in results]
    if missing:
        raise ValueError(f"{path} lacks {missing}: it was written by another version of benchmarks/run.py; "
                         f"run `make bench` again")
    return results


def _as_results(results: str | Path | Mapping | None) -> dict:
    return dict(results) if isinstance(results, Mapping) else load_results(results)


def _fmt(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 1000 else f"{value:.0f}"
    return str(value)


def results_table(results: str | Path | Mapping | None = None) -> list[dict]:
    """One row per benchmark: ``benchmark, value, unit, target, meets_target, note`` (values as numbers)."""
    results = _as_results(results)
    rows = []
    for name in BENCHMARKS:
        e = results[name]
        target = None if e.get("target") is None else f"{e['comparison']} {_fmt(e['target'])}"
        rows.append({"benchmark": name, "value": e.get("value"), "unit": e.get("unit", ""), "target": target,
                     "meets_target": e.get("meets_target"), "note": e.get("note", "")})
    return rows


def format_table(rows: list[dict], width: int = 60) -> str:
    """The rows of :func:`results_table` as aligned plain text (what ``make bench`` prints)."""
    cols = ("benchmark", "value", "unit", "target", "meets_target", "note")
    cells = [[_fmt(r[c]) if c != "note" else (r[c] or "")[:width] for c in cols] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(cols)]
    line = lambda vals: "  ".join(v.ljust(w) for v, w in zip(vals, widths)).rstrip()  # noqa: E731
    return "\n".join([line(cols), line(["-" * w for w in widths]), *map(line, cells)])


def table_figure(results: str | Path | Mapping | None = None) -> go.Figure:
    """The results table as a plotly table, with the hardware in the title."""
    results = _as_results(results)
    rows = results_table(results)
    colour = {True: "#d9f2d9", False: "#f8d7d7", None: "white"}
    fill = [[colour[r["meets_target"]] for r in rows]] * 6
    fig = go.Figure(go.Table(
        columnwidth=[3, 1.2, 2.2, 1.2, 1, 4],
        header=dict(values=["benchmark", "value", "unit", "target", "meets target", "note"], align="left",
                    fill_color="#e8e8e8"),
        cells=dict(values=[[r["benchmark"] for r in rows], [_fmt(r["value"]) for r in rows],
                           [r["unit"] for r in rows], [r["target"] or "—" for r in rows],
                           [_fmt(r["meets_target"]) for r in rows], [r["note"] or "" for r in rows]],
                   align="left", fill_color=fill, height=26)))
    fig.update_layout(title=_title("Benchmarks", results), height=160 + 46 * len(rows),
                      margin=dict(t=80, l=10, r=10, b=10))
    return fig


def machine(results: str | Path | Mapping | None = None) -> str:
    """Where and when the results were measured, in one line: the ``hardware`` field of the results file
    (CPU or GPU, cores, torch, threads) and the date, plus a warning for a quick run."""
    results = _as_results(results)
    text = f"{results['hardware']}, on {results['date'][:10]}"
    return text + (" (quick run: tiny sizes, the numbers say nothing about the machine)" if results.get("quick") else "")


def _title(text: str, results: Mapping) -> dict:
    return {"text": f"{text}<br><sup>{machine(results)}</sup>"}


RATIO_BENCHMARKS = {
    "mha_fast_vs_torch": "multi-head attention:<br>time ours / torch",
    "model_vs_nn_transformer": "training throughput:<br>ours / nn.Transformer",
    "kv_cache_speedup": "greedy decoding:<br>KV-cache speed-up",
}


def ratio_figure(results: str | Path | Mapping | None = None) -> go.Figure:
    """The side-by-side ratios as bars (green: meets its target), each with its target as a line."""
    results = _as_results(results)
    names = [n for n in RATIO_BENCHMARKS if results[n].get("value") is not None]
    labels = [RATIO_BENCHMARKS[n] for n in names]
    values = [results[n]["value"] for n in names]
    colours = [MEETS if results[n]["meets_target"] else MISSES for n in names]
    fig = go.Figure(go.Bar(x=labels, y=values, marker_color=colours, text=[f"{v:.2f}×" for v in values],
                           textposition="inside", insidetextanchor="middle", textfont=dict(color="white", size=16), name="measured", showlegend=False,
                           hovertemplate="%{x}: %{y:.3f}<extra></extra>"))
    for i, n in enumerate(names):
        e = results[n]
        if e.get("target") is None:
            continue
        fig.add_shape(type="line", xref="x", yref="y", x0=i - 0.45, x1=i + 0.45, y0=e["target"], y1=e["target"],
                      line=dict(color="black", dash="dash", width=2))
        fig.add_annotation(x=i + 0.45, y=e["target"], text=f"target {e['comparison']} {e['target']:g}",
                           showarrow=False, xanchor="right", yanchor="bottom", yshift=2, font=dict(size=12))
    fig.add_hline(y=1.0, line=dict(color="#999", width=1))
    top = max([*values, *(results[n]["target"] or 0 for n in names), 1.0]) * 1.25
    fig.update_layout(title=_title("Ratios measured side by side", results), yaxis=dict(title="ratio", range=[0, top]),
                      height=450, margin=dict(t=90))
    return fig


def scaling_figure(results: str | Path | Mapping | None = None) -> go.Figure:
    """Explicit (weights materialised) against fast attention: time and peak memory against T, log-log."""
    results = _as_results(results)
    e = results["mha_explicit_vs_fast"]
    rows = e.get("rows") or []
    if not rows:  # skipped in this run: say so in place of the figure
        from .plots import message_figure

        return message_figure(f"explicit vs fast attention was not measured ({e.get('note') or 'no rows'}): "
                              f"run `make bench`", title="The cost of materialising the weights")
    ts = [r["T"] for r in rows]
    fig = make_subplots(rows=1, cols=2, subplot_titles=("time of one forward pass", "peak extra memory"))
    styles = {"explicit": dict(color="#d62728"), "fast": dict(color="#1f77b4")}
    for path, label in (("explicit", "explicit (need_weights=True)"), ("fast", "fast (fused SDPA)")):
        fig.add_trace(go.Scatter(x=ts, y=[r[f"{path}_s"] * 1e3 for r in rows], mode="lines+markers", name=label,
                                 line=styles[path], legendgroup=path), row=1, col=1)
        mem = [r.get(f"{path}_peak_mb") for r in rows]
        if any(m is not None for m in mem):
            fig.add_trace(go.Scatter(x=ts, y=mem, mode="lines+markers", name=label, line=styles[path],
                                     legendgroup=path, showlegend=False), row=1, col=2)
    if all(r.get("weights_mb") for r in rows):
        fig.add_trace(go.Scatter(x=ts, y=[r["weights_mb"] for r in rows], mode="lines", name="size of the weights B·H·T²",
                                 line=dict(color="#7f7f7f", dash="dot")), row=1, col=2)
    fig.update_xaxes(type="log", title_text="sequence length T", tickvals=ts, ticktext=[str(t) for t in ts])
    fig.update_yaxes(type="log", title_text="milliseconds", row=1, col=1)
    fig.update_yaxes(type="log", title_text="MiB", row=1, col=2)
    fig.update_layout(title=_title(f"The cost of materialising the weights (B={rows[0]['B']})", results),
                      height=460, margin=dict(t=110), legend=dict(orientation="h", y=-0.2))
    return fig


def results_figures(results: str | Path | Mapping | None = None) -> list[go.Figure]:
    """The book's figures of ``benchmarks/results.json``: the table, the ratios, explicit vs fast against T."""
    results = _as_results(results)
    return [table_figure(results), ratio_figure(results), scaling_figure(results)]


# --------------------------------------------------------------------------------------
# The comparisons, for readers: what is measured against what, and what the ratio says
# --------------------------------------------------------------------------------------

SAME_WITHIN = 0.05  # ratios within 5 % of 1 read as "the same speed": closer than a shared machine's noise


def ratio_spread(a: Sequence[float], b: Sequence[float]) -> dict:
    """The per-round ratios ``a[r] / b[r]`` of two contenders timed in the same rounds, summed up:
    ``ratio``, their median (what :func:`attnlib.measure.paired_ratio` gives); ``ratio_q1`` and
    ``ratio_q3``, their quartiles (the middle half of the rounds lies between them; both equal the ratio
    when there is one round); and ``rounds``."""
    if len(a) != len(b) or not a:
        raise ValueError(f"ratio_spread needs times of the same rounds, got {len(a)} and {len(b)}")
    ratios = [x / y for x, y in zip(a, b)]
    q1, _, q3 = statistics.quantiles(ratios, n=4, method="inclusive") if len(ratios) > 1 else ratios * 3
    return {"ratio": statistics.median(ratios), "ratio_q1": q1, "ratio_q3": q3, "rounds": len(ratios)}


def _spread(e: Mapping | None, prefix: str = "ratio") -> tuple[float, float] | None:
    """``(q1, q3)`` of the per-round ratios, as ``make bench`` records them; None when the file lacks them."""
    q1, q3 = (e or {}).get(f"{prefix}_q1"), (e or {}).get(f"{prefix}_q3")
    return None if q1 is None or q3 is None else (q1, q3)


def _same(r: float, spread: tuple[float, float] | None) -> str | None:
    """Why the ratio ``r`` reads as "about 1", or None: the middle half of the rounds reaches 1 on both
    sides, or ``r`` is within :data:`SAME_WITHIN` of 1."""
    if spread is not None and spread[0] <= 1 <= spread[1]:
        return "the middle half of the rounds includes 1"
    if abs(r - 1) <= SAME_WITHIN:
        return f"within {SAME_WITHIN:.0%}"
    return None


def _ms(seconds: float) -> str:
    return f"{seconds * 1e3:.3g} ms"


def _ours_vs_torch(r: float, faster_when: str, what: str, spread: tuple[float, float] | None = None) -> str:
    """What ``r`` = ours / PyTorch's says, with its spread, where ``faster_when`` is ``"below"`` (for times)
    or ``"above"`` (for throughputs) and ``what`` names the quantity (``"time"``, ``"tokens per second"``)."""
    same = _same(r, spread)
    if same:
        return f"about 1: the same speed as PyTorch's ({same})"
    side = "below" if r < 1 else "above"
    verdict = "faster" if side == faster_when else "slower"
    fewer = ('less' if what == 'time' else 'fewer') if r < 1 else 'more'
    return f"{side} 1: ours is {verdict} ({abs(r - 1):.0%} {fewer} {what})"


def _reading(r: float, spread, *, same: str, below: str, above: str) -> str:
    """``same`` with the reason when ``r`` reads as about 1, else ``below`` or ``above`` (formatted with
    ``r`` and ``inverse`` = 1 / r)."""
    why = _same(r, spread)
    if why:
        return f"{same} ({why})"
    return (below if r < 1 else above).format(r=r, inverse=1 / r)


def comparisons(results: str | Path | Mapping | None = None) -> list[dict]:
    """The side-by-side measurements of a results file, for readers: what against what, each side's
    median, the ratio with its spread, and what they say in words. No targets: those are the benchmarks'
    business.

    The ratio is the median of the per-round ratios, and the spread their quartiles (``ratio_q1``,
    ``ratio_q3``; None where the file does not record them, or for a memory measured once). The words
    follow from both: "about 1" when the middle half of the rounds includes 1 (or the ratio is within
    :data:`SAME_WITHIN` of 1). Each side's median comes from its own rounds, so the medians' ratio can
    differ from the paired one; where it falls outside the spread (or, without a spread, on the other side
    of 1), the reading says so rather than leave two numbers that seem to disagree.

    One dict per row: ``comparison``, ``measured`` (the medians, labelled), ``ratio`` (None when not
    measured), ``ratio_q1``, ``ratio_q3``, ``once`` (measured once: no spread to record), ``ratio_of``
    (which number over which) and ``reading``.
    """
    results = _as_results(results)
    rows = []

    def add(comparison: str, e: Mapping, ratio, ratio_of: str, sides, reading, spread=None, once=False):
        """``sides()``: the two medians as ((name, text), (name, text)) and their ratio, in the ratio's order."""
        row = {"comparison": comparison, "measured": "—", "ratio": ratio, "ratio_q1": None, "ratio_q3": None,
               "once": once, "ratio_of": ratio_of}
        if ratio is None:
            rows.append({**row, "reading": f"not measured in this run ({e.get('note') or 'no value'})"})
            return
        (first, a), (second, b), medians_ratio = sides()
        text = reading(ratio, spread)
        apart = (not spread[0] <= medians_ratio <= spread[1]) if spread else (medians_ratio - 1) * (ratio - 1) < 0
        if apart and not once:
            text += (f"; the two medians, each from its own rounds, give {medians_ratio:.2f}: the machine's speed "
                     f"changed from round to round, which the paired ratio cancels")
        rows.append({**row, "measured": f"{'peaks' if once else 'medians'}: {first} {a}, {second} {b}", "ratio_q1": spread and spread[0],
                     "ratio_q3": spread and spread[1], "reading": text})

    e = results["mha_fast_vs_torch"]
    shape = e.get("shape") or {}
    add(f"**one multi-head attention layer**, forward and backward (B={shape.get('B', '?')}, "
        f"T={shape.get('T', '?')}, D={shape.get('d_model', '?')}, {shape.get('heads', '?')} heads): "
        f"`attnlib.MultiHeadAttention` vs `torch.nn.MultiheadAttention`",
        e, e.get("value"), "time, ours ÷ PyTorch's",
        lambda: (("ours", _ms(e["ours_s"])), ("PyTorch's", _ms(e["torch_s"])), e["ours_s"] / e["torch_s"]),
        lambda r, s: _ours_vs_torch(r, "below", "time", s), _spread(e))

    e = results["model_vs_nn_transformer"]
    add("**training the translator** (forward, loss, backward, Adam): `attnlib.Transformer` vs "
        "`torch.nn.Transformer` of the same size",
        e, e.get("value"), "tokens per second, ours ÷ PyTorch's",
        lambda: (("ours", f"{e['ours_tokens_per_s']:.0f}"), ("PyTorch's", f"{e['torch_tokens_per_s']:.0f} tokens/s"),
                 e["ours_tokens_per_s"] / e["torch_tokens_per_s"]),
        lambda r, s: _ours_vs_torch(r, "above", "tokens per second", s), _spread(e))

    e = results["kv_cache_speedup"]
    add(f"**greedy decoding** of {e.get('steps', 64)} tokens, batch {e.get('batch', 16)}: recomputing the "
        f"prefix at every step vs the key/value cache",
        e, e.get("value"), "time, without ÷ with the cache",
        lambda: (("without", _ms(e["recompute_s"])), ("with the cache", _ms(e["cache_s"])),
                 e["recompute_s"] / e["cache_s"]),
        lambda r, s: _reading(r, s, same="about 1: no clear gain from the cache here",
                              below="below 1: here the cache made decoding slower",
                              above="the cache makes decoding {r:.1f} times as fast"), _spread(e))

    e = results["mha_explicit_vs_fast"]
    last = (e.get("rows") or [None])[-1]
    where = f"T={last['T']}, B={last['B']}" if last else "the longest T"
    add(f"**asking for the weights**, one multi-head layer ({where}), time: explicit path vs fast path",
        e, last and last["time_ratio"], "time, explicit ÷ fast",
        lambda: (("explicit", _ms(last["explicit_s"])), ("fast", _ms(last["fast_s"])), last["explicit_s"] / last["fast_s"]),
        lambda r, s: _reading(r, s, same="about 1: keeping the weights cost no clear time here",
                              below="below 1: here the explicit path was faster",
                              above="computing and keeping the weights takes {r:.1f} times as long"),
        _spread(last, "time_ratio"))
    mem = None
    if last and last.get("explicit_peak_mb") and last.get("fast_peak_mb"):
        mem = last["explicit_peak_mb"] / last["fast_peak_mb"]
    add(f"the same ({where}), peak extra memory", {**e, "note": "memory not measurable there"} if last else e,
        mem, "memory, explicit ÷ fast",
        lambda: (("explicit", f"{last['explicit_peak_mb']:.0f}"), ("fast", f"{last['fast_peak_mb']:.0f} MiB"), mem),
        lambda r, s: f"keeping the weights takes {r:.0f} times the memory", once=True)

    e = results.get("browser_vs_python_translate") or {"note": "not in this results file"}
    add("**translating a 10-word sentence in the page** (chapter 10's translator: the same model exported to "
        "ONNX, run by onnxruntime-web in WebAssembly) vs the Python `Translator` (PyTorch), one thread each",
        e, e.get("value"), "time, page ÷ Python",
        lambda: (("page", _ms(e["browser_ms"] / 1e3)), ("Python", _ms(e["python_ms"] / 1e3)),
                 e["browser_ms"] / e["python_ms"]),
        lambda r, s: _reading(r, s, same="the same speed", below="the page translates {inverse:.1f} times as fast as Python",
                              above="the page takes {r:.1f} times as long as Python"), _spread(e))
    return rows


def _ratio_cell(row: dict) -> str:
    if row["ratio"] is None:
        return "—"
    if row["once"]:
        spread = "measured once"
    elif row["ratio_q1"] is None:
        spread = "spread not recorded"
    else:
        spread = f"{row['ratio_q1']:.2f}–{row['ratio_q3']:.2f}"
    return f"**{row['ratio']:.2f}** ({spread}; {row['ratio_of']})"


def comparisons_markdown(results: str | Path | Mapping | None = None) -> str:
    """:func:`comparisons` as a Markdown table, under one line naming the machine that measured them: each
    side's median (labelled as such), then the ratio of paired rounds with the range of its middle half
    ("spread not recorded" for a results file written before ``make bench`` recorded it)."""
    results = _as_results(results)
    lines = [f"Measured by `make bench` on **{machine(results)}**.", "",
             "| comparison | each side | per-round ratio (middle half of the rounds) | what the ratio says |",
             "|---|---|---|---|"]
    for row in comparisons(results):
        lines.append(f"| {row['comparison']} | {row['measured']} | {_ratio_cell(row)} | {row['reading']} |")
    return "\n".join(lines) + "\n"
