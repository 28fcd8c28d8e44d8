"""Turning a trained encoder-decoder into translations: greedy search and beam search.

Both decode one token at a time. With ``use_cache=True`` the decoder keeps the keys
and values of the prefix (:class:`attnlib.model.multihead.KVCache`) and computes only the
newest position each step, instead of re-running the whole prefix. The recurrent encoder-decoder
(:class:`attnlib.model.recurrent.RNNEncoderDecoder`) has the same interface and carries its hidden
state in the same place, so both searches decode either model.

Shape letters: B batch, K beams, S source length, T target length so far, V vocabulary.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterator

import torch

from attnlib.model.recurrent import RNNEncoderDecoder
from attnlib.model.transformer import Transformer
from .vocab import BOS_ID, EOS_ID, PAD_ID


#: what greedy and beam search decode: ``encode``, ``decode``, ``decode_step``, ``new_caches`` and ``cfg.max_len``
EncoderDecoder = Transformer | RNNEncoderDecoder


def max_target_length(model: EncoderDecoder, limit: int | None = None) -> int:
    """Room left in the positional table for generated tokens (the <bos> takes one position)."""
    room = model.cfg.max_len - 1
    return room if limit is None else max(1, min(limit, room))


@torch.no_grad()
def greedy_decode(model: EncoderDecoder, src: torch.Tensor, max_new_tokens: int | None = None, use_cache: bool = True,
                  stop_at_eos: bool = True, on_step: Callable[[torch.Tensor], None] | None = None) -> torch.Tensor:
    """Most likely next token, step by step: ``src (B, S)`` -> generated ids ``(B, T)`` (no <bos>; pad after <eos>).

    At most ``max_new_tokens`` (and never more than the positional table holds). With ``stop_at_eos=False``
    every row gets exactly that many tokens, <eos> or not (for timing). ``on_step(logits)`` sees each
    step's next-token logits ``(B, V)`` before the choice, with the step's attention still in any
    :func:`attnlib.capture_attention` around the call.
    """
    steps = max_target_length(model, max_new_tokens)
    memory, src_mask = model.encode(src)  # (B, S, D), (B, 1, 1, S)
    ys = torch.full((src.shape[0], 1), BOS_ID, dtype=torch.long, device=src.device)  # (B, 1)
    caches = model.new_caches() if use_cache else None
    finished = torch.zeros(src.shape[0], dtype=torch.bool, device=src.device)
    for _ in range(steps):
        if use_cache:
            logits = model.decode_step(ys[:, -1:], memory, src_mask, caches)[:, -1]  # (B, V): newest token only
        else:
            logits = model.decode(ys, memory, src_mask)[:, -1]  # (B, V): whole prefix again
        if on_step is not None:
            on_step(logits)
        nxt = logits.argmax(-1)  # (B,)
        if stop_at_eos:
            nxt = nxt.masked_fill(finished, PAD_ID)
            finished |= nxt == EOS_ID
        ys = torch.cat([ys, nxt[:, None]], dim=1)  # (B, T + 1)
        if stop_at_eos and finished.all():
            break
    return ys[:, 1:]


@dataclass(frozen=True)
class Hypothesis:
    ids: tuple[int, ...]  # generated ids, <eos> included if reached
    log_prob: float

    def score(self, length_penalty: float) -> float:
        """Length-normalised log-probability, so that short outputs are not favoured unfairly."""
        return self.log_prob / (max(len(self.ids), 1) ** length_penalty)


def _check_beam_size(beam_size: int) -> None:
    if isinstance(beam_size, bool) or not isinstance(beam_size, int) or beam_size < 1:
        raise ValueError(f"beam_size must be a whole number of at least 1, got {beam_size!r}")


@torch.no_grad()
def beam_steps(model: EncoderDecoder, src: torch.Tensor, beam_size: int = 4, max_new_tokens: int | None = None,
               use_cache: bool = True) -> Iterator[tuple[list[Hypothesis], list[Hypothesis]]]:
    """The search of :func:`beam_search`, one step at a time: after each step, the ``beam_size`` best
    unfinished prefixes (best first) and every output finished so far (a list that grows as it goes).

    The length penalty plays no part here: it decides only when to stop (:func:`search_ended`) and which
    output wins (:func:`best_outputs`).
    """
    if src.shape[0] != 1:
        raise ValueError(f"beam_search translates one sentence at a time, got a batch of {src.shape[0]}")
    _check_beam_size(beam_size)
    steps = max_target_length(model, max_new_tokens)
    memory, src_mask = model.encode(src)  # (1, S, D), (1, 1, 1, S)
    beams = [Hypothesis((), 0.0)]
    caches = model.new_caches() if use_cache else None
    done: list[Hypothesis] = []
    for _ in range(steps):
        k = len(beams)
        mem, mask = memory.expand(k, -1, -1), src_mask.expand(k, -1, -1, -1)  # (K, S, D), (K, 1, 1, S)
        if use_cache:
            newest = torch.tensor([[h.ids[-1] if h.ids else BOS_ID] for h in beams], device=src.device)  # (K, 1)
            logits = model.decode_step(newest, mem, mask, caches)[:, -1]  # (K, V)
        else:
            prefixes = torch.tensor([[BOS_ID, *h.ids] for h in beams], device=src.device)  # (K, T)
            logits = model.decode(prefixes, mem, mask)[:, -1]  # (K, V)
        log_probs = logits.float().log_softmax(-1)  # (K, V)
        total = log_probs + torch.tensor([h.log_prob for h in beams], device=src.device)[:, None]
        top = total.flatten().topk(min(beam_size * 2, total.numel()))
        candidates = []  # (hypothesis, parent beam)
        for value, flat in zip(top.values.tolist(), top.indices.tolist()):
            parent, token = divmod(flat, total.shape[1])
            hyp = Hypothesis(beams[parent].ids + (token,), value)
            if token == EOS_ID:
                done.append(hyp)
            else:
                candidates.append((hyp, parent))
        kept = candidates[:beam_size]
        beams = [h for h, _ in kept]
        yield beams, done
        if not beams:
            return
        if use_cache:
            parents = torch.tensor([p for _, p in kept], device=src.device)
            for layer_caches in caches:
                for cache in layer_caches:
                    cache.reorder(parents)  # (K', H, T, Dh): follow the beams


def search_ended(beams: list[Hypothesis], done: list[Hypothesis], beam_size: int, length_penalty: float) -> bool:
    """Whether beam search stops here: nothing left to extend, or ``beam_size`` outputs finished and the best
    of them already scores at least as well as every prefix still open."""
    best_done = max((h.score(length_penalty) for h in done), default=float("-inf"))
    return not beams or (len(done) >= beam_size and best_done >= max(h.score(length_penalty) for h in beams))


def best_outputs(beams: list[Hypothesis], done: list[Hypothesis], beam_size: int,
                 length_penalty: float) -> list[Hypothesis]:
    """The ``beam_size`` best of the finished outputs and the open prefixes, by length-normalised score."""
    return sorted(done + beams, key=lambda h: h.score(length_penalty), reverse=True)[:beam_size]


def beam_search(model: EncoderDecoder, src: torch.Tensor, beam_size: int = 4, max_new_tokens: int | None = None,
                length_penalty: float = 0.6, use_cache: bool = True) -> list[Hypothesis]:
    """Keep the ``beam_size`` best prefixes at each step. ``src (1, S)`` -> hypotheses, best first.

    With the cache, each step decodes only the newest token of every beam, and the cached
    keys/values follow their beam when beams are re-ranked (rows picked by parent index).
    """
    return beam_search_alphas(model, src, beam_size, (length_penalty,), max_new_tokens, use_cache)[length_penalty]


def beam_search_alphas(model: EncoderDecoder, src: torch.Tensor, beam_size: int = 4, length_penalties=(0.6,),
                       max_new_tokens: int | None = None, use_cache: bool = True) -> dict[float, list[Hypothesis]]:
    """:func:`beam_search` under several length penalties at once, from one search: ``{α: hypotheses}``.

    The search keeps the same prefixes whatever α is; α only decides when it stops and which output wins,
    so the search runs until it would have stopped under every α, and each α's result is taken when it does.
    """
    penalties = tuple(length_penalties)
    if not penalties:
        raise ValueError("give at least one length penalty")
    _check_beam_size(beam_size)
    results: dict[float, list[Hypothesis]] = {}
    beams: list[Hypothesis] = []
    done: list[Hypothesis] = []
    for beams, done in beam_steps(model, src, beam_size, max_new_tokens, use_cache):
        for alpha in penalties:
            if alpha not in results and search_ended(beams, done, beam_size, alpha):
                results[alpha] = best_outputs(beams, done, beam_size, alpha)
        if len(results) == len(set(penalties)):
            break
    return {alpha: results[alpha] if alpha in results else best_outputs(beams, done, beam_size, alpha)
            for alpha in penalties}
