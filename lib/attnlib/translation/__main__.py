"""The translator's command line: ``python -m attnlib.translation COMMAND [ARGS]``.

    train      train a translator and save its checkpoint     (attnlib.translation.train_command)
    evaluate   score a checkpoint on one split of the corpus  (attnlib.translation.evaluate)
    translate  translate one English sentence                 (attnlib.translation.translator)
    ablation   train the baseline and its ablations           (attnlib.translation.ablation)
    corpus     generate the corpus files                      (attnlib.translation.corpus.splits)

``python -m attnlib.translation COMMAND --help`` lists a command's arguments. Whatever goes wrong, a
command says so in one line (``error: …``), never with a traceback.
"""

from __future__ import annotations

import importlib
import signal
import sys

COMMANDS = {"train": "train_command", "evaluate": "evaluate", "translate": "translator", "ablation": "ablation",
            "corpus": "corpus.splits"}


def _import_holding_ctrl_c(name: str):
    """Import a command's module (torch and its kin: seconds) with Ctrl-C noted rather than raised: a
    KeyboardInterrupt inside another library's import can be swallowed by it, or leave it half loaded.
    Returns the module and whether Ctrl-C was pressed meanwhile."""
    pressed = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: pressed.append(signum))
    try:
        return importlib.import_module(name), bool(pressed)
    finally:
        signal.signal(signal.SIGINT, previous)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] not in COMMANDS:
        if argv and not argv[0].startswith("-"):
            print(f"error: unknown command {argv[0]!r}: choose one of {', '.join(COMMANDS)}\n", file=sys.stderr)
        print(__doc__, file=sys.stderr)
        return 0 if argv[:1] in (["-h"], ["--help"]) else 2
    try:
        module, interrupted = _import_holding_ctrl_c(f"{__package__}.{COMMANDS[argv[0]]}")
        if interrupted:
            raise KeyboardInterrupt
        return module.main(argv[1:])
    except KeyboardInterrupt:  # Ctrl-C while starting, or a second one: what was saved before stays as it was
        print("\ninterrupted: nothing more was saved", file=sys.stderr)
        return 130
    except OSError as err:  # a file or folder that cannot be read or written, wherever the command met it
        where = f"{err.filename}: " if err.filename else ""
        print(f"error: {where}{(err.strerror or str(err)).lower()}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
