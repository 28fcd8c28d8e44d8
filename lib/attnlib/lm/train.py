"""Training the language models: the book's GPT (causal) and its BERT (masked) on the corpus's English.

    result = train(LM_TRAIN_PRESETS["cpu"].replace(kind="causal"), out="data/lm-causal.pt")
    result.lm.model, result.lm.vocab, result.history

:mod:`attnlib.lm.train_command` is the shell's ``python -m attnlib.lm train``. The steps are the
translator's (:mod:`attnlib.translation.loop`): Adam with warm-up and 1/√step decay, gradient clipping,
dropout and batches drawn from (seed, step) alone, saves along the way and on a stop request beside
``out`` (never over it), resumes that refuse another run, and no model of NaN. Only the batches
(:mod:`attnlib.lm.data`) and the loss (:func:`batch_loss`) differ: the causal model predicts every next
token, the masked one the words hidden by BERT's recipe. Every ``eval_every`` steps the record holds the
validation perplexity (causal) or pseudo-perplexity (masked, one hidden word per sentence) of
:mod:`attnlib.lm.scores`, on the first ``eval_sentences`` validation sentences.

The checkpoint holds the kind, the model's config, its weights in float32, the vocabulary, the training
settings and what the run measured (steps, seconds, torch's thread count, the hardware, the losses),
and, unless ``save_optimizer=False`` (the command's ``--slim``), what it takes to continue it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Callable, Sequence

import torch
from torch import nn

from attnlib.measure import describe_hardware
from attnlib.model.config import LM_PRESETS, LMConfig
from attnlib.model.device import pick_device
from attnlib.translation.checkpoint import load_checkpoint, save_checkpoint
from attnlib.translation.loop import RunResult, check_numbers, check_resumable_payload, check_seed, run_steps, start_run
from attnlib.translation.safeguards import check_batch_fits, resumable, save_run, unfinished_path
from attnlib.translation.vocab import Vocab
from .data import KINDS, SentenceBatches, build_vocab, causal_batch, english, masked_batch, masking_generator
from .scores import fill_cases, fill_scores, perplexity
from .trained import CHECKPOINT_KINDS, MODELS, TrainedLM

__all__ = ["LMTrainConfig", "LMTrainResult", "LM_TRAIN_PRESETS", "VALID_SEED", "batch_loss", "train"]

VALID_SEED = 0  # which word of each validation sentence the masked model's record hides


@dataclass(frozen=True)
class LMTrainConfig:
    """How to train a language model: its kind, model preset, steps, batch size, schedule, seed."""

    kind: str = "causal"  # "causal" (the book's GPT) or "masked" (its BERT)
    model: str = "cpu"  # an LMConfig preset
    steps: int = 4000  # about 7 minutes on one CPU thread; the causal model passes the trigram within 250
    batch_size: int = 64
    lr: float = 2e-3  # peak learning rate, reached at the end of warm-up
    warmup: int = 100
    clip: float = 1.0  # gradient-norm clipping
    seed: int = 0
    eval_every: int = 250
    eval_sentences: int = 500  # validation sentences scored at each record

    def __post_init__(self) -> None:  # checked here, before any work
        if self.kind not in KINDS:
            raise ValueError(f"kind must be causal (the book's GPT) or masked (its BERT), got {self.kind!r}")
        if self.model not in LM_PRESETS:
            raise ValueError(f"model must be one of the presets {sorted(LM_PRESETS)}, got {self.model!r}")
        check_numbers(self, ("steps", "batch_size", "warmup", "eval_every", "eval_sentences"))
        check_seed(self.seed)

    def replace(self, **changes) -> "LMTrainConfig":
        return replace(self, **changes)


LM_TRAIN_PRESETS = {
    "tiny": LMTrainConfig(model="tiny", steps=60, batch_size=16, warmup=10, eval_every=30, eval_sentences=40, lr=3e-3),
    "cpu": LMTrainConfig(),
    "gpu": LMTrainConfig(model="gpu", steps=1500, batch_size=256, lr=7e-4, warmup=300, eval_every=250),
}


@dataclass
class LMTrainResult(RunResult):
    lm: TrainedLM

    @property
    def meta(self) -> dict:
        return self.lm.meta


def batch_loss(model: nn.Module, inp: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """The loss one training step minimises: the mean cross-entropy of ``model``'s logits for ``inp (B, T)``
    against ``target (B, T)``, over the positions whose target is not ``<pad>``. For the causal model that
    is every next token; for the masked one, only the words BERT's recipe chose (the rest of its target is
    ``<pad>``, and costs nothing)."""
    logits = model(inp)  # (B, T, V)
    return nn.functional.cross_entropy(logits.float().flatten(0, 1), target.flatten(),  # (B·T, V), (B·T,)
                                       ignore_index=model.cfg.pad_id)


def validation_score(lm: TrainedLM, sentences: Sequence[str]) -> dict:
    """What a record says of the model: perplexity (causal) or pseudo-perplexity (masked) on ``sentences``."""
    if lm.kind == "causal":
        return {"valid_perplexity": round(perplexity(lm.model, lm.vocab, sentences), 4)}
    scores = fill_scores(lm.model, lm.vocab, fill_cases(sentences, VALID_SEED))
    return {"valid_pseudo_perplexity": round(scores.pseudo_perplexity, 4), "valid_top1": round(scores.accuracy[1], 4)}


def train(
    cfg: LMTrainConfig = LM_TRAIN_PRESETS["cpu"],
    *,
    out: str | Path | None = None,
    resume: str | Path | None = None,
    device: str | torch.device | None = None,
    sentences: Sequence[str] | None = None,
    valid: Sequence[str] | None = None,
    stop_at: int | None = None,
    save_optimizer: bool = True,
    progress: bool = True,
    save_every: int | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> LMTrainResult:
    """Train (or resume) a language model of ``cfg.kind`` on ``sentences`` (the train split's English by
    default); returns it with its history. ``stop_at`` ends early at that step (the schedule still follows
    ``cfg.steps``), as an interruption would. ``out``, ``resume``, ``save_every`` and ``should_stop`` work as
    in :func:`attnlib.translation.train.train`: until the run finishes its checkpoints go beside ``out``.
    """
    device = pick_device(str(device) if device is not None else None)
    sentences = english("train") if sentences is None else list(sentences)
    valid = english("valid") if valid is None else list(valid)
    if not sentences or not valid:
        raise ValueError(f"the {'training' if not sentences else 'validation'} split holds no sentences: "
                         f"regenerate the corpus with `python -m attnlib.translation corpus`")
    valid = valid[: cfg.eval_sentences]
    vocab = build_vocab(sentences, masked=cfg.kind == "masked")
    model_cfg = LMConfig.preset(cfg.model, vocab_size=len(vocab))
    longest = max(len(s.split()) for s in sentences)
    if longest + 2 > model_cfg.max_len:
        raise ValueError(f"a training sentence has {longest} words: with <bos> and <eos> it needs {longest + 2} "
                         f"positions, and the {cfg.model} model has {model_cfg.max_len}")
    check_batch_fits(cfg.batch_size, longest + 2, len(vocab), device)
    torch.manual_seed(cfg.seed)
    model = MODELS[cfg.kind](model_cfg).to(device)
    def same_run(payload: dict) -> None:
        check_resumable(payload, model_cfg, cfg, vocab, source=str(resume))

    def load(path, map_location):
        return load_checkpoint(path, map_location=map_location, kind=CHECKPOINT_KINDS[cfg.kind])

    optimizer, scheduler, state = start_run(model, cfg, device, resume, same_run, load)  # state: step, history, ...

    batches = SentenceBatches(sentences, cfg.batch_size, cfg.seed)
    lm = TrainedLM(cfg.kind, model, vocab)
    last = min(cfg.steps, stop_at if stop_at is not None else cfg.steps)

    def payload_now() -> dict:
        return {"kind": cfg.kind, "model_config": model_cfg.to_dict(), "model": float32_state(model),
                "vocab": vocab.to_dict(), "train": asdict(cfg), "meta": {**lm.meta, **state.meta()},
                "step": state.step, "optimizer": optimizer.state_dict() if save_optimizer else None,
                "scheduler": scheduler.state_dict() if save_optimizer else None}

    def loss_at(step: int) -> torch.Tensor:
        chunk = batches(step)
        if cfg.kind == "causal":
            inp, target = causal_batch(chunk, vocab)  # (B, T), (B, T)
        else:
            inp, target = masked_batch(chunk, vocab, masking_generator(cfg.seed, step))  # (B, T), (B, T)
        return batch_loss(model, inp.to(device), target.to(device))

    def on_record(record: dict) -> bool:
        record.update(validation_score(lm, valid))
        return False

    def save_along() -> None:
        save_checkpoint(unfinished_path(out), resumable(payload_now(), optimizer, scheduler))

    interrupted = run_steps(model, optimizer, scheduler, cfg, state, loss_at=loss_at, last=last, device=device,
                            on_record=on_record, should_stop=should_stop,
                            save_along=save_along if out is not None else None, save_every=save_every,
                            show_progress=progress)
    hardware = describe_hardware(device)
    interrupted = interrupted or (stop_at is not None and state.step < cfg.steps)  # stop_at plays an interruption
    final = state.history[-1] if state.history else {}
    lm.meta = {**state.meta(), "kind": cfg.kind, "hardware": hardware, "device": device.type,
               "threads": torch.get_num_threads(), "final_loss": state.running,
               **{k: v for k, v in final.items() if k.startswith("valid_")},
               "parameters": model.num_parameters(), "longest_sentence_words": longest, "interrupted": interrupted}
    result = LMTrainResult(lm=lm, history=state.history, train_seconds=state.train_seconds, hardware=hardware,
                           steps=state.step)
    if out is not None:
        result.checkpoint, result.saved_elsewhere = save_run(out, {**payload_now(), "meta": lm.meta}, interrupted,
                                                             optimizer, scheduler)
    return result


def float32_state(model: nn.Module) -> dict[str, torch.Tensor]:
    """The model's weights as float32 on the CPU: what a checkpoint keeps, whatever the training ran in.
    A tensor already so is kept as it is, so the tied embedding and head stay one tensor in the file."""
    return {k: v.detach().to("cpu", torch.float32) if v.is_floating_point() else v.detach().cpu()
            for k, v in model.state_dict().items()}


def check_resumable(payload: dict, model_cfg: LMConfig, cfg: LMTrainConfig, vocab: Vocab, source: str) -> None:
    """Refuse to resume ``payload`` with anything that would make it another run; name what differs."""
    check_resumable_payload(payload, source, model_cfg.to_dict(), asdict(cfg), {"vocab": vocab.to_dict()})
