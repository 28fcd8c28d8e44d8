"""Does a cross-attention head follow the gold word alignment? Per head, and per phenomenon.

For every French token j of a pair, a head *hits* when its largest weight, while the decoder
writes token j, falls on an English token that the gold alignment links to j. Tokens without a
gold link (the final ``<eos>``, for one) are not counted. :func:`head_hits` records hits for every
pair and head in one pass, so the same numbers give the accuracy of each head
(:meth:`HeadHits.accuracy`, equal to :func:`attnlib.translation.evaluate.head_alignment`) and its accuracy on
the pairs that show one phenomenon (:meth:`HeadHits.by_phenomenon`).

Shape letters: N pairs, L decoder layers, H heads, B batch, T target length, S source length.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from typing import Iterable, Iterator, Sequence

import torch

from attnlib.model.capture import capture_attention, cross_attention_layers
from .corpus import Pair
from .translator import Translator


def gold_matrix(alignment: Iterable[tuple[int, int]], n_target: int, n_source: int) -> torch.Tensor:
    """``(T, S)`` booleans: True where English token i is a gold translation of French token j."""
    gold = torch.zeros(n_target, n_source, dtype=torch.bool)
    for i, j in alignment:
        if not (0 <= i < n_source and 0 <= j < n_target):
            raise ValueError(f"alignment link {i}-{j} is outside a {n_target} × {n_source} map "
                             f"(French tokens × English tokens)")
        gold[j, i] = True
    return gold


def alignment_accuracy(weights, alignment: Iterable[tuple[int, int]]) -> float:
    """One map ``(T, S)`` (French rows × English columns): the share of gold-aligned French tokens
    whose strongest weight falls on one of their gold English tokens."""
    weights = torch.as_tensor(weights, dtype=torch.float32)
    if weights.dim() != 2:
        raise ValueError(f"weights must be one map (French tokens, English tokens), got shape {tuple(weights.shape)}")
    gold = gold_matrix(alignment, *weights.shape)  # (T, S)
    aligned = gold.any(-1)  # (T,): French tokens with at least one gold link
    if not aligned.any():
        raise ValueError("the alignment links no French token: nothing to score")
    best = weights.argmax(-1)  # (T,): the English token each French token looks at most
    hits = gold[torch.arange(len(best)), best] & aligned  # (T,)
    return int(hits.sum()) / int(aligned.sum())


@dataclass
class HeadHits:
    layers: list[str]  # cross-attention layer names, first to last
    hits: torch.Tensor  # (N, L, H): gold-aligned French tokens whose argmax is a gold English token
    counted: torch.Tensor  # (N,): gold-aligned French tokens of each pair
    phenomena: list[tuple[str, ...]]  # each pair's phenomenon tags

    @property
    def n_heads(self) -> int:
        return self.hits.shape[-1]

    def accuracy(self, rows: Sequence[int] | None = None) -> torch.Tensor:
        """``(L, H)`` alignment accuracy of every head, over all pairs or the given ones."""
        hits, counted = (self.hits, self.counted) if rows is None else (self.hits[list(rows)], self.counted[list(rows)])
        return hits.sum(0).float() / max(int(counted.sum()), 1)

    def as_dict(self) -> dict[str, float]:
        """``{"decoder.layers.0.cross_attn#0": accuracy, …}``, the keys of :func:`attnlib.translation.evaluate.head_alignment`."""
        acc = self.accuracy()
        return {f"{name}#{h}": float(acc[li, h]) for li, name in enumerate(self.layers) for h in range(self.n_heads)}

    def best_head(self) -> tuple[int, int, float]:
        """(layer, head, accuracy) of the best head, 0-based."""
        acc = self.accuracy()
        flat = int(acc.argmax())
        layer, head = divmod(flat, self.n_heads)
        return layer, head, float(acc[layer, head])

    def by_phenomenon(self, layer: int, head: int) -> dict[str, float]:
        """Accuracy of one head on the pairs carrying each phenomenon tag (tags in corpus order)."""
        if not (0 <= layer < len(self.layers) and 0 <= head < self.n_heads):
            raise ValueError(f"there are {len(self.layers)} layers of {self.n_heads} heads; "
                             f"layer {layer}, head {head} (0-based) is not one of them")
        rows = defaultdict(list)
        for n, tags in enumerate(self.phenomena):
            for tag in tags:
                rows[tag].append(n)
        from .corpus import PHENOMENA

        order = [t for t in PHENOMENA if t in rows] + sorted(t for t in rows if t not in PHENOMENA)
        return {tag: float(self.accuracy(rows[tag])[layer, head]) for tag in order}

    def counts(self) -> dict[str, int]:
        """How many pairs carry each tag."""
        out: dict[str, int] = defaultdict(int)
        for tags in self.phenomena:
            for tag in tags:
                out[tag] += 1
        return dict(out)


@torch.no_grad()
def teacher_forced_cross_attention(translator: Translator, pairs: Sequence[Pair], batch_size: int = 64
                                   ) -> Iterator[tuple[list[Pair], torch.Tensor, torch.Tensor, torch.Tensor]]:
    """Teacher-force ``pairs`` (gold French) in batches and yield each batch's ``(pairs, src (B, S),
    tgt_in (B, T), weights (B, L, H, T, S))``: every cross-attention layer's weights, on the CPU.

    Row ``t`` of a map is the decoder step that reads ``tgt_in[t]`` (``<bos>``, then French token ``t - 1``)
    and writes French token ``t`` (``<eos>`` after the last); column ``s`` is English token ``s``, then
    the English ``<eos>`` and the padding."""
    if not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a whole number of at least 1, got {batch_size!r}")
    model = translator.model
    layers = cross_attention_layers(model)
    for start in range(0, len(pairs), batch_size):
        chunk = list(pairs[start : start + batch_size])
        src, tgt_in = translator.teacher_forced(chunk)  # (B, S), (B, T): gold French, <eos> written
        with capture_attention(model, layers) as patterns:
            model(src, tgt_in)
        weights = torch.stack([patterns[n] for n in layers], dim=1).float().cpu()  # (B, L, H, T, S)
        yield chunk, src.cpu(), tgt_in.cpu(), weights


@torch.no_grad()
def head_hits(translator: Translator, pairs: Sequence[Pair], batch_size: int = 64) -> HeadHits:
    """Teacher-force every pair (gold French) and record, per pair and cross-attention head, the hits."""
    pairs = [p for p in pairs if p.alignment]
    if not pairs:
        raise ValueError("none of the pairs has a gold alignment")
    layers = cross_attention_layers(translator.model)
    all_hits, counted = [], []
    for chunk, src, tgt_in, weights in teacher_forced_cross_attention(translator, pairs, batch_size):
        best = weights.argmax(-1)  # (B, L, H, T)
        for b, pair in enumerate(chunk):
            gold = gold_matrix(pair.alignment, tgt_in.shape[1], src.shape[1])  # (T, S), padded size
            aligned = gold.any(-1)  # (T,)
            hit = gold.gather(1, best[b].flatten(0, 1).T).T.reshape(best.shape[1:])  # (L, H, T)
            all_hits.append((hit & aligned).sum(-1))  # (L, H)
            counted.append(int(aligned.sum()))
    return HeadHits(layers, torch.stack(all_hits), torch.tensor(counted), [p.phenomena for p in pairs])


def baseline_accuracy(pairs: Sequence[Pair], rule: str) -> float:
    """What a head with no learning would score, over the same French tokens as :func:`head_hits`.

    ``rule="diagonal"``: French token j looks at English token j (the last English word if the
    French is longer): right whenever the two languages keep the same order.
    ``rule="uniform"``: spread evenly over the English tokens (``<eos>`` included), so the expected
    hit rate of a random pick.
    """
    if rule not in ("diagonal", "uniform"):
        raise ValueError(f"rule must be 'diagonal' or 'uniform', got {rule!r}")
    hits, counted = 0.0, 0
    for pair in pairs:
        if not pair.alignment:
            continue
        n_source = len(pair.src_tokens) + 1  # + <eos>, as the model reads it
        gold = gold_matrix(pair.alignment, len(pair.tgt_tokens), n_source)  # (T, S)
        for j in range(gold.shape[0]):
            if not gold[j].any():
                continue
            counted += 1
            if rule == "diagonal":
                hits += bool(gold[j, min(j, n_source - 2)])
            else:
                hits += float(gold[j].sum()) / n_source
    return hits / max(counted, 1)


def sample_pairs(pairs: Sequence[Pair], n: int, seed: int = 0) -> list[Pair]:
    """``n`` pairs drawn without replacement with a fixed seed (all of them if there are fewer)."""
    pairs = list(pairs)
    if n >= len(pairs):
        return pairs
    return random.Random(seed).sample(pairs, n)



# Sentences whose cross-attention a training run records at every evaluation (chapter 11 replays them).
SNAPSHOT_SENTENCES = ("the black cat sees the dog .", "she does not see the tables .")


@torch.no_grad()
def attention_snapshots(translator: Translator, sentences: Iterable[str]) -> dict[str, dict]:
    """Each sentence's greedy translation and the last decoder layer's cross-attention, averaged over heads
    and rounded to 3 decimals (``(T, S)`` lists): small enough to store at every evaluation of a run.

    Sentences with a word the vocabulary lacks (a small training set) are left out."""
    out = {}
    for sentence in sentences:
        try:
            t = translator.translate(sentence)
        except ValueError:
            continue
        last = list(t.cross_attention)[-1]
        out[sentence] = {"source": t.source, "target": t.target,
                         "weights": [[round(x, 3) for x in row] for row in t.cross_attention[last].mean(0).tolist()]}
    return out
