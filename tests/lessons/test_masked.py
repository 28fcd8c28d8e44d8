"""The book's BERT at work: the masking table, the fills with their attention, and the duel with the trigram
read what they say they read, from the library's own functions."""

import math

import pytest
import torch

from attnlib import capture_attention
from attnlib.lessons.masked import fill_duel, mask_fill, mask_word, masking_table
from attnlib.lm.data import MASK, build_vocab, english, masked_batch, masking_generator
from attnlib.lm.fill import top_fills
from attnlib.lm.ngram import fit
from attnlib.lm.scores import fill_cases, fill_scores, ngram_fill_scores
from attnlib.lm.trained import TrainedLM

SENTENCE = "the black cat <mask> the dog ."


@pytest.fixture(scope="module")
def bert() -> TrainedLM:
    return TrainedLM.load(kind="masked", device="cpu")


def test_the_masking_table_lists_what_the_training_batch_hides_and_shows():
    sentences = english("train")[:64]
    vocab = build_vocab(english("train"), masked=True)
    table = masking_table(sentences, vocab, masking_generator(seed=0, step=7))
    inp, target = masked_batch(sentences, vocab, masking_generator(seed=0, step=7))
    assert len(table) == int((target != vocab.pad_id).sum()) > 0
    for c in table:
        assert c.word == sentences[c.sentence].split()[c.position - 1]  # position 0 is <bos>
        assert c.reads == vocab.itos[int(inp[c.sentence, c.position])]
        assert c.action == {MASK: MASK, c.word: "unchanged"}.get(c.reads, "random word")
    assert {c.action for c in table} == {MASK, "random word", "unchanged"}  # 64 sentences: all three occur
    assert sum(c.action == MASK for c in table) > len(table) / 2


def test_a_fill_is_top_fills_with_the_attention_of_the_same_forward_pass(bert):
    fill = mask_fill(bert, SENTENCE, k=5)
    library = top_fills(bert, SENTENCE, k=5)
    assert fill.words == [w for w, _ in library] and fill.probs == pytest.approx([p for _, p in library])
    assert fill.tokens[fill.position] == MASK and fill.tokens[0] == "<bos>" and fill.tokens[-1] == "<eos>"
    ids, position = bert.sentence_ids(SENTENCE)
    with capture_attention(bert.model) as patterns:
        bert.model(ids)
    expected = torch.stack([w[0, :, position] for w in patterns.values()])  # (L, H, T)
    torch.testing.assert_close(fill.attention, expected)
    assert fill.attention.shape == (bert.model.cfg.n_layers, bert.model.cfg.n_heads, len(fill.tokens))


def test_the_candidates_are_words_best_first_and_each_attention_row_sums_to_one(bert):
    fill = mask_fill(bert, "the <mask> does not cross the street because it is tired .", k=bert.n_words)
    assert set(fill.words) == set(bert.known_words)  # every word once, no special token
    assert fill.probs == sorted(fill.probs, reverse=True) and sum(fill.probs) == pytest.approx(1.0)
    five = mask_fill(bert, "the <mask> does not cross the street because it is tired .", k=5)
    assert five.words == fill.words[:5] and sum(five.probs) <= 1
    assert not {"<pad>", "<bos>", "<eos>", "<unk>", MASK} & set(five.words)
    for layer in range(fill.attention.shape[0]):
        assert float(fill.looks_at(layer).sum()) == pytest.approx(1.0, abs=1e-5)
        for head in range(fill.attention.shape[1]):
            assert float(fill.looks_at(layer, head).sum()) == pytest.approx(1.0, abs=1e-5)


@pytest.mark.parametrize("text, message", [
    ("the black cat sees the dog .", "holds no <mask>"),
    ("the <mask> sees the <mask> .", "holds 2 <mask> tokens"),
    ("the astronaut <mask> the dog .", "unknown word(s) 'astronaut'"),
    ("", "is empty"),
])
def test_bad_input_gets_the_models_own_message_before_it_runs(bert, text, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        mask_fill(bert, text)
    with pytest.raises(ValueError, match="whole number from 1"):
        mask_fill(bert, SENTENCE, k=0)


def test_mask_word_hides_one_word_and_refuses_what_is_not_one():
    assert mask_word("the black cat sees the dog .", 3) == "the black cat <mask> the dog ."
    with pytest.raises(ValueError, match="no word 7"):
        mask_word("the black cat sees the dog .", 7)
    with pytest.raises(ValueError, match="punctuation"):
        mask_word("the black cat sees the dog .", 6)


def test_the_duel_scores_both_models_as_the_library_does(bert):
    cases = fill_cases(english("test"), seed=0)[:25]
    trigram = fit(english("train"))
    duel = fill_duel(bert, trigram, cases)
    mine, theirs = fill_scores(bert.model, bert.vocab, cases), ngram_fill_scores(trigram, cases)
    for got, want in ((duel.scores("model"), mine), (duel.scores("trigram"), theirs)):
        assert got.n == want.n == 25 and got.pseudo_perplexity == pytest.approx(want.pseudo_perplexity)
        assert got.accuracy == pytest.approx(want.accuracy)
    quarters = [duel.both(m, t) for m in (True, False) for t in (True, False)]
    assert sum(map(len, quarters)) == 25
    assert all((c.model_best == c.word) == (c.model_rank == 0) for c in duel.cases)
    assert all((c.trigram_best == c.word) == (c.trigram_rank == 0) for c in duel.cases)
    with pytest.raises(ValueError, match="'model' or 'trigram'"):
        duel.scores("gpt")


def test_a_word_the_trigram_never_saw_costs_it_an_infinite_pseudo_perplexity(bert):
    cases = [("the black cat sees the dog .", 2)]
    trigram = fit(["the black dog sees the cat ."])  # no "cat" before "sees": still in its vocabulary
    assert math.isfinite(fill_duel(bert, trigram, cases).scores("trigram").pseudo_perplexity)
    blind = fit(["the black dog sees the dog ."])  # never saw "cat"
    duel = fill_duel(bert, blind, cases)
    assert duel.scores("trigram").pseudo_perplexity == math.inf and duel.cases[0].trigram_p == 0.0
    assert duel.scores("trigram").pseudo_perplexity == ngram_fill_scores(blind, cases).pseudo_perplexity


def test_content_words_are_the_lexicons_open_classes_in_every_form():
    from attnlib.lessons.masked import content_words

    words = content_words()
    assert {"cat", "cats", "black", "sees", "see", "look"} <= words
    assert not {"the", "a", "it", "they", "is", "are", "not", "because", "near", "."} & words
    known = set(TrainedLM.load(kind="masked", device="cpu").known_words)
    assert all(w.endswith("s") for w in words - known)  # only plurals the corpus never writes (teas, wines …)
    assert len(known - words) < 60  # the rest of the vocabulary: a small closed set of grammar words
