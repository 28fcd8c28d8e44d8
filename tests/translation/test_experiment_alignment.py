"""The alignment experiment: the AER as Och and Ney define it, the two readings of an attention map, the IBM
baselines, and a tiny run whose record the chapters can read."""

import random

import pytest
import torch

from attnlib import ModelConfig
from attnlib.translation.aer import (AerCounts, aer, corpus_aer, count_links, diagonal_alignment,
                                     one_link_floor)
from attnlib.translation.attention_aer import attention_aer, hard_alignment
from attnlib.translation.corpus import Pair, load_split, parse_alignment
from attnlib.translation.experiments import load, module, record
from attnlib.translation.ibm import ibm_alignments, train_ibm

# -- the AER ----------------------------------------------------------------------------------------

S = {(0, 0), (1, 1), (2, 2)}
P = S | {(1, 2), (2, 1)}


def test_aer_is_zero_for_the_sure_links_and_one_for_links_outside_p():
    assert aer(S, S, P) == 0
    assert aer({(0, 1), (1, 0), (2, 0)}, S, P) == 1
    assert aer(set(), S, P) == 1  # proposing nothing finds nothing


def test_a_possible_link_counts_once_a_sure_one_twice():
    # A = {0-0 sure, 1-2 possible only}: (|A∩S| + |A∩P|) / (|A| + |S|) = (1 + 2) / (2 + 3)
    assert aer({(0, 0), (1, 2)}, S, P) == pytest.approx(1 - 3 / 5)
    assert count_links({(0, 0), (1, 2)}, S, P) == AerCounts(hypothesis=2, sure=3, hit_sure=1, hit_possible=2)
    # without P every link is sure, and the possible-only link counts for nothing
    assert aer({(0, 0), (1, 2)}, S) == pytest.approx(1 - 2 / 5)


def test_aer_agrees_with_nltk_on_random_alignments():
    from nltk.translate.metrics import alignment_error_rate
    from nltk.translate import Alignment

    rng = random.Random(0)
    cells = [(i, j) for i in range(6) for j in range(6)]
    for _ in range(200):
        sure = set(rng.sample(cells, rng.randint(1, 8)))
        possible = sure | set(rng.sample(cells, rng.randint(0, 8)))
        hypothesis = set(rng.sample(cells, rng.randint(0, 10)))
        ours = aer(hypothesis, sure, possible)
        assert ours == pytest.approx(alignment_error_rate(Alignment(sure), Alignment(hypothesis), Alignment(possible)))


def test_a_corpus_sums_the_counts_before_the_ratio():
    short = Pair("a b", "x y", ((0, 0), (1, 1)))
    long = Pair("a b c d e f", "u v w x y z", tuple((i, i) for i in range(6)))
    right_short, wrong_long = {(0, 0), (1, 1)}, {(0, 1)}
    # per sentence: 0 and 1, average 0.5; over the corpus (0 + 0 + 4) / (2 + 2 + 1 + 6) hits
    assert corpus_aer([right_short, wrong_long], [short, long]) == pytest.approx(1 - 4 / 11)
    with pytest.raises(ValueError, match="one per pair"):
        corpus_aer([right_short], [short, long])


def test_bad_links_are_refused_with_what_is_wrong():
    with pytest.raises(ValueError, match="P ⊇ S"):
        aer({(0, 0)}, {(0, 0), (1, 1)}, {(0, 0)})
    with pytest.raises(ValueError, match="not a pair of token indices"):
        aer({(0, -1)}, S)
    with pytest.raises(ValueError, match="undefined"):
        aer(set(), set())


def test_one_link_per_french_token_cannot_reach_zero_where_a_token_has_two_sure_links():
    negated = Pair("she does not sleep .", "elle ne dort pas .",
                   parse_alignment("0-0 1-1 1-3 2-1 2-3 3-2 4-4"))
    # five French tokens with one sure link each, seven sure links: 1 - (5 + 5) / (5 + 7)
    assert one_link_floor([negated]) == pytest.approx(1 - 10 / 12)
    assert one_link_floor([Pair("a b", "x y", ((0, 0), (1, 1)))]) == 0


def test_the_diagonal_spreads_french_positions_evenly_over_english_ones():
    assert diagonal_alignment(4, 4) == {(0, 0), (1, 1), (2, 2), (3, 3)}
    # 0.5 rounds up (French 1 -> English 1), and French 5 would be English 3, past the end
    assert diagonal_alignment(3, 6) == {(0, 0), (1, 1), (1, 2), (2, 3), (2, 4), (2, 5)}
    assert diagonal_alignment(6, 3) == {(0, 0), (2, 1), (4, 2)}
    with pytest.raises(ValueError, match="need a token"):
        diagonal_alignment(0, 3)


# -- reading attention as an alignment --------------------------------------------------------------

def test_the_shifted_reading_takes_the_row_of_the_next_step():
    # three French tokens, teacher-forced: four decoder steps (the last writes <eos>); two English tokens + <eos>
    weights = torch.tensor([[0.7, 0.2, 0.1],   # step 0 reads <bos>, writes French 0
                            [0.1, 0.8, 0.1],   # step 1 reads French 0, writes French 1
                            [0.6, 0.3, 0.1],   # step 2 reads French 1, writes French 2
                            [0.1, 0.3, 0.6]])  # step 3 reads French 2, writes <eos>: its argmax is <eos>
    assert hard_alignment(weights, 2, 3, "naive") == {(0, 0), (1, 1), (0, 2)}
    # shifted: French j from step j + 1; step 3's <eos> column is left out, so its argmax is English 1
    assert hard_alignment(weights, 2, 3, "shifted") == {(1, 0), (0, 1), (1, 2)}
    with pytest.raises(ValueError, match="5 rows needed"):
        hard_alignment(weights, 2, 4, "shifted")
    with pytest.raises(ValueError, match="reading must be one of"):
        hard_alignment(weights, 2, 3, "sideways")
    with pytest.raises(ValueError, match="one map"):
        hard_alignment(weights[None], 2, 3, "naive")


@pytest.fixture(scope="module")
def test_pairs():
    return load_split("test")[:24]


def test_attention_aer_counts_what_each_map_read_alone_gives(shipped, test_pairs):
    from attnlib.translation.alignment import teacher_forced_cross_attention

    measured = attention_aer(shipped, test_pairs, batch_size=7)
    maps = torch.cat([w for *_, w in teacher_forced_cross_attention(shipped, test_pairs, batch_size=50)])
    for reading in ("naive", "shifted"):
        for layer, head in [(0, 0), (1, 3), (1, None)]:
            one = maps[:, layer, head] if head is not None else maps[:, layer].mean(1)  # (N, T, S)
            links = [hard_alignment(one[n], len(p.src_tokens), len(p.tgt_tokens), reading)
                     for n, p in enumerate(test_pairs)]
            assert measured.counts(reading, layer, head).aer == pytest.approx(corpus_aer(links, test_pairs))
    assert measured.hypothesis == sum(len(p.tgt_tokens) for p in test_pairs)
    # the shipped translator looks at a word's English while it writes it: the naive reading is far better
    assert min(measured.mean_of_heads("naive")) < 0.15 < 0.5 < min(measured.mean_of_heads("shifted"))
    with pytest.raises(ValueError, match="is not one of them"):
        measured.counts("naive", 2, 0)


# -- the IBM baselines --------------------------------------------------------------------------------

def test_ibm_models_learn_word_pairs_from_a_handful_of_sentences():
    pairs = [Pair("the cat sleeps .", "le chat dort ."), Pair("the dog sleeps .", "le chien dort ."),
             Pair("the cat eats .", "le chat mange ."), Pair("a dog eats .", "un chien mange ."),
             Pair("a cat runs .", "un chat court ."), Pair("the dog runs .", "le chien court .")]
    probe = [Pair("a dog sleeps .", "un chien dort .")]
    for model in (1, 2):
        aligner = train_ibm(pairs, model, 10)
        (links,) = ibm_alignments(aligner, probe)
        assert {(1, 1), (2, 2)} <= links, (model, links)  # dog–chien, sleeps–dort: learned without a gold link
    with pytest.raises(ValueError, match="1 or 2"):
        train_ibm(pairs, 3, 5)
    with pytest.raises(ValueError, match="at least 1"):
        train_ibm(pairs, 1, 0)


# -- the experiment ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def tiny_alignment():
    exp = module("alignment")
    settings, results = exp.run([0, 1], 3, preset="tiny", test_pairs=6, train_pairs=load_split("train")[:2000],
                                valid_pairs=load_split("valid")[:5], ibm_iterations={1: 1, 2: 1})
    return record.make_record("alignment", {"seeds": [0, 1], "steps": 3, **settings}, results,
                              hardware="test", cpu_seconds=1.0, wall_seconds=1.0)


def test_a_tiny_run_writes_a_record_the_chapters_can_read(tiny_alignment, tmp_path):
    record.write(tiny_alignment, tmp_path)
    results = load("alignment", tmp_path)["results"]
    assert [r["seed"] for r in results["runs"]] == [0, 1]
    tiny = ModelConfig.preset("tiny")
    assert (results["layers"], results["heads"]) == (tiny.n_decoder_layers, tiny.n_heads) and results["test_pairs"] == 6
    assert results["possible_links"] > results["sure_links"] == sum(len(p.alignment) for p in load_split("test")[:6])
    for reading in ("naive", "shifted"):
        mean = results[reading]["mean"][0]
        assert mean["values"] == [round(r[reading]["mean"][0], 3) for r in results["runs"]]
        best = [round(min(r[reading]["heads"][0]), 3) for r in results["runs"]]
        assert results[reading]["best_head"][0]["values"] == best
    assert results["baselines"]["ibm2"]["model1_iterations"] == 2
    rows = dict(module("alignment").summary(tiny_alignment))
    assert {"IBM Model 1 (1 iterations): AER %", "IBM Model 2 (1 iterations): AER %", "diagonal: AER %"} <= set(rows)
    assert any(k.startswith("naive reading") for k in rows) and any(k.startswith("shifted reading") for k in rows)


def test_a_cut_record_is_refused_with_what_is_missing(tiny_alignment, tmp_path):
    import json

    results = tiny_alignment["results"]
    broken = {**results, "naive": {**results["naive"], "mean": []}}
    (tmp_path / "alignment.json").write_text(json.dumps({**tiny_alignment, "results": broken}))
    with pytest.raises(ValueError, match="one entry per decoder layer"):
        load("alignment", tmp_path)
    broken = {**results, "shifted": {**results["shifted"], "heads": [row[:2] for row in results["shifted"]["heads"]]}}
    (tmp_path / "alignment.json").write_text(json.dumps({**tiny_alignment, "results": broken}))
    with pytest.raises(ValueError, match="must hold 4 heads"):
        load("alignment", tmp_path)
    wrong = {**results, "baselines": {**results["baselines"], "diagonal": {"label": "diagonal", "aer": 1.5}}}
    (tmp_path / "alignment.json").write_text(json.dumps({**tiny_alignment, "results": wrong}))
    with pytest.raises(ValueError, match="between 0 and 1"):
        load("alignment", tmp_path)



def test_the_command_records_the_threads_the_run_had(tiny_alignment, tmp_path, monkeypatch):
    from attnlib.translation.experiment import main

    exp = module("alignment")
    monkeypatch.setattr(exp, "run", lambda seeds, steps, progress: (
        {k: v for k, v in tiny_alignment["settings"].items() if k not in ("seeds", "steps")},
        tiny_alignment["results"]))
    assert main(["alignment", "--seeds", "2", "--steps", "3", "--threads", "2", "--out", str(tmp_path),
                 "--no-progress"]) == 0
    written = load("alignment", tmp_path)
    assert written["settings"]["threads"] == 2 and written["hardware"].endswith(", 2 threads")  # the tests run on one


@pytest.mark.parametrize("kwargs, message", [
    (dict(seeds=[]), "at least one seed"),
    (dict(test_pairs=0), "no test pair"),
    (dict(ibm_iterations={1: 5}), "IBM Models 1 and 2"),
    (dict(preset="huge"), "unknown preset"),
])
def test_bad_settings_are_refused_before_any_training(kwargs, message):
    settings = {"seeds": [0], "steps": 1, **kwargs}
    with pytest.raises(ValueError, match=message):
        module("alignment").run(settings.pop("seeds"), settings.pop("steps"), **settings)
