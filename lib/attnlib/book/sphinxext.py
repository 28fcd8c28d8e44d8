"""Sphinx extension: the book serves all of its JavaScript itself, so pages work offline.

* plotly.js comes from the installed ``plotly`` Python package (its version always
  matches the figures) and loads before any AMD loader, so ``window.Plotly`` exists;
* MathJax and require.js (for bertviz) come from the npm packages pinned in ``package.json`` and
  installed into ``node_modules/`` by ``make``; d3 and jQuery (for bertviz) from the package's own
  ``vendor/`` folder, which its live notebooks use too;
* with ``$ATTN_SITE_URL`` set, the library's own wheel (``wheels/``), which the chapters' ``.ipynb``
  twins install (:mod:`attnlib.book.notebooks`);
* onnxruntime-web (its single-threaded WebAssembly build only) and the shipped translator exported
  to ONNX (``translator/``) serve the pages that translate in the browser (:mod:`attnlib.book.live`);
  those pages load them, the others do not.

Each file is copied once into the site's ``_static/`` and shared by every page.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import plotly

from attnlib.paths import SOURCE_TREE
from . import notebooks
from .live import DISPLAY as LIVE_DISPLAY, ELEMENT_CLASS, SCRIPTS as LIVE_SCRIPTS
from .wheel import build_wheel, wheel_name

ROOT = SOURCE_TREE
NODE_MODULES = ROOT / "node_modules"
PACKAGE_VENDOR = Path(__file__).parent / "vendor"
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"

# site path under _static/  ->  source (a file, or a folder copied whole)
VENDOR = {
    "vendor/require.js": NODE_MODULES / "requirejs" / "require.js",
    "vendor/d3.min.js": PACKAGE_VENDOR / "d3.min.js",  # the package's copies: its notebooks inline them too
    "vendor/jquery.min.js": PACKAGE_VENDOR / "jquery.min.js",
    "vendor/mathjax/tex-mml-chtml.js": NODE_MODULES / "mathjax" / "es5" / "tex-mml-chtml.js",
    "vendor/mathjax/output/chtml/fonts/woff-v2": NODE_MODULES / "mathjax" / "es5" / "output" / "chtml" / "fonts" / "woff-v2",
    # the global-script build with the WebAssembly backend only, and the one binary it loads
    **{f"vendor/onnxruntime-web/{name}": NODE_MODULES / "onnxruntime-web" / "dist" / name
       for name in ("ort.wasm.min.js", "ort-wasm-simd-threaded.mjs", "ort-wasm-simd-threaded.wasm")},
}
MATHJAX_PATH = "vendor/mathjax/tex-mml-chtml.js"  # relative to _static/
BOOK_CSS = Path(__file__).parent / "book.css"  # the book's own styles
FIGURE_SCRIPT = "attn_figures.js"  # the figures' controls, descriptions and data tables


class MissingAsset(RuntimeError):
    pass


def collect_assets(static: Path) -> None:
    """Copy plotly.js and the vendored npm files into ``static``."""
    missing = [str(src) for src in VENDOR.values() if not src.exists()]
    if missing:
        raise MissingAsset(
            "the book's JavaScript dependencies are not installed: " + ", ".join(missing)
            + ". Run `npm ci` in the repository root (make does this)."
        )
    static.mkdir(parents=True, exist_ok=True)
    shutil.copy2(PLOTLY_JS, static / "plotly.min.js")
    shutil.copy2(BOOK_CSS, static / "book.css")
    shutil.copy2(Path(__file__).parent / FIGURE_SCRIPT, static / FIGURE_SCRIPT)
    for name in LIVE_SCRIPTS:  # the translator that runs in the page
        shutil.copy2(Path(__file__).parent / name, static / name)
    for target, src in VENDOR.items():
        dest = static / target
        dest.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dest, dirs_exist_ok=True)
        else:
            shutil.copy2(src, dest)


class UnfinishedModel(RuntimeError):
    """The book would show a translator whose training was stopped before its end."""


def check_finished(translator) -> None:
    """Refuse to publish an unfinished run: its numbers and translations are not the book's."""
    if translator.unfinished:
        raise UnfinishedModel(f"the shipped translator is not finished: {translator.unfinished}, or train it again "
                              f"with `make translator`")


def export_translator(static: Path) -> None:
    """The shipped checkpoint as ONNX graphs and a JSON file, in ``static/translator/``."""
    from attnlib.translation.onnx_export import export_translator as export
    from attnlib.translation.translator import Translator

    shutil.rmtree(static / "translator", ignore_errors=True)
    translator = Translator.load(device="cpu")
    check_finished(translator)
    export(translator, static / "translator", page={"display": LIVE_DISPLAY})


def publish_wheel(static: Path) -> None:
    """The library's wheel in ``static/wheels/``, for the twins to install, when the site's address is known."""
    shutil.rmtree(static / "wheels", ignore_errors=True)
    if notebooks.site_url():
        build_wheel(static / "wheels")


def _builder_inited(app) -> None:
    static = Path(app.outdir).parent / ".book_static"
    collect_assets(static)
    export_translator(static)
    publish_wheel(static)
    app.config.html_static_path.append(str(static))


TEMPLATES = Path(__file__).parent / "templates"  # theme components by name, made accessible (see each file)


def _config_inited(app, config) -> None:
    config.mathjax_path = MATHJAX_PATH
    config.templates_path = [str(TEMPLATES), *config.templates_path]
    notebooks.repository()  # a malformed repository or site URL stops the build here, with its reason
    notebooks.site_url()


def _dedupe_scripts(app, pagename, templatename, context, doctree) -> None:
    """Drop repeated inline scripts: sphinx-thebe's settings script reaches the page twice
    (once with filename None, once with ''), and the second ``const`` declaration throws."""
    seen, unique = set(), []
    for script in context.get("script_files", []):
        key = (getattr(script, "filename", script) or "", getattr(script, "priority", None),
               tuple(sorted((k, str(v)) for k, v in getattr(script, "attributes", {}).items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique


def _live_translator(app, pagename, templatename, context, doctree) -> None:
    """A page that shows the in-page translator loads its script in the head, ``async``: the model then
    loads (in a worker) while the page is parsed and its figures drawn. Other pages never load it."""
    if f'class="{ELEMENT_CLASS}"' not in context.get("body", ""):
        return
    # a few lines in the head start the worker at once (an async script would wait for the parser
    # to pause, which the page's figures keep busy); what it says before the script below listens is kept
    worker = context["pathto"](f"_static/{LIVE_SCRIPTS[1]}", 1)
    # (a page opened as a file can start no worker: the script below says how to serve the book instead)
    app.add_js_file(None, body=f"window.attnLiveWorker = (() => {{ if (location.protocol === 'file:') return null; "
                               f"const w = new Worker({worker!r}); w.early = []; "
                               f"w.onmessage = (e) => w.early.push(e.data); w.onerror = () => w.early.push("
                               f"{{type: 'error', message: 'its worker did not start'}}); return w; }})();")
    app.add_js_file(LIVE_SCRIPTS[0], loading_method="async")  # this page only (Sphinx resets the list)


def _notebook_download(app, pagename, templatename, context, doctree) -> None:
    """Offer each chapter as a clean ``.ipynb`` (made from its MyST source, not committed; see
    :mod:`attnlib.book.notebooks`).

    Runs just before the theme builds its header buttons, which then list the ``.ipynb``
    in the page's download menu.
    """
    if "kernelspec" not in app.env.metadata.get(pagename, {}):
        return
    source = Path(app.env.doc2path(pagename))
    if source.suffix != ".md":
        return
    site = notebooks.site_url()
    wheel = f"{site}{notebooks.WHEELS}/{wheel_name()}" if site else None
    notebooks.write_twin(source, Path(app.outdir) / "_sources" / f"{pagename}.ipynb",
                         notebooks.install_source(wheel, notebooks.repository()))
    context["ipynb_source"] = f"{pagename}.ipynb"


def _launch_buttons(app, pagename, templatename, context, doctree) -> None:
    """Colab and Binder buttons on every chapter, when the repository is known (after the theme's own buttons)."""
    repo = notebooks.repository()
    if repo is None or "ipynb_source" not in context:
        return
    context.setdefault("header_buttons", []).append(notebooks.launch_group(pagename, repo))


def _name_code_toggles(app, pagename, templatename, context, doctree) -> None:
    """myst-nb's "show code" toggle carries an aria-label that names it otherwise than its visible words (a
    reader who says "click show code cell source" must reach it): without it, the words are its name."""
    if "body" in context:
        context["body"] = context["body"].replace('<summary aria-label="Toggle hidden content">', "<summary>")


def setup(app):
    app.connect("config-inited", _config_inited)
    app.connect("html-page-context", _name_code_toggles)
    app.connect("builder-inited", _builder_inited)
    app.connect("html-page-context", _live_translator, priority=400)  # before the dedupe copies the list
    app.connect("html-page-context", _dedupe_scripts)
    app.connect("html-page-context", _notebook_download, priority=500)  # the theme's buttons come at 501
    app.connect("html-page-context", _launch_buttons, priority=502)
    app.add_js_file("plotly.min.js", priority=100)  # before require.js: Plotly must be a global
    app.add_js_file(FIGURE_SCRIPT, priority=101)
    app.add_js_file("vendor/require.js", priority=900)  # AMD loader for bertviz's views
    app.add_css_file("book.css")
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
