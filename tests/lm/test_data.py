"""The language models' batches: the causal one shifted by one, the masked one by BERT's recipe (15 % of the
words chosen, never a special token; 80 / 10 / 10), the same masking for the same (seed, step)."""

from __future__ import annotations

import pytest
import torch

from attnlib.lm.data import (MASK, SentenceBatches, build_vocab, causal_batch, encode, english, first_word_id,
                             masked_batch, masking_generator)
from attnlib.translation.vocab import SPECIALS

TRAIN = english("train")


@pytest.fixture(scope="module")
def masked_vocab():
    return build_vocab(TRAIN, masked=True)


def test_the_vocabularies_hold_the_specials_then_the_words_of_train():
    causal, masked = build_vocab(TRAIN, masked=False), build_vocab(TRAIN, masked=True)
    assert tuple(causal.itos[:4]) == SPECIALS and MASK not in causal
    assert masked.itos[:5] == [*SPECIALS, MASK] and first_word_id(masked) == 5 and first_word_id(causal) == 4
    assert causal.itos[4:] == masked.itos[5:] and set(causal.itos[4:]) == {w for s in TRAIN for w in s.split()}


def test_a_causal_batch_reads_bos_and_predicts_eos_shifted_by_one():
    vocab = build_vocab(TRAIN, masked=False)
    inp, target = causal_batch(["the cat sees the dog .", "it runs ."], vocab)
    row = vocab.encode("the cat sees the dog .".split(), add_bos=True, add_eos=True)
    assert inp[0].tolist() == row[:-1] and target[0].tolist() == row[1:]
    assert inp[0, 0] == vocab.bos_id and target[0, -1] == vocab.eos_id
    short = vocab.encode("it runs .".split(), add_eos=True)
    assert target[1].tolist() == short + [vocab.pad_id] * (len(row) - 1 - len(short))  # padding after the <eos>


def test_masked_batches_choose_fifteen_percent_of_the_words_and_never_a_special(masked_vocab):
    sentences = TRAIN[:1500] + ["the qwxz sees the dog ."]  # qwxz: an <unk>, never chosen
    rows = encode(sentences, masked_vocab)  # (B, T)
    is_word = rows >= first_word_id(masked_vocab)
    assert (rows == masked_vocab.unk_id).sum() == 1
    chosen_n = masked_n = random_n = 0
    steps = 6
    for step in range(steps):
        inp, target = masked_batch(sentences, masked_vocab, masking_generator(0, step))
        chosen = target != masked_vocab.pad_id
        assert not (chosen & ~is_word).any(), "a special token (pad, bos, eos, unk) was chosen"
        assert torch.equal(target[chosen], rows[chosen])  # the word that was there is the target
        assert torch.equal(inp[~chosen], rows[~chosen])  # what was not chosen reads as it was
        replaced = inp[chosen]
        assert (replaced >= first_word_id(masked_vocab)).logical_or(replaced == masked_vocab.stoi[MASK]).all()
        chosen_n += int(chosen.sum())
        masked_n += int((replaced == masked_vocab.stoi[MASK]).sum())
        random_n += int((replaced != rows[chosen]).logical_and(replaced != masked_vocab.stoi[MASK]).sum())
    share = chosen_n / (steps * int(is_word.sum()))
    assert 0.14 < share < 0.16, share
    assert 0.78 < masked_n / chosen_n < 0.82 and 0.08 < random_n / chosen_n < 0.11  # a random word may be the same one


def test_the_same_seed_and_step_mask_the_same_way_and_another_step_otherwise(masked_vocab):
    sentences = TRAIN[:64]
    first = masked_batch(sentences, masked_vocab, masking_generator(3, 7))
    again = masked_batch(sentences, masked_vocab, masking_generator(3, 7))
    other = masked_batch(sentences, masked_vocab, masking_generator(3, 8))
    assert all(torch.equal(a, b) for a, b in zip(first, again))
    assert not torch.equal(first[1], other[1])


def test_a_batch_where_no_word_was_drawn_still_gets_one(masked_vocab):
    for step in range(40):  # a two-word sentence goes unchosen about seven times in ten
        inp, target = masked_batch(["it runs"], masked_vocab, masking_generator(0, step))
        assert (target != masked_vocab.pad_id).sum() >= 1


def test_a_masked_batch_needs_a_vocabulary_with_the_mask_token():
    with pytest.raises(ValueError, match="needs a vocabulary with <mask>"):
        masked_batch(TRAIN[:2], build_vocab(TRAIN, masked=False), masking_generator(0, 0))


def test_epochs_cover_every_sentence_once_in_an_order_set_by_the_seed():
    batches = SentenceBatches(TRAIN[:100], batch_size=16, seed=1)
    epoch = [s for step in range(batches.per_epoch) for s in batches(step)]
    assert sorted(epoch) == sorted(TRAIN[:100]) and batches.per_epoch == 7
    assert [batches(s) for s in range(3)] == [SentenceBatches(TRAIN[:100], 16, 1)(s) for s in range(3)]
    assert batches(0) != SentenceBatches(TRAIN[:100], 16, 2)(0) and batches(7) != batches(0)  # another epoch
