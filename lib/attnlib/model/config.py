"""Model configuration: one dataclass per family of model, a few named presets each.

The same model code runs at every size; a preset only picks numbers.
``tiny`` is for tests, ``cpu`` is what the book trains on a laptop,
``gpu`` is a larger model for a machine with CUDA.

* :class:`ModelConfig`: the encoder-decoder (the translator).
* :class:`LMConfig`: one stack of blocks with one vocabulary, the language models
  (:class:`~attnlib.model.language_model.CausalLM`, :class:`~attnlib.model.language_model.MaskedLM`).
* :class:`RNNConfig`: the recurrent encoder-decoder with additive attention
  (:class:`~attnlib.model.recurrent.RNNEncoderDecoder`), the baseline the Transformer is measured against.

The two families of attention blocks are checked by the same :func:`check_config`, so a bad width or
positional kind gets the same message; all three share :func:`check_shared` (sizes, dropout, padding id).

The positional kinds (:data:`POSITIONAL_KINDS`, :mod:`attnlib.model.positional`): ``sinusoidal`` and ``learned``
add a vector to each embedding, ``rotary`` rotates queries and keys, ``alibi`` adds a distance penalty to the
self-attention scores, ``none`` gives no position at all. The translator's ``positional`` serves both of its
stacks unless ``decoder_positional`` names another kind for the decoder: ``positional="sinusoidal",
decoder_positional="none"`` keeps the encoder's positions and leaves the decoder to tell them from its
causal mask alone.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from typing import Mapping, TypeVar

POSITIONAL_KINDS = ("sinusoidal", "learned", "rotary", "alibi", "none")

C = TypeVar("C", bound="ConfigMethods")


def check_config(cfg, *, vocabularies: tuple[str, ...], layer_counts: tuple[str, ...]) -> None:
    """The checks every config of attention blocks needs, with messages that say what to change.

    ``vocabularies`` and ``layer_counts`` name the config's own fields for those sizes
    (``("src_vocab_size", "tgt_vocab_size")`` for the translator, ``("vocab_size",)`` for a language model).
    """
    if cfg.d_model <= 0 or cfg.n_heads <= 0:
        raise ValueError(f"d_model ({cfg.d_model}) and n_heads ({cfg.n_heads}) must be positive")
    if cfg.d_model % cfg.n_heads:
        raise ValueError(
            f"d_model={cfg.d_model} is not divisible by n_heads={cfg.n_heads}: each head gets "
            f"d_model / n_heads features, so pick n_heads among the divisors of d_model "
            f"(e.g. {', '.join(str(h) for h in _divisors(cfg.d_model)[:6])})"
        )
    kinds = {"positional": cfg.positional}
    if getattr(cfg, "decoder_positional", None) is not None:  # the translator's decoder may have its own
        kinds["decoder_positional"] = cfg.decoder_positional
    for name, kind in kinds.items():
        if kind not in POSITIONAL_KINDS:
            raise ValueError(f"{name}={kind!r} is unknown; choose one of {POSITIONAL_KINDS}")
        if kind == "rotary" and cfg.d_head % 2:
            raise ValueError(f"rotary encodings rotate pairs of features: d_head={cfg.d_head} must be even")
    check_shared(cfg, vocabularies=vocabularies, sizes=("max_len", "d_ff", *layer_counts))


def check_shared(cfg, *, vocabularies: tuple[str, ...], sizes: tuple[str, ...]) -> None:
    """The checks every model's config needs: dropout in [0, 1), the ``vocabularies`` and other ``sizes``
    positive, and a padding id that is a token of every vocabulary."""
    if not 0.0 <= cfg.dropout < 1.0:
        raise ValueError(f"dropout={cfg.dropout} must be in [0, 1)")
    for name in (*vocabularies, *sizes):
        if getattr(cfg, name) <= 0:
            raise ValueError(f"{name}={getattr(cfg, name)} must be positive")
    smallest = min(getattr(cfg, name) for name in vocabularies)
    which = "both vocabularies" if len(vocabularies) == 2 else "the vocabulary"
    if not 0 <= cfg.pad_id < smallest:
        raise ValueError(f"pad_id={cfg.pad_id} must be a token id of {which} (0 to {smallest - 1})")


class ConfigMethods:
    """What every config does besides holding numbers (no fields here: each dataclass keeps its own, in its order)."""

    def replace(self: C, **changes) -> C:
        unknown = set(changes) - {f.name for f in fields(self)}
        if unknown:
            raise ValueError(f"unknown config field(s) {sorted(unknown)}; known: {[f.name for f in fields(self)]}")
        return replace(self, **changes)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls: type[C], d: dict) -> C:
        return cls().replace(**d)

    @classmethod
    def presets(cls: type[C]) -> Mapping[str, C]:
        raise NotImplementedError

    @classmethod
    def preset(cls: type[C], name: str, **overrides) -> C:
        presets = cls.presets()
        if name not in presets:
            raise ValueError(f"unknown preset {name!r}; choose one of {sorted(presets)}")
        return presets[name].replace(**overrides)


class BlockConfigMethods(ConfigMethods):
    """What the configs of attention blocks add: the width of one head."""

    d_model: int
    n_heads: int

    @property
    def d_head(self) -> int:
        return self.d_model // self.n_heads


@dataclass(frozen=True)
class ModelConfig(BlockConfigMethods):
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
    decoder_positional: str | None = None  # the decoder's own kind; None: the same as positional
    norm_first: bool = True  # pre-LN (True) or post-LN as in the original paper (False)
    scale_scores: bool = True  # divide q·k by sqrt(d_head); False only for the ablation
    pad_id: int = 0
    tie_embeddings: bool = False  # share the target embedding with the generator head

    def __post_init__(self) -> None:
        check_config(self, vocabularies=("src_vocab_size", "tgt_vocab_size"),
                     layer_counts=("n_encoder_layers", "n_decoder_layers"))

    @property
    def decoder_positional_kind(self) -> str:
        """The decoder's positional kind: ``decoder_positional`` when set, else the encoder's ``positional``."""
        return self.positional if self.decoder_positional is None else self.decoder_positional

    @classmethod
    def presets(cls) -> Mapping[str, "ModelConfig"]:
        return PRESETS


@dataclass(frozen=True)
class LMConfig(BlockConfigMethods):
    """Every size and switch of a language model (one stack, one vocabulary); ``LMConfig.preset(...)`` picks one."""

    vocab_size: int = 64
    d_model: int = 128
    n_heads: int = 4
    n_layers: int = 4
    d_ff: int = 512
    dropout: float = 0.1
    max_len: int = 64
    positional: str = "sinusoidal"  # one of POSITIONAL_KINDS
    norm_first: bool = True  # pre-LN (True) or post-LN (False)
    scale_scores: bool = True  # divide q·k by sqrt(d_head); False only for an ablation
    pad_id: int = 0
    tie_embeddings: bool = True  # the output head reuses the token embedding (as GPT-2 and BERT do)

    def __post_init__(self) -> None:
        check_config(self, vocabularies=("vocab_size",), layer_counts=("n_layers",))

    @classmethod
    def presets(cls) -> Mapping[str, "LMConfig"]:
        return LM_PRESETS


@dataclass(frozen=True)
class RNNConfig(ConfigMethods):
    """Every size and switch of the recurrent encoder-decoder; ``RNNConfig.preset("tiny"|"cpu"|"gpu")`` picks one."""

    src_vocab_size: int = 64
    tgt_vocab_size: int = 64
    d_model: int = 128  # embedding width, and the width the output layer reads
    d_hidden: int = 128  # the GRU's state, per direction
    d_attention: int = 128  # the hidden layer of the additive score vᵀ tanh(W s + U h)
    n_encoder_layers: int = 1  # stacked (bidirectional) GRU layers
    bidirectional: bool = True  # the encoder reads the sentence both ways: each state knows the whole sentence
    dropout: float = 0.1
    max_len: int = 64  # the longest sentence read or written, as for the Transformer
    pad_id: int = 0

    def __post_init__(self) -> None:
        if not isinstance(self.bidirectional, bool):
            raise ValueError(f"bidirectional must be True or False, got {self.bidirectional!r}")
        check_shared(self, vocabularies=("src_vocab_size", "tgt_vocab_size"),
                     sizes=("d_model", "d_hidden", "d_attention", "n_encoder_layers", "max_len"))

    @property
    def d_memory(self) -> int:
        """The width of one encoder state: both directions side by side when the encoder is bidirectional."""
        return self.d_hidden * (2 if self.bidirectional else 1)

    @classmethod
    def presets(cls) -> Mapping[str, "RNNConfig"]:
        return RNN_PRESETS


def _divisors(n: int) -> list[int]:
    return [k for k in range(1, n + 1) if n % k == 0]


#: What the model's layers read from a config: either family's does.
BlockConfig = ModelConfig | LMConfig

PRESETS: dict[str, ModelConfig] = {
    # Small enough that a forward pass takes milliseconds: for tests and widgets.
    "tiny": ModelConfig(d_model=32, n_heads=4, n_encoder_layers=1, n_decoder_layers=1, d_ff=64, dropout=0.0, max_len=32),
    # What the book trains on a 2-core CPU in a few minutes.
    "cpu": ModelConfig(d_model=128, n_heads=4, n_encoder_layers=2, n_decoder_layers=2, d_ff=512, dropout=0.1, max_len=64),
    # A wider, deeper model for a CUDA GPU.
    "gpu": ModelConfig(d_model=512, n_heads=8, n_encoder_layers=4, n_decoder_layers=4, d_ff=2048, dropout=0.1, max_len=64),
}

# The same widths as the translator's presets, and as many blocks as its encoder and decoder together,
# so that the book can set the three families side by side at one size.
LM_PRESETS: dict[str, LMConfig] = {
    "tiny": LMConfig(d_model=32, n_heads=4, n_layers=2, d_ff=64, dropout=0.0, max_len=32),
    "cpu": LMConfig(d_model=128, n_heads=4, n_layers=4, d_ff=512, dropout=0.1, max_len=64),
    "gpu": LMConfig(d_model=512, n_heads=8, n_layers=8, d_ff=2048, dropout=0.1, max_len=64),
}

# Sized so that each has about as many parameters as the translator's preset of the same name, with the
# book's vocabularies (tests/model/test_recurrent.py compares them): a comparison of like with like.
RNN_PRESETS: dict[str, RNNConfig] = {
    "tiny": RNNConfig(d_model=32, d_hidden=24, d_attention=24, dropout=0.0, max_len=32),
    "cpu": RNNConfig(d_model=128, d_hidden=176, d_attention=176, dropout=0.1, max_len=64),
    "gpu": RNNConfig(d_model=512, d_hidden=800, d_attention=800, n_encoder_layers=2, dropout=0.1, max_len=64),
}
