"""python -m attnlib.lm train: every bad argument refused before any work, with a message that says what
to change; a run saved where make lm puts it; a new run that will not overwrite one that could be
continued; --resume that continues it; Ctrl-C that saves beside the shipped model, never over it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

import attnlib.lm.train_command as command
from attnlib.lm.__main__ import COMMANDS, main as lm_main
from attnlib.lm.train import LM_TRAIN_PRESETS, train
from attnlib.lm.trained import CHECKPOINT_KINDS
from attnlib.paths import LM_CHECKPOINTS
from attnlib.translation.checkpoint import load_checkpoint

FAST = ["--preset", "tiny", "--no-progress"]


def bad_arguments(tmp_path):
    a_file = tmp_path / "a-file"
    a_file.write_text("")
    return [
        ([], "the following arguments are required: --kind"),
        (["--kind", "gpt"], "argument --kind: invalid choice: 'gpt'"),
        (["--kind", "causal", "--preset", "huge"], "argument --preset: invalid choice: 'huge'"),
        (["--kind", "causal", "--steps", "0"], "steps must be a whole number of at least 1, got 0"),
        (["--kind", "masked", "--steps", "ten"], "argument --steps: invalid int value: 'ten'"),
        (["--kind", "causal", "--batch-size", "0"], "batch_size must be"),
        (["--kind", "causal", "--warmup", "0"], "warmup must be"),
        (["--kind", "causal", "--lr", "inf"], "lr must be a number above 0 and at most 1"),
        (["--kind", "causal", "--lr", "-1"], "lr must be a number above 0"),
        (["--kind", "causal", "--seed", str(2**32)], "seed must be a whole number from 0 to 2**32 - 1"),
        (["--kind", "causal", "--threads", "0"], "--threads must be a whole number of at least 1"),
        (["--kind", "causal", "--out", "/dev/null"], "/dev/null is a character device, not a file"),
        (["--kind", "causal", "--out", str(tmp_path)], "is a directory: give a file name, e.g. --out"),
        (["--kind", "causal", "--out", str(a_file / "x.pt")], "is a file, so nothing can be saved under it"),
        (["--kind", "causal", "--save-every", "0"], "--save-every must be at least 1"),
        (["--kind", "causal", "--device", "tpu"], "use cpu, cuda or cuda:N"),
        (["--kind", "masked", "--resume", str(tmp_path / "nope.pt")], "no such checkpoint"),
    ]


def test_every_bad_argument_is_refused_before_any_training(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(command, "train", lambda *a, **k: pytest.fail("training started despite a bad argument"))
    for argv, message in bad_arguments(tmp_path):
        out = [] if "--out" in argv else ["--out", str(tmp_path / "lm.pt")]
        with pytest.raises(SystemExit) as exit_:
            command.main([*FAST, *out, *argv])
        assert exit_.value.code == 2, argv
        err = capsys.readouterr().err
        assert message in err and "Traceback" not in err, (argv, err)


def test_the_default_outputs_are_the_shipped_files_in_the_data_folder():
    assert LM_CHECKPOINTS["causal"].name == "lm-causal.pt" and LM_CHECKPOINTS["masked"].name == "lm-masked.pt"
    assert LM_CHECKPOINTS["causal"].parent == LM_CHECKPOINTS["masked"].parent


def test_a_run_saves_slim_and_says_what_it_did(tmp_path, capsys):
    out = tmp_path / "lm.pt"
    assert command.main([*FAST, "--kind", "causal", "--steps", "4", "--out", str(out), "--slim", "--threads", "1"]) == 0
    said = capsys.readouterr().out
    assert said.startswith("trained the causal model 4 steps in ") and "1 thread" in said and str(out) in said
    payload = load_checkpoint(out, kind=CHECKPOINT_KINDS["causal"])
    assert payload["optimizer"] is None and payload["meta"]["threads"] == 1
    assert command.main([*FAST, "--kind", "causal", "--steps", "4", "--out", str(out)]) == 0  # slim: nothing to lose


def test_a_new_run_does_not_overwrite_one_that_could_be_continued_and_resume_continues_it(tmp_path, capsys):
    out = tmp_path / "lm.pt"
    cfg = LM_TRAIN_PRESETS["tiny"].replace(kind="masked")  # the command's own settings, so that it may continue
    train(cfg, out=out, stop_at=4, device="cpu", progress=False)  # as Ctrl-C leaves a run
    unfinished = tmp_path / "lm-unfinished.pt"
    assert unfinished.exists() and not out.exists()
    with pytest.raises(SystemExit):
        command.main([*FAST, "--kind", "masked", "--out", str(out)])
    err = capsys.readouterr().err
    assert f"{unfinished} holds a run that can be continued (step 4 of {cfg.steps})" in err
    assert "--resume" in err and "--force" in err
    assert command.main([*FAST, "--kind", "masked", "--out", str(out), "--resume", str(unfinished)]) == 0
    assert out.exists() and not unfinished.exists()
    assert load_checkpoint(out, kind=CHECKPOINT_KINDS["masked"])["step"] == cfg.steps


def test_the_command_line_names_its_commands(capsys):
    assert lm_main(["nope"]) == 2
    err = capsys.readouterr().err
    assert "unknown command 'nope'" in err and all(c in err for c in COMMANDS) and "Traceback" not in err
    assert lm_main(["--help"]) == 0 and lm_main([]) == 2


@pytest.mark.slow
def test_ctrl_c_saves_a_resumable_checkpoint_beside_the_model_and_never_over_it(tmp_path):
    out = tmp_path / "lm.pt"
    out.write_bytes(b"the shipped model")  # what a stopped run must leave as it was
    cmd = [sys.executable, "-m", "attnlib.lm", "train", "--kind", "masked", "--preset", "tiny", "--steps", "100000",
           "--out", str(out), "--save-every", "3", "--no-progress", "--force"]
    proc = subprocess.Popen(cmd, env=dict(os.environ, OMP_NUM_THREADS="1"), stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while not (tmp_path / "lm-unfinished.pt").exists() and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.2)
        assert (tmp_path / "lm-unfinished.pt").exists(), "no checkpoint was saved along the way"
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=120)
    finally:
        proc.kill()
    assert proc.returncode == 130 and "Traceback" not in err, err
    assert f"continue with --resume {tmp_path / 'lm-unfinished.pt'}" in err and f"{out} is unchanged" in err
    assert out.read_bytes() == b"the shipped model"
    payload = load_checkpoint(tmp_path / "lm-unfinished.pt", kind=CHECKPOINT_KINDS["masked"])
    assert payload["optimizer"] is not None and payload["meta"]["interrupted"] and 3 <= payload["step"] < 100000
