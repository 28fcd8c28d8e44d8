"""Scoring the shipped language models against the trigram baseline, one line per model.

    python -m attnlib.lm evaluate [--split test] [--kind causal|masked|both] [--seed 0]

    causal: perplexity 8.80 on test (1,000 sentences, 9,381 tokens); trigram 15.40
    masked: perplexity 9.95 (pseudo-perplexity of 1,000 masked words of test, one per sentence); trigram 22.29;
            top-1 42.5% (trigram 39.4%), top-5 61.7% (trigram 59.9%)

(the shipped models' scores; the masked line is one line, folded here).

The trigram is :mod:`attnlib.lm.ngram`'s (Witten–Bell), fitted on the train split's English. The causal
model's perplexity follows that module's convention (every word and the ``<eos>`` predicted; ``exp`` of the
mean loss per token over the split). The masked model's "perplexity" is a **pseudo-perplexity**: in each
sentence one word (``--seed`` draws which, the same for both models) is hidden, and it is ``exp`` of the
mean negative log-likelihood of the hidden words; the trigram is scored on the same words with
:func:`~attnlib.lm.ngram.top_k_fill`, and top-1 / top-5 say how often the true word is the likeliest, or
among the five likeliest (:mod:`attnlib.lm.scores`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from attnlib.paths import LM_CHECKPOINTS
from attnlib.translation.checkpoint import CheckpointError
from attnlib.translation.corpus import SPLITS
from .data import KINDS, english
from .ngram import NgramModel, fit, perplexity as ngram_perplexity
from .scores import FillScores, fill_cases, fill_scores, ngram_fill_scores, perplexity
from .trained import CHECKPOINT_KINDS, TrainedLM

__all__ = ["causal_line", "main", "masked_line"]


def causal_line(lm: TrainedLM, ngram: NgramModel, sentences: list[str], split: str) -> str:
    """The causal model's line: its perplexity, then the trigram's, on ``sentences``."""
    tokens = sum(len(s.split()) + 1 for s in sentences)  # each word and the <eos>
    return (f"causal: perplexity {perplexity(lm.model, lm.vocab, sentences):.2f} on {split} "
            f"({len(sentences):,} sentences, {tokens:,} tokens); trigram {ngram_perplexity(ngram, sentences):.2f}")


def masked_line(lm: TrainedLM, ngram: NgramModel, sentences: list[str], split: str, seed: int = 0) -> str:
    """The masked model's line: its pseudo-perplexity and top-1/top-5 accuracy at hidden words, each
    with the trigram's on the same words."""
    cases = fill_cases(sentences, seed)
    mine, theirs = fill_scores(lm.model, lm.vocab, cases), ngram_fill_scores(ngram, cases)
    return (f"masked: perplexity {mine.pseudo_perplexity:.2f} (pseudo-perplexity of {mine.n:,} masked words of "
            f"{split}, one per sentence); trigram {theirs.pseudo_perplexity:.2f}; "
            f"top-1 {_share(mine, 1)} (trigram {_share(theirs, 1)}), top-5 {_share(mine, 5)} (trigram {_share(theirs, 5)})")


def _share(scores: FillScores, k: int) -> str:
    return f"{100 * scores.accuracy[k]:.1f}%"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m attnlib.lm evaluate",
                                     description="Score the language models and the trigram baseline on a split.")
    parser.add_argument("--split", default="test", choices=SPLITS)
    parser.add_argument("--kind", default="both", choices=(*KINDS, "both"))
    parser.add_argument("--causal", type=Path, default=LM_CHECKPOINTS["causal"], help="the causal model's checkpoint")
    parser.add_argument("--masked", type=Path, default=LM_CHECKPOINTS["masked"], help="the masked model's checkpoint")
    parser.add_argument("--seed", type=int, default=0, help="which word of each sentence the masked scores hide")
    args = parser.parse_args(argv)
    if args.seed < 0:
        parser.error(f"--seed must be a whole number from 0, got {args.seed}")
    kinds = KINDS if args.kind == "both" else (args.kind,)
    try:  # both checkpoints are read before the trigram is fitted: a missing one is said at once
        models = {kind: TrainedLM.load(getattr(args, kind), kind=kind, device="cpu") for kind in kinds}
    except CheckpointError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    sentences = english(args.split)
    ngram = fit(english("train"))
    for kind, lm in models.items():
        if kind == "causal":
            print(causal_line(lm, ngram, sentences, args.split), flush=True)
        else:
            print(masked_line(lm, ngram, sentences, args.split, args.seed), flush=True)
        if lm.unfinished:
            print(f"note: {kind}: {lm.unfinished}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
