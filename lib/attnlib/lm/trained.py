"""A trained language model with its vocabulary: loading its checkpoint, and reading what a reader types.

    lm = TrainedLM.load(kind="causal")        # data/lm-causal.pt, the book's GPT
    lm.prompt_ids("the black cat")            # (1, T) ids: <bos> the black cat
    bert = TrainedLM.load(kind="masked")      # data/lm-masked.pt, the book's BERT
    bert.sentence_ids("the <mask> cat sees the dog .")   # (1, T) ids and the position of the <mask>

A language model's checkpoint is written like the translator's (:mod:`attnlib.translation.checkpoint`)
and holds, besides its weights (float32) and its config, one vocabulary and its kind::

    {"format": 1, "kind": "causal" | "masked", "model_config": {...}, "model": state_dict, "vocab": {...},
     "train": {...}, "meta": {...}, "optimizer": state_dict | None, "scheduler": state_dict | None, "step": int}

What a reader types is checked before the model runs: an empty text, the model's own tokens typed as
words, unknown words (named, with known words like them), and a text longer than the model's position
table each get a ValueError that says what to change.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from attnlib.model.config import LMConfig
from attnlib.model.device import pick_device
from attnlib.model.language_model import CausalLM, MaskedLM
from attnlib.paths import LM_CHECKPOINTS
from attnlib.translation.checkpoint import CheckpointError, CheckpointKind, load_checkpoint, load_state
from attnlib.translation.vocab import SPECIALS, Vocab, quoted_words, tokenize
from .data import KINDS, MASK

__all__ = ["CHECKPOINT_KINDS", "EXAMPLE_PROMPT", "INPUT_MESSAGES", "MODELS", "SUGGEST", "TrainedLM", "check_kind"]

MODELS = {"causal": CausalLM, "masked": MaskedLM}
CHECKPOINT_KINDS = {kind: CheckpointKind(f"{kind} language model", ("format", "kind", "model_config", "model", "vocab"),
                                         "make lm", f"python -m attnlib.lm train --kind {kind} --out {{path}}",
                                         f"lm-{kind}.pt")
                    for kind in KINDS}

# Every message a reader's text can get, filled in by Python here and by the page's script from
# language_models.json (lib/attnlib/book/lm_reader.js): one wording for both.
INPUT_MESSAGES = {
    "empty": "the {what} is empty: type some English words of the corpus, e.g. {example!r}",
    "special": "{tokens} marks the model's own tokens, not a word: leave it out{hint}",
    "mask_hint": " ({mask} is for the masked model: python -m attnlib.lm fill)",
    "unknown": "unknown word(s) {words}: this model knows only the {known} words of the corpus's English; {suggest}",
    "suggest_near": "did you mean {near}?",
    "suggest_common": "it knows words such as {words} …",
    "too_long": "the {what} has {words} words; this model reads at most {limit} (the length of its position table): "
                "shorten it",
    "masks": "the sentence holds {count}: write exactly one {mask} where the missing word goes, "
             "e.g. 'the black {mask} sees the dog .'",
}
EXAMPLE_PROMPT = "the black cat"  # the example the "empty" message gives
# How unknown words get suggestions (TrainedLM.suggestions): for the first WORDS unknown words, at most CLOSE
# known words whose difflib ratio reaches CUTOFF; when none is near, those of the COMMON commonest words that are
# letters only
SUGGEST = {"words": 3, "close": 3, "cutoff": 0.6, "common": 12}


def check_kind(kind: str) -> str:
    if kind not in KINDS:
        raise ValueError(f"unknown kind of language model {kind!r}: choose causal (the book's GPT) or masked (its BERT)")
    return kind


@dataclass
class TrainedLM:
    """A language model, its vocabulary and what its training recorded (``meta``)."""

    kind: str  # "causal" or "masked"
    model: CausalLM | MaskedLM
    vocab: Vocab
    meta: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def load(cls, path: str | Path | None = None, kind: str = "causal",
             device: str | torch.device | None = None) -> "TrainedLM":
        """The ``kind`` model saved at ``path`` (the shipped one by default), or a CheckpointError that says
        what to do (``make lm`` when there is none)."""
        check_kind(kind)
        path = LM_CHECKPOINTS[kind] if path is None else Path(path)
        device = pick_device(str(device) if device is not None else None)
        payload = load_checkpoint(path, map_location=device, kind=CHECKPOINT_KINDS[kind])
        if payload["kind"] != kind:
            raise CheckpointError(f"{path} holds a {payload['kind']} language model, not a {kind} one: "
                                  f"give the {kind} model's checkpoint (e.g. {LM_CHECKPOINTS[kind]})")
        try:
            cfg = LMConfig.from_dict(payload["model_config"])
            vocab = Vocab.from_dict(payload["vocab"])
        except (ValueError, TypeError, KeyError) as err:
            raise CheckpointError(f"{path} holds an unusable configuration or vocabulary: {err}") from None
        if len(vocab) != cfg.vocab_size:
            raise CheckpointError(f"{path}: a vocabulary of {len(vocab)} tokens does not match the model's "
                                  f"{cfg.vocab_size}")
        model = MODELS[kind](cfg).to(device)
        load_state(model, payload["model"], source=str(path))
        return cls(kind, model.eval(), vocab, dict(payload.get("meta", {})))

    @property
    def device(self) -> torch.device:
        return next(self.model.parameters()).device

    @property
    def specials(self) -> list[int]:
        """The ids that are no word: the four specials, and ``<mask>`` when the vocabulary has it."""
        return [self.vocab.stoi[t] for t in (*SPECIALS, MASK) if t in self.vocab]

    @property
    def unfinished(self) -> str | None:
        """What to say of a checkpoint whose training was stopped before its end (None for a finished one)."""
        if not self.meta.get("interrupted"):
            return None
        return (f"this checkpoint is an unfinished run (stopped at step {self.meta.get('steps')}): continue its "
                f"training with `python -m attnlib.lm train --kind {self.kind} --resume`")

    def words(self, text: str, what: str, limit: int, allowed: tuple[str, ...] = ()) -> list[str]:
        """``text``'s tokens, or a ValueError that says what is wrong with it (``what``: "prompt", "sentence";
        ``limit``: the most words there is room for; ``allowed``: special tokens that may be typed)."""
        tokens = tokenize(text or "")
        if not tokens:
            raise ValueError(INPUT_MESSAGES["empty"].format(what=what, example=EXAMPLE_PROMPT))
        specials = [t for t in tokens if (t in SPECIALS or t == MASK) and t not in allowed]
        if specials:
            hint = INPUT_MESSAGES["mask_hint"].format(mask=MASK) if MASK in specials else ""
            raise ValueError(INPUT_MESSAGES["special"].format(tokens=quoted_words(specials), hint=hint))
        unknown = [t for t in self.vocab.unknown_words(tokens) if t not in allowed]
        if unknown:
            raise ValueError(INPUT_MESSAGES["unknown"].format(words=quoted_words(unknown), known=self.n_words,
                                                              suggest=self.suggestions(unknown)))
        if len(tokens) > limit:
            raise ValueError(INPUT_MESSAGES["too_long"].format(what=what, words=len(tokens), limit=limit))
        return tokens

    @property
    def known_words(self) -> list[str]:
        """The words of the vocabulary, most frequent first."""
        return [t for t in self.vocab.itos if t not in SPECIALS and t != MASK]

    @property
    def n_words(self) -> int:
        return len(self.known_words)

    @property
    def common_words(self) -> list[str]:
        """The words a reader is shown when no known word is near an unknown one: the commonest, letters only."""
        return [w for w in self.known_words[:SUGGEST["common"]] if w.isalpha()]

    def suggestions(self, unknown: list[str]) -> str:
        """Known words like the unknown ones (``'kat' → 'cat'``), or some of the commonest when none is near."""
        known = self.known_words
        rank = {w: i for i, w in enumerate(known)}  # most frequent first
        near = []
        for word in unknown[:SUGGEST["words"]]:
            similar = difflib.get_close_matches(word, known, n=len(known), cutoff=SUGGEST["cutoff"])
            # the most alike first, and among as alike ones the most frequent ('kat': cat before hat)
            similar.sort(key=lambda w: (-round(difflib.SequenceMatcher(None, word, w).ratio(), 9), rank[w]))
            close = [repr(w) for w in similar[:SUGGEST["close"]]]
            if close:
                near.append(f"{', '.join(close[:-1])} or {close[-1]}" if len(close) > 1 else close[0])
                near[-1] += f" for {quoted_words([word])}"
        if near:
            return INPUT_MESSAGES["suggest_near"].format(near="; ".join(near))
        return INPUT_MESSAGES["suggest_common"].format(words=", ".join(repr(w) for w in self.common_words))

    def prompt_ids(self, text: str) -> torch.Tensor:
        """A causal model's prompt: ``<bos>`` and the words of ``text``, ``(1, T)`` ids on the model's device."""
        if self.kind != "causal":
            raise ValueError("a masked model does not continue a prompt: load the causal one to generate")
        tokens = self.words(text, "prompt", limit=self.model.cfg.max_len - 1)  # <bos> takes a position
        return torch.tensor([self.vocab.encode(tokens, add_bos=True, add_eos=False)], device=self.device)

    def sentence_ids(self, text: str) -> tuple[torch.Tensor, int]:
        """A masked model's sentence with exactly one ``<mask>``: ``<bos> … <eos>`` as ``(1, T)`` ids, and the
        position of its ``<mask>``."""
        if self.kind != "masked":
            raise ValueError(f"a causal model does not fill a {MASK}: load the masked one to fill")
        tokens = self.words(text, "sentence", limit=self.model.cfg.max_len - 2, allowed=(MASK,))  # <bos>, <eos>
        count = tokens.count(MASK)
        if count != 1:
            held = f"no {MASK}" if count == 0 else f"{count} {MASK} tokens"
            raise ValueError(INPUT_MESSAGES["masks"].format(count=held, mask=MASK))
        ids = self.vocab.encode(tokens, add_bos=True, add_eos=True)
        return torch.tensor([ids], device=self.device), tokens.index(MASK) + 1  # +1: the <bos>
