"""The library's folders are its layers: each may import only the layers below it, and only the
libraries it needs besides the standard library.

    model        the Transformer: torch
    paths        where the data lives: nothing
    files        writing files so that nothing is lost: nothing
    measure      timing, memory, threads, the machine: torch (psutil for a process tree's memory)
    translation  the translator: model, paths, measure; torch, tqdm, sacrebleu, nltk (the IBM aligners, imported
                 only when one is trained)
    lm           the language models' sampling and generation: model, translation, paths, measure, files;
                 torch, tqdm, nltk
    lessons      what the chapters compute: model, translation, lm, paths, measure; torch, numpy
    book         the book's machinery: anything above, but not figures or exercises (drawn with it);
                 plotly, the notebook and build tools (IPython, ipywidgets, jupytext, nbclient, nbformat), bertviz
    figures      one module per concept's figures: anything but exercises; torch, numpy, plotly, IPython
    exercises    the checkers: anything but figures; torch

plotly is for pictures: only book/ and figures/ import it.
"""

import ast
import sys
from pathlib import Path

import pytest

import attnlib

PACKAGE = Path(attnlib.__file__).parent
BASE = {"attnlib.paths", "attnlib.measure", "attnlib.files"}
MAY_IMPORT = {
    "attnlib.model": {"attnlib.model"},
    "attnlib.paths": set(),
    "attnlib.measure": set(),
    "attnlib.files": set(),
    "attnlib.translation": {"attnlib.model", "attnlib.translation", *BASE},
    "attnlib.lm": {"attnlib.model", "attnlib.translation", "attnlib.lm", *BASE},
    "attnlib.lessons": {"attnlib.model", "attnlib.translation", "attnlib.lm", "attnlib.lessons", *BASE},
    "attnlib.book": {"attnlib", "attnlib.model", "attnlib.translation", "attnlib.lm", "attnlib.lessons",
                     "attnlib.book", *BASE},
    "attnlib.figures": {"attnlib", "attnlib.model", "attnlib.translation", "attnlib.lm", "attnlib.lessons",
                        "attnlib.book", "attnlib.figures", *BASE},
    "attnlib.exercises": {"attnlib", "attnlib.model", "attnlib.translation", "attnlib.lm", "attnlib.lessons",
                          "attnlib.book", "attnlib.exercises", *BASE},
    "attnlib": {"attnlib.model"},  # the package's own __init__: the model API
}
# the libraries besides the standard library each layer may import (a relative import is attnlib's own)
THIRD_PARTY = {
    "attnlib.model": {"torch"},
    "attnlib.paths": set(),
    "attnlib.files": set(),
    "attnlib.measure": {"torch", "psutil"},
    "attnlib.translation": {"torch", "tqdm", "sacrebleu", "nltk"},
    "attnlib.lm": {"torch", "tqdm", "nltk"},
    "attnlib.lessons": {"torch", "numpy"},
    "attnlib.book": {"torch", "numpy", "plotly", "IPython", "ipywidgets", "jupytext", "nbclient", "nbformat",
                     "bertviz"},
    "attnlib.figures": {"torch", "numpy", "plotly", "IPython"},
    "attnlib.exercises": {"torch"},
    "attnlib": set(),
}
PLOTLY_LAYERS = {"attnlib.book", "attnlib.figures"}
MAX_LINES = 400
LONG_ALLOWED = ("attnlib.translation.corpus.",)  # the corpus grammar: realiser and sampler are long by nature


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(source: str, name: str, is_package: bool) -> set[str]:
    """Every module ``source`` imports, function-level imports included, relative ones resolved."""
    package = name if is_package else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module
            found.add(target)
            found |= {f"{target}.{alias.name}" for alias in node.names}  # `from attnlib import toy` names a module
    return found


def layer_of(module: str) -> str:
    """``attnlib.lessons.cost`` -> ``attnlib.lessons``; ``attnlib.paths`` -> itself; ``attnlib`` -> itself."""
    parts = module.split(".")
    return ".".join(parts[:2]) if len(parts) > 1 else module


def problems(name: str, imports: set[str], known: set[str]) -> list[str]:
    layer = layer_of(name)
    out = {}  # one line per forbidden layer or library, naming the deepest module imported from it
    for imported in sorted(imports):
        top = imported.split(".")[0]
        if top not in sys.stdlib_module_names | {"attnlib"} | THIRD_PARTY[layer]:
            out[top] = (f"{name} imports {imported}: {layer} may use only {sorted(THIRD_PARTY[layer])} besides "
                        f"the standard library")
        if top != "attnlib" or imported not in known:
            continue  # another library, or a name imported from a module (not a module itself)
        target = "attnlib.model" if imported == "attnlib" else layer_of(imported)  # the package is the model API
        if target != layer and target not in MAY_IMPORT[layer]:
            out[target] = f"{name} imports {imported}: {layer} may import only {sorted(MAY_IMPORT[layer])}"
    return list(out.values())


def library() -> dict[str, tuple[str, bool]]:
    return {module_name(p): (p.read_text(encoding="utf-8"), p.name == "__init__.py") for p in PACKAGE.rglob("*.py")}


def test_every_module_imports_only_the_layers_below_it():
    modules = library()
    known = set(modules) | {"attnlib"}
    assert {layer_of(m) for m in modules} <= set(MAY_IMPORT), "a new top-level module: give it a layer here"
    assert set(THIRD_PARTY) == set(MAY_IMPORT), "say which libraries each layer may import"
    found = [p for name, (source, is_pkg) in modules.items()
             for p in problems(name, imported_modules(source, name, is_pkg), known)]
    assert not found, "\n".join(found)


def test_only_the_drawing_layers_may_import_plotly():
    assert {layer for layer, libraries in THIRD_PARTY.items() if "plotly" in libraries} == PLOTLY_LAYERS


@pytest.mark.parametrize("name, source, wrong", [
    ("attnlib.model.attention", "from attnlib.book import plots\n", "attnlib.book.plots"),
    ("attnlib.model.attention", "import plotly.graph_objects as go\n", "plotly.graph_objects"),
    ("attnlib.model.device", "import numpy as np\n", "numpy"),
    ("attnlib.model.device", "def seed():\n    from numpy.random import seed\n", "numpy.random"),
    ("attnlib.paths", "import torch\n", "torch"),
    ("attnlib.exercises.heads", "import plotly.express as px\n", "plotly.express"),
    ("attnlib.translation.train", "def f():\n    from ..lessons import toy\n", "attnlib.lessons.toy"),
    ("attnlib.translation.decoding", "from attnlib.lm import sampling\n", "attnlib.lm.sampling"),
    ("attnlib.lm.sampling", "from ..book import plots\n", "attnlib.book.plots"),
    ("attnlib.lm.generate", "import sacrebleu\n", "sacrebleu"),
    ("attnlib.lessons.cost", "from attnlib.figures import cost\n", "attnlib.figures.cost"),
    ("attnlib.book.demo", "from ..figures.heads import head_maps\n", "attnlib.figures.heads"),
])
def test_the_check_sees_a_wrong_import_wherever_it_hides(name, source, wrong):
    known = set(library()) | {"attnlib"}
    found = problems(name, imported_modules(source, name, False), known)
    assert len(found) == 1 and wrong in found[0]


def test_no_module_outside_the_corpus_grammar_is_over_400_lines():
    long = {name: source.count("\n") for name, (source, _) in library().items()
            if source.count("\n") > MAX_LINES and not name.startswith(LONG_ALLOWED)}
    assert not long, f"split these into modules named after their concepts: {long}"
