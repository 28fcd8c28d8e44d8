"""Training a language model from the shell: ``python -m attnlib.lm train``, the command behind ``make lm``.

    python -m attnlib.lm train --kind causal --slim            # data/lm-causal.pt, the book's GPT
    python -m attnlib.lm train --kind masked --slim            # data/lm-masked.pt, the book's BERT
    python -m attnlib.lm train --kind causal --preset tiny --steps 50 --out /tmp/gpt.pt --save-every 10

It keeps the translator's safeguards (:mod:`attnlib.translation.train_shell`): every argument is checked
before any work; Ctrl-C or SIGTERM ends the run after the step in progress and saves it beside ``--out``
(``lm-causal-unfinished.pt``), so an unfinished model never replaces the shipped one; ``--resume``
continues it; a new run refuses to overwrite one that could still be continued unless told ``--force``.
``--threads N`` runs torch on N threads (the shipped models were trained on one).
"""

from __future__ import annotations

import argparse
import sys
from contextlib import nullcontext

from attnlib.measure import torch_threads
from attnlib.paths import LM_CHECKPOINTS
from attnlib.translation.safeguards import StopRequest
from attnlib.translation.train_shell import (add_training_arguments, check_run_arguments, report_stop, run_stoppable,
                                             training_changes)
from .data import KINDS
from .train import LM_TRAIN_PRESETS, LMTrainResult, train
from .trained import CHECKPOINT_KINDS


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m attnlib.lm train", description=__doc__.split("\n\n")[0])
    parser.add_argument("--kind", required=True, choices=KINDS,
                        help="causal: the next word from the words before (GPT); masked: a hidden word from both sides (BERT)")
    parser.add_argument("--preset", default="cpu", choices=sorted(LM_TRAIN_PRESETS),
                        help="training preset (default: cpu, the shipped models' own, whatever the machine)")
    parser.add_argument("--threads", type=int, default=None, help="torch's thread count for the run (default: torch's own)")
    add_training_arguments(parser, default_out=None)
    args = parser.parse_args(argv)
    if args.out is None:
        args.out = LM_CHECKPOINTS[args.kind]
    try:  # every argument is checked before any work starts
        cfg = LM_TRAIN_PRESETS[args.preset].replace(kind=args.kind, **training_changes(args))
        if args.threads is not None and args.threads < 1:
            raise ValueError(f"--threads must be a whole number of at least 1, got {args.threads}")
        check_run_arguments(args, CHECKPOINT_KINDS[args.kind])
    except ValueError as err:
        parser.error(str(err))  # usage, the message, exit status 2

    def run(stop: StopRequest) -> LMTrainResult:
        with torch_threads(args.threads) if args.threads is not None else nullcontext():
            return train(cfg, out=args.out, resume=args.resume, device=args.device, save_optimizer=not args.slim,
                         progress=not args.no_progress, save_every=args.save_every, should_stop=stop)

    result = run_stoppable(run)
    if result is None:
        return 1
    stopped = report_stop(result, cfg.steps, args.out)
    if stopped is not None:
        return stopped
    meta = result.meta
    score = (f"validation perplexity {meta['valid_perplexity']:.2f}" if "valid_perplexity" in meta else
             f"validation pseudo-perplexity {meta.get('valid_pseudo_perplexity', float('nan')):.2f}")
    print(f"trained the {cfg.kind} model {result.steps} steps in {result.train_seconds:.1f} s on {result.hardware}; "
          f"{score}; saved {result.checkpoint}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
