"""The book's own plumbing: notebook set-up, and the build command.

    python -m attnlib.book build [--cached]   # execute every page, warnings are errors

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

from .device import seed_everything
from .display import BOOK_BUILD_ENV, setup_plotly

ROOT = Path(__file__).resolve().parents[2]  # lib/attnlib/book.py -> repository root


def setup(seed: int = 0) -> None:
    """Seed everything and choose how figures are shown (live kernel or book build)."""
    import torch

    seed_everything(seed)
    torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))
    setup_plotly()


def build(cached: bool = False) -> int:
    """Build the HTML book into ``_build/html`` with every page executed. Returns the exit status."""
    if not cached:
        shutil.rmtree(ROOT / "_build" / ".jupyter_cache", ignore_errors=True)
        shutil.rmtree(ROOT / "_build" / "html" / "reports", ignore_errors=True)
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


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] != "build":
        print(__doc__, file=sys.stderr)
        return 2
    return build(cached="--cached" in argv[1:])


if __name__ == "__main__":
    sys.exit(main())
