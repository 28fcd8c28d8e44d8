"""The training loop that does not care what it trains: the translator's and the language models' both.

    optimizer = make_optimizer(model, cfg.lr)
    scheduler = make_scheduler(optimizer, cfg)                     # warm-up, then 1/√step (lr_at)
    progress = resume_run(path, model, optimizer, scheduler, ...)  # or Progress() for a new run
    interrupted = run_steps(model, optimizer, scheduler, cfg, progress, loss_at=..., last=cfg.steps, ...)

A caller brings the model, a config with ``steps``, ``lr``, ``warmup``, ``clip``, ``seed`` and
``eval_every``, and the loss of step ``s``'s batch (``loss_at(s)``); :func:`run_steps` does the rest of a
step: the dropout noise seeded from (seed, step), bf16 autocast on CUDA, the divergence check, the
gradient clipping, the optimizer and schedule, a smoothed loss, a record every ``eval_every`` steps
(that the caller may add to, and that may end the run), a resumable save every ``save_every`` steps, and
a stop when asked. Every step's batch and noise thus depend on (seed, step) alone, so a run resumed from
a checkpoint ends with the weights of an uninterrupted one. With several processes (``world`` > 1), a
decision any one takes (stop, diverged) is shared with all, as :mod:`attnlib.translation.train` needs.

:mod:`attnlib.translation.train` trains the translator with it, :mod:`attnlib.lm.train` the language models.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping

import torch
import torch.distributed as dist
from torch import nn

from .checkpoint import CheckpointError, load_checkpoint, load_state

__all__ = ["Epochs", "Progress", "RESUMABLE_CHANGES", "RunResult", "TrainingDiverged", "agree", "check_numbers",
           "check_resumable_payload", "lr_at", "make_optimizer", "make_scheduler", "progress_bar", "resume_run",
           "run_steps", "start_run"]


class TrainingDiverged(RuntimeError):
    """The loss stopped being a number: the weights are lost to NaN or infinity from that step on."""


def check_numbers(cfg, whole: tuple[str, ...]) -> None:
    """A training config's checks, before any work: the ``whole`` fields at least 1, a learning rate and a
    clipping norm that cannot train to NaN, a seed that fits 32 bits."""
    for name in whole:
        value = getattr(cfg, name)
        if not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a whole number of at least 1, got {value!r}")
    for name, top in (("lr", 1.0), ("clip", 1e6)):  # inf or 1e30 would train to NaN and save it
        value = getattr(cfg, name)
        if not isinstance(value, (int, float)) or not 0 < value <= top:
            raise ValueError(f"{name} must be a number above 0 and at most {top:g}, got {value!r}")


def check_seed(seed) -> None:
    if not isinstance(seed, int) or not 0 <= seed < 2**32:
        raise ValueError(f"seed must be a whole number from 0 to 2**32 - 1, got {seed!r}")


def make_optimizer(model: nn.Module, lr: float) -> torch.optim.Adam:
    """Adam with the Transformer paper's betas and epsilon, in PyTorch's fused form: one kernel updates
    every parameter, instead of a loop over ~90 tensors (Q, K and V are separate here, so the loop costs)."""
    return torch.optim.Adam(model.parameters(), lr=lr, betas=(0.9, 0.98), eps=1e-9, fused=True)


def lr_at(step: int, cfg) -> float:
    """Linear warm-up to ``cfg.lr`` over ``cfg.warmup`` steps, then decay as 1/√step (step counts from 1)."""
    step = max(step, 1)
    return cfg.lr * min(step / cfg.warmup, math.sqrt(cfg.warmup / step))


def make_scheduler(optimizer: torch.optim.Optimizer, cfg) -> torch.optim.lr_scheduler.LambdaLR:
    """The learning rate of :func:`lr_at`, step by step."""
    return torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: lr_at(s + 1, cfg) / cfg.lr)


class Epochs:
    """Batch number ``step`` of an endless, reproducible sequence of shuffled epochs of ``per_epoch`` batches.

    A subclass says what epoch ``e``'s batches are (:meth:`epoch`); one epoch is kept at a time."""

    def __init__(self, per_epoch: int):
        self.per_epoch = per_epoch
        self._epoch, self._batches = -1, []

    def epoch(self, epoch: int) -> list:
        raise NotImplementedError

    def __call__(self, step: int):
        epoch, index = divmod(step, self.per_epoch)
        if epoch != self._epoch:
            self._epoch, self._batches = epoch, list(self.epoch(epoch))
        return self._batches[index]


@dataclass
class Progress:
    """How far a run has come: what its checkpoint keeps so that it can be continued."""

    step: int = 0
    history: list[dict] = field(default_factory=list)  # one record every eval_every steps
    train_seconds: float = 0.0
    running: float | None = None  # the smoothed training loss

    def meta(self) -> dict:
        return {"history": self.history, "steps": self.step, "train_seconds": round(self.train_seconds, 2),
                "running_loss": self.running}


#: Settings that may change when a run is resumed: more steps extend a finished run.
RESUMABLE_CHANGES = ("steps",)


def check_resumable_payload(payload: dict, source: str, model_config: Mapping, train: Mapping,
                            vocabs: Mapping[str, dict], world: int = 1) -> None:
    """Refuse to resume ``payload`` with anything that would make it another run; name what differs.
    ``vocabs`` maps each of the checkpoint's vocabulary keys to this run's vocabulary (``to_dict()``)."""
    kinds = {"model_config": dict, "train": dict, "optimizer": dict, "scheduler": dict, "step": int, "meta": dict}
    malformed = [k for k, kind in kinds.items() if not isinstance(payload.get(k), kind)]
    if malformed or payload["step"] < 0:
        raise CheckpointError(f"{source} cannot be resumed: its {', '.join(malformed) or 'step'} "
                              f"{'is' if len(malformed) < 2 else 'are'} missing or malformed; start a new run")
    differ = [f"model {k}: {v!r} in the checkpoint, {model_config.get(k)!r} now"
              for k, v in payload["model_config"].items() if model_config.get(k) != v]
    differ += [f"{k}: {v!r} in the checkpoint, {train.get(k)!r} now" for k, v in payload["train"].items()
               if k not in RESUMABLE_CHANGES and train.get(k) != v]
    for name, vocab in vocabs.items():
        if payload.get(name) != vocab:  # the same ids must mean the same words
            differ.append(f"{name}: the checkpoint's vocabulary differs from this training data's")
    trained_on = payload.get("meta", {}).get("world_size", 1)
    if trained_on != world:
        differ.append(f"world_size: {trained_on} process(es) in the checkpoint, {world} now")
    if differ:
        raise CheckpointError(f"{source} was trained with another configuration; resume with the same settings. "
                              "Differs: " + "; ".join(differ))


def resume_run(path: str | Path, model: nn.Module, optimizer: torch.optim.Optimizer, scheduler, steps: int,
               device: torch.device, check: Callable[[dict], None], load: Callable[..., dict] = load_checkpoint
               ) -> Progress:
    """Load the run saved at ``path`` into ``model``, ``optimizer`` and ``scheduler``, once ``check(payload)``
    (:func:`check_resumable_payload`) has found it the same run; returns how far it had come. ``load`` reads
    the file (:func:`~attnlib.translation.checkpoint.load_checkpoint` with the right kind)."""
    payload = load(path, map_location=device)
    if payload.get("optimizer") is None:
        raise CheckpointError(f"{path} was saved without optimizer state, so training cannot resume from it")
    check(payload)
    if payload["step"] > steps:
        raise CheckpointError(f"{path} is at step {payload['step']} already: ask for at least that many --steps")
    load_state(model, payload["model"], source=str(path))
    optimizer.load_state_dict(payload["optimizer"])
    scheduler.load_state_dict(payload["scheduler"])
    meta = payload["meta"]
    return Progress(payload["step"], list(meta.get("history", [])), meta.get("train_seconds", 0.0),
                    meta.get("running_loss"))


def start_run(model: nn.Module, cfg, device: torch.device, resume: str | Path | None,
              check: Callable[[dict], None], load: Callable[..., dict] = load_checkpoint
              ) -> tuple[torch.optim.Optimizer, torch.optim.lr_scheduler.LambdaLR, Progress]:
    """The optimizer, the schedule and how far the run has come: from step 0, or from the run saved at
    ``resume`` (:func:`resume_run`, with ``check`` and ``load``)."""
    optimizer = make_optimizer(model, cfg.lr)
    scheduler = make_scheduler(optimizer, cfg)
    if resume is None:
        return optimizer, scheduler, Progress()
    return optimizer, scheduler, resume_run(resume, model, optimizer, scheduler, cfg.steps, device, check, load=load)


@dataclass(kw_only=True)
class RunResult:
    """What a training run gives back besides its model: its records, its time, where it was saved."""

    history: list[dict] = field(default_factory=list)
    train_seconds: float = 0.0
    hardware: str = ""
    steps: int = 0
    checkpoint: Path | None = None
    saved_elsewhere: str | None = None  # why the checkpoint is not where it was asked to go


def run_steps(model: nn.Module, optimizer: torch.optim.Optimizer, scheduler, cfg, progress: Progress, *,
              loss_at: Callable[[int], torch.Tensor], last: int, device: torch.device, net: nn.Module | None = None,
              world: int = 1, rank: int = 0, on_record: Callable[[dict], bool] | None = None,
              should_stop: Callable[[], bool] | None = None, save_along: Callable[[], None] | None = None,
              save_every: int | None = None, show_progress: bool = True) -> bool:
    """Train from ``progress.step`` up to step ``last``; returns whether a stop request ended the run.

    ``loss_at(step)`` is the loss of that step's batch, run through ``net`` (the model, or its
    DistributedDataParallel wrapper). Every ``cfg.eval_every`` steps, and at ``last``, a record (step,
    smoothed loss, learning rate, seconds) joins ``progress.history``; on rank 0 ``on_record(record)``, with
    the model in evaluation mode, may add to it and returns whether to end the run there. Every
    ``save_every`` steps but the last, ``save_along()`` saves a resumable checkpoint. ``progress`` is
    updated in place.
    """
    bar = progress_bar(show_progress and rank == 0, total=cfg.steps, initial=progress.step)
    interrupted = False
    while progress.step < last:
        model.train()
        started = time.perf_counter()
        torch.manual_seed(cfg.seed * 1_000_003 + progress.step)  # this step's dropout, whatever came before
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=device.type == "cuda"):
            loss = loss_at(progress.step)
        if agree(not bool(torch.isfinite(loss)), world, device):  # any rank: the next all-reduce spreads it
            raise TrainingDiverged(f"the loss became {loss.item()} at step {progress.step + 1}, so the weights "
                                   f"would be lost to NaN: lower the learning rate (it was {cfg.lr:g}); nothing from "
                                   f"this step on was saved")
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.clip)
        optimizer.step()
        scheduler.step()
        progress.step += 1
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        progress.train_seconds += time.perf_counter() - started
        progress.running = loss.item() if progress.running is None else 0.9 * progress.running + 0.1 * loss.item()
        bar.update(1)
        bar.set_postfix(loss=f"{progress.running:.3f}", lr=f"{scheduler.get_last_lr()[0]:.2e}")
        step = progress.step
        if step % cfg.eval_every == 0 or step == last:
            record = {"step": step, "loss": round(progress.running, 4), "lr": scheduler.get_last_lr()[0],
                      "train_seconds": round(progress.train_seconds, 2)}
            progress.history.append(record)
            stop = False
            if rank == 0 and on_record is not None:
                model.eval()
                stop = bool(on_record(record))
            # decided on rank 0 (only it evaluates) and shared: a rank that stopped alone would leave the
            # others waiting for it in the next step's all-reduce
            if agree(stop, world, device):
                break
        if should_stop is not None and agree(should_stop(), world, device):
            interrupted = True
            break
        if save_along is not None and save_every and step % save_every == 0 and step < last:
            save_along()
    bar.close()
    model.eval()
    return interrupted


def agree(decision: bool, world: int, device: torch.device) -> bool:
    """True on every rank if ``decision`` is true on any (a stop asked of one process stops them all)."""
    if world == 1:
        return decision
    flag = torch.tensor([int(decision)], device=device)
    dist.all_reduce(flag, op=dist.ReduceOp.MAX)
    return bool(flag.item())


class _NoBar:
    def update(self, n): pass
    def set_postfix(self, **kw): pass
    def close(self): pass


def progress_bar(enabled: bool, total: int, initial: int):
    """A tqdm bar of training steps, or one that shows nothing."""
    if not enabled:
        return _NoBar()
    from tqdm.auto import tqdm

    return tqdm(total=total, initial=initial, desc="training", unit="step", mininterval=1.0)
