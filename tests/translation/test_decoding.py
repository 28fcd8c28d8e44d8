"""Beam search, step by step and under several length penalties at once, and greedy search forced to a length
(on the shipped checkpoint)."""

import pytest
import torch

from attnlib.translation.corpus import load_split
from attnlib.translation.decoding import (beam_search, beam_search_alphas, beam_steps, best_outputs, greedy_decode,
                                         search_ended)
from attnlib.translation.translator import Translator
from attnlib.translation.vocab import EOS_ID, PAD_ID, SPECIALS, pad_rows


@pytest.fixture(scope="module")
def shipped():
    return Translator.load(device="cpu")


def _same(a, b):
    return [h.ids for h in a] == [h.ids for h in b] and [h.log_prob for h in a] == pytest.approx([h.log_prob for h in b])


def test_one_search_under_several_penalties_is_one_beam_search_per_penalty(shipped):
    long = [p.src for p in load_split("generalisation") if "held_out_length" in p.phenomena][:3]
    alphas = (0.0, 0.6, 1.0)
    for text in ["the black cat sees the dog .", "they are not noisy ."] + long:
        src = shipped.source_ids(text)
        for k in (1, 3):
            together = beam_search_alphas(shipped.model, src, k, alphas)
            assert list(together) == list(alphas)
            for alpha in alphas:
                assert _same(together[alpha], beam_search(shipped.model, src, beam_size=k, length_penalty=alpha))


def test_the_steps_are_the_search_and_the_penalty_only_decides_when_it_ends(shipped):
    src = shipped.source_ids("the black cat sees the dog .")
    for beams, done in beam_steps(shipped.model, src, beam_size=3):
        assert len(beams) <= 3 and all(h.ids[-1] == 2 for h in done)  # finished outputs end with <eos>
        if search_ended(beams, done, 3, 0.6):
            break
    assert _same(best_outputs(beams, done, 3, 0.6), beam_search(shipped.model, src, beam_size=3))


def test_bad_arguments_are_refused_before_any_search(shipped):
    src = shipped.source_ids("they are not noisy .")
    for bad in (0, -1, 2.5, True):
        with pytest.raises(ValueError, match="beam_size must be a whole number of at least 1"):
            beam_search(shipped.model, src, beam_size=bad)
    with pytest.raises(ValueError, match="at least one length penalty"):
        beam_search_alphas(shipped.model, src, 3, ())
    with pytest.raises(ValueError, match="one sentence at a time"):
        beam_search(shipped.model, torch.cat([src, src]), beam_size=2)


def _sources(shipped, texts):
    return pad_rows([shipped.src_vocab.encode(t, add_eos=True) for t in texts])  # (B, S)


@pytest.mark.parametrize("use_cache", [True, False])
def test_forced_decoding_writes_exactly_the_length_asked_and_no_eos_before(shipped, use_cache):
    texts = ["the black cat sees the dog .", "they are not noisy .", "the cat sat on the mat ."]
    free = greedy_decode(shipped.model, _sources(shipped, texts))
    lengths = [2, 9, 14]  # shorter, longer and much longer than the model would write
    seen = []
    forced = greedy_decode(shipped.model, _sources(shipped, texts), length=lengths, use_cache=use_cache,
                           on_step=lambda logits: seen.append(logits.argmax(-1)))
    for row, n in zip(forced.tolist(), lengths):
        assert all(i >= len(SPECIALS) for i in row[:n])  # words only: no <eos>, <pad>, <bos> or <unk> before n
        assert row[n] == EOS_ID and all(i == PAD_ID for i in row[n + 1:])
        assert len(shipped.tgt_vocab.decode(row).split()) == n
    assert forced.shape[1] == max(lengths) + 1  # it stops once the longest row has its <eos>
    # the model itself wanted to stop earlier in the longer rows: on_step sees its own choice, not the forced one
    assert any(int(step[1]) == EOS_ID for step in seen[: lengths[1]])
    assert free.tolist() != forced.tolist()


def test_a_token_held_back_for_the_last_position_appears_nowhere_before(shipped):
    texts = ["they are not noisy .", "the cat sat on the mat ."]
    full_stop = shipped.tgt_vocab.stoi["."]
    lengths = [9, 12]
    eos_only = greedy_decode(shipped.model, _sources(shipped, texts), length=lengths)
    held = greedy_decode(shipped.model, _sources(shipped, texts), length=lengths, last_only=[full_stop])
    for before, row, n in zip(eos_only.tolist(), held.tolist(), lengths):
        assert full_stop in before[: n - 1]  # forced past its end, the model writes its full stop early ...
        assert full_stop not in row[: n - 1] and row[n] == EOS_ID  # ... held back, it cannot
        assert all(i >= len(SPECIALS) for i in row[:n])
    forced = shipped.translate_batch(texts, lengths=lengths, last_only=(".",))
    assert [len(t.split()) for t in forced] == lengths and all("." not in t.split()[:-1] for t in forced)


def test_forcing_the_length_the_model_chose_changes_nothing(shipped):
    texts = [p.src for p in load_split("test")[:16]]
    free = greedy_decode(shipped.model, _sources(shipped, texts))
    own = [row.index(EOS_ID) for row in free.tolist()]
    forced = greedy_decode(shipped.model, _sources(shipped, texts), length=own)
    assert forced.tolist() == free[:, : forced.shape[1]].tolist()
    assert shipped.translate_batch(texts, lengths=own) == shipped.translate_batch(texts)


@pytest.mark.parametrize("length, message", [
    ([3], "one whole number of tokens .* per sentence, 2 in all"),
    ([3, -1], "one whole number of tokens"),
    ([3, 2.5], "one whole number of tokens"),
    ([3, 500], "a length of 500 tokens and its <eos> do not fit .* at most 62 tokens"),
])
def test_bad_lengths_are_refused_before_any_decoding(shipped, length, message):
    src = _sources(shipped, ["they are not noisy .", "the cat sat on the mat ."])
    with pytest.raises(ValueError, match=message):
        greedy_decode(shipped.model, src, length=length)
    with pytest.raises(ValueError, match="give it without max_new_tokens or stop_at_eos"):
        greedy_decode(shipped.model, src, length=[3, 4], max_new_tokens=5)
    with pytest.raises(ValueError, match="give one length per sentence: 1 lengths for 2 sentences"):
        shipped.translate_batch(["they are not noisy .", "the cat sat on the mat ."], lengths=[3])
    with pytest.raises(ValueError, match="last_only must list ids of words"):
        greedy_decode(shipped.model, src, length=[3, 4], last_only=[EOS_ID])
    with pytest.raises(ValueError, match="give length= too"):
        greedy_decode(shipped.model, src, last_only=[10])
    with pytest.raises(ValueError, match="the French vocabulary lacks"):
        shipped.translate_batch(["they are not noisy ."], lengths=[3], last_only=("!",))
