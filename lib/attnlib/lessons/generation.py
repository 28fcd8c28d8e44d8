"""The book's GPT writing: its next-token distribution under each filter, a sentence step by step, and
where each of its tokens looks.

    words, before, after = next_word_distribution(lm, "the black", temperature=0.5, top_k=3)
    tr = generation_trace(lm, "the black", temperature=1.0, seed=3)   # tr.steps[i].candidates, tr.words
    tr.weights                                                        # (L, H, T, T) self-attention

All of it runs the shipped causal model (:class:`~attnlib.lm.trained.TrainedLM`) through the library's own
sampling (:mod:`attnlib.lm.sampling`) and generation (:func:`attnlib.lm.generate.generate`): the chapter's
pictures show what ``python -m attnlib.lm generate`` does, not a copy of it.

Shape letters: L layers, H heads, T tokens (``<bos>``, the prompt and the new words), V vocabulary.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from attnlib.lm.generate import generate
from attnlib.lm.sampling import next_token_distribution
from attnlib.lm.trained import TrainedLM
from attnlib.model.capture import capture_attention

BOS, EOS = "<bos>", "<eos>"


def _next_logits(lm: TrainedLM, prompt: str) -> torch.Tensor:
    """The model's scores for the word after ``prompt`` (``<bos>`` first), the padding token at -inf, as
    :func:`~attnlib.lm.generate.generate` sees them: ``(V,)``."""
    ids = lm.prompt_ids(prompt)  # (1, T)
    with torch.no_grad():
        logits = lm.model(ids)[0, -1].clone()  # (V,)
    logits[lm.model.cfg.pad_id] = float("-inf")
    return logits


def next_word_distribution(lm: TrainedLM, prompt: str, temperature: float = 1.0, top_k: int | None = None,
                           top_p: float = 1.0) -> tuple[list[str], torch.Tensor, torch.Tensor]:
    """Every token of the vocabulary, its probability at temperature 1 with no filter (``before``), and after
    the chosen temperature, top-k and top-p (``after``), both ``(V,)`` float64, tokens in vocabulary order."""
    logits = _next_logits(lm, prompt)
    before = next_token_distribution(logits, 1.0)
    after = next_token_distribution(logits, temperature, top_k, top_p)
    return list(lm.vocab.itos), before, after


@dataclass(frozen=True)
class Step:
    """One step of generation: the words so far, the likeliest candidates and the one drawn."""

    prefix: tuple[str, ...]  # the words before this step (the prompt's included, <bos> not)
    candidates: tuple[tuple[str, float], ...]  # (word, probability after the filters), likeliest first
    chosen: str
    chosen_probability: float
    uniform: float  # the number in [0, 1) that picked it


@dataclass(frozen=True)
class Trace:
    """A prompt and its continuation, step by step, with the model's self-attention over the whole text."""

    prompt: tuple[str, ...]
    steps: tuple[Step, ...]
    tokens: tuple[str, ...]  # <bos>, the prompt, the new words (the last one <eos> when the sentence ended)
    weights: torch.Tensor  # (L, H, T, T): row i is where token i looks, among tokens 0..i

    @property
    def continuation(self) -> str:
        return " ".join(s.chosen for s in self.steps if s.chosen != EOS)

    @property
    def text(self) -> str:
        return " ".join([*self.prompt, self.continuation]).strip()


def generation_trace(lm: TrainedLM, prompt: str, temperature: float = 1.0, top_k: int | None = None,
                     top_p: float = 1.0, seed: int = 0, max_new_tokens: int = 20, n_candidates: int = 6) -> Trace:
    """Continue ``prompt`` as :func:`~attnlib.lm.generate.generate` does (the same seed gives the same words),
    keeping each step's ``n_candidates`` likeliest words and the attention of the finished text."""
    ids = lm.prompt_ids(prompt)  # (1, T0): <bos> and the prompt's words, checked
    room = lm.model.cfg.max_len - ids.shape[1] + 1
    out = generate(lm.model, ids, min(max_new_tokens, room), temperature=temperature, top_k=top_k, top_p=top_p,
                   seed=seed, eos_id=lm.vocab.eos_id)
    words = [lm.vocab.itos[i] for i in ids[0].tolist()[1:]]
    steps, prefix = [], list(words)
    for token, probs, u in zip(out.ids, out.probs, out.uniforms):
        order = torch.argsort(probs, descending=True, stable=True)[:n_candidates]  # ties: the lower id first
        cands = tuple((lm.vocab.itos[i], float(probs[i])) for i in order.tolist() if probs[i] > 0)
        steps.append(Step(tuple(prefix), cands, lm.vocab.itos[token], float(probs[token]), u))
        prefix.append(lm.vocab.itos[token])
    full = torch.tensor([ids[0].tolist() + out.ids], device=lm.device)  # (1, T)
    names = [f"decoder.layers.{i}.self_attn" for i in range(lm.model.cfg.n_layers)]
    with torch.no_grad(), capture_attention(lm.model, names) as patterns:
        lm.model(full)
    weights = torch.stack([patterns[n][0] for n in names]).cpu()  # (L, H, T, T)
    tokens = (BOS, *[lm.vocab.itos[i] for i in full[0].tolist()[1:]])
    return Trace(tuple(words), tuple(steps), tokens, weights)


def cache_agrees(lm: TrainedLM, text: str) -> float:
    """The largest difference between the logits of a whole forward pass over ``<bos> text`` and those of
    decoding it one token at a time with the key/value cache (:meth:`CausalLM.step`): zero up to rounding."""
    ids = lm.prompt_ids(text)  # (1, T)
    with torch.no_grad():
        full = lm.model(ids)[0]  # (T, V)
        caches = lm.model.new_caches()
        stepped = torch.cat([lm.model.step(ids[:, t:t + 1], caches)[0] for t in range(ids.shape[1])])  # (T, V)
    return float((full - stepped).abs().max())
