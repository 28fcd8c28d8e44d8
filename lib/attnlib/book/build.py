"""The book's own plumbing: notebook set-up, and the build command.

    python -m attnlib.book build [--cached]   # execute every page, warnings are errors
    python -m attnlib.book check PAGE.md ...  # execute pages as the build does, report time and errors
    python -m attnlib.book twins              # each chapter's .ipynb twin next to it (Binder does this)

Every build executes every page afresh (so a change in ``lib/`` can never hide
behind stale outputs); ``--cached`` reuses outputs of unchanged pages, for writing.

Every chapter starts with a hidden cell ``from attnlib.book import setup; setup()``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from attnlib.model.device import seed_everything
from attnlib.paths import SOURCE_TREE
from .display import BOOK_BUILD_ENV, setup_plotly

ROOT = SOURCE_TREE  # the book is built from the repository


def setup(seed: int = 0, threads: int = 1) -> None:
    """Seed everything, fix the thread count, and choose how figures are shown (live kernel or book build).

    One thread by default: the chapters' tensors are small, and one thread is faster for them
    and immune to a busy machine; the training chapter asks for more.
    """
    import numpy as np
    import torch

    seed_everything(seed)
    np.random.seed(seed)  # NumPy's global generator too: the model layer knows nothing of NumPy
    torch.set_num_threads(max(1, min(threads, os.cpu_count() or 1)))
    setup_plotly()


def build(cached: bool = False) -> int:
    """Build the HTML book into ``_build/html`` with every page executed. Returns the exit status."""
    shutil.rmtree(ROOT / "_build" / "html", ignore_errors=True)  # no page of an earlier build survives
    if not cached:
        shutil.rmtree(ROOT / "_build" / ".jupyter_cache", ignore_errors=True)
    env = dict(os.environ, **{BOOK_BUILD_ENV: "1", "PYDEVD_DISABLE_FILE_VALIDATION": "1"})
    jb = shutil.which("jupyter-book", path=str(Path(sys.executable).parent)) or "jupyter-book"
    cmd = [jb, "build", str(ROOT), "--builder", "html", "--all", "-W", "-n", "--keep-going"]
    status = subprocess.call(cmd, env=env, cwd=ROOT)
    html = ROOT / "_build" / "html"
    reports = sorted((html / "reports").glob("**/*.err.log")) if html.exists() else []
    if status != 0 or reports:
        print("\nThe build failed. Tracebacks of failing cells:", *reports, sep="\n  ", file=sys.stderr)
        return status or 1
    return 0


def check(pages: list[str]) -> int:
    """Execute chapters one by one, as the build would, and report each one's time and first error."""
    import time

    import jupytext
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    os.environ[BOOK_BUILD_ENV] = "1"
    status = 0
    for page in pages:
        path = Path(page).resolve()
        nb = jupytext.read(path)
        start = time.perf_counter()
        try:
            NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
            problems = [o.get("text", "") for c in nb.cells for o in c.get("outputs", []) if o.get("name") == "stderr"]
            verdict = "ok" if not problems else "stderr output:\n" + "\n".join(problems)
        except CellExecutionError as err:
            verdict, status = f"FAILED\n{err}", 1
        print(f"{path.name}: {time.perf_counter() - start:.1f} s, {verdict}")
    return status


def twins() -> int:
    """Write each chapter's ``.ipynb`` twin next to its MyST source, installing from the usual settings."""
    from . import notebooks

    for source in sorted((ROOT / "chapters").glob("*.md")):
        if source.read_text(encoding="utf-8").startswith("---\njupytext:"):  # a notebook, not a plain page
            notebooks.write_twin(source, source.with_suffix(".ipynb"),
                                 notebooks.install_source(None, notebooks.repository()))
            print(source.with_suffix(".ipynb").relative_to(ROOT))
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["check"] and len(argv) > 1:
        return check(argv[1:])
    if argv == ["twins"]:
        return twins()
    if argv[:1] != ["build"]:
        print(__doc__, file=sys.stderr)
        return 2
    return build(cached="--cached" in argv[1:])


if __name__ == "__main__":
    sys.exit(main())
