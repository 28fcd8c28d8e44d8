"""The corpus chapter: example pairs, alignment figures, batches and masks."""

import re

import pytest
import torch

from attnlib.model.config import ModelConfig
from attnlib.translation.corpus import HELD_OUT_TAGS, MAX_TRAIN_LENGTH, PHENOMENA, Pair, load_split
from attnlib.translation.vocab import Vocab
from attnlib.book.demo import Demo, Param
from attnlib.figures import corpus as cv
from attnlib.model.transformer import Transformer


# -- example pairs and alignments ----------------------------------------------------------------

def test_every_example_is_in_the_corpus_and_shows_the_phenomenon_it_is_named_after():
    tags = set()
    for label in cv.EXAMPLES:
        pair = cv.example_pair(label)
        name = label.split(":")[0].replace(" ", "_")
        if name == "held_out":
            assert set(pair.phenomena) & set(HELD_OUT_TAGS)
        else:
            assert name in pair.phenomena, (label, pair.phenomena)
        tags |= set(pair.phenomena)
    assert set(PHENOMENA) <= tags


def test_alignment_matrix_has_one_mark_per_link_and_french_rows():
    pair = cv.example_pair("contraction: you go to the museum")  # tu vas au musée .
    m = cv.alignment_matrix(pair)
    assert m.shape == (len(pair.tgt_tokens), len(pair.src_tokens)) and m.sum() == len(pair.alignment)
    au = pair.tgt_tokens.index("au")
    assert m[au].tolist() == [0, 0, 1, 1, 0, 0]  # "to the" -> "au": one row, two marks
    with pytest.raises(ValueError, match="no gold alignment"):
        cv.alignment_matrix(Pair("a b", "c d"))


def test_crossing_links_are_where_the_order_changes():
    assert cv.crossing_links(cv.example_pair("adjective order: the black cat sees the dog")) == {(1, 2), (2, 1)}
    assert cv.crossing_links(cv.example_pair("contraction: you go to the museum")) == set()


def test_alignment_figure_draws_crossing_links_in_red_and_the_matrix():
    fig = cv.alignment_figure("adjective order: the black cat sees the dog")
    lines = [t for t in fig.data if t.type == "scatter" and t.mode == "lines"]
    assert len(lines) == 7 and sum(t.line.color == cv.CROSS_COLOR for t in lines) == 2
    heat = [t for t in fig.data if t.type == "heatmap"][0]
    assert heat.z[1][2] == 1 and heat.z[2][1] == 1 and heat.z[1][1] == 0  # chat <- cat, noir <- black
    assert list(fig.layout.yaxis2.ticktext)[:3] == ["le", "chat", "noir"]
    static, states = Demo(cv.alignment_figure, Param("example", list(cv.EXAMPLES))).static()
    assert len(states["params"][0]["values"]) == len(cv.EXAMPLES) and not states["params"][0]["slider"]


def test_unknown_examples_and_sentences_get_clear_messages():
    with pytest.raises(ValueError, match="unknown example"):
        cv.alignment_figure("nonsense")
    with pytest.raises(ValueError, match="not an English sentence of the test split"):
        cv.find_pair("the zebra flies to the moon .", "test")


# -- the splits ------------------------------------------------------------------------------------

def test_held_out_tags_occur_only_in_the_generalisation_split():
    splits = cv.all_splits()
    train, gen = cv.phenomenon_shares(splits["train"]), cv.phenomenon_shares(splits["generalisation"])
    for tag in HELD_OUT_TAGS:
        assert train[tag] == 0 and gen[tag] >= 0.15  # each reason is at least a sixth of the split
    assert train["gender"] > 0.5
    with pytest.raises(ValueError, match="no pairs"):
        cv.phenomenon_shares([])


def test_phenomena_and_length_figures_compare_the_splits():
    fig = cv.phenomena_figure()
    assert [t.name.split()[0] for t in fig.data] == ["train", "test", "generalisation"]
    assert len(fig.data[0].y) == len(PHENOMENA) + len(HELD_OUT_TAGS)
    lengths = {t.name: list(t.x) for t in cv.length_figure().data}
    assert max(lengths["train"]) == max(lengths["test"]) == MAX_TRAIN_LENGTH
    assert max(lengths["generalisation"]) > MAX_TRAIN_LENGTH


# -- batches and masks ----------------------------------------------------------------------------

def test_the_vocabularies_are_the_ones_built_from_the_training_split():
    train = load_split("train")
    assert cv.vocabularies() == (Vocab.build(p.src for p in train), Vocab.build(p.tgt for p in train))


def test_example_batch_is_teacher_forcing_with_padding():
    batch = cv.example_batch()
    src_vocab, tgt_vocab = cv.vocabularies()
    assert [p.src for p in batch.pairs] == list(cv.BATCH_SENTENCES)
    assert (batch.tgt_in[:, 0] == tgt_vocab.bos_id).all()
    for b, n in enumerate(batch.tgt_lengths.tolist()):
        assert batch.tgt_out[b, n - 1] == tgt_vocab.eos_id
        assert torch.equal(batch.tgt_in[b, 1:n], batch.tgt_out[b, :n - 1])  # shifted by one
        assert (batch.tgt_in[b, n:] == 0).all() and (batch.tgt_out[b, n:] == 0).all()
    assert len(set(batch.src_lengths.tolist())) > 1  # different lengths: some rows are padded


def test_batch_figure_shows_the_three_tensors_with_padding_greyed():
    batch = cv.example_batch()
    fig = cv.batch_figure(batch)
    assert len(fig.data) == 3
    for trace, ids in zip(fig.data, (batch.src, batch.tgt_in, batch.tgt_out)):
        kinds = torch.tensor(trace.z)
        assert kinds.shape == ids.shape and torch.equal(kinds == 0, ids == 0)
    assert "‹bos›" in fig.data[1].text[0][0]


def test_masks_are_the_ones_the_model_builds():
    batch = cv.example_batch()
    src_vocab, tgt_vocab = cv.vocabularies()
    model = Transformer(ModelConfig.preset("tiny", src_vocab_size=len(src_vocab), tgt_vocab_size=len(tgt_vocab)))
    src_mask, tgt_mask = model.source_mask(batch.src), model.target_mask(batch.tgt_in)
    s, t = batch.src.shape[1], batch.tgt_in.shape[1]
    for row in range(len(batch)):
        masks = cv.masks_for_row(batch, row)
        assert torch.equal(masks["encoder self"], src_mask[row, 0].expand(s, s))
        assert torch.equal(masks["decoder self"], tgt_mask[row, 0])
        assert torch.equal(masks["cross"], src_mask[row, 0].expand(t, s))
    with pytest.raises(ValueError, match="rows 0..3"):
        cv.masks_for_row(batch, 4)


def test_mask_figure_hides_exactly_the_padding_columns():
    batch = cv.example_batch()
    fig = cv.mask_figure(1, batch)  # "she is sad ." is padded
    enc, dec, cross = (torch.tensor(t.z) for t in fig.data)
    n_pad = int((batch.src[1] == 0).sum())
    assert n_pad > 0 and (enc[:, -n_pad:] == 0).all() and (enc[:, :-n_pad] == 1).all()
    assert torch.equal(dec, torch.tril(dec))  # causal: nothing above the diagonal
    assert re.search(r"\d ‹pad› in src", fig.layout.title.text)
    assert "does not exist" in Demo(cv.mask_figure, Param("row", [7])).figure().layout.annotations[0].text
