"""Saving and loading a trained translator: atomic writes, safe loads, clear errors.

A checkpoint is one ``torch.save`` file holding only tensors and plain Python data,
so it loads with ``torch.load(weights_only=True)`` (no arbitrary code runs):

    {"format": 1, "model_config": {...}, "model": state_dict,
     "src_vocab": {...}, "tgt_vocab": {...}, "train": {...}, "meta": {...},
     "optimizer": state_dict | None, "scheduler": state_dict | None, "step": int}
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import torch

FORMAT = 1
REQUIRED = ("format", "model_config", "model", "src_vocab", "tgt_vocab")


class CheckpointError(ValueError):
    """A checkpoint that is missing, damaged, or does not fit the model it is loaded into."""


def save_checkpoint(path: str | Path, payload: dict[str, Any]) -> Path:
    """Write ``payload`` to ``path`` atomically: a crash mid-write never leaves a truncated file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    for orphan in path.parent.glob(f".{path.name}.*.tmp"):  # left by a save that was killed mid-write
        orphan.unlink(missing_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            torch.save({"format": FORMAT, **payload}, f)
            f.flush()
            os.fsync(f.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes the file private; a checkpoint is an ordinary file
        os.replace(tmp, path)  # atomic on POSIX: readers see the old file or the new one
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def load_checkpoint(path: str | Path, map_location: str | torch.device = "cpu") -> dict[str, Any]:
    path = Path(path)
    if not path.exists():
        raise CheckpointError(
            f"no checkpoint at {path}: train one with `make translator` "
            f"(or `python -m attnlib.translation train --out {path}`)"
        )
    if path.is_file() and path.stat().st_size == 0:
        raise CheckpointError(f"{path} is empty (0 bytes): delete it and train again with `make translator`")
    try:
        payload = torch.load(path, map_location=map_location, weights_only=True)
    except Exception as err:  # truncated zip, wrong file type, unpickling refused...
        first_line = (str(err).splitlines() or [""])[0][:200]
        raise CheckpointError(
            f"{path} is not a readable checkpoint ({type(err).__name__}: {first_line}); "
            f"it may be truncated or not a checkpoint at all: delete it and train again with `make translator`"
        ) from None
    if not isinstance(payload, dict) or any(k not in payload for k in REQUIRED):
        missing = [k for k in REQUIRED if not isinstance(payload, dict) or k not in payload]
        raise CheckpointError(f"{path} is not a translator checkpoint: it lacks {missing}")
    if payload["format"] != FORMAT:
        raise CheckpointError(f"{path} has checkpoint format {payload['format']}, this library reads format {FORMAT}")
    return payload


def load_state(model: torch.nn.Module, state: dict[str, torch.Tensor], source: str = "checkpoint") -> None:
    """``load_state_dict`` with a message that names what does not fit."""
    own = model.state_dict()
    missing = sorted(set(own) - set(state))
    unexpected = sorted(set(state) - set(own))
    wrong = [f"{k}: checkpoint {tuple(state[k].shape)} vs model {tuple(own[k].shape)}"
             for k in own if k in state and own[k].shape != state[k].shape]
    if missing or unexpected or wrong:
        parts = []
        if missing:
            parts.append(f"missing {missing[:5]}{' …' if len(missing) > 5 else ''}")
        if unexpected:
            parts.append(f"unexpected {unexpected[:5]}{' …' if len(unexpected) > 5 else ''}")
        if wrong:
            parts.append("shape mismatch " + "; ".join(wrong[:3]))
        raise CheckpointError(f"the {source} does not fit this model ({', '.join(parts)}): "
                              f"was it trained with another configuration or vocabulary?")
    model.load_state_dict(state)
