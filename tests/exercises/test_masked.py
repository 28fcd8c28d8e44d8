"""The encoder-only chapter's checkers: what a chosen position reads (80/10/10) and the masked-word loss."""

import torch
import pytest

from attnlib.exercises.masked import check_masked_loss, check_reads, masked_loss, reads
from attnlib.lm.data import MASK, MASK_RATE, build_vocab, encode, english, first_word_id, masked_batch
from attnlib.lm.train import batch_loss
from attnlib.model.config import LMConfig
from attnlib.model.language_model import MaskedLM


def solution(word, u, random_word):
    if u < 0.8:
        return "<mask>"
    if u < 0.9:
        return random_word
    return word


def test_the_reference_is_the_librarys_recipe_position_for_position():
    """reads(), fed the very uniform numbers masked_batch draws, gives what masked_batch puts in the batch."""
    sentences = english("train")[:40]
    vocab = build_vocab(english("train"), masked=True)
    inp, target = masked_batch(sentences, vocab, torch.Generator().manual_seed(5))
    rows = encode(sentences, vocab)  # (B, T)
    gen = torch.Generator().manual_seed(5)  # the same draws, in masked_batch's order
    chosen = (torch.rand(rows.shape, generator=gen) < MASK_RATE) & (rows >= first_word_id(vocab))
    action = torch.rand(rows.shape, generator=gen)
    random_words = torch.randint(first_word_id(vocab), len(vocab), rows.shape, generator=gen)
    assert chosen.any() and torch.equal(chosen, target != vocab.pad_id)
    for b, t in chosen.nonzero().tolist():
        expected = reads(vocab.itos[int(rows[b, t])], float(action[b, t]), vocab.itos[int(random_words[b, t])])
        assert vocab.itos[int(inp[b, t])] == expected


@pytest.mark.parametrize("mistake, hint", [
    (lambda w, u, r: "<mask>", "Only 80 %"),
    (lambda w, u, r: "<mask>" if u < 0.8 else w if u < 0.9 else r, "swapped"),
    (lambda w, u, r: "<mask>" if u <= 0.8 else r if u <= 0.9 else w, "edges"),
    (lambda w, u, r: "<mask>" if u < 0.1 else r if u < 0.2 else w, "should read '<mask>'"),
    (lambda w, u, r: r if u < 0.8 else "<mask>" if u < 0.9 else w, "should read"),
])
def test_the_reads_checker_names_each_plausible_mistake(mistake, hint):
    verdict = check_reads(mistake)
    assert not verdict and hint in verdict.message


def test_the_reads_checker_accepts_the_recipe_and_waits_for_an_answer():
    assert check_reads(solution)
    assert check_reads(lambda w, u, r: MASK if u < 0.8 else (r if u < 0.9 else w))
    assert "Not answered" in check_reads(lambda w, u, r: None).message
    assert "raised" in check_reads(lambda w, u, r: 1 / 0).message


def by_hand(logits, target, pad_id):
    chosen = target != pad_id
    log_probs = torch.log_softmax(logits, dim=-1)
    return -log_probs[chosen].gather(-1, target[chosen][:, None]).mean()


def test_the_loss_reference_is_what_training_minimises():
    vocab = build_vocab(english("train"), masked=True)
    model = MaskedLM(LMConfig.preset("tiny", vocab_size=len(vocab))).eval()
    inp, target = masked_batch(english("train")[:16], vocab, torch.Generator().manual_seed(1))
    with torch.no_grad():
        torch.testing.assert_close(masked_loss(model(inp), target, vocab.pad_id), batch_loss(model, inp, target))


@pytest.mark.parametrize("mistake, hint", [
    (lambda lg, t, p: torch.nn.functional.cross_entropy(lg.flatten(0, 1), t.flatten()), "every position"),
    (lambda lg, t, p: by_hand(lg, t, p) * int((t != p).sum()), "summed"),
    (lambda lg, t, p: -by_hand(lg, t, p), "sign"),
    (lambda lg, t, p: torch.stack([by_hand(lg[i:i + 1], t[i:i + 1], p) for i in range(len(t))]).mean(),
     "each sentence"),
    (lambda lg, t, p: -lg.gather(-1, t[..., None])[..., 0][t != p].mean(), "raw scores"),
    (lambda lg, t, p: torch.zeros(3), "one number"),
    (lambda lg, t, p: by_hand(lg, t, p) + 0.1, "should be"),
])
def test_the_loss_checker_names_each_plausible_mistake(mistake, hint):
    verdict = check_masked_loss(mistake)
    assert not verdict and hint in verdict.message


def test_the_loss_checker_accepts_any_way_of_writing_it():
    assert check_masked_loss(by_hand)
    assert check_masked_loss(lambda lg, t, p: torch.nn.functional.cross_entropy(lg.flatten(0, 1), t.flatten(),
                                                                                ignore_index=p))
    assert check_masked_loss(lambda lg, t, p: float(by_hand(lg, t, p)))
    assert "Not answered" in check_masked_loss(lambda lg, t, p: None).message
