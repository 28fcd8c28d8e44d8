"""The page's translator follows the Python translator's rules to the character.

``live_translator.js`` re-implements a few rules of the library (the tokenizer, the source ids and
the input messages, how numbers are written in the heatmap). Python answers more than a thousand
strings here, and Node's own test runner (``node --test``, no framework) runs the page's script on the
same strings, in a second or two, without building the book or opening a browser.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from attnlib.book.live import DISPLAY, numbered, tick_angle
from attnlib.book.plots import cell_text
from attnlib.translation.corpus import load_split
from attnlib.translation.onnx_export import page_config
from attnlib.translation.translator import INPUT_MESSAGES
from attnlib.translation.vocab import ELISIONS, PUNCTUATION, QUOTE_MAX_CHARS, SPECIALS, WHITESPACE, tokenize

NODE_TEST = Path(__file__).with_name("page_rules.test.js")
MIN_STRINGS = 1000

# What readers type, or paste, beyond the corpus's own sentences
TYPED = [
    "", " ", "\t\n", ".", "...", "the cat.", "The Black Cat sees the dog", "THEY ARE NOT NOISY.",
    "  the cat   sees the dog  ", "the cat\u00a0sees\u202fthe dog", "the\u2009cat\u3000sees the dog",
    "the\x1ccat\x85sees\ufeffthe dog", "the cat doesn\u2019t see the dog", "the cat doesn't see the dog",
    "\u00abthe cat\u00bb", "\"the cat\"", "(the cat)", "the cat ; the dog : the bird !", "l'homme", "L\u2019ami",
    "qu'il", "jusqu'au bout", "l'", "l'l'x", "c'est", "l'_x", "l'1", "l'\u00e9t\u00e9", "l'-x", "lorsqu'elle",
    "<pad>", "the <eos> cat", "<BOS> the cat", "<unk>", "<pad> <pad> <eos>", "the <eos> <eos> cat <mask>",
    "le chat", "\u00e7a", "\ufb01sh", "\u0130stanbul", "\u03a3\u0391\u03a3 \u03c3", "stra\u00dfe", "\uff26\uff35\uff2c\uff2c",
    "\U0001f408 cat", "cafe\u0301", "\u200bthe cat", "\u202ethe cat", "the\x00cat", "the \x07 cat", "\U0001d504",
    "\u732b sees the dog", "\u0915\u093f\u0924\u093e\u092c", "the cat sees the \u0394og", "\u2019", "'", "''the",
    "the cat's toy", "\\", "the \\ cat", "a'b\"c", "x" * 24, "y" * 25, "z" * 1000, "the " + "w" * 30,
    "the cat sees the dog . the dog sees the cat .", "the cat sees the dog.the dog sees the cat", "the cat ! ! !",
    "the cat ? the dog", "the cat sees the dog . .", ". the cat", "the cat , the dog", "\u00ab the cat . \u00bb",
    " ".join(f"w{i}" for i in range(10)), " ".join(["q" * 30, "the", "\u00e9" * 40, *(f"w{i}" for i in range(8))]),
    " ".join(["moon", "cow", "moon", "star", "cow"]),
]


def random_strings(known: list[str], n: int, seed: int = 0) -> list[str]:
    """Strings built from pieces that each rule treats specially, in random order."""
    rng = random.Random(seed)
    pieces = (known * 3 + list(SPECIALS) + list(PUNCTUATION) + list(WHITESPACE) + list(ELISIONS)
              + ["\u2019", "'", "\ufeff", "\u200b", "\u00e9", "\u00c9", "\u0130", "\u03a3", "\U0001f408", "\u732b",
                 "\\", "\"", "-", "_", "1", "x" * (QUOTE_MAX_CHARS + 3)])
    out = []
    for _ in range(n):
        words = [rng.choice(pieces) for _ in range(rng.randint(1, 12))]
        out.append("".join(w + rng.choice(["", " ", " ", " "]) for w in words))
    return out


def length_strings(limit: int) -> list[str]:
    """Around the length limit: the last sentence that fits and the first that does not."""
    words = ["the", "cat", "sees", "the", "dog", "and"] * limit
    return [" ".join(words[:n]) for n in range(max(1, limit - 2), limit + 4)] + [" ".join(words[: 2 * limit])]


def sentence_cases(shipped) -> list[dict]:
    corpus = [p.src for p in load_split("test")[:300]] + [p.src for p in load_split("generalisation")[:100]]
    variants = [v for s in corpus[:120] for v in (s.upper(), s.title(), s.replace(" ", "\u00a0"), s.rstrip(" ."))]
    known = shipped.src_vocab.itos[4:]
    texts = TYPED + corpus + variants + length_strings(shipped.max_words) + random_strings(known, 600)
    cases = []
    for text in texts:
        case = {"text": text, "tokens": tokenize(text)}
        try:
            case["ids"] = shipped.source_ids(text)[0].tolist()
        except ValueError as err:
            case["error"] = str(err)
        cases.append(case)
    return cases


def number_cases() -> list[float]:
    rng = np.random.default_rng(0)
    ties = [k / 16 for k in range(-20, 33)] + [k / 8 + 1 for k in range(8)]
    grid = [i / 1000 for i in range(1001)] + [i / 10000 for i in range(0, 10001, 7)]
    weights = rng.dirichlet(np.ones(7), size=100).astype(np.float32).ravel().tolist()  # as the model writes them
    return ties + grid + weights + [-0.0, -0.001, -0.004, -0.005, -0.006, 1e-9, 0.999999]


@pytest.fixture(scope="module")
def fixture(shipped, tmp_path_factory) -> Path:
    numbers = number_cases()
    data = {
        "config": {**page_config(shipped), "display": DISPLAY},
        "sentences": sentence_cases(shipped),
        "numbers": [{"value": v, "cell": cell_text(v), "hover": f"{v:.3f}"} for v in numbers],
        "columns": [{"columns": n, "angle": tick_angle(n)} for n in range(1, 64)],
        "cells": [{"cells": n, "numbered": numbered(n)} for n in range(1, 2 * DISPLAY["max_numbered_cells"])],
    }
    path = tmp_path_factory.mktemp("page-rules") / "rules.json"
    path.write_text(json.dumps(data))
    return path


def test_the_fixtures_cover_what_the_rules_branch_on(fixture):
    data = json.loads(fixture.read_text())
    sentences = data["sentences"]
    assert len(sentences) >= MIN_STRINGS
    errors = [c["error"] for c in sentences if "error" in c]
    assert sum("ids" in c for c in sentences) >= 300  # sentences the translator reads
    for template in INPUT_MESSAGES.values():  # every message is exercised
        fixed_part = max(template.split("{"), key=len).split("}")[-1]
        assert any(fixed_part in e for e in errors), template
    assert any(" more: " in e for e in errors) and any("\u2026'" in e for e in errors)  # extra words counted, long cut
    assert any("\ufffd" in e for e in errors)  # unprintable characters shown as such


def test_the_page_script_answers_as_python(fixture):
    node = shutil.which("node")
    assert node, "Node.js is needed to test the page's script (make venv installs the book's npm packages with it)"
    run = subprocess.run([node, "--test", "--test-reporter=spec", str(NODE_TEST)], capture_output=True, text=True,
                         env={**os.environ, "ATTN_PAGE_RULES": str(fixture)}, timeout=120)
    assert run.returncode == 0, run.stdout[:20000] + run.stderr[-2000:]
    assert "fail 0" in run.stdout and "pass 5" in run.stdout, run.stdout[-2000:]
