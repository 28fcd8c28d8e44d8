"""Training from the shell: ``python -m attnlib.translation train``, the command behind ``make translator``.

    python -m attnlib.translation train --preset cpu --out data/translator.pt
    torchrun --nproc_per_node=2 -m attnlib.translation train --preset tiny --out /tmp/t.pt   # DistributedDataParallel

Every argument is checked before any work starts. Around :func:`attnlib.translation.train.train` the
command keeps what the book shows of a run: the attention of a few sentences at every evaluation
(:func:`record_snapshots`) and, after training, the scores of whole splits (:func:`store_scores`),
both saved in the checkpoint. Ctrl-C or SIGTERM ends the run after the step in progress and saves it
beside ``--out`` (``translator-unfinished.pt``: see :mod:`attnlib.translation.safeguards`), so that an
unfinished model never replaces a finished one; ``--resume`` continues it.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import torch

from attnlib.files import FileWriteError, writable_target
from attnlib.model.device import pick_device
from .alignment import SNAPSHOT_SENTENCES, attention_snapshots
from .checkpoint import CheckpointError, load_checkpoint, save_checkpoint
from .corpus import SPLITS, load_split
from .evaluate import evaluate
from .safeguards import refuse_to_overwrite_a_run, unfinished_path
from .train import TRAIN_PRESETS, TrainingDiverged, TrainResult, train
from .translator import DEFAULT_CHECKPOINT, Translator


def record_snapshots(history: list[dict], translator: Translator) -> None:
    """``on_eval``: keep the cross-attention of :data:`SNAPSHOT_SENTENCES` in the newest record."""
    translator.model.eval()
    history[-1]["attention"] = attention_snapshots(translator, SNAPSHOT_SENTENCES)


def store_scores(result: TrainResult, splits: list[str]) -> None:
    """Score the trained translator on whole ``splits`` and add the scores to its saved checkpoint's meta."""
    scores = {split: evaluate(result.translator, load_split(split), split).summary() for split in splits}
    result.translator.meta["scores"] = scores
    payload = load_checkpoint(result.checkpoint)
    payload["meta"]["scores"] = scores
    save_checkpoint(result.checkpoint, payload)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m attnlib.translation train", description=__doc__.split("\n\n")[0])
    parser.add_argument("--preset", default=None, choices=sorted(TRAIN_PRESETS),
                        help="training preset (default: gpu when CUDA is available, else cpu)")
    parser.add_argument("--steps", type=int)
    parser.add_argument("--batch-size", type=int)
    parser.add_argument("--lr", type=float)
    parser.add_argument("--warmup", type=int)
    parser.add_argument("--seed", type=int)
    parser.add_argument("--out", type=Path, default=DEFAULT_CHECKPOINT)
    parser.add_argument("--resume", type=Path)
    parser.add_argument("--device", default=None, help="cpu or cuda (default: cuda when available)")
    parser.add_argument("--slim", action="store_true", help="save without optimizer state (a smaller file; cannot resume)")
    parser.add_argument("--no-progress", action="store_true")
    parser.add_argument("--score", nargs="*", default=["test", "generalisation"],
                        help="splits scored after training and recorded in the checkpoint")
    parser.add_argument("--save-every", type=int, default=None,
                        help="also save a resumable checkpoint every N steps (and always on Ctrl-C or SIGTERM), "
                             "beside --out until the run finishes")
    parser.add_argument("--force", action="store_true",
                        help="start a new run even where --out (or its unfinished checkpoint) holds one that could be continued")
    args = parser.parse_args(argv)
    preset = args.preset or ("gpu" if torch.cuda.is_available() else "cpu")
    changes = {k: v for k, v in {"steps": args.steps, "batch_size": args.batch_size, "lr": args.lr,
                                  "warmup": args.warmup, "seed": args.seed}.items() if v is not None}
    try:  # every argument is checked before any work starts
        cfg = TRAIN_PRESETS[preset].replace(**changes)
        check_arguments(args)
    except ValueError as err:
        parser.error(str(err))  # usage, the message, exit status 2
    stop = _StopRequest()  # under torchrun too: any process's request stops them all
    try:
        result = train(cfg, out=args.out, resume=args.resume, device=args.device,
                       save_optimizer=not args.slim, progress=not args.no_progress, on_eval=record_snapshots,
                       save_every=args.save_every, should_stop=stop)
        if args.score and result.checkpoint is not None and not result.meta.get("interrupted"):
            store_scores(result, args.score)
    except (CheckpointError, ValueError, OSError, TrainingDiverged) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    finally:
        stop.restore()
    if int(os.environ.get("RANK", "0")) != 0:  # rank 0 saves and speaks for the run
        return 130 if result.meta.get("interrupted") else 0
    if result.saved_elsewhere:
        print(f"warning: {result.saved_elsewhere}; the run is saved at {result.checkpoint} instead", file=sys.stderr)
    if result.meta.get("interrupted"):
        print(f"stopped at step {result.steps} of {cfg.steps}; saved {result.checkpoint} ({args.out} is unchanged): "
              f"continue with --resume {result.checkpoint}", file=sys.stderr)
        return 130
    last = result.history[-1] if result.history else {}
    print(f"trained {result.steps} steps in {result.train_seconds:.1f} s on {result.hardware}; "
          f"validation BLEU {last.get('valid_bleu', float('nan')):.2f}; saved {result.checkpoint}")
    for split, s in result.meta.get("scores", {}).items():
        print(f"  {split}: BLEU {s['bleu']:.2f}  chrF {s['chrf']:.2f}  exact {100 * s['exact_match']:.1f}%")
    return 0


def check_arguments(args: argparse.Namespace) -> None:
    """What the command line can get wrong outside the training settings: where to write, what to score, where to run."""
    out = Path(args.out)
    if out.is_dir():
        raise ValueError(f"--out {out} is a directory: give a file name, e.g. --out {out / 'translator.pt'}")
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
    unknown = [s for s in args.score if s not in SPLITS]
    if unknown:
        raise ValueError(f"--score {' '.join(unknown)}: no such split; choose from {', '.join(SPLITS)}")
    if args.save_every is not None and args.save_every < 1:
        raise ValueError(f"--save-every must be at least 1, got {args.save_every}")
    if args.device is not None:
        if not (args.device in ("cpu", "cuda") or args.device.startswith("cuda:") and args.device[5:].isdigit()):
            raise ValueError(f"--device {args.device}: use cpu, cuda or cuda:N")
        pick_device(args.device)  # cuda on a machine without it: said now, not after loading the data
    if args.resume is not None and not Path(args.resume).is_file():
        raise ValueError(f"--resume {args.resume}: no such checkpoint")
    if args.resume is None and not args.force:
        refuse_to_overwrite_a_run(out)


class _StopRequest:
    """Set by SIGINT or SIGTERM: the run ends after the step in progress, and saves."""

    def __init__(self):
        import signal

        self.requested = False
        self._previous = {sig: signal.signal(sig, self._handle) for sig in (signal.SIGINT, signal.SIGTERM)}

    def _handle(self, signum, frame) -> None:
        if self.requested:  # a second Ctrl-C: stop at once
            raise KeyboardInterrupt
        self.requested = True

    def __call__(self) -> bool:
        return self.requested

    def restore(self) -> None:
        import signal

        for sig, handler in self._previous.items():
            signal.signal(sig, handler)


if __name__ == "__main__":
    sys.exit(main())
