"""A trained translator: the model (the book's Transformer, or the recurrent baseline it is measured
against), its two vocabularies, and friendly translation.

    t = Translator.load()                 # the checkpoint shipped in data/
    t.translate("the black cat sees the dog").text   # 'le chat noir voit le chien .'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from attnlib.model.capture import capture_attention, cross_attention_layers
from attnlib.model.config import ModelConfig, RNNConfig
from attnlib.model.device import pick_device
from attnlib.model.recurrent import RNNEncoderDecoder
from attnlib.model.transformer import Transformer
from attnlib.paths import DATA_DIR, DEFAULT_CHECKPOINT  # noqa: F401  (re-exported: where the shipped model lives)
from .checkpoint import CheckpointError, load_checkpoint, load_state
from .decoding import EncoderDecoder, beam_search, greedy_decode
from .vocab import (EOS_ID, SPECIALS, Vocab, count_sentences, decoder_input, pad_rows, quoted_words, sentence_text,
                    tokenize, trim_at_eos)


#: the models a translator can be, by the name a checkpoint records: (its config class, its model class)
ARCHITECTURES = {"transformer": (ModelConfig, Transformer), "gru": (RNNConfig, RNNEncoderDecoder)}


def build_model(architecture: str, config: dict | None = None, preset: str | None = None, **overrides) -> EncoderDecoder:
    """A fresh model of ``architecture``, from a saved ``config`` dict or from a named ``preset`` with ``overrides``."""
    if architecture not in ARCHITECTURES:
        raise ValueError(f"unknown architecture {architecture!r}: choose one of {', '.join(ARCHITECTURES)}")
    config_class, model_class = ARCHITECTURES[architecture]
    cfg = config_class.from_dict(config) if config is not None else config_class.preset(preset, **overrides)
    return model_class(cfg)


# What a reader is told about input the translator cannot read; the page's JavaScript translator
# fills in the same templates (it receives them with the vocabularies), so both say the same thing.
INPUT_MESSAGES = {
    "empty": "the sentence is empty: type an English sentence, e.g. 'the black cat sees the dog'",
    "special": "{tokens} marks the model's own tokens, not a word: leave it out of the sentence",
    "several": "the text holds {count} sentences; this translator reads one sentence at a time: translate each on its own",
    "unknown": "unknown word(s) {words}: this translator knows only the {known} English words of its toy corpus",
    "too_long": "the sentence has {words} words; this translator reads at most {limit} ({why}): "
                "shorten it, or translate it in parts",
}
# What a reader is told about an output that is not a whole sentence (the page says the same)
OUTPUT_NOTES = {
    "cut": "the translation reached the limit of {limit} tokens without ending its sentence: it is cut short",
}
#: how far past its longest training sentence the translator is trusted to read: the book measures it on
#: sentences up to this many times longer (the generalisation split); beyond, it drops words without a sign
LENGTH_MARGIN = 2


@dataclass
class Translation:
    """One translated sentence: source and target tokens, and each decoder layer's cross-attention."""

    source: list[str]  # source tokens, <eos> included
    target: list[str]  # generated tokens, <eos> included if reached
    cross_attention: dict[str, torch.Tensor] = field(default_factory=dict)  # layer -> (H, T, S)

    @property
    def text(self) -> str:
        return sentence_text(self.target)

    @property
    def cut(self) -> bool:
        """Whether decoding stopped at the length limit rather than at an <eos>: the sentence is unfinished."""
        return not self.target or self.target[-1] != SPECIALS[EOS_ID]


@dataclass
class Translator:
    """A trained model with its two vocabularies: load a checkpoint, translate text, read cross-attention."""

    model: EncoderDecoder
    src_vocab: Vocab
    tgt_vocab: Vocab
    meta: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def load(cls, path: str | Path = DEFAULT_CHECKPOINT, device: str | torch.device | None = None) -> "Translator":
        device = pick_device(str(device) if device is not None else None)
        payload = load_checkpoint(path, map_location=device)
        try:  # a checkpoint without an architecture predates the recurrent model: a Transformer
            model = build_model(payload.get("architecture", "transformer"), payload["model_config"])
            src_vocab, tgt_vocab = Vocab.from_dict(payload["src_vocab"]), Vocab.from_dict(payload["tgt_vocab"])
        except (ValueError, TypeError, KeyError) as err:
            raise CheckpointError(f"{path} holds an unusable configuration or vocabulary: {err}") from None
        cfg = model.cfg
        if (len(src_vocab), len(tgt_vocab)) != (cfg.src_vocab_size, cfg.tgt_vocab_size):
            raise CheckpointError(f"{path}: vocabulary sizes {len(src_vocab)}/{len(tgt_vocab)} do not match the model's "
                                  f"{cfg.src_vocab_size}/{cfg.tgt_vocab_size}")
        model = model.to(device)
        load_state(model, payload["model"], source=str(path))
        return cls(model.eval(), src_vocab, tgt_vocab, dict(payload.get("meta", {})))

    @property
    def max_words(self) -> int:
        """The most words :meth:`source_ids` accepts: ``LENGTH_MARGIN`` times the longest English sentence
        the model was trained on (recorded in its checkpoint), never more than its position table holds."""
        table = self.model.cfg.max_len - 1  # the <eos> takes a position
        longest = self.meta.get("longest_source_words")
        return table if not longest else min(table, LENGTH_MARGIN * int(longest))

    @property
    def max_words_reason(self) -> str:
        """Why :attr:`max_words` is the limit, as the too-long message says it."""
        longest = self.meta.get("longest_source_words")
        if longest and LENGTH_MARGIN * int(longest) < self.model.cfg.max_len - 1:
            return f"{LENGTH_MARGIN}× the longest sentence it was trained on, {int(longest)} words"
        return "the length of its position table"

    @property
    def unfinished(self) -> str | None:
        """What to say of a checkpoint whose training was stopped before its end (None for a finished one)."""
        if not self.meta.get("interrupted"):
            return None
        return (f"this checkpoint is an unfinished run (stopped at step {self.meta.get('steps')}): continue its training "
                f"with `python -m attnlib.translation train --resume`")

    @property
    def device(self) -> torch.device:
        return next(self.model.parameters()).device

    def source_ids(self, text: str) -> torch.Tensor:
        """``text`` -> ``(1, S)`` ids, or a ValueError that says what is wrong with the input."""
        tokens = tokenize(text or "")
        if not tokens:
            raise ValueError(INPUT_MESSAGES["empty"])
        specials = [t for t in tokens if t in SPECIALS]
        if specials:  # the model's own markers: typed as words they would steer or vanish from the input
            raise ValueError(INPUT_MESSAGES["special"].format(tokens=quoted_words(specials)))
        sentences = count_sentences(tokens)
        if sentences > 1:  # trained on one sentence at a time, the model would translate the first and stop
            raise ValueError(INPUT_MESSAGES["several"].format(count=sentences))
        unknown = self.src_vocab.unknown_words(tokens)
        if unknown:
            raise ValueError(INPUT_MESSAGES["unknown"].format(words=quoted_words(unknown), known=self.src_vocab.n_words))
        if len(tokens) > self.max_words:
            raise ValueError(INPUT_MESSAGES["too_long"].format(words=len(tokens), limit=self.max_words,
                                                                why=self.max_words_reason))
        return torch.tensor([self.src_vocab.encode(tokens, add_eos=True)], device=self.device)

    def translate(self, text: str, beam_size: int = 1, with_attention: bool = True) -> Translation:
        src = self.source_ids(text)
        if not isinstance(beam_size, int) or beam_size < 1:
            raise ValueError(f"the beam size must be a whole number of at least 1 (1 = greedy), got {beam_size!r}")
        if beam_size > 1:
            ids = list(beam_search(self.model, src, beam_size=beam_size)[0].ids)
        else:
            ids = trim_at_eos(greedy_decode(self.model, src)[0].tolist())
        source = [self.src_vocab.itos[i] for i in src[0].tolist()]
        target = [self.tgt_vocab.itos[i] for i in ids]
        result = Translation(source, target)
        if with_attention and ids:
            result.cross_attention = self.cross_attention(src, ids)
        return result

    @torch.no_grad()
    def cross_attention(self, src: torch.Tensor, ids: list[int]) -> dict[str, torch.Tensor]:
        """Cross-attention of every decoder layer while it reads ``ids``: layer -> ``(H, T, S)``."""
        tgt_in = torch.tensor([decoder_input(ids)], device=src.device)  # (1, T): <bos> alone when ids is empty
        with capture_attention(self.model, cross_attention_layers(self.model)) as patterns:
            self.model(src, tgt_in)
        return {name: w[0].float().cpu() for name, w in patterns.items()}

    def teacher_forced(self, pairs) -> tuple[torch.Tensor, torch.Tensor]:
        """Sentence pairs as the model reads them in training: padded English ids ``(B, S)`` and the
        decoder input ``(B, T)`` (``<bos>`` and the gold French but its last token), on the model's device."""
        src = pad_rows([self.src_vocab.encode(p.src) for p in pairs])  # (B, S)
        tgt_in = pad_rows([decoder_input(self.tgt_vocab.encode(p.tgt)) for p in pairs])  # (B, T)
        return src.to(self.device), tgt_in.to(self.device)

    @torch.no_grad()
    def translate_batch(self, texts: list[str], batch_size: int = 128, lengths: list[int] | None = None,
                        last_only: tuple[str, ...] = ()) -> list[str]:
        """Greedy translations of many known-vocabulary sentences (for evaluation).

        ``lengths``: how many tokens each translation must have (e.g. its reference's), ``<eos>`` being
        forbidden before and forced after them, and the French tokens ``last_only`` (e.g. ``(".",)``)
        allowed only as the last of them (:func:`~attnlib.translation.decoding.greedy_decode`)."""
        if not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"batch_size must be a whole number of at least 1, got {batch_size!r}")
        if lengths is not None and len(lengths) != len(texts):
            raise ValueError(f"give one length per sentence: {len(lengths)} lengths for {len(texts)} sentences")
        unknown = [t for t in last_only if t not in self.tgt_vocab]
        if unknown:
            raise ValueError(f"last_only names {quoted_words(unknown)}, which the French vocabulary lacks")
        held = [self.tgt_vocab.stoi[t] for t in last_only]
        out = []
        for start in range(0, len(texts), batch_size):
            src = pad_rows([self.src_vocab.encode(t, add_eos=True) for t in texts[start : start + batch_size]])
            forced = None if lengths is None else list(lengths[start : start + batch_size])
            generated = greedy_decode(self.model, src.to(self.device), length=forced, last_only=held)  # (B, T)
            out += [self.tgt_vocab.decode(row.tolist()) for row in generated]
        return out



def main(argv: list[str] | None = None) -> int:
    """``python -m attnlib.translation translate "the black cat sees the dog"``: one sentence from the shell."""
    import argparse
    import os
    import sys

    parser = argparse.ArgumentParser(prog="python -m attnlib.translation translate",
                                     description="Translate an English sentence with a trained translator.")
    parser.add_argument("text", nargs="*", help="the English sentence")
    parser.add_argument("--from-env", metavar="NAME",
                        help="read the sentence from environment variable NAME (make translate does: no shell re-reads it)")
    parser.add_argument("--checkpoint", type=Path, default=DEFAULT_CHECKPOINT)
    parser.add_argument("--beam", type=int, default=1, help="beam size (1 = greedy)")
    args = parser.parse_args(argv)
    if args.from_env is not None and (args.text or args.from_env not in os.environ):
        parser.error(f"--from-env {args.from_env}: " + ("give the sentence there or as arguments, not both" if args.text
                                                        else "no such environment variable"))
    text = os.environ[args.from_env] if args.from_env is not None else " ".join(args.text)
    try:
        translator = Translator.load(args.checkpoint)
        result = translator.translate(text, beam_size=args.beam, with_attention=False)
    except (CheckpointError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(result.text)
    if translator.unfinished:
        print(f"note: {translator.unfinished}", file=sys.stderr)
    if result.cut:
        print(f"note: {OUTPUT_NOTES['cut'].format(limit=translator.model.cfg.max_len - 1)}", file=sys.stderr)
    return 0
