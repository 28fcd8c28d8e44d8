"""Turning a trained encoder-decoder into translations: greedy search and beam search.

Both decode one token at a time. With ``use_cache=True`` the decoder keeps the keys
and values of the prefix (:class:`attnlib.model.multihead.KVCache`) and computes only the
newest position each step, instead of re-running the whole prefix. The recurrent encoder-decoder
(:class:`attnlib.model.recurrent.RNNEncoderDecoder`) has the same interface and carries its hidden
state in the same place, so both searches decode either model.

Greedy search can also be told how long each output must be (``length=``): ``<eos>`` is then
forbidden before that many tokens and forced right after them. Scoring a translator both ways
separates two things a long sentence may break: choosing the words, and deciding where to stop
(Newman et al. 2020, "The EOS decision and length extrapolation"). A model may also say "done" with
a word: every sentence of the book's corpus ends with a full stop, so ``last_only=`` holds such
tokens back until the last position too.

Shape letters: B batch, K beams, S source length, T target length so far, V vocabulary.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterator, Sequence

import torch

from attnlib.model.recurrent import RNNEncoderDecoder
from attnlib.model.transformer import Transformer
from .vocab import BOS_ID, EOS_ID, PAD_ID, SPECIALS


#: what greedy and beam search decode: ``encode``, ``decode``, ``decode_step``, ``new_caches`` and ``cfg.max_len``
EncoderDecoder = Transformer | RNNEncoderDecoder


def max_target_length(model: EncoderDecoder, limit: int | None = None) -> int:
    """Room left in the positional table for generated tokens (the <bos> takes one position)."""
    room = model.cfg.max_len - 1
    return room if limit is None else max(1, min(limit, room))


def check_lengths(length, batch: int, model: Transformer) -> torch.Tensor:
    """``length`` as a ``(B,)`` tensor of whole numbers that fit the model's table, or a ValueError saying why not."""
    values = length.tolist() if isinstance(length, torch.Tensor) else list(length)
    if len(values) != batch or any(isinstance(n, bool) or not isinstance(n, int) or n < 0 for n in values):
        raise ValueError(f"length must give one whole number of tokens (0 or more) per sentence, {batch} in all; "
                         f"got {values!r}")
    room = max_target_length(model) - 1  # the forced <eos> takes a position too
    if values and max(values) > room:
        raise ValueError(f"a length of {max(values)} tokens and its <eos> do not fit the model's positional table: "
                         f"at most {room} tokens")
    return torch.tensor(values, dtype=torch.long)


def force_length(logits: torch.Tensor, length: torch.Tensor, step: int, last_only: Sequence[int] = ()) -> torch.Tensor:
    """``logits (B, V)`` at ``step`` (0-based) with what a row may not write taken out: before its ``length``,
    every special token (``<eos>`` above all, and ``<pad>``, ``<bos>``, ``<unk>``, which are not words), and
    before its last token the ids ``last_only``; at its ``length``, everything but ``<eos>``. ``length (B,)``."""
    early = (step < length)[:, None]  # (B, 1)
    special = torch.zeros(logits.shape[-1], dtype=torch.bool, device=logits.device)
    special[: len(SPECIALS)] = True  # every vocabulary starts with its special tokens
    logits = logits.masked_fill(early & special[None], float("-inf"))  # (B, V)
    if last_only:
        held = torch.zeros_like(special)
        held[list(last_only)] = True
        logits = logits.masked_fill((step < length - 1)[:, None] & held[None], float("-inf"))  # (B, V)
    stop = (step == length)[:, None] & (torch.arange(logits.shape[-1], device=logits.device) != EOS_ID)[None]
    return logits.masked_fill(stop, float("-inf"))  # (B, V)


@torch.no_grad()
def greedy_decode(model: EncoderDecoder, src: torch.Tensor, max_new_tokens: int | None = None, use_cache: bool = True,
                  stop_at_eos: bool = True, on_step: Callable[[torch.Tensor], None] | None = None,
                  length: torch.Tensor | list[int] | None = None, last_only: Sequence[int] = ()) -> torch.Tensor:
    """Most likely next token, step by step: ``src (B, S)`` -> generated ids ``(B, T)`` (no <bos>; pad after <eos>).

    At most ``max_new_tokens`` (and never more than the positional table holds). With ``stop_at_eos=False``
    every row gets exactly that many tokens, <eos> or not (for timing). ``on_step(logits)`` sees each
    step's next-token logits ``(B, V)`` before the choice, with the step's attention still in any
    :func:`attnlib.capture_attention` around the call.

    ``length (B,)`` forces each row to exactly that many tokens, then ``<eos>``: the most likely word
    that is not a special token at every step before it (:func:`force_length`), and not one of the ids
    ``last_only`` either before the last one. ``on_step`` still sees the model's own logits.
    """
    if length is None:
        if last_only:
            raise ValueError("last_only= holds tokens back until the last of length= tokens: give length= too")
        steps = max_target_length(model, max_new_tokens)
    else:
        vocab = model.cfg.tgt_vocab_size
        if any(isinstance(i, bool) or not isinstance(i, int) or not len(SPECIALS) <= i < vocab for i in last_only):
            raise ValueError(f"last_only must list ids of words ({len(SPECIALS)} to {vocab - 1}), got {list(last_only)!r}")
        if max_new_tokens is not None or not stop_at_eos:
            raise ValueError("length= says where every row stops: give it without max_new_tokens or stop_at_eos")
        length = check_lengths(length, src.shape[0], model).to(src.device)  # (B,)
        steps = int(length.max()) + 1 if len(length) else 1  # the longest row and its <eos>
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
        if length is not None:
            logits = force_length(logits, length, ys.shape[1] - 1, last_only)  # ys: <bos> and the tokens so far
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
