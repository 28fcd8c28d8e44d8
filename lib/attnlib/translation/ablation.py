"""Ablations: train the translator with one ingredient removed and compare it with the baseline.

    python -m attnlib.translation ablation                      # every variant, written to data/ablations/<key>.json
    python -m attnlib.translation ablation --steps 100 --variants baseline no_positions --out /tmp/abl

Every variant trains with the same seed, the same batches and the same number of steps
as the baseline; only one field of the model configuration changes. What is kept is
small JSON (no weights): the loss and validation-BLEU curves, test scores, and the
translations and cross-attention maps of a few probe sentences, which the chapter
"Inside the translator" reads.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

from attnlib.files import write_text, writable_target
from attnlib.measure import torch_threads
from attnlib.paths import ABLATIONS_DIR
from .corpus import load_split
from .alignment import SNAPSHOT_SENTENCES, attention_snapshots
from .evaluate import evaluate
from .train import TRAIN_PRESETS, TrainConfig, train

FORMAT = 1


@dataclass(frozen=True)
class Variant:
    key: str  # file name, without .json
    label: str  # what the chapter calls it
    overrides: tuple[tuple[str, object], ...]  # ModelConfig fields changed from the baseline
    what: str  # one line: what is removed


VARIANTS = {
    v.key: v
    for v in (
        Variant("baseline", "baseline", (), "the translator as the book trains it"),
        Variant("no_positions", "no positional encoding", (("positional", "none"),),
                "no positional encoding: the model sees a bag of words"),
        Variant("no_scaling", "no √d_k scaling", (("scale_scores", False),),
                "scores q·k are not divided by √d_k"),
    )
}

#: Sentences whose translation and cross-attention every variant records. The last two hold
#: the same words in another order: a model without positions cannot tell them apart.
WORD_ORDER_PAIR = ("the dog sees the cat .", "the cat sees the dog .")
PROBE_SENTENCES = (*SNAPSHOT_SENTENCES, *WORD_ORDER_PAIR)

#: Settings of the shipped results (the book reads them; the tests regenerate a tiny version).
DEFAULT_STEPS = 600
DEFAULT_EVAL_EVERY = 50
DEFAULT_EVAL_PAIRS = 200
DEFAULT_TEST_PAIRS = 300


def run_variant(variant: Variant, cfg: TrainConfig, *, train_pairs=None, valid_pairs=None,
                test_pairs=None, progress: bool = False) -> dict:
    """Train one variant on CPU and return its JSON-able record."""
    result = train(cfg.replace(model_overrides=variant.overrides), device="cpu", train_pairs=train_pairs,
                   valid_pairs=valid_pairs, progress=progress, save_optimizer=False)
    translator = result.translator
    translator.model.eval()
    test_pairs = load_split("test")[:DEFAULT_TEST_PAIRS] if test_pairs is None else test_pairs
    history = [{k: h[k] for k in ("step", "loss", "valid_bleu", "train_seconds") if k in h} for h in result.history]
    return {
        "format": FORMAT, "key": variant.key, "label": variant.label, "what": variant.what,
        "overrides": [list(kv) for kv in variant.overrides],
        "train": {"preset": cfg.model, "steps": cfg.steps, "seed": cfg.seed, "batch_size": cfg.batch_size,
                  "lr": cfg.lr, "warmup": cfg.warmup, "eval_every": cfg.eval_every, "eval_pairs": cfg.eval_pairs},
        "hardware": result.hardware, "train_seconds": round(result.train_seconds, 1),
        "history": history, "test": evaluate(translator, test_pairs, "test").summary(),
        "probes": attention_snapshots(translator, PROBE_SENTENCES),
    }


REQUIRED_KEYS = ("format", "key", "label", "what", "overrides", "train", "history", "test", "probes")


def validate(record: dict, source: str = "record") -> dict:
    """Raise ValueError naming what is missing if ``record`` is not an ablation record."""
    missing = [k for k in REQUIRED_KEYS if k not in record]
    if missing:
        raise ValueError(f"{source} is not an ablation record: missing {missing}")
    if record["format"] != FORMAT:
        raise ValueError(f"{source} has format {record['format']}, this library reads format {FORMAT}")
    if not record["history"] or any(not {"step", "loss"} <= set(h) for h in record["history"]):
        raise ValueError(f"{source}: every history entry needs 'step' and 'loss'")
    for sentence, p in record["probes"].items():
        weights = p["weights"]
        if len(weights) != len(p["target"]) or any(len(row) != len(p["source"]) for row in weights):
            raise ValueError(f"{source}: the map of {sentence!r} is not (target tokens × source tokens)")
    return record


def write(record: dict, out_dir: Path) -> Path:
    """One record as ``out_dir/<key>.json``, written in one step (a run stopped mid-write leaves the old one)."""
    path = out_dir / f"{record['key']}.json"
    return write_text(path, json.dumps(validate(record), ensure_ascii=False, separators=(",", ":")) + "\n")


def load_results(directory: str | Path = ABLATIONS_DIR) -> dict[str, dict]:
    """Every ablation record in ``directory``, baseline first: key -> record."""
    directory = Path(directory)
    files = sorted(directory.glob("*.json"))
    if not files:
        raise FileNotFoundError(f"no ablation results in {directory}: run `python -m attnlib.translation ablation`")
    records = {}
    for path in files:
        record = validate(json.loads(path.read_text(encoding="utf-8")), str(path))
        records[record["key"]] = record
    order = [k for k in VARIANTS if k in records] + sorted(k for k in records if k not in VARIANTS)
    return {k: records[k] for k in order}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Train the baseline and its ablations; write data/ablations/*.json.")
    parser.add_argument("--variants", nargs="*", default=list(VARIANTS), choices=list(VARIANTS))
    parser.add_argument("--preset", default="cpu", choices=sorted(TRAIN_PRESETS))
    parser.add_argument("--steps", type=int, default=DEFAULT_STEPS)
    parser.add_argument("--eval-every", type=int, default=DEFAULT_EVAL_EVERY)
    parser.add_argument("--eval-pairs", type=int, default=DEFAULT_EVAL_PAIRS)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1, help="CPU threads for torch (default 1)")
    parser.add_argument("--out", type=Path, default=ABLATIONS_DIR)
    parser.add_argument("--no-progress", action="store_true")
    args = parser.parse_args(argv)
    try:  # every argument is checked before any training: a bad --out found after an hour loses the hour
        cfg = TRAIN_PRESETS[args.preset].replace(steps=args.steps, eval_every=args.eval_every,
                                                  eval_pairs=args.eval_pairs, seed=args.seed)
        if args.out.exists() and not args.out.is_dir():
            raise ValueError(f"--out {args.out} is a file: give a folder for the ablations' JSON files")
        if args.threads < 1:
            raise ValueError(f"--threads must be at least 1, got {args.threads}")
        for key in args.variants:
            writable_target(args.out / f"{key}.json")
    except (ValueError, OSError) as err:
        parser.error(str(err))
    with torch_threads(args.threads):
        for key in args.variants:
            record = run_variant(VARIANTS[key], cfg, progress=not args.no_progress)
            path = write(record, args.out)
            last = record["history"][-1]
            print(f"{record['label']}: loss {last['loss']:.3f}, valid BLEU {last.get('valid_bleu', float('nan')):.1f}, "
                  f"test BLEU {record['test']['bleu']:.1f} after {record['train']['steps']} steps "
                  f"({record['train_seconds']:.0f} s) -> {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
