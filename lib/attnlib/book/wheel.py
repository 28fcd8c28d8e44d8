"""The library's wheel, built from the source tree: for the published site (the twins install it) and
for the tests that install the library as a reader would."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from importlib.metadata import version
from pathlib import Path

from attnlib.paths import SOURCE_TREE

#: what the wheel is made of, relative to the repository
SOURCES = ("pyproject.toml", "README.md", "lib", "data")


def wheel_name() -> str:
    """The file name of the wheel that :func:`build_wheel` makes (pure Python, any platform)."""
    return f"attnlib-{version('attnlib')}-py3-none-any.whl"


def build_wheel(dest: Path) -> Path:
    """Build ``attnlib``'s wheel into ``dest`` and return its path.

    It is built from a copy of the sources: building in the repository would leave ``build/`` and
    ``*.egg-info`` there, and a stale ``build/`` can slip deleted modules into the next wheel.
    """
    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="attnlib-wheel-") as tmp:
        source = Path(tmp) / "source"
        source.mkdir()
        skip = shutil.ignore_patterns("__pycache__", "*.egg-info", "*.pyc")
        for part in SOURCES:
            path = SOURCE_TREE / part
            if path.is_dir():
                shutil.copytree(path, source / part, ignore=skip)
            else:
                shutil.copy2(path, source / part)
        run = subprocess.run([sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "--no-build-isolation",
                              "-w", tmp, "-q"], capture_output=True, text=True, timeout=600)
        if run.returncode != 0:
            raise RuntimeError(f"building attnlib's wheel failed: {run.stderr.strip()[-2000:]}")
        built = Path(tmp) / wheel_name()
        if not built.is_file():
            raise RuntimeError(f"building attnlib's wheel made {[p.name for p in Path(tmp).glob('*.whl')]}, "
                               f"not {wheel_name()}")
        return Path(shutil.copy2(built, dest / built.name))
