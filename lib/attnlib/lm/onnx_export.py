"""The language models as ONNX graphs, for the published page: the browser runs them with onnxruntime-web.

    export_language_models(out_dir)      # the shipped models: lm_causal.onnx, lm_masked.onnx, language_models.json
    export_language_models(out_dir, causal=TrainedLM.load(path, kind="causal", device="cpu"), masked=...)

Two graphs, exported as the translator's are (:func:`~attnlib.translation.onnx_export.export_graph`:
``torch.onnx.export(..., dynamo=True)``, one self-contained file each):

    lm_causal.onnx   ids (1, T) int64                      -> logits (1, V)            of the newest position
                                                              attention (L, H, T, T)   every layer's self-attention
    lm_masked.onnx   ids (1, T) int64, position () int64   -> logits (1, V)            at position (the <mask>)
                                                              attention (L, H, T, T)

T is free, from 1 to the model's ``max_len``. The causal graph re-reads the whole prefix at every step (no
key/value cache, as the translator's decoder: the graphs stay small, stateless functions). Its attention
rows for earlier positions are the same at every step (the model is causal), so the last step's map
holds the rows of the whole generated text.

The logits are the model's own scores, not a distribution: the page turns them into one in float64
with ``attnlib/book/lm_sampling.js``, which repeats :mod:`attnlib.lm.sampling` operation for operation
(the padding id at -inf, temperature, top-k, top-p). A float32 softmax in the graph would break that
agreement, and the masked model's fill (:func:`~attnlib.lm.fill.top_fills`) is the same float64 softmax
at temperature 1 once the ids in ``never_propose`` are set to -inf.

The masked graph takes the ``<mask>``'s position and gives that one row, not ``(1, T, V)``: the page
shows the words for the one ``<mask>`` only (it found the position when it checked the sentence, as
:meth:`~attnlib.lm.trained.TrainedLM.sentence_ids` does), both graphs then answer the same ``(1, V)``,
and the head runs on one position instead of T.

``language_models.json`` holds what the page needs besides the weights: each model's vocabulary, its
special ids and length limits, the ids the masked model never proposes, the words its suggestions name, the
tokenizer's tables and every message Python gives a reader (what is typed, the sampling settings, the seed,
the limit on new tokens: the Python tables themselves, filled in by the page), and whatever the caller adds.

Shape letters: T tokens, D model width, V vocabulary, L layers, H heads.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

from attnlib.model.capture import attention_layers, capture_attention
from attnlib.model.language_model import LanguageModel
from attnlib.translation.onnx_export import export_graph, reader_tables
from attnlib.translation.vocab import SPECIALS
from .data import MASK
from .generate import LIMIT_MESSAGES
from .prng import SEED_LIMIT, SEED_MESSAGE
from .sampling import SAMPLING_MESSAGES
from .trained import EXAMPLE_PROMPT, INPUT_MESSAGES, MODELS, SUGGEST, TrainedLM

__all__ = ["CONFIG_FILE", "FILES", "ExportedLanguageModels", "export_language_models", "page_config"]

FILES = {"causal": "lm_causal.onnx", "masked": "lm_masked.onnx"}
CONFIG_FILE = "language_models.json"
EXAMPLES = {"causal": "the black cat", "masked": "the black <mask> sees the dog ."}  # traced once, then T is free


class _AttentionGraph(nn.Module):
    """What both graphs share: the model's stack on ``ids (1, T)``, no input checks (they read tensor
    values, which a traced graph cannot branch on; the page checks the input first), every layer's
    self-attention captured as the chapters capture it."""

    def __init__(self, model: LanguageModel):
        super().__init__()
        self.model = model
        self.names = list(attention_layers(model))  # the L self-attention layers, first to last

    def states(self, ids: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        m = self.model
        with capture_attention(m, self.names) as patterns:
            y = m.stack(ids, m.mask(ids))  # (1, T, D): the causal or the padding mask, as forward() uses
        return y, torch.cat([patterns[name] for name in self.names])  # L × (1, H, T, T) -> (L, H, T, T)


class CausalGraph(_AttentionGraph):
    """``ids (1, T)`` -> the next token's ``logits (1, V)`` and ``attention (L, H, T, T)``."""

    def forward(self, ids: torch.Tensor):
        y, attention = self.states(ids)
        return self.model.head(y[:, -1]), attention  # (1, V): only the newest position predicts what comes next


class MaskedGraph(_AttentionGraph):
    """``ids (1, T)``, ``position ()`` -> ``logits (1, V)`` at that position and ``attention (L, H, T, T)``."""

    def forward(self, ids: torch.Tensor, position: torch.Tensor):
        y, attention = self.states(ids)
        # the row is picked before the head: (1, T, D) -> (1, D), then D -> V for that one position
        return self.model.head(y[:, position]), attention  # (1, V), (L, H, T, T)


GRAPHS = {"causal": (CausalGraph, ["ids"]), "masked": (MaskedGraph, ["ids", "position"])}  # the graph, its inputs


@dataclass(frozen=True)
class ExportedLanguageModels:
    """Where :func:`export_language_models` wrote the two graphs and the page's JSON."""

    causal: Path
    masked: Path
    config: Path

    @property
    def files(self) -> list[Path]:
        return [self.causal, self.masked, self.config]

    @property
    def n_bytes(self) -> int:
        return sum(f.stat().st_size for f in self.files)


def model_config(lm: TrainedLM) -> dict:
    """One model's part of the page's JSON: its graph, vocabulary, special ids and limits."""
    cfg, vocab = lm.model.cfg, lm.vocab
    out = {
        "file": FILES[lm.kind],
        "tokens": vocab.itos,  # the specials, then the words most frequent first (the order suggestions rank in)
        "known_words": lm.n_words,
        "pad_id": vocab.pad_id,
        "bos_id": vocab.bos_id,
        "eos_id": vocab.eos_id,
        "unk_id": vocab.unk_id,
        "max_len": cfg.max_len,
        "n_layers": cfg.n_layers,
        "n_heads": cfg.n_heads,
        "common_words": lm.common_words,  # named when no known word is near an unknown one
    }
    if lm.kind == "causal":
        # <bos> takes a position (prompt_ids); a prompt of n tokens leaves max_len - n + 1 new ones (generate)
        return {**out, "max_words": cfg.max_len - 1}
    # <bos> and <eos> take a position each (sentence_ids); the specials are never proposed (top_fills)
    return {**out, "max_words": cfg.max_len - 2, "mask_id": vocab.stoi[MASK], "never_propose": lm.specials}


def page_config(causal: TrainedLM, masked: TrainedLM) -> dict:
    """Everything but the weights that the page's language models need, taken from the Python ones."""
    return {
        "causal": model_config(causal),
        "masked": model_config(masked),
        "specials": [*SPECIALS, MASK],  # typed as words, each gets the "special" message
        "mask": MASK,
        "example_prompt": EXAMPLE_PROMPT,
        "suggest": SUGGEST,
        "seed_limit": SEED_LIMIT,
        **reader_tables(),
        # every message Python gives a reader, in one table: the text's, the sampling settings', the seed's, the limit's
        "messages": {**INPUT_MESSAGES, **SAMPLING_MESSAGES, "seed": SEED_MESSAGE, **LIMIT_MESSAGES},
    }


def _checked(lm: TrainedLM | None, kind: str) -> TrainedLM:
    """The shipped ``kind`` model on the CPU when ``lm`` is None, else ``lm`` once it is the right kind on the CPU."""
    if lm is None:
        return TrainedLM.load(kind=kind, device="cpu")
    if not isinstance(lm, TrainedLM) or lm.kind != kind or not isinstance(lm.model, MODELS[kind]):
        raise ValueError(f"{kind}= takes the {kind} language model, a TrainedLM.load(kind={kind!r}), "
                         f"got {getattr(lm, 'kind', type(lm).__name__)!r}")
    if lm.device.type != "cpu":
        raise ValueError(f"export a language model loaded on the CPU: TrainedLM.load(kind={kind!r}, device='cpu')")
    return lm


def _example(lm: TrainedLM) -> tuple[torch.Tensor, ...]:
    """The inputs the graph is traced on: ``(ids (1, T),)`` or ``(ids (1, T), position ())``."""
    if lm.kind == "causal":
        return (lm.prompt_ids(EXAMPLES["causal"]),)
    ids, position = lm.sentence_ids(EXAMPLES["masked"])
    return ids, torch.tensor(position)  # a 0-d int64: one row, picked by plain indexing


@torch.no_grad()
def export_language_models(out_dir: str | Path, causal: TrainedLM | None = None, masked: TrainedLM | None = None,
                           page: dict | None = None) -> ExportedLanguageModels:
    """Write ``lm_causal.onnx``, ``lm_masked.onnx`` and ``language_models.json`` into ``out_dir``, for the
    given models (default: the shipped ones); ``page`` adds settings of the page's own to the JSON."""
    models = {"causal": _checked(causal, "causal"), "masked": _checked(masked, "masked")}  # checked before writing
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    files = ExportedLanguageModels(out / FILES["causal"], out / FILES["masked"], out / CONFIG_FILE)
    for kind, lm in models.items():
        graph, inputs = GRAPHS[kind]
        model = lm.model.eval()  # no dropout: the graph is the model as it is used
        length = torch.export.Dim("length", min=1, max=model.cfg.max_len)
        export_graph(graph(model), _example(lm), out / FILES[kind], inputs, ["logits", "attention"],
                     {"ids": {1: length}, **({"position": {}} if kind == "masked" else {})})
    config = {**page_config(models["causal"], models["masked"]), **(page or {})}
    files.config.write_text(json.dumps(config, ensure_ascii=False, separators=(",", ":")))
    return files
