"""A trained recurrent baseline against the Transformer: the same corpus, batches, optimizer, steps and seeds.

For every seed the experiment trains two models with the translator's training loop and settings
(:data:`~attnlib.translation.train.TRAIN_PRESETS`): the book's Transformer and a GRU encoder-decoder with
additive attention (:class:`attnlib.model.recurrent.RNNEncoderDecoder`), each at its config's preset of the
same name, which gives the two about as many parameters. On the test split it scores

* BLEU and exact match, over all sentences and per source length (:mod:`.buckets`);
* the pronouns: how often *it* becomes *il* or *elle* as its antecedent requires
  (:func:`~attnlib.translation.antecedents.pronoun_scores`), per distance in tokens from the antecedent
  forward to the pronoun (2 for the nearer noun, *the street because it*; 5 to 9 for the first noun);
* how often the attention's strongest weight falls on a gold-aligned English word (the GRU's one attention,
  the Transformer's best cross-attention head);

Every run's history keeps, every ``eval_every`` steps, the loss, the validation BLEU and the pronoun accuracy
on the validation split's pronoun sentences (:func:`pronoun_curve`); and the experiment keeps, from each
model's first seed, the translation and attention map of the running examples
(:data:`PROBES`).

Then, once, it times the two models taking turns (:mod:`.timing`): one training step at 1 and at 2 CPU
threads, the greedy translation of a batch of test sentences, and both again on a GPU when there is one.
"""

from __future__ import annotations

import copy
import os
from typing import Sequence

import torch

from attnlib.measure import Timing, describe_hardware, paired_ratio
from attnlib.translation.alignment import attention_snapshots
from attnlib.translation.antecedents import pronoun_scores, reveals_choice
from attnlib.translation.corpus import PINNED_EXAMPLES, Pair, load_split
from attnlib.translation.evaluate import bleu, evaluate
from attnlib.translation.train import TRAIN_PRESETS, train
from attnlib.translation.translator import Translator
from .buckets import by_length, label
from .record import check_spread, show_spread, spread
from .timing import time_training, time_translation

WHAT = "a GRU with additive attention against the Transformer, same budget and seeds: scores by length, pronouns, time per step"
DEFAULT_SEEDS = 3
DEFAULT_STEPS = 1500  # the Transformer passes BLEU 90 by step 600; the pronouns take longer
PRESET = "cpu"
#: architecture -> what the summary and the chapter call it
MODELS = {"gru": "GRU", "transformer": "Transformer"}
#: the scores each run keeps over the whole test split
SCORES = {"bleu": "test BLEU", "exact_match": "exact match", "pronouns": "pronoun accuracy",
          "alignment": "attention on a gold-aligned word"}
LENGTHS = ((3, 6), (7, 9), (10, 14))  # English tokens, the full stop included: the test split's 3 to 14
DISTANCES = ((2, 2), (5, 6), (7, 9))  # tokens from the antecedent to the pronoun: the nearer noun, then the first
THREADS = (1, 2)
#: sentences whose translation and attention map the first seed's models keep: the running examples
PROBES = PINNED_EXAMPLES[1:]
EVAL_EVERY, EVAL_PAIRS = 100, 200
#: how the timings are taken: steps per timed call, rounds, untimed rounds first, sentences translated at once
TIMING = {"steps_per_call": 4, "repeats": 7, "warmup": 1, "sentences": 128, "translate_repeats": 5}


def antecedent_distance(pair: Pair) -> int:
    """Tokens from the antecedent noun forward to the pronoun: 2 in *… the street because it is wide*."""
    return pair.antecedent.pronoun - pair.antecedent.noun


def by_distance(pairs: Sequence[Pair], ranges: Sequence[tuple[int, int]]) -> dict[str, list[Pair]]:
    """The pronoun pairs whose *il* or *elle* reveals the choice, by :func:`antecedent_distance` in each inclusive range."""
    scored = [p for p in pairs if p.antecedent is not None and reveals_choice(p)]
    return {label(lo, hi): [p for p in scored if lo <= antecedent_distance(p) <= hi] for lo, hi in ranges}


def score(translator: Translator, test: list[Pair]) -> dict:
    """One trained model's test scores: overall (:data:`SCORES`), per length and per antecedent distance."""
    scores = evaluate(translator, test, "test")
    hypothesis = {id(p): h for p, h in zip(test, scores.hypotheses)}
    lengths = {}
    for name, group in by_length(test, LENGTHS).items():
        if group:
            hyps = [hypothesis[id(p)] for p in group]
            lengths[name] = {"n": len(group), "bleu": round(bleu(hyps, [p.tgt for p in group]), 2),
                             "exact_match": round(sum(h == p.tgt for h, p in zip(hyps, group)) / len(group), 4)}
    distances = {}
    for name, group in by_distance(test, DISTANCES).items():
        if group:
            pronouns = pronoun_scores(group, [hypothesis[id(p)] for p in group])
            distances[name] = {"n": pronouns.n, "accuracy": round(pronouns.accuracy, 4)}
    head, alignment = scores.best_head
    return {"test": {"bleu": round(scores.bleu, 2), "exact_match": round(scores.exact_match, 4),
                     "pronouns": round(scores.pronouns.accuracy, 4), "alignment": round(alignment, 4)},
            "best_head": head, "lengths": lengths, "distances": distances}


def pronoun_curve(pairs: Sequence[Pair]):
    """``on_eval`` for :func:`~attnlib.translation.train.train`: at every evaluation, the share of the revealing
    pronoun pairs among ``pairs`` whose *il*/*elle* is right joins the record as ``valid_pronouns``."""
    revealing = [p for p in pairs if p.antecedent is not None and reveals_choice(p)]

    def on_eval(history: list[dict], translator: Translator) -> None:
        if revealing:
            hypotheses = translator.translate_batch([p.src for p in revealing])
            history[-1]["valid_pronouns"] = round(pronoun_scores(revealing, hypotheses).accuracy, 4)
    return on_eval


def _check_arguments(seeds, steps, preset, test, timing) -> None:
    if not seeds or any(not isinstance(s, int) or s < 0 for s in seeds):
        raise ValueError(f"seeds must be a list of whole numbers from 0, got {seeds!r}")
    if not isinstance(steps, int) or steps < 1:
        raise ValueError(f"steps must be a whole number of at least 1, got {steps!r}")
    if preset not in TRAIN_PRESETS:
        raise ValueError(f"unknown preset {preset!r}; choose one of {', '.join(TRAIN_PRESETS)}")
    if not any(p.antecedent is not None and reveals_choice(p) for p in test):
        raise ValueError(f"the {len(test)} test pairs hold no pronoun sentence whose il/elle shows the antecedent: "
                         f"give more test pairs")
    unknown = set(timing) - set(TIMING)
    if unknown:
        raise ValueError(f"unknown timing setting(s) {sorted(unknown)}; known: {sorted(TIMING)}")
    bad = {k: v for k, v in timing.items() if not isinstance(v, int) or v < (0 if k == "warmup" else 1)}
    if bad:
        raise ValueError(f"timing settings must be whole numbers of at least 1 (warmup: 0), got {bad}")


def run(seeds: list[int], steps: int, progress: bool = False, *, preset: str = PRESET, test_pairs: int | None = None,
        train_pairs: list[Pair] | None = None, valid_pairs: list[Pair] | None = None,
        timing: dict | None = None) -> tuple[dict, dict]:
    """Train both models with every seed, score them, time them; return (settings, results).

    ``test_pairs`` keeps the first that many test pairs (default: all); ``timing`` overrides :data:`TIMING`.
    Everything is checked before any training."""
    timing = {**TIMING, **(timing or {})}
    test = load_split("test")
    if test_pairs is not None:
        if not isinstance(test_pairs, int) or test_pairs < 1:
            raise ValueError(f"test_pairs must be a whole number of at least 1, got {test_pairs!r}")
        test = test[:test_pairs]
    _check_arguments(seeds, steps, preset, test, timing)
    train_pairs = load_split("train") if train_pairs is None else train_pairs
    valid_pairs = load_split("valid") if valid_pairs is None else valid_pairs
    base = TRAIN_PRESETS[preset].replace(steps=steps, eval_every=min(EVAL_EVERY, steps), eval_pairs=EVAL_PAIRS)
    configs = {arch: base.replace(architecture=arch) for arch in MODELS}
    results, first = {}, {}
    for arch, cfg in configs.items():
        runs = []
        for seed in seeds:
            out = train(cfg.replace(seed=seed), device="cpu", train_pairs=train_pairs, valid_pairs=valid_pairs,
                        progress=progress, save_optimizer=False, on_eval=pronoun_curve(valid_pairs))
            out.translator.model.eval()
            first.setdefault(arch, out.translator)
            runs.append({"seed": seed, "train_seconds": round(out.train_seconds, 1),
                         "history": [{k: h[k] for k in ("step", "loss", "valid_bleu", "valid_pronouns") if k in h}
                                     for h in out.history],
                         **score(out.translator, test)})
        model = first[arch].model
        results[arch] = {"label": MODELS[arch], "parameters": model.num_parameters(), "config": model.cfg.to_dict(),
                         "runs": runs, **_spreads(runs),
                         # the GRU's one attention; the Transformer's last cross-attention layer, mean over heads
                         "probes": attention_snapshots(first[arch], PROBES)}
    settings = {"preset": preset, "test_pairs": len(test), "batch_size": base.batch_size, "lr": base.lr,
                "warmup": base.warmup, "label_smoothing": base.label_smoothing, "clip": base.clip,
                "eval_every": base.eval_every, "eval_pairs": base.eval_pairs,
                "length_buckets": [list(r) for r in LENGTHS], "distance_buckets": [list(r) for r in DISTANCES]}
    timed = _timings(configs, first, train_pairs, test, timing)
    return settings, {"models": results, "timing": timed}


def _spreads(runs: list[dict]) -> dict:
    """Every score of :func:`score` summed up over the seeds' runs."""
    lengths = {b: {"n": entry["n"], **{s: spread([r["lengths"][b][s] for r in runs]) for s in ("bleu", "exact_match")}}
               for b, entry in runs[0]["lengths"].items()}
    distances = {b: {"n": entry["n"], "accuracy": spread([r["distances"][b]["accuracy"] for r in runs])}
                 for b, entry in runs[0]["distances"].items()}
    return {**{s: spread([r["test"][s] for r in runs]) for s in SCORES}, "lengths": lengths, "distances": distances}


def _compare(timings: dict[tuple, Timing], threads, per: int) -> dict:
    """Seconds of each model (median, per step or per batch) and the paired ratio GRU/Transformer."""
    gru, transformer = timings["gru", threads], timings["transformer", threads]
    return {"gru_s": round(gru.median / per, 5), "transformer_s": round(transformer.median / per, 5),
            "ratio": round(paired_ratio(gru, transformer), 3)}


def _timings(configs: dict, translators: dict[str, Translator], train_pairs: list[Pair], test: list[Pair],
             timing: dict) -> dict:
    load_before = os.getloadavg()[0]  # how busy the machine was: other programs' work slows every timing
    texts = [p.src for p in test[: timing["sentences"]]]
    k = timing["steps_per_call"]
    steps = time_training(configs, train_pairs, threads=THREADS, steps_per_call=k, repeats=timing["repeats"],
                          warmup=timing["warmup"])
    batches = time_translation(translators, texts, threads=THREADS, repeats=timing["translate_repeats"],
                               warmup=timing["warmup"])
    out = {**timing, "hardware": describe_hardware("cpu").rsplit(", ", 1)[0],  # without torch's thread count
           "batch_size": configs["gru"].batch_size, "sentences": len(texts),
           "train_step": {str(n): _compare(steps, n, k) for n in THREADS},
           "translate": {str(n): _compare(batches, n, 1) for n in THREADS},
           # how much faster each model trains on 2 threads than on 1: the same batches, moments apart
           "second_thread": {arch: round(paired_ratio(steps[arch, 1], steps[arch, 2]), 3) for arch in MODELS},
           "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)],  # 1-minute, before and after
           "cuda": None}
    if torch.cuda.is_available():
        on_gpu = {a: Translator(copy.deepcopy(t.model).to("cuda"), t.src_vocab, t.tgt_vocab, t.meta)
                  for a, t in translators.items()}
        gpu_steps = time_training(configs, train_pairs, threads=(None,), steps_per_call=k, repeats=timing["repeats"],
                                  warmup=timing["warmup"], device="cuda")
        gpu_batches = time_translation(on_gpu, texts, threads=(None,), repeats=timing["translate_repeats"],
                                       warmup=timing["warmup"], device="cuda")
        out["cuda"] = {"hardware": describe_hardware("cuda"), "train_step": _compare(gpu_steps, None, k),
                       "translate": _compare(gpu_batches, None, 1)}
    return out


def _check_comparison(entry: dict, what: str) -> None:
    if not isinstance(entry, dict) or not all(isinstance(entry.get(k), (int, float)) and entry[k] > 0
                                              for k in ("gru_s", "transformer_s", "ratio")):
        raise ValueError(f"{what} must hold positive gru_s, transformer_s and ratio")


def check(results: dict) -> None:
    models = results["models"]
    if set(models) != set(MODELS):
        raise ValueError(f"the rnn results must hold the models {sorted(MODELS)}, got {sorted(models)}")
    for arch, entry in models.items():
        runs = entry.get("runs")
        if not runs:
            raise ValueError(f"model {arch!r} has no runs")
        if not isinstance(entry.get("parameters"), int) or entry["parameters"] < 1:
            raise ValueError(f"model {arch!r} must give its number of parameters")
        for s in SCORES:
            check_spread(entry[s], f"{arch}.{s}")
            if len(entry[s]["values"]) != len(runs):
                raise ValueError(f"{arch}.{s} sums up {len(entry[s]['values'])} values for {len(runs)} runs")
        for group, scores in (("lengths", ("bleu", "exact_match")), ("distances", ("accuracy",))):
            if not entry.get(group):
                raise ValueError(f"model {arch!r} has no scores by {group[:-1]}")
            for bucket, b in entry[group].items():
                if not isinstance(b.get("n"), int) or b["n"] < 1:
                    raise ValueError(f"{arch}.{group}[{bucket!r}] must count its sentences")
                for s in scores:
                    check_spread(b[s], f"{arch}.{group}[{bucket!r}].{s}")
        if not isinstance(entry.get("probes"), dict):
            raise ValueError(f"model {arch!r} must keep its probes' attention (a dict, empty if none was known)")
        if any(not r.get("history") or any("loss" not in h for h in r["history"]) for r in runs):
            raise ValueError(f"model {arch!r}: every run needs a history of losses")
    if list(models["gru"]["lengths"]) != list(models["transformer"]["lengths"]):
        raise ValueError("the two models were scored on different length buckets")
    t = results["timing"]
    for kind in ("train_step", "translate"):
        for n in THREADS:
            _check_comparison(t[kind].get(str(n)), f"timing.{kind}[{n}]")
        if t["cuda"] is not None:
            _check_comparison(t["cuda"][kind], f"timing.cuda.{kind}")
    if not all(t["second_thread"].get(a, 0) > 0 for a in MODELS):
        raise ValueError("timing.second_thread must hold a positive speed-up for each model")


def summary(record: dict) -> list[tuple[str, str]]:
    models, t = record["results"]["models"], record["results"]["timing"]
    rows = []
    for entry in models.values():
        name = entry["label"]
        rows += [(f"{name}: parameters", f"{entry['parameters']:,}"),
                 (f"{name}: test BLEU", show_spread(entry["bleu"])),
                 (f"{name}: exact match %", show_spread(entry["exact_match"], scale=100)),
                 (f"{name}: pronoun accuracy %", show_spread(entry["pronouns"], scale=100))]
        rows += [(f"{name}: BLEU, {b} tokens", show_spread(s["bleu"])) for b, s in entry["lengths"].items()]
        rows += [(f"{name}: pronouns, antecedent {b} tokens back %", show_spread(s["accuracy"], scale=100))
                 for b, s in entry["distances"].items()]
    for n in THREADS:
        step = t["train_step"][str(n)]
        threads = f"{n} thread{'s' * (n > 1)}"
        rows += [(f"GRU: s per training step, {threads}", f"{step['gru_s']:.3f}"),
                 (f"Transformer: s per training step, {threads}", f"{step['transformer_s']:.3f}"),
                 (f"GRU/Transformer time per step, {threads}", f"{step['ratio']:.2f}"),
                 (f"GRU/Transformer time to translate {t['sentences']} sentences, {threads}",
                  f"{t['translate'][str(n)]['ratio']:.2f}")]
    if t["cuda"] is None:
        rows.append(("GRU/Transformer time per step, GPU", "not measured: no GPU"))
    else:
        rows += [("GRU/Transformer time per step, GPU", f"{t['cuda']['train_step']['ratio']:.2f}"),
                 (f"GRU/Transformer time to translate {t['sentences']} sentences, GPU",
                  f"{t['cuda']['translate']['ratio']:.2f}")]
    return rows
