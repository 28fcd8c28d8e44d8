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

from .alignment import SNAPSHOT_SENTENCES, attention_snapshots
from .checkpoint import load_checkpoint, save_checkpoint
from .corpus import SPLITS, load_split
from .evaluate import evaluate
from .safeguards import StopRequest
from .train import TRAIN_PRESETS, TrainResult, train
from .train_shell import add_training_arguments, check_run_arguments, report_stop, run_stoppable, training_changes
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
    add_training_arguments(parser, DEFAULT_CHECKPOINT)
    parser.add_argument("--score", nargs="*", default=["test", "generalisation"],
                        help="splits scored after training and recorded in the checkpoint")
    args = parser.parse_args(argv)
    preset = args.preset or ("gpu" if torch.cuda.is_available() else "cpu")
    try:  # every argument is checked before any work starts
        cfg = TRAIN_PRESETS[preset].replace(**training_changes(args))
        check_arguments(args)
    except ValueError as err:
        parser.error(str(err))  # usage, the message, exit status 2

    def run(stop: StopRequest) -> TrainResult:
        result = train(cfg, out=args.out, resume=args.resume, device=args.device,
                       save_optimizer=not args.slim, progress=not args.no_progress, on_eval=record_snapshots,
                       save_every=args.save_every, should_stop=stop)
        if args.score and result.checkpoint is not None and not result.meta.get("interrupted"):
            store_scores(result, args.score)
        return result

    result = run_stoppable(run)
    if result is None:
        return 1
    if int(os.environ.get("RANK", "0")) != 0:  # rank 0 saves and speaks for the run
        return 130 if result.meta.get("interrupted") else 0
    stopped = report_stop(result, cfg.steps, args.out)
    if stopped is not None:
        return stopped
    last = result.history[-1] if result.history else {}
    print(f"trained {result.steps} steps in {result.train_seconds:.1f} s on {result.hardware}; "
          f"validation BLEU {last.get('valid_bleu', float('nan')):.2f}; saved {result.checkpoint}")
    for split, s in result.meta.get("scores", {}).items():
        print(f"  {split}: BLEU {s['bleu']:.2f}  chrF {s['chrf']:.2f}  exact {100 * s['exact_match']:.1f}%")
    return 0


def check_arguments(args: argparse.Namespace) -> None:
    """What the command line can get wrong outside the training settings: what to score, where to write, where
    to run (:func:`~attnlib.translation.train_shell.check_run_arguments`)."""
    unknown = [s for s in args.score if s not in SPLITS]
    if unknown:
        raise ValueError(f"--score {' '.join(unknown)}: no such split; choose from {', '.join(SPLITS)}")
    check_run_arguments(args)


_StopRequest = StopRequest  # still importable from here by its former name


if __name__ == "__main__":
    sys.exit(main())
