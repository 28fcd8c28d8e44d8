"""What the training commands share: ``python -m attnlib.translation train`` and ``python -m attnlib.lm train``.

    add_training_arguments(parser, default_out)      # --steps --batch-size --lr --warmup --seed --out --resume ...
    cfg = presets[name].replace(**training_changes(args))
    check_run_arguments(args, kind)                  # where to write, how often to save, where to run, what to resume
    result = run_stoppable(lambda stop: train(..., should_stop=stop))   # Ctrl-C or SIGTERM: stop after the step, save
    status = report_stop(result, cfg.steps, args.out)                  # 130 and how to continue, if stopped

Every argument is checked before any work starts; whatever goes wrong after is said in one line.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Callable, TypeVar

from attnlib.model.device import pick_device
from .checkpoint import TRANSLATOR, CheckpointError, CheckpointKind
from .loop import TrainingDiverged
from .safeguards import StopRequest, check_output, refuse_to_overwrite_a_run

R = TypeVar("R")

__all__ = ["add_training_arguments", "check_run_arguments", "report_stop", "run_stoppable", "training_changes"]


def add_training_arguments(parser: argparse.ArgumentParser, default_out: Path) -> None:
    """The arguments every training command takes besides its preset: the settings a preset's may be
    changed by, where to save, what to resume, where to run, and how."""
    parser.add_argument("--steps", type=int)
    parser.add_argument("--batch-size", type=int)
    parser.add_argument("--lr", type=float)
    parser.add_argument("--warmup", type=int)
    parser.add_argument("--seed", type=int)
    parser.add_argument("--out", type=Path, default=default_out)
    parser.add_argument("--resume", type=Path)
    parser.add_argument("--device", default=None, help="cpu or cuda (default: cuda when available)")
    parser.add_argument("--slim", action="store_true", help="save without optimizer state (a smaller file; cannot resume)")
    parser.add_argument("--no-progress", action="store_true")
    parser.add_argument("--save-every", type=int, default=None,
                        help="also save a resumable checkpoint every N steps (and always on Ctrl-C or SIGTERM), "
                             "beside --out until the run finishes")
    parser.add_argument("--force", action="store_true",
                        help="start a new run even where --out (or its unfinished checkpoint) holds one that could be continued")


def training_changes(args: argparse.Namespace) -> dict:
    """The settings the command line changes in its preset."""
    return {k: v for k, v in {"steps": args.steps, "batch_size": args.batch_size, "lr": args.lr,
                              "warmup": args.warmup, "seed": args.seed}.items() if v is not None}


def check_run_arguments(args: argparse.Namespace, kind: CheckpointKind = TRANSLATOR) -> None:
    """What a training command can get wrong besides its training settings, as ValueErrors, before any work:
    where to write (:func:`~attnlib.translation.safeguards.check_output`), how often to save, where to run,
    what to resume, and a new run over one that could be continued
    (:func:`~attnlib.translation.safeguards.refuse_to_overwrite_a_run`)."""
    check_output(args.out, kind)
    if args.save_every is not None and args.save_every < 1:
        raise ValueError(f"--save-every must be at least 1, got {args.save_every}")
    if args.device is not None:
        device = args.device
        if not (device in ("cpu", "cuda") or device.startswith("cuda:") and device[5:].isdigit()):
            raise ValueError(f"--device {device}: use cpu, cuda or cuda:N")
        pick_device(device)  # cuda on a machine without it: said now, not after loading the data
    if args.resume is not None and not Path(args.resume).is_file():
        raise ValueError(f"--resume {args.resume}: no such checkpoint")
    if args.resume is None and not args.force:
        refuse_to_overwrite_a_run(args.out, kind)


def run_stoppable(run: Callable[[StopRequest], R]) -> R | None:
    """``run(stop)`` with Ctrl-C and SIGTERM turned into a stop request (the run ends after the step in
    progress, and saves); a run that fails says why in one line on stderr and gives None."""
    stop = StopRequest()  # under torchrun too: any process's request stops them all
    try:
        return run(stop)
    except (CheckpointError, ValueError, OSError, TrainingDiverged) as err:
        print(f"error: {err}", file=sys.stderr)
        return None
    finally:
        stop.restore()


def report_stop(result, steps: int, out: Path) -> int | None:
    """Say where a run was saved when not at ``out``: elsewhere (a failed save), or beside it (a stopped run,
    then exit status 130 with how to continue). None for a run that finished where it was asked to."""
    if result.saved_elsewhere:
        print(f"warning: {result.saved_elsewhere}; the run is saved at {result.checkpoint} instead", file=sys.stderr)
    if result.meta.get("interrupted"):
        print(f"stopped at step {result.steps} of {steps}; saved {result.checkpoint} ({out} is unchanged): "
              f"continue with --resume {result.checkpoint}", file=sys.stderr)
        return 130
    return None
