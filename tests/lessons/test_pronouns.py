"""Where the translator decides what "it" means: the lesson's measurements read what they say they read."""

import pytest
import torch

from attnlib import capture_attention
from attnlib.model.capture import attention_layer
from attnlib.lessons.pronouns import (STEP_BEFORE, _states, _swap_noun, attention_from_pronoun, predicate_shares,
                                      probe_accuracies, pronoun_index, swapped_noun_test)
from attnlib.translation.corpus import load_split
from attnlib.translation.corpus.lexicon import NOUNS

TEST = load_split("test")
TIRED = TEST[2]  # the cat does not cross the street because it is tired .


def test_the_pronoun_is_found_or_its_absence_explained():
    assert pronoun_index("the cat is here because it is tired .".split()) == 5
    assert pronoun_index("they see it because they are hungry .".split()) == 4  # the last one
    with pytest.raises(ValueError, match="no 'it' or 'they'"):
        pronoun_index("the cat sleeps .".split())


def test_attention_from_the_pronoun_is_the_encoder_row_of_it(shipped):
    att = attention_from_pronoun(shipped, TIRED.src)
    assert att.source[att.pronoun] == "it" and att.target[-1] == "<eos>" and "il" in att.target
    second = attention_layer("encoder", 1, "self")
    with capture_attention(shipped.model, [second]) as patterns:
        shipped.model.encode(shipped.source_ids(TIRED.src))
    torch.testing.assert_close(att.encoder[second], patterns[second][0, :, 8])
    assert torch.allclose(att.encoder[attention_layer("encoder", 0, "self")].sum(-1), torch.ones(4))
    with pytest.raises(ValueError, match="unknown word"):
        attention_from_pronoun(shipped, "the dragon is tired because it is old .")


def test_predicate_shares_count_where_the_pronoun_row_peaks(shipped):
    shares = predicate_shares(shipped, [TIRED])
    att = attention_from_pronoun(shipped, TIRED.src)
    for name, rows in att.encoder.items():
        for h in range(rows.shape[0]):
            assert shares[f"{name}#{h}"] == float(int(rows[h].argmax()) == len(TIRED.src_tokens) - 2)


def test_swapping_a_noun_changes_its_article_and_gender_but_not_its_kind():
    import random

    tokens = "le chat ne traverse pas la rue parce qu'".split()
    swapped = _swap_noun(tokens, 1, random.Random(0), NOUNS)
    by_fr = {n.fr: n for n in NOUNS}
    assert swapped[0] == "la" and by_fr[swapped[1]].gender == "f" and "animal" in by_fr[swapped[1]].tags
    assert swapped[2:] == tokens[2:]
    assert _swap_noun("les chats".split(), 1, random.Random(0), NOUNS) is None  # plural: left out


def test_the_probed_decoder_steps_are_the_pronoun_and_the_word_before_it(shipped):
    # the last decoder layer's output, through the final norm and the output layer, writes the next word:
    # il at the pronoun's step (the probe there reads what the model writes), qu' one step before
    states = _states(shipped, [TIRED])
    assert set(states) == {"encoder layer 1", "encoder layer 2", "decoder layer 1", "decoder layer 2",
                           "decoder layer 1" + STEP_BEFORE, "decoder layer 2" + STEP_BEFORE}
    model, itos = shipped.model, shipped.tgt_vocab.itos
    with torch.no_grad():
        writes = {name: itos[int(model.generator(model.decoder.norm(states[name].to(shipped.device))).argmax(-1))]
                  for name in ("decoder layer 2", "decoder layer 2" + STEP_BEFORE)}
    assert writes == {"decoder layer 2": "il", "decoder layer 2" + STEP_BEFORE: "qu'"}


def test_probes_and_the_swap_give_shares_of_real_sentences(shipped):
    probes = probe_accuracies(shipped, load_split("train")[:3000], TEST)
    assert set(probes) == {"encoder layer 1", "encoder layer 2", "decoder layer 1", "decoder layer 2",
                           "decoder layer 1" + STEP_BEFORE, "decoder layer 2" + STEP_BEFORE}
    assert all(0 <= v <= 1 for v in probes.values()) and probes["decoder layer 2"] > 0.9
    swap = swapped_noun_test(shipped, TEST[:60])
    assert swap.n > 0 and swap.follows_english + swap.follows_french == pytest.approx(1)
    with pytest.raises(ValueError):
        swapped_noun_test(shipped, TEST[:2])  # no pronoun sentence among them
