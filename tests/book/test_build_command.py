"""`python -m attnlib.book build` keeps the last good site: one build at a time, and a failed or
interrupted build replaces nothing. A stand-in for jupyter-book plays each outcome in a second."""

from __future__ import annotations

import signal
import sys
import textwrap
from pathlib import Path

import pytest

from attnlib.book import build as book_build
from attnlib.files import exclusive

FAKE_JUPYTER_BOOK = textwrap.dedent("""\
    import os, pathlib, signal, sys, time
    out = pathlib.Path(sys.argv[sys.argv.index("--path-output") + 1]) / "_build" / "html"
    out.mkdir(parents=True, exist_ok=True)
    mode = os.environ["FAKE_BUILD"]
    (out / "half-written.html").write_text("a page of the new build")
    if mode == "ok":
        (out / "index.html").write_text("the new site")
    elif mode == "cell":
        (out / "reports").mkdir()
        (out / "reports" / "chapter.err.log").write_text("ZeroDivisionError")
        sys.exit(1)
    elif mode == "crash":
        print("Running Sphinx v7.4.7")
        print("Exception occurred: sqlite3.OperationalError: attempt to write a readonly database")
        sys.exit(2)
    elif mode == "interrupt":
        os.kill(os.getppid(), signal.SIGINT)  # Ctrl-C reaches the build command
        time.sleep(2)
    """)


@pytest.fixture
def book(tmp_path, monkeypatch):
    """A book folder with a last good site, and a jupyter-book that does what FAKE_BUILD says."""
    root = tmp_path / "book"
    (root / "chapters").mkdir(parents=True)
    (root / "_config.yml").write_text("title: test\n")
    (root / "_build" / "html").mkdir(parents=True)
    (root / "_build" / "html" / "index.html").write_text("the last good site")
    fake = tmp_path / "jupyter-book"
    fake.write_text(f"#!{sys.executable}\n" + FAKE_JUPYTER_BOOK)
    fake.chmod(0o755)
    monkeypatch.setattr(book_build, "ROOT", root)
    monkeypatch.setattr(book_build.shutil, "which", lambda *args, **kwargs: str(fake))
    return root


def site(root: Path) -> dict[str, str]:
    html = root / "_build" / "html"
    return {p.name: p.read_text() for p in html.iterdir() if p.is_file()}


def test_a_good_build_replaces_the_site(book, monkeypatch):
    monkeypatch.setenv("FAKE_BUILD", "ok")
    assert book_build.build() == 0
    assert site(book) == {"index.html": "the new site", "half-written.html": "a page of the new build"}


@pytest.mark.parametrize("mode", ["cell", "crash"])
def test_a_failed_build_keeps_the_last_good_site_and_says_why(book, monkeypatch, capsys, mode):
    monkeypatch.setenv("FAKE_BUILD", mode)
    assert book_build.build() != 0
    assert site(book) == {"index.html": "the last good site"}
    err = capsys.readouterr().err
    assert "The last good site in _build/html is unchanged." in err
    if mode == "cell":
        assert "Tracebacks of failing cells:" in err and "chapter.err.log" in err
    else:  # no cell failed: the message shows what did
        assert "Tracebacks of failing cells" not in err
        assert "attempt to write a readonly database" in err


def test_an_interrupted_build_keeps_the_last_good_site(book, monkeypatch, capsys):
    monkeypatch.setenv("FAKE_BUILD", "interrupt")
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        assert book_build.build() == 130
    finally:
        signal.signal(signal.SIGINT, previous)
    assert site(book) == {"index.html": "the last good site"}
    assert "interrupted: the last good site in _build/html is unchanged" in capsys.readouterr().err


def test_a_second_build_is_refused_while_one_runs(book, monkeypatch, capsys):
    monkeypatch.setenv("FAKE_BUILD", "ok")
    with exclusive(book / "_build" / ".build.lock"):  # the first build
        assert book_build.build() == 1
    assert "another build of this book is running" in capsys.readouterr().err
    assert site(book) == {"index.html": "the last good site"}


def test_a_build_outside_the_repository_says_it_needs_one(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(book_build, "ROOT", tmp_path / "lib" / "python3.11")  # where an installed package points
    assert book_build.build() == 2
    assert "the book is built from its repository" in capsys.readouterr().err
