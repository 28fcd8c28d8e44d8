"""Model configuration: one dataclass, a few named presets.

The same model code runs at every size; a preset only picks numbers.
``tiny`` is for tests, ``cpu`` is what the book trains on a laptop,
``gpu`` is a larger model for a machine with CUDA.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace

POSITIONAL_KINDS = ("sinusoidal", "learned", "rotary", "none")


@dataclass(frozen=True)
class ModelConfig:
    """Every size and switch of the encoder-decoder; ``ModelConfig.preset("tiny"|"cpu"|"gpu")`` picks one."""

    src_vocab_size: int = 64
    tgt_vocab_size: int = 64
    d_model: int = 128
    n_heads: int = 4
    n_encoder_layers: int = 2
    n_decoder_layers: int = 2
    d_ff: int = 512
    dropout: float = 0.1
    max_len: int = 64
    positional: str = "sinusoidal"  # one of POSITIONAL_KINDS
    norm_first: bool = True  # pre-LN (True) or post-LN as in the original paper (False)
    scale_scores: bool = True  # divide q·k by sqrt(d_head); False only for the ablation
    pad_id: int = 0
    tie_embeddings: bool = False  # share the target embedding with the generator head

    def __post_init__(self) -> None:
        if self.d_model <= 0 or self.n_heads <= 0:
            raise ValueError(f"d_model ({self.d_model}) and n_heads ({self.n_heads}) must be positive")
        if self.d_model % self.n_heads:
            raise ValueError(
                f"d_model={self.d_model} is not divisible by n_heads={self.n_heads}: each head gets "
                f"d_model / n_heads features, so pick n_heads among the divisors of d_model "
                f"(e.g. {', '.join(str(h) for h in _divisors(self.d_model)[:6])})"
            )
        if self.positional not in POSITIONAL_KINDS:
            raise ValueError(f"positional={self.positional!r} is unknown; choose one of {POSITIONAL_KINDS}")
        if self.positional == "rotary" and self.d_head % 2:
            raise ValueError(f"rotary encodings rotate pairs of features: d_head={self.d_head} must be even")
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"dropout={self.dropout} must be in [0, 1)")
        for name in ("src_vocab_size", "tgt_vocab_size", "max_len", "d_ff", "n_encoder_layers", "n_decoder_layers"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name}={getattr(self, name)} must be positive")
        if not 0 <= self.pad_id < min(self.src_vocab_size, self.tgt_vocab_size):
            raise ValueError(f"pad_id={self.pad_id} must be a token id of both vocabularies "
                             f"(0 to {min(self.src_vocab_size, self.tgt_vocab_size) - 1})")

    @property
    def d_head(self) -> int:
        return self.d_model // self.n_heads

    def replace(self, **changes) -> "ModelConfig":
        unknown = set(changes) - {f.name for f in fields(self)}
        if unknown:
            raise ValueError(f"unknown config field(s) {sorted(unknown)}; known: {[f.name for f in fields(self)]}")
        return replace(self, **changes)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "ModelConfig":
        return cls().replace(**d)

    @classmethod
    def preset(cls, name: str, **overrides) -> "ModelConfig":
        if name not in PRESETS:
            raise ValueError(f"unknown preset {name!r}; choose one of {sorted(PRESETS)}")
        return PRESETS[name].replace(**overrides)


def _divisors(n: int) -> list[int]:
    return [k for k in range(1, n + 1) if n % k == 0]


PRESETS: dict[str, ModelConfig] = {
    # Small enough that a forward pass takes milliseconds: for tests and widgets.
    "tiny": ModelConfig(d_model=32, n_heads=4, n_encoder_layers=1, n_decoder_layers=1, d_ff=64, dropout=0.0, max_len=32),
    # What the book trains on a 2-core CPU in a few minutes.
    "cpu": ModelConfig(d_model=128, n_heads=4, n_encoder_layers=2, n_decoder_layers=2, d_ff=512, dropout=0.1, max_len=64),
    # A wider, deeper model for a CUDA GPU.
    "gpu": ModelConfig(d_model=512, n_heads=8, n_encoder_layers=4, n_decoder_layers=4, d_ff=2048, dropout=0.1, max_len=64),
}
