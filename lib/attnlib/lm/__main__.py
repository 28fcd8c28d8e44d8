"""The language models' command line: ``python -m attnlib.lm COMMAND [ARGS]``.

    train      train the causal or the masked model and save it    (attnlib.lm.train_command)
    evaluate   perplexity and masked words against the trigram    (attnlib.lm.evaluate)
    generate   continue an English prompt (the causal model)      (attnlib.lm.generate)
    fill       the likeliest words for one <mask> (the masked one) (attnlib.lm.fill)

``python -m attnlib.lm COMMAND --help`` lists a command's arguments. Whatever goes wrong, a command says
so in one line (``error: …``), never with a traceback.
"""

from __future__ import annotations

import sys

from attnlib.translation.commands import dispatch

COMMANDS = {"train": "train_command", "evaluate": "evaluate", "generate": "generate", "fill": "fill"}


def main(argv: list[str] | None = None) -> int:
    return dispatch(sys.argv[1:] if argv is None else argv, COMMANDS, "attnlib.lm", __doc__)


if __name__ == "__main__":
    sys.exit(main())
