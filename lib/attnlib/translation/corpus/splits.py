"""The four splits: held-out rules, drawing, writing the corpus files, statistics and the command line.

``python -m attnlib.translation corpus`` runs :func:`main`, which rewrites ``data/corpus/``.

The generalisation pairs are drawn first, from skewed styles, so that train, valid and test can
be drawn afterwards while skipping every sentence already taken or held out.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections import Counter
from pathlib import Path
from typing import Iterable, Iterator, Sequence

from attnlib.files import replacing
from .lexicon import ADJECTIVES, NOUNS, VERBS, lexicon_rows
from .pairs import (
    CORPUS_DIR, DEFAULT_SEED, GENERALISATION_QUOTAS, HELD_OUT_ADJECTIVE_NOUN, HELD_OUT_NOUN_PAIRS, HELD_OUT_TAGS,
    MAX_GENERALISATION_LENGTH, MAX_TRAIN_LENGTH, PINNED_EXAMPLES, SPLIT_SIZES, SPLITS, Pair, load_pairs,
)
from .realise import Sentence
from .sample import HELD_OUT_STYLES, Sampler, pinned_sentences

__all__ = ["corpus_statistics", "generate_corpus", "held_out_reasons", "write_corpus"]


def held_out_reasons(sentence: Sentence) -> tuple[str, ...]:
    """Why a sentence may not appear in train/valid/test (empty: it may), in the order of ``HELD_OUT_TAGS``."""
    held_out = {
        "held_out_adjective_noun": bool(sentence.adj_nouns & set(HELD_OUT_ADJECTIVE_NOUN)),
        "held_out_negated_pronoun": sentence.negated_pronoun,
        "held_out_length": sentence.length > MAX_TRAIN_LENGTH,
        "held_out_noun_pair": sentence.noun_pair in _HELD_OUT_NOUN_SETS,
    }
    return tuple(tag for tag in HELD_OUT_TAGS if held_out[tag])


_HELD_OUT_NOUN_SETS = {frozenset(p) for p in HELD_OUT_NOUN_PAIRS}


def _attempts(n: int, reason: str) -> Iterator[int]:
    """Bounded retries: a rule that rejects (almost) everything fails loudly instead of hanging."""
    limit = 200 * n + 10_000
    yield from range(limit)
    raise RuntimeError(f"drew fewer than {n} {reason} sentences in {limit} attempts: "
                       f"the grammar, the held-out rules or the length limits leave too few")


def _draw_in_distribution(rng: random.Random, seen: set[str], n: int) -> list[Pair]:
    sampler = Sampler(rng)
    pairs: list[Pair] = []
    for _ in _attempts(n, "in-distribution"):
        if len(pairs) == n:
            break
        s = sampler.sentence()
        if s.pair.src in seen or held_out_reasons(s):
            continue
        seen.add(s.pair.src)
        pairs.append(s.pair)
    return pairs


def _draw_held_out(rng: random.Random, seen: set[str], reason: str, n: int,
                   known: set[str] | None = None) -> list[Pair]:
    """``n`` pairs held out for ``reason``; with ``known``, only pairs all of whose words (:func:`_words`) it holds."""
    sampler = Sampler(rng, HELD_OUT_STYLES[reason])
    pairs: list[Pair] = []
    for _ in _attempts(n, reason):
        if len(pairs) == n:
            break
        s = sampler.sentence()
        reasons = held_out_reasons(s)
        if s.pair.src in seen or reason not in reasons or s.length > MAX_GENERALISATION_LENGTH:
            continue
        if known is not None and not set(_words(s.pair)) <= known:
            continue
        seen.add(s.pair.src)
        p = s.pair
        pairs.append(Pair(p.src, p.tgt, p.alignment, p.phenomena + reasons, p.antecedent))
    return pairs


def generate_corpus(seed: int = DEFAULT_SEED) -> dict[str, list[Pair]]:
    """All four splits, deterministically from ``seed``.

    The generalisation pairs are drawn first so that train/valid/test can never
    contain them; the running examples are pinned at the top of test.
    """
    rng = random.Random(seed)
    pinned = [s.pair for s in pinned_sentences()]
    assert tuple(p.src for p in pinned) == PINNED_EXAMPLES
    seen = {p.src for p in pinned}
    held_out = {reason: _draw_held_out(rng, seen, reason, n) for reason, n in GENERALISATION_QUOTAS.items()}
    n_main = SPLIT_SIZES["train"] + SPLIT_SIZES["valid"] + SPLIT_SIZES["test"] - len(pinned)
    main = _draw_in_distribution(rng, seen, n_main)
    rng.shuffle(main)
    n_test = SPLIT_SIZES["test"] - len(pinned)
    test = main[:n_test]
    valid = main[n_test:n_test + SPLIT_SIZES["valid"]]
    train = main[n_test + SPLIT_SIZES["valid"]:]
    _cover_vocabulary(train, [valid, test])
    generalisation = [p for reason, pairs in held_out.items() for p in _known_words_only(rng, seen, reason, pairs, train)]
    return {"train": train, "valid": valid, "test": pinned + test, "generalisation": generalisation}


def _known_words_only(rng: random.Random, seen: set[str], reason: str, pairs: list[Pair],
                      train: list[Pair]) -> list[Pair]:
    """``pairs`` with those that use a word train never shows drawn again, from train's words only.

    A held-out pair cannot move into train as :func:`_cover_vocabulary` moves a test pair, so a rare word
    (*wheels*) that train happens to lack is avoided instead: the split tests combinations, not unknown words.
    """
    known = {w for p in train for w in _words(p)}
    kept = [p for p in pairs if set(_words(p)) <= known]
    return kept + _draw_held_out(rng, seen, reason, len(pairs) - len(kept), known)


def _words(pair: Pair) -> list[str]:
    return pair.src_tokens + [f"fr:{w}" for w in pair.tgt_tokens]


def _cover_vocabulary(train: list[Pair], others: list[list[Pair]]) -> None:
    """Swap pairs so that every word of ``others`` also occurs in ``train`` (in place, deterministically).

    A pair with a word train never shows moves into train; in exchange, the last train pair whose words
    all occur in other train pairs too moves out. Evaluation then meets only unseen combinations, never
    an unknown word.
    """
    counts = Counter(w for p in train for w in set(_words(p)))
    for split in others:
        for i, pair in enumerate(split):
            if all(counts[w] for w in _words(pair)):
                continue
            j = next(j for j in range(len(train) - 1, -1, -1)
                     if all(counts[w] > 1 for w in set(_words(train[j]))))
            counts.subtract(set(_words(train[j])))
            counts.update(set(_words(pair)))
            split[i], train[j] = train[j], pair


def _write_lines(path: Path, lines: Iterable[str]) -> None:
    """Every line with its newline, in one step: an interrupted run leaves the old file, never half a new one."""
    with replacing(path) as f:
        for line in lines:
            f.write((line + "\n").encode("utf-8"))


def write_corpus(out_dir: Path | str = CORPUS_DIR, seed: int = DEFAULT_SEED) -> dict[str, Path]:
    """Generate the corpus and write ``{split}.tsv`` and ``lexicon.tsv`` into ``out_dir``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, pairs in generate_corpus(seed).items():
        paths[name] = out / f"{name}.tsv"
        _write_lines(paths[name], (p.to_line() for p in pairs))
    paths["lexicon"] = out / "lexicon.tsv"
    _write_lines(paths["lexicon"], ["pos\tenglish\tfrench\tdetails"] + ["\t".join(r) for r in lexicon_rows()])
    return paths


def corpus_statistics(splits: dict[str, list[Pair]]) -> dict:
    """Sizes, vocabulary sizes and phenomenon counts, as reported in data/README.md."""
    def vocab(pairs: list[Pair], side: str) -> int:
        return len({w for p in pairs for w in getattr(p, side).split()})

    everything = [p for pairs in splits.values() for p in pairs]
    return {
        "sizes": {name: len(pairs) for name, pairs in splits.items()},
        "vocabulary": {
            "english_train": vocab(splits.get("train", []), "src"),
            "french_train": vocab(splits.get("train", []), "tgt"),
            "english_all": vocab(everything, "src"), "french_all": vocab(everything, "tgt"),
        },
        "max_length": {name: max((len(p.src_tokens) for p in pairs), default=0) for name, pairs in splits.items()},
        "phenomena": {name: dict(sorted(Counter(t for p in pairs for t in p.phenomena).items()))
                      for name, pairs in splits.items()},
        "lexicon": {"nouns": len(NOUNS), "adjectives": len(ADJECTIVES),
                    "verbs": len({v.en for v in VERBS}) + 4},  # + go, come, be, sat
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m attnlib.translation corpus",
        description="Generate the book's English→French corpus (the four splits and lexicon.tsv) from its grammar.")
    parser.add_argument("--out", type=Path, default=CORPUS_DIR, help=f"output folder (default {CORPUS_DIR})")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    paths = write_corpus(args.out, args.seed)
    stats = corpus_statistics({name: load_pairs(paths[name]) for name in SPLITS})
    for name in SPLITS:
        print(f"{paths[name]}: {stats['sizes'][name]} pairs, longest {stats['max_length'][name]} English tokens")
    print(f"vocabulary (train): {stats['vocabulary']['english_train']} English, "
          f"{stats['vocabulary']['french_train']} French words")
    return 0


if __name__ == "__main__":
    sys.exit(main())
