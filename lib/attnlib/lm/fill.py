"""Filling a gap with the masked model (the book's BERT): the likeliest words for one ``<mask>``.

    bert = TrainedLM.load(kind="masked")
    top_fills(bert, "the black <mask> sees the dog .")   # [('cat', 0.41), ('dog', 0.12), ...]
    tokens, position, weights = mask_attention(bert, "the black <mask> sees the dog .")   # weights (L, H, T)

    python -m attnlib.lm fill "the black <mask> sees the dog ."      # five lines: word<TAB>probability

The probabilities are the model's softmax at the masked position over the words alone: the special
tokens (``<pad>``, ``<bos>``, ``<eos>``, ``<unk>``, ``<mask>``) get probability 0 and are never proposed.
Ties go to the lower id (the more frequent word in training).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import torch

from attnlib.model.capture import attention_layers, capture_attention
from attnlib.translation.checkpoint import CheckpointError
from .scores import log_probs_at
from .trained import TrainedLM

__all__ = ["mask_attention", "top_fills", "main"]


def top_fills(lm: TrainedLM, text: str, k: int = 5) -> list[tuple[str, float]]:
    """The ``k`` likeliest words for the one ``<mask>`` of ``text``, with their probabilities, best first."""
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise ValueError(f"k is how many words to propose, a whole number from 1, got {k!r}")
    ids, position = lm.sentence_ids(text)  # (1, T): exactly one <mask>, or a ValueError that says what is wrong
    where = torch.tensor([position], device=ids.device)
    row = log_probs_at(lm.model, ids, where, lm.specials)[0].exp()  # (V,) float64, the specials at 0
    order = row.sort(descending=True, stable=True).indices[: min(k, lm.n_words)]  # ties: the lower id first
    return [(lm.vocab.itos[i], float(row[i])) for i in order.tolist()]


@torch.no_grad()
def mask_attention(lm: TrainedLM, text: str) -> tuple[list[str], int, torch.Tensor]:
    """Where the one ``<mask>`` of ``text`` looks: the tokens read (``<bos>`` … ``<eos>``), the ``<mask>``'s
    position among them, and its row of every layer's and head's self-attention, ``(L, H, T)``."""
    ids, position = lm.sentence_ids(text)  # (1, T)
    names = list(attention_layers(lm.model))
    was_training = lm.model.training
    lm.model.eval()
    try:
        with capture_attention(lm.model, names) as patterns:
            lm.model(ids)
    finally:
        lm.model.train(was_training)
    weights = torch.cat([patterns[name] for name in names])[:, :, position].cpu()  # L × (1, H, T, T) -> (L, H, T)
    return [lm.vocab.itos[i] for i in ids[0].tolist()], position, weights


def main(argv: list[str] | None = None) -> int:
    """``python -m attnlib.lm fill "the black <mask> sees the dog ."``: the five likeliest words, one a line."""
    parser = argparse.ArgumentParser(prog="python -m attnlib.lm fill",
                                     description="The likeliest words for the one <mask> of an English sentence.")
    parser.add_argument("text", nargs="*", help="the sentence, with one <mask> (quote it: the shell reads < and >)")
    parser.add_argument("--top", type=int, default=5, help="how many words to print (default 5)")
    parser.add_argument("--checkpoint", type=Path, default=None, help="the masked model (default data/lm-masked.pt)")
    args = parser.parse_args(argv)
    if args.top < 1:
        parser.error(f"--top must be a whole number from 1, got {args.top}")
    try:
        lm = TrainedLM.load(args.checkpoint, kind="masked")
        fills = top_fills(lm, " ".join(args.text), k=args.top)
    except (CheckpointError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    for word, p in fills:
        print(f"{word}\t{p:.4f}")
    if lm.unfinished:
        print(f"note: {lm.unfinished}", file=sys.stderr)
    return 0
