"""Label smoothing: the target distribution behind ``nn.CrossEntropyLoss(label_smoothing=ε)``.

Plain cross-entropy asks the model to put probability 1 on the right token. With
label smoothing the target keeps ``1 - ε`` on the right token and spreads ``ε``
evenly over **all** ``V`` tokens of the vocabulary (the right one included), so
the right token gets ``1 - ε + ε/V`` and every other token ``ε/V``. This is the
convention of PyTorch, which the library's training loop uses. Positions whose
target is padding do not count at all: their row is zero.

Shape letters: N target positions, V vocabulary size.
"""

from __future__ import annotations

import torch


def smoothed_targets(targets: torch.Tensor | list[int], vocab_size: int, epsilon: float,
                     pad_id: int | None = 0) -> torch.Tensor:
    """The label-smoothed target distribution of every position: ``(N,)`` ids -> ``(N, V)`` probabilities.

    Rows of padding positions (``target == pad_id``) are all zero: the loss ignores them.
    """
    targets = torch.as_tensor(targets, dtype=torch.long).reshape(-1)  # (N,)
    if vocab_size < 2:
        raise ValueError(f"a vocabulary needs at least 2 tokens to spread probability over, got {vocab_size}")
    if not 0.0 <= epsilon < 1.0:
        raise ValueError(f"epsilon={epsilon} must be in [0, 1): it is the share of probability taken from the "
                         f"right token")
    if len(targets) and not (0 <= int(targets.min()) and int(targets.max()) < vocab_size):
        raise ValueError(f"target ids must lie in 0..{vocab_size - 1}, got {targets.tolist()}")
    q = torch.full((len(targets), vocab_size), epsilon / vocab_size)  # (N, V)
    q[torch.arange(len(targets)), targets] += 1.0 - epsilon
    if pad_id is not None:
        q[targets == pad_id] = 0.0
    return q


def smoothed_cross_entropy(logits: torch.Tensor, targets: torch.Tensor, epsilon: float, pad_id: int = 0) -> torch.Tensor:
    """Mean over the non-padding positions of ``-Σ q log p``: equals ``nn.CrossEntropyLoss``'s value.

    ``logits (N, V)``, ``targets (N,)``.
    """
    q = smoothed_targets(targets, logits.shape[-1], epsilon, pad_id)  # (N, V)
    per_position = -(q * logits.log_softmax(-1)).sum(-1)  # (N,)
    real = torch.as_tensor(targets).reshape(-1) != pad_id  # (N,)
    return per_position[real].sum() / real.sum().clamp(min=1)


def best_confidence(vocab_size: int, epsilon: float) -> float:
    """The probability of the right token that minimises the smoothed loss: ``1 - ε + ε/V`` (not 1)."""
    return 1.0 - epsilon + epsilon / vocab_size


def target_entropy(vocab_size: int, epsilon: float) -> float:
    """Entropy of the smoothed target, the lowest value the smoothed loss can reach (a perfect model scores it).

    Cross-entropy ``-Σ q log p`` is smallest when ``p = q``, where it equals ``-Σ q log q``.
    """
    q = smoothed_targets([0], vocab_size, epsilon, pad_id=None)[0]  # (V,)
    q = q[q > 0]
    return float(-(q * q.log()).sum())
