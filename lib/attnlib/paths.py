"""Where the book's data lives: the one place that knows.

The corpus (``corpus/*.tsv``), the shipped translator (``translator.pt``), the two shipped language
models (``lm-causal.pt``, ``lm-masked.pt``) the ablation runs (``ablations/``) and the experiments' results (``experiments/``) are found, in this order:

1. in the folder named by ``$ATTN_DATA``, when it is set;
2. inside the installed package (``attnlib/data/``: the wheel carries them);
3. in the source tree's ``data/`` folder (an editable install, or ``PYTHONPATH=lib``).
"""

from __future__ import annotations

import os
from pathlib import Path

DATA_ENV = "ATTN_DATA"
PACKAGE = Path(__file__).resolve().parent
SOURCE_TREE = PACKAGE.parents[1]  # lib/attnlib -> the repository, when running from it


def data_dir() -> Path:
    """The folder that holds ``corpus/``, ``translator.pt``, the language models and ``ablations/``."""
    named = os.environ.get(DATA_ENV)
    if named:
        return Path(named)
    packaged = PACKAGE / "data"
    return packaged if (packaged / "corpus").is_dir() else SOURCE_TREE / "data"


DATA_DIR = data_dir()
CORPUS_DIR = DATA_DIR / "corpus"
DEFAULT_CHECKPOINT = DATA_DIR / "translator.pt"
#: the shipped language models, by kind: the book's GPT (causal) and its BERT (masked)
LM_CHECKPOINTS = {"causal": DATA_DIR / "lm-causal.pt", "masked": DATA_DIR / "lm-masked.pt"}
ABLATIONS_DIR = DATA_DIR / "ablations"
#: the measured claims: one small JSON per experiment (length, rnn, alignment, ablation), no weights
EXPERIMENTS_DIR = DATA_DIR / "experiments"
