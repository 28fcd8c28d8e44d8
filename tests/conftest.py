import pytest
import torch
from hypothesis import settings

settings.register_profile("book", deadline=None, max_examples=40, derandomize=True)
settings.load_profile("book")


@pytest.fixture(autouse=True)
def _seed():
    torch.manual_seed(0)


# -- the built book, shared by test_book.py (HTML checks) and test_browser.py (real browser) --------
# Set ATTN_REUSE_BUILD=1 to reuse an existing _build/html instead of building the book again
# (for writing tests; `make test` always builds).

import os  # noqa: E402
from pathlib import Path  # noqa: E402

import yaml  # noqa: E402

from attnlib.book import ROOT, build  # noqa: E402

BOOK_HTML = ROOT / "_build" / "html"


def toc_pages() -> list[str]:
    """Every page of the table of contents, as paths without suffix ("chapters/intro", ...)."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    pages = [toc["root"]]
    for part in toc.get("parts", []):
        pages += [c["file"] for c in part["chapters"]]
    return pages


@pytest.fixture(scope="session")
def built_book() -> Path:
    """The book built once per test run, with every page executed (``_build/html``)."""
    if os.environ.get("ATTN_REUSE_BUILD") == "1" and (BOOK_HTML / "index.html").is_file():
        return BOOK_HTML
    status = build()
    assert status == 0, "the book build failed: see the output above and _build/html/reports/"
    return BOOK_HTML


@pytest.fixture(autouse=True, scope="session")
def _one_thread():
    """The tests' tensors are small: one thread is faster for them and immune to a busy machine."""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)
