"""Training the translator: its settings, its batches and its loss, resumable and distributed.

    result = train(TRAIN_PRESETS["cpu"], out="data/translator.pt")   # the book, the shell and the tests
    result = train(TRAIN_PRESETS["cpu"].replace(architecture="gru"))   # the recurrent baseline, same loop

:mod:`attnlib.translation.train_command` is the shell's ``python -m attnlib.translation train``. The
steps themselves (optimizer, schedule, clipping, saves, stops, resumes) are :mod:`attnlib.translation.loop`'s,
which the language models share. The same code runs on CPU and CUDA (bf16 autocast there). Every step's
batch and dropout noise are derived from (seed, step) alone, so a run resumed from a checkpoint ends with
exactly the weights of an uninterrupted run on CPU.
"""

from __future__ import annotations

import math
import os
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Callable

import torch
import torch.distributed as dist
from torch import nn

from attnlib.model.config import ModelConfig, RNNConfig
from attnlib.measure import describe_hardware
from attnlib.model.device import pick_device
from .checkpoint import save_checkpoint
# TrainingDiverged, lr_at and make_optimizer are imported from here too (the command, the chapters, the benchmarks)
from .loop import (Epochs, RunResult, TrainingDiverged, check_numbers, check_resumable_payload, check_seed,  # noqa: F401
                   lr_at, make_optimizer, run_steps, start_run)
from .safeguards import check_batch_fits, resumable, save_run, unfinished_path
from .corpus import Pair, load_split
from .evaluate import bleu
from .translator import ARCHITECTURES, Translator, build_model
from .vocab import Batch, Vocab, build_vocabs, make_batches


@dataclass(frozen=True)
class TrainConfig:
    """How to train: model preset, steps, batch size, learning-rate schedule, regularisation, seed."""

    model: str = "cpu"  # a preset of the architecture's config (ModelConfig, or RNNConfig for "gru")
    steps: int = 4000  # the pronoun test needs the longer run; BLEU passes 95 in the first few hundred steps
    batch_size: int = 64
    lr: float = 2e-3  # peak learning rate, reached at the end of warm-up
    warmup: int = 100
    label_smoothing: float = 0.1
    clip: float = 1.0  # gradient-norm clipping
    seed: int = 0
    eval_every: int = 200
    eval_pairs: int = 300  # validation pairs translated at each evaluation
    max_len: int = 48
    model_overrides: tuple[tuple[str, object], ...] = ()  # e.g. (("norm_first", False),) for an ablation
    architecture: str = "transformer"  # or "gru": the recurrent baseline, trained by the same loop

    def __post_init__(self) -> None:
        if self.architecture not in ARCHITECTURES:
            raise ValueError(f"architecture must be one of {', '.join(ARCHITECTURES)}, got {self.architecture!r}")
        # checked here, before any work: a zero warm-up or batch would fail only deep inside a run
        check_numbers(self, ("steps", "batch_size", "warmup", "eval_every", "eval_pairs", "max_len"))
        if not isinstance(self.label_smoothing, (int, float)) or not 0 <= self.label_smoothing < 1:
            raise ValueError(f"label_smoothing must be in [0, 1), got {self.label_smoothing!r}")
        check_seed(self.seed)

    def replace(self, **changes) -> "TrainConfig":
        return replace(self, **changes)


TRAIN_PRESETS = {
    "tiny": TrainConfig(model="tiny", steps=60, batch_size=16, warmup=10, eval_every=30, eval_pairs=40, lr=3e-3),
    "cpu": TrainConfig(),
    "gpu": TrainConfig(model="gpu", steps=1500, batch_size=256, lr=7e-4, warmup=300, eval_every=250),
}


class BatchStream(Epochs):
    """Batch number ``step`` of an endless, reproducible sequence of shuffled epochs."""

    def __init__(self, pairs: list[Pair], src_vocab: Vocab, tgt_vocab: Vocab, cfg: TrainConfig):
        super().__init__(math.ceil(len(pairs) / cfg.batch_size))
        self.pairs, self.src_vocab, self.tgt_vocab, self.cfg = pairs, src_vocab, tgt_vocab, cfg

    def epoch(self, epoch: int) -> list[Batch]:
        return list(make_batches(self.pairs, self.src_vocab, self.tgt_vocab, self.cfg.batch_size,
                                 shuffle_seed=self.cfg.seed * 1000 + epoch, max_len=self.cfg.max_len))


def shard(batch: Batch, rank: int, world: int) -> Batch:
    """This process's rows of a global batch, padding columns trimmed: ``(B, L)`` -> ``(≈B/world, L')``.

    A batch with fewer rows than processes lends its rows round: every process must take a step.
    """
    if world == 1:
        return batch
    n = batch.src.shape[0]
    rows = torch.arange(rank, max(n, world), world) % n  # (≈B/world,)
    s, t = int(batch.src_lengths[rows].max()), int(batch.tgt_lengths[rows].max())
    return Batch(batch.src[rows, :s], batch.tgt_in[rows, :t], batch.tgt_out[rows, :t],
                 batch.src_lengths[rows], batch.tgt_lengths[rows], tuple(batch.pairs[i] for i in rows.tolist()))


def batch_loss(net: nn.Module, batch: Batch, cfg: TrainConfig, pad_id: int) -> torch.Tensor:
    """What training minimises on one batch: the label-smoothed cross-entropy of the teacher-forced
    logits against the next tokens, padding ignored."""
    logits = net(batch.src, batch.tgt_in)  # (B, T, V)
    loss_fn = nn.CrossEntropyLoss(ignore_index=pad_id, label_smoothing=cfg.label_smoothing)
    return loss_fn(logits.float().flatten(0, 1), batch.tgt_out.flatten())


@dataclass
class TrainResult(RunResult):
    translator: Translator

    @property
    def meta(self) -> dict:
        return self.translator.meta


def train(
    cfg: TrainConfig = TRAIN_PRESETS["cpu"],
    *,
    out: str | Path | None = None,
    resume: str | Path | None = None,
    device: str | torch.device | None = None,
    train_pairs: list[Pair] | None = None,
    valid_pairs: list[Pair] | None = None,
    stop_at: int | None = None,
    save_optimizer: bool = True,
    progress: bool = True,
    on_eval: Callable[[list[dict]], None] | None = None,
    stop_when: Callable[[dict], bool] | None = None,
    save_every: int | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> TrainResult:
    """Train (or resume) a translator; returns it with its history. ``stop_at`` ends early at that step
    (the schedule still follows ``cfg.steps``), which is how an interrupted run is simulated.

    Every ``cfg.eval_every`` steps a record (step, smoothed loss, learning rate, seconds, validation
    BLEU on rank 0) joins the history; ``on_eval(history, translator)`` then sees it and may add to it,
    and ``stop_when(record)`` may end the run.

    With ``out``, a resumable checkpoint is also written every ``save_every`` steps, and when
    ``should_stop()`` turns true on any process (the command line sets it on SIGINT/SIGTERM) the run stops
    after the step in progress and saves what it has. Until the run finishes, those checkpoints go beside
    ``out`` (:func:`~attnlib.translation.safeguards.unfinished_path`); ``out`` itself holds only a finished
    run. ``resume`` may continue a finished run to more steps. A loss that is not a number stops the run
    (:class:`TrainingDiverged`), and nothing from that step on is saved.
    """
    world, rank = _distributed_setup()
    device = pick_device(str(device) if device is not None else None)
    if world > 1 and device.type == "cuda":
        device = torch.device("cuda", int(os.environ.get("LOCAL_RANK", 0)))
        torch.cuda.set_device(device)
    train_pairs = load_split("train") if train_pairs is None else train_pairs
    valid_pairs = load_split("valid") if valid_pairs is None else valid_pairs
    if not train_pairs or not valid_pairs:
        raise ValueError(f"the {'training' if not train_pairs else 'validation'} split holds no pairs: "
                         f"regenerate the corpus with `python -m attnlib.translation corpus`")
    src_vocab, tgt_vocab = build_vocabs(train_pairs)
    check_batch_fits(cfg.batch_size, cfg.max_len, len(tgt_vocab), device)
    torch.manual_seed(cfg.seed)
    model = build_model(cfg.architecture, preset=cfg.model, src_vocab_size=len(src_vocab),
                        tgt_vocab_size=len(tgt_vocab), **dict(cfg.model_overrides)).to(device)
    model_cfg = model.cfg
    def same_run(payload: dict) -> None:
        check_resumable(payload, model_cfg, cfg, src_vocab, tgt_vocab, world, source=str(resume))

    optimizer, scheduler, state = start_run(model, cfg, device, resume, same_run)  # state: step, history, seconds, loss

    net = nn.parallel.DistributedDataParallel(model) if world > 1 else model
    stream = BatchStream(train_pairs, src_vocab, tgt_vocab, cfg)
    translator = Translator(model, src_vocab, tgt_vocab)
    last = min(cfg.steps, stop_at if stop_at is not None else cfg.steps)

    def payload_now() -> dict:
        return {"architecture": cfg.architecture, "model_config": model_cfg.to_dict(), "model": model.state_dict(),
                "src_vocab": src_vocab.to_dict(), "tgt_vocab": tgt_vocab.to_dict(),
                "train": _cfg_dict(cfg), "meta": {**translator.meta, **state.meta(), "world_size": world},
                "step": state.step, "optimizer": optimizer.state_dict() if save_optimizer else None,
                "scheduler": scheduler.state_dict() if save_optimizer else None}

    def loss_at(step: int) -> torch.Tensor:
        return batch_loss(net, shard(stream(step), rank, world).to(device), cfg, model_cfg.pad_id)

    def on_record(record: dict) -> bool:
        sample = valid_pairs[: cfg.eval_pairs]
        record["valid_bleu"] = round(bleu(translator.translate_batch([p.src for p in sample]),
                                          [p.tgt for p in sample]), 2)
        if on_eval is not None:
            on_eval(state.history, translator)  # may add to the record: what else a run keeps is up to its caller
        return stop_when is not None and bool(stop_when(record))

    def save_along() -> None:
        save_checkpoint(unfinished_path(out), resumable(payload_now(), optimizer, scheduler))

    interrupted = run_steps(model, optimizer, scheduler, cfg, state, loss_at=loss_at, last=last, device=device,
                            net=net, world=world, rank=rank, on_record=on_record, should_stop=should_stop,
                            save_along=save_along if out is not None and rank == 0 else None, save_every=save_every,
                            show_progress=progress)
    step, history, train_seconds, running = state.step, state.history, state.train_seconds, state.running
    hardware = describe_hardware(device)
    translator.meta = {"history": history, "train_seconds": round(train_seconds, 2), "hardware": hardware,
                       "device": device.type, "world_size": world, "steps": step, "running_loss": running,
                       # how long a sentence the translator has seen: it refuses much longer ones (Translator.max_words)
                       "longest_source_words": max(len(p.src.split()) for p in train_pairs)}
    if world > 1:
        translator.meta["rank_checksums"] = _rank_checksums(model, world)
    interrupted = interrupted or (stop_at is not None and step < cfg.steps)  # stop_at plays an interruption
    translator.meta["interrupted"] = interrupted
    result = TrainResult(translator=translator, history=history, train_seconds=train_seconds, hardware=hardware,
                         steps=step)
    if out is not None and rank == 0:
        result.checkpoint, result.saved_elsewhere = save_run(out, {**payload_now(), "meta": translator.meta},
                                                             interrupted, optimizer, scheduler)
    if world > 1:
        dist.barrier()
        dist.destroy_process_group()
    return result


def check_resumable(payload: dict, model_cfg: ModelConfig | RNNConfig, cfg: TrainConfig, src_vocab: Vocab, tgt_vocab: Vocab,
                    world: int, source: str) -> None:
    """Refuse to resume ``payload`` with anything that would make it another run; name what differs."""
    check_resumable_payload(payload, source, model_cfg.to_dict(), _cfg_dict(cfg),
                            {"src_vocab": src_vocab.to_dict(), "tgt_vocab": tgt_vocab.to_dict()}, world)


def _cfg_dict(cfg: TrainConfig) -> dict:
    d = asdict(cfg)
    d["model_overrides"] = [list(kv) for kv in cfg.model_overrides]
    return d


def _distributed_setup() -> tuple[int, int]:
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world > 1 and not dist.is_initialized():
        dist.init_process_group(backend="nccl" if torch.cuda.is_available() else "gloo")
    return world, (dist.get_rank() if world > 1 else 0)


def _rank_checksums(model: nn.Module, world: int) -> list[float]:
    """Every process's sum of |weights| (float64), gathered: equal lists mean the ranks trained one model."""
    local = torch.stack([p.detach().double().abs().sum() for p in model.parameters()]).sum().reshape(1).cpu()
    gathered = [torch.zeros(1, dtype=torch.float64) for _ in range(world)]
    dist.all_gather(gathered, local)
    return [float(g) for g in gathered]
