"""Seconds per training step and per translated batch, of several models taking turns on the same batches.

    timings = time_training({"gru": gru_cfg, "transformer": transformer_cfg}, pairs, threads=(1, 2))
    # {(name, threads): Timing of one call of 4 steps}
    paired_ratio(timings["gru", 1], timings["transformer", 1])

A *step* is one step of the translator's training loop (:func:`attnlib.translation.loop.run_steps`: the
forward pass, the loss, the backward pass, clipping, Adam and the schedule) on a batch of the training
stream. Every stepper meets the same batches in the same order, one model per thread count, and all of them
take turns (:func:`attnlib.measure.time_interleaved`): a moment when the shared machine is busy slows them
all alike, and the ratio of two is the median of ratios taken moments apart (:func:`attnlib.measure.paired_ratio`).
"""

from __future__ import annotations

from contextlib import nullcontext
from typing import Callable, Mapping, Sequence

import torch

from attnlib.measure import Timing, synchronizer, time_interleaved, torch_threads
from attnlib.translation.corpus import Pair
from attnlib.translation.loop import run_steps, start_run
from attnlib.translation.train import BatchStream, TrainConfig, batch_loss
from attnlib.translation.translator import Translator, build_model
from attnlib.translation.vocab import build_vocabs


class Stepper:
    """A fresh model of ``cfg`` in training: each call takes ``steps`` more steps of the training loop."""

    def __init__(self, cfg: TrainConfig, pairs: Sequence[Pair], device: str | torch.device = "cpu"):
        src_vocab, tgt_vocab = build_vocabs(pairs)
        self.cfg, self.device = cfg, torch.device(device)
        torch.manual_seed(cfg.seed)  # the weights train() would start from
        self.model = build_model(cfg.architecture, preset=cfg.model, src_vocab_size=len(src_vocab),
                                 tgt_vocab_size=len(tgt_vocab), **dict(cfg.model_overrides)).to(self.device)
        self.optimizer, self.scheduler, self.progress = start_run(self.model, cfg, self.device, None, None)
        self.stream = BatchStream(list(pairs), src_vocab, tgt_vocab, cfg)

    def loss_at(self, step: int) -> torch.Tensor:
        return batch_loss(self.model, self.stream(step).to(self.device), self.cfg, self.model.cfg.pad_id)

    def __call__(self, steps: int = 1) -> None:
        run_steps(self.model, self.optimizer, self.scheduler, self.cfg, self.progress, loss_at=self.loss_at,
                  last=self.progress.step + steps, device=self.device, show_progress=False)


Key = tuple[str, int | None]  # (name, threads); threads None: torch's own count, left alone


def take_turns(work: Mapping[Key, Callable[[], object]], *, repeats: int, warmup: int,
               device: str | torch.device = "cpu") -> dict[Key, Timing]:
    """Time every ``(name, threads)`` piece of work on its number of threads, all taking turns in one run."""
    if not work:
        raise ValueError("give at least one piece of work to time")

    def on_threads(fn: Callable[[], object], n: int | None) -> Callable[[], None]:
        def call() -> None:
            with nullcontext() if n is None else torch_threads(n):
                fn()
        return call

    named = {f"{name}@{n}": on_threads(fn, n) for (name, n), fn in work.items()}
    timings = time_interleaved(named, repeats=repeats, warmup=warmup, sync=synchronizer(device))
    return {(name, n): timings[f"{name}@{n}"] for name, n in work}


def time_training(configs: Mapping[str, TrainConfig], pairs: Sequence[Pair], *, threads: Sequence[int | None] = (1, 2),
                  steps_per_call: int = 4, repeats: int = 7, warmup: int = 1,
                  device: str | torch.device = "cpu") -> dict[Key, Timing]:
    """Seconds of ``steps_per_call`` training steps of each config at each thread count, taking turns: one
    :class:`Stepper` for each, so that all of them meet the same batches. Divide by ``steps_per_call`` for one step."""
    if steps_per_call < 1:
        raise ValueError(f"steps_per_call={steps_per_call}: time at least one step per call")
    work = {(name, n): (lambda s=Stepper(cfg, pairs, device): s(steps_per_call))
            for n in threads for name, cfg in configs.items()}
    return take_turns(work, repeats=repeats, warmup=warmup, device=device)


def time_translation(translators: Mapping[str, Translator], texts: Sequence[str], *,
                     threads: Sequence[int | None] = (1, 2), repeats: int = 5, warmup: int = 1,
                     device: str | torch.device = "cpu") -> dict[Key, Timing]:
    """Seconds to translate ``texts`` greedily, in one batch, with each translator at each thread count, taking turns."""
    if not texts:
        raise ValueError("give at least one sentence to translate")
    work = {(name, n): (lambda t=t: t.translate_batch(list(texts), batch_size=len(texts)))
            for n in threads for name, t in translators.items()}
    return take_turns(work, repeats=repeats, warmup=warmup, device=device)
