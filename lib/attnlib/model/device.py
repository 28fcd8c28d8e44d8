"""Pick the device once; the same model code runs on CPU and CUDA."""

from __future__ import annotations

import os
import random

import numpy as np
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
    """Seed Python, NumPy and torch so that every figure in the book is reproducible."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def cpu_name() -> str:
    """The processor's model name (from /proc/cpuinfo on Linux), else the machine type."""
    import platform

    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def describe_hardware(device: torch.device | str | None = None) -> str:
    """One line naming the hardware a timing ran on: the CPU, or the GPU when ``device`` is CUDA."""
    device = torch.device(device or "cpu")
    text = f"{cpu_name()}, {os.cpu_count()} CPU cores, torch {torch.__version__}, {torch.get_num_threads()} thread{'s' * (torch.get_num_threads() != 1)}"
    if device.type == "cuda":
        text = f"{torch.cuda.get_device_name(device)} (CUDA {torch.version.cuda}); host: " + text
    return text
