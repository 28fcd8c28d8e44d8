"""The book's toy English→French parallel corpus, generated from a small grammar.

Why generate a corpus instead of downloading one?  Because every sentence then
comes with a **gold word alignment** (which English words each French word
translates) and with the list of **phenomena** it shows (article gender,
adjective order, negation, …).  With those, an attention map can be compared
with the truth, and a trained model can be scored phenomenon by phenomenon.

The grammar is deliberately small but not trivial: nouns have a gender,
adjectives mostly follow the noun and agree with it, verbs are conjugated,
``not`` becomes ``ne … pas`` around the verb, object pronouns jump before the
verb, ``à le`` contracts to ``au``.  Each of these is a pattern a Transformer
has to *learn to attend for*.

Everything is deterministic: one ``random.Random(seed)`` drives the sampling,
and nothing depends on ``dict``/``set`` iteration order or hash seeds, so
``python -m attnlib.translation corpus`` rewrites ``data/corpus/`` byte for byte.

File format (one pair a line, UTF-8, tab-separated)::

    english <TAB> french <TAB> alignment <TAB> phenomena
    the black cat sees the dog .  le chat noir voit le chien .  0-0 1-2 2-1 3-3 4-4 5-5 6-6  gender,adjective_order

The alignment is in Pharaoh format: ``i-j`` links English token ``i`` to French
token ``j`` (0-based, over the space-separated tokens).

The modules, from reading the corpus to generating it:

    pairs     the constants, :class:`Pair`, and reading the files (``load_split``, ``load_pairs``)
    lexicon   the words, read from ``lexicon_tables/*.txt``, and ``lexicon_rows`` for lexicon.tsv
    realise   a sentence spec -> English tokens, French tokens and the alignment between them
    sample    which specs to draw, and how often each construction appears
    splits    held-out rules, the four splits, writing the files, statistics, the command line
    recognise whether a sentence is in the grammar's English, and why not (``recognise_phrases``,
              ``recognise_clauses``: its noun phrases and clauses), read from the same tables and rules

Only ``pairs`` is imported here, so reading the corpus (the vocabularies, training, the figures)
never parses the lexicon; ``splits`` and ``lexicon`` are imported by what generates or lists the words.
"""

from .pairs import (
    CORPUS_DIR, DEFAULT_SEED, GENERALISATION_QUOTAS, HELD_OUT_ADJECTIVE_NOUN, HELD_OUT_TAGS, MAX_GENERALISATION_LENGTH,
    HELD_OUT_NOUN_PAIRS, MAX_TRAIN_LENGTH, PHENOMENA, PINNED_EXAMPLES, SPLIT_SIZES, SPLITS, Antecedent, CorpusFileError,
    CorpusFormatError, Pair, load_pairs, load_split, parse_alignment,
)

__all__ = [
    "CORPUS_DIR", "DEFAULT_SEED", "GENERALISATION_QUOTAS", "HELD_OUT_ADJECTIVE_NOUN", "HELD_OUT_TAGS",
    "MAX_GENERALISATION_LENGTH", "MAX_TRAIN_LENGTH", "PHENOMENA", "PINNED_EXAMPLES", "SPLITS", "SPLIT_SIZES",
    "HELD_OUT_NOUN_PAIRS", "Antecedent", "CorpusFileError", "CorpusFormatError", "Pair", "load_pairs", "load_split",
    "parse_alignment",
]
