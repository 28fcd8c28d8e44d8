"""Training never throws work away: arguments checked before step 1, saves along the way and on a
stop request (beside the finished model, never over it), resumes that refuse another run's checkpoint and
say why, a new run that will not overwrite one that could be continued, no debris from a killed save, and
no model of NaN."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

import attnlib.translation.train as training
import attnlib.translation.train_command as command
from attnlib.translation.checkpoint import CheckpointError, load_checkpoint, save_checkpoint
from attnlib.translation.corpus import load_split
from attnlib.translation.alignment import SNAPSHOT_SENTENCES
from attnlib.translation.evaluate import evaluate
from attnlib.translation.train import TRAIN_PRESETS, TrainConfig, train
from attnlib.translation.translator import Translator

TRAIN = load_split("train")[:400]
VALID = load_split("valid")[:20]
CFG = TRAIN_PRESETS["tiny"].replace(steps=12, eval_every=6, eval_pairs=10, batch_size=16)


def small_train(cfg=CFG, **kwargs):
    return train(cfg, train_pairs=kwargs.pop("train_pairs", TRAIN), valid_pairs=VALID, device="cpu",
                 progress=False, **kwargs)


def same_weights(a, b) -> bool:
    sa, sb = a.translator.model.state_dict(), b.translator.model.state_dict()
    return all(torch.equal(sa[k], sb[k]) for k in sa)


# -- arguments ----------------------------------------------------------------------------------

def bad_arguments(tmp_path):
    a_file = tmp_path / "a-file"
    a_file.write_text("")
    return [
        (["--steps", "0"], "steps must be"),
        (["--warmup", "0"], "warmup must be"),
        (["--batch-size", "0"], "batch_size must be"),
        (["--lr", "-1"], "lr must be a number above 0"),
        (["--lr", "inf"], "lr must be a number above 0 and at most 1"),
        (["--lr", "1e30"], "lr must be a number above 0 and at most 1"),
        (["--lr", "nan"], "lr must be a number above 0"),
        (["--seed", str(2**64)], "seed must be a whole number from 0 to 2**32 - 1"),
        (["--out", "/dev/null"], "/dev/null is a character device, not a file"),
        (["--out", str(tmp_path)], "is a directory"),
        (["--out", str(a_file / "x.pt")], "is a file"),
        (["--score", "test", "bogus"], "bogus: no such split"),
        (["--device", "tpu"], "use cpu, cuda"),
        (["--save-every", "0"], "--save-every must be"),
        (["--resume", str(tmp_path / "nope.pt")], "no such checkpoint"),
    ]


def test_every_bad_argument_is_refused_before_any_training(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(command, "train", lambda *a, **k: pytest.fail("training started despite a bad argument"))
    for argv, message in bad_arguments(tmp_path):
        out = [] if "--out" in argv else ["--out", str(tmp_path / "t.pt")]
        with pytest.raises(SystemExit) as exit_:
            command.main(["--preset", "tiny", "--no-progress", *out, *argv])
        assert exit_.value.code == 2, argv
        err = capsys.readouterr().err
        assert message in err and "Traceback" not in err, (argv, err)


def test_the_library_refuses_settings_that_would_fail_mid_run():
    for change, message in [({"warmup": 0}, "warmup"), ({"batch_size": 0}, "batch_size"), ({"steps": -1}, "steps"),
                            ({"label_smoothing": 1.0}, "label_smoothing"), ({"label_smoothing": float("nan")},
                            "label_smoothing"), ({"clip": float("inf")}, "clip"), ({"seed": -1}, "seed")]:
        with pytest.raises(ValueError, match=message):
            TrainConfig(**change)


# -- what the command keeps for the book ------------------------------------------------------------

def test_the_train_command_keeps_attention_snapshots_and_split_scores_in_its_checkpoint(tmp_path):
    out = tmp_path / "t.pt"
    assert command.main(["--preset", "tiny", "--steps", "4", "--no-progress", "--out", str(out), "--score", "valid"]) == 0
    meta = load_checkpoint(out)["meta"]
    snapshots = meta["history"][-1]["attention"]
    assert set(snapshots) == set(SNAPSHOT_SENTENCES)  # the full training split has every word of them
    for snap in snapshots.values():
        assert len(snap["weights"]) == len(snap["target"]) and len(snap["weights"][0]) == len(snap["source"])
    rescored = evaluate(Translator.load(out, device="cpu"), load_split("valid"), "valid").summary()
    assert meta["scores"]["valid"] == rescored  # what the checkpoint says is what evaluate finds


# -- saving along the way -------------------------------------------------------------------------

def test_a_stopped_run_saves_what_it_has_and_resumes_to_the_same_weights(tmp_path):
    full = small_train()
    calls = iter(range(100))
    stopped = small_train(out=tmp_path / "t.pt", save_optimizer=False, should_stop=lambda: next(calls) >= 4)
    assert not (tmp_path / "t.pt").exists()  # a stopped run is not the finished model
    assert stopped.checkpoint == tmp_path / "t-unfinished.pt"
    payload = load_checkpoint(stopped.checkpoint)
    assert stopped.steps == 5 and payload["step"] == 5 and payload["meta"]["interrupted"]
    assert payload["optimizer"] is not None  # resumable even when a finished run would be slim
    resumed = small_train(out=tmp_path / "t.pt", resume=stopped.checkpoint)
    assert resumed.steps == CFG.steps and same_weights(full, resumed)
    assert resumed.checkpoint == tmp_path / "t.pt" and not stopped.checkpoint.exists()  # superseded


def test_checkpoints_are_written_every_n_steps(tmp_path, monkeypatch):
    saved = []
    real_save = training.save_checkpoint
    monkeypatch.setattr(training, "save_checkpoint", lambda path, payload: saved.append((path.name, payload["step"]))
                        or real_save(path, payload))
    small_train(out=tmp_path / "t.pt", save_every=5)
    assert saved == [("t-unfinished.pt", 5), ("t-unfinished.pt", 10)]  # along the way, beside the finished model
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.pt"]  # which replaces them when the run ends


def test_a_finished_run_can_be_extended(tmp_path):
    small_train(out=tmp_path / "t.pt")
    longer = small_train(CFG.replace(steps=16), resume=tmp_path / "t.pt")
    assert longer.steps == 16 and [h["step"] for h in longer.history][-1] == 16


def test_resume_refuses_another_run_and_names_what_differs(tmp_path):
    small_train(out=tmp_path / "t.pt")
    with pytest.raises(CheckpointError, match=r"another configuration.*lr: 0\.003 in the checkpoint, 1\.0 now"):
        small_train(CFG.replace(lr=1.0), resume=tmp_path / "t.pt")
    with pytest.raises(CheckpointError, match="src_vocab: the checkpoint's vocabulary differs"):
        small_train(resume=tmp_path / "t.pt", train_pairs=TRAIN[:150])
    payload = load_checkpoint(tmp_path / "t.pt")
    payload["meta"]["world_size"] = 2
    save_checkpoint(tmp_path / "two.pt", {k: v for k, v in payload.items() if k != "format"})
    with pytest.raises(CheckpointError, match=r"world_size: 2 process\(es\) in the checkpoint, 1 now"):
        small_train(resume=tmp_path / "two.pt")


def test_a_new_run_does_not_overwrite_one_that_could_be_continued(tmp_path, monkeypatch, capsys):
    stopped = small_train(out=tmp_path / "t.pt", stop_at=4)  # an interrupted run: t-unfinished.pt, resumable
    assert stopped.checkpoint == tmp_path / "t-unfinished.pt" and not (tmp_path / "t.pt").exists()
    monkeypatch.setattr(command, "train", lambda *a, **k: pytest.fail("training started over a resumable run"))
    with pytest.raises(SystemExit):
        command.main(["--preset", "tiny", "--no-progress", "--out", str(tmp_path / "t.pt")])
    err = capsys.readouterr().err
    assert f"{tmp_path / 't-unfinished.pt'} holds a run that can be continued (step 4 of 12)" in err
    assert "--resume" in err and "--force" in err

    class Started(Exception):
        pass

    def start(*args, **kwargs):
        raise Started

    monkeypatch.setattr(command, "train", start)
    with pytest.raises(Started):  # told --force, it starts
        command.main(["--preset", "tiny", "--no-progress", "--out", str(tmp_path / "t.pt"), "--force"])


def test_a_slim_finished_checkpoint_may_be_retrained_over(tmp_path):
    small_train(out=tmp_path / "t.pt", save_optimizer=False)  # as make translator ships it: nothing to continue
    command.check_arguments(command_args(tmp_path / "t.pt"))  # no refusal


def command_args(out: Path):
    return command.argparse.Namespace(out=out, score=[], save_every=None, device=None, resume=None, force=False)


def test_a_loss_that_stops_being_a_number_stops_the_run_and_saves_nothing(tmp_path, monkeypatch):
    real = training.build_model

    def poisoned(*args, **kwargs):  # weights as an infinite learning rate leaves them
        model = real(*args, **kwargs)
        with torch.no_grad():
            next(model.parameters()).fill_(float("nan"))
        return model

    monkeypatch.setattr(training, "build_model", poisoned)
    with pytest.raises(training.TrainingDiverged, match="the loss became nan at step 1.*lower the learning rate"):
        small_train(out=tmp_path / "t.pt", save_every=1)
    assert list(tmp_path.iterdir()) == []


def test_a_batch_that_cannot_fit_in_memory_is_refused_before_the_model_is_built(monkeypatch):
    monkeypatch.setattr(training, "build_model", lambda *args, **kwargs: pytest.fail("the model was built"))
    with pytest.raises(ValueError, match=r"a batch of 1,000,000,000 sentences needs about .* GiB .* --batch-size"):
        small_train(CFG.replace(batch_size=10**9))


def test_resume_refuses_fewer_steps_than_it_has_and_a_crafted_file(tmp_path):
    small_train(out=tmp_path / "t.pt")  # finished at step 12, with optimizer state
    with pytest.raises(CheckpointError, match="at step 12 already: ask for at least that many --steps"):
        small_train(CFG.replace(steps=8), resume=tmp_path / "t.pt")
    payload = {k: v for k, v in load_checkpoint(tmp_path / "t.pt").items() if k != "format"}
    for change, what in [({"scheduler": None}, "scheduler"), ({"train": [1, 2]}, "train"), ({"step": -3}, "step")]:
        save_checkpoint(tmp_path / "crafted.pt", {**payload, **change})
        with pytest.raises(CheckpointError, match=f"cannot be resumed: its {what} is missing or malformed"):
            small_train(resume=tmp_path / "crafted.pt")


def test_a_final_save_that_fails_goes_elsewhere_and_says_where(tmp_path, monkeypatch):
    from attnlib.files import FileWriteError
    from attnlib.translation import safeguards

    real = safeguards.save_checkpoint

    def full_disk(path, payload):
        if Path(path).parent == tmp_path:
            raise FileWriteError(f"could not write {path}: the disk is full; nothing was written")
        return real(path, payload)

    monkeypatch.setattr(safeguards, "save_checkpoint", full_disk)
    result = small_train(out=tmp_path / "t.pt")
    assert "the disk is full" in result.saved_elsewhere
    assert result.checkpoint.parent != tmp_path and load_checkpoint(result.checkpoint)["step"] == CFG.steps
    result.checkpoint.unlink()


def test_a_save_killed_mid_write_leaves_nothing_behind_the_next_one(tmp_path):
    orphans = [tmp_path / ".t.pt.k1ll3d.tmp", tmp_path / ".t.pt.0ther.tmp"]
    for orphan in orphans:
        orphan.write_bytes(b"half a checkpoint")
    (tmp_path / ".other.pt.x.tmp").write_bytes(b"not ours")
    save_checkpoint(tmp_path / "t.pt", {"model_config": {}, "model": {}, "src_vocab": {}, "tgt_vocab": {}})
    assert sorted(p.name for p in tmp_path.iterdir()) == [".other.pt.x.tmp", "t.pt"]


@pytest.mark.slow
def test_ctrl_c_on_the_command_line_saves_a_resumable_checkpoint(tmp_path):
    out = tmp_path / "t.pt"
    cmd = [sys.executable, "-m", "attnlib.translation", "train", "--preset", "tiny", "--steps", "100000", "--out", str(out),
           "--save-every", "3", "--no-progress", "--score"]
    proc = subprocess.Popen(cmd, env=dict(os.environ, OMP_NUM_THREADS="1"), stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while not (tmp_path / "t-unfinished.pt").exists() and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.2)
        assert (tmp_path / "t-unfinished.pt").exists(), "no checkpoint was saved along the way"
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=120)
    finally:
        proc.kill()
    assert proc.returncode == 130 and "Traceback" not in err
    assert f"continue with --resume {tmp_path / 't-unfinished.pt'}" in err and f"{out} is unchanged" in err
    assert not out.exists()  # the stopped run did not become the model that translate and the book read
    payload = load_checkpoint(tmp_path / "t-unfinished.pt")
    assert payload["optimizer"] is not None and payload["meta"]["interrupted"] and 3 <= payload["step"] < 100000


@pytest.mark.slow
def test_ctrl_c_while_starting_or_twice_ends_in_one_line(tmp_path):
    out = tmp_path / "t.pt"
    cmd = [sys.executable, "-m", "attnlib.translation", "train", "--preset", "tiny", "--steps", "100000", "--out",
           str(out), "--save-every", "3", "--no-progress", "--score"]
    starting = subprocess.Popen(cmd, env=dict(os.environ, OMP_NUM_THREADS="1"), stderr=subprocess.PIPE, text=True)
    time.sleep(1.0)  # still importing torch
    starting.send_signal(signal.SIGINT)
    _, err = starting.communicate(timeout=120)
    assert starting.returncode == 130 and "Traceback" not in err and "interrupted" in err, err
    twice = subprocess.Popen(cmd, env=dict(os.environ, OMP_NUM_THREADS="1"), stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while not (tmp_path / "t-unfinished.pt").exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        twice.send_signal(signal.SIGINT)
        twice.send_signal(signal.SIGINT)  # impatient: stop now
        _, err = twice.communicate(timeout=120)
    finally:
        twice.kill()
    assert twice.returncode == 130 and "Traceback" not in err, err
    assert len([line for line in err.splitlines() if line.strip()]) == 1, err
    load_checkpoint(tmp_path / "t-unfinished.pt")  # what was saved before is whole
    assert not out.exists()


# -- several processes --------------------------------------------------------------------------

def torchrun(*args, timeout=240):
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2", *args]
    return subprocess.run(cmd, env=dict(os.environ, OMP_NUM_THREADS="1"), capture_output=True, text=True,
                          timeout=timeout)  # a hang fails the test instead of blocking the suite


@pytest.mark.slow
def test_an_early_stop_under_torchrun_stops_every_rank_together(tmp_path):
    out = tmp_path / "ddp.pt"
    run = torchrun(str(Path(__file__).with_name("ddp_stop_run.py")), str(out))
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.stdout.count("rank done at step 8") == 2
    meta = load_checkpoint(out)["meta"]
    assert meta["world_size"] == 2 and meta["steps"] == 8
    first, second = meta["rank_checksums"]
    assert first == second  # both ranks stopped at the same step with the same weights


@pytest.mark.slow
def test_sigterm_to_one_process_stops_every_rank_and_rank_0_saves(tmp_path):
    out = tmp_path / "ddp.pt"
    run = torchrun(str(Path(__file__).with_name("ddp_stop_run.py")), str(out), "sigterm")
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.stdout.count("rank done at step 5, interrupted") == 2, run.stdout
    assert not out.exists()  # an unfinished run, saved beside it
    assert load_checkpoint(tmp_path / "ddp-unfinished.pt")["step"] == 5


@pytest.mark.slow
def test_a_batch_smaller_than_the_number_of_processes_still_trains(tmp_path):
    out = tmp_path / "one.pt"
    run = torchrun("-m", "attnlib.translation", "train", "--preset", "tiny", "--steps", "3", "--batch-size", "1",
                   "--out", str(out), "--no-progress", "--score")
    assert run.returncode == 0, run.stderr[-3000:]
    first, second = load_checkpoint(out)["meta"]["rank_checksums"]
    assert first == second
