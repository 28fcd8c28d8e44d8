"""The fixed-vector bottleneck, measured: can the first word be read back?

A recurrent encoder reads a sentence word by word into one state vector of fixed
width ``d`` and passes on only that vector. This module builds the most generous
*linear* version of such a summary,

    h_t = decay · h_{t-1} R + x_t ,

with ``R`` a random rotation (positions stay apart and nothing is squashed) and
``decay ≤ 1`` (``1`` forgets nothing). Undoing the rotations gives back the first
word *plus all the others* as noise; the answer is the vocabulary word nearest
to what comes out. Attention instead keeps every word's vector: each word gets a
key of the same width ``d`` that tags its position, and a query for the first
position blends the words by those keys.

Shape letters: N trials (sentences), T words, D width, V vocabulary size.
"""

from __future__ import annotations

import torch

from attnlib.model.attention import scaled_dot_product_attention

LENGTHS = (2, 4, 8, 16, 32, 64)
SHARPNESS = 20.0  # how peaked the attention lookup is: softmax(SHARPNESS · cos(query, key))


def check_recall_args(lengths, width: int, decay: float, vocab: int, trials: int) -> list[int]:
    lengths = [int(t) for t in lengths]
    if not lengths or min(lengths) < 1:
        raise ValueError(f"sentence lengths must be positive integers, got {lengths}")
    if max(lengths) > 4096:
        raise ValueError(f"sentences of {max(lengths)} words are too long for this demo (at most 4096)")
    if not isinstance(width, int) or not 1 <= width <= 1024:
        raise ValueError(f"the summary width must be an integer between 1 and 1024, got {width!r}")
    if not 0 < decay <= 1:
        raise ValueError(f"the memory factor (decay) must be in (0, 1]: 1 keeps everything, got {decay!r}")
    if vocab < 2 or trials < 1:
        raise ValueError("need a vocabulary of at least 2 words and at least 1 trial")
    return lengths


def random_rotation(width: int, generator: torch.Generator) -> torch.Tensor:
    """A random orthogonal ``(D, D)`` matrix: it turns vectors without changing their length."""
    q, r = torch.linalg.qr(torch.randn(width, width, generator=generator))
    return q * torch.sign(torch.diagonal(r))  # (D, D)


def summarise(x: torch.Tensor, rotation: torch.Tensor, decay: float = 1.0) -> torch.Tensor:
    """The recurrent summary, one word at a time: ``x (N, T, D)`` -> ``h (N, D)``."""
    h = torch.zeros(x.shape[0], x.shape[-1])  # (N, D): the same width whatever the length
    for t in range(x.shape[1]):
        h = decay * h @ rotation + x[:, t]  # (N, D)
    return h


def read_first(h: torch.Tensor, rotation: torch.Tensor, length: int) -> torch.Tensor:
    """Undo the rotations of a summary of ``length`` words: the first word plus turned noise ``(N, D)``."""
    return h @ torch.linalg.matrix_power(rotation.T, length - 1)


def _powers(m: torch.Tensor, n: int) -> torch.Tensor:
    out = [torch.eye(m.shape[0])]
    for _ in range(n - 1):
        out.append(out[-1] @ m)
    return torch.stack(out)  # (n, D, D)


def first_word_readout(x: torch.Tensor, rotation: torch.Tensor, decay: float = 1.0,
                       powers: torch.Tensor | None = None) -> torch.Tensor:
    """``read_first(summarise(x))`` in one batched step (many tiny matmuls are slow on a busy CPU).

    Unrolled, ``h_T = Σ_t decay^(T-t) x_t R^(T-t)``; undoing ``T-1`` rotations leaves
    ``Σ_t decay^(T-t) x_t (Rᵀ)^(t-1)``.
    """
    length = x.shape[1]
    powers = _powers(rotation.T, length) if powers is None else powers[:length]  # (T, D, D)
    fade = decay ** torch.arange(length - 1, -1, -1, dtype=x.dtype)  # (T,): decay^(T-t)
    return torch.einsum("ntd,tde->ne", x * fade[:, None], powers)  # (N, D)


def recall_first_word(lengths=LENGTHS, width: int = 16, decay: float = 1.0, vocab: int = 512,
                      trials: int = 256, seed: int = 0) -> dict[str, list[float]]:
    """How often the first word of a random sentence is read back correctly, per sentence length.

    Returns ``{"length": [...], "summary": [...], "attention": [...], "chance": 1/vocab}``:
    accuracies of the fixed-size summary and of the attention lookup over the stored words.
    """
    lengths = check_recall_args(lengths, width, decay, vocab, trials)
    gen = torch.Generator().manual_seed(seed)
    words = torch.nn.functional.normalize(torch.randn(vocab, width, generator=gen), dim=-1)  # (V, D)
    rotation = random_rotation(width, gen)  # (D, D)
    tags = torch.nn.functional.normalize(torch.randn(max(lengths), width, generator=gen), dim=-1)  # (T, D)
    powers = _powers(rotation.T, max(lengths))  # (T, D, D): (Rᵀ)^0, (Rᵀ)^1, ...
    summary_acc, attention_acc = [], []
    for length in lengths:
        ids = torch.randint(vocab, (trials, length), generator=gen)  # (N, T)
        x = words[ids]  # (N, T, D)
        readout = first_word_readout(x, rotation, decay, powers)  # (N, D): word 1 + turned noise
        summary_acc.append((readout @ words.T).argmax(-1).eq(ids[:, 0]).float().mean().item())
        # attention: every word kept, found again by its position tag
        keys = tags[:length].expand(trials, length, width)  # (N, T, D)
        query = tags[:1].expand(trials, 1, width)  # (N, 1, D)
        out, _ = scaled_dot_product_attention(query, keys, x, scale=SHARPNESS)  # (N, 1, D)
        attention_acc.append((out[:, 0] @ words.T).argmax(-1).eq(ids[:, 0]).float().mean().item())
    return {"length": lengths, "summary": summary_acc, "attention": attention_acc, "chance": 1.0 / vocab}
