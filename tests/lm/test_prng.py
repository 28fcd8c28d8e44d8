"""The seeded generator: Python and the page's JavaScript twin give the same numbers, bit for bit."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

import attnlib
from attnlib.lm.prng import SEED_LIMIT, SEED_MESSAGE, Mulberry32, check_seed

TWIN = Path(attnlib.__file__).parent / "book" / "lm_prng.js"
SEEDS = [0, 1, 7, 42, 123456789, 2**31 - 1, 2**31, SEED_LIMIT - 1]
COUNT = 1000

# The twin under Node, and beside it mulberry32 exactly as its author published it (signed int32
# arithmetic throughout), so that a slip made alike in both of the book's versions still shows.
NODE_SCRIPT = r"""
const P = require(process.argv[1]), { Mulberry32 } = P;
const [seeds, count, seedMessage] = JSON.parse(process.argv[2]);
function reference(a) {
  return function () {
    a |= 0; a = a + 0x6D2B79F5 | 0;
    var t = Math.imul(a ^ a >>> 15, 1 | a);
    t = t + Math.imul(t ^ t >>> 7, 61 | t) ^ t;
    return ((t ^ t >>> 14) >>> 0) / 4294967296;
  };
}
const out = {};
for (const seed of seeds) {
  const rng = new Mulberry32(seed), ref = reference(seed), ints = new Mulberry32(seed);
  out[seed] = {
    random: Array.from({ length: count }, () => rng.random()),
    reference: Array.from({ length: count }, () => ref()),
    uint32: Array.from({ length: count }, () => ints.nextUint32()),
  };
}
let refused = null;
for (const bad of [-1, 2 ** 32, 1.5, "7", NaN]) {
  try { new Mulberry32(bad); } catch (err) { refused = (refused || 0) + (err instanceof RangeError ? 1 : 0); }
}
out.refused = refused;
P.useMessages({ seed: seedMessage });  // Python's own words, as the page hands them over from language_models.json
out.messages = [-1, 2 ** 32, 1.5, "7", NaN, null].map((bad) => { try { P.checkSeed(bad); return null; }
                                                                  catch (err) { return err.message; } });
process.stdout.write(JSON.stringify(out));
"""


@pytest.fixture(scope="module")
def node_numbers() -> dict:
    node = shutil.which("node")
    assert node, "Node.js is needed to test the page's generator (make venv installs it with the book's npm packages)"
    run = subprocess.run([node, "-e", NODE_SCRIPT, str(TWIN), json.dumps([SEEDS, COUNT, SEED_MESSAGE])],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr[-2000:]
    return json.loads(run.stdout)  # JSON numbers: JavaScript writes the shortest string that reads back exactly


def python_numbers(seed: int, count: int = COUNT) -> tuple[list[float], list[int]]:
    floats, ints = Mulberry32(seed), Mulberry32(seed)
    return [floats.random() for _ in range(count)], [ints.next_uint32() for _ in range(count)]


@pytest.mark.parametrize("seed", SEEDS)
def test_the_page_draws_the_same_numbers_as_python(node_numbers, seed):
    floats, ints = python_numbers(seed)
    page = node_numbers[str(seed)]
    assert page["uint32"] == ints
    assert page["random"] == floats  # exact equality of the doubles, not closeness
    assert page["reference"] == floats  # and both are mulberry32 as published


def test_the_page_refuses_the_seeds_python_refuses(node_numbers):
    assert node_numbers["refused"] == 5


def test_the_page_refuses_a_seed_in_python_s_words(node_numbers):
    expected = []
    for bad in (-1, SEED_LIMIT, 1.5, "7", float("nan"), None):
        with pytest.raises(ValueError) as err:
            check_seed(bad)
        expected.append(str(err.value))
    assert node_numbers["messages"] == expected


@pytest.mark.parametrize("seed", SEEDS)
def test_numbers_are_32_bit_fractions_in_the_unit_interval(seed):
    floats, ints = python_numbers(seed)
    assert all(0 <= n < SEED_LIMIT for n in ints)
    assert all(0.0 <= f < 1.0 and f * SEED_LIMIT == n for f, n in zip(floats, ints))


def test_the_numbers_look_uniform_and_seeds_differ():
    floats, _ = python_numbers(3, 20000)
    assert abs(sum(floats) / len(floats) - 0.5) < 0.01
    counts = [0] * 10
    for f in floats:
        counts[int(f * 10)] += 1
    assert min(counts) > 1800 and max(counts) < 2200  # each tenth of [0, 1) gets about 2,000
    firsts = {python_numbers(seed, 5)[0][0] for seed in SEEDS}
    assert len(firsts) == len(SEEDS)
    assert python_numbers(9, 50) == python_numbers(9, 50)  # the same seed, the same stream


@pytest.mark.parametrize("seed", [-1, SEED_LIMIT, 1.5, "7", True, None])
def test_seeds_outside_32_bits_are_refused(seed):
    with pytest.raises(ValueError, match="seed must be a whole number from 0 to 4294967295"):
        Mulberry32(seed)


def test_check_seed_accepts_any_whole_number_type():
    import numpy as np

    assert check_seed(np.uint32(5)) == 5 and type(check_seed(np.int64(5))) is int
