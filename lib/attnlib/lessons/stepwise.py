"""Decoding, looked at step by step: traces, sequence log-probabilities, beam search's outputs, cache timing.

:mod:`attnlib.translation.decoding` decodes; this module opens the process up for the book:

* :func:`greedy_trace` records every greedy step: the prefix so far, the most likely next
  tokens with their probabilities, and where the newest token's cross-attention looks;
* :func:`sequence_log_prob` scores any output under the model (teacher forcing), so greedy and
  beam outputs can be compared on one scale;
* :func:`beam_hypotheses` lists the outputs beam search keeps (:mod:`attnlib.lessons.beams` counts, over many
  sentences, whether beam search translates better than greedy search);
* :func:`forced_decode` and :func:`time_decoding` decode a fixed number of steps, with or without
  the key/value cache, to measure what the cache saves.

Shape letters: B batch, L decoder layers, H heads, S source length, T target length, V vocabulary.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from attnlib import measure
from attnlib.model.capture import capture_attention, cross_attention_layers
from attnlib.model.transformer import Transformer
from attnlib.translation.decoding import Hypothesis, beam_search, greedy_decode
from attnlib.translation.translator import Translator
from attnlib.translation.vocab import decoder_input, trim_at_eos


# -- one greedy step at a time ------------------------------------------------------------------

@dataclass(frozen=True)
class Step:
    """One step of greedy decoding: the prefix, the top next tokens, the chosen one, its cross-attention."""

    index: int  # 1 for the first generated token
    prefix: tuple[str, ...]  # tokens generated before this step (<bos> not shown)
    top_tokens: tuple[str, ...]  # the k most likely next tokens, best first
    top_probs: tuple[float, ...]
    cross: torch.Tensor  # (L, S): the newest position's cross-attention in each layer, mean over heads

    @property
    def chosen(self) -> str:
        """Greedy search takes the most likely token."""
        return self.top_tokens[0]


@dataclass(frozen=True)
class Trace:
    """A whole greedy decoding, step by step."""

    source: tuple[str, ...]  # source tokens, <eos> included
    steps: tuple[Step, ...]

    @property
    def target(self) -> list[str]:
        return [s.chosen for s in self.steps]


@torch.no_grad()
def greedy_trace(translator: Translator, text: str, k: int = 5, max_new_tokens: int | None = None) -> Trace:
    """Greedy decoding of ``text``, recording each step (raises ValueError for unusable input)."""
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    model = translator.model
    src = translator.source_ids(text)  # (1, S)
    names = cross_attention_layers(model)
    seen = []  # per step: the top tokens, their probabilities, the newest position's cross-attention

    def record(logits: torch.Tensor) -> None:  # (1, V), while `patterns` holds this step's attention
        probs = logits[0].float().softmax(-1)  # (V,)
        top = probs.topk(min(k, probs.numel()))
        cross = torch.stack([patterns[n][0, :, -1].mean(0) for n in names]).float().cpu()  # (L, S)
        seen.append((top.indices.tolist(), top.values.tolist(), cross))

    with capture_attention(model, names) as patterns:
        ids = trim_at_eos(greedy_decode(model, src, max_new_tokens, on_step=record)[0].tolist())
    itos = translator.tgt_vocab.itos
    steps = tuple(Step(i + 1, tuple(itos[j] for j in ids[:i]), tuple(itos[j] for j in top), tuple(probs), cross)
                  for i, (top, probs, cross) in enumerate(seen))
    source = tuple(translator.src_vocab.itos[i] for i in src[0].tolist())
    return Trace(source, steps)


# -- scoring whole outputs ----------------------------------------------------------------------

@torch.no_grad()
def token_log_probs(model: Transformer, src: torch.Tensor, ids: list[int]) -> torch.Tensor:
    """log p(y_t | y_<t, x) of each token of ``ids`` (teacher forcing): ``(T,)``."""
    if not ids:
        raise ValueError("there is no output to score: give at least one token id")
    tgt_in = torch.tensor([decoder_input(ids)], device=src.device)  # (1, T)
    log_probs = model(src, tgt_in)[0].float().log_softmax(-1)  # (T, V)
    return log_probs.gather(-1, torch.tensor(ids, device=src.device)[:, None])[:, 0]  # (T,)


def sequence_log_prob(model: Transformer, src: torch.Tensor, ids: list[int]) -> float:
    """log p(y | x) = Σ_t log p(y_t | y_<t, x): how likely the model finds the whole output."""
    return float(token_log_probs(model, src, ids).sum())


def normalised_score(log_prob: float, length: int, alpha: float) -> float:
    """The length-normalised score beam search ranks finished outputs by: log p / length^alpha."""
    return Hypothesis(tuple(range(max(length, 1))), log_prob).score(alpha)


@torch.no_grad()
def beam_hypotheses(translator: Translator, text: str, beam_size: int = 5,
                    length_penalty: float = 0.6) -> list[tuple[tuple[str, ...], float]]:
    """The finished (and unfinished) outputs beam search keeps at the end: (tokens, log-probability)."""
    hyps = beam_search(translator.model, translator.source_ids(text), beam_size=beam_size,
                       length_penalty=length_penalty)
    return [(tuple(translator.tgt_vocab.itos[i] for i in h.ids), h.log_prob) for h in hyps]


# -- what the key/value cache saves -------------------------------------------------------------

def batch_source_ids(translator: Translator, texts: list[str]) -> torch.Tensor:
    """Several sentences as one padded batch of source ids ``(B, S)`` (ValueError for unusable input)."""
    if not texts:
        raise ValueError("give at least one sentence")
    rows = [translator.source_ids(t)[0] for t in texts]  # each (S_i,)
    return torch.nn.utils.rnn.pad_sequence(rows, batch_first=True, padding_value=translator.model.cfg.pad_id)

def forced_decode(model: Transformer, src: torch.Tensor, steps: int, use_cache: bool = True) -> torch.Tensor:
    """Greedy decoding that never stops at <eos>: exactly ``steps`` new tokens, ``(B, steps)``.

    A fixed length makes the cost of the two ways of decoding comparable.
    """
    room = model.cfg.max_len - 1
    if not 1 <= steps <= room:
        raise ValueError(f"steps must be between 1 and {room} (the model's positional table), got {steps}")
    return greedy_decode(model, src, steps, use_cache=use_cache, stop_at_eos=False)


def positions_computed(steps: int, use_cache: bool) -> int:
    """Decoder positions run through the layers in ``steps`` steps: n with a cache, 1 + 2 + … + n without."""
    return steps if use_cache else steps * (steps + 1) // 2


def time_decoding(model: Transformer, src: torch.Tensor, steps: int, repeats: int = 5) -> dict[bool, float]:
    """Median wall-clock seconds of :func:`forced_decode` without (``False``) and with (``True``) the cache,
    the two taking turns so that a busy moment hurts both alike."""
    timings = measure.time_interleaved({use_cache: (lambda use_cache=use_cache: forced_decode(model, src, steps, use_cache))
                                        for use_cache in (False, True)}, repeats=repeats, warmup=1)
    return {use_cache: timing.median for use_cache, timing in timings.items()}
