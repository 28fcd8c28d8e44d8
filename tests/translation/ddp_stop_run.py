"""Run under torchrun by test_train.py: train() stopped early on every rank, then report.

    torchrun --standalone --nproc_per_node=2 tests/translation/ddp_stop_run.py OUT [sigterm]

By default the run stops at the second evaluation, which only rank 0 sees. With ``sigterm``, rank 1
alone receives SIGTERM after a few steps, as a scheduler killing one process would send it, and every
rank must stop with it.
"""

import itertools
import os
import signal
import sys

import torch

from attnlib.translation.corpus import load_split
from attnlib.translation.train import TRAIN_PRESETS, train
from attnlib.translation.train_command import _StopRequest

torch.set_num_threads(1)
cfg = TRAIN_PRESETS["tiny"].replace(steps=40, eval_every=4, eval_pairs=4, batch_size=8)
data = dict(train_pairs=load_split("train")[:200], valid_pairs=load_split("valid")[:4], device="cpu", progress=False,
            out=sys.argv[1])
if sys.argv[2:] == ["sigterm"]:
    stop, steps = _StopRequest(), itertools.count(1)

    def should_stop() -> bool:
        if int(os.environ["RANK"]) == 1 and next(steps) == 5:
            os.kill(os.getpid(), signal.SIGTERM)
        return stop()

    result = train(cfg, should_stop=should_stop, **data)
else:
    result = train(cfg, stop_when=lambda record: record["step"] >= 8, **data)
print(f"rank done at step {result.steps}" + (", interrupted" if result.meta["interrupted"] else ""), flush=True)
