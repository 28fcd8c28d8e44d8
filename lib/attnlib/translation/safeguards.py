"""What keeps a training run from losing work or handing back a broken model.

- **An unfinished run never takes the finished model's place.** Checkpoints saved along the way, and the
  one saved when a run is stopped, go beside ``--out`` (``translator.pt`` -> ``translator-unfinished.pt``);
  ``--out`` itself is written only when the run finishes, so ``translate``, ``evaluate`` and the book
  build never read a model stopped at step 82 of 4000.
- **A resumable run is not overwritten by another one** without ``--resume`` or ``--force``.
- **A batch that cannot fit in memory is refused** before the model is built, with the estimate.
- **A final save that fails goes elsewhere**, to a path the run names, instead of losing the training.
- **Ctrl-C or SIGTERM stops a run after the step in progress** (:class:`StopRequest`), which then saves.
- **A training command checks where it will write before any work** (:func:`check_output`).

The translator's training and the language models' (:mod:`attnlib.lm.train_command`) share all of these.
"""

from __future__ import annotations

import os
import signal
import tempfile
from pathlib import Path

import torch

from attnlib.files import FileWriteError, writable_target
from .checkpoint import TRANSLATOR, CheckpointError, CheckpointKind, load_checkpoint, save_checkpoint

UNFINISHED = "-unfinished"
BYTES_PER_LOGIT = 16  # float32 logits, their log-softmax and both gradients: the part of a step that grows as B·T·V


def unfinished_path(out: str | Path) -> Path:
    """Where a run writing ``out`` keeps its checkpoints until it finishes."""
    out = Path(out)
    return out.with_name(f"{out.stem}{UNFINISHED}{out.suffix}")


def resumable_step(path: Path, kind: CheckpointKind = TRANSLATOR) -> tuple[int, int] | None:
    """``(step, steps)`` of the run ``path`` holds, if it can be resumed (it has optimizer state); else None."""
    if not path.is_file():
        return None
    try:
        payload = load_checkpoint(path, kind=kind)
    except CheckpointError:
        return None  # not a checkpoint we could resume: replacing it loses no run
    if payload.get("optimizer") is None:
        return None
    return int(payload.get("step", 0)), int(payload.get("train", {}).get("steps", 0))


def refuse_to_overwrite_a_run(out: str | Path, kind: CheckpointKind = TRANSLATOR) -> None:
    """A new run (no --resume, no --force) would overwrite ``out`` or its unfinished checkpoint: refuse if
    either holds a run that could still be continued."""
    for path in (Path(out), unfinished_path(out)):
        found = resumable_step(path, kind)
        if found is not None:
            step, steps = found
            raise ValueError(f"{path} holds a run that can be continued (step {step} of {steps}): continue it with "
                             f"--resume {path}, or start a new run over it with --force")


def memory_bytes(device: torch.device) -> int | None:
    """The memory a run on ``device`` may use at most: the GPU's, or this machine's RAM."""
    if device.type == "cuda":
        return torch.cuda.mem_get_info(device)[1]
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):  # a system that does not say
        return None


def check_batch_fits(batch_size: int, max_len: int, vocab_size: int, device: torch.device) -> None:
    """Refuse a batch whose logits alone would take more than half the memory there is."""
    need = batch_size * max_len * vocab_size * BYTES_PER_LOGIT
    have = memory_bytes(device)
    if have is not None and need > have / 2:
        fits = max(1, int(have / 2 / (max_len * vocab_size * BYTES_PER_LOGIT)))
        raise ValueError(f"a batch of {batch_size:,} sentences needs about {need / 2**30:,.1f} GiB for its output "
                         f"layer alone, and this {device.type} has {have / 2**30:,.1f} GiB: use --batch-size {fits:,} "
                         f"or less")


def save_or_save_elsewhere(path: Path, payload: dict) -> tuple[Path, str | None]:
    """Save ``payload`` to ``path``; if that fails, to the temporary folder. Returns where it went, and why
    not to ``path`` (None when it went there)."""
    try:
        return save_checkpoint(path, payload), None
    except FileWriteError as err:
        fallback = Path(tempfile.gettempdir()) / f"{path.stem}-{os.getpid()}{path.suffix}"
        return save_checkpoint(fallback, payload), str(err)


def resumable(payload: dict, optimizer: torch.optim.Optimizer, scheduler) -> dict:
    """``payload`` with what it takes to continue the run, whatever ``--slim`` said."""
    return {**payload, "optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict()}


def save_run(out: str | Path, payload: dict, interrupted: bool, optimizer: torch.optim.Optimizer,
             scheduler) -> tuple[Path, str | None]:
    """The last save of a run: a finished one to ``out`` (what it saved along the way then goes), a stopped one
    beside it, resumable whatever ``payload`` says. Returns where it went, and why not there (None when it did)."""
    if interrupted:  # a stopped run must be resumable, and is not the finished model
        payload = resumable(payload, optimizer, scheduler)
    target = unfinished_path(out) if interrupted else Path(out)
    where, elsewhere = save_or_save_elsewhere(target, payload)
    if not interrupted and elsewhere is None:
        unfinished_path(out).unlink(missing_ok=True)  # the finished run supersedes what it saved on the way
    return where, elsewhere


def check_output(out: str | Path, kind: CheckpointKind = TRANSLATOR) -> None:
    """A ValueError unless a checkpoint can be written at ``out`` (and beside it, unfinished)."""
    out = Path(out)
    if out.is_dir():
        raise ValueError(f"--out {out} is a directory: give a file name, e.g. --out {out / kind.file}")
    for path in (out, unfinished_path(out)):
        try:
            writable_target(path)  # a device, a pipe or a socket is never replaced by a checkpoint
        except FileWriteError as err:
            raise ValueError(f"--out: {err}") from None
    parent = next((p for p in out.parents if p.exists()), Path("."))
    if not parent.is_dir():
        raise ValueError(f"--out {out}: {parent} is a file, so nothing can be saved under it")
    if not os.access(parent, os.W_OK):
        raise ValueError(f"--out {out}: {parent} is not writable")


class StopRequest:
    """Set by SIGINT or SIGTERM: the run ends after the step in progress, and saves. Call ``restore()`` after."""

    def __init__(self):
        self.requested = False
        self._previous = {sig: signal.signal(sig, self._handle) for sig in (signal.SIGINT, signal.SIGTERM)}

    def _handle(self, signum, frame) -> None:
        if self.requested:  # a second Ctrl-C: stop at once
            raise KeyboardInterrupt
        self.requested = True

    def __call__(self) -> bool:
        return self.requested

    def restore(self) -> None:
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)
