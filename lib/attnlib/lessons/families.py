"""One block, three families: the mask and the objective each family uses, and the book's three models next
to the published models they are small copies of.

    FAMILIES                          # encoder only, decoder only, encoder-decoder: mask, objective, use
    family_masks(english, french)     # the masks the book's models use, as (queries, keys) grids of True / False
    book_models()                     # the book's BERT, GPT and translator, counted from their shipped checkpoints
    PUBLISHED                         # BERT-base, GPT-2 small, the Transformer (base), GPT-3: the papers' numbers
    block_weights(size)               # the blocks' weight matrices, from the shape alone (12·L·d² when d_ff = 4d)
    book_bert_training(), BERT_BASE_TRAINING   # what each BERT read, and on what, for how long

The published numbers are facts with their source (:attr:`Size.source`), not measurements; the book's are
counted here from the checkpoints in ``data/``.

Shape letters: S English tokens, T French tokens.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence

import torch

from attnlib.lm.data import english
from attnlib.lm.trained import TrainedLM
from attnlib.model.masks import causal_mask, padding_mask
from attnlib.translation.translator import Translator
from attnlib.translation.vocab import PUNCTUATION

__all__ = ["BERT_BASE_TRAINING", "FAMILIES", "PUBLISHED", "Family", "Size", "Training", "block_weights",
           "book_bert_training", "book_models", "family_masks"]


@dataclass(frozen=True)
class Family:
    """One way to use the Transformer's block: which attention mask, which objective, what for."""

    name: str
    famous: str  # its best-known member
    book: str  # the book's own
    mask: str
    objective: str
    used_for: str


FAMILIES = (
    Family("encoder only", "BERT", "the book's BERT (this chapter)",
           "none but padding: every token sees every token, before and after it",
           "give back the words hidden in a sentence (masked-word prediction)",
           "understanding a whole text: classifying it, tagging its words, finding an answer in it, search"),
    Family("decoder only", "GPT", "the book's GPT (chapter 13)",
           "causal: each token sees itself and the tokens before it",
           "predict the next token, at every position at once",
           "writing: continuing a text, chat, code; one model for many tasks, told what to do in words"),
    Family("encoder-decoder", "the 2017 Transformer", "the book's translator (Part II)",
           "encoder: none but padding; decoder: causal; cross-attention: every French position sees all the English",
           "predict the next token of the output, given the whole input",
           "turning one sequence into another: translation, summaries, speech to text"),
)


def family_masks(english: Sequence[str], french: Sequence[str]) -> dict[str, tuple[list[str], list[str], torch.Tensor]]:
    """What may attend to what in each family, for a sentence of ``english`` tokens (and its ``french`` for the
    translator's cross-attention): ``{name: (queries, keys, mask (Tq, Tk) bool)}``, True where a query may look.

    They are the masks of :mod:`attnlib.model.masks` that the models build (``MaskedLM.mask``,
    ``CausalLM.mask``, ``Transformer.source_mask``), for a sentence without padding."""
    if not english or not french:
        raise ValueError("give the English tokens and the French ones: the masks need a sentence on each side")
    src = torch.ones(1, len(english), dtype=torch.long)  # (1, S): any ids that are not <pad> (0)
    s, t = len(english), len(french)
    english, french = list(english), list(french)
    return {
        "encoder only (BERT)": (english, english, padding_mask(src)[0, 0].expand(s, s)),  # (S, S)
        "decoder only (GPT)": (english, english, causal_mask(s)[0, 0]),  # (S, S)
        "encoder-decoder, cross-attention": (french, english, padding_mask(src)[0, 0].expand(t, s)),  # (T, S)
    }


@dataclass(frozen=True)
class Size:
    """How big a model is: parameters, layers, width, heads, vocabulary and context, with where it is from."""

    name: str
    family: str  # one of FAMILIES' names
    parameters: int
    layers: tuple[int, ...]  # (L,) for one stack; (encoder, decoder) for an encoder-decoder
    d_model: int
    n_heads: int
    d_ff: int
    vocabulary: int | None  # tokens (None: the source does not give it)
    tokens: str  # what a token is: a word, a WordPiece, a BPE piece
    context: int | None  # the most positions it reads (None: no fixed limit)
    source: str

    @property
    def n_layers(self) -> int:
        return sum(self.layers)

    @property
    def layers_text(self) -> str:
        return " + ".join(str(n) for n in self.layers)


# The papers' numbers, with two counts of the released models where the papers round: BERT's vocabulary (the
# paper says 30,000 tokens) and GPT-2 small's parameters (the paper's table says 117M, a figure its authors
# later corrected to the released weights' 124M). GPT-2 keeps GPT's heads and feed-forward width.
PUBLISHED = (
    Size("BERT-base", "encoder only", 110_000_000, (12,), 768, 12, 3072, 30_522, "WordPiece", 512,
         "Devlin et al., 2019, BERT: Pre-training of Deep Bidirectional Transformers for Language "
         "Understanding, §3 and appendix A.2"),
    Size("GPT-2 small", "decoder only", 124_000_000, (12,), 768, 12, 3072, 50_257, "byte-level BPE", 1024,
         "Radford et al., 2019, Language Models are Unsupervised Multitask Learners, §2.3 and table 2; "
         "heads and feed-forward width as in GPT (Radford et al., 2018)"),
    Size("Transformer (base)", "encoder-decoder", 65_000_000, (6, 6), 512, 8, 2048, 37_000,
         "BPE shared by English and German", None,
         "Vaswani et al., 2017, Attention Is All You Need, §3.5, §5.1 and table 3"),
    Size("GPT-3", "decoder only", 175_000_000_000, (96,), 12_288, 96, 4 * 12_288, None, "byte-level BPE", 2048,
         "Brown et al., 2020, Language Models are Few-Shot Learners, §2.1 and table 2.1"),
)


@lru_cache(maxsize=1)
def book_models() -> tuple[Size, ...]:
    """The book's BERT, GPT and translator, each counted from its shipped checkpoint: the parameters of the
    loaded model (a tied matrix once), its config, its vocabulary and its position table."""
    sizes = []
    for kind, name, family in (("masked", "the book's BERT", "encoder only"),
                               ("causal", "the book's GPT", "decoder only")):
        lm = TrainedLM.load(kind=kind, device="cpu")
        cfg = lm.model.cfg
        sizes.append(Size(name, family, lm.model.num_parameters(), (cfg.n_layers,), cfg.d_model, cfg.n_heads,
                          cfg.d_ff, len(lm.vocab), "word", cfg.max_len, f"data/lm-{kind}.pt"))
    translator = Translator.load(device="cpu")
    cfg = translator.model.cfg
    sizes.append(Size("the book's translator", "encoder-decoder", translator.model.num_parameters(),
                      (cfg.n_encoder_layers, cfg.n_decoder_layers), cfg.d_model, cfg.n_heads, cfg.d_ff,
                      len(translator.src_vocab) + len(translator.tgt_vocab), "word (English and French apart)",
                      cfg.max_len, "data/translator.pt"))
    return tuple(sizes)


def block_weights(size: Size) -> int:
    """The weight matrices of the blocks, biases and LayerNorms left out: per layer 4·d² for an attention's
    W_Q, W_K, W_V, W_O (8·d² in a decoder layer of an encoder-decoder, which adds cross-attention) and 2·d·d_ff
    for the feed-forward network. With d_ff = 4d an encoder layer holds 12·d²."""
    d = size.d_model
    per_layer = [4 * d * d + 2 * d * size.d_ff] * size.layers[0]
    if len(size.layers) == 2:
        per_layer += [8 * d * d + 2 * d * size.d_ff] * size.layers[1]
    return sum(per_layer)


@dataclass(frozen=True)
class Training:
    """What a model was trained on and with: how many words its training text holds, the hardware, the time."""

    name: str
    words: int  # of the training text, punctuation aside
    hardware: str
    seconds: float
    source: str


BERT_BASE_TRAINING = Training("BERT-base", 3_300_000_000, "16 TPU chips", 4 * 24 * 3600,
                              "Devlin et al., 2019, §3.1 (BooksCorpus, 800M words, and English Wikipedia, "
                              "2,500M words) and appendix A.2 (4 days on 16 TPU chips)")


def book_bert_training() -> Training:
    """The book's BERT: the words of the training split's English, and what its checkpoint says it ran on."""
    meta = TrainedLM.load(kind="masked", device="cpu").meta
    words = sum(token not in PUNCTUATION for sentence in english("train") for token in sentence.split())
    return Training("the book's BERT", words, meta["hardware"], meta["train_seconds"], "data/lm-masked.pt")
