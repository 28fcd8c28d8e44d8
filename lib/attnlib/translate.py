"""Translate a sentence from the shell: ``python -m attnlib.translate "the black cat sees the dog"``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .checkpoint import CheckpointError
from .translator import DEFAULT_CHECKPOINT, Translator


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("text", nargs="*", help="the English sentence")
    parser.add_argument("--checkpoint", type=Path, default=DEFAULT_CHECKPOINT)
    parser.add_argument("--beam", type=int, default=1, help="beam size (1 = greedy)")
    args = parser.parse_args(argv)
    try:
        translator = Translator.load(args.checkpoint)
        print(translator.translate(" ".join(args.text), beam_size=args.beam, with_attention=False).text)
    except (CheckpointError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
