"""Attention as word alignment: the alignment error rate (AER) of every cross-attention head, read naively
and shifted, against IBM Models 1 and 2 and the diagonal, with several seeds.

For each seed a translator is trained with the ``cpu`` preset; on the test split, with the gold French
fed in (teacher forcing), every head and each layer's mean of heads gives a hard alignment under both
readings of :mod:`attnlib.translation.attention_aer`, scored with :mod:`attnlib.translation.aer` against
the sure and possible links (:mod:`attnlib.translation.corpus.possible`). Heads are numbered anew by
every run, so besides each numbered head's spread over seeds the record keeps, per layer, the spread of
each seed's *best* head. The baselines do not depend on the seed and run once: IBM Models 1 and 2
(:mod:`attnlib.translation.ibm`, nltk) trained on the train split without its links, and the diagonal.

Results (AERs are fractions, 0 best)::

    {"test_pairs", "french_tokens", "sure_links", "possible_links", "possible_by_rule", "floor",
     "layers", "heads",
     "naive" | "shifted": {"mean": [spread per layer], "best_head": [spread per layer],
                           "heads": [[spread per head] per layer]},
     "runs": [{"seed", "train_seconds", "valid_bleu", "naive" | "shifted": {"mean": [...], "heads": [[...]]}}],
     "baselines": {"ibm1" | "ibm2" | "diagonal": {"label", "aer", ...}}}
"""

from __future__ import annotations

import time
from importlib.metadata import PackageNotFoundError, version

from attnlib.translation.aer import corpus_aer, diagonal_alignment, one_link_floor
from attnlib.translation.attention_aer import READINGS, attention_aer
from attnlib.translation.corpus import load_split
from attnlib.translation.corpus.possible import RULES, possible_by_rule, possible_links
from attnlib.translation.ibm import ibm_alignments, train_ibm
from attnlib.translation.train import TRAIN_PRESETS, train
from .record import check_spread, show_spread, spread

WHAT = "attention as word alignment: AER per head and layer, naive and shifted, against IBM 1, IBM 2 and the diagonal"
DEFAULT_SEEDS = 3
DEFAULT_STEPS = 2000  # validation BLEU about 98 with the cpu preset; its full 4,000 steps would take twice the time
PRESET = "cpu"
EVAL_PAIRS = 300  # validation pairs translated once, at the end of each run
#: EM iterations of IBM Models 1 and 2 (nltk's Model 2 first trains a Model 1 for twice its own), as in the
#: usual recipe; on this corpus more make neither better (Model 1: 13.0 % at 5, 13.2 % at 10, 13.3 % at 20;
#: Model 2: 4.8 % at 5, 5.0 % at 10)
IBM_ITERATIONS = {1: 5, 2: 5}
BASELINES = {"ibm1": "IBM Model 1", "ibm2": "IBM Model 2", "diagonal": "diagonal"}


def _readings(measured) -> dict:
    return {r: {"mean": [round(x, 5) for x in measured.mean_of_heads(r)],
                "heads": [[round(x, 5) for x in row] for row in measured.heads(r)]} for r in READINGS}


def _baselines(train_pairs, test, iterations: dict[int, int]) -> dict:
    out = {}
    for model in (1, 2):
        start = time.process_time()
        aligner = train_ibm(train_pairs, model, iterations[model])
        aer = corpus_aer(ibm_alignments(aligner, test), test)
        out[f"ibm{model}"] = {"label": BASELINES[f"ibm{model}"], "aer": round(aer, 5), "iterations": iterations[model],
                              "train_pairs": len(train_pairs), "cpu_seconds": round(time.process_time() - start, 1)}
    out["ibm2"]["model1_iterations"] = 2 * iterations[2]
    diagonal = [diagonal_alignment(len(p.src_tokens), len(p.tgt_tokens)) for p in test]
    out["diagonal"] = {"label": BASELINES["diagonal"], "aer": round(corpus_aer(diagonal, test), 5)}
    return out


def _sums(runs: list[dict], layers: int, heads: int) -> dict:
    """Each reading's spreads over seeds: per layer the mean of heads and the best head, and every head."""
    out = {}
    for r in READINGS:
        out[r] = {"mean": [spread([run[r]["mean"][li] for run in runs]) for li in range(layers)],
                  "best_head": [spread([min(run[r]["heads"][li]) for run in runs]) for li in range(layers)],
                  "heads": [[spread([run[r]["heads"][li][h] for run in runs]) for h in range(heads)]
                            for li in range(layers)]}
    return out


def run(seeds: list[int], steps: int, progress: bool = False, *, preset: str = PRESET, test_pairs: int | None = None,
        train_pairs=None, valid_pairs=None, ibm_iterations: dict[int, int] | None = None) -> tuple[dict, dict]:
    """Train one translator per seed and measure its AER; the baselines once. Returns (settings, results)."""
    if not seeds:
        raise ValueError("give at least one seed: the AER of attention is measured on trained translators")
    iterations = dict(IBM_ITERATIONS if ibm_iterations is None else ibm_iterations)
    if set(iterations) != {1, 2}:
        raise ValueError(f"ibm_iterations must give iterations for IBM Models 1 and 2, got {iterations!r}")
    if preset not in TRAIN_PRESETS:
        raise ValueError(f"unknown preset {preset!r}: choose one of {', '.join(TRAIN_PRESETS)}")
    train_pairs = load_split("train") if train_pairs is None else list(train_pairs)
    test = [p for p in load_split("test")[:test_pairs] if p.alignment]
    if not test:
        raise ValueError(f"test_pairs={test_pairs} leaves no test pair with a gold alignment to score")
    base = TRAIN_PRESETS[preset].replace(steps=steps, eval_every=steps, eval_pairs=EVAL_PAIRS)
    baselines = _baselines(train_pairs, test, iterations)  # first: a missing nltk stops the run before any training
    runs = []
    for seed in seeds:
        out = train(base.replace(seed=seed), device="cpu", train_pairs=train_pairs, valid_pairs=valid_pairs,
                    progress=progress, save_optimizer=False)
        out.translator.model.eval()
        measured = attention_aer(out.translator, test)
        runs.append({"seed": seed, "train_seconds": round(out.train_seconds, 1),
                     "valid_bleu": out.history[-1].get("valid_bleu") if out.history else None, **_readings(measured)})
    layers, heads = len(measured.layers), measured.n_heads
    added = [possible_by_rule(p) for p in test]
    results = {"test_pairs": len(test), "french_tokens": measured.hypothesis, "sure_links": measured.sure,
               "possible_links": sum(len(possible_links(p)) for p in test),
               "possible_by_rule": {rule: sum(len(a[rule]) for a in added) for rule in RULES},
               "floor": round(one_link_floor(test), 5), "layers": layers, "heads": heads,
               **_sums(runs, layers, heads), "runs": runs, "baselines": baselines}
    settings = {"preset": preset, "test_pairs": len(test), "train_pairs": len(train_pairs),
                "batch_size": base.batch_size, "lr": base.lr, "warmup": base.warmup, "eval_pairs": EVAL_PAIRS,
                "ibm": {"iterations": {f"model{m}": n for m, n in iterations.items()}, "nltk": _nltk_version()}}
    return settings, results


def _nltk_version() -> str:
    try:
        return version("nltk")
    except PackageNotFoundError:
        return "unknown"


def _check_aer(value, what: str) -> None:
    if not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise ValueError(f"{what} must be an AER between 0 and 1, got {value!r}")


def check(results: dict) -> None:
    runs = results.get("runs")
    if not runs:
        raise ValueError("the alignment results have no runs")
    layers, heads = results["layers"], results["heads"]
    for reading in READINGS:
        entry = results[reading]
        if len(entry["mean"]) != layers or len(entry["best_head"]) != layers or len(entry["heads"]) != layers:
            raise ValueError(f"{reading}: needs one entry per decoder layer ({layers})")
        for li in range(layers):
            if len(entry["heads"][li]) != heads:
                raise ValueError(f"{reading}.heads[{li}] must hold {heads} heads")
            for what, s in [("mean", entry["mean"][li]), ("best_head", entry["best_head"][li]),
                            *((f"heads[{li}][{h}]", x) for h, x in enumerate(entry["heads"][li]))]:
                check_spread(s, f"{reading}.{what}")
                if len(s["values"]) != len(runs):
                    raise ValueError(f"{reading}.{what} sums up {len(s['values'])} values for {len(runs)} runs")
                _check_aer(s["mean"], f"{reading}.{what}")
        for run_ in runs:
            if len(run_[reading]["mean"]) != layers:
                raise ValueError(f"seed {run_['seed']}: {reading} needs one AER per layer")
    for key in BASELINES:
        _check_aer(results["baselines"][key]["aer"], f"baseline {key}")
    _check_aer(results["floor"], "floor")
    if not results["sure_links"] <= results["possible_links"]:
        raise ValueError("there are fewer possible links than sure ones: P must hold S")


def best_layer(results: dict, reading: str, which: str = "mean") -> tuple[int, dict]:
    """(layer, spread) of the layer whose mean of heads (``which="mean"``) or best head (``"best_head"``)
    has the lowest AER, averaged over seeds; layers counted from 0."""
    if which not in ("mean", "best_head"):
        raise ValueError(f"which must be 'mean' or 'best_head', got {which!r}")
    entries = results[reading][which]
    layer = min(range(len(entries)), key=lambda li: entries[li]["mean"])
    return layer, entries[layer]


def summary(record: dict) -> list[tuple[str, str]]:
    results = record["results"]
    rows = []
    for reading in READINGS:
        for which, what in (("mean", "mean of heads"), ("best_head", "best head")):
            layer, s = best_layer(results, reading, which)
            rows.append((f"{reading} reading, best layer ({what}): AER %",
                         f"layer {layer + 1}: {show_spread(s, scale=100)}"))
    for key, label in BASELINES.items():
        b = results["baselines"][key]
        its = f" ({b['iterations']} iterations)" if "iterations" in b else ""
        rows.append((f"{label}{its}: AER %", f"{100 * b['aer']:.1f}"))
    rows.append(("least AER of one link per French token %", f"{100 * results['floor']:.1f}"))
    return rows
