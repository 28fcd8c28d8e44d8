"""The book's own plumbing: notebook set-up, and the build command.

    python -m attnlib.book build [--cached]   # execute every page, warnings are errors
    python -m attnlib.book check PAGE.md ...  # execute pages as the build does, report time and errors
    python -m attnlib.book twins              # each chapter's .ipynb twin next to it (Binder does this)

Every build executes every page afresh (so a change in ``lib/`` can never hide
behind stale outputs); ``--cached`` reuses outputs of unchanged pages, for writing.

Every chapter starts with a hidden cell ``from attnlib.book import setup; setup()``.
"""

from __future__ import annotations

import collections
import os
import shutil
import subprocess
import sys
from pathlib import Path

from attnlib.files import FileBusy, exclusive
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


STAGING = "_build/next"  # where a build writes; _build/html is replaced only when the build succeeds
FAILURE_LINES = 25  # the end of jupyter-book's output, repeated when a build fails before any cell does


def build(cached: bool = False) -> int:
    """Build the HTML book into ``_build/html`` with every page executed. Returns the exit status.

    One build at a time (a lock): a second one is told so and waits for nothing. The build writes into
    ``_build/next``; only a successful one replaces ``_build/html``, so a failed or interrupted build
    leaves the last good site as it was."""
    if not (ROOT / "_config.yml").is_file() or not (ROOT / "chapters").is_dir():
        print(f"error: the book is built from its repository, and {ROOT} is not one (an installed attnlib "
              f"has no chapters): run this in a clone of the book", file=sys.stderr)
        return 2
    jb = shutil.which("jupyter-book", path=str(Path(sys.executable).parent)) or shutil.which("jupyter-book")
    if jb is None:
        print("error: jupyter-book is not installed: run `make book`, or `pip install -r requirements.txt`",
              file=sys.stderr)
        return 2
    (ROOT / "_build").mkdir(exist_ok=True)
    try:
        with exclusive(ROOT / "_build" / ".build.lock"):
            return _build(jb, cached)
    except FileBusy:
        print(f"error: another build of this book is running in {ROOT}; wait for it to finish", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\ninterrupted: the last good site in _build/html is unchanged", file=sys.stderr)
        return 130


def _build(jb: str, cached: bool) -> int:
    staging = ROOT / STAGING
    out = staging / "_build" / "html"
    shutil.rmtree(out, ignore_errors=True)  # no page of an earlier build survives
    if not cached:
        shutil.rmtree(staging / "_build" / ".jupyter_cache", ignore_errors=True)
    env = dict(os.environ, **{BOOK_BUILD_ENV: "1", "PYDEVD_DISABLE_FILE_VALIDATION": "1"})
    cmd = [jb, "build", str(ROOT), "--path-output", str(staging), "--builder", "html", "--all",
           "-W", "-n", "--keep-going"]
    with subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, errors="replace") as run:
        tail = collections.deque(maxlen=FAILURE_LINES)
        for line in run.stdout:  # shown as it comes, and the end kept for the failure message
            sys.stdout.write(line)
            tail.append(line.rstrip("\n"))
        status = run.wait()
    reports = sorted((out / "reports").glob("**/*.err.log")) if out.exists() else []
    if status != 0 or reports or not (out / "index.html").is_file():
        if reports:
            print("\nThe build failed. Tracebacks of failing cells:", *reports, sep="\n  ", file=sys.stderr)
        else:
            print(f"\nThe build failed (jupyter-book exit status {status}) before any cell did; "
                  "the end of its output:", *tail, sep="\n  ", file=sys.stderr)
        print("The last good site in _build/html is unchanged.", file=sys.stderr)
        return status or 1
    _replace_site(out, ROOT / "_build" / "html")
    return 0


def _replace_site(new: Path, site: Path) -> None:
    """``site`` becomes ``new``: two renames, so the site is missing only for that instant."""
    old = site.with_name(".html-previous")
    shutil.rmtree(old, ignore_errors=True)
    if site.exists():
        site.rename(old)
    new.rename(site)
    shutil.rmtree(old, ignore_errors=True)


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
        if not _is_notebook(path):  # a plain page (the introduction): its code blocks are for the reader's shell
            print(f"{path.name}: a plain page, nothing to execute")
            continue
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


def _is_notebook(source: Path) -> bool:
    """Whether a chapter's source is a notebook (a jupytext header) rather than a plain Markdown page."""
    return source.read_text(encoding="utf-8").startswith("---\njupytext:")


def twins() -> int:
    """Write each chapter's ``.ipynb`` twin next to its MyST source, installing from the usual settings."""
    from . import notebooks

    for source in sorted((ROOT / "chapters").glob("*.md")):
        if _is_notebook(source):
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
