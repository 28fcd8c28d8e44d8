"""The library reference, generated from the modules' own docstrings, so that it cannot drift from the code.

    rows = module_table()           # one dict per module: its name, summary and main members
    text = module_markdown(rows)    # the same as Markdown (CommonMark), as the appendix shows it

A module's *main members* are the public functions and classes it defines (those in ``__all__`` when
it has one), without command-line ``main`` functions. Each gets the first paragraph of its docstring.
The figure functions of ``attnlib.figures`` and the checkers of ``attnlib.exercises`` belong to single
chapters; they are listed by module only.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import pkgutil
import re
from types import ModuleType

PACKAGE = "attnlib"
BY_MODULE_ONLY = ("attnlib.figures", "attnlib.exercises")
SKIP_MEMBERS = ("main",)
MAX_SUMMARY = 220
MAX_PARAMETERS = 6

_ROLE = re.compile(r":[a-z]+:`(~?)([^`]+)`")  # :func:`~attnlib.x.f` -> f, :mod:`attnlib.lessons.toy` -> attnlib.lessons.toy
_DOUBLE_TICKS = re.compile(r"``(.+?)``")
# Escaped outside code spans. `*` and `_` are left alone: docstrings use *emphasis* as Markdown does, and
# CommonMark never reads an underscore inside a word (d_k) as emphasis.
_MARKDOWN_SPECIAL = re.compile(r"([\\\[\]<>|~&$#])")


def module_names(package: str = PACKAGE) -> list[str]:
    """Every module of ``package``, the package itself first, then in alphabetical order.

    Command-line entry points (``__main__``) run when imported, so they are left out: their package's
    docstring and the modules they call document them."""
    pkg = importlib.import_module(package)
    names = [m.name for m in pkgutil.walk_packages(pkg.__path__, package + ".") if not m.name.endswith(".__main__")]
    return [package] + sorted(names)


def summary(obj, limit: int = MAX_SUMMARY) -> str:
    """The first paragraph of ``obj``'s own docstring on one line (``""`` when it has none), at most ``limit``
    characters. A dataclass's generated ``Name(field, ...)`` docstring does not count."""
    doc = obj.__doc__ if isinstance(obj.__doc__, str) else None  # own docstring: classes do not inherit it
    if not doc or (inspect.isclass(obj) and doc.startswith(obj.__name__ + "(")):
        return ""
    first = inspect.cleandoc(doc).split("\n\n")[0]
    text = " ".join(line.strip() for line in first.splitlines())
    text = _ROLE.sub(lambda m: "``" + (m.group(2).split(".")[-1] if m.group(1) else m.group(2)) + "``", text)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def signature_text(obj) -> str:
    """``name(a, b, *, c)``: the parameter names of a function or a class's constructor, no defaults."""
    name = obj.__name__
    try:
        params = list(inspect.signature(obj).parameters.values())
    except (TypeError, ValueError):
        return name
    parts, star = [], False
    for p in params[:MAX_PARAMETERS]:
        if p.kind is p.VAR_POSITIONAL:
            parts.append("*" + p.name)
            star = True
        elif p.kind is p.VAR_KEYWORD:
            parts.append("**" + p.name)
        else:
            if p.kind is p.KEYWORD_ONLY and not star:
                parts.append("*")
                star = True
            parts.append(p.name)
    if len(params) > MAX_PARAMETERS:
        parts.append("…")
    return f"{name}({', '.join(parts)})"


def members(module: ModuleType) -> list[dict]:
    """The main members of ``module``: ``name``, ``kind`` ("function" or "class"), ``signature``, ``summary``.

    A class without a docstring of its own is described by its ``forward`` (or ``__init__``) docstring.
    """
    chosen = getattr(module, "__all__", None)
    out = []
    for name, obj in vars(module).items():
        if name.startswith("_") or name in SKIP_MEMBERS or (chosen is not None and name not in chosen):
            continue
        if not (inspect.isfunction(obj) or inspect.isclass(obj)) or getattr(obj, "__module__", None) != module.__name__:
            continue
        text = summary(obj)
        if not text and inspect.isclass(obj):
            for method in ("forward", "__init__"):
                if method in vars(obj) and (text := summary(vars(obj)[method])):
                    break
        kind = "class" if inspect.isclass(obj) else "function"
        out.append({"name": name, "kind": kind, "signature": signature_text(obj), "summary": text})
    return out


def command(name: str, module: ModuleType) -> str | None:
    """The shell command that runs a module's own ``main`` (None when it has none).

    The ``__main__`` of an enclosing package, the nearest first, may run it: as the whole command
    (``python -m attnlib.book``), or as one of its ``COMMANDS``, which name modules relative to that package
    (``python -m attnlib.translation train`` runs ``attnlib.translation.train``, and
    ``python -m attnlib.translation corpus`` runs ``attnlib.translation.corpus.splits``)."""
    main = getattr(module, "main", None)
    if not (inspect.isfunction(main) and main.__module__ == name):
        return None
    parts = name.split(".")
    for depth in range(len(parts) - 1, 0, -1):
        package, relative = ".".join(parts[:depth]), ".".join(parts[depth:])
        if importlib.util.find_spec(f"{package}.__main__") is None:
            continue
        entry = importlib.import_module(f"{package}.__main__")  # guarded by `if __name__ == "__main__"`
        for word, target in getattr(entry, "COMMANDS", {}).items():
            if target == relative:
                return f"python -m {package} {word}"
        if getattr(entry, "main", None) is main:
            return f"python -m {package}"
    return f"python -m {name}"


def module_table(package: str = PACKAGE) -> list[dict]:
    """One row per module: ``module``, ``summary``, ``runnable`` (its shell command, see :func:`command`) and
    ``members`` (empty for the chapters' demo and exercise modules, see :data:`BY_MODULE_ONLY`)."""
    rows = []
    for name in module_names(package):
        module = importlib.import_module(name)
        by_module_only = name.startswith(tuple(m + "." for m in BY_MODULE_ONLY)) or name in BY_MODULE_ONLY
        rows.append({
            "module": name,
            "summary": summary(module),
            "runnable": command(name, module),
            "members": [] if by_module_only or name == package else members(module),
        })
    return rows


def markdown_text(text: str) -> str:
    """Docstring text as CommonMark: ``double ticks`` become code spans; outside code spans every
    character with a meaning in Markdown (or in the notebook's maths) is escaped."""
    text = _DOUBLE_TICKS.sub(lambda m: "`" + m.group(1) + "`", text)
    pieces = re.split(r"(`[^`]*`)", text)
    return "".join(p if p.startswith("`") and p.endswith("`") and len(p) > 1 else _MARKDOWN_SPECIAL.sub(r"\\\1", p)
                   for p in pieces)


def module_markdown(rows: list[dict] | None = None) -> str:
    """The reference as Markdown: a paragraph and a list of members per library module, then one list of the
    chapters' demo and exercise modules."""
    rows = module_table() if rows is None else rows
    blocks, chapter_modules = [], []
    for row in rows:
        line = f"**`{row['module']}`**: {markdown_text(row['summary'])}"
        if row["module"].startswith(BY_MODULE_ONLY):
            if row["module"] not in BY_MODULE_ONLY:
                chapter_modules.append(f"- `{row['module']}`: {markdown_text(row['summary'])}")
            continue
        if row["runnable"]:
            line += f" Runnable: `{row['runnable']}`."
        items = [f"- `{m['signature']}`" + (f": {markdown_text(m['summary'])}" if m["summary"] else "")
                 for m in row["members"]]
        blocks.append("\n".join([line, "", *items]) if items else line)
    if chapter_modules:
        blocks.append("**The chapters' demos and exercise checkers**\n\n" + "\n".join(chapter_modules))
    return "\n\n".join(blocks) + "\n"
