"""Scoring a translator: sacreBLEU, chrF (of a corpus or of one sentence), exact match, per-phenomenon
accuracy, alignment accuracy, and the pronouns: how often *it* becomes *il* or *elle* as its antecedent
requires.

    python -m attnlib.translation evaluate [--checkpoint data/translator.pt] [--split test]

*Alignment accuracy* asks how often a cross-attention head's strongest weight,
while the decoder produces French word j, points at an English word that the
gold alignment links to j.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path


from .alignment import head_hits
from .antecedents import PronounScores, pronoun_scores
from .checkpoint import CheckpointError
from .corpus import Pair, load_split
from .translator import DEFAULT_CHECKPOINT, Translator


@dataclass
class Scores:
    """BLEU, chrF, exact match, per-phenomenon, per-head alignment and pronoun scores of one split."""

    split: str
    n: int
    bleu: float
    chrf: float
    exact_match: float  # fraction of sentences translated exactly
    per_phenomenon: dict[str, float] = field(default_factory=dict)  # tag -> exact-match rate
    alignment: dict[str, float] = field(default_factory=dict)  # "layer#head" -> accuracy
    hypotheses: list[str] = field(default_factory=list)
    pronouns: PronounScores | None = None  # None: the split has no revealing pronoun_antecedent pair

    @property
    def best_head(self) -> tuple[str, float]:
        return max(self.alignment.items(), key=lambda kv: kv[1]) if self.alignment else ("", float("nan"))

    def summary(self) -> dict:
        """The headline numbers, rounded, as a checkpoint or an ablation record stores them."""
        head, acc = self.best_head
        out = {"n": self.n, "bleu": round(self.bleu, 2), "chrf": round(self.chrf, 2),
               "exact_match": round(self.exact_match, 4), "best_head": head, "alignment": round(acc, 4)}
        if self.pronouns is not None:
            out["pronouns"] = self.pronouns.to_dict()
        return out

    def line(self) -> str:
        head, acc = self.best_head
        return (f"{self.split}: BLEU {self.bleu:.2f}  chrF {self.chrf:.2f}  exact {100 * self.exact_match:.1f}%  "
                f"alignment {100 * acc:.1f}% (best head {head})  on {self.n} pairs"
                + (f"\n  {self.pronouns.line()}" if self.pronouns is not None else ""))


def bleu(hypotheses: list[str], references: list[str]) -> float:
    """Corpus sacreBLEU (the corpus is already tokenised, so sacreBLEU's warning about that is silenced)."""
    import sacrebleu

    return float(sacrebleu.corpus_bleu(hypotheses, [references], force=True).score)


def text_scores(hypotheses: list[str], references: list[str]) -> tuple[float, float]:
    """(sacreBLEU, chrF) of a corpus of translations."""
    import sacrebleu

    return bleu(hypotheses, references), float(sacrebleu.corpus_chrf(hypotheses, [references]).score)


def sentence_chrf(hypothesis: str, reference: str) -> float:
    """chrF of one translation against its reference, 0 to 100 (100: the same characters, in the same words)."""
    import sacrebleu

    return float(sacrebleu.sentence_chrf(hypothesis, [reference]).score)


def per_phenomenon(pairs: list[Pair], hypotheses: list[str]) -> dict[str, float]:
    right, total = defaultdict(int), defaultdict(int)
    for pair, hyp in zip(pairs, hypotheses):
        for tag in pair.phenomena:
            total[tag] += 1
            right[tag] += hyp == pair.tgt
    return {tag: right[tag] / total[tag] for tag in sorted(total)}


def head_alignment(translator: Translator, pairs: list[Pair], batch_size: int = 64) -> dict[str, float]:
    """For every cross-attention head: how often its argmax source word is gold-aligned (teacher forcing).

    ``{"decoder.layers.0.cross_attn#0": accuracy, …}``; empty when no pair has a gold alignment.
    """
    aligned = [p for p in pairs if p.alignment]
    return head_hits(translator, aligned, batch_size).as_dict() if aligned else {}


def evaluate(translator: Translator, pairs: list[Pair], split: str = "test", alignment: bool = True) -> Scores:
    if not pairs:
        raise ValueError(f"the {split} split holds no pairs: there is nothing to score")
    hypotheses = translator.translate_batch([p.src for p in pairs])
    references = [p.tgt for p in pairs]
    bleu, chrf = text_scores(hypotheses, references)
    exact = sum(h == r for h, r in zip(hypotheses, references)) / max(len(pairs), 1)
    return Scores(split, len(pairs), bleu, chrf, exact, per_phenomenon(pairs, hypotheses),
                  head_alignment(translator, pairs) if alignment else {}, hypotheses,
                  pronoun_scores(pairs, hypotheses))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Score a trained translator on one split of the corpus.")
    parser.add_argument("--checkpoint", type=Path, default=DEFAULT_CHECKPOINT)
    parser.add_argument("--split", default="test", choices=["train", "valid", "test", "generalisation"])
    args = parser.parse_args(argv)
    try:  # a missing, damaged or unreadable checkpoint or split: one line that says which and why
        translator = Translator.load(args.checkpoint)
        pairs = load_split(args.split)
    except (CheckpointError, ValueError, OSError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    if translator.unfinished:
        print(f"note: {translator.unfinished}", file=sys.stderr)
    print(evaluate(translator, pairs, args.split).line())
    return 0


if __name__ == "__main__":
    sys.exit(main())
