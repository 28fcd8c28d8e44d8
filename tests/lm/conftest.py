"""Two tiny language models trained once for the tests of tests/lm/ that need trained ones: a few seconds
each, on the whole train split's vocabulary, saved slim as `make lm` saves the shipped ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from attnlib.lm.data import KINDS, english
from attnlib.lm.train import LM_TRAIN_PRESETS, train
from attnlib.lm.trained import TrainedLM


@pytest.fixture(scope="session")
def tiny_checkpoints(tmp_path_factory) -> dict[str, Path]:
    """``{kind: path}`` of a tiny causal and a tiny masked model, trained 40 steps."""
    folder = tmp_path_factory.mktemp("lm")
    paths = {}
    for kind in KINDS:
        cfg = LM_TRAIN_PRESETS["tiny"].replace(kind=kind, steps=40, eval_every=40, eval_sentences=20)
        paths[kind] = folder / f"lm-{kind}.pt"
        train(cfg, out=paths[kind], valid=english("valid")[:20], device="cpu", progress=False, save_optimizer=False)
    return paths


@pytest.fixture(scope="session")
def tiny_causal(tiny_checkpoints) -> TrainedLM:
    return TrainedLM.load(tiny_checkpoints["causal"], kind="causal", device="cpu")


@pytest.fixture(scope="session")
def tiny_masked(tiny_checkpoints) -> TrainedLM:
    return TrainedLM.load(tiny_checkpoints["masked"], kind="masked", device="cpu")
