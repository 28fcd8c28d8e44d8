"""Pick the device once; the same model code runs on CPU and CUDA."""

from __future__ import annotations

import os
import random

import torch


def pick_device(prefer: str | None = None) -> torch.device:
    """CUDA when available, else CPU. ``prefer`` (or $ATTN_DEVICE) forces one."""
    choice = prefer or os.environ.get("ATTN_DEVICE")
    if choice:
        if choice.startswith("cuda") and not torch.cuda.is_available():
            raise ValueError(f"device {choice!r} was asked for but CUDA is not available here; use 'cpu'")
        return torch.device(choice)
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def seed_everything(seed: int = 0) -> None:
    """Seed Python and torch, whose generators the model and the book draw from (the library's NumPy
    code makes its own seeded generators; :func:`attnlib.book.setup` seeds NumPy's global one too)."""
    random.seed(seed)
    torch.manual_seed(seed)

