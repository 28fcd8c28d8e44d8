"""The page's sampling (book/lm_sampling.js) under Node against attnlib.lm.sampling and generate: the same
kept tokens, the same probabilities to 1e-12, the same token from the same uniform number, the same
generated sequence from the same seed, and the same messages for the same bad arguments."""

import json
import math
import shutil
import subprocess
from itertools import accumulate, product
from pathlib import Path

import numpy as np
import pytest
import torch

import attnlib
from attnlib import CausalLM, LMConfig
from attnlib.lm.generate import generate
from attnlib.lm.prng import Mulberry32
from attnlib.lm.sampling import SAMPLING_MESSAGES, check_sampling, draw, next_token_distribution

BOOK = Path(attnlib.__file__).parent / "book"
TWIN = BOOK / "lm_sampling.js"
PRNG = BOOK / "lm_prng.js"
RULES = BOOK / "live_rules.js"  # Python's repr(), which the twin writes its messages with

SETTINGS = list(product([0, 0.5, 1, 1.5], [None, 0, 1, 5], [1.0, 0.9, 0.5]))  # (temperature, top_k, top_p)
DRAWS = 3  # mulberry32 numbers per vector and setting
RELATIVE = 1e-12
STEPS, VOCAB, PAD, EOS = 30, 40, 0, 3  # the scripted model's generations
GENERATION_SEEDS = [0, 1, 7]


def encode(x):
    """A value as JSON can carry it: NaN and the infinities as tagged strings."""
    if isinstance(x, float) and not math.isfinite(x):
        return ["nan" if math.isnan(x) else "inf" if x > 0 else "-inf"]
    return x


def logit_vectors() -> list[list[float]]:
    """A few hundred seeded vectors of many sizes: ordinary, peaked, flat, tied, near-tied, partly ruled
    out (-inf), very large; float32 values (what a model gives) and float64 ones."""
    gen = np.random.default_rng(20240501)
    vectors = []
    for size, kind, rep in product([1, 2, 3, 5, 8, 17, 64, 100, 257, 1000], range(9), range(3)):
        if size >= 257 and rep:
            continue
        if kind == 0:
            v = gen.normal(size=size) * gen.choice([0.1, 1.0, 3.0])
        elif kind == 1:  # very peaked: one token far ahead, or a scale that makes the softmax nearly one-hot
            v = gen.normal(size=size) * 10
            v[gen.integers(size)] += 30
        elif kind == 2:  # flat: every token tied
            v = np.full(size, gen.normal())
        elif kind == 3:  # many ties at whole numbers
            v = np.round(gen.normal(size=size) * 2)
        elif kind == 4:  # a few distinct values only, many tokens on each
            v = gen.choice([-1.5, 0.25, 2.0], size=size)
        elif kind == 5:  # ruled out tokens, at least one left
            v = gen.normal(size=size)
            v[gen.random(size) < 0.4] = -np.inf
            v[gen.integers(size)] = gen.normal()
        elif kind == 6:  # large scores, far apart
            v = gen.normal(size=size) * 1e4
        elif kind == 7:  # near ties: neighbouring float32 values
            base = np.float32(gen.normal())
            v = np.array([np.nextafter(base, np.float32(np.inf * (1 if gen.random() < 0.5 else -1)))
                          if gen.random() < 0.5 else base for _ in range(size)], dtype=np.float32)
        else:  # nearly flat: tiny differences
            v = 1.0 + gen.normal(size=size) * 1e-6
        dtype = np.float64 if (kind + rep) % 3 == 0 else np.float32
        vectors.append(np.asarray(v, dtype=dtype).astype(np.float64).tolist())
    return vectors


def edge_uniforms(probs: list[float]) -> list[float]:
    """Uniform numbers on the CDF's edges and just below them, where `<` against `<=` shows, and the ends."""
    edges = [e for e in accumulate(probs) if e < 1.0]
    edges = edges[:12] + edges[12:][-12:]  # the first and the last ones
    below = [math.nextafter(e, 0.0) for e in edges if e > 0]
    return [0.0, 1 - 2**-32, math.nextafter(1.0, 0.0)] + edges + below


class ScriptedLM(CausalLM):
    """A causal model whose step() returns fixed logits, one row per call: generate()'s loop around it."""

    def __init__(self, script: torch.Tensor):
        super().__init__(LMConfig.preset("tiny", vocab_size=VOCAB, pad_id=PAD, max_len=STEPS + 2))
        self.script, self.calls = script, 0

    def new_caches(self):
        self.calls = 0
        return super().new_caches()

    def step(self, ids_new, caches):
        row = self.script[self.calls].clone()
        self.calls += 1
        return row.expand(1, ids_new.shape[1], VOCAB)  # (1, t, V): only the last position is read


def logit_script() -> torch.Tensor:
    """STEPS rows of float32 logits: ordinary, tied, partly -inf, with the padding token often the best
    (so an unmasked pad would be drawn) and once NaN (generate masks it before the values are checked)."""
    gen = np.random.default_rng(7)
    rows = gen.normal(size=(STEPS, VOCAB)) * 2
    rows[::3] = np.round(rows[::3])  # ties
    rows[1::4, 5:12] = -np.inf
    rows[::2, PAD] = rows[::2].max(axis=1) + 5
    rows[5, PAD] = np.nan
    rows[13, EOS] = np.nanmax(rows[13, PAD + 1:]) + 0.5  # the likeliest at step 14: many generations stop there
    return torch.tensor(rows, dtype=torch.float32)


BAD_SAMPLING = [  # (temperature, top_k, top_p): a whole number here stands for a Python int
    (-0.1, None, 1.0), (-1, None, 1.0), (float("nan"), None, 1.0), (float("inf"), 5, 0.9), (float("-inf"), None, 1.0),
    ("1", None, 1.0), (True, None, 1.0), (None, None, 1.0), (-1e-05, None, 1.0), (-5e-324, None, 1.0),
    (-1.5e-7, None, 1.0), (-10**20, None, 1.0), ("it's", None, 1.0), (-123456.75, None, 1.0),
    (1.0, -1, 1.0), (1.0, 2.5, 1.0), (1.0, True, 1.0), (1.0, "3", 1.0), (1.0, float("nan"), 1.0),
    (1.0, float("inf"), 1.0), (1.0, -0.001, 1.0), (1.0, 1e-05, 1.0),
    (1.0, None, 0), (1.0, None, 2), (1.0, None, 1.01), (1.0, None, float("nan")), (1.0, None, -0.5),
    (1.0, None, -0.0), (1.0, None, None), (1.0, None, False), (1.0, None, "0.9"), (1.0, None, 10**16),
    (1.0, None, 12345678.9), (1.0, None, float("inf")), (1.0, None, -2.5e-05), (1.0, None, 1.0000001),
]
BAD_DRAWS = [  # (probs, u)
    ([0.5, 0.5], 1), ([0.5, 0.5], -0.1), ([0.5, 0.5], float("nan")), ([0.5, 0.5], "0.5"), ([0.5, 0.5], True),
    ([0.5, 0.5], None), ([0.5, 0.5], 2.5e-05 - 1), ([2.0, -1.0], 0.5), ([], 0.5), ([0.5, float("nan")], 0.5),
    ([0.5, 0.6], 0.5), ([1.0, 3.0], 0.5), ([0.1, 0.1, 0.1], 0.5), ([1e-07], 0.5), ([1e17, 1.0], 0.5),
    ([0.5, 0.499], 0.5),
]
BAD_LOGITS = [[0.0, float("nan")], [0.0, float("inf")], [float("-inf")] * 3]

NODE_SCRIPT = r"""
const [twinPath, prngPath] = process.argv.slice(1);
const S = require(twinPath), { Mulberry32 } = require(prngPath);
const decode = (x) => (Array.isArray(x) ? { nan: NaN, inf: Infinity, "-inf": -Infinity }[x[0]] : x);
const data = JSON.parse(require("fs").readFileSync(0, "utf8"));
S.useMessages(data.messages);  // Python's table, as the page hands it over from language_models.json
const message = (f) => { try { f(); return null; } catch (err) { return err.message; } };
const out = { cases: [], edges: [], generations: [] };
data.vectors.forEach((raw, i) => {
  const logits = raw.map(decode);
  data.settings.forEach(([t, k, p], j) => {
    const probs = S.nextTokenDistribution(logits, t, k, p);
    const kept = [], values = [];
    probs.forEach((x, id) => { if (x !== 0) { kept.push(id); values.push(x); } });
    const rng = new Mulberry32(i * data.settings.length + j);
    const draws = Array.from({ length: data.draws }, () => { const u = rng.random(); return [u, S.draw(probs, u)]; });
    out.cases.push({ kept, values, draws });
  });
});
for (const [i, ids, values, uniforms] of data.edges) {  // Python's probabilities, Python's edge numbers
  const probs = new Float64Array(data.vectors[i].length);
  ids.forEach((id, n) => { probs[id] = values[n]; });
  out.edges.push(uniforms.map((u) => S.draw(probs, u)));
}
const script = data.script.map((row) => row.map(decode));
for (const seed of data.generationSeeds) {
  for (const [temperature, topK, topP] of data.settings) {
    const rng = new Mulberry32(seed), ids = [], uniforms = [], rows = [];
    while (ids.length < data.steps) {  // generate()'s loop: one step per token, stop after the <eos>
      const { token, probs, u } = S.sampleStep(script[ids.length], { temperature, topK, topP, padId: data.pad }, rng);
      ids.push(token); uniforms.push(u); rows.push(Array.from(probs));
      if (token === data.eos) break;
    }
    out.generations.push({ ids, uniforms, rows });
  }
}
out.sampling = data.badSampling.map((args) => message(() => S.checkSampling(...args.map(decode))));
out.drawing = data.badDraws.map(([probs, u]) => message(() => S.draw(probs.map(decode), decode(u))));
out.logits = data.badLogits.map((row) => message(() => S.nextTokenDistribution(row.map(decode))));
out.untouched = (() => { const row = [1, 2, 3]; S.sampleStep(row, { padId: 2 }, new Mulberry32(0)); return row; })();
out.badPad = [-1, 3, 1.5, undefined].map(
  (padId) => message(() => S.sampleStep([1, 2, 3], { padId }, new Mulberry32(0))));
out.badRng = message(() => S.sampleStep([1, 2, 3], { padId: 0 }, {}));
process.stdout.write(JSON.stringify(out));
"""


def python_message(f) -> str | None:
    try:
        f()
    except ValueError as err:
        return str(err)
    return None


@pytest.fixture(scope="module")
def reference() -> dict:
    """Python's answers, and the input that asks the page the same questions."""
    vectors = logit_vectors()
    cases, edges = [], []
    for i, values in enumerate(vectors):
        logits = torch.tensor(values, dtype=torch.float64)
        for j, (t, k, p) in enumerate(SETTINGS):
            probs = next_token_distribution(logits, t, k, p).tolist()
            kept = [n for n, x in enumerate(probs) if x != 0]
            rng = Mulberry32(i * len(SETTINGS) + j)
            draws = [[u, draw(probs, u)] for u in (rng.random() for _ in range(DRAWS))]
            uniforms = edge_uniforms(probs)
            cases.append({"kept": kept, "values": [probs[n] for n in kept], "draws": draws,
                          "edges": [draw(probs, u) for u in uniforms]})
            edges.append([i, kept, [probs[n] for n in kept], uniforms])
    script = logit_script()
    model = ScriptedLM(script)
    generations = [generate(model, [1], STEPS, t, k, p, seed=seed, eos_id=EOS)
                   for seed in GENERATION_SEEDS for t, k, p in SETTINGS]
    page_input = {
        "vectors": [[encode(x) for x in v] for v in vectors], "settings": SETTINGS, "draws": DRAWS,
        "edges": edges, "script": [[encode(x) for x in row] for row in script.double().tolist()],
        "generationSeeds": GENERATION_SEEDS, "steps": STEPS, "pad": PAD, "eos": EOS,
        "badSampling": [[encode(x) for x in args] for args in BAD_SAMPLING],
        "badDraws": [[[encode(x) for x in probs], encode(u)] for probs, u in BAD_DRAWS],
        "badLogits": [[encode(x) for x in row] for row in BAD_LOGITS],
        "messages": SAMPLING_MESSAGES,
    }
    return {
        "input": json.dumps(page_input, allow_nan=False), "cases": cases, "generations": generations,
        "sampling": [python_message(lambda a=args: check_sampling(*a)) for args in BAD_SAMPLING],
        "drawing": [python_message(lambda a=args: draw(*a)) for args in BAD_DRAWS],
        "logits": [python_message(lambda r=row: next_token_distribution(torch.tensor(r))) for row in BAD_LOGITS],
    }


def run_page(reference: dict, twin: Path = TWIN, check: bool = True) -> dict | None:
    node = shutil.which("node")
    assert node, "Node.js is needed to test the page's sampling (make venv installs it with the book's npm packages)"
    run = subprocess.run([node, "-e", NODE_SCRIPT, str(twin), str(PRNG)], input=reference["input"],
                         capture_output=True, text=True, timeout=120)
    if run.returncode and not check:
        return None
    assert run.returncode == 0, run.stderr[-2000:]
    return json.loads(run.stdout)  # JSON numbers: JavaScript writes the shortest string that reads back exactly


@pytest.fixture(scope="module")
def page(reference) -> dict:
    return run_page(reference)


def close(a: float, b: float) -> bool:
    return abs(a - b) <= RELATIVE * max(abs(a), abs(b))


def differences(page: dict, reference: dict) -> dict[str, int]:
    """How many answers of each kind differ between the page and Python (all zero when they match)."""
    found = dict.fromkeys(("kept", "probs", "draws", "edges", "generated ids", "generated uniforms",
                           "generated probs"), 0)
    for mine, ref in zip(page["cases"], reference["cases"], strict=True):
        found["kept"] += mine["kept"] != ref["kept"]
        found["probs"] += mine["kept"] == ref["kept"] and not all(map(close, mine["values"], ref["values"]))
        found["draws"] += mine["draws"] != ref["draws"]  # the same numbers, and the same tokens from them
    for mine, ref in zip(page["edges"], reference["cases"], strict=True):
        found["edges"] += mine != ref["edges"]
    for mine, ref in zip(page["generations"], reference["generations"], strict=True):
        found["generated ids"] += mine["ids"] != ref.ids
        found["generated uniforms"] += mine["uniforms"] != ref.uniforms
        found["generated probs"] += mine["ids"] == ref.ids and not all(
            close(a, b) and (a == 0) == (b == 0) for row, ref_row in zip(mine["rows"], ref.probs.tolist())
            for a, b in zip(row, ref_row, strict=True))
    return found


def test_the_inputs_cover_what_they_should(reference):
    assert len(reference["cases"]) == 234 * len(SETTINGS) and len(SETTINGS) == 48
    vectors = json.loads(reference["input"])["vectors"]
    assert {len(v) for v in vectors} == {1, 2, 3, 5, 8, 17, 64, 100, 257, 1000}
    assert sum(len(set(map(str, v))) < len(v) for v in vectors) > 50  # many with ties
    assert sum(["-inf"] in v for v in vectors) > 10
    sizes = [len(case["kept"]) for case in reference["cases"]]
    assert sizes.count(1) > 1000 and max(sizes) == 1000  # greedy and one-token nuclei, and everything kept
    ids = [g.ids for g in reference["generations"]]
    assert any(len(i) < STEPS for i in ids) and any(len(i) == STEPS for i in ids)  # some stop at the <eos>
    assert len({tuple(i) for i in ids}) > 50 and all(PAD not in i for i in ids)


def test_the_page_keeps_the_same_tokens_with_the_same_probabilities(page, reference):
    found = differences(page, reference)
    assert found["kept"] == 0 and found["probs"] == 0, found


def test_the_page_draws_the_same_token_from_the_same_number(page, reference):
    found = differences(page, reference)
    assert found["draws"] == 0 and found["edges"] == 0, found


def test_the_page_generates_python_s_tokens_from_the_same_logits_and_seed(page, reference):
    found = differences(page, reference)
    assert found["generated ids"] == found["generated uniforms"] == found["generated probs"] == 0, found


def test_the_page_refuses_bad_arguments_in_python_s_words(page, reference):
    assert None not in reference["sampling"] + reference["drawing"] + reference["logits"]
    assert page["sampling"] == reference["sampling"]
    assert page["drawing"] == reference["drawing"]
    assert page["logits"] == reference["logits"]


def test_a_page_step_leaves_its_logits_alone_and_names_a_bad_pad_or_generator(page):
    assert page["untouched"] == [1, 2, 3]
    assert page["badPad"] == [f"padId must be the padding token's id, from 0 to 2, got {v}"
                              for v in ("-1", "3", "1.5", "None")]
    assert page["badRng"].startswith("rng must be a seeded generator")


@pytest.mark.parametrize("slip", [
    ("values[a] < values[b] ? 1 : a - b", "values[a] < values[b] ? 1 : b - a"),  # ties to the higher id
    ("if (running >= topP) {", "if (running > topP) {"),  # the nucleus one token longer on an exact sum
    ("if (u < edge) return token;", "if (u <= edge) return token;"),  # a number on an edge to the left
    ("values[padId] = -Infinity;", ""),  # the padding token left in (and its NaN refused)
    ("    const u = rng.random();\n", "    const u = temperature === 0 ? 0 : rng.random();\n"),  # greedy skips a number
    ("weights[n] = Math.exp((values[order[n]] - best) / temperature);",
     "weights[n] = Math.exp((values[order[n]] - best) / temperature) * (n ? 1 + 2 ** -38 : 1);"),  # off by 4e-12
])
def test_the_comparison_sees_a_slip_in_the_page(reference, tmp_path, slip):
    source = TWIN.read_text()
    assert source.count(slip[0]) == 1
    (tmp_path / "lm_sampling.js").write_text(source.replace(*slip))
    shutil.copy(RULES, tmp_path / RULES.name)  # beside it, as in the site's _static/
    page = run_page(reference, tmp_path / "lm_sampling.js", check=False)
    assert page is None or sum(differences(page, reference).values()) > 0  # None: it stopped on an error
