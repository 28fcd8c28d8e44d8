"""Run under torchrun by test_train.py: train() with an early stop on every rank, then report.

    torchrun --standalone --nproc_per_node=2 tests/translation/ddp_stop_run.py OUT
"""

import sys

import torch

from attnlib.translation.corpus import load_split
from attnlib.translation.train import TRAIN_PRESETS, train

torch.set_num_threads(1)
cfg = TRAIN_PRESETS["tiny"].replace(steps=40, eval_every=4, eval_pairs=4, batch_size=8)
# stop at the second evaluation: only rank 0 sees the score, every rank must stop with it
result = train(cfg, train_pairs=load_split("train")[:200], valid_pairs=load_split("valid")[:4], device="cpu",
               progress=False, out=sys.argv[1], stop_when=lambda record: record["step"] >= 8)
print(f"rank done at step {result.steps}", flush=True)
