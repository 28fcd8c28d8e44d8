"""What the library's command lines share: ``python -m PACKAGE COMMAND [ARGS]``, one module per command.

    sys.exit(dispatch(argv, {"train": "train_command", ...}, "attnlib.translation", __doc__))

:func:`dispatch` imports the command's module only when it is asked for (torch and its kin take seconds),
holding Ctrl-C meanwhile, and turns what may go wrong outside the command's own checks (Ctrl-C, a
file that cannot be read or written) into one line, never a traceback. ``python -m attnlib.translation``
and ``python -m attnlib.lm`` both dispatch with it.
"""

from __future__ import annotations

import importlib
import signal
import sys
from typing import Mapping


def import_holding_ctrl_c(name: str):
    """Import a command's module (torch and its kin: seconds) with Ctrl-C noted rather than raised: a
    KeyboardInterrupt inside another library's import can be swallowed by it, or leave it half loaded.
    Returns the module and whether Ctrl-C was pressed meanwhile."""
    pressed = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: pressed.append(signum))
    try:
        return importlib.import_module(name), bool(pressed)
    finally:
        signal.signal(signal.SIGINT, previous)


def dispatch(argv: list[str], commands: Mapping[str, str], package: str, usage: str) -> int:
    """Run ``argv[0]``'s module's ``main(argv[1:])`` (``commands`` maps a command to a module of ``package``);
    without a known command, print ``usage`` (exit status 0 for --help, else 2)."""
    if not argv or argv[0] not in commands:
        if argv and not argv[0].startswith("-"):
            print(f"error: unknown command {argv[0]!r}: choose one of {', '.join(commands)}\n", file=sys.stderr)
        print(usage, file=sys.stderr)
        return 0 if argv[:1] in (["-h"], ["--help"]) else 2
    try:
        module, interrupted = import_holding_ctrl_c(f"{package}.{commands[argv[0]]}")
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
