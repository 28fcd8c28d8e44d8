"""What "it" refers to: the pronoun scores count the right thing, the head shares read the right weights."""

import math

import pytest
import torch

from attnlib import capture_attention
from attnlib.model.capture import attention_layer
from attnlib.translation.antecedents import (antecedent_pairs, french_index, french_pronoun_index, head_choices,
                                             head_shares,
                                             noun_genders, positional_baselines, pronoun_gender, pronoun_scores,
                                             reveals_choice)
from attnlib.translation.corpus import Pair, load_split
from attnlib.translation.evaluate import evaluate
from attnlib.translation.vocab import decoder_input

TEST = load_split("test")
TIRED, WIDE = TEST[2], TEST[3]  # the cat does not cross the street because it is tired / wide


def test_the_gender_of_the_pronoun_is_read_after_parce_que():
    assert pronoun_gender("le chat ne traverse pas la rue parce qu' il est fatigué .") == "m"
    assert pronoun_gender("les tables sont là parce qu' elles sont vides .") == "f"
    assert pronoun_gender("elle voit le chien parce qu' il est sale .") == "m"  # not the subject "elle"
    assert pronoun_gender("le chat dort .") is None


def test_the_running_example_reveals_its_choice_both_ways():
    assert noun_genders(TIRED) == ("m", "f") and noun_genders(WIDE) == ("f", "m")
    assert reveals_choice(TIRED) and reveals_choice(WIDE)
    assert not TIRED.antecedent.is_nearer and WIDE.antecedent.is_nearer


def test_pronoun_scores_count_right_and_wrong_choices_and_the_baselines():
    pairs = [TIRED, WIDE]
    gold = pronoun_scores(pairs, [p.tgt for p in pairs])
    assert (gold.n, gold.accuracy, gold.nearer, gold.farther) == (2, 1.0, 1.0, 1.0)
    assert gold.first_noun_baseline == gold.nearest_noun_baseline == 0.5
    always_cat = pronoun_scores(pairs, [TIRED.tgt, WIDE.tgt.replace("qu' elle", "qu' il")])  # "it" = the cat twice
    assert always_cat.accuracy == 0.5 and always_cat.farther == 1.0 and always_cat.nearer == 0.0
    assert pronoun_scores(pairs, ["le chat dort .", "le chat dort ."]).accuracy == 0.0  # no pronoun: wrong
    assert pronoun_scores([Pair("a b .", "c d .")], ["c d ."]) is None  # nothing to score
    assert math.isnan(pronoun_scores([TIRED], [TIRED.tgt]).nearer) and pronoun_scores([TIRED], [TIRED.tgt]).to_dict()["nearer"] is None


def test_head_choices_read_the_pronoun_row_and_the_step_that_writes_the_pronoun(shipped):
    choices = head_choices(shipped, [TIRED, WIDE, TEST[0]])  # the third has no pronoun: left out
    cfg = shipped.model.cfg
    assert len(choices) == cfg.n_heads * (cfg.n_encoder_layers + 2 * cfg.n_decoder_layers)  # encoder, self, cross
    assert all(len(hits) == 2 for hits in choices.values())
    src = shipped.source_ids(WIDE.src)
    tgt_in = torch.tensor([decoder_input(shipped.tgt_vocab.encode(WIDE.tgt))])
    with capture_attention(shipped.model) as patterns:
        shipped.model(src, tgt_in)
    a = WIDE.antecedent
    encoder, cross, decoder = (attention_layer("encoder", 1, "self"), attention_layer("decoder", 0, "cross"),
                               attention_layer("decoder", 1, "self"))
    for h in range(cfg.n_heads):
        row = patterns[encoder][0, h, a.pronoun]
        assert choices[f"{encoder}#{h}"][1] == bool(row[a.noun] > row[a.other])
        row = patterns[cross][0, h, french_pronoun_index(WIDE)]
        assert choices[f"{cross}#{h}"][1] == bool(row[a.noun] > row[a.other])
        row = patterns[decoder][0, h, french_pronoun_index(WIDE)]  # keys: <bos> + French
        rue, chat = french_index(WIDE, a.noun) + 1, french_index(WIDE, a.other) + 1
        assert choices[f"{decoder}#{h}"][1] == bool(row[rue] > row[chat])
    assert WIDE.tgt_tokens[french_index(WIDE, a.noun)] == "rue" and WIDE.tgt_tokens[french_index(WIDE, a.other)] == "chat"
    with pytest.raises(ValueError, match="no pronoun|none of the pairs"):
        head_choices(shipped, [TEST[0]])


def test_the_test_split_has_enough_pronoun_sentences_most_of_which_reveal_the_choice():
    pairs = antecedent_pairs(TEST)
    revealing = [p for p in pairs if reveals_choice(p)]
    assert len(pairs) > 180 and 150 < len(revealing) < len(pairs)  # some have two nouns of one gender


def test_positional_rules_are_right_about_half_the_time_on_the_test_split():
    baselines = positional_baselines(TEST)
    assert abs(baselines["first_noun"] - 0.5) < 0.08 and baselines["first_noun"] + baselines["nearest_noun"] == 1


def test_the_shipped_translator_resolves_it_and_says_so_in_its_scores(shipped):
    scores = evaluate(shipped, TEST, "test", alignment=False)
    assert scores.pronouns is not None and scores.pronouns.n >= 90
    assert scores.pronouns.accuracy >= 0.95 and scores.pronouns.nearer >= 0.9 and scores.pronouns.farther >= 0.9
    assert scores.pronouns.to_dict() == shipped.meta["scores"]["test"]["pronouns"]  # as recorded at training
    assert "pronouns" in scores.line()
    shares = head_shares(shipped, antecedent_pairs(TEST))
    assert len(shares) == 24 and all(0 <= s <= 1 for s in shares.values())
