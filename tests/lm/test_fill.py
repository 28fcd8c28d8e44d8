"""Filling a gap: the likeliest words for one <mask>, never a special token, however much the model
favours one; from the shell, five lines of word<TAB>probability, and one line for what it cannot read."""

from __future__ import annotations

import copy

import pytest
import torch

from attnlib.lm.fill import main, top_fills
from attnlib.lm.trained import TrainedLM

SENTENCE = "the black <mask> sees the dog ."


def test_the_likeliest_words_come_best_first_with_the_models_probabilities(tiny_masked):
    fills = top_fills(tiny_masked, SENTENCE, k=tiny_masked.n_words)
    assert len(fills) == tiny_masked.n_words  # every word, and nothing else
    probabilities = [p for _, p in fills]
    assert probabilities == sorted(probabilities, reverse=True) and sum(probabilities) == pytest.approx(1.0)
    assert top_fills(tiny_masked, SENTENCE, k=5) == fills[:5]


def test_a_special_token_is_never_proposed_however_likely_the_model_finds_it(tiny_masked):
    biased = copy.deepcopy(tiny_masked)
    with torch.no_grad():
        biased.model.head.bias[biased.specials] += 50.0  # the raw softmax now puts its mass on the specials
        logits = biased.model(biased.sentence_ids(SENTENCE)[0])[0, 3]
    assert int(logits.argmax()) in biased.specials  # so the test could fail
    fills = top_fills(biased, SENTENCE, k=10)
    assert all(word not in ("<pad>", "<bos>", "<eos>", "<unk>", "<mask>") for word, _ in fills)
    assert sum(p for _, p in top_fills(biased, SENTENCE, k=biased.n_words)) == pytest.approx(1.0)


def test_the_command_prints_five_words_and_their_probabilities(tiny_checkpoints, capsys):
    assert main(["--checkpoint", str(tiny_checkpoints["masked"]), SENTENCE]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 5
    words = [line.split("\t") for line in lines]
    assert all(len(w) == 2 and not w[0].startswith("<") and 0 <= float(w[1]) <= 1 for w in words)
    lm = TrainedLM.load(tiny_checkpoints["masked"], kind="masked", device="cpu")
    assert [w for w, _ in words] == [w for w, _ in top_fills(lm, SENTENCE)]


@pytest.mark.parametrize("text, message", [
    ("the black cat sees the dog .", "holds no <mask>: write exactly one"),
    ("the <mask> <mask> sees the dog .", "holds 2 <mask> tokens"),
    ("", "the sentence is empty"),
    ("the black <mask> sees the dgo .", "unknown word(s) 'dgo'"),
    ("the <bos> <mask> .", "'<bos>' marks the model's own tokens"),
    (" ".join(["the"] * 40) + " <mask>", "the sentence has 41 words; this model reads at most 30"),
])
def test_what_it_cannot_read_is_said_in_one_line(tiny_checkpoints, capsys, text, message):
    assert main(["--checkpoint", str(tiny_checkpoints["masked"]), text]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and "Traceback" not in err, err
    assert len(err.strip().splitlines()) == 1


def test_a_missing_model_names_the_command_that_makes_it(tmp_path, capsys):
    assert main(["--checkpoint", str(tmp_path / "none.pt"), SENTENCE]) == 1
    err = capsys.readouterr().err
    assert "no checkpoint at" in err and "`make lm`" in err and "--kind masked" in err


def test_where_the_mask_looks_is_its_row_of_every_layer_and_head(tiny_masked):
    from attnlib.lm.fill import mask_attention
    from attnlib.model.capture import attention_layers, capture_attention

    tokens, position, weights = mask_attention(tiny_masked, "The Black <mask> sees the dog .")
    assert tokens == ["<bos>", "the", "black", "<mask>", "sees", "the", "dog", ".", "<eos>"] and position == 3
    cfg = tiny_masked.model.cfg
    assert weights.shape == (cfg.n_layers, cfg.n_heads, len(tokens))
    assert torch.allclose(weights.sum(-1), torch.ones(cfg.n_layers, cfg.n_heads))  # each row a distribution
    names = list(attention_layers(tiny_masked.model))
    with torch.no_grad(), capture_attention(tiny_masked.model, names) as patterns:
        tiny_masked.model(tiny_masked.sentence_ids(SENTENCE)[0])
    assert torch.allclose(weights, torch.cat([patterns[n] for n in names])[:, :, 3])
    with pytest.raises(ValueError, match="exactly one <mask>"):  # read as the fill reads it
        mask_attention(tiny_masked, "the black cat")
