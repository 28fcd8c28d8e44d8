import pytest
import torch
from hypothesis import settings

settings.register_profile("book", deadline=None, max_examples=40, derandomize=True)
settings.load_profile("book")


# -- tiers -----------------------------------------------------------------------------------------
# `make check` (a bare `pytest`) runs the fast tier: every test not marked book, browser or slow.
# `make test` runs them all. A test that uses the built book is a book test and one that drives Chromium a
# browser test, whatever its own markers say; `slow` marks the rest that install, train or run notebooks
# in subprocesses.
BOOK_FIXTURES, BROWSER_FIXTURES = {"built_book", "site"}, {"chromium"}


@pytest.hookimpl(tryfirst=True)  # before pytest deselects by marker
def pytest_collection_modifyitems(config, items):
    for item in items:
        used = set(getattr(item, "fixturenames", ()))
        if used & BOOK_FIXTURES:
            item.add_marker(pytest.mark.book)
        if used & BROWSER_FIXTURES:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(autouse=True)
def _seed():
    torch.manual_seed(0)


# -- the built book, shared by the tests in tests/book/ that read its HTML or drive it in a browser -----
# Set ATTN_REUSE_BUILD=1 to reuse an existing _build/html instead of building the book again
# (for writing tests; `make test` always builds).

import os  # noqa: E402
from pathlib import Path  # noqa: E402

from attnlib.book.build import build  # noqa: E402
from attnlib.measure import torch_threads  # noqa: E402
from book_pages import BOOK_HTML, PLACEHOLDER_REPOSITORY  # noqa: E402
from browser import free_port  # noqa: E402

#: where the built book is served during the tests; the build must know it (the twins install from it)
SITE_PORT_FILE = BOOK_HTML.parent / "test-site-port"


@pytest.fixture(scope="session")
def site_port() -> int:
    """The port the test site is served on, chosen before the build (a reused build keeps its own)."""
    if os.environ.get("ATTN_REUSE_BUILD") == "1" and SITE_PORT_FILE.is_file():
        return int(SITE_PORT_FILE.read_text())
    return free_port()


@pytest.fixture(scope="session")
def built_book(site_port) -> Path:
    """The book built once per test run, with every page executed (``_build/html``)."""
    if os.environ.get("ATTN_REUSE_BUILD") == "1" and (BOOK_HTML / "index.html").is_file():
        return BOOK_HTML
    # built as a published book would be: with a repository (the launch buttons) and the address it is
    # served from (the twins install the library's wheel from there)
    from attnlib.book.notebooks import REPOSITORY_ENV, SITE_ENV  # here: nbformat takes seconds to import

    settings = {REPOSITORY_ENV: PLACEHOLDER_REPOSITORY, SITE_ENV: f"http://127.0.0.1:{site_port}/"}
    previous = {name: os.environ.get(name) for name in settings}
    os.environ.update(settings)
    try:
        status = build()
    finally:
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name)
            else:
                os.environ[name] = value
    assert status == 0, "the book build failed: see the output above and _build/html/reports/"
    SITE_PORT_FILE.write_text(str(site_port))
    return BOOK_HTML


@pytest.fixture(autouse=True, scope="session")
def _one_thread():
    """The tests' tensors are small: one thread is faster for them and immune to a busy machine."""
    with torch_threads(1):
        yield


# -- the built book in a real browser, shared by the browser tests ------------------------------------

from browser import ChromiumMissing, clear_screenshots, launch_chromium, require_chromium, serve  # noqa: E402


@pytest.fixture(scope="session")
def site(built_book: Path, site_port: int):
    """Base URL of the built book, served on 127.0.0.1 for the whole session, where the build said it would be."""
    with serve(built_book, site_port) as base:
        yield base


@pytest.fixture(scope="session")
def chromium():
    """One headless Chromium for the session. A missing browser fails, never skips (see browser.find_chromium)."""
    try:
        require_chromium()
    except ChromiumMissing as err:
        pytest.fail(str(err), pytrace=False)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as err:  # pragma: no cover - playwright is in requirements.txt
        pytest.fail(f"Python playwright is not installed ({err}); it is in requirements.txt", pytrace=False)
    clear_screenshots()
    with sync_playwright() as pw:
        browser = launch_chromium(pw)
        yield browser
        browser.close()


# -- the shipped translator (data/translator.pt), loaded once for the tests that read it ------------

@pytest.fixture(scope="session")
def shipped():
    from attnlib.translation.translator import Translator

    return Translator.load(device="cpu")


# -- two tiny language models, trained once for the tests that need trained ones (tests/lm/, tests/lessons/):
# a few seconds each, on the whole train split's vocabulary, saved slim as `make lm` saves the shipped ones

from attnlib.lm.data import KINDS, english  # noqa: E402
from attnlib.lm.train import LM_TRAIN_PRESETS, train as train_lm  # noqa: E402
from attnlib.lm.trained import TrainedLM  # noqa: E402


@pytest.fixture(scope="session")
def tiny_checkpoints(tmp_path_factory) -> dict[str, Path]:
    """``{kind: path}`` of a tiny causal and a tiny masked model, trained 40 steps."""
    folder = tmp_path_factory.mktemp("lm")
    paths = {}
    for kind in KINDS:
        cfg = LM_TRAIN_PRESETS["tiny"].replace(kind=kind, steps=40, eval_every=40, eval_sentences=20)
        paths[kind] = folder / f"lm-{kind}.pt"
        train_lm(cfg, out=paths[kind], valid=english("valid")[:20], device="cpu", progress=False, save_optimizer=False)
    return paths


@pytest.fixture(scope="session")
def tiny_causal(tiny_checkpoints) -> TrainedLM:
    return TrainedLM.load(tiny_checkpoints["causal"], kind="causal", device="cpu")


@pytest.fixture(scope="session")
def tiny_masked(tiny_checkpoints) -> TrainedLM:
    return TrainedLM.load(tiny_checkpoints["masked"], kind="masked", device="cpu")
