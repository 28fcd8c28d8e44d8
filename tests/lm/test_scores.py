"""The scores follow the n-gram baseline's convention: a tiny model's perplexity and pseudo-perplexity agree
with a hand computation from its own logits, fill cases hide one word per sentence, and the trigram's
scores on those cases agree with its own fill_accuracy."""

from __future__ import annotations

import math

import pytest
import torch

from attnlib.lm.data import MASK
from attnlib.lm.ngram import fill_accuracy, fit
from attnlib.lm.scores import fill_cases, fill_scores, ngram_fill_scores, perplexity, token_nll
from attnlib.translation.vocab import PUNCTUATION, SPECIALS

SENTENCES = ["the black cat sees the dog .", "it runs .", "the girl finds the key and she takes it .", "you go ."]


def test_perplexity_agrees_with_a_hand_computation_from_the_models_logits(tiny_causal):
    model, vocab = tiny_causal.model, tiny_causal.vocab
    total, count = 0.0, 0
    with torch.no_grad():
        for sentence in SENTENCES:  # one sentence at a time: no padding anywhere
            ids = vocab.encode(sentence.split(), add_bos=True, add_eos=True)  # <bos> words <eos>
            log_probs = torch.log_softmax(model(torch.tensor([ids[:-1]]))[0].double(), dim=-1)  # (T, V)
            for position, token in enumerate(ids[1:]):  # every word and the <eos>, each from what came before
                total -= float(log_probs[position, token])
                count += 1
    assert count == sum(len(s.split()) + 1 for s in SENTENCES)
    assert token_nll(model, vocab, SENTENCES) == (pytest.approx(total), count)
    assert perplexity(model, vocab, SENTENCES) == pytest.approx(math.exp(total / count), rel=1e-5)  # float32 logits: a padded batch rounds otherwise


def test_pseudo_perplexity_and_accuracy_agree_with_a_hand_computation(tiny_masked):
    model, vocab = tiny_masked.model, tiny_masked.vocab
    cases = fill_cases(SENTENCES, seed=4)
    specials = [vocab.stoi[t] for t in (*SPECIALS, MASK)]
    nlls, top1, top5 = [], 0, 0
    with torch.no_grad():
        for sentence, position in cases:
            tokens = sentence.split()
            truth = vocab.stoi[tokens[position]]
            tokens[position] = MASK
            logits = model(torch.tensor([vocab.encode(tokens, add_bos=True, add_eos=True)]))[0, position + 1].double()
            logits[specials] = -math.inf
            log_probs = torch.log_softmax(logits, dim=-1)
            nlls.append(-float(log_probs[truth]))
            best = log_probs.argsort(descending=True, stable=True).tolist()
            top1 += truth == best[0]
            top5 += truth in best[:5]
    scores = fill_scores(model, vocab, cases)
    assert scores.n == len(SENTENCES)
    assert scores.pseudo_perplexity == pytest.approx(math.exp(sum(nlls) / len(nlls)), rel=1e-5)  # float32 logits: a padded batch rounds otherwise
    assert scores.accuracy == {1: top1 / len(cases), 5: top5 / len(cases)}


def test_fill_cases_hide_one_word_per_sentence_never_its_punctuation_and_follow_the_seed():
    cases = fill_cases(SENTENCES * 5, seed=0)
    assert [s for s, _ in cases] == SENTENCES * 5
    assert all(s.split()[p] not in PUNCTUATION for s, p in cases)
    assert cases == fill_cases(SENTENCES * 5, seed=0) and cases != fill_cases(SENTENCES * 5, seed=1)
    assert fill_cases([". !"], seed=0) == []


def test_the_trigram_scores_the_same_cases_as_its_own_fill_accuracy():
    train = [s for s in SENTENCES * 3] + ["the black dog sees the cat .", "the cat runs ."]
    trigram = fit(train)
    cases = fill_cases(SENTENCES, seed=2)
    scores = ngram_fill_scores(trigram, cases)
    assert scores.accuracy == fill_accuracy(trigram, cases, ks=(1, 5))
    assert 1 < scores.pseudo_perplexity < len(trigram.vocabulary)


def test_a_masked_model_has_no_perplexity_and_a_causal_one_fills_no_gap(tiny_causal, tiny_masked):
    with pytest.raises(ValueError, match="pseudo-perplexity"):
        perplexity(tiny_masked.model, tiny_masked.vocab, SENTENCES)
    with pytest.raises(ValueError, match="MaskedLM"):
        fill_scores(tiny_causal.model, tiny_causal.vocab, fill_cases(SENTENCES))
    with pytest.raises(TypeError, match="list of sentences"):
        perplexity(tiny_causal.model, tiny_causal.vocab, "the cat runs .")
