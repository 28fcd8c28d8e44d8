"""Writing files loses nothing: only regular files are replaced, a failed write keeps the old file, and
two writers of one place take turns."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from attnlib.files import FileWriteError, replacing, writable_target, write_text


def test_a_new_file_appears_whole_with_ordinary_permissions(tmp_path):
    path = write_text(tmp_path / "deep" / "er" / "out.txt", "bonjour\n")
    assert path.read_text() == "bonjour\n"
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask
    assert sorted(p.name for p in path.parent.iterdir()) == ["out.txt"]  # no temporary file left behind


@pytest.mark.parametrize("kind", ["directory", "named pipe", "socket", "character device"])
def test_only_a_regular_file_or_a_new_path_is_replaced(tmp_path, kind):
    target = tmp_path / "target"
    if kind == "directory":
        target.mkdir()
    elif kind == "named pipe":
        os.mkfifo(target)
    elif kind == "socket":
        server = socket.socket(socket.AF_UNIX)
        server.bind(str(target))
    else:
        target = Path("/dev/null")  # a common way to throw output away: it must stay the system's /dev/null
    before = target.lstat()
    with pytest.raises(FileWriteError, match=f"is an? {kind}"):
        write_text(target, "x")
    after = target.lstat()
    assert (after.st_ino, after.st_mode) == (before.st_ino, before.st_mode)
    if kind == "socket":
        server.close()


def test_a_symbolic_link_is_followed_and_stays_a_link(tmp_path):
    real = write_text(tmp_path / "real.txt", "old")
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    write_text(link, "new")
    assert link.is_symlink() and real.read_text() == "new"
    (tmp_path / "to-null").symlink_to("/dev/null")
    with pytest.raises(FileWriteError, match=r"a link to /dev/null\) is a character device"):
        write_text(tmp_path / "to-null", "x")


def test_an_error_while_writing_keeps_the_old_file_and_says_why(tmp_path):
    path = write_text(tmp_path / "kept.txt", "the old contents")
    with pytest.raises(FileWriteError, match="could not write .*kept.txt: the disk is full; it is unchanged"):
        with replacing(path) as f:
            f.write(b"half of the new")
            raise OSError(28, "No space left on device")  # ENOSPC, as a full disk reports it
    assert path.read_text() == "the old contents"
    assert [p.name for p in tmp_path.iterdir()] == ["kept.txt"]


def test_a_file_too_large_for_the_system_fails_cleanly_in_a_real_write(tmp_path):
    """A real failing write (the file-size limit stands in for a full disk): torch's own writer fails
    mid-file, the message says so in one line, and the old checkpoint is untouched."""
    old = tmp_path / "model.pt"
    script = textwrap.dedent(f"""
        import resource, signal, torch
        from attnlib.translation.checkpoint import save_checkpoint
        save_checkpoint({str(old)!r}, {{"model": {{"w": torch.zeros(10)}}}})
        before = open({str(old)!r}, "rb").read()
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails instead of killing us
        resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, 200_000))
        try:
            save_checkpoint({str(old)!r}, {{"model": {{"w": torch.zeros(1_000_000)}}}})
        except OSError as err:
            print("refused:", err)
        assert open({str(old)!r}, "rb").read() == before, "the old checkpoint changed"
    """)
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    assert "refused: could not write" in run.stdout and "it is unchanged" in run.stdout, run.stdout
    assert len(run.stdout.strip().splitlines()) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["model.pt"]


def test_two_writers_of_one_place_take_turns(tmp_path):
    """While one writer holds the place, another waits, and neither deletes the other's temporary file."""
    path = tmp_path / "shared.pt"
    inside, order = threading.Event(), []

    def slow_writer():
        with replacing(path) as f:
            inside.set()
            f.write(b"first")
            time.sleep(0.3)
            order.append("first done")

    thread = threading.Thread(target=slow_writer)
    thread.start()
    inside.wait(5)
    write_text(path, "second")  # waits for the first, then replaces its file
    order.append("second done")
    thread.join()
    assert order == ["first done", "second done"]
    assert path.read_text() == "second"
    assert [p.name for p in tmp_path.iterdir()] == ["shared.pt"]


def test_writable_target_names_the_real_file(tmp_path):
    assert writable_target(tmp_path / "new.txt") == tmp_path / "new.txt"
