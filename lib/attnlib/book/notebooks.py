"""The chapters as plain notebooks that run elsewhere: Colab, Binder, JupyterLab, any Jupyter.

Each chapter's ``.ipynb`` twin is made from its MyST source at build time (never committed) and
published next to the pages, under ``_sources/``. A twin is the chapter as a reader wants to work in it:

* its first cell installs the book's library, with its data and the book's extras, when the kernel lacks
  any of them, and says in one line what it did;
* the page's hidden check cells stay out (they test the book, and would give the exercises away); code
  whose output the page shows without it stays in, collapsed;
* its prose is plain Markdown (:mod:`attnlib.book.plain_markdown`): solutions closed in ``<details>``,
  admonitions as block quotes.

Two settings, read at build time, say where the library comes from:

* ``$ATTN_SITE_URL``, the address the built site is served from (``https://OWNER.github.io/NAME/``). The
  build then puts the library's wheel, made from the same sources as the pages, in the site
  (``_static/wheels/``), and the twins install it from there: notebook and library always match.
* ``$ATTN_REPOSITORY_URL``, the book's GitHub repository. It turns on the Colab and Binder launch
  buttons, which assume the usual way of publishing a Jupyter Book: the site pushed to the ``gh-pages``
  branch (Colab opens the twin from there), Binder building ``main`` with ``binder/``. When the site URL
  is not set, the twins install the library from the repository's ``main`` branch instead.

With neither, a twin's first cell says what to run, and where, to install the library by hand.
"""

from __future__ import annotations

import os
import re
from importlib.metadata import packages_distributions, requires
from pathlib import Path

import nbformat

from .plain_markdown import plain_markdown

REPOSITORY_ENV = "ATTN_REPOSITORY_URL"
SITE_ENV = "ATTN_SITE_URL"
WHEELS = "_static/wheels"  # where the site keeps the library's wheel, relative to its root
SOURCE_BRANCH, PAGES_BRANCH = "main", "gh-pages"
COLAB = "https://colab.research.google.com/github"
BINDER = "https://mybinder.org/v2/gh"
_GITHUB = re.compile(r"^https://github\.com/([\w.-]+)/([\w.-]+?)(?:\.git)?/?$")
_SITE = re.compile(r"^https?://[^\s/?#]+(/[^\s?#]*)?$")
#: what a hidden page cell that sets the chapter up looks like: the twin keeps it
_SETUP = re.compile(r"^from attnlib\.book import setup\nsetup\(.*\)$")
HIDE_TAGS = {"remove-input", "hide-input"}  # code the page hides: collapsed in the twin


def repository() -> tuple[str, str] | None:
    """(owner, name) of the book's GitHub repository, from the setting; None when it is not set.
    A set value that is not a GitHub repository URL is an error: say so, do not publish broken links."""
    url = os.environ.get(REPOSITORY_ENV, "").strip()
    if not url:
        return None
    match = _GITHUB.match(url)
    if not match:
        raise ValueError(f"${REPOSITORY_ENV}={url!r} is not a GitHub repository URL (https://github.com/OWNER/NAME)")
    return match.group(1), match.group(2)


def site_url() -> str | None:
    """The address the built site is served from, ending in ``/``; None when it is not set."""
    url = os.environ.get(SITE_ENV, "").strip()
    if not url:
        return None
    if not _SITE.match(url):
        raise ValueError(f"${SITE_ENV}={url!r} is not the http(s) address of the site (https://OWNER.github.io/NAME/)")
    return url.rstrip("/") + "/"


def required_modules() -> list[str]:
    """What a chapter imports of the outside world: ``attnlib`` and the top-level module of each of its
    dependencies, book extras included (what ``attnlib[book]`` installs; other extras are not the
    notebooks'), read from the installed library's own metadata (pyproject.toml)."""
    specs = [spec for spec in requires("attnlib") or []
             if "extra ==" not in spec or re.search(r"""extra\s*==\s*["']book["']""", spec)]
    dists = {re.split(r"[\s;\[<>=!~]", spec, maxsplit=1)[0].lower() for spec in specs}
    modules = ["attnlib"]
    for module, owners in sorted(packages_distributions().items()):
        for dist in owners:
            if dist.lower() in dists and module.lower() == dist.lower().replace("-", "_"):
                modules.append(module)
                dists.discard(dist.lower())
    if dists:  # a dependency whose module is not named after it: name it here rather than skip the check
        raise RuntimeError(f"cannot tell which module to look for for {sorted(dists)}; is attnlib[book] installed?")
    return modules


def install_source(wheel_url: str | None, repo: tuple[str, str] | None) -> str | None:
    """Where the twin installs ``attnlib[book]`` from: the site's wheel first, then the repository."""
    if wheel_url:
        return f"attnlib[book] @ {wheel_url}"
    if repo:
        return f"attnlib[book] @ git+https://github.com/{repo[0]}/{repo[1]}.git@{SOURCE_BRANCH}"
    return None


# The twin's first cell. It installs nothing that the kernel has (Colab's torch, numpy, ... stay as they are),
# and a failure is one line (IPython prints ``_render_traceback_`` instead of a traceback).
_INSTALL = '''\
# The book's library (attnlib), with its corpus, its trained translator and what the notebooks use:
# installed here when this kernel lacks any of it.
import importlib, importlib.util, subprocess, sys

class BookSetupError(Exception):
    def _render_traceback_(self):
        return [f"BookSetupError: {{self}}"]

missing = [m for m in {modules!r} if importlib.util.find_spec(m) is None]
{action}'''
_PIP = '''\
if missing:
    pip = subprocess.run([sys.executable, "-m", "pip", "install", "-q", {source!r}], capture_output=True, text=True)
    if pip.returncode:
        raise BookSetupError(f"pip could not install {source!r}: " + (pip.stderr.strip().splitlines() or ["no reason given"])[-1])
    importlib.invalidate_caches()
    print(f"Installed the book's library from {where} (this kernel lacked {{', '.join(missing)}}).")
else:
    print("The book's library and everything its notebooks use are installed.")'''
_BY_HAND = '''\
if missing:
    raise BookSetupError(f"this kernel lacks {', '.join(missing)}: in a clone of the book's repository, "
                         f"run `{sys.executable} -m pip install '.[book]'`, then restart the kernel")
print("The book's library and everything its notebooks use are installed.")'''


def install_cell(source: str | None) -> nbformat.NotebookNode:
    """The twin's first cell: install ``attnlib[book]`` from ``source`` (a pip requirement) if anything is missing."""
    if source is None:
        action = _BY_HAND
    else:
        where = source.split(" @ ", 1)[1]
        action = _PIP.format(source=source, where=where)
    code = _INSTALL.format(modules=required_modules(), action=action)
    return nbformat.v4.new_code_cell(code, metadata={"tags": ["install"]})


def twin_cells(cells: list) -> list:
    """A chapter's cells as the twin holds them: hidden checks out, hidden code collapsed, plain Markdown."""
    out = []
    for cell in cells:
        tags = set(cell.metadata.get("tags", []))
        if cell.cell_type == "markdown":
            cell.source = plain_markdown(cell.source)
        elif cell.cell_type == "code" and "remove-cell" in tags:
            if not _SETUP.match(cell.source.strip()):
                continue  # the page's own checks: they need the book's test tools and give solutions away
            cell.metadata.setdefault("jupyter", {})["source_hidden"] = True
        elif cell.cell_type == "code" and tags & HIDE_TAGS:
            cell.metadata.setdefault("jupyter", {})["source_hidden"] = True
        out.append(cell)
    return out


def write_twin(source: Path, target: Path, install_from: str | None) -> Path:
    """The chapter ``source`` (MyST markdown) as a plain ``.ipynb`` at ``target``, install cell first.
    ``install_from`` is the pip requirement the first cell installs (see :func:`install_source`)."""
    import jupytext

    notebook = jupytext.read(source)
    notebook.metadata.pop("jupytext", None)  # a plain notebook, not paired with a text file
    notebook.cells = [install_cell(install_from), *twin_cells(notebook.cells)]
    target.parent.mkdir(parents=True, exist_ok=True)
    jupytext.write(notebook, target, fmt="ipynb")
    return target


def launch_links(pagename: str, repo: tuple[str, str]) -> dict[str, str]:
    """Where the Colab and Binder buttons of one chapter lead."""
    owner, name = repo
    return {
        "Colab": f"{COLAB}/{owner}/{name}/blob/{PAGES_BRANCH}/_sources/{pagename}.ipynb",
        "Binder": f"{BINDER}/{owner}/{name}/{SOURCE_BRANCH}?urlpath=lab/tree/{pagename}.ipynb",
    }


def launch_group(pagename: str, repo: tuple[str, str]) -> dict:
    """The theme's header-button dropdown holding the launch links."""
    return {"type": "group", "tooltip": "Launch this chapter as a notebook", "icon": "fas fa-rocket",
            "label": "launch-buttons",
            "buttons": [{"type": "link", "text": where, "tooltip": f"Run this chapter on {where}",
                         "icon": "fas fa-play", "url": url} for where, url in launch_links(pagename, repo).items()]}
