"""What sampled sentences get right: how many the corpus's grammar accepts, and how many are new.

    rows = sample_quality(lm, SETTINGS, n=300)      # one Quality per sampling setting
    rows[0].grammatical, rows[0].novel              # shares of the n sentences, 0..1

Every sentence starts from ``<bos>`` alone and runs until the model writes ``<eos>`` (or runs out of
positions, which counts as not grammatical). Sentence ``i`` of a setting is drawn with seed ``seed + i``,
so a row is reproducible and two settings meet the same uniform numbers. A sentence is

* **grammatical** when :func:`~attnlib.translation.corpus.recognise.is_grammatical` accepts it: the
  generator could have written it;
* **new** when the train split does not hold it; the train split is what the model learnt from, so a
  new grammatical sentence is one it put together itself, and a copied one is memory.

The two pull apart: a cold (low-temperature) sampler repeats the likeliest sentences, grammatical and
seen before; a hot one writes new sentences, more and more of them broken.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Iterable, Sequence

from attnlib.translation.corpus.recognise import is_grammatical
from .data import english
from .generate import generate
from .sampling import check_sampling
from .trained import TrainedLM


@dataclass(frozen=True)
class Setting:
    """One way of sampling: ``label`` names it in tables and figures."""

    label: str
    temperature: float = 1.0
    top_k: int | None = None
    top_p: float = 1.0

    def __post_init__(self) -> None:
        check_sampling(self.temperature, self.top_k, self.top_p)


#: The settings the book measures: greedy, three temperatures, then top-k and top-p at temperature 1.
SETTINGS = (
    Setting("greedy", 0.0), Setting("T = 0.5", 0.5), Setting("T = 1.0", 1.0), Setting("T = 1.5", 1.5),
    Setting("top-k 5", 1.0, top_k=5), Setting("top-k 20", 1.0, top_k=20),
    Setting("top-p 0.8", 1.0, top_p=0.8), Setting("top-p 0.95", 1.0, top_p=0.95),
)


@dataclass(frozen=True)
class Quality:
    """What ``n`` sentences sampled with one setting get right (shares are 0..1)."""

    setting: Setting
    n: int
    grammatical: float  # accepted by the grammar
    novel: float  # not in the train split
    novel_grammatical: float  # both: a sentence of the corpus's English the model never saw
    finished: float  # ended with <eos> before the model ran out of positions
    distinct: int  # different sentences among the n
    examples: tuple[str, ...]  # the first few, as sampled

    def to_dict(self) -> dict:
        return asdict(self)


def sample_sentences(lm: TrainedLM, setting: Setting, n: int, seed: int = 0) -> list[str | None]:
    """``n`` sentences sampled from ``<bos>`` (None for one that did not end before the last position)."""
    if lm.kind != "causal":
        raise ValueError("only the causal model writes sentences: load TrainedLM.load(kind='causal')")
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    bos = [lm.vocab.bos_id]
    out = []
    for i in range(n):
        g = generate(lm.model, bos, lm.model.cfg.max_len, temperature=setting.temperature, top_k=setting.top_k,
                     top_p=setting.top_p, seed=seed + i, eos_id=lm.vocab.eos_id)
        out.append(lm.vocab.decode(g.ids) if lm.vocab.eos_id in g.ids else None)
    return out


def quality(setting: Setting, sentences: Sequence[str | None], seen: set[str], n_examples: int = 5) -> Quality:
    """The shares of ``sentences`` that are grammatical, new (not in ``seen``), and both."""
    n = len(sentences)
    finished = [s for s in sentences if s is not None]
    good = [s for s in finished if is_grammatical(s)]
    return Quality(setting, n, grammatical=len(good) / n,
                   novel=sum(s is None or s not in seen for s in sentences) / n,
                   novel_grammatical=sum(s not in seen for s in good) / n,
                   finished=len(finished) / n, distinct=len(set(sentences)),
                   examples=tuple(s if s is not None else "(unfinished)" for s in sentences[:n_examples]))


def sample_quality(lm: TrainedLM, settings: Iterable[Setting] = SETTINGS, n: int = 300, seed: int = 0,
                   seen: set[str] | None = None) -> list[Quality]:
    """One :class:`Quality` per setting, each from ``n`` sentences (seeds ``seed`` … ``seed + n - 1``)."""
    seen = set(english("train")) if seen is None else seen
    return [quality(s, sample_sentences(lm, s, n, seed), seen) for s in settings]
