"""Cross-attention read as a word alignment, two ways, and scored with the AER (:mod:`.aer`).

With teacher forcing, decoder step ``t`` reads ``<bos>`` (``t = 0``) or French token ``t - 1`` and writes
French token ``t`` (``<eos>`` after the last). French token ``j`` can be read off two rows of a map:

``naive``
    row ``j``, the step that *writes* token ``j``: where the model looks while it chooses the word;
``shifted``
    row ``j + 1``, the step that *reads* token ``j`` (Shift-Att, Chen et al. 2020): where the model looks
    once the word is known, while it chooses the next one.

Either way, the hard alignment links French token ``j`` to the English token its row weighs most, over the
English tokens only: the English ``<eos>`` and the padding are left out of the argmax, so every French
token gets exactly one English token. The final full stop is a token like any other on both sides (the
gold aligns it). The decoder's own tokens are never scored: under the naive reading the last row (it
writes ``<eos>``) is unused, under the shifted one the first (it reads ``<bos>``).

Shape letters: B batch, L decoder layers, H heads (H + 1 with the mean of the heads last), T target rows,
S source columns, N French tokens of one pair.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import torch

from attnlib.model.capture import cross_attention_layers
from .aer import AerCounts, Link
from .alignment import teacher_forced_cross_attention
from .corpus import Pair
from .corpus.possible import possible_links
from .translator import Translator

READINGS = ("naive", "shifted")


def _first_row(reading: str) -> int:
    if reading not in READINGS:
        raise ValueError(f"reading must be one of {', '.join(READINGS)}, got {reading!r}")
    return READINGS.index(reading)  # naive: row j; shifted: row j + 1


def hard_alignment(weights, n_source: int, n_target: int, reading: str) -> set[Link]:
    """One teacher-forced map ``(T, S)`` -> links ``(english, french)``: French token ``j`` to the English
    token (of the first ``n_source`` columns) that row ``j`` (naive) or ``j + 1`` (shifted) weighs most."""
    first = _first_row(reading)
    weights = torch.as_tensor(weights, dtype=torch.float32)
    if weights.dim() != 2:
        raise ValueError(f"weights must be one map (decoder steps, English tokens), got shape {tuple(weights.shape)}")
    rows, cols = weights.shape
    if n_source < 1 or n_target < 1 or n_source > cols or n_target + first > rows:
        raise ValueError(f"a {rows} × {cols} map cannot hold {n_target} French tokens read {reading} "
                         f"({n_target + first} rows needed) over {n_source} English tokens")
    best = weights[first : first + n_target, :n_source].argmax(-1)  # (N,)
    return {(int(i), j) for j, i in enumerate(best.tolist())}


@dataclass
class AttentionAer:
    """AER counts of every cross-attention head, and of each layer's mean of heads, for both readings."""

    layers: list[str]  # cross-attention layer names, first to last
    n_heads: int
    hypothesis: int  # |A|, the same for every map: one link per French token
    sure: int  # |S|
    hits: dict[str, torch.Tensor]  # reading -> (2, L, H + 1): |A ∩ S| and |A ∩ P|; the mean of heads last

    def counts(self, reading: str, layer: int, head: int | None = None) -> AerCounts:
        """The counts of one head (0-based), or of ``layer``'s mean of heads (``head=None``)."""
        _first_row(reading)
        column = self.n_heads if head is None else head
        if not (0 <= layer < len(self.layers) and 0 <= column <= self.n_heads):
            raise ValueError(f"there are {len(self.layers)} layers of {self.n_heads} heads; "
                             f"layer {layer}, head {head} (0-based) is not one of them")
        sure, possible = (int(x) for x in self.hits[reading][:, layer, column])
        return AerCounts(self.hypothesis, self.sure, sure, possible)

    def heads(self, reading: str) -> list[list[float]]:
        """``[layer][head]`` AER of every head."""
        return [[self.counts(reading, li, h).aer for h in range(self.n_heads)] for li in range(len(self.layers))]

    def mean_of_heads(self, reading: str) -> list[float]:
        """``[layer]`` AER of the alignment read off each layer's weights averaged over its heads."""
        return [self.counts(reading, li).aer for li in range(len(self.layers))]


@torch.no_grad()
def attention_aer(translator: Translator, pairs: Sequence[Pair], batch_size: int = 64) -> AttentionAer:
    """Teacher-force ``pairs`` and count, for both readings, every head's and every layer mean's AER."""
    pairs = [p for p in pairs if p.alignment]
    if not pairs:
        raise ValueError("none of the pairs has a gold alignment: the AER needs one")
    hits = None
    hypothesis = sure = 0
    for chunk, src, tgt_in, weights in teacher_forced_cross_attention(translator, pairs, batch_size):
        maps = torch.cat([weights, weights.mean(2, keepdim=True)], dim=2)  # (B, L, H + 1, T, S)
        if hits is None:
            hits = {r: torch.zeros(2, *maps.shape[1:3], dtype=torch.long) for r in READINGS}  # (2, L, H + 1)
        for b, pair in enumerate(chunk):
            n_src, n_tgt = len(pair.src_tokens), len(pair.tgt_tokens)
            gold = torch.zeros(2, n_tgt, n_src, dtype=torch.bool)  # (2, N, S): sure, then possible
            for k, links in enumerate((pair.alignment, possible_links(pair))):
                for i, j in links:
                    gold[k, j, i] = True
            for reading in READINGS:
                first = _first_row(reading)
                best = maps[b, :, :, first : first + n_tgt, :n_src].argmax(-1)  # (L, H + 1, N)
                picked = gold[:, torch.arange(n_tgt), best]  # (2, L, H + 1, N)
                hits[reading] += picked.sum(-1)
            hypothesis += n_tgt
            sure += len(set(pair.alignment))
    layers = cross_attention_layers(translator.model)
    return AttentionAer(layers, weights.shape[2], hypothesis, sure, hits)
