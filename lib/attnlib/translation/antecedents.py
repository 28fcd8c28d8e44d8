"""What does *it* refer to? The corpus's pronoun test, scored, and where the model looks to decide.

    scores = pronoun_scores(pairs, hypotheses)   # French pronouns of the antecedent's gender, with baselines
    shares = head_shares(translator, pairs)      # per attention head: does the pronoun look at its antecedent?

In a ``pronoun_antecedent`` pair (*the cat does not cross the street because it is tired*) the
pronoun could mean either noun; the predicate fits only one. French must choose *il* or *elle*, so
where the two nouns differ in gender the translation shows which noun the model took: that is
where a choice can be scored. Two rules that ignore meaning, "always the first noun" and "always
the nearer noun", are the baselines; the corpus makes each right about half the time.

Shape letters: B batch, H heads, S source length, T target length.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Sequence

import torch

from attnlib.model.capture import attention_layers, capture_attention
from .corpus import Pair
from .translator import Translator

FRENCH_PRONOUNS = {"il": "m", "ils": "m", "elle": "f", "elles": "f"}


def antecedent_pairs(pairs: Sequence[Pair]) -> list[Pair]:
    """The pairs whose pronoun has a gold antecedent."""
    return [p for p in pairs if p.antecedent is not None]


def noun_genders(pair: Pair) -> tuple[str | None, str | None]:
    """French genders of the antecedent and of the other noun (from the corpus lexicon)."""
    from .corpus.lexicon import noun_gender  # the lexicon is parsed only when pronouns are scored

    tokens = pair.src_tokens
    return noun_gender(tokens[pair.antecedent.noun]), noun_gender(tokens[pair.antecedent.other])


def reveals_choice(pair: Pair) -> bool:
    """Whether *il*/*elle* tells the two nouns apart: they differ in gender."""
    mine, other = noun_genders(pair)
    return mine is not None and other is not None and mine != other


def pronoun_gender(french: str) -> str | None:
    """The gender of the first subject pronoun after "parce qu'" in a French sentence (None: there is none)."""
    tokens = french.split()
    start = tokens.index("parce") if "parce" in tokens else 0
    return next((FRENCH_PRONOUNS[t] for t in tokens[start:] if t in FRENCH_PRONOUNS), None)


@dataclass(frozen=True)
class PronounScores:
    """Shares of revealing sentences whose French pronoun has the antecedent's gender."""

    n: int  # sentences whose pronoun reveals the choice
    accuracy: float
    nearer_n: int  # ... whose antecedent is the noun nearer the pronoun
    nearer: float
    farther_n: int  # ... whose antecedent is the first noun, farther away
    farther: float
    first_noun_baseline: float  # "it" always means the first noun
    nearest_noun_baseline: float  # "it" always means the nearer noun

    def to_dict(self) -> dict:
        """Rounded, with ``None`` for a share of no sentences (NaN does not compare equal to itself)."""
        return {k: (None if v != v else round(v, 4)) if isinstance(v, float) else v for k, v in asdict(self).items()}

    def line(self) -> str:
        return (f"pronouns {100 * self.accuracy:.1f}% right on {self.n} sentences (antecedent nearer "
                f"{100 * self.nearer:.1f}%, farther {100 * self.farther:.1f}%); baselines: first noun "
                f"{100 * self.first_noun_baseline:.1f}%, nearest noun {100 * self.nearest_noun_baseline:.1f}%")


def _share(hits: Sequence[bool]) -> float:
    return sum(hits) / len(hits) if hits else float("nan")


def pronoun_scores(pairs: Sequence[Pair], hypotheses: Sequence[str]) -> PronounScores | None:
    """Score the translations' pronouns on the revealing antecedent pairs (None when there are none)."""
    rows = [(p, h) for p, h in zip(pairs, hypotheses) if p.antecedent is not None and reveals_choice(p)]
    if not rows:
        return None
    right = [pronoun_gender(h) == noun_genders(p)[0] for p, h in rows]
    nearer = [p.antecedent.is_nearer for p, _ in rows]
    return PronounScores(
        n=len(rows), accuracy=_share(right),
        nearer_n=sum(nearer), nearer=_share([r for r, n in zip(right, nearer) if n]),
        farther_n=len(rows) - sum(nearer), farther=_share([r for r, n in zip(right, nearer) if not n]),
        first_noun_baseline=_share([not n for n in nearer]), nearest_noun_baseline=_share(nearer),
    )


def french_index(pair: Pair, english: int) -> int:
    """The (first) French token aligned to English token ``english``: *il* for *it*, *chat* for *cat*."""
    return min(j for i, j in pair.alignment if i == english)


def french_pronoun_index(pair: Pair) -> int:
    """The French token the English pronoun is aligned to (*il*, *elle*, …)."""
    return french_index(pair, pair.antecedent.pronoun)


@torch.no_grad()
def head_choices(translator: Translator, pairs: Sequence[Pair], batch_size: int = 64) -> dict[str, list[bool]]:
    """For every attention head, per pair: does the pronoun's larger weight, of the two nouns', go to the antecedent?

    Encoder heads are read at the English pronoun's row, over the English nouns. Decoder heads are read
    at the step that writes the French pronoun, with the gold French as the prefix (teacher forcing):
    cross-attention over the English nouns, and self-attention over the French nouns already written
    (*chat*, *rue*), whose gender *il* or *elle* must take. Keys: ``"layer#head"``.
    """
    pairs = antecedent_pairs(pairs)
    if not pairs:
        raise ValueError("none of the pairs has a pronoun with a gold antecedent (the pronoun_antecedent sentences)")
    model = translator.model
    layers = list(attention_layers(model))  # encoder self, decoder self and cross, in model order
    out: dict[str, list[bool]] = {}
    for start in range(0, len(pairs), batch_size):
        chunk = pairs[start : start + batch_size]
        src, tgt_in = translator.teacher_forced(chunk)  # (B, S), (B, T)
        with capture_attention(model, layers) as patterns:
            model(src, tgt_in)
        for name in layers:
            w = patterns[name].float().cpu()  # (B, H, S, S), (B, H, T, T) or (B, H, T, S)
            for b, p in enumerate(chunk):
                a = p.antecedent
                if name.startswith("encoder."):
                    row, mine, other = w[b, :, a.pronoun], a.noun, a.other  # (H, S): English keys
                elif name.endswith("cross_attn"):
                    row, mine, other = w[b, :, french_pronoun_index(p)], a.noun, a.other
                else:  # decoder self-attention: French token k sits at input position k + 1 (after <bos>)
                    row = w[b, :, french_pronoun_index(p)]  # (H, T)
                    mine, other = french_index(p, a.noun) + 1, french_index(p, a.other) + 1
                for h, hit in enumerate((row[:, mine] > row[:, other]).tolist()):
                    out.setdefault(f"{name}#{h}", []).append(hit)
    return out


def head_shares(translator: Translator, pairs: Sequence[Pair], batch_size: int = 64) -> dict[str, float]:
    """:func:`head_choices` as shares: ``{"encoder.layers.1.self_attn#2": 0.51, …}``."""
    return {name: _share(hits) for name, hits in head_choices(translator, pairs, batch_size).items()}


def positional_baselines(pairs: Sequence[Pair]) -> dict[str, float]:
    """How often "the first noun" and "the nearer noun" are the antecedent, over the antecedent pairs."""
    nearer = [p.antecedent.is_nearer for p in antecedent_pairs(pairs)]
    return {"first_noun": _share([not n for n in nearer]), "nearest_noun": _share(nearer)}
