"""Sphinx extension: serve the book's JavaScript from the site itself.

plotly.js is taken from the installed ``plotly`` Python package (so its version
always matches the figures) and loaded once per page from ``_static/``, before
any AMD loader, so that ``window.Plotly`` exists for every figure.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import plotly

PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


def _add_static(app) -> None:
    static = Path(app.outdir).parent / ".book_static"
    static.mkdir(parents=True, exist_ok=True)
    shutil.copy2(PLOTLY_JS, static / "plotly.min.js")
    app.config.html_static_path.append(str(static))


def setup(app):
    app.connect("builder-inited", _add_static)
    app.add_js_file("plotly.min.js", priority=100)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
