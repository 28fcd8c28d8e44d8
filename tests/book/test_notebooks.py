"""The chapters as notebooks that run elsewhere: the twins, their install cell, the launch buttons."""

import json
import re

import nbformat
import pytest
from book_pages import PLACEHOLDER_REPOSITORY, ROOT, toc_pages
from nbclient import NotebookClient

from attnlib.book import notebooks, sphinxext


def test_the_repository_setting_is_read_and_checked(monkeypatch):
    monkeypatch.delenv(notebooks.REPOSITORY_ENV, raising=False)
    assert notebooks.repository() is None
    monkeypatch.setenv(notebooks.REPOSITORY_ENV, "https://github.com/me/book.git")
    assert notebooks.repository() == ("me", "book")
    monkeypatch.setenv(notebooks.REPOSITORY_ENV, "git@github.com:me/book")
    with pytest.raises(ValueError, match="not a GitHub repository URL"):
        notebooks.repository()


def test_without_the_setting_no_launch_button_is_shown(monkeypatch):
    monkeypatch.delenv(notebooks.REPOSITORY_ENV, raising=False)
    context = {"ipynb_source": "chapters/03_softmax_scaling.ipynb", "header_buttons": []}
    sphinxext._launch_buttons(None, "chapters/03_softmax_scaling", "page.html", context, None)
    assert context["header_buttons"] == []
    monkeypatch.setenv(notebooks.REPOSITORY_ENV, PLACEHOLDER_REPOSITORY)
    sphinxext._launch_buttons(None, "chapters/03_softmax_scaling", "page.html", context, None)
    assert [b["text"] for b in context["header_buttons"][0]["buttons"]] == ["Colab", "Binder"]


def test_a_twin_runs_top_to_bottom_in_a_fresh_kernel(tmp_path):
    twin = notebooks.write_twin(ROOT / "chapters" / "03_softmax_scaling.md", tmp_path / "ch3.ipynb",
                                ("example-owner", "attention-interactively"))
    notebook = nbformat.read(twin, as_version=4)
    assert "install" in notebook.cells[0].metadata["tags"] and "pip" in notebook.cells[0].source
    NotebookClient(notebook, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()  # raises on any failing cell
    errors = [o for c in notebook.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors


@pytest.mark.book
def test_every_chapter_launches_a_published_twin_that_installs_the_library(built_book):
    owner, name = PLACEHOLDER_REPOSITORY.rsplit("/", 2)[-2:]
    chapters = [p for p in toc_pages() if p.startswith("chapters/") and p != "chapters/intro"]
    for page in chapters:
        html = (built_book / f"{page}.html").read_text(encoding="utf-8")
        colab = re.search(rf'href="(https://colab\.research\.google\.com/github/{owner}/{name}/blob/gh-pages/'
                          r'(_sources/[^"]+\.ipynb))"', html)
        assert colab, f"{page} has no Colab button"
        assert f"mybinder.org/v2/gh/{owner}/{name}/main?urlpath=lab/tree/{page}.ipynb" in html, page
        twin = built_book / colab.group(2)
        assert twin.is_file(), f"{page}'s Colab button points at {colab.group(2)}, which the site does not hold"
        first = json.loads(twin.read_text(encoding="utf-8"))["cells"][0]
        assert f"git+https://github.com/{owner}/{name}.git" in "".join(first["source"]), page
