"""The page reads what a reader types to the language models as Python does, to the character.

``lm_reader.js`` repeats :class:`~attnlib.lm.trained.TrainedLM`'s checks (with difflib's suggestions) and the
generator's settings (:func:`attnlib.book.live_lm.read_settings`). Python answers more than a thousand
strings here, and Node runs the page's script on the same strings, from the same language_models.json
the book build writes, without a browser.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from pathlib import Path

import pytest

import attnlib
from attnlib.book.live_lm import FIELDS, read_number, read_settings
from attnlib.lm.data import MASK, english
from attnlib.lm.generate import check_room
from attnlib.lm.onnx_export import page_config
from attnlib.lm.trained import INPUT_MESSAGES, SUGGEST, TrainedLM
from attnlib.translation.vocab import PUNCTUATION, QUOTE_MAX_CHARS, SPECIALS, WHITESPACE

BOOK = Path(attnlib.__file__).parent / "book"
MIN_STRINGS = 1000

NODE_SCRIPT = r"""
const { Reader, readNumber, InputError, ratio } = require(process.argv[1]);
const S = require(process.argv[2]), P = require(process.argv[3]);
const data = JSON.parse(require("fs").readFileSync(0, "utf8"));
S.useMessages(data.config.messages);  // as the page does, from language_models.json
P.useMessages(data.config.messages);
const readers = { causal: new Reader(data.config, "causal"), masked: new Reader(data.config, "masked") };
const answer = (f) => { try { return { ok: f() }; } catch (err) {
  if (!(err instanceof InputError)) throw err; return { error: err.message }; } };
process.stdout.write(JSON.stringify({
  prompts: data.texts.map((t) => answer(() => readers.causal.promptIds(t))),
  sentences: data.sentences.map((t) => answer(() => { const s = readers.masked.sentenceIds(t); return [s.ids, s.position]; })),
  settings: data.settings.map((f) => answer(() => readers.causal.settings(f))),
  numbers: data.numbers.map((t) => readNumber(t).shown),
  rooms: data.rooms.map(([length, n]) => answer(() => { readers.causal.checkRoom(length, n); return null; })),
  ratios: data.pairs.map(([a, b]) => ratio(a, b)),
}));
"""

TYPED = [
    "", " ", "\t\n", ".", "the cat.", "The Black Cat", "THE BLACK", "  the   black  ", "the black\u00a0cat",
    "the cat doesn\u2019t", "<pad>", "the <eos> cat", "<BOS> the", "<unk>", "<mask>", "the <mask> cat",
    "the <mask> <mask>", "<mask> <eos>", "kat", "teh blak cat", "the kat sees the dgo", "blak", "zzzz", "qqqq qqqq",
    "the astronaut", "🐈 cat", "\u732b", "x" * 24, "y" * 25, "z" * 250, "ab" * 120, "the " + "w" * 30,
    "the cat's toy", "'", "\\", "a'b\"c", "sees sees sees", "l'astronaute", "jusqu'au", "the cat sees the dog .",
    "the cat sees the dog . the dog", "moon cow moon star cow", "the black cat , the dog", "the\x00cat",
    "qa qb qc qd qe qf qg qh", "<pad> <bos> <eos> <unk> <mask> <pad> <bos> <eos>",
]


def misspelt(words: list[str], rng: random.Random) -> str:
    """A known word with a letter dropped, doubled, swapped or changed: an unknown word with near neighbours."""
    w = rng.choice([w for w in words if len(w) > 2])
    i = rng.randrange(len(w))
    return rng.choice([w[:i] + w[i + 1:], w[:i] + w[i] + w[i:], w[:i] + "xq"[i % 2] + w[i + 1:],
                       w[:i] + w[i + 1:i + 2] + w[i:i + 1] + w[i + 2:]])


def texts(lm: TrainedLM, n_random: int = 500, seed: int = 0) -> list[str]:
    rng = random.Random(seed)
    known = lm.known_words
    corpus = english("test")[:200]
    prefixes = [" ".join(s.split()[: rng.randint(1, len(s.split()))]) for s in corpus[:150]]
    variants = [v for s in corpus[:60] for v in (s.upper(), s.title(), s.rstrip(" ."))]
    typos = [" ".join(rng.choice(known) if rng.random() < 0.6 else misspelt(known, rng)
                      for _ in range(rng.randint(1, 5))) for _ in range(200)]
    limit = lm.model.cfg.max_len - 1
    lengths = [" ".join((["the", "cat"] * limit)[:n]) for n in range(limit - 2, limit + 3)]
    pieces = known * 2 + list(SPECIALS) + [MASK] + list(PUNCTUATION) + list(WHITESPACE) + \
        ["\u2019", "'", "\u00e9", "\U0001f408", "\\", "\"", "x" * (QUOTE_MAX_CHARS + 3)]
    noise = ["".join(rng.choice(pieces) + rng.choice(["", " ", " "]) for _ in range(rng.randint(1, 10)))
             for _ in range(n_random)]
    return TYPED + corpus + prefixes + variants + typos + lengths + noise


def masked_sentences(cases: list[str], rng: random.Random) -> list[str]:
    """Sentences with one <mask> put in for a word, with none, and with two."""
    out = []
    for s in cases:
        words = s.split()
        if not words:
            out.append(s)
            continue
        i = rng.randrange(len(words))
        out.append(" ".join(words[:i] + [MASK] + words[i + 1:]))
        if rng.random() < 0.15:
            out.append(" ".join(words[:i] + [MASK, MASK] + words[i + 1:]))
    return out + cases[:50]


FIELD_VALUES = {
    "temperature": ["1", "0", "0.5", "1.5", " 2 ", "-1", "-0.5", "-0.0", "1e3", "inf", "-inf", "nan", "abc", "", "1,5",
                    "٣", "+0.7", ".5", "5.", "1e-400", "-1e-400", "99999999999999999999"],
    "top_k": ["0", "5", "1", "-1", "2.5", "2.0", "1e1", "abc", "", "inf", "+3", "007", "99999999999999999999"],
    "top_p": ["1", "0.9", "0.5", "0", "1.01", "-0.5", "nan", "x", "", "1e-5", "1.0000001", ".3", "1"],
    "seed": ["0", "7", "4294967295", "4294967296", "-1", "1.5", "3.0", "seven", "", "+12", "1e3"],
    "max_new_tokens": ["20", "1", "63", "64", "0", "-3", "2.5", "20.0", "x", "", "1e2"],
}


def settings_cases(rng: random.Random, n: int = 400) -> list[dict]:
    cases = [{name: rng.choice(values) for name, values in FIELD_VALUES.items()} for _ in range(n)]
    for name, values in FIELD_VALUES.items():  # each value alone, the others good
        cases += [{**{k: v[0] for k, v in FIELD_VALUES.items()}, name: value} for value in values]
    return cases


def python_answer(f):
    try:
        return {"ok": f()}
    except ValueError as err:
        return {"error": str(err)}


@pytest.fixture(scope="module")
def models():
    return {kind: TrainedLM.load(kind=kind, device="cpu") for kind in ("causal", "masked")}


@pytest.fixture(scope="module")
def cases(models) -> dict:
    rng = random.Random(1)
    causal, masked = models["causal"], models["masked"]
    prompts = texts(causal)
    sentences = masked_sentences(texts(masked, n_random=200, seed=2), rng)
    settings = settings_cases(rng)
    numbers = [v for values in FIELD_VALUES.values() for v in values] + [
        "\t3\t", " 3 ", "\u00a03", "0x10", "1_000", "\x00", "\u200b", "\U000e0001", "Infinity", "-NaN", "1e", "e1",
        "--1", "+-1"]
    rooms = [(n, m) for n in (2, 10, 40, 44, 45, 63, 64) for m in (1, 19, 20, 21, 24, 25, 63, 64)]
    words = causal.known_words
    pairs = [(misspelt(words, rng), rng.choice(words)) for _ in range(300)] + [("a" * 250, "banana"), ("banana", "a" * 250),
                                                                              ("", ""), ("kat", "cat"), ("🐈a", "a🐈")]

    def settings_of(fields):
        s = read_settings(fields)
        # as the page holds them: a double each (so a whole number past 2^53 is rounded, as JavaScript rounds it)
        page = lambda v: float(v) if abs(v) > 2**53 else v  # noqa: E731
        return {"temperature": page(s["temperature"]), "topK": page(s["top_k"]), "topP": page(s["top_p"]),
                "seed": page(s["seed"]), "maxNew": page(s["max_new_tokens"])}

    return {
        "input": {"config": page_config(causal, masked), "texts": prompts, "sentences": sentences,
                  "settings": settings, "numbers": numbers, "rooms": rooms, "pairs": pairs},
        "prompts": [python_answer(lambda t=t: causal.prompt_ids(t)[0].tolist()) for t in prompts],
        "sentences": [python_answer(lambda t=t: (lambda s: [s[0][0].tolist(), s[1]])(masked.sentence_ids(t)))
                      for t in sentences],
        "settings": [python_answer(lambda f=f: settings_of(f)) for f in settings],
        "numbers": [repr(read_number(t)) for t in numbers],
        "rooms": [python_answer(lambda n=n, m=m: check_room(n, m, causal.model.cfg.max_len)) for n, m in rooms],
        "ratios": [__import__("difflib").SequenceMatcher(None, a, b).ratio() for a, b in pairs],
    }


@pytest.fixture(scope="module")
def page(cases) -> dict:
    node = shutil.which("node")
    assert node, "Node.js is needed to test the page's reader (make venv installs it with the book's npm packages)"
    run = subprocess.run([node, "-e", NODE_SCRIPT, str(BOOK / "lm_reader.js"), str(BOOK / "lm_sampling.js"),
                          str(BOOK / "lm_prng.js")], input=json.dumps(cases["input"]), capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    return json.loads(run.stdout)


def differences(page: list, python: list, inputs: list) -> list:
    return [{"input": i, "page": a, "python": b} for i, a, b in zip(inputs, page, python, strict=True) if a != b]


def test_the_cases_cover_what_the_rules_branch_on(cases):
    answers = cases["prompts"] + cases["sentences"] + cases["settings"]
    assert len(answers) >= MIN_STRINGS
    errors = [a["error"] for a in answers if "error" in a]
    assert sum("ok" in a for a in cases["prompts"]) >= 300 and sum("ok" in a for a in cases["sentences"]) >= 200
    for name, template in INPUT_MESSAGES.items():  # every message is given
        if name == "mask_hint":
            assert any("is for the masked model" in e for e in errors)
            continue
        fixed_part = max(template.split("{"), key=len).split("}")[-1]
        assert any(fixed_part in e for e in errors), name
    assert any(" more: " in e for e in errors) and any("\u2026'" in e for e in errors)  # words counted, long ones cut
    unknown = [e for e in errors if e.startswith("unknown word")]
    assert sum(" or " in e for e in unknown) > 50 and sum("; " in e.split("did you mean")[-1] for e in unknown) > 5
    for setting in FIELDS:
        assert any(e.startswith(setting) for e in errors), setting
    assert any("leaves room" in a.get("error", "") for a in cases["rooms"])
    assert any(len(a) >= 200 for a, _ in cases["input"]["pairs"])  # difflib's autojunk rule is exercised
    assert SUGGEST["cutoff"] == 0.6


def test_the_page_reads_prompts_as_python(cases, page):
    diff = differences(page["prompts"], cases["prompts"], cases["input"]["texts"])
    assert not diff, f"{len(diff)} prompts differ, e.g. {diff[:5]}"


def test_the_page_reads_sentences_with_a_mask_as_python(cases, page):
    diff = differences(page["sentences"], cases["sentences"], cases["input"]["sentences"])
    assert not diff, f"{len(diff)} sentences differ, e.g. {diff[:5]}"


def test_the_page_reads_its_settings_as_python(cases, page):
    diff = differences(page["settings"], cases["settings"], cases["input"]["settings"])
    assert not diff, f"{len(diff)} settings differ, e.g. {diff[:5]}"
    assert page["numbers"] == cases["numbers"]  # the value each field stands for, as repr() writes it
    assert page["rooms"] == cases["rooms"]


def test_difflib_s_ratio_is_python_s(cases, page):
    assert page["ratios"] == cases["ratios"]  # exactly: the same blocks, the same division
