"""Sphinx extension: the book serves all of its JavaScript itself, so pages work offline.

* plotly.js comes from the installed ``plotly`` Python package (its version always matches the figures),
  with plotly.js's cartesian bundle of the same version (npm) beside it: a page whose figures need only
  its trace types loads that smaller one (:func:`plotly_bundle`). Either loads before any AMD loader, so
  ``window.Plotly`` exists;
* MathJax and require.js (for bertviz) come from the npm packages pinned in ``package.json`` and
  installed into ``node_modules/`` by ``make``; d3 and jQuery (for bertviz) from the package's own
  ``vendor/`` folder, which its live notebooks use too;
* with ``$ATTN_SITE_URL`` set, the library's own wheel (``wheels/``), which the chapters' ``.ipynb``
  twins install (:mod:`attnlib.book.notebooks`);
* onnxruntime-web (its single-threaded WebAssembly build only), the shipped translator exported to ONNX
  (``translator/``) and the shipped language models (``language_models/``) serve the pages that run a model
  in the browser (:mod:`attnlib.book.live`, :mod:`attnlib.book.live_lm`); those pages load the runtime, their
  scripts and the one model each element needs, the others nothing of it.

Each file is copied once into the site's ``_static/`` and shared by every page.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import plotly

from attnlib.paths import SOURCE_TREE
from . import notebooks
from . import live, live_lm
from .wheel import build_wheel, wheel_name

ROOT = SOURCE_TREE
NODE_MODULES = ROOT / "node_modules"
PACKAGE_VENDOR = Path(__file__).parent / "vendor"
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"  # every trace type
# plotly.js's cartesian bundle, of the same version: under half the bytes, and evaluated in about a third of the
# time, which a page's parser waits for. A page whose figures need no other trace type loads it instead.
PLOTLY_CARTESIAN_JS = NODE_MODULES / "plotly.js-cartesian-dist-min" / "plotly-cartesian.min.js"
CARTESIAN_TRACES = frozenset({"bar", "box", "contour", "heatmap", "histogram", "histogram2d", "histogram2dcontour",
                              "image", "pie", "scatter", "scatterternary", "violin"})
# site path under _static/ -> its source
PLOTLY_BUNDLES = {"plotly.min.js": PLOTLY_JS, "plotly-cartesian.min.js": PLOTLY_CARTESIAN_JS}

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
    versions = {name: plotly_version(src) for name, src in PLOTLY_BUNDLES.items()}
    if len(set(versions.values())) != 1:
        raise MissingAsset(f"plotly.js bundles of different versions: {versions}. The cartesian bundle must be the "
                           "version plotly (Python) ships: set it in package.json and run `npm install`.")
    static.mkdir(parents=True, exist_ok=True)
    for name, src in PLOTLY_BUNDLES.items():
        shutil.copy2(src, static / name)
    shutil.copy2(BOOK_CSS, static / "book.css")
    shutil.copy2(Path(__file__).parent / FIGURE_SCRIPT, static / FIGURE_SCRIPT)
    for name in LIVE_FILES:  # the models that run in the page
        shutil.copy2(Path(__file__).parent / name, static / name)
    for target, src in VENDOR.items():
        dest = static / target
        dest.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dest, dirs_exist_ok=True)
        else:
            shutil.copy2(src, dest)


class UnfinishedModel(RuntimeError):
    """The book would show a model whose training was stopped before its end."""


def check_finished(model, what: str = "translator", make: str = "make translator") -> None:
    """Refuse to publish an unfinished run: its numbers and outputs are not the book's."""
    if model.unfinished:
        raise UnfinishedModel(f"the shipped {what} is not finished: {model.unfinished}, or train it again "
                              f"with `{make}`")


def export_translator(static: Path) -> None:
    """The shipped checkpoint as ONNX graphs and a JSON file, in ``static/translator/``."""
    from attnlib.translation.onnx_export import export_translator as export
    from attnlib.translation.translator import Translator

    shutil.rmtree(static / "translator", ignore_errors=True)
    translator = Translator.load(device="cpu")
    check_finished(translator)
    export(translator, static / "translator", page={"display": live.DISPLAY})


def export_language_models(static: Path) -> None:
    """The shipped language models as ONNX graphs and a JSON file, in ``static/language_models/``."""
    from attnlib.lm.onnx_export import export_language_models as export
    from attnlib.lm.trained import TrainedLM

    shutil.rmtree(static / live_lm.MODEL_FOLDER, ignore_errors=True)
    models = {kind: TrainedLM.load(kind=kind, device="cpu") for kind in ("causal", "masked")}
    for kind, lm in models.items():
        check_finished(lm, f"{kind} language model", "make lm")
    export(static / live_lm.MODEL_FOLDER, **models, page={"display": live_lm.DISPLAY})


def publish_wheel(static: Path) -> None:
    """The library's wheel in ``static/wheels/``, for the twins to install, when the site's address is known."""
    shutil.rmtree(static / "wheels", ignore_errors=True)
    if notebooks.site_url():
        build_wheel(static / "wheels")


def _builder_inited(app) -> None:
    static = Path(app.outdir).parent / ".book_static"
    collect_assets(static)
    export_translator(static)
    export_language_models(static)
    publish_wheel(static)
    app.config.html_static_path.append(str(static))


TEMPLATES = Path(__file__).parent / "templates"  # theme components by name, made accessible (see each file)


def _config_inited(app, config) -> None:
    config.mathjax_path = MATHJAX_PATH
    config.templates_path = [str(TEMPLATES), *config.templates_path]
    notebooks.repository()  # a malformed repository or site URL stops the build here, with its reason
    notebooks.site_url()


def plotly_version(bundle: Path) -> str:
    """The version a plotly.js bundle names in its header ("plotly.js (cartesian - minified) v4.1.1")."""
    found = re.search(r"plotly\.js[^\n]*? v(\d+\.\d+\.\d+)", bundle.read_text(encoding="utf-8")[:400])
    if not found:
        raise MissingAsset(f"{bundle} does not say which plotly.js it is")
    return found.group(1)


_FIGURE_CALL = re.compile(r'attnFigures\.plot\(\s*"[^"]+",\s*(\[.*?\]),\s*\{.*?\},\s*\{"displaylogo"', re.S)


def plotly_bundle(body: str) -> str:
    """The plotly.js a page whose HTML body is ``body`` loads (a key of :data:`PLOTLY_BUNDLES`): the cartesian
    bundle when every trace of its figures is of a type it draws, else the whole of plotly.js."""
    for call in _FIGURE_CALL.finditer(body):
        try:
            traces = json.loads(call.group(1))
        except ValueError:  # a figure this reading cannot parse: load everything
            return "plotly.min.js"
        if any(t.get("type", "scatter") not in CARTESIAN_TRACES for t in traces):
            return "plotly.min.js"
    return "plotly-cartesian.min.js"


def _plotly(app, pagename, templatename, context, doctree) -> None:
    """The page's plotly.js (:func:`plotly_bundle`), before require.js, so that Plotly becomes a global."""
    app.add_js_file(plotly_bundle(context.get("body", "")), priority=100)


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


@dataclass(frozen=True)
class LiveElement:
    """An element that runs a model in the page: what marks it in a page's body, its worker (started in the
    head under ``name``, and sent ``first(body)`` at once when that is not None) and the page's scripts."""

    marker: str
    name: str
    worker: str
    scripts: tuple[str, ...]
    first: Callable[[str], dict] | None = None


def _lm_models(body: str) -> dict:
    """The language models a page's elements need, for the worker to load at once."""
    return {"type": "load", "kinds": [kind for cls, kind in live_lm.ELEMENT_KINDS.items() if f" {cls}\"" in body]}


LIVE_ELEMENTS = (
    LiveElement(f'class="{live.ELEMENT_CLASS}"', "translator", live.WORKER, live.SCRIPTS),
    LiveElement('class="attn-live-lm ', "lm", live_lm.WORKER, live_lm.SCRIPTS, _lm_models),
)
# every script the elements need, their workers' included, copied once into _static/
LIVE_FILES = tuple(dict.fromkeys(name for e in LIVE_ELEMENTS for name in (*e.scripts, e.worker))) \
    + live.WORKER_SCRIPTS


def live_scripts(body: str, static: str) -> list[tuple[str | None, str | None]]:
    """What a page whose HTML body is ``body`` loads for its elements that run a model, in order: ``(None,
    code)`` for the few lines that start a worker, ``(name, None)`` for a script of ``_static/`` (deferred);
    ``static`` is the path from the page to ``_static/``. Nothing for a page without such an element.

    The worker starts in the head, at once, before plotly.js is evaluated: the model then loads while the page
    is parsed (a script, even async, would wait for the parser to pause, which plotly.js keeps busy), and
    what it says before the page's scripts listen is kept. A page opened as a file can start no worker (the
    page's scripts then say how to serve the book)."""
    scripts: list[tuple[str | None, str | None]] = []
    for element in LIVE_ELEMENTS:
        if element.marker not in body:
            continue
        first = f"w.postMessage({json.dumps(element.first(body))}); " if element.first else ""
        scripts.append((None, f"window.attnLiveWorkers = window.attnLiveWorkers || {{}}; "
                              f"window.attnLiveWorkers[{element.name!r}] = (() => {{ "
                              f"if (location.protocol === 'file:') return null; "
                              f"const w = new Worker({static + element.worker!r}); w.early = []; "
                              f"w.onmessage = (e) => w.early.push(e.data); w.onerror = () => w.early.push("
                              f"{{type: 'error', message: 'its worker did not start'}}); {first}return w; }})();"))
        scripts += [(name, None) for name in element.scripts if (name, None) not in scripts]  # a shared one, once
    return scripts


def _live_elements(app, pagename, templatename, context, doctree) -> None:
    """The scripts of a page's elements that run a model (:func:`live_scripts`), in its head; other pages load
    none of them."""
    static = context["pathto"]("_static/", 1)
    for name, code in live_scripts(context.get("body", ""), static):
        if name is None:  # before plotly.js (priority 100), whose evaluation holds the parser for a second
            app.add_js_file(None, body=code, priority=50)
        else:  # this page only (Sphinx resets the list)
            app.add_js_file(name, loading_method="defer")


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
    app.connect("html-page-context", _live_elements, priority=400)  # before the dedupe copies the list
    app.connect("html-page-context", _plotly, priority=400)
    app.connect("html-page-context", _dedupe_scripts)
    app.connect("html-page-context", _notebook_download, priority=500)  # the theme's buttons come at 501
    app.connect("html-page-context", _launch_buttons, priority=502)
    app.add_js_file(FIGURE_SCRIPT, priority=101)
    app.add_js_file("vendor/require.js", priority=900)  # AMD loader for bertviz's views
    app.add_css_file("book.css")
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
