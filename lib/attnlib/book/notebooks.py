"""The chapters as plain notebooks that run elsewhere: Colab, Binder, any Jupyter.

Each chapter's ``.ipynb`` twin is made from its MyST source at build time (never committed) and
published next to the pages, under ``_sources/``. Its first cell installs the book's library, with its
data, when the kernel lacks it.

One setting turns on the Colab and Binder launch buttons: the repository URL, in ``$ATTN_REPOSITORY_URL``
at build time (a GitHub URL, e.g. ``https://github.com/OWNER/NAME``). The buttons assume the usual way of
publishing a Jupyter Book:

* the built site is pushed to the repository's ``gh-pages`` branch, so Colab opens the twin from there;
* Binder builds the ``main`` branch with ``binder/`` (which installs the library and writes the twins).

Without the setting no launch button is shown.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import nbformat

REPOSITORY_ENV = "ATTN_REPOSITORY_URL"
SOURCE_BRANCH, PAGES_BRANCH = "main", "gh-pages"
COLAB = "https://colab.research.google.com/github"
BINDER = "https://mybinder.org/v2/gh"
_GITHUB = re.compile(r"^https://github\.com/([\w.-]+)/([\w.-]+?)(?:\.git)?/?$")


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


def install_cell(repo: tuple[str, str] | None) -> nbformat.NotebookNode:
    """The twin's first cell: install the library (and its data) when this kernel does not have it."""
    if repo is None:
        action = ('raise ModuleNotFoundError("this chapter needs the book\'s library: install it from the '
                  'book\'s repository with `pip install .[book]`")')
    else:
        spec = f"attnlib[book] @ git+https://github.com/{repo[0]}/{repo[1]}.git@{SOURCE_BRANCH}"
        action = f'subprocess.check_call([sys.executable, "-m", "pip", "install", "-q", "{spec}"])'
    source = ("# On Colab or Binder: install the book's library, with its corpus and trained translator, if missing.\n"
              "import importlib.util, subprocess, sys\n"
              f'if importlib.util.find_spec("attnlib") is None:\n    {action}')
    return nbformat.v4.new_code_cell(source, metadata={"tags": ["install"]})


def write_twin(source: Path, target: Path, repo: tuple[str, str] | None) -> Path:
    """The chapter ``source`` (MyST markdown) as a plain ``.ipynb`` at ``target``, install cell first."""
    import jupytext

    notebook = jupytext.read(source)
    notebook.metadata.pop("jupytext", None)  # a plain notebook, not paired with a text file
    notebook.cells.insert(0, install_cell(repo))
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
