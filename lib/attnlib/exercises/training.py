"""Checkers for the training chapter: the label-smoothed target distribution, the warm-up schedule."""

from __future__ import annotations

import torch

from attnlib.lessons.smoothing import smoothed_targets
from attnlib.translation.train import TrainConfig, lr_at
from . import NOT_ANSWERED, Verdict, guarded

SMOOTHING_CASES = (([3, 0, 1, 6], 7, 0.1), ([2, 4, 4], 5, 0.3), ([0, 9], 10, 0.2))


@guarded
def check_smoothed_targets(fn) -> Verdict:
    """``fn(targets, vocab_size, epsilon, pad_id) -> (N, V)``: PyTorch's label-smoothed targets, padding rows zero."""
    for targets, V, eps in SMOOTHING_CASES:
        result = fn(list(targets), V, eps, 0)
        if result is None:
            return NOT_ANSWERED
        q = torch.as_tensor(result, dtype=torch.float32)
        right = smoothed_targets(targets, V, eps, pad_id=0)  # (N, V)
        if tuple(q.shape) != tuple(right.shape):
            return Verdict(False, f"Return one row per target position and one column per vocabulary token: shape "
                                  f"{tuple(right.shape)} for targets={targets}, V={V}; yours is {tuple(q.shape)}.")
        if torch.allclose(q, right, atol=1e-6):
            continue
        real = torch.tensor(targets) != 0
        if torch.allclose(q[real], right[real], atol=1e-6):
            return Verdict(False, "The real positions are right, but a position whose target is <pad> does not count "
                                  "at all: its row must be all zeros (nn.CrossEntropyLoss ignores it).")
        one_hot = torch.nn.functional.one_hot(torch.tensor(targets), V).float()
        if torch.allclose(q[real], one_hot[real], atol=1e-6):
            return Verdict(False, f"That is the plain one-hot target (ε = 0). Move ε = {eps} of the probability "
                                  f"off the right token and spread it evenly over the vocabulary.")
        others = one_hot * (1 - eps) + (1 - one_hot) * eps / (V - 1)
        if torch.allclose(q[real], others[real], atol=1e-6):
            return Verdict(False, f"That is the other common convention (ε spread over the V − 1 wrong tokens). "
                                  f"PyTorch, and so our training loop, spreads ε over all V tokens, the right one "
                                  f"included: the right token gets 1 − ε + ε/V = {1 - eps + eps / V:.4f}.")
        no_pad_column = right.clone()
        no_pad_column[:, 0] = 0
        if torch.allclose(q[real], no_pad_column[real], atol=1e-6) or torch.allclose(
                q[real], (no_pad_column / no_pad_column.sum(-1, keepdim=True).clamp(min=1e-9))[real], atol=1e-6):
            return Verdict(False, "You left the <pad> column out. PyTorch gives every vocabulary token ε/V, <pad> "
                                  "included (the model never predicts it anyway); only <pad> *positions* are skipped.")
        sums = q[real].sum(-1)
        if not torch.allclose(sums, torch.ones_like(sums), atol=1e-5):
            return Verdict(False, f"Each real row must be a probability distribution summing to 1; yours sum to "
                                  f"{[round(float(s), 4) for s in sums]}. Did you forget to add ε/V to the right "
                                  f"token as well?")
        return Verdict(False, f"For targets={targets}, V={V}, ε={eps} your rows differ from (1 − ε)·one-hot + ε/V. "
                              f"Print them and compare.")
    return Verdict(True, "Correct: (1 − ε)·one-hot + ε/V on every token, and zero rows at <pad> positions. With "
                         "these targets, −Σ q log p is exactly nn.CrossEntropyLoss(label_smoothing=ε).")


def half_peak_step(warmup: int) -> int:
    """The step after the peak at which ``lr_at`` has fallen to half the peak: √(w/s) = ½ ⇒ s = 4w."""
    return 4 * warmup


@guarded
def check_half_peak_step(answer, warmup: int) -> Verdict:
    """The step, after the warm-up, at which the learning rate is back to half its peak."""
    right = half_peak_step(warmup)
    cfg = TrainConfig(lr=1.0, warmup=warmup)
    try:
        step = int(answer)
    except (TypeError, ValueError):
        return Verdict(False, f"Answer with a step number (an integer), not {answer!r}.")
    if step == right:
        return Verdict(True, f"Correct: √({warmup}/s) = ½ gives s = 4·{warmup} = {right}; lr_at({right}) is "
                             f"{lr_at(right, cfg):.2f} × the peak.")
    if step == warmup // 2:
        return Verdict(False, f"At step {step} the rate is half the peak on its way *up*. The question asks when, "
                              f"after the peak at step {warmup}, it has decayed back to half.")
    if step == 2 * warmup:
        return Verdict(False, f"The decay is 1/√step, not 1/step: at step {step} the rate is still "
                              f"{lr_at(step, cfg):.2f} × the peak. Solve √({warmup}/s) = ½.")
    return Verdict(False, f"At step {step} the rate is {lr_at(step, cfg):.3f} × the peak, not 0.5. After the warm-up "
                          f"lr = peak·√(warmup/step); solve √({warmup}/s) = ½.")
