"""The chapters as notebooks that run elsewhere: the twins, their install cell, the launch buttons."""

import json
import re
import subprocess
import sys
import urllib.parse
import urllib.request
from pathlib import Path

import nbformat
import pytest
from book_pages import PLACEHOLDER_REPOSITORY, ROOT, toc_pages
from nbclient import NotebookClient

from attnlib.book import notebooks, sphinxext
from attnlib.book.plain_markdown import UnknownSyntax, plain_markdown
from attnlib.book.wheel import wheel_name

CHAPTERS = sorted((ROOT / "chapters").glob("*.md"))
NOTEBOOK_CHAPTERS = [p for p in CHAPTERS if p.read_text(encoding="utf-8").startswith("---\njupytext:")]


def test_the_settings_are_read_and_checked(monkeypatch):
    monkeypatch.delenv(notebooks.REPOSITORY_ENV, raising=False)
    monkeypatch.delenv(notebooks.SITE_ENV, raising=False)
    assert notebooks.repository() is None and notebooks.site_url() is None
    monkeypatch.setenv(notebooks.REPOSITORY_ENV, "https://github.com/me/book.git")
    assert notebooks.repository() == ("me", "book")
    monkeypatch.setenv(notebooks.REPOSITORY_ENV, "git@github.com:me/book")
    with pytest.raises(ValueError, match="not a GitHub repository URL"):
        notebooks.repository()
    monkeypatch.setenv(notebooks.SITE_ENV, "https://me.github.io/book")
    assert notebooks.site_url() == "https://me.github.io/book/"
    monkeypatch.setenv(notebooks.SITE_ENV, "me.github.io/book")
    with pytest.raises(ValueError, match="not the http"):
        notebooks.site_url()


def test_without_the_setting_no_launch_button_is_shown(monkeypatch):
    monkeypatch.delenv(notebooks.REPOSITORY_ENV, raising=False)
    context = {"ipynb_source": "chapters/03_softmax_scaling.ipynb", "header_buttons": []}
    sphinxext._launch_buttons(None, "chapters/03_softmax_scaling", "page.html", context, None)
    assert context["header_buttons"] == []
    monkeypatch.setenv(notebooks.REPOSITORY_ENV, PLACEHOLDER_REPOSITORY)
    sphinxext._launch_buttons(None, "chapters/03_softmax_scaling", "page.html", context, None)
    assert [b["text"] for b in context["header_buttons"][0]["buttons"]] == ["Colab", "Binder"]


# -- the prose, as plain Markdown ---------------------------------------------------------------

def test_myst_becomes_markdown_every_notebook_renders():
    text = ("Intro, see {doc}`chapter 11b <11b_what_it_refers_to>` and {math}`x^2`.\n\n"
            ":::{admonition} What you will learn\n:class: tip\n- one\n- two\n:::\n\n"
            ":::{warning}\nMind the mask.\n:::\n\n"
            "````{dropdown} Solution\n```python\nx = {1: 2}  # {doc}`not a role in code`\n```\nBecause.\n````\n"
            "(a-label)=\n% a comment\nEnd.")
    out = plain_markdown(text)
    assert "[chapter 11b](11b_what_it_refers_to.ipynb)" in out and "$x^2$" in out
    assert "> **What you will learn**\n>\n> - one\n> - two" in out and ":class:" not in out
    assert "> **Warning**\n>\n> Mind the mask." in out
    assert ("<details>\n<summary>Solution (click to open)</summary>\n\n```python\nx = {1: 2}  # {doc}`not a role in code`\n```\n"
            "Because.\n\n</details>") in out
    assert "a-label" not in out and "a comment" not in out and out.endswith("End.")
    with pytest.raises(UnknownSyntax, match="directive {figure}"):
        plain_markdown(":::{figure} x.png\n:::")
    with pytest.raises(UnknownSyntax, match="role {cite}"):
        plain_markdown("as {cite}`vaswani` showed")
    with pytest.raises(UnknownSyntax, match="never closed"):
        plain_markdown(":::{note}\nno end")


@pytest.mark.parametrize("chapter", NOTEBOOK_CHAPTERS, ids=lambda p: p.stem)
def test_a_twin_hides_solutions_and_leaves_out_the_pages_own_checks(chapter, tmp_path):
    source = chapter.read_text(encoding="utf-8")
    twin = nbformat.read(notebooks.write_twin(chapter, tmp_path / "twin.ipynb", None), as_version=4)
    markdown = "\n".join(c.source for c in twin.cells if c.cell_type == "markdown")
    code = [c for c in twin.cells if c.cell_type == "code"]
    assert not re.search(r"^(:::|```)+\{", markdown, re.M), "raw MyST syntax in the twin's prose"
    assert markdown.count("<details>") == source.count("{dropdown}")  # every solution closed until opened
    assert code[0].metadata["tags"] == ["install"]
    hidden_checks = len(re.findall(r":tags: \[remove-cell\]", source)) - 1  # all but the set-up cell
    assert len(code) == len(re.findall(r"^```\{code-cell\}", source, re.M)) - hidden_checks + 1
    assert "setup()" in code[1].source and code[1].metadata["jupyter"]["source_hidden"]
    assert not any(re.search(r"^\s*(import pytest|from pytest)", c.source, re.M) for c in code)


def test_the_install_cell_installs_from_the_site_then_the_repository_and_otherwise_says_what_to_run():
    site = notebooks.install_source("https://me.github.io/book/_static/wheels/a.whl", ("me", "book"))
    assert site == "attnlib[book] @ https://me.github.io/book/_static/wheels/a.whl"  # the site's wheel wins
    assert notebooks.install_source(None, ("me", "book")) == "attnlib[book] @ git+https://github.com/me/book.git@main"
    assert notebooks.install_source(None, None) is None
    modules = notebooks.required_modules()
    assert {"attnlib", "torch", "plotly", "ipywidgets", "bertviz", "IPython"} <= set(modules)
    assert "nltk" in modules  # attnlib[book] installs the language models' n-gram baseline too
    assert f"[sys.executable, \"-m\", \"pip\", \"install\", \"-q\", {site!r}]" in notebooks.install_cell(site).source


def _run_cell(source: str, missing: str) -> subprocess.CompletedProcess:
    """The install cell as a kernel runs it, in a Python that lacks the module ``missing``."""
    patched = source.replace("missing = [m for m in [", f"missing = [m for m in [{missing!r}, ")
    shown = "import sys\ntry:\n" + "".join(f"    {line}\n" for line in patched.splitlines()) + (
        "except Exception as err:\n    print(*err._render_traceback_(), sep='\\n'); sys.exit(3)\n")
    return subprocess.run([sys.executable, "-c", shown], capture_output=True, text=True, timeout=300)


def test_the_install_cell_says_in_one_line_what_is_missing_and_what_to_run():
    by_hand = _run_cell(notebooks.install_cell(None).source, "no_such_module")
    assert by_hand.returncode == 3 and by_hand.stdout.count("\n") == 1, by_hand.stdout
    assert "lacks no_such_module" in by_hand.stdout and f"`{sys.executable} -m pip install '.[book]'`" in by_hand.stdout
    failing = _run_cell(notebooks.install_cell("attnlib[book] @ http://127.0.0.1:9/none.whl").source, "no_such_module")
    assert failing.returncode == 3 and failing.stdout.startswith("BookSetupError: pip could not install"), failing.stdout
    assert failing.stdout.count("\n") == 1 and "Traceback" not in failing.stdout + failing.stderr


@pytest.mark.slow
def test_a_twin_runs_top_to_bottom_in_a_fresh_kernel(tmp_path):
    twin = notebooks.write_twin(ROOT / "chapters" / "03_softmax_scaling.md", tmp_path / "ch3.ipynb", None)
    notebook = nbformat.read(twin, as_version=4)
    NotebookClient(notebook, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()  # raises on any failing cell
    errors = [o for c in notebook.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors
    assert notebook.cells[0].outputs[0]["text"].strip() == "The book's library and everything its notebooks use are installed."


# -- a chapter opened in JupyterLab and saved stays as it is -----------------------------------------

@pytest.mark.parametrize("chapter", NOTEBOOK_CHAPTERS, ids=lambda p: p.stem)
def test_opening_and_saving_a_chapter_in_jupyterlab_changes_nothing(chapter, tmp_path):
    """JupyterLab saves a Jupytext notebook through Jupytext's contents manager, after the kernel wrote its
    own kernelspec and language into the notebook: the file must come back byte for byte."""
    from jupyter_server.services.contents.filemanager import FileContentsManager
    from jupytext.sync_contentsmanager import build_sync_jupytext_contents_manager_class

    for config in ("jupytext.toml", "_config.yml"):  # the repository's Jupytext settings, next to a copy
        (tmp_path / config).write_bytes((ROOT / config).read_bytes())
    (tmp_path / "chapters").mkdir()
    copy = tmp_path / "chapters" / chapter.name
    copy.write_bytes(chapter.read_bytes())
    manager = build_sync_jupytext_contents_manager_class(FileContentsManager)(root_dir=str(tmp_path))
    model = manager.get(f"chapters/{chapter.name}")
    assert model["type"] == "notebook"
    notebook = model["content"]
    kernel = json.loads((Path(sys.prefix) / "share" / "jupyter" / "kernels" / "python3" / "kernel.json").read_text())
    notebook["metadata"]["kernelspec"] = {"display_name": kernel["display_name"], "language": "python", "name": "python3"}
    notebook["metadata"]["language_info"] = {"name": "python", "version": sys.version.split()[0]}
    manager.save(model, f"chapters/{chapter.name}")
    assert copy.read_bytes() == chapter.read_bytes()
    notebook["cells"][-1]["source"] += "\nAn edit."  # a real edit is saved
    manager.save(model, f"chapters/{chapter.name}")
    assert copy.read_bytes() != chapter.read_bytes()


# -- the published twins ------------------------------------------------------------------------------

@pytest.mark.book
def test_every_chapter_launches_a_published_twin_that_installs_the_sites_wheel(built_book, site_port):
    owner, name = PLACEHOLDER_REPOSITORY.rsplit("/", 2)[-2:]
    wheel = f"http://127.0.0.1:{site_port}/{notebooks.WHEELS}/{wheel_name()}"
    assert (built_book / notebooks.WHEELS / wheel_name()).is_file(), "the site holds no wheel of the library"
    chapters = [p for p in toc_pages() if p.startswith("chapters/") and p != "chapters/intro"]
    for page in chapters:
        html = (built_book / f"{page}.html").read_text(encoding="utf-8")
        colab = re.search(rf'href="(https://colab\.research\.google\.com/github/{owner}/{name}/blob/gh-pages/'
                          r'(_sources/[^"]+\.ipynb))"', html)
        assert colab, f"{page} has no Colab button"
        assert f"mybinder.org/v2/gh/{owner}/{name}/main?urlpath=lab/tree/{page}.ipynb" in html, page
        twin = built_book / colab.group(2)
        assert twin.is_file(), f"{page}'s Colab button points at {colab.group(2)}, which the site does not hold"
        first = "".join(json.loads(twin.read_text(encoding="utf-8"))["cells"][0]["source"])
        assert f"attnlib[book] @ {wheel}" in first and "git+https" not in first, page


def _fresh_venv(where: Path) -> Path:
    """A venv holding ipykernel and nbclient only (pinned as the book pins them), and nothing of the book."""
    subprocess.run([sys._base_executable, "-m", "venv", str(where)], check=True, timeout=300)
    python = where / "bin" / "python"
    pip = subprocess.run([str(python), "-m", "pip", "install", "-q", "-c", str(ROOT / "constraints.txt"),
                          "ipykernel", "nbclient"], capture_output=True, text=True, timeout=900)
    assert pip.returncode == 0, pip.stderr[-2000:]
    return python


# Each cell may take two minutes (the longest, chapter 9's training, takes under one), but the set-up cell,
# which installs the library and torch into the fresh environment, fifteen. nbclient now and then hears a
# cell's reply only when its time-out expires, and then goes on: a short time-out keeps that wait short.
_RUN_TWIN = """
import sys, nbformat
from nbclient import NotebookClient
nb = nbformat.read(sys.argv[1], as_version=4)
limit = lambda cell: 900 if "BookSetupError" in cell.source else 120
try:
    NotebookClient(nb, timeout_func=limit, kernel_name="python3", resources={"metadata": {"path": sys.argv[2]}}).execute()
finally:
    nbformat.write(nb, sys.argv[1])
"""


@pytest.mark.book
@pytest.mark.slow
def test_every_published_twin_runs_in_a_fresh_venv_that_it_sets_up_itself(built_book, site, tmp_path):
    """What a reader does: download a chapter's .ipynb from its page and run it top to bottom in a kernel that
    has nothing of the book. The first cell installs the library from the site; every cell then runs."""
    python = _fresh_venv(tmp_path / "venv")
    work = tmp_path / "work"
    work.mkdir()
    (work / "run_twin.py").write_text(_RUN_TWIN)
    # a reader's environment: no PYTHONPATH into the repository, pip pinned to the versions the book is tested with
    env = {"PATH": f"{python.parent}:/usr/bin:/bin", "HOME": str(work), "OMP_NUM_THREADS": "1",
           "PIP_CONSTRAINT": str(ROOT / "constraints.txt"), "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    chapters = [p for p in toc_pages() if p.startswith("chapters/") and p != "chapters/intro"]
    for number, page in enumerate(chapters):
        html = urllib.request.urlopen(f"{site}{page}.html", timeout=30).read().decode()
        link = re.search(r'href="([^"]*_sources/[^"]+\.ipynb)"', html)
        assert link, f"{page} offers no .ipynb download"
        twin = work / f"{Path(page).name}.ipynb"
        twin.write_bytes(urllib.request.urlopen(urllib.parse.urljoin(f"{site}{page}.html", link.group(1)), timeout=30).read())
        run = subprocess.run([str(python), "run_twin.py", twin.name, str(work)], cwd=work, env=env,
                             capture_output=True, text=True, timeout=1800)
        assert run.returncode == 0, f"{page}: {run.stderr[-3000:]}"
        notebook = nbformat.read(twin, as_version=4)
        said = notebook.cells[0].outputs[0]["text"].strip()
        if number == 0:  # the first chapter installs the library and says where from
            assert said.startswith(f"Installed the book's library from {site}{notebooks.WHEELS}/"), said
        else:
            assert said == "The book's library and everything its notebooks use are installed.", said
        problems = [o for c in notebook.cells for o in c.get("outputs", [])
                    if o.get("output_type") == "error" or (o.get("name") == "stderr" and "Traceback" in o.get("text", ""))]
        assert not problems, f"{page}: {problems[:2]}"
    where = subprocess.run([str(python), "-c", "import attnlib; print(attnlib.__file__)"], env=env, cwd=work,
                           capture_output=True, text=True)
    assert str(tmp_path / "venv") in where.stdout and str(ROOT) not in where.stdout  # the wheel, not the repository
