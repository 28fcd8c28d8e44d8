"""Where the translator decides what *it* means: attention from the pronoun, probes, and a swapped noun.

    attention_from_pronoun(translator, sentence)   # every layer and head: the pronoun's weights over the words
    probe_accuracies(translator, train, test)       # can a linear probe read the antecedent's gender, layer by layer,
                                                    # at the pronoun and one decoding step before it?
    swapped_noun_test(translator, pairs)            # change the gender of a French noun already written

A head's weights say where it looks, not what the model concludes; a probe asks whether a layer's
output already *holds* the answer; the swap asks which input the answer comes from. Shape letters:
B batch, H heads, S source length, T target length, D model width.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Sequence

import torch

from attnlib.model.capture import attention_layers, capture_attention
from attnlib.translation.antecedents import (FRENCH_PRONOUNS, antecedent_pairs, french_index, french_pronoun_index,
                                             noun_genders)
from attnlib.translation.corpus import Pair
from attnlib.translation.translator import Translator

PRONOUNS = ("it", "they")


def pronoun_index(tokens: Sequence[str]) -> int:
    """The position of the last *it* or *they* in an English sentence (ValueError if there is none)."""
    found = [i for i, t in enumerate(tokens) if t in PRONOUNS]
    if not found:
        raise ValueError("the sentence has no 'it' or 'they' to resolve: write one, e.g. "
                         "'the dog does not eat the soup because it is cold'")
    return found[-1]


@dataclass(frozen=True)
class PronounAttention:
    """One sentence: its tokens, the translation, each encoder layer's weights from the pronoun, and each
    cross-attention layer's weights at the step that writes the French pronoun."""

    source: list[str]  # English tokens, <eos> included
    target: list[str]  # the greedy translation, <eos> included
    pronoun: int  # index of it/they in ``source``
    encoder: dict[str, torch.Tensor]  # "encoder.layers.0.self_attn" -> (H, S): the pronoun's row
    french_pronoun: int | None = None  # index of il/elle/ils/elles in ``target`` (None: the translation has none)
    cross: dict[str, torch.Tensor] | None = None  # "decoder.layers.0.cross_attn" -> (H, S) at that step


@torch.no_grad()
def attention_from_pronoun(translator: Translator, sentence: str) -> PronounAttention:
    """Translate ``sentence`` and keep, for every encoder self-attention layer, the pronoun's row of weights."""
    src = translator.source_ids(sentence)  # (1, S); ValueError for unusable input
    source = [translator.src_vocab.itos[i] for i in src[0].tolist()]
    index = pronoun_index(source)
    names = [n for n in attention_layers(translator.model) if n.startswith("encoder.")]
    with capture_attention(translator.model, names) as patterns:
        translator.model.encode(src)
    translation = translator.translate(sentence)  # cross-attention of every layer: (H, T, S)
    target = translation.target
    j = next((i for i, t in enumerate(target) if t in FRENCH_PRONOUNS and "parce" in target[:i]), None)
    cross = {n: w[:, j] for n, w in translation.cross_attention.items()} if j is not None else None
    return PronounAttention(source, target, index, {n: patterns[n][0, :, index].float().cpu() for n in names},
                            j, cross)


@torch.no_grad()
def predicate_shares(translator: Translator, pairs: Sequence[Pair]) -> dict[str, float]:
    """Per head: the share of pronoun sentences in which the pronoun's largest weight, over all the English
    words, lands on the predicate (*tired*, *wide*: the word before the final full stop).

    Encoder heads are read at *it*; cross-attention heads at the step that writes *il* or *elle* (gold prefix).
    """
    pairs = antecedent_pairs(pairs)
    if not pairs:
        raise ValueError("none of the pairs has a pronoun with a gold antecedent (the pronoun_antecedent sentences)")
    names = [n for n in attention_layers(translator.model) if n.startswith("encoder.") or n.endswith("cross_attn")]
    src, tgt_in = translator.teacher_forced(pairs)  # (B, S), (B, T)
    with capture_attention(translator.model, names) as patterns:
        translator.model(src, tgt_in)
    rows = torch.arange(len(pairs))
    english = torch.tensor([p.antecedent.pronoun for p in pairs])
    french = torch.tensor([french_pronoun_index(p) for p in pairs])
    predicate = torch.tensor([len(p.src_tokens) - 2 for p in pairs])
    out = {}
    for name in names:
        query = english if name.startswith("encoder.") else french
        top = patterns[name][rows, :, query].argmax(-1)  # (B, H): where each head's row peaks
        for h in range(top.shape[1]):
            out[f"{name}#{h}"] = float((top[:, h] == predicate).float().mean())
    return out


# -- probes: does a layer's output already hold the answer? ------------------------------------------

#: Appended to a decoder layer's name: its output one step before the pronoun's, at the step that writes *qu'*.
STEP_BEFORE = ", a step before"


def _states(translator: Translator, pairs: Sequence[Pair]) -> dict[str, torch.Tensor]:
    """Each encoder layer's output at the English pronoun, and each decoder layer's output at the step that
    writes the French pronoun and (``name + STEP_BEFORE``) at the step before it, with the gold French as the
    prefix: name -> ``(B, D)``."""
    model = translator.model
    layers = {f"encoder layer {i + 1}": layer for i, layer in enumerate(model.encoder.layers)}
    layers |= {f"decoder layer {i + 1}": layer for i, layer in enumerate(model.decoder.layers)}
    outputs: dict[str, torch.Tensor] = {}
    hooks = [layer.register_forward_hook(lambda m, i, out, name=name: outputs.__setitem__(name, out.detach()))
             for name, layer in layers.items()]
    src, tgt_in = translator.teacher_forced(pairs)  # (B, S), (B, T)
    try:
        with torch.no_grad():
            model(src, tgt_in)
    finally:
        for hook in hooks:
            hook.remove()
    rows = torch.arange(len(pairs))
    english = torch.tensor([p.antecedent.pronoun for p in pairs])
    french = torch.tensor([french_pronoun_index(p) for p in pairs])
    states = {}
    for name, out in outputs.items():  # out: (B, S, D) or (B, T, D)
        if name.startswith("encoder"):
            states[name] = out[rows, english].float().cpu()  # (B, D)
        else:
            states[name] = out[rows, french].float().cpu()  # (B, D): the step that writes il/elle
            states[name + STEP_BEFORE] = out[rows, french - 1].float().cpu()  # (B, D): the step that writes qu'
    return states


def _fit_probe(x: torch.Tensor, y: torch.Tensor, steps: int = 300) -> tuple[torch.Tensor, torch.Tensor]:
    """A logistic-regression probe ``(D,)`` weights and bias, on standardised features, seeded."""
    g = torch.Generator().manual_seed(0)
    w = (torch.randn(x.shape[1], generator=g) * 0.01).requires_grad_()
    b = torch.zeros(1, requires_grad=True)
    opt = torch.optim.Adam([w, b], lr=0.05)
    for _ in range(steps):
        loss = torch.nn.functional.binary_cross_entropy_with_logits(x @ w + b, y) + 1e-3 * w.square().sum()
        opt.zero_grad()
        loss.backward()
        opt.step()
    return w.detach(), b.detach()


def probe_accuracies(translator: Translator, train: Sequence[Pair], test: Sequence[Pair]) -> dict[str, float]:
    """Fit a linear probe per layer on ``train`` pronoun sentences to read the antecedent's French gender
    from that layer's output, and score it on ``test``: ``{"encoder layer 1": 0.70, …}``; the decoder's
    layers also one step earlier (``"decoder layer 2" + STEP_BEFORE``), before the pronoun is written.

    Only sentences whose nouns differ in gender count, so guessing either gender is right half the time.
    The last decoder layer at the pronoun's step is what the output layer reads to write *il* or *elle*:
    a model that writes the right pronoun makes that probe right by construction. The step before is not
    read to write the pronoun, so there the probe says whether the choice is already made.
    """
    def usable(pairs):
        return [p for p in antecedent_pairs(pairs) if len(set(noun_genders(p))) == 2]

    train, test = usable(train), usable(test)
    if not train or not test:
        raise ValueError("probes need pronoun sentences whose two nouns differ in gender, in both sets")
    x_train, x_test = _states(translator, train), _states(translator, test)
    y_train = torch.tensor([noun_genders(p)[0] == "f" for p in train], dtype=torch.float)
    y_test = torch.tensor([noun_genders(p)[0] == "f" for p in test], dtype=torch.float)
    out = {}
    for name in x_train:
        mean, std = x_train[name].mean(0), x_train[name].std(0) + 1e-6
        w, b = _fit_probe((x_train[name] - mean) / std, y_train)
        predicted = ((x_test[name] - mean) / std @ w + b > 0).float()
        out[name] = float((predicted == y_test).float().mean())
    return out


# -- the swapped noun: which input does the gender come from? -----------------------------------------

ARTICLES = {"le": "la", "la": "le"}


@dataclass(frozen=True)
class SwapResult:
    """Over the sentences tested: how often the pronoun follows the English antecedent's gender, and how
    often it follows the gender of the French noun written for it (swapped to the other gender)."""

    n: int
    follows_english: float
    follows_french: float


def _swap_noun(tokens: list[str], k: int, rng: random.Random, nouns) -> list[str] | None:
    """``le chat`` -> ``la souris``: the French noun at ``k`` and its article, in the other gender, same kind."""
    by_french = {n.fr: n for n in nouns}
    noun = by_french.get(tokens[k])
    if noun is None or tokens[k - 1] not in ARTICLES:  # plural, or a contracted article (du, au): left out
        return None
    living = "animal" in noun.tags
    others = [n for n in nouns if n.gender != noun.gender and ("animal" in n.tags) == living]
    swapped = list(tokens)
    swapped[k - 1], swapped[k] = ARTICLES[tokens[k - 1]], rng.choice(others).fr
    return swapped


@torch.no_grad()
def swapped_noun_test(translator: Translator, pairs: Sequence[Pair], seed: int = 0) -> SwapResult:
    """Teacher-force the gold French up to *parce qu'*, but with the antecedent's French noun replaced by one of
    the other gender (*le chat* -> *la souris*), and read whether the model then writes *il* or *elle*.

    Following the English means the gender comes from the source, through cross-attention; following
    the French means it comes from the words the decoder has written, through its self-attention.
    """
    from attnlib.translation.corpus.lexicon import NOUNS

    rng = random.Random(seed)
    stoi = translator.tgt_vocab.stoi
    english = french = n = 0
    for p in antecedent_pairs(pairs):
        j = french_pronoun_index(p)
        swapped = _swap_noun(p.tgt_tokens[:j], french_index(p, p.antecedent.noun), rng, NOUNS)
        if swapped is None:
            continue
        prefix = torch.tensor([translator.tgt_vocab.encode(swapped, add_bos=True, add_eos=False)], device=translator.device)
        logits = translator.model(translator.source_ids(p.src), prefix)[0, -1]  # (V,): the next word
        written = "m" if logits[stoi["il"]] > logits[stoi["elle"]] else "f"
        english += written == noun_genders(p)[0]
        french += written != noun_genders(p)[0]  # the swapped noun has the other gender
        n += 1
    if not n:
        raise ValueError("no singular pronoun sentence with a plain le/la article to swap")
    return SwapResult(n, english / n, french / n)
