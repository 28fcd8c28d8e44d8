"""Training, checkpoints, decoding and scoring of the translator, on the tiny preset and small data."""

import os
import subprocess
import sys

import pytest
import torch

from attnlib.translation.checkpoint import CheckpointError, load_checkpoint, save_checkpoint
from attnlib.translation.corpus import load_split
from attnlib.translation.decoding import beam_search, greedy_decode, max_target_length
from attnlib.translation.evaluate import evaluate
from attnlib.translation.train import TRAIN_PRESETS, lr_at, train
from attnlib.translation.translator import LENGTH_MARGIN, Translator
from attnlib.translation.vocab import QUOTE_MAX_CHARS, QUOTE_MAX_WORDS, quoted_words

TRAIN = load_split("train")[:400]
VALID = load_split("valid")[:20]
CFG = TRAIN_PRESETS["tiny"].replace(steps=12, eval_every=6, eval_pairs=10, batch_size=16)


def small_train(**kwargs):
    return train(CFG, train_pairs=TRAIN, valid_pairs=VALID, device="cpu", progress=False, **kwargs)


def test_warmup_schedule_rises_linearly_then_decays():
    cfg = TRAIN_PRESETS["cpu"]
    lrs = [lr_at(s, cfg) for s in range(1, 2000)]
    peak = max(range(len(lrs)), key=lrs.__getitem__) + 1
    assert peak == cfg.warmup and lrs[peak - 1] == pytest.approx(cfg.lr)
    assert lr_at(cfg.warmup // 2, cfg) == pytest.approx(cfg.lr / 2)
    assert lr_at(4 * cfg.warmup, cfg) == pytest.approx(cfg.lr / 2)  # 1/√step decay


def test_resumed_training_ends_with_the_same_weights_as_an_uninterrupted_run(tmp_path):
    full = small_train()
    half = small_train(out=tmp_path / "half.pt", stop_at=6)
    assert half.steps == 6 and half.checkpoint == tmp_path / "half-unfinished.pt"
    resumed = small_train(resume=half.checkpoint)
    assert resumed.steps == 12
    a, b = full.translator.model.state_dict(), resumed.translator.model.state_dict()
    assert all(torch.equal(a[k], b[k]) for k in a)
    assert [h["loss"] for h in full.history] == [h["loss"] for h in resumed.history]


def test_checkpoints_are_written_atomically_and_load_safely(tmp_path):
    result = small_train(out=tmp_path / "t.pt", save_optimizer=False)
    assert [p.name for p in tmp_path.iterdir()] == ["t.pt"]  # no temporary file left behind
    payload = load_checkpoint(tmp_path / "t.pt")
    assert payload["optimizer"] is None and payload["meta"]["steps"] == 12
    loaded = Translator.load(tmp_path / "t.pt", device="cpu")
    src = loaded.source_ids("the cat sees the dog")
    assert torch.equal(greedy_decode(loaded.model, src), greedy_decode(result.translator.model.eval(), src))
    with pytest.raises(CheckpointError, match="without optimizer state"):
        small_train(resume=tmp_path / "t.pt")


def test_missing_truncated_and_mismatched_checkpoints_get_clear_messages(tmp_path):
    with pytest.raises(CheckpointError, match="no checkpoint at .*make translator"):
        Translator.load(tmp_path / "nope.pt")
    small_train(out=tmp_path / "t.pt")
    data = (tmp_path / "t.pt").read_bytes()
    (tmp_path / "cut.pt").write_bytes(data[: len(data) // 2])
    with pytest.raises(CheckpointError, match="truncated"):
        Translator.load(tmp_path / "cut.pt")
    (tmp_path / "text.pt").write_text("hello")
    with pytest.raises(CheckpointError, match="not a readable checkpoint"):
        Translator.load(tmp_path / "text.pt")
    payload = load_checkpoint(tmp_path / "t.pt")
    payload["model_config"]["d_model"] = 64  # a model of another size
    save_checkpoint(tmp_path / "other.pt", {k: v for k, v in payload.items() if k != "format"})
    with pytest.raises(CheckpointError, match="does not fit this model"):
        Translator.load(tmp_path / "other.pt")
    with pytest.raises(CheckpointError, match="another configuration"):
        train(CFG.replace(lr=1.0), train_pairs=TRAIN, valid_pairs=VALID, resume=tmp_path / "t.pt", progress=False)


@pytest.mark.slow
def test_distributed_training_on_two_cpu_processes_trains_one_model(tmp_path):
    out = tmp_path / "ddp.pt"
    env = dict(os.environ, OMP_NUM_THREADS="1")
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2",
           "-m", "attnlib.translation", "train", "--preset", "tiny", "--steps", "6", "--batch-size", "8",
           "--out", str(out), "--no-progress", "--score"]
    run = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    meta = load_checkpoint(out)["meta"]
    assert meta["world_size"] == 2 and meta["steps"] == 6
    first, second = meta["rank_checksums"]
    assert first == second  # the two processes hold identical weights


def test_shipped_checkpoint_loads_and_scores_as_recorded(shipped):
    recorded = shipped.meta["scores"]["test"]
    scores = evaluate(shipped, load_split("test"), "test")
    assert scores.bleu >= 95
    assert scores.bleu == pytest.approx(recorded["bleu"], abs=0.01)
    assert scores.chrf == pytest.approx(recorded["chrf"], abs=0.01)
    assert set(scores.per_phenomenon) >= {"negation", "contraction", "adjective_order", "gender"}


def test_the_shipped_checkpoints_history_ends_well_trained(shipped):
    final = shipped.meta["history"][-1]
    assert final["step"] == shipped.meta["steps"] and final["valid_bleu"] > 90


def test_incremental_decoding_gives_the_same_translation_as_recomputing(shipped):
    texts = [p.src for p in load_split("test")[:32]]
    rows = [shipped.src_vocab.encode(t) for t in texts]
    src = torch.zeros(len(rows), max(map(len, rows)), dtype=torch.long)
    for i, r in enumerate(rows):
        src[i, : len(r)] = torch.tensor(r)
    assert torch.equal(greedy_decode(shipped.model, src, use_cache=True), greedy_decode(shipped.model, src, use_cache=False))


def test_beam_search_with_the_cache_finds_the_same_hypotheses_as_recomputing(shipped):
    for pair in load_split("test")[:8]:
        src = shipped.source_ids(pair.src)
        cached = beam_search(shipped.model, src, beam_size=3, use_cache=True)
        recomputed = beam_search(shipped.model, src, beam_size=3, use_cache=False)
        assert [h.ids for h in cached] == [h.ids for h in recomputed]
        assert [h.log_prob for h in cached] == pytest.approx([h.log_prob for h in recomputed], abs=1e-4)


def test_translations_of_the_running_examples(shipped):
    assert shipped.translate("the black cat sees the dog").text == "le chat noir voit le chien ."
    assert shipped.translate("The cat sat on the mat.", beam_size=4).text == "le chat était assis sur le tapis ."
    beams = beam_search(shipped.model, shipped.source_ids("the black cat sees the dog"), beam_size=3)
    assert len(beams) == 3 and beams[0].score(0.6) >= beams[-1].score(0.6)


@pytest.mark.parametrize("text, match", [
    ("", "empty"),
    ("   ", "empty"),
    ("the cat sees the zebroid", "'zebroid'"),
    ("the cat " * 40, "at most"),
])
def test_bad_input_to_translate_gets_a_friendly_message(shipped, text, match):
    with pytest.raises(ValueError, match=match):
        shipped.translate(text)


def test_the_translator_reads_up_to_twice_its_longest_training_sentence_and_says_so(shipped):
    longest = max(len(p.src.split()) for p in load_split("train"))
    assert shipped.meta["longest_source_words"] == longest
    assert shipped.max_words == min(LENGTH_MARGIN * longest, shipped.model.cfg.max_len - 1)
    assert shipped.max_words >= max(len(p.src.split()) for p in load_split("generalisation"))  # what the book measures
    words = ("the cat sees the dog and " * 20).split()
    # the longest accepted sentence is read and decoded within the position table; whether the model finds the
    # end of so long and repetitive a sentence is the model's business (the shipped one loops), not the limit's
    longest_read = shipped.translate(" ".join(words[: shipped.max_words]))
    assert len(longest_read.target) <= max_target_length(shipped.model)
    assert longest_read.text.startswith("le chat voit le chien et ")
    with pytest.raises(ValueError) as refused:
        shipped.translate(" ".join(words[: shipped.max_words + 1]))
    assert str(refused.value).startswith(f"the sentence has {shipped.max_words + 1} words; this translator reads at "
                                         f"most {shipped.max_words} ({LENGTH_MARGIN}× the longest sentence it was "
                                         f"trained on, {longest} words)")


def test_a_checkpoint_that_does_not_record_its_longest_sentence_is_limited_by_its_position_table(shipped):
    older = Translator(shipped.model, shipped.src_vocab, shipped.tgt_vocab, {})
    assert older.max_words == shipped.model.cfg.max_len - 1
    with pytest.raises(ValueError, match=r"reads at most 63 \(the length of its position table\)"):
        older.source_ids("the cat " * 40)


def test_training_records_its_longest_sentence():
    result = small_train()
    assert result.meta["longest_source_words"] == max(len(p.src.split()) for p in TRAIN)


def test_messages_cut_long_words_and_count_the_rest():
    assert quoted_words(["cow", "moon", "cow"]) == "'cow', 'moon'"
    assert quoted_words(["x" * 200]) == "'" + "x" * (QUOTE_MAX_CHARS - 1) + "…'"
    many = [f"w{i}" for i in range(QUOTE_MAX_WORDS + 3)]
    assert quoted_words(many).endswith("'w5' and 3 more") and quoted_words(many).count("'") == 2 * QUOTE_MAX_WORDS


def test_command_line_tools_say_what_is_wrong(tmp_path):
    run = subprocess.run([sys.executable, "-m", "attnlib.translation", "translate", "--checkpoint", str(tmp_path / "x.pt"), "hi"],
                         capture_output=True, text=True)
    assert run.returncode == 1 and "no checkpoint" in run.stderr and "Traceback" not in run.stderr


def test_the_command_line_names_its_commands_when_given_an_unknown_one(capsys):
    from attnlib.translation.__main__ import COMMANDS, main

    assert main(["nope"]) == 2
    err = capsys.readouterr().err
    assert "unknown command 'nope'" in err and all(c in err for c in COMMANDS) and "Traceback" not in err
    assert main(["--help"]) == 0 and main([]) == 2


# -- nothing dropped or invented without a word ------------------------------------------------------

def test_several_sentences_are_refused_rather_than_half_translated(shipped, capsys):
    from attnlib.translation.translator import main

    with pytest.raises(ValueError, match="the text holds 2 sentences; this translator reads one sentence at a time"):
        shipped.translate("the cat sees the dog . the dog sees the cat .")
    for one in ("the cat sees the dog .", "the cat sees the dog . ."):
        assert shipped.translate(one).target[-1] == "<eos>", one  # punctuation alone starts no sentence
    assert main(["the cat sees the dog . the dog sees the cat ."]) == 1
    assert capsys.readouterr().err.startswith("error: the text holds 2 sentences")


def test_a_translation_cut_at_the_length_limit_says_so(shipped, monkeypatch, capsys):
    from attnlib.translation import translator as module

    limit = shipped.model.cfg.max_len - 1
    endless = lambda model, src: torch.full((1, limit), shipped.tgt_vocab.stoi["et"])  # never an <eos>
    monkeypatch.setattr(module, "greedy_decode", endless)
    result = shipped.translate("the cat and the dog")
    assert result.cut and len(result.target) == limit
    assert module.main(["the cat and the dog"]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("et et") and f"note: the translation reached the limit of {limit} tokens" in err
    monkeypatch.undo()
    assert not shipped.translate("the cat and the dog").cut


def test_the_sentence_can_come_from_the_environment_untouched(shipped, monkeypatch, capsys):
    from attnlib.translation.translator import main

    monkeypatch.setenv("ATTN_TEXT", "the cat sees the dog")
    assert main(["--from-env", "ATTN_TEXT"]) == 0
    assert capsys.readouterr().out == "le chat voit le chien .\n"
    for argv, message in ((["--from-env", "NOPE_NOT_SET"], "no such environment variable"),
                          (["--from-env", "ATTN_TEXT", "and", "words"], "not both")):
        with pytest.raises(SystemExit):
            main(argv)
        assert message in capsys.readouterr().err


@pytest.mark.slow  # make and a translator in a subprocess, twice
@pytest.mark.parametrize("text, quoted", [
    ("x\" ; echo INJECTED ; echo \"", "'x', '\"', ';', 'echo', 'injected'"),
    ("the cat $(echo hi) sees `id` $$HOME", "'$', '(', 'echo', 'hi', ')'"),
])
def test_make_translate_hands_the_text_over_as_typed(text, quoted):
    """No shell re-reads TEXT, and make does not expand it: the translator sees exactly what was typed."""
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    run = subprocess.run(["make", "--no-print-directory", "-o", ".venv/.installed", "translate", f"TEXT={text}",
                          f"PY={sys.executable}"], cwd=root, capture_output=True, text=True, timeout=120)
    assert "INJECTED" not in run.stdout  # the echo never ran
    assert f"unknown word(s) {quoted}" in run.stderr, run.stderr


def test_evaluate_says_in_one_line_what_is_wrong_with_a_split(tmp_path, monkeypatch, capsys):
    import functools

    from attnlib.translation import evaluate as command
    from attnlib.translation.corpus import CORPUS_DIR

    monkeypatch.setattr(command, "load_split", functools.partial(load_split, corpus_dir=tmp_path))
    (tmp_path / "test.tsv").write_bytes((CORPUS_DIR / "test.tsv").read_bytes()[:8192])  # cut mid-line
    (tmp_path / "valid.tsv").mkdir()
    (tmp_path / "generalisation.tsv").write_bytes(b"one column only\n")
    for split, message in (("test", "the file ends in the middle of this line"), ("valid", "is a directory"),
                           ("generalisation", "fewer than 2 tab-separated columns"), ("train", "no sentence-pair file")):
        assert command.main(["--split", split]) == 1
        err = capsys.readouterr().err
        assert err.startswith("error: ") and message in err and "Traceback" not in err, (split, err)


def test_an_unfinished_checkpoint_says_so_when_used_and_the_book_refuses_it(shipped, tmp_path, capsys):
    from attnlib.book.sphinxext import UnfinishedModel, check_finished
    from attnlib.translation.translator import main

    payload = {k: v for k, v in load_checkpoint(shipped_path()).items() if k != "format"}
    payload["meta"] = {**payload["meta"], "interrupted": True, "steps": 82}
    save_checkpoint(tmp_path / "translator-unfinished.pt", payload)
    assert main(["--checkpoint", str(tmp_path / "translator-unfinished.pt"), "the cat"]) == 0
    assert "is an unfinished run (stopped at step 82)" in capsys.readouterr().err
    check_finished(shipped)  # the shipped one is finished
    with pytest.raises(UnfinishedModel, match="stopped at step 82"):
        check_finished(Translator.load(tmp_path / "translator-unfinished.pt", device="cpu"))


def shipped_path():
    from attnlib.paths import DEFAULT_CHECKPOINT

    return DEFAULT_CHECKPOINT
