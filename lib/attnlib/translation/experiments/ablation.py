"""The ablations of "Inside the translator", each trained with several seeds, so that a difference can be
set against the spread between seeds of the same model.

A seed changes the initial weights and the order of the batches, nothing else; every variant meets the
same seeds. For every variant and seed, the record keeps the test scores and the curves (loss, validation
BLEU); :func:`spread` sums each score up over seeds. The attention maps of one seed stay in
``data/ablations/`` (``python -m attnlib.translation ablation``).
"""

from __future__ import annotations

from attnlib.translation.ablation import DEFAULT_EVAL_EVERY, DEFAULT_EVAL_PAIRS, DEFAULT_TEST_PAIRS, VARIANTS
from attnlib.translation.corpus import load_split
from attnlib.translation.evaluate import evaluate
from attnlib.translation.train import TRAIN_PRESETS, train
from .record import check_spread, show_spread, spread

WHAT = "train the translator and each ablation with several seeds; test BLEU, exact match and pronouns"
DEFAULT_SEEDS = 3
DEFAULT_STEPS = 600
PRESET = "cpu"
#: the scores each run keeps, and how the summary shows them
SCORES = {"bleu": "test BLEU", "exact_match": "exact match", "pronouns": "pronoun accuracy"}


def _scores(summary: dict) -> dict[str, float]:
    return {"bleu": summary["bleu"], "exact_match": summary["exact_match"],
            "pronouns": summary["pronouns"]["accuracy"] if "pronouns" in summary else float("nan")}


def run(seeds: list[int], steps: int, progress: bool = False, *, variants=None, test_pairs: int = DEFAULT_TEST_PAIRS,
        preset: str = PRESET, train_pairs=None, valid_pairs=None) -> tuple[dict, dict]:
    """Train every variant (default: all of :data:`VARIANTS`) with every seed; return (settings, results)."""
    keys = list(VARIANTS) if variants is None else list(variants)
    test = load_split("test")[:test_pairs]
    base = TRAIN_PRESETS[preset].replace(steps=steps, eval_every=min(DEFAULT_EVAL_EVERY, steps),
                                         eval_pairs=DEFAULT_EVAL_PAIRS)
    results = {}
    for key in keys:
        variant, runs = VARIANTS[key], []
        for seed in seeds:
            out = train(base.replace(seed=seed, model_overrides=variant.overrides), device="cpu",
                        train_pairs=train_pairs, valid_pairs=valid_pairs, progress=progress, save_optimizer=False)
            out.translator.model.eval()
            runs.append({"seed": seed, "train_seconds": round(out.train_seconds, 1),
                         "history": [{k: h[k] for k in ("step", "loss", "valid_bleu") if k in h} for h in out.history],
                         "test": _scores(evaluate(out.translator, test, "test").summary())})
        results[key] = {"label": variant.label, "what": variant.what, "overrides": [list(kv) for kv in variant.overrides],
                        "runs": runs, **{s: spread([r["test"][s] for r in runs]) for s in SCORES}}
    settings = {"preset": preset, "variants": keys, "test_pairs": len(test), "batch_size": base.batch_size,
                "lr": base.lr, "warmup": base.warmup}
    return settings, results


def check(results: dict) -> None:
    if not results:
        raise ValueError("the ablation results name no variant")
    for key, entry in results.items():
        if not entry.get("runs"):
            raise ValueError(f"variant {key!r} has no runs")
        for score in SCORES:
            check_spread(entry[score], f"{key}.{score}")
            if len(entry[score]["values"]) != len(entry["runs"]):
                raise ValueError(f"{key}.{score} sums up {len(entry[score]['values'])} values for {len(entry['runs'])} runs")
        for run_ in entry["runs"]:
            if not run_["history"] or any("loss" not in h for h in run_["history"]):
                raise ValueError(f"variant {key!r}, seed {run_['seed']}: every history entry needs a loss")


def summary(record: dict) -> list[tuple[str, str]]:
    rows = []
    for key, entry in record["results"].items():
        rows.append((f"{entry['label']}: test BLEU", show_spread(entry["bleu"])))
        rows.append((f"{entry['label']}: exact match %", show_spread(entry["exact_match"], scale=100)))
        rows.append((f"{entry['label']}: pronoun accuracy %", show_spread(entry["pronouns"], scale=100)))
    return rows
