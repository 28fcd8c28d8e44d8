"""``python -m attnlib.translation experiment NAME [--seeds N] [--steps N] [--out DIR]`` and ``… --summary``.

Runs one of the book's experiments (:mod:`attnlib.translation.experiments`) on CPU and writes its
result to ``DIR/NAME.json`` (default ``data/experiments/``), with the settings used and the CPU time
it took. ``--summary`` prints every shipped result as a table and trains nothing.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from attnlib.files import writable_target
from attnlib.measure import describe_hardware, torch_threads
from attnlib.paths import EXPERIMENTS_DIR
from .experiments import EXPERIMENTS, module, record, shipped


def summary_table(results: dict[str, dict]) -> str:
    """Every record as rows ``experiment | measure | value | seeds``, in aligned columns."""
    rows = [("experiment", "measure", "value", "seeds")]
    for name, rec in results.items():
        seeds = str(len(rec["settings"]["seeds"]))
        for measure, value in module(name).summary(rec):
            rows.append((name, measure, value, seeds))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(r, widths)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m attnlib.translation experiment",
        description="Run one of the book's experiments and write data/experiments/NAME.json, or print them all.")
    parser.add_argument("name", nargs="?", choices=list(EXPERIMENTS), help="the experiment to run")
    parser.add_argument("--summary", action="store_true", help="print every shipped result as a table; train nothing")
    parser.add_argument("--seeds", type=int, help="how many seeds (0, 1, …, N-1); default: the experiment's own")
    parser.add_argument("--steps", type=int, help="training steps per run; default: the experiment's own")
    parser.add_argument("--out", type=Path, default=EXPERIMENTS_DIR, help="folder for NAME.json (default data/experiments)")
    parser.add_argument("--threads", type=int, default=1, help="CPU threads for torch (default 1)")
    parser.add_argument("--no-progress", action="store_true")
    args = parser.parse_args(argv)
    if args.summary:
        if args.name or args.seeds is not None or args.steps is not None:
            parser.error("--summary trains nothing: give it no experiment, --seeds or --steps")
        try:
            results = shipped(args.out)
        except ValueError as err:
            parser.exit(1, f"error: {err}\n")
        if not results:
            parser.exit(1, f"error: no experiment results in {args.out}: run `python -m attnlib.translation experiment NAME`\n")
        print(summary_table(results))
        return 0
    if not args.name:
        parser.error(f"name an experiment ({', '.join(EXPERIMENTS)}) or give --summary")
    exp = module(args.name)
    seeds = exp.DEFAULT_SEEDS if args.seeds is None else args.seeds
    steps = exp.DEFAULT_STEPS if args.steps is None else args.steps
    try:  # every argument is checked before any training: a bad --out found after an hour loses the hour
        if seeds < 1:
            raise ValueError(f"--seeds must be at least 1, got {seeds}")
        if steps < 1:
            raise ValueError(f"--steps must be at least 1, got {steps}")
        if args.threads < 1:
            raise ValueError(f"--threads must be at least 1, got {args.threads}")
        if args.out.exists() and not args.out.is_dir():
            raise ValueError(f"--out {args.out} is a file: give a folder for the experiment's JSON file")
        writable_target(args.out / f"{args.name}.json")
    except (ValueError, OSError) as err:
        parser.error(str(err))
    wall, cpu = time.perf_counter(), time.process_time()
    with torch_threads(args.threads):
        settings, results = exp.run(list(range(seeds)), steps, progress=not args.no_progress)
        hardware = describe_hardware("cpu")  # inside: it names the threads the run had
    settings = {"seeds": list(range(seeds)), "steps": steps, "threads": args.threads, **settings}
    rec = record.make_record(args.name, settings, results, hardware=hardware,
                             cpu_seconds=time.process_time() - cpu, wall_seconds=time.perf_counter() - wall)
    record.validate(rec, exp.check)
    path = record.write(rec, args.out)
    print(summary_table({args.name: rec}))
    print(f"{args.name}: {seeds} seed(s), {rec['cpu_seconds']:.0f} s of CPU time -> {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
