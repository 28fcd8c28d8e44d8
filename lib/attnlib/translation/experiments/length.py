"""Longer than training: the translator learns from short sentences only, then translates longer ones,
once with each positional encoding.

A sentence's length is its number of English tokens, the final full stop included (:mod:`.buckets`).
Every run trains on the training split's sentences of at most ``TRAIN_LENGTH`` tokens and is scored on
length buckets: the test split's sentences of the trained lengths (the reference), then the test and
validation splits' longer sentences, up to twice as long. The validation split's short sentences
serve for validation during training; its long ones are never seen, so they add test sentences where
the test split alone has few. A long sentence is kept only if the short training sentences hold every
one of its English and French words: a word the model never met would fail it whatever its length.

The five encodings (:data:`ENCODINGS`) use their kind in the encoder and the decoder alike, except
``none``: an encoder without positions reads a bag of words ("Inside the translator" measures how badly
it fails), so ``none`` keeps the encoder's sinusoids and takes positions from the decoder only, which
can still tell them from its causal mask (Kazemnejad et al. 2023).

Each bucket is translated three ways (:data:`MODES`): greedily, the model deciding when to stop; forced
to the reference's length, ``<eos>`` forbidden before it and forced at it, which takes the decision to
stop away from the model (Newman et al. 2020); and forced so, with the full stop held back until the
last word as well, since in this corpus, where every sentence ends with one, a model can end a sentence
with its full stop and then merely fill the room it is given. The record keeps, per encoding, bucket and
decoding, BLEU, exact match and the length of the outputs against the references', each over seeds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from attnlib.translation.corpus import Pair, load_split
from attnlib.translation.evaluate import bleu
from attnlib.translation.train import TRAIN_PRESETS, train
from attnlib.translation.translator import Translator
from .buckets import by_length, label, length
from .record import check_spread, show_spread, spread

WHAT = ("train on sentences of at most 7 words with each positional encoding; translate longer ones, "
        "greedily and forced to the reference's length")
DEFAULT_SEEDS = 3
DEFAULT_STEPS = 1000
PRESET = "cpu"
#: the longest English sentence the translator trains on (tokens, final full stop included): N
TRAIN_LENGTH = 7
#: the longer lengths it is tested on, N + 1 to 2N: the longest are merged, to hold enough sentences
LONG_BUCKETS = ((8, 8), (9, 9), (10, 10), (11, 11), (12, 14))
#: validation pairs translated once, at the end of training
EVAL_PAIRS = 200
#: how many sentences of the longest bucket each run keeps the translations of, to show
EXAMPLES = 2

#: encoding -> the model settings it changes, and what it is, in words
ENCODINGS = {
    "sinusoidal": ((("positional", "sinusoidal"),), "fixed sines and cosines added to the embeddings"),
    "learned": ((("positional", "learned"),), "one trained vector per position added to the embeddings"),
    "rotary": ((("positional", "rotary"),), "queries and keys rotated by their position"),
    "alibi": ((("positional", "alibi"),), "a penalty growing with distance added to the self-attention scores"),
    "none": ((("positional", "sinusoidal"), ("decoder_positional", "none")),
             "sinusoids in the encoder, no positional encoding in the decoder"),
}
#: decoding -> the tokens held back until the reference's length (None: greedy, the model stops itself)
MODES = {"greedy": None, "forced": (), "forced_full_stop": (".",)}
#: each bucket's scores, and what the summary and the chapter call them
SCORES = {"bleu": "BLEU", "exact_match": "exact match", "length_ratio": "output length / reference length"}


@dataclass(frozen=True)
class LengthSplit:
    """What one run trains on and is scored on: the short training and validation sentences, and the test
    sentences by bucket (the trained lengths first), with how many were left out for an unknown word."""

    train: list[Pair]
    valid: list[Pair]
    buckets: dict[str, list[Pair]]
    dropped: dict[str, int]
    ranges: dict[str, tuple[int, int]]


def check_lengths(train_length: int, long_buckets: Sequence[tuple[int, int]]) -> None:
    """ValueError unless every long bucket is longer than ``train_length``."""
    if isinstance(train_length, bool) or not isinstance(train_length, int) or train_length < 1:
        raise ValueError(f"train_length must be a whole number of tokens, at least 1; got {train_length!r}")
    if not long_buckets:
        raise ValueError("give at least one bucket of lengths longer than the training sentences")
    short = [label(lo, hi) for lo, hi in long_buckets if lo <= train_length]
    if short:
        raise ValueError(f"bucket(s) {', '.join(short)} hold lengths the model trains on (at most {train_length} "
                         f"tokens): every long bucket must start at {train_length + 1} or later")


def length_split(train_length: int = TRAIN_LENGTH, long_buckets: Sequence[tuple[int, int]] = LONG_BUCKETS, *,
                 train_limit: int | None = None, bucket_limit: int | None = None) -> LengthSplit:
    """The sentences of the experiment (:class:`LengthSplit`), or ValueError naming an empty bucket.

    ``train_limit`` keeps the first training sentences only and ``bucket_limit`` the first sentences of each
    bucket (for a quick run); the words a test sentence may use are those of the training sentences kept.
    """
    check_lengths(train_length, long_buckets)
    train_pairs = [p for p in load_split("train") if length(p) <= train_length][:train_limit]
    valid = [p for p in load_split("valid") if length(p) <= train_length]
    if not train_pairs or not valid:
        raise ValueError(f"the corpus has no sentence of at most {train_length} tokens to train on")
    english = {w for p in train_pairs for w in p.src_tokens}
    french = {w for p in train_pairs for w in p.tgt_tokens}
    ranges = {label(1, train_length): (1, train_length), **{label(lo, hi): (lo, hi) for lo, hi in long_buckets}}
    trained = label(1, train_length)
    test = load_split("test")
    held_out = test + [p for p in load_split("valid") if length(p) > train_length]  # never trained on
    grouped = {**by_length(test, [ranges[trained]]), **by_length(held_out, list(long_buckets))}
    buckets, dropped = {}, {}
    for name, pairs in grouped.items():
        known = [p for p in pairs if set(p.src_tokens) <= english and set(p.tgt_tokens) <= french]
        buckets[name], dropped[name] = known[:bucket_limit], len(pairs) - len(known)
        if not known:
            raise ValueError(f"length bucket {name} holds no sentence whose words all occur in the "
                             f"{len(train_pairs)} training sentences: train on more, or choose other buckets")
    return LengthSplit(train_pairs, valid, buckets, dropped, ranges)


def _scores(translator: Translator, pairs: list[Pair]) -> tuple[dict, dict]:
    """The scores of one bucket in every decoding of :data:`MODES`, and the translations: both by mode."""
    sources, references = [p.src for p in pairs], [p.tgt for p in pairs]
    ref_lengths = [len(p.tgt_tokens) for p in pairs]
    scores, hypotheses = {}, {}
    for mode, held in MODES.items():
        hyps = translator.translate_batch(sources, lengths=None if held is None else ref_lengths,
                                          last_only=held or ())
        hypotheses[mode] = hyps
        scores[mode] = {"bleu": round(bleu(hyps, references), 2),
                        "exact_match": round(sum(h == r for h, r in zip(hyps, references)) / len(pairs), 4),
                        "length_ratio": round(sum(len(h.split()) for h in hyps) / sum(ref_lengths), 4)}
    return scores, hypotheses


def run_one(encoding: str, seed: int, steps: int, split: LengthSplit, preset: str = PRESET,
            progress: bool = False) -> dict:
    """Train one encoding with one seed on the short sentences; score every bucket in every decoding."""
    cfg = TRAIN_PRESETS[preset].replace(steps=steps, eval_every=steps, eval_pairs=EVAL_PAIRS, seed=seed,
                                        model_overrides=ENCODINGS[encoding][0])
    out = train(cfg, device="cpu", train_pairs=split.train, valid_pairs=split.valid, progress=progress,
                save_optimizer=False)
    translator = out.translator
    translator.model.eval()
    scores = {mode: {} for mode in MODES}
    examples = []
    for name, pairs in split.buckets.items():
        bucket, hypotheses = _scores(translator, pairs)
        for mode in MODES:
            scores[mode][name] = bucket[mode]
        if name == list(split.buckets)[-1]:
            examples = [{"source": p.src, "reference": p.tgt, **{mode: hypotheses[mode][i] for mode in MODES}}
                        for i, p in enumerate(pairs[:EXAMPLES])]
    last = out.history[-1]
    return {"seed": seed, "train_seconds": round(out.train_seconds, 1), "loss": round(last["loss"], 4),
            "valid_bleu": last.get("valid_bleu"), "scores": scores, "examples": examples}


def run(seeds: list[int], steps: int, progress: bool = False, *, encodings: Sequence[str] | None = None,
        preset: str = PRESET, train_length: int = TRAIN_LENGTH,
        long_buckets: Sequence[tuple[int, int]] = LONG_BUCKETS, train_limit: int | None = None,
        bucket_limit: int | None = None) -> tuple[dict, dict]:
    """Train every encoding (default: all of :data:`ENCODINGS`) with every seed; return (settings, results)."""
    names = list(ENCODINGS) if encodings is None else list(encodings)
    unknown = [n for n in names if n not in ENCODINGS]
    if unknown or not names:
        raise ValueError(f"unknown encoding(s) {unknown}: choose among {', '.join(ENCODINGS)}")
    if preset not in TRAIN_PRESETS:
        raise ValueError(f"unknown preset {preset!r}: choose one of {', '.join(TRAIN_PRESETS)}")
    split = length_split(train_length, long_buckets, train_limit=train_limit, bucket_limit=bucket_limit)
    results = {}
    for name in names:
        runs = [run_one(name, seed, steps, split, preset, progress) for seed in seeds]
        overrides, what = ENCODINGS[name]
        results[name] = {"what": what, "overrides": [list(kv) for kv in overrides], "runs": runs,
                         **{mode: {bucket: {score: spread([r["scores"][mode][bucket][score] for r in runs])
                                            for score in SCORES}
                                   for bucket in split.buckets}
                            for mode in MODES}}
    base = TRAIN_PRESETS[preset]
    settings = {
        "preset": preset, "train_length": train_length,
        "length": "English tokens, the final full stop included",
        "trained_bucket": label(1, train_length),
        "buckets": [{"label": name, "lo": lo, "hi": hi, "sentences": len(split.buckets[name]),
                     "dropped_unknown_words": split.dropped[name]} for name, (lo, hi) in split.ranges.items()],
        "train_pairs": len(split.train), "valid_pairs": min(EVAL_PAIRS, len(split.valid)),
        "batch_size": base.batch_size, "lr": base.lr, "warmup": base.warmup, "encodings": names,
    }
    return settings, results


def check(results: dict) -> None:
    if not results:
        raise ValueError("the length results name no encoding")
    unknown = [name for name in results if name not in ENCODINGS]
    if unknown:
        raise ValueError(f"unknown encoding(s) {unknown}: the length experiment knows {', '.join(ENCODINGS)}")
    labels = None
    for name, entry in results.items():
        if not entry.get("runs"):
            raise ValueError(f"encoding {name!r} has no runs")
        for mode in MODES:
            buckets = entry.get(mode)
            if not buckets:
                raise ValueError(f"encoding {name!r} has no {mode} scores")
            labels = list(buckets) if labels is None else labels
            if list(buckets) != labels:
                raise ValueError(f"{name}.{mode} scores the buckets {list(buckets)}, the others {labels}")
            for bucket, scores in buckets.items():
                for score in SCORES:
                    where = f"{name}.{mode}.{bucket}.{score}"
                    check_spread(scores[score], where)
                    if len(scores[score]["values"]) != len(entry["runs"]):
                        raise ValueError(f"{where} sums up {len(scores[score]['values'])} values "
                                         f"for {len(entry['runs'])} runs")
                    top = {"bleu": 100.0, "exact_match": 1.0}.get(score, float("inf"))
                    if not 0.0 <= scores[score]["min"] <= scores[score]["max"] <= top:
                        raise ValueError(f"{where} is outside 0–{top}")
    if len(labels) < 2:
        raise ValueError("the length results need the trained lengths and at least one longer bucket")


def summary(record: dict) -> list[tuple[str, str]]:
    """One row per encoding: BLEU at the trained lengths, then at the longest bucket in each decoding."""
    rows = []
    for name, entry in record["results"].items():
        trained, longest = list(entry["greedy"])[0], list(entry["greedy"])[-1]
        rows.append((f"{name}: BLEU {trained} | {longest} greedy | forced | forced, full stop held",
                     " | ".join(show_spread(entry[mode][bucket]["bleu"])
                                for mode, bucket in (("greedy", trained), *((m, longest) for m in MODES)))))
    return rows
