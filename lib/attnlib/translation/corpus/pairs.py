"""Sentence pairs and the files that hold them: the corpus's constants, :class:`Pair` and the loaders.

The constants name the splits, their sizes, the phenomenon and held-out tags and the length limits;
:func:`load_split` and :func:`load_pairs` read the tab-separated files.  Nothing here knows the
grammar, so reading the corpus never builds the lexicon.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple, Sequence

from attnlib.paths import CORPUS_DIR  # where the generated corpus lives (see attnlib.paths)

__all__ = [
    "CORPUS_DIR", "CorpusFileError", "DEFAULT_SEED", "GENERALISATION_QUOTAS", "HELD_OUT_ADJECTIVE_NOUN", "HELD_OUT_TAGS",
    "MAX_GENERALISATION_LENGTH", "MAX_TRAIN_LENGTH", "PHENOMENA", "PINNED_EXAMPLES", "SPLITS", "SPLIT_SIZES",
    "HELD_OUT_NOUN_PAIRS", "Antecedent", "CorpusFormatError", "Pair", "load_pairs", "load_split", "parse_alignment",
]

DEFAULT_SEED = 0
SPLITS = ("train", "valid", "test", "generalisation")
SPLIT_SIZES = {"train": 14_000, "valid": 500, "test": 1_000, "generalisation": 600}

#: The phenomenon tags, in the order they are written.  See ``data/README.md``.
PHENOMENA = (
    "gender", "agreement", "adjective_order", "conjugation", "negation", "object_pronoun",
    "contraction", "preposition", "elision", "past_tense", "coordination", "pronoun_antecedent",
)
#: Extra tags carried only by the generalisation split: *why* a pair is held out.
HELD_OUT_TAGS = ("held_out_adjective_noun", "held_out_negated_pronoun", "held_out_length", "held_out_noun_pair")

#: Adjective–noun combinations (English lemmas) that never occur in train, valid or test,
#: neither attributively ("the white horse") nor predicatively ("the horse is white").
#: Each adjective and each noun is frequent on its own.
HELD_OUT_ADJECTIVE_NOUN = (
    ("white", "horse"), ("green", "frog"), ("grey", "mouse"), ("red", "car"), ("blue", "door"),
    ("yellow", "hat"), ("happy", "girl"), ("sad", "king"), ("empty", "bottle"),
    ("small", "dog"), ("old", "house"),
)
#: Animal–thing pairs (English lemmas) that never meet in one ``pronoun_antecedent`` sentence of train,
#: valid or test ("the cow does not want the bottle because it is …"); each noun is common on its own.
HELD_OUT_NOUN_PAIRS = (
    ("cow", "bottle"), ("dog", "street"), ("mouse", "box"), ("horse", "river"), ("cat", "glass"),
    ("hen", "bag"), ("rabbit", "chair"), ("goat", "car"),
)
#: The longest English sentence (in tokens, final "." included) in train, valid and test.
#: Every ``held_out_length`` pair of the generalisation split is longer.
MAX_TRAIN_LENGTH = 14
#: The longest sentence of the generalisation split (long enough to fail, short enough to read).
MAX_GENERALISATION_LENGTH = 24
#: How many generalisation pairs are drawn for each held-out reason.
GENERALISATION_QUOTAS = {"held_out_adjective_noun": 200, "held_out_negated_pronoun": 150, "held_out_length": 150,
                         "held_out_noun_pair": 100}

#: The book's running examples, always in the test split (first lines of test.tsv).
PINNED_EXAMPLES = ("the cat sat on the mat .", "the black cat sees the dog .",
                   "the cat does not cross the street because it is tired .",
                   "the cat does not cross the street because it is wide .")


class Antecedent(NamedTuple):
    """What a pronoun refers to, as English token indices: the pronoun, its antecedent noun, and the
    other noun it could have meant (written ``pronoun-antecedent-other``, e.g. ``8-1-5``)."""

    pronoun: int
    noun: int
    other: int

    def to_text(self) -> str:
        return f"{self.pronoun}-{self.noun}-{self.other}"

    @classmethod
    def parse(cls, text: str) -> "Antecedent | None":
        parts = text.strip().split("-")
        return cls(*map(int, parts)) if len(parts) == 3 and all(p.isdigit() for p in parts) else None

    @property
    def is_nearer(self) -> bool:
        """The antecedent is the noun closer to the pronoun (the later one), not the first."""
        return self.noun > self.other


@dataclass(frozen=True)
class Pair:
    """One sentence pair: English ``src``, French ``tgt``, gold alignment, phenomenon tags, and for
    a ``pronoun_antecedent`` sentence the gold :class:`Antecedent` of its pronoun.

    Tokens are the space-separated words of ``src`` and ``tgt``; ``alignment``
    holds ``(english_index, french_index)`` links over them.
    """

    src: str
    tgt: str
    alignment: tuple[tuple[int, int], ...] = ()
    phenomena: tuple[str, ...] = ()
    antecedent: Antecedent | None = None

    @property
    def src_tokens(self) -> list[str]:
        return self.src.split()

    @property
    def tgt_tokens(self) -> list[str]:
        return self.tgt.split()

    def to_line(self) -> str:
        """The pair as one line of the corpus files (without the newline)."""
        alignment = " ".join(f"{i}-{j}" for i, j in self.alignment)
        columns = (self.src, self.tgt, alignment, ",".join(self.phenomena))
        return "\t".join(columns + ((self.antecedent.to_text(),) if self.antecedent else ()))


class CorpusFormatError(ValueError):
    """A corpus file has malformed lines; ``problems`` lists ``(line_number, what)``, 1-based."""

    def __init__(self, path: Path | str, problems: Sequence[tuple[int, str]]):
        self.path = Path(path)
        self.problems = list(problems)
        shown = "\n".join(f"  line {n}: {what}" for n, what in self.problems[:20])
        more = f"\n  … and {len(self.problems) - 20} more" if len(self.problems) > 20 else ""
        lines = ", ".join(str(n) for n, _ in self.problems[:20])
        super().__init__(
            f"{self.path}: {len(self.problems)} malformed line(s) (lines {lines}{', …' if more else ''}); "
            f"expected 'english<TAB>french[<TAB>alignment[<TAB>phenomena[<TAB>antecedent]]]':\n{shown}{more}"
        )


_PHARAOH = re.compile(r"^\s*(\d+-\d+(\s+\d+-\d+)*)?\s*$")


def parse_alignment(text: str) -> tuple[tuple[int, int], ...] | None:
    """``"0-0 1-2"`` -> ``((0, 0), (1, 2))``; ``None`` if ``text`` is not Pharaoh format."""
    if not _PHARAOH.match(text):
        return None
    return tuple(tuple(int(x) for x in link.split("-")) for link in text.split())  # type: ignore[misc]


def _parse_line(line: str) -> tuple[Pair | None, str]:
    """A pair, or ``None`` and what is wrong with the line."""
    columns = line.split("\t")
    if len(columns) < 2:
        return None, "fewer than 2 tab-separated columns" + (" (empty line)" if not line.strip() else "")
    src, tgt = columns[0].strip(), columns[1].strip()
    if not src or not tgt:
        return None, "empty English side" if not src else "empty French side"
    alignment = parse_alignment(columns[2]) if len(columns) > 2 else ()
    if alignment is None and columns[2].strip()[:1].isdigit():  # meant as an alignment, but malformed
        return None, f"alignment column {columns[2].strip()[:40]!r} is not 'i-j' links separated by spaces"
    if alignment is None:  # e.g. the Tatoeba/Anki attribution column: not ours, ignore the rest
        return Pair(src, tgt), ""
    n_src, n_tgt = len(src.split()), len(tgt.split())
    bad = [f"{i}-{j}" for i, j in alignment if i >= n_src or j >= n_tgt]
    if bad:
        return None, f"alignment link(s) {' '.join(bad)} outside the sentences ({n_src} and {n_tgt} tokens)"
    phenomena = tuple(t.strip() for t in columns[3].split(",") if t.strip()) if len(columns) > 3 else ()
    antecedent = None
    if len(columns) > 4 and columns[4].strip():
        antecedent = Antecedent.parse(columns[4])
        if antecedent is None:
            return None, f"antecedent column {columns[4].strip()[:40]!r} is not 'pronoun-noun-other' token indices"
        if max(antecedent) >= n_src:
            return None, f"antecedent {antecedent.to_text()} outside the English sentence ({n_src} tokens)"
    return Pair(src, tgt, alignment, phenomena, antecedent), ""


def load_pairs(path: Path | str) -> list[Pair]:
    """Read sentence pairs from a tab-separated file: this corpus, or a Tatoeba/Anki ``fra.txt``.

    A third column is used as the alignment only if it is in Pharaoh format; otherwise
    it (and anything after it) is ignored.  Malformed lines are never skipped silently:
    they raise one :class:`CorpusFormatError` listing every bad line number.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise FileNotFoundError(
            f"no sentence-pair file at {path} (for the book's corpus, run `python -m attnlib.translation corpus` "
            f"to regenerate {CORPUS_DIR})"
        ) from None
    lines = raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n")  # Windows, old Mac or Unix endings
    if lines and lines[-1] == b"":  # the newline that ends the last line
        lines.pop()
    pairs, problems = [], []
    for number, data in enumerate(lines, start=1):
        try:
            line = data.decode("utf-8").rstrip("\r")
        except UnicodeDecodeError as e:
            problems.append((number, f"not valid UTF-8 (byte {e.start})"))
            continue
        if number == 1:
            line = line.removeprefix("\ufeff")
        pair, problem = _parse_line(line)
        if pair is None:
            problems.append((number, problem))
        else:
            pairs.append(pair)
    if problems:
        raise CorpusFormatError(path, problems)
    return pairs


REGENERATE = "regenerate the corpus with `python -m attnlib.translation corpus`"


class CorpusFileError(ValueError):
    """A split file that cannot be read as a whole: a directory, cut short, or without pairs."""


def load_split(name: str, corpus_dir: Path | str = CORPUS_DIR) -> list[Pair]:
    """One split of the book's corpus: ``train``, ``valid``, ``test`` or ``generalisation``.

    The book writes every line of a split with its newline, so a file that does not end with one was
    cut short (a copy or a write interrupted): it is refused, as is a split with no pairs, rather than
    read with its half line as a pair."""
    name = {"generalization": "generalisation", "validation": "valid", "dev": "valid"}.get(name, name)
    if name not in SPLITS:
        raise ValueError(f"unknown split {name!r}; the corpus has {', '.join(SPLITS)}")
    path = Path(corpus_dir) / f"{name}.tsv"
    if path.is_dir():
        raise CorpusFileError(f"{path} is a directory, not a split file: {REGENERATE}")
    pairs = load_pairs(path)
    size = path.stat().st_size
    with open(path, "rb") as f:
        f.seek(max(size - 1, 0))
        ends_with_newline = f.read(1) == b"\n"
    if size and not ends_with_newline:
        raise CorpusFileError(f"{path}, line {len(pairs)}: the file ends in the middle of this line (no newline "
                              f"after it), so it was cut short: {REGENERATE}")
    if not pairs:
        raise CorpusFileError(f"{path} holds no sentence pairs: {REGENERATE}")
    return pairs
