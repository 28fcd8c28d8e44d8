"""The translator's command line: ``python -m attnlib.translation COMMAND [ARGS]``.

    train      train a translator and save its checkpoint     (attnlib.translation.train_command)
    evaluate   score a checkpoint on one split of the corpus  (attnlib.translation.evaluate)
    translate  translate one English sentence                 (attnlib.translation.translator)
    ablation   train the baseline and its ablations           (attnlib.translation.ablation)
    experiment run a measured claim, several seeds, or --summary (attnlib.translation.experiment)
    corpus     generate the corpus files                      (attnlib.translation.corpus.splits)

``python -m attnlib.translation COMMAND --help`` lists a command's arguments. Whatever goes wrong, a
command says so in one line (``error: …``), never with a traceback.
"""

from __future__ import annotations

import sys

from attnlib.translation.commands import dispatch

COMMANDS = {"train": "train_command", "evaluate": "evaluate", "translate": "translator", "ablation": "ablation",
            "experiment": "experiment", "corpus": "corpus.splits"}


def main(argv: list[str] | None = None) -> int:
    return dispatch(sys.argv[1:] if argv is None else argv, COMMANDS, "attnlib.translation", __doc__)


if __name__ == "__main__":
    sys.exit(main())
