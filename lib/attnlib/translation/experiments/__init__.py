"""The book's measured claims: experiments that train and score the book's own models, several seeds each.

    python -m attnlib.translation experiment length      # longer than training, one line per positional encoding
    python -m attnlib.translation experiment rnn         # a trained GRU with additive attention against the Transformer
    python -m attnlib.translation experiment alignment   # attention as word alignment (AER), naive and shifted
    python -m attnlib.translation experiment ablation    # the ablations of "Inside the translator", with seeds
    python -m attnlib.translation experiment --summary   # every shipped result as a table, without training

Each experiment is a module of this package with the same small interface:

* ``WHAT`` — one line for ``--help``; ``DEFAULT_SEEDS`` and ``DEFAULT_STEPS``;
* ``run(seeds, steps, progress) -> (settings, results)`` — trains and measures on CPU;
* ``check(results)`` — raises ValueError naming what a results dict lacks;
* ``summary(record) -> [(measure, value), ...]`` — the rows ``--summary`` prints.

Results land in ``data/experiments/<name>.json`` (:mod:`.record`); the chapters read them with :func:`load`.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType

from attnlib.paths import EXPERIMENTS_DIR
from . import record as _record

#: experiment name -> its module in this package
EXPERIMENTS = {"length": "length", "rnn": "rnn", "alignment": "alignment", "ablation": "ablation"}


def module(name: str) -> ModuleType:
    if name not in EXPERIMENTS:
        raise ValueError(f"unknown experiment {name!r}: choose one of {', '.join(EXPERIMENTS)}")
    return importlib.import_module(f"{__name__}.{EXPERIMENTS[name]}")


def load(name: str, directory: str | Path = EXPERIMENTS_DIR) -> dict:
    """The checked record of experiment ``name`` in ``directory``; FileNotFoundError says how to make it."""
    path = Path(directory) / f"{name}.json"
    if not path.is_file():
        raise FileNotFoundError(f"no result for experiment {name!r} in {directory}: "
                                f"run `python -m attnlib.translation experiment {name}`")
    record = _record.read(path)
    return _record.validate(record, module(name).check, str(path))


def shipped(directory: str | Path = EXPERIMENTS_DIR) -> dict[str, dict]:
    """Every experiment with a result in ``directory``, in :data:`EXPERIMENTS` order."""
    return {name: load(name, directory) for name in EXPERIMENTS if (Path(directory) / f"{name}.json").is_file()}
