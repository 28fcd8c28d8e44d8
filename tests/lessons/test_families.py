"""One block, three families: the masks are the models' own, the book's sizes are its checkpoints', and the
published sizes agree with the shapes the papers give."""

import pytest
import torch

from attnlib.figures.families import masks_figure
from attnlib.lessons.families import FAMILIES, PUBLISHED, block_weights, book_models, family_masks
from attnlib.lm.trained import TrainedLM
from attnlib.model.config import LMConfig, ModelConfig
from attnlib.model.language_model import CausalLM, MaskedLM
from attnlib.model.transformer import Transformer
from attnlib.paths import DEFAULT_CHECKPOINT, LM_CHECKPOINTS
from attnlib.translation.translator import Translator

ENGLISH, FRENCH = "the cat sees the dog .".split(), "le chat voit le chien noir .".split()


def test_the_masks_are_the_ones_the_models_build():
    masks = family_masks(ENGLISH, FRENCH)
    ids = torch.arange(1, len(ENGLISH) + 1)[None]  # (1, S): no padding
    s, t = len(ENGLISH), len(FRENCH)
    bert, gpt = MaskedLM(LMConfig.preset("tiny", vocab_size=16)), CausalLM(LMConfig.preset("tiny", vocab_size=16))
    assert torch.equal(masks["encoder only (BERT)"][2], bert.mask(ids)[0, 0].expand(s, s))
    assert torch.equal(masks["decoder only (GPT)"][2], gpt.mask(ids)[0, 0])
    translator = Transformer(ModelConfig.preset("tiny"))
    assert torch.equal(masks["encoder-decoder, cross-attention"][2], translator.source_mask(ids)[0, 0].expand(t, s))
    queries, keys, _ = masks["encoder-decoder, cross-attention"]
    assert (queries, keys) == (FRENCH, ENGLISH)
    with pytest.raises(ValueError, match="a sentence on each side"):
        family_masks([], FRENCH)


def test_the_masks_figure_ticks_exactly_the_allowed_cells():
    fig = masks_figure(ENGLISH, FRENCH)
    ticks = [sum(cell == "✓" for row in trace.text for cell in row) for trace in fig.data]
    n = len(ENGLISH)
    assert ticks == [n * n, n * (n + 1) // 2, len(FRENCH) * n]
    assert [a.text for a in fig.layout.annotations][:2] == ["encoder only (BERT)", "decoder only (GPT)"]


def test_the_book_models_are_counted_from_the_shipped_checkpoints():
    bert, gpt, translator = book_models()
    for size, kind in ((bert, "masked"), (gpt, "causal")):
        lm = TrainedLM.load(LM_CHECKPOINTS[kind], kind=kind, device="cpu")
        assert size.parameters == sum(p.numel() for p in lm.model.parameters()) == lm.meta["parameters"]
        assert size.vocabulary == len(lm.vocab) == lm.model.cfg.vocab_size
        assert (size.layers, size.d_model, size.n_heads, size.context) == (
            (lm.model.cfg.n_layers,), lm.model.cfg.d_model, lm.model.cfg.n_heads, lm.model.cfg.max_len)
    shipped = Translator.load(DEFAULT_CHECKPOINT, device="cpu")
    assert translator.parameters == sum(p.numel() for p in shipped.model.parameters())
    assert translator.vocabulary == shipped.model.cfg.src_vocab_size + shipped.model.cfg.tgt_vocab_size
    assert translator.layers == (shipped.model.cfg.n_encoder_layers, shipped.model.cfg.n_decoder_layers)
    # the tied head is one matrix: the two language models differ only by <mask>'s row and its bias
    assert bert.parameters - gpt.parameters == bert.d_model + 1


def test_block_weights_count_the_blocks_weight_matrices_exactly():
    bert, gpt, translator = book_models()
    for size, model in ((bert, TrainedLM.load(kind="masked", device="cpu").model),
                        (translator, Translator.load(device="cpu").model)):
        matrices = sum(p.numel() for name, p in model.named_parameters() if ".layers." in name and p.dim() == 2)
        assert block_weights(size) == matrices
    assert block_weights(PUBLISHED[0]) == 12 * 12 * 768**2  # 12·L·d² when d_ff = 4d


@pytest.mark.parametrize("size", PUBLISHED, ids=lambda s: s.name)
def test_the_published_counts_agree_with_the_shapes_the_papers_give(size):
    """Blocks plus one embedding table land within 4 % of each paper's count: the cited numbers hang together."""
    estimate = block_weights(size) + (size.vocabulary or 0) * size.d_model
    assert abs(estimate - size.parameters) / size.parameters < 0.04
    assert size.d_model % size.n_heads == 0 and size.source


def test_every_family_has_a_mask_an_objective_and_a_use():
    assert [f.name for f in FAMILIES] == ["encoder only", "decoder only", "encoder-decoder"]
    assert {s.family for s in PUBLISHED + book_models()} == {f.name for f in FAMILIES}
    assert all(f.mask and f.objective and f.used_for for f in FAMILIES)


def test_the_book_berts_training_is_read_from_its_checkpoint_and_the_corpus():
    from attnlib.lessons.families import BERT_BASE_TRAINING, book_bert_training
    from attnlib.lm.data import english

    ours = book_bert_training()
    meta = TrainedLM.load(kind="masked", device="cpu").meta
    assert ours.seconds == meta["train_seconds"] and ours.hardware == meta["hardware"]
    sentences = english("train")
    assert ours.words == sum(len(s.split()) for s in sentences) - sum(s.split().count(".") for s in sentences)
    assert BERT_BASE_TRAINING.words == 800_000_000 + 2_500_000_000 and BERT_BASE_TRAINING.seconds == 4 * 86400
