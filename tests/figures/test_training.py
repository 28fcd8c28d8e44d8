"""The training chapter: label smoothing, the schedule, training curves, scores, mistakes."""

import math

import pytest
import torch
from torch import nn

from attnlib.model.config import ModelConfig
from attnlib.translation.corpus import Pair
from attnlib.book.demo import Demo, Param
from attnlib.figures import corpus as corpus_figures
from attnlib.figures import training as tv
from attnlib.model.transformer import Transformer
from attnlib.lessons.smoothing import best_confidence, smoothed_cross_entropy, smoothed_targets, target_entropy
from attnlib.translation.train import TRAIN_PRESETS, BatchStream, lr_at, train


# -- label smoothing ---------------------------------------------------------------------------

def test_smoothed_targets_match_torch_cross_entropy():
    logits = torch.randn(6, 9)
    targets = torch.tensor([3, 0, 8, 1, 0, 4])
    q = smoothed_targets(targets, 9, 0.2)
    assert torch.allclose(q[targets != 0].sum(-1), torch.ones(4)) and (q[targets == 0] == 0).all()
    assert math.isclose(q[0, 3].item(), 1 - 0.2 + 0.2 / 9, rel_tol=1e-6) and math.isclose(q[0, 0].item(), 0.2 / 9, rel_tol=1e-6)
    expected = nn.CrossEntropyLoss(ignore_index=0, label_smoothing=0.2)(logits, targets)
    assert torch.allclose(smoothed_cross_entropy(logits, targets, 0.2), expected)


def test_the_entropy_floor_is_the_loss_of_a_model_that_predicts_the_target():
    V, eps = 50, 0.1
    q = smoothed_targets([7], V, eps, pad_id=None)
    assert math.isclose(smoothed_cross_entropy(q.log(), torch.tensor([7]), eps).item(), target_entropy(V, eps),
                        rel_tol=1e-5)
    sharper = torch.zeros(1, V)
    sharper[0, 7] = 20.0  # more confident than q: a higher loss
    assert smoothed_cross_entropy(sharper, torch.tensor([7]), eps).item() > target_entropy(V, eps)
    assert target_entropy(V, 0.0) == pytest.approx(0.0, abs=1e-6)


@pytest.mark.parametrize("kwargs, match", [
    (dict(targets=[1], vocab_size=1, epsilon=0.1), "at least 2"),
    (dict(targets=[1], vocab_size=5, epsilon=1.0), r"\[0, 1\)"),
    (dict(targets=[9], vocab_size=5, epsilon=0.1), "0..4"),
])
def test_smoothed_targets_reject_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        smoothed_targets(**kwargs)


@pytest.mark.parametrize("eps", [0.05, 0.1, 0.4])
def test_smoothed_loss_is_smallest_at_the_smoothed_confidence(eps):
    V = len(tv.TOY_VOCAB)
    ps = [k / 2000 for k in range(600, 2000)]
    losses = tv.smoothed_loss_curve(ps, V, eps)
    best = ps[min(range(len(ps)), key=losses.__getitem__)]
    assert best == pytest.approx(best_confidence(V, eps), abs=1e-3)


def test_label_smoothing_figure_shows_the_target_and_the_minimum():
    fig = tv.label_smoothing_figure(0.1)
    bars, curve, marker = fig.data
    V = len(tv.TOY_VOCAB)
    assert bars.y[list(bars.x).index("chat")] == pytest.approx(0.9 + 0.1 / V, abs=1e-4)
    assert bars.y[0] == pytest.approx(0.1 / V, abs=1e-4)  # even <pad> gets its share (PyTorch's convention)
    assert marker.x[0] == pytest.approx(best_confidence(V, 0.1))
    plain = tv.label_smoothing_figure(0.0).data[1]
    assert list(plain.y) == sorted(plain.y, reverse=True)  # no smoothing: the loss only falls toward p = 1
    assert "ε = 1" in Demo(tv.label_smoothing_figure, Param("epsilon", [1.0])).figure().layout.annotations[0].text


# -- the schedule ---------------------------------------------------------------------------------

def test_schedule_peaks_at_the_end_of_warm_up_and_halves_at_four_times_it():
    lrs = tv.schedule(100, 2e-3, 1000)
    assert max(lrs) == pytest.approx(2e-3) and lrs.index(max(lrs)) == 99  # step 100
    assert lrs[399] == pytest.approx(1e-3)  # step 400 = 4 × warm-up
    assert all(a < b for a, b in zip(lrs[:99], lrs[1:100])) and all(a > b for a, b in zip(lrs[100:], lrs[101:]))
    with pytest.raises(ValueError, match="at least 1 step"):
        tv.schedule(0, 1e-3)
    with pytest.raises(ValueError, match="peak learning rate"):
        tv.schedule(10, 0.0)


def test_schedule_figure_defaults_to_the_cpu_preset_and_its_demo_stays_small():
    preset = TRAIN_PRESETS["cpu"]
    fig = tv.schedule_figure()
    reference, mine, peak = fig.data
    assert list(mine.y) == list(reference.y) and peak.x[0] == preset.warmup and peak.y[0] == preset.lr
    assert preset.warmup in tv.warmup_values() and preset.lr in tv.peak_values()
    assert len(tv.warmup_values()) * len(tv.peak_values()) <= 60
    other = tv.schedule_figure(25, 3e-3)
    assert other.data[2].x[0] == 25 and max(other.data[1].y) == pytest.approx(3e-3)


# -- curves, scores, mistakes -------------------------------------------------------------------------

HISTORY = [{"step": 50, "loss": 5.0, "valid_bleu": 1.0, "train_seconds": 9.0},
           {"step": 100, "loss": 3.0, "valid_bleu": 20.0, "train_seconds": 18.0}]


def test_history_figure_plots_loss_and_bleu_against_step():
    fig = tv.history_figure(HISTORY, "run")
    loss, bleu = fig.data
    assert list(loss.x) == [50, 100] and list(loss.y) == [5.0, 3.0] and list(bleu.y) == [1.0, 20.0]
    assert list(loss.customdata) == [9.0, 18.0]
    with pytest.raises(ValueError, match="empty"):
        tv.history_figure([])


def test_live_curve_is_off_in_the_book_build_and_redraws_live(monkeypatch):
    monkeypatch.setenv("ATTN_BOOK_BUILD", "1")
    assert tv.live_curve() is None
    monkeypatch.setenv("ATTN_BOOK_BUILD", "0")
    curve = tv.live_curve("live")
    curve(HISTORY[:1], None)  # as train() calls it: the history, then the translator
    first = curve.figure.last
    curve(HISTORY)
    assert [first.layout.title.text, curve.figure.last.layout.title.text] == ["live: step 50", "live: step 100"]
    assert curve.figure.last.layout.height == first.layout.height  # redrawn in place, the same size


def test_phenomenon_figure_has_a_bar_group_per_split():
    fig = tv.phenomenon_figure({"test": {"gender": 0.9}, "generalisation": {"gender": 0.5, "held_out_length": 0.1}})
    test, gen = fig.data
    assert list(test.y) == ["gender", "held_out_length"] and list(test.x) == [90.0, 0]
    assert list(gen.x) == [50.0, 10.0]
    # a split without such pairs says so, where a 0% bar would look the same
    assert list(test.text) == ["90%", "no pairs"] and list(gen.text) == ["50%", "10%"]
    with pytest.raises(ValueError, match="no scores"):
        tv.phenomenon_figure({})


PAIRS = [Pair("a", "x y z ."), Pair("b", "u v ."), Pair("c c", "s t ."), Pair("d", "p q .")]


def test_wrong_translations_and_mistake_kinds():
    hyps = ["x y .", "u v .", "t s .", "p qq ."]
    assert tv.wrong_translations(PAIRS, hyps, n=5) == [("a", "x y z .", "x y ."), ("d", "p q .", "p qq ."),
                                                         ("c c", "s t .", "t s .")]
    assert tv.mistake_counts(PAIRS, hyps) == {"word ending": 0, "word order": 1, "word missing": 1,
                                              "words added": 0, "other words": 1}
    assert tv.mistake_kind("huit filles sont heureuses .", "huit filles sont heureux .") == "word ending"
    assert tv.mistake_kind("a b .", "a b c .") == "words added"
    with pytest.raises(ValueError, match="right"):
        tv.mistake_kind("a .", "a .")
    with pytest.raises(ValueError, match="4 pairs but 1"):
        tv.wrong_translations(PAIRS, ["x"])


class _FakeTranslator:
    def __init__(self, parameters, device="cpu"):
        self.model = type("M", (), {"num_parameters": lambda self: parameters})()
        self.device = torch.device(device)


def test_large_models_on_the_cpu_are_scored_on_a_seeded_sample():
    pairs = [Pair(f"s{i}", f"t{i}") for i in range(1000)]
    assert tv.pairs_to_score(pairs, _FakeTranslator(1_000_000)) == pairs
    sample = tv.pairs_to_score(pairs, _FakeTranslator(30_000_000))
    assert len(sample) == tv.SCORING_SAMPLE and sample == tv.pairs_to_score(pairs, _FakeTranslator(30_000_000))
    assert [pairs.index(p) for p in sample] == sorted(pairs.index(p) for p in sample)  # file order kept
    assert tv.pairs_to_score(pairs[:100], _FakeTranslator(30_000_000)) == pairs[:100]
    assert tv.pairs_to_score(pairs, _FakeTranslator(30_000_000, "cuda")) == pairs  # a GPU scores everything


def test_mark_difference_brackets_the_first_wrong_word():
    assert tv.first_difference("il ne l' aime pas .", "il n' aime pas .") == 1
    assert tv.mark_difference("il ne l' aime pas .", "il n' aime pas .") == "il [n'] aime pas ."
    assert tv.mark_difference("a b c .", "a b") == "a b [… stops early]"
    assert tv.first_difference("a b", "a b") == 2


# -- the training loop the chapter writes out is the library's -----------------------------------------

def test_inline_training_loop_equals_the_library():
    pairs = list(corpus_figures.split_pairs("train"))[:400]
    cfg = TRAIN_PRESETS["tiny"].replace(steps=4, eval_every=4, eval_pairs=2)
    torch.manual_seed(cfg.seed)
    from attnlib.translation.vocab import build_vocabs
    src_vocab, tgt_vocab = build_vocabs(pairs)
    model = Transformer(ModelConfig.preset(cfg.model, src_vocab_size=len(src_vocab), tgt_vocab_size=len(tgt_vocab)))
    optimizer = torch.optim.Adam(model.parameters(), lr=cfg.lr, betas=(0.9, 0.98), eps=1e-9, fused=True)
    loss_fn = nn.CrossEntropyLoss(ignore_index=0, label_smoothing=cfg.label_smoothing)
    batches = BatchStream(pairs, src_vocab, tgt_vocab, cfg)
    model.train()
    for step in range(cfg.steps):
        for group in optimizer.param_groups:
            group["lr"] = lr_at(step + 1, cfg)
        torch.manual_seed(cfg.seed * 1_000_003 + step)
        b = batches(step)
        loss = loss_fn(model(b.src, b.tgt_in).flatten(0, 1), b.tgt_out.flatten())
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), cfg.clip)
        optimizer.step()
    run = train(cfg, train_pairs=pairs, valid_pairs=pairs[:2], progress=False, device="cpu")
    for mine, theirs in zip(model.parameters(), run.translator.model.parameters()):
        assert torch.allclose(mine, theirs, atol=1e-5)
