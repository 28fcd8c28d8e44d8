"""Saving and loading a trained model: safe writes, safe loads, clear errors.

A checkpoint is one ``torch.save`` file holding only tensors and plain Python data,
so it loads with ``torch.load(weights_only=True)`` (no arbitrary code runs). The translator's:

    {"format": 1, "model_config": {...}, "model": state_dict,
     "src_vocab": {...}, "tgt_vocab": {...}, "train": {...}, "meta": {...},
     "optimizer": state_dict | None, "scheduler": state_dict | None, "step": int}

The language models' (:mod:`attnlib.lm.train`) hold one ``"vocab"`` and their ``"kind"`` instead of the
two vocabularies. A :class:`CheckpointKind` says which keys a kind of checkpoint must hold and which
command trains one, so that every message names the right one.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from attnlib.files import replacing

FORMAT = 1
REQUIRED = ("format", "model_config", "model", "src_vocab", "tgt_vocab")


class CheckpointError(ValueError):
    """A checkpoint that is missing, damaged, or does not fit the model it is loaded into."""


@dataclass(frozen=True)
class CheckpointKind:
    """What a kind of checkpoint must hold, and how a reader makes one: its messages name them."""

    name: str  # "translator": "<path> is not a translator checkpoint"
    required: tuple[str, ...]  # the keys it must hold
    make: str  # the make target that trains the shipped one
    train: str  # the command that trains one at {path}
    file: str  # the shipped one's file name, e.g. in a message

    def how_to_train(self, path: str | Path) -> str:
        return f"`{self.make}` (or `{self.train.format(path=path)}`)"


TRANSLATOR = CheckpointKind("translator", REQUIRED, "make translator",
                            "python -m attnlib.translation train --out {path}", "translator.pt")


def save_checkpoint(path: str | Path, payload: dict[str, Any]) -> Path:
    """Write ``payload`` to ``path`` safely (:func:`attnlib.files.replacing`): a crash or a full disk mid-write
    leaves the previous file as it was, and only a regular file or a new path is ever replaced."""
    with replacing(path) as f:
        torch.save({"format": FORMAT, **payload}, f)
    return Path(path)


def load_checkpoint(path: str | Path, map_location: str | torch.device = "cpu",
                    kind: CheckpointKind = TRANSLATOR) -> dict[str, Any]:
    """The payload of the ``kind`` checkpoint at ``path``, or a :class:`CheckpointError` that says what to do."""
    path = Path(path)
    if not path.exists():
        raise CheckpointError(f"no checkpoint at {path}: train one with {kind.how_to_train(path)}")
    if not path.is_file():
        raise CheckpointError(f"{path} is not a file (a directory?): give the path of a checkpoint file")
    if not os.access(path, os.R_OK):
        raise CheckpointError(f"{path} cannot be read (permission denied): check its permissions")
    if path.stat().st_size == 0:
        raise CheckpointError(f"{path} is empty (0 bytes): delete it and train again with `{kind.make}`")
    try:
        payload = torch.load(path, map_location=map_location, weights_only=True)
    except Exception as err:  # truncated zip, wrong file type, unpickling refused...
        reason = _first_sentences(str(err))
        raise CheckpointError(
            f"{path} is not a readable checkpoint ({type(err).__name__}: {reason}); "
            f"it may be truncated or not a checkpoint at all: delete it and train again with `{kind.make}`"
        ) from None
    if not isinstance(payload, dict) or any(k not in payload for k in kind.required):
        missing = [k for k in kind.required if not isinstance(payload, dict) or k not in payload]
        raise CheckpointError(f"{path} is not a {kind.name} checkpoint: it lacks {missing}")
    if payload["format"] != FORMAT:
        raise CheckpointError(f"{path} has checkpoint format {payload['format']}, this library reads format {FORMAT}")
    return payload


def _first_sentences(message: str, limit: int = 300) -> str:
    """What a library's error says, in one line. torch's weights-only refusal opens with a paragraph of
    advice and gives its reason (the global it will not load) after it: that reason is the line kept."""
    lines = [l.strip() for l in message.splitlines() if l.strip()]
    if lines and lines[0].startswith("Weights only load failed"):
        reason = next((l for l in lines[1:] if "GLOBAL" in l or "Unsupported" in l), "")
        return ("it holds Python objects, not only tensors and plain data, and this library never runs code from "
                "a checkpoint" + (f" ({reason.rstrip('.')})" if reason else ""))[:limit]
    reason = lines[0] if lines else ""
    return reason if len(reason) <= limit else reason[: limit - 1] + "…"


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
