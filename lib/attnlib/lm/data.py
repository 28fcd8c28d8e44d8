"""The language models' data: the corpus's English, one vocabulary, and the batches of each family.

    sentences = english("train")                       # the English side of a split, as the files write it
    vocab = build_vocab(sentences, masked=True)        # <pad> <bos> <eos> <unk> <mask>, then the words
    inp, tgt = causal_batch(sentences[:64], vocab)     # (B, T) each: tgt is inp shifted by one
    inp, tgt = masked_batch(sentences[:64], vocab, masking_generator(seed=0, step=0))

A sentence is its whitespace tokens, as :mod:`attnlib.lm.ngram` splits it, so that both families and the
n-gram baseline score the same tokens. Every row reads ``<bos> w1 … wn <eos>``, padded with ``<pad>`` (id 0).

* **causal**: the model reads ``<bos> w1 … wn`` and predicts ``w1 … wn <eos>``, each token from the ones
  before it (the target is ``<pad>``, and costs nothing, after the ``<eos>``);
* **masked**: BERT's recipe. Each word position is chosen with probability 15 % (``<pad>``, ``<bos>``,
  ``<eos>``, ``<unk>`` and ``<mask>`` never are; a batch where none was chosen gets one); of the chosen,
  80 % read ``<mask>``, 10 % a random word, 10 % stay as they are, and the model must give back the word
  that was there. The target is that word at the chosen positions and ``<pad>`` (no loss) everywhere
  else. Which positions, and what they read, comes from a ``torch.Generator`` seeded from (seed, step):
  the same step of the same run masks the same way, resumed or not.

Shape letters: B sentences, T tokens of the longest one with its ``<bos>`` and ``<eos>`` (one fewer for causal).
"""

from __future__ import annotations

import math
from typing import Sequence

import torch

from attnlib.translation.corpus import load_split
from attnlib.translation.loop import Epochs
from attnlib.translation.vocab import SPECIALS, Vocab, batch_order, pad_rows

__all__ = ["KINDS", "MASK", "MASK_RATE", "MASK_SHARES", "SentenceBatches", "build_vocab", "causal_batch",
           "encode", "english", "first_word_id", "masked_batch", "masking_generator"]

KINDS = ("causal", "masked")
MASK = "<mask>"  # what a masked position reads, in the masked model's vocabulary only
MASK_RATE = 0.15  # the share of word positions chosen
MASK_SHARES = (0.8, 0.1, 0.1)  # of the chosen: <mask>, a random word, unchanged


def english(split: str) -> list[str]:
    """The English sentences of a corpus split, tokens separated by single spaces."""
    return [pair.src for pair in load_split(split)]


def build_vocab(sentences: Sequence[str], masked: bool) -> Vocab:
    """The words of ``sentences``, most frequent first, after the four specials and (``masked``) ``<mask>``."""
    words = Vocab.build(s.split() for s in sentences).itos[len(SPECIALS):]
    return Vocab([*SPECIALS, *([MASK] if masked else []), *words])


def first_word_id(vocab: Vocab) -> int:
    """The first id that is a word: every id below it is a special token (with ``<mask>`` when there is one)."""
    return len(SPECIALS) + (MASK in vocab)


def encode(sentences: Sequence[str], vocab: Vocab) -> torch.Tensor:
    """``<bos> w1 … wn <eos>`` per sentence, padded: ``(B, T)`` ids. An unknown word is ``<unk>``."""
    return pad_rows([vocab.encode(s.split(), add_bos=True, add_eos=True) for s in sentences])  # (B, T)


def causal_batch(sentences: Sequence[str], vocab: Vocab) -> tuple[torch.Tensor, torch.Tensor]:
    """What a causal model reads and what it must predict: ``(B, T-1)`` each, the second shifted by one."""
    rows = encode(sentences, vocab)  # (B, T)
    return rows[:, :-1], rows[:, 1:]  # (B, T-1), (B, T-1)


def masking_generator(seed: int, step: int) -> torch.Generator:
    """The random numbers of step ``step``'s masking, from the run's seed alone."""
    return torch.Generator().manual_seed(seed * 2**32 + step)  # seed and step each below 2**32


def masked_batch(sentences: Sequence[str], vocab: Vocab, generator: torch.Generator
                 ) -> tuple[torch.Tensor, torch.Tensor]:
    """BERT's masking of ``sentences``: what the model reads ``(B, T)``, and the words it must give back
    ``(B, T)`` (``<pad>`` where nothing was chosen)."""
    if MASK not in vocab:
        raise ValueError(f"a masked batch needs a vocabulary with {MASK}: build it with build_vocab(..., masked=True)")
    rows = encode(sentences, vocab)  # (B, T)
    first = first_word_id(vocab)
    words = rows >= first  # (B, T): the positions that may be chosen
    chosen = (torch.rand(rows.shape, generator=generator) < MASK_RATE) & words  # (B, T)
    if not bool(chosen.any()) and bool(words.any()):  # a loss needs one position at least
        candidates = words.flatten().nonzero()[:, 0]  # (N,)
        pick = candidates[torch.randint(len(candidates), (1,), generator=generator)]
        chosen.view(-1)[pick] = True
    action = torch.rand(rows.shape, generator=generator)  # (B, T): which of the three each chosen one gets
    random_words = torch.randint(first, max(len(vocab), first + 1), rows.shape, generator=generator)  # (B, T)
    masked_share, random_share, _ = MASK_SHARES
    inp = rows.clone()
    inp[chosen & (action < masked_share)] = vocab.stoi[MASK]
    swap = chosen & (action >= masked_share) & (action < masked_share + random_share)
    inp[swap] = random_words[swap]
    target = torch.where(chosen, rows, torch.full_like(rows, vocab.pad_id))  # (B, T)
    return inp, target


class SentenceBatches(Epochs):
    """The sentences of batch number ``step``: epochs shuffled by (seed, epoch), bucketed by length as the
    translator's batches are (:func:`~attnlib.translation.vocab.batch_order`)."""

    def __init__(self, sentences: Sequence[str], batch_size: int, seed: int):
        super().__init__(math.ceil(len(sentences) / batch_size))
        self.sentences, self.batch_size, self.seed = list(sentences), batch_size, seed
        self.lengths = [len(s.split()) for s in self.sentences]

    def epoch(self, epoch: int) -> list[list[str]]:
        order = batch_order(self.lengths, self.batch_size, self.seed * 1000 + epoch)
        return [[self.sentences[i] for i in batch] for batch in order]
