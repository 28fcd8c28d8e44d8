"""The translator as ONNX graphs, for the published page: the browser runs them with onnxruntime-web.

    export_translator(Translator.load(), out_dir)   # encoder.onnx, decoder.onnx, translator.json

Two graphs, exported with ``torch.onnx.export(..., dynamo=True)`` (torch.export, then ONNX):

    encoder.onnx   source (1, S) int64                                   -> memory (1, S, D)
    decoder.onnx   prefix (1, T) int64, memory (1, S, D), source (1, S)  -> logits (1, V)           of the newest position
                                                                             next_token (1,) int64  their argmax
                                                                             cross_attention (L, H, T, S)
                                                                             head_mean (L, T, S)    its mean over heads

The decoder re-reads the whole prefix at every step (no key/value cache: the graphs stay two small,
stateless functions). Its cross-attention rows for earlier positions are the same at every step
(the decoder is causal), so the last step's map holds every row the reader has seen appear.

The greedy choice (the argmax, first of equal values as torch takes it) and the mean of the heads
are computed in the graph, as Python computes them, so the page's script does no arithmetic of its own.

``translator.json`` holds what the page needs besides the weights: both vocabularies, the length
limit, the tokenizer's tables and the input messages (the Python ones, filled in by the page), and
whatever the caller adds (the book adds how the heatmap is drawn).
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import warnings
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

from attnlib.model.capture import capture_attention, cross_attention_layers
from attnlib.model.transformer import Transformer
from .translator import INPUT_MESSAGES, OUTPUT_NOTES, Translator
from .vocab import (BOS_ID, EOS_ID, ELISIONS, PUNCTUATION, QUOTE_MAX_CHARS, QUOTE_MAX_WORDS, SENTENCE_ENDS, SPECIALS,
                    WHITESPACE)

ENCODER_FILE, DECODER_FILE, CONFIG_FILE = "encoder.onnx", "decoder.onnx", "translator.json"
OPSET = 18


class EncoderGraph(nn.Module):
    """``source (1, S)`` -> ``memory (1, S, D)``: the encoder with its padding mask, and no input checks
    (they read tensor values, which a traced graph cannot branch on; the page checks the input first)."""

    def __init__(self, model: Transformer):
        super().__init__()
        self.model = model

    def forward(self, source: torch.Tensor) -> torch.Tensor:
        return self.model.encoder(source, self.model.source_mask(source))


class DecoderGraph(nn.Module):
    """One greedy step on the whole prefix: next-token logits ``(1, V)``, the token greedy decoding
    writes ``(1,)``, every layer's cross-attention ``(L, H, T, S)``, captured as the chapters capture it,
    and its mean over heads ``(L, T, S)``."""

    def __init__(self, model: Transformer):
        super().__init__()
        self.model = model
        self.names = cross_attention_layers(model)

    def forward(self, prefix: torch.Tensor, memory: torch.Tensor, source: torch.Tensor):
        m = self.model
        with capture_attention(m, self.names) as patterns:
            y = m.decoder(prefix, memory, m.target_mask(prefix), m.source_mask(source))  # (1, T, D)
        cross = torch.cat([patterns[name] for name in self.names])  # L × (1, H, T, S) -> (L, H, T, S)
        logits = m.generator(y[:, -1])  # (1, V)
        return logits, logits.argmax(-1), cross, cross.mean(1)  # (1, V), (1,), (L, H, T, S), (L, T, S)


@dataclass(frozen=True)
class ExportedTranslator:
    encoder: Path
    decoder: Path
    config: Path

    @property
    def files(self) -> list[Path]:
        return [self.encoder, self.decoder, self.config]

    @property
    def n_bytes(self) -> int:
        return sum(f.stat().st_size for f in self.files)


def page_config(translator: Translator) -> dict:
    """Everything but the weights that the page's translator needs, taken from the Python one."""
    cfg = translator.model.cfg
    return {
        "source_tokens": translator.src_vocab.itos,
        "target_tokens": translator.tgt_vocab.itos,
        "specials": list(SPECIALS),
        "known_words": translator.src_vocab.n_words,
        "bos_id": BOS_ID,
        "eos_id": EOS_ID,
        "max_len": cfg.max_len,
        "max_words": translator.max_words,
        "max_words_reason": translator.max_words_reason,
        "n_layers": cfg.n_decoder_layers,
        "n_heads": cfg.n_heads,
        **reader_tables(),
        "messages": INPUT_MESSAGES,
        "notes": OUTPUT_NOTES,
    }


def reader_tables() -> dict:
    """What a page needs to split typed text as :func:`~attnlib.translation.vocab.tokenize` does and to quote
    words in its messages as :func:`~attnlib.translation.vocab.quoted_words` does (the language models'
    page reads text the same way)."""
    return {"tokenizer": {"punctuation": PUNCTUATION, "elisions": list(ELISIONS), "whitespace": WHITESPACE,
                          "sentence_ends": SENTENCE_ENDS},
            "quote": {"max_words": QUOTE_MAX_WORDS, "max_chars": QUOTE_MAX_CHARS}}


def export_graph(module: nn.Module, args: tuple, path: Path, inputs: list[str], outputs: list[str],
                 dims: dict) -> None:
    """``module(*args)`` as one self-contained ONNX file at ``path``, its inputs and outputs named, the
    dimensions in ``dims`` (``{input: {axis: torch.export.Dim}}``) left free; a RuntimeError with the
    exporter's own account when it fails."""
    # The exporter narrates every stage and warns about optional packages (torchvision) it does not
    # need; a book build shows only what is wrong, so that talk goes nowhere unless export fails.
    chatter = io.StringIO()
    with warnings.catch_warnings(), contextlib.redirect_stdout(chatter), contextlib.redirect_stderr(chatter):
        warnings.simplefilter("ignore")
        previous = logging.getLogger("torch").level
        logging.getLogger("torch").setLevel(logging.ERROR)
        try:
            program = torch.onnx.export(module, args, dynamo=True, input_names=inputs, output_names=outputs,
                                         dynamic_shapes=dims, opset_version=OPSET, verbose=False)
        except Exception as err:
            raise RuntimeError(f"exporting {path.name} to ONNX failed: {err}\n{chatter.getvalue()}") from err
        finally:
            logging.getLogger("torch").setLevel(previous)
    program.save(str(path), external_data=False)  # one self-contained file the page fetches


@torch.no_grad()
def export_translator(translator: Translator, out_dir: str | Path, page: dict | None = None) -> ExportedTranslator:
    """Write ``encoder.onnx``, ``decoder.onnx`` and ``translator.json`` for ``translator`` into ``out_dir``;
    ``page`` adds settings of the page's own to the JSON."""
    if translator.device.type != "cpu":
        raise ValueError("export a translator loaded on the CPU: Translator.load(path, device='cpu')")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    model = translator.model.eval()
    length = torch.export.Dim("length", min=1, max=model.cfg.max_len)
    source_len = torch.export.Dim("source_length", min=1, max=model.cfg.max_len)
    source = torch.tensor([translator.src_vocab.encode("the black cat sees the dog")])  # (1, S)
    memory = EncoderGraph(model)(source)  # (1, S, D)
    prefix = torch.tensor([[BOS_ID, *translator.tgt_vocab.encode("le chat", add_eos=False)]])  # (1, T)
    files = ExportedTranslator(out / ENCODER_FILE, out / DECODER_FILE, out / CONFIG_FILE)
    export_graph(EncoderGraph(model), (source,), files.encoder, ["source"], ["memory"], {"source": {1: source_len}})
    export_graph(DecoderGraph(model), (prefix, memory, source), files.decoder, ["prefix", "memory", "source"],
                 ["logits", "next_token", "cross_attention", "head_mean"],
                 {"prefix": {1: length}, "memory": {1: source_len}, "source": {1: source_len}})
    config = {**page_config(translator), **(page or {})}
    files.config.write_text(json.dumps(config, ensure_ascii=False, separators=(",", ":")))
    return files
