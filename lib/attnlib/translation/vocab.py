"""Tokens, vocabularies and padded batches: the bridge from sentence pairs to tensors.

The book's corpus is already tokenised (words and punctuation separated by
spaces), but a reader may type "The cat sat on the mat." or load an Anki file
with "J'aime le chat !", so :func:`tokenize` normalises both the same way:
lowercase, punctuation split off, French elisions (``l'``, ``j'``, ``qu'`` …)
kept as tokens of their own, exactly as the corpus writes them.

A :class:`Vocab` maps tokens to ids with four fixed special ids (``<pad>`` 0,
``<bos>`` 1, ``<eos>`` 2, ``<unk>`` 3) and is built deterministically, so the
same corpus always gives the same ids and a saved model stays readable.

:func:`make_batches` turns pairs into padded tensors::

    src     (B, S)  source ids + <eos>, padded with 0
    tgt_in  (B, T)  <bos> + target ids      (what the decoder reads)
    tgt_out (B, T)  target ids + <eos>      (what it must predict: tgt_in shifted by one)
"""

from __future__ import annotations

import random
import re
from collections import Counter
from dataclasses import dataclass, replace
from typing import Any, Iterable, Iterator, Sequence

import torch

from .corpus import Pair

__all__ = ["BOS", "BOS_ID", "ELISIONS", "EOS", "EOS_ID", "PAD", "PAD_ID", "PUNCTUATION", "SPECIALS", "UNK", "UNK_ID",
           "SENTENCE_ENDS", "WHITESPACE", "count_sentences",
           "QUOTE_MAX_CHARS", "QUOTE_MAX_WORDS", "Batch", "Vocab", "quoted_words",
           "batch_order", "build_vocabs", "decoder_input", "make_batches", "pad_rows", "sentence_text", "tokenize",
           "trim_at_eos"]

PAD, BOS, EOS, UNK = "<pad>", "<bos>", "<eos>", "<unk>"
SPECIALS = (PAD, BOS, EOS, UNK)
PAD_ID, BOS_ID, EOS_ID, UNK_ID = range(len(SPECIALS))  # every vocabulary starts with the specials

# The tokenizer's tables, public so that the page's JavaScript translator reads the same ones.
PUNCTUATION = ".,!?;:\"«»()"  # each is a token of its own
# What separates words: every character Python's str.isspace() accepts, written out, because JavaScript's
# \s is another set (it lacks \x1c-\x1f and \x85, and adds \ufeff)
WHITESPACE = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
              "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")
# French words that elide before a vowel: l'ami, j'aime, qu'il, jusqu'au … (longest first)
ELISIONS = ("jusqu'", "lorsqu'", "puisqu'", "quoiqu'", "qu'", *(f"{c}'" for c in "ldjnmtsc"))
_SPLIT_PUNCTUATION = re.compile(f"([{re.escape(PUNCTUATION)}])")
SENTENCE_ENDS = ".!?"  # a word after one of these starts another sentence
_SPLIT_WORDS = re.compile(f"[{re.escape(WHITESPACE)}]+")
_ELISION = re.compile(f"^({'|'.join(map(re.escape, ELISIONS))})(?=\\w)")


def tokenize(text: str) -> list[str]:
    """Lowercase words and punctuation: ``"J'aime le chat!"`` -> ``["j'", "aime", "le", "chat", "!"]``.

    English contractions stay whole (``doesn't``, ``isn't``), as in the corpus.
    """
    text = text.lower().replace("\u2019", "'")  # a typed curly apostrophe is the corpus's straight one
    tokens = []
    for chunk in filter(None, _SPLIT_WORDS.split(_SPLIT_PUNCTUATION.sub(r" \1 ", text))):
        while (m := _ELISION.match(chunk)) is not None:
            tokens.append(m.group(1))
            chunk = chunk[m.end():]
        tokens.append(chunk)
    return tokens


def count_sentences(tokens: Sequence[str]) -> int:
    """How many sentences ``tokens`` hold: a sentence is words up to one of ``SENTENCE_ENDS`` (or the end);
    punctuation alone after the last one (``"it runs ! !"``) starts none."""
    count, words = 0, False
    for t in tokens:
        if t in SENTENCE_ENDS:
            count += words
            words = False
        elif t not in PUNCTUATION:
            words = True
    return count + words


#: a message names at most this many words, each cut to this many characters (a pasted page stays readable)
QUOTE_MAX_WORDS, QUOTE_MAX_CHARS = 6, 24


def _shown(word: str) -> str:
    """A word as a message quotes it: cut to ``QUOTE_MAX_CHARS``, and what would not print (controls,
    invisible formatting, odd spaces) shown as \ufffd, so that ``repr`` escapes nothing but quotes and \\."""
    if len(word) > QUOTE_MAX_CHARS:
        word = word[: QUOTE_MAX_CHARS - 1] + "…"
    return "".join(c if c.isprintable() else "\ufffd" for c in word)


def quoted_words(words: Iterable[str]) -> str:
    """``['cow', 'moon', 'cow']`` -> ``"'cow', 'moon'"``: each word once, as Python writes a string
    (for messages that name the words a reader typed). A long word is cut (``'xxxxxxxx…'``), and past
    ``QUOTE_MAX_WORDS`` words the rest are counted (``… and 3 more``). The page's JavaScript does the same."""
    unique = list(dict.fromkeys(words))
    shown = [repr(_shown(w)) for w in unique[:QUOTE_MAX_WORDS]]
    rest = len(unique) - QUOTE_MAX_WORDS
    return ", ".join(shown) + (f" and {rest} more" if rest > 0 else "")


def _as_tokens(text_or_tokens: str | Sequence[str]) -> list[str]:
    return tokenize(text_or_tokens) if isinstance(text_or_tokens, str) else list(text_or_tokens)


class Vocab:
    """Token <-> id mapping with the special tokens at ids 0–3."""

    pad_id, bos_id, eos_id, unk_id = PAD_ID, BOS_ID, EOS_ID, UNK_ID

    def __init__(self, tokens: Sequence[str]):
        """``tokens`` is the whole id -> token table, specials first (use :meth:`build`)."""
        tokens = list(tokens)
        if tuple(tokens[:4]) != SPECIALS:
            raise ValueError(f"a vocabulary must start with {SPECIALS}, got {tuple(tokens[:4])}")
        if len(set(tokens)) != len(tokens):
            duplicates = sorted(t for t, n in Counter(tokens).items() if n > 1)
            raise ValueError(f"duplicate tokens in vocabulary: {duplicates[:10]}")
        self.itos: list[str] = tokens
        self.stoi: dict[str, int] = {t: i for i, t in enumerate(tokens)}

    @classmethod
    def build(cls, sentences: Iterable[str | Sequence[str]], min_freq: int = 1) -> Vocab:
        """Every token seen at least ``min_freq`` times, most frequent first, ties alphabetical."""
        counts = Counter(t for s in sentences for t in _as_tokens(s))
        kept = [t for t, n in counts.items() if n >= min_freq and t not in SPECIALS]
        kept.sort(key=lambda t: (-counts[t], t))
        return cls([*SPECIALS, *kept])

    def __len__(self) -> int:
        return len(self.itos)

    @property
    def n_words(self) -> int:
        """How many words it knows: its tokens but the four specials."""
        return len(self.itos) - len(SPECIALS)

    def __contains__(self, token: str) -> bool:
        return token in self.stoi

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Vocab) and self.itos == other.itos

    def __repr__(self) -> str:
        return f"Vocab({len(self)} tokens: {' '.join(self.itos[4:12])} …)"

    def encode(self, text_or_tokens: str | Sequence[str], add_bos: bool = False, add_eos: bool = True) -> list[int]:
        """Ids of the tokens (unknown ones become ``<unk>``), with optional ``<bos>``/``<eos>``."""
        ids = [self.stoi.get(t, self.unk_id) for t in _as_tokens(text_or_tokens)]
        return [self.bos_id] * add_bos + ids + [self.eos_id] * add_eos

    def decode(self, ids: Iterable[int] | torch.Tensor, strip_special: bool = True) -> str:
        """Tokens joined by spaces.  With ``strip_special``: stop at ``<eos>``, drop ``<pad>``/``<bos>``.

        ``<unk>`` is kept, so an unknown word stays visible in the output.
        """
        if isinstance(ids, torch.Tensor):
            ids = ids.tolist()
        words = []
        for i in ids:
            i = int(i)
            if not 0 <= i < len(self):
                raise ValueError(f"id {i} is outside this vocabulary of {len(self)} tokens")
            if strip_special and i == self.eos_id:
                break
            if strip_special and i in (self.pad_id, self.bos_id):
                continue
            words.append(self.itos[i])
        return " ".join(words)

    def unknown_words(self, text_or_tokens: str | Sequence[str]) -> list[str]:
        """The tokens this vocabulary lacks, in order of first appearance (for friendly errors)."""
        return list(dict.fromkeys(t for t in _as_tokens(text_or_tokens) if t not in self.stoi))

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form, e.g. to store in a checkpoint."""
        return {"tokens": list(self.itos)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Vocab:
        if "tokens" not in data:
            raise ValueError("not a saved Vocab: missing the 'tokens' list")
        return cls(data["tokens"])


def decoder_input(ids: Sequence[int]) -> list[int]:
    """What the decoder reads while it writes ``ids`` (teacher forcing): ``<bos>``, then every id but the last."""
    return [BOS_ID, *ids[:-1]]


def trim_at_eos(ids: Sequence[int]) -> list[int]:
    """Generated ids up to and including the first ``<eos>`` (the padding after it dropped)."""
    ids = list(ids)
    return ids[: ids.index(EOS_ID) + 1] if EOS_ID in ids else ids


def sentence_text(tokens: Iterable[str]) -> str:
    """Tokens as the sentence a reader sees: joined by spaces, without ``<eos>``."""
    return " ".join(t for t in tokens if t != EOS)


def build_vocabs(pairs: Iterable[Pair]) -> tuple[Vocab, Vocab]:
    """The English and French vocabularies of a training set, as the translator is trained with them."""
    pairs = list(pairs)
    return Vocab.build(p.src for p in pairs), Vocab.build(p.tgt for p in pairs)


@dataclass(frozen=True)
class Batch:
    """Padded id tensors for a group of pairs (padding id 0 everywhere)."""

    src: torch.Tensor  # (B, S) source ids + <eos>
    tgt_in: torch.Tensor  # (B, T) <bos> + target ids
    tgt_out: torch.Tensor  # (B, T) target ids + <eos>
    src_lengths: torch.Tensor  # (B,) real (unpadded) length of each src row
    tgt_lengths: torch.Tensor  # (B,) real length of each tgt_in / tgt_out row
    pairs: tuple[Pair, ...]

    def __len__(self) -> int:
        return len(self.pairs)

    @property
    def n_target_tokens(self) -> int:
        """Tokens the loss is computed on (padding excluded)."""
        return int(self.tgt_lengths.sum())

    def to(self, device: torch.device | str) -> Batch:
        return replace(self, **{k: getattr(self, k).to(device)
                                for k in ("src", "tgt_in", "tgt_out", "src_lengths", "tgt_lengths")})


def pad_rows(rows: Sequence[Sequence[int]]) -> torch.Tensor:
    """Id lists of different lengths -> one ``(B, L)`` tensor, padded with 0 (``<pad>``)."""
    out = torch.zeros(len(rows), max(len(r) for r in rows), dtype=torch.long)  # 0 is <pad>
    for i, row in enumerate(rows):
        out[i, :len(row)] = torch.tensor(row, dtype=torch.long)
    return out


def _check_length(ids: list[int], text: str, side: str, max_len: int | None) -> None:
    if max_len is not None and len(ids) > max_len:
        raise ValueError(
            f"{side} sentence is {len(ids)} tokens long with its special token, over max_len={max_len}: {text!r}"
        )


def _as_pair(item: Pair | tuple[str, str]) -> Pair:
    return item if isinstance(item, Pair) else Pair(item[0], item[1])


def make_batches(pairs: Sequence[Pair | tuple[str, str]], src_vocab: Vocab, tgt_vocab: Vocab, batch_size: int,
                 shuffle_seed: int | None = None, max_len: int | None = None) -> Iterator[Batch]:
    """Padded batches of ``batch_size`` pairs.

    ``shuffle_seed=None`` keeps the given order (evaluation).  With a seed, pairs are
    shuffled, then sorted by length inside pools of 50 batches ("bucketing", so little
    padding is wasted) and the batches themselves shuffled: different each epoch if
    the seed is, reproducible always.  ``max_len`` bounds the tensor length (special
    token included); a longer sentence raises ``ValueError`` naming it, before any batch.
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    items = [_as_pair(p) for p in pairs]
    encoded = []
    for pair in items:
        src = src_vocab.encode(pair.src, add_eos=True)
        tgt = tgt_vocab.encode(pair.tgt, add_bos=True, add_eos=True)
        _check_length(src, pair.src, "source", max_len)
        _check_length(tgt[:-1], pair.tgt, "target", max_len)
        encoded.append((src, tgt))
    order = batch_order([len(s) + len(t) for s, t in encoded], batch_size, shuffle_seed)
    return (_collate([items[i] for i in idx], [encoded[i] for i in idx]) for idx in order)


def batch_order(lengths: list[int], batch_size: int, seed: int | None) -> list[list[int]]:
    """Indices of items of these ``lengths``, grouped in batches as :func:`make_batches` groups them (the
    language models' batches too): in order without a seed, shuffled and bucketed by length with one."""
    indices = list(range(len(lengths)))
    if seed is None:
        return [indices[i:i + batch_size] for i in range(0, len(indices), batch_size)]
    rng = random.Random(seed)
    rng.shuffle(indices)
    pool = batch_size * 50
    batches = []
    for start in range(0, len(indices), pool):
        chunk = sorted(indices[start:start + pool], key=lambda i: lengths[i])
        batches += [chunk[i:i + batch_size] for i in range(0, len(chunk), batch_size)]
    rng.shuffle(batches)
    return batches


def _collate(pairs: list[Pair], encoded: list[tuple[list[int], list[int]]]) -> Batch:
    src = [s for s, _ in encoded]
    tgt_in = [t[:-1] for _, t in encoded]
    tgt_out = [t[1:] for _, t in encoded]
    return Batch(
        src=pad_rows(src), tgt_in=pad_rows(tgt_in), tgt_out=pad_rows(tgt_out),
        src_lengths=torch.tensor([len(s) for s in src]), tgt_lengths=torch.tensor([len(t) for t in tgt_in]),
        pairs=tuple(pairs),
    )
