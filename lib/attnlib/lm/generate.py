"""Sampling a continuation from a causal language model, one cached position per new token.

    out = generate(model, prompt_ids=[BOS_ID, the, cat], max_new_tokens=10, temperature=0.8, top_p=0.9, seed=7)
    out.ids        # the new tokens (the <eos> included when reached)
    out.probs      # (N, V): each step's distribution after the filters, what the book's bars show
    out.uniforms   # the N uniform numbers drawn, one per step

Each step runs only the newest token through the model (:meth:`~attnlib.model.language_model.CausalLM.step`
with one :class:`~attnlib.model.multihead.KVCache` per layer), turns its logits into a distribution
(:func:`~attnlib.lm.sampling.next_token_distribution`) and draws one token from it with one number of
:class:`~attnlib.lm.prng.Mulberry32` (:func:`~attnlib.lm.sampling.draw`). One number is drawn at every
step, greedy ones included, and the padding token is never drawn (its logit is set to -inf), so the
page, doing the same (``sampleStep`` in ``attnlib/book/lm_sampling.js``), stays in step with Python:
the same seed gives the same text.

From the shell, :func:`main` continues a prompt with the shipped causal model and prints the
continuation on its last line::

    python -m attnlib.lm generate --temperature 0.8 --top-p 0.9 --seed 7 "the black cat"

Shape letters: N new tokens, T prompt length, V vocabulary.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from numbers import Integral
from pathlib import Path
from typing import Sequence

import torch

from attnlib.model.language_model import CausalLM
from attnlib.translation.checkpoint import CheckpointError
from .prng import Mulberry32, check_seed
from .sampling import check_sampling, draw, next_token_distribution
from .trained import TrainedLM


# What the generate command says of a bad limit, and of a continuation the limit cut short (``{value}``: the repr()
# of what was given); the page's script says the same from language_models.json (lm_reader.js)
LIMIT_MESSAGES = {
    "max_new_tokens": "max_new_tokens must be a whole number of at least 1, got {value}",
    "room": "a prompt of {words} words leaves room for {room} new tokens in this model's {positions} positions: "
            "ask for at most {room}",
    "cut": "the continuation reached the limit of {count} new tokens without ending its sentence",
}


def check_max_new_tokens(max_new_tokens) -> int:
    """A limit a reader gives, or a ValueError: a whole number of at least 1."""
    if isinstance(max_new_tokens, bool) or not isinstance(max_new_tokens, Integral) or max_new_tokens < 1:
        raise ValueError(LIMIT_MESSAGES["max_new_tokens"].format(value=repr(max_new_tokens)))
    return int(max_new_tokens)


def room(prompt_length: int, max_len: int) -> int:
    """How many new tokens fit after a prompt of ``prompt_length`` ids (its ``<bos>`` included) in ``max_len``
    positions: every token but the last new one passes through the model and takes a position."""
    return max_len - prompt_length + 1


def check_room(prompt_length: int, max_new_tokens: int, max_len: int) -> None:
    """A ValueError when ``max_new_tokens`` do not fit after a prompt of ``prompt_length`` ids (``<bos>`` included)."""
    fits = room(prompt_length, max_len)
    if max_new_tokens > fits:
        raise ValueError(LIMIT_MESSAGES["room"].format(words=prompt_length - 1, room=fits, positions=max_len))


@dataclass(frozen=True)
class Generation:
    """What :func:`generate` sampled: the new ids, each step's distribution and the uniform number drawn."""

    ids: list[int]  # N new tokens
    probs: torch.Tensor  # (N, V) float64: the distribution each token was drawn from, after the filters
    uniforms: list[float]  # N numbers in [0, 1)


def _prompt_tensor(prompt_ids, model: CausalLM) -> torch.Tensor:
    """The prompt as ``(1, T)`` long ids on the model's device, or a ValueError."""
    if isinstance(prompt_ids, torch.Tensor):
        if prompt_ids.dim() == 2 and prompt_ids.shape[0] == 1:
            prompt_ids = prompt_ids[0]
        if prompt_ids.dim() != 1 or prompt_ids.is_floating_point() or prompt_ids.is_complex():
            raise ValueError(f"prompt_ids must be one sequence of token ids, shape (T,) or (1, T); "
                             f"got {tuple(prompt_ids.shape)} {prompt_ids.dtype}")
        prompt_ids = prompt_ids.tolist()
    ids = list(prompt_ids)
    if not ids:
        raise ValueError("prompt_ids is empty: give at least one token (a <bos> starts a sentence)")
    if any(isinstance(i, bool) or not isinstance(i, Integral) for i in ids):
        raise ValueError(f"prompt_ids must be whole numbers (token ids), got {ids!r}")
    device = next(model.parameters()).device
    return torch.tensor([ids], dtype=torch.long, device=device)  # (1, T)


@torch.no_grad()
def generate(model: CausalLM, prompt_ids: Sequence[int] | torch.Tensor, max_new_tokens: int,
             temperature: float = 1.0, top_k: int | None = None, top_p: float = 1.0, seed: int = 0,
             eos_id: int | None = None) -> Generation:
    """Sample up to ``max_new_tokens`` tokens after ``prompt_ids``, stopping after ``eos_id`` when given.

    Every argument is checked before the model runs. The model runs in evaluation mode (no dropout,
    whose randomness the seed would not govern) and is put back in its own mode afterwards.
    """
    if not isinstance(model, CausalLM):
        raise ValueError(f"generate() samples from a CausalLM (a masked LM does not predict the next token), "
                         f"got {type(model).__name__}")
    check_sampling(temperature, top_k, top_p)
    rng = Mulberry32(seed)  # checks the seed
    if isinstance(max_new_tokens, bool) or not isinstance(max_new_tokens, Integral) or max_new_tokens < 0:
        raise ValueError(f"max_new_tokens must be a whole number >= 0, got {max_new_tokens!r}")
    cfg = model.cfg
    if eos_id is not None and (isinstance(eos_id, bool) or not isinstance(eos_id, Integral)
                               or not 0 <= eos_id < cfg.vocab_size):
        raise ValueError(f"eos_id must be None or a token id from 0 to {cfg.vocab_size - 1}, got {eos_id!r}")
    prompt = _prompt_tensor(prompt_ids, model)  # (1, T)
    # every token but the last new one passes through the model and takes a position
    needed = prompt.shape[1] + max(int(max_new_tokens) - 1, 0)
    if needed > cfg.max_len:
        raise ValueError(f"a prompt of {prompt.shape[1]} tokens and {max_new_tokens} new ones need {needed} "
                         f"positions; the model has {cfg.max_len}: ask for at most "
                         f"{max(cfg.max_len - prompt.shape[1] + 1, 0)} new tokens")

    ids: list[int] = []
    rows: list[torch.Tensor] = []
    uniforms: list[float] = []
    was_training = model.training
    model.eval()
    try:
        caches = model.new_caches()
        fed = prompt  # (1, t): the whole prompt at first, then the one newest token
        while len(ids) < max_new_tokens:
            logits = model.step(fed, caches)[0, -1].clone()  # (V,): the next token's scores only
            logits[cfg.pad_id] = float("-inf")  # padding is not text: never drawn (nor fed back to the cache)
            probs = next_token_distribution(logits, temperature, top_k, top_p)  # (V,) float64
            u = rng.random()
            token = draw(probs, u)
            ids.append(token)
            rows.append(probs)
            uniforms.append(u)
            if token == eos_id:
                break
            fed = torch.tensor([[token]], dtype=torch.long, device=prompt.device)  # (1, 1)
    finally:
        model.train(was_training)
    probs_table = torch.stack(rows) if rows else torch.zeros(0, cfg.vocab_size, dtype=torch.float64)  # (N, V)
    return Generation(ids, probs_table, uniforms)


def main(argv: list[str] | None = None) -> int:
    """``python -m attnlib.lm generate [--temperature T] [--top-k K] [--top-p P] [--seed S] "PROMPT"``: the
    sampled continuation, words joined by spaces up to the ``<eos>``, on the last line printed."""
    parser = argparse.ArgumentParser(prog="python -m attnlib.lm generate",
                                     description="Continue an English prompt with the causal language model.")
    parser.add_argument("text", nargs="*", help="the first words of a sentence")
    parser.add_argument("--temperature", type=float, default=1.0, help="0 is greedy; below 1 sharper, above flatter")
    parser.add_argument("--top-k", type=int, default=None, help="keep the k likeliest tokens (default: all)")
    parser.add_argument("--top-p", type=float, default=1.0, help="keep the likeliest tokens up to this mass")
    parser.add_argument("--seed", type=int, default=0, help="the same seed gives the same words")
    parser.add_argument("--max-new-tokens", type=int, default=None,
                        help="at most this many new tokens (default: as many as the model's positions allow)")
    parser.add_argument("--checkpoint", type=Path, default=None, help="the causal model (default data/lm-causal.pt)")
    parser.add_argument("--from-env", metavar="NAME",
                        help="read the prompt from environment variable NAME (make generate does: no shell re-reads it)")
    args = parser.parse_args(argv)
    try:  # every argument is checked before the model is loaded
        check_sampling(args.temperature, args.top_k, args.top_p)
        check_seed(args.seed)
        if args.max_new_tokens is not None:
            check_max_new_tokens(args.max_new_tokens)
        if args.from_env is not None and (args.text or args.from_env not in os.environ):
            raise ValueError(f"--from-env {args.from_env}: " + ("give the prompt there or as arguments, not both"
                                                                if args.text else "no such environment variable"))
    except ValueError as err:
        message = str(err)
        for name in ("temperature", "top_k", "top_p", "seed", "max_new_tokens"):  # named as the command line does
            if message.startswith(f"{name} "):
                message = f"--{name.replace('_', '-')}{message[len(name):]}"
        parser.error(message)
    text = os.environ[args.from_env] if args.from_env is not None else " ".join(args.text)
    try:
        lm = TrainedLM.load(args.checkpoint, kind="causal")
        prompt = lm.prompt_ids(text)  # (1, T)
        max_len = lm.model.cfg.max_len
        if args.max_new_tokens is not None:
            try:
                check_room(prompt.shape[1], args.max_new_tokens, max_len)
            except ValueError as err:
                raise ValueError(f"{err} with --max-new-tokens") from None
        out = generate(lm.model, prompt, args.max_new_tokens or room(prompt.shape[1], max_len),
                       temperature=args.temperature, top_k=args.top_k, top_p=args.top_p, seed=args.seed,
                       eos_id=lm.vocab.eos_id)
    except (CheckpointError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    if lm.unfinished:
        print(f"note: {lm.unfinished}", file=sys.stderr)
    if lm.vocab.eos_id not in out.ids:
        print(f"note: {LIMIT_MESSAGES['cut'].format(count=len(out.ids))}", file=sys.stderr)
    print(lm.vocab.decode(out.ids))  # the words up to the <eos>
    return 0
