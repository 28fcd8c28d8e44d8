"""Training the translator: the loop, its schedule and its batches, resumable and distributed.

    result = train(TRAIN_PRESETS["cpu"], out="data/translator.pt")   # the book, the shell and the tests

:mod:`attnlib.translation.train_command` is the shell's ``python -m attnlib.translation train``. The same code runs on CPU and CUDA (bf16 autocast there). Every step's batch and
dropout noise are derived from (seed, step) alone, so a run resumed from a
checkpoint ends with exactly the weights of an uninterrupted run on CPU.
"""

from __future__ import annotations

import math
import os
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Callable

import torch
import torch.distributed as dist
from torch import nn

from attnlib.model.config import ModelConfig
from attnlib.measure import describe_hardware
from attnlib.model.device import pick_device
from attnlib.model.transformer import Transformer
from .checkpoint import CheckpointError, load_checkpoint, load_state, save_checkpoint
from .safeguards import check_batch_fits, save_or_save_elsewhere, unfinished_path
from .corpus import Pair, load_split
from .evaluate import bleu
from .translator import Translator
from .vocab import Batch, Vocab, build_vocabs, make_batches


@dataclass(frozen=True)
class TrainConfig:
    """How to train: model preset, steps, batch size, learning-rate schedule, regularisation, seed."""

    model: str = "cpu"  # a ModelConfig preset
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

    def __post_init__(self) -> None:
        # checked here, before any work: a zero warm-up or batch would fail only deep inside a run
        for name in ("steps", "batch_size", "warmup", "eval_every", "eval_pairs", "max_len"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a whole number of at least 1, got {value!r}")
        for name, top in (("lr", 1.0), ("clip", 1e6)):  # inf or 1e30 would train to NaN and save it
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or not 0 < value <= top:
                raise ValueError(f"{name} must be a number above 0 and at most {top:g}, got {value!r}")
        if not isinstance(self.label_smoothing, (int, float)) or not 0 <= self.label_smoothing < 1:
            raise ValueError(f"label_smoothing must be in [0, 1), got {self.label_smoothing!r}")
        if not isinstance(self.seed, int) or not 0 <= self.seed < 2**32:
            raise ValueError(f"seed must be a whole number from 0 to 2**32 - 1, got {self.seed!r}")

    def replace(self, **changes) -> "TrainConfig":
        return replace(self, **changes)


TRAIN_PRESETS = {
    "tiny": TrainConfig(model="tiny", steps=60, batch_size=16, warmup=10, eval_every=30, eval_pairs=40, lr=3e-3),
    "cpu": TrainConfig(),
    "gpu": TrainConfig(model="gpu", steps=1500, batch_size=256, lr=7e-4, warmup=300, eval_every=250),
}

def make_optimizer(model: nn.Module, lr: float) -> torch.optim.Adam:
    """Adam with the Transformer paper's betas and epsilon, in PyTorch's fused form: one kernel updates
    every parameter, instead of a loop over ~90 tensors (Q, K and V are separate here, so the loop costs)."""
    return torch.optim.Adam(model.parameters(), lr=lr, betas=(0.9, 0.98), eps=1e-9, fused=True)


def lr_at(step: int, cfg: TrainConfig) -> float:
    """Linear warm-up to ``cfg.lr`` over ``cfg.warmup`` steps, then decay as 1/√step (step counts from 1)."""
    step = max(step, 1)
    return cfg.lr * min(step / cfg.warmup, math.sqrt(cfg.warmup / step))


class BatchStream:
    """Batch number ``step`` of an endless, reproducible sequence of shuffled epochs."""

    def __init__(self, pairs: list[Pair], src_vocab: Vocab, tgt_vocab: Vocab, cfg: TrainConfig):
        self.pairs, self.src_vocab, self.tgt_vocab, self.cfg = pairs, src_vocab, tgt_vocab, cfg
        self.per_epoch = math.ceil(len(pairs) / cfg.batch_size)
        self._epoch, self._batches = -1, []

    def __call__(self, step: int) -> Batch:
        epoch, index = divmod(step, self.per_epoch)
        if epoch != self._epoch:
            self._epoch = epoch
            self._batches = list(make_batches(self.pairs, self.src_vocab, self.tgt_vocab, self.cfg.batch_size,
                                              shuffle_seed=self.cfg.seed * 1000 + epoch, max_len=self.cfg.max_len))
        return self._batches[index]


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


class TrainingDiverged(RuntimeError):
    """The loss stopped being a number: the weights are lost to NaN or infinity from that step on."""


@dataclass
class TrainResult:
    translator: Translator
    history: list[dict] = field(default_factory=list)
    train_seconds: float = 0.0
    hardware: str = ""
    steps: int = 0
    checkpoint: Path | None = None
    saved_elsewhere: str | None = None  # why the checkpoint is not where it was asked to go

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
    model_cfg = ModelConfig.preset(cfg.model, src_vocab_size=len(src_vocab), tgt_vocab_size=len(tgt_vocab),
                                   **dict(cfg.model_overrides))
    torch.manual_seed(cfg.seed)
    model = Transformer(model_cfg).to(device)
    optimizer = make_optimizer(model, cfg.lr)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: lr_at(s + 1, cfg) / cfg.lr)
    step, history, train_seconds, running = 0, [], 0.0, None  # running: smoothed training loss
    if resume is not None:
        payload = load_checkpoint(resume, map_location=device)
        if payload.get("optimizer") is None:
            raise CheckpointError(f"{resume} was saved without optimizer state, so training cannot resume from it")
        check_resumable(payload, model_cfg, cfg, src_vocab, tgt_vocab, world, source=str(resume))
        if payload["step"] > cfg.steps:
            raise CheckpointError(f"{resume} is at step {payload['step']} already: ask for at least that many --steps")
        load_state(model, payload["model"], source=str(resume))
        optimizer.load_state_dict(payload["optimizer"])
        scheduler.load_state_dict(payload["scheduler"])
        step, history = payload["step"], list(payload["meta"].get("history", []))
        train_seconds = payload["meta"].get("train_seconds", 0.0)
        running = payload["meta"].get("running_loss")

    net = nn.parallel.DistributedDataParallel(model) if world > 1 else model
    loss_fn = nn.CrossEntropyLoss(ignore_index=model_cfg.pad_id, label_smoothing=cfg.label_smoothing)
    stream = BatchStream(train_pairs, src_vocab, tgt_vocab, cfg)
    translator = Translator(model, src_vocab, tgt_vocab)
    last = min(cfg.steps, stop_at if stop_at is not None else cfg.steps)
    bar = _progress(progress and rank == 0, total=cfg.steps, initial=step)

    def payload_now() -> dict:
        return {"model_config": model_cfg.to_dict(), "model": model.state_dict(),
                "src_vocab": src_vocab.to_dict(), "tgt_vocab": tgt_vocab.to_dict(),
                "train": _cfg_dict(cfg), "meta": {**translator.meta, "history": history, "steps": step,
                                                  "train_seconds": round(train_seconds, 2), "world_size": world,
                                                  "running_loss": running},
                "step": step, "optimizer": optimizer.state_dict() if save_optimizer else None,
                "scheduler": scheduler.state_dict() if save_optimizer else None}

    interrupted = False
    while step < last:
        model.train()
        started = time.perf_counter()
        torch.manual_seed(cfg.seed * 1_000_003 + step)  # this step's dropout, whatever came before
        batch = shard(stream(step), rank, world).to(device)
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=device.type == "cuda"):
            logits = net(batch.src, batch.tgt_in)  # (B, T, V)
            loss = loss_fn(logits.float().flatten(0, 1), batch.tgt_out.flatten())
        if _agree(not bool(torch.isfinite(loss)), world, device):  # any rank: the next all-reduce spreads it
            raise TrainingDiverged(f"the loss became {loss.item()} at step {step + 1}, so the weights would be lost to "
                                   f"NaN: lower the learning rate (it was {cfg.lr:g}); nothing from this step on was saved")
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.clip)
        optimizer.step()
        scheduler.step()
        step += 1
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        train_seconds += time.perf_counter() - started
        running = loss.item() if running is None else 0.9 * running + 0.1 * loss.item()
        bar.update(1)
        bar.set_postfix(loss=f"{running:.3f}", lr=f"{scheduler.get_last_lr()[0]:.2e}")
        if step % cfg.eval_every == 0 or step == last:
            record = {"step": step, "loss": round(running, 4), "lr": scheduler.get_last_lr()[0],
                      "train_seconds": round(train_seconds, 2)}
            if rank == 0:
                model.eval()
                sample = valid_pairs[: cfg.eval_pairs]
                record["valid_bleu"] = round(bleu(translator.translate_batch([p.src for p in sample]),
                                                  [p.tgt for p in sample]), 2)
            history.append(record)
            if rank == 0 and on_eval is not None:
                on_eval(history, translator)  # may add to the record: what else a run keeps is up to its caller
            # decided on rank 0 (only it has the validation score) and shared: a rank that
            # stopped alone would leave the others waiting for it in the next step's all-reduce
            if _agree(stop_when is not None and rank == 0 and bool(stop_when(record)), world, device):
                break
        if should_stop is not None and _agree(should_stop(), world, device):
            interrupted = True
            break
        if out is not None and rank == 0 and save_every and step % save_every == 0 and step < last:
            save_checkpoint(unfinished_path(out), {**payload_now(), "optimizer": optimizer.state_dict(),
                                                   "scheduler": scheduler.state_dict()})  # resumable, whatever --slim says
    bar.close()
    model.eval()
    hardware = describe_hardware(device)
    translator.meta = {"history": history, "train_seconds": round(train_seconds, 2), "hardware": hardware,
                       "device": device.type, "world_size": world, "steps": step, "running_loss": running,
                       # how long a sentence the translator has seen: it refuses much longer ones (Translator.max_words)
                       "longest_source_words": max(len(p.src.split()) for p in train_pairs)}
    if world > 1:
        translator.meta["rank_checksums"] = _rank_checksums(model, world)
    interrupted = interrupted or (stop_at is not None and step < cfg.steps)  # stop_at plays an interruption
    translator.meta["interrupted"] = interrupted
    result = TrainResult(translator, history, train_seconds, hardware, step)
    if out is not None and rank == 0:
        payload = {**payload_now(), "meta": translator.meta}
        if interrupted:  # a stopped run must be resumable, and is not the finished model
            payload.update(optimizer=optimizer.state_dict(), scheduler=scheduler.state_dict())
        target = unfinished_path(out) if interrupted else Path(out)
        result.checkpoint, result.saved_elsewhere = save_or_save_elsewhere(target, payload)
        if not interrupted and result.saved_elsewhere is None:
            unfinished_path(out).unlink(missing_ok=True)  # the finished run supersedes what it saved on the way
    if world > 1:
        dist.barrier()
        dist.destroy_process_group()
    return result


#: Settings that may change when a run is resumed: more steps extend a finished run.
RESUMABLE_CHANGES = ("steps",)


def check_resumable(payload: dict, model_cfg: ModelConfig, cfg: TrainConfig, src_vocab: Vocab, tgt_vocab: Vocab,
                    world: int, source: str) -> None:
    """Refuse to resume ``payload`` with anything that would make it another run; name what differs."""
    kinds = {"model_config": dict, "train": dict, "optimizer": dict, "scheduler": dict, "step": int, "meta": dict}
    malformed = [k for k, kind in kinds.items() if not isinstance(payload.get(k), kind)]
    if malformed or payload["step"] < 0:
        raise CheckpointError(f"{source} cannot be resumed: its {', '.join(malformed) or 'step'} "
                              f"{'is' if len(malformed) < 2 else 'are'} missing or malformed; start a new run")
    differ = [f"model {k}: {v!r} in the checkpoint, {model_cfg.to_dict().get(k)!r} now"
              for k, v in payload["model_config"].items() if model_cfg.to_dict().get(k) != v]
    now = _cfg_dict(cfg)
    differ += [f"{k}: {v!r} in the checkpoint, {now.get(k)!r} now" for k, v in payload["train"].items()
               if k not in RESUMABLE_CHANGES and now.get(k) != v]
    for name, vocab in (("src_vocab", src_vocab), ("tgt_vocab", tgt_vocab)):
        if payload[name] != vocab.to_dict():  # the same ids must mean the same words
            differ.append(f"{name}: the checkpoint's vocabulary differs from this training data's")
    trained_on = payload.get("meta", {}).get("world_size", 1)
    if trained_on != world:
        differ.append(f"world_size: {trained_on} process(es) in the checkpoint, {world} now")
    if differ:
        raise CheckpointError(f"{source} was trained with another configuration; resume with the same settings. "
                              "Differs: " + "; ".join(differ))


def _cfg_dict(cfg: TrainConfig) -> dict:
    d = asdict(cfg)
    d["model_overrides"] = [list(kv) for kv in cfg.model_overrides]
    return d


def _agree(decision: bool, world: int, device: torch.device) -> bool:
    """True on every rank if ``decision`` is true on any (a stop asked of one process stops them all)."""
    if world == 1:
        return decision
    flag = torch.tensor([int(decision)], device=device)
    dist.all_reduce(flag, op=dist.ReduceOp.MAX)
    return bool(flag.item())


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


class _NoBar:
    def update(self, n): pass
    def set_postfix(self, **kw): pass
    def close(self): pass


def _progress(enabled: bool, total: int, initial: int):
    if not enabled:
        return _NoBar()
    from tqdm.auto import tqdm

    return tqdm(total=total, initial=initial, desc="training", unit="step", mininterval=1.0)
