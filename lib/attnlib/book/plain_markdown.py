"""MyST Markdown as plain Markdown, for the chapters' ``.ipynb`` twins.

A chapter's prose uses a few MyST constructs that only the book build understands. Jupyter, Colab and
GitHub's notebook viewer show them as raw text (``:::{admonition}``), and a ``{dropdown}`` solution
would sit in plain sight under its exercise. In a twin they become what every Markdown renderer draws:

* an admonition (``{admonition}``, ``{note}``, ``{tip}``, ``{warning}``, ...) -> a block quote with a bold title;
* a ``{dropdown}`` -> an HTML ``<details>`` block, closed until the reader clicks its summary;
* a ``{margin}`` note -> a block quote;
* ``{doc}`text <page>``` -> a link to the page's twin, ``page.ipynb``; ``{math}``, ``{eq}``, ``{ref}`` ->
  their text; a ``(label)=`` target or a ``%`` comment line -> nothing.

An unknown directive or role is an error, not raw syntax in the twin: teach this module the new one.
"""

from __future__ import annotations

import re

ADMONITIONS = {"admonition", "note", "tip", "hint", "important", "warning", "caution", "attention", "danger",
               "error", "seealso"}
_OPEN = re.compile(r"^(?P<fence>:{3,}|`{3,})\{(?P<name>[\w-]+)\}[ \t]*(?P<arg>.*?)\s*$")
_OPTION = re.compile(r"^:[\w-]+:")
_CODE_FENCE = re.compile(r"^(`{3,}|~{3,})")
_ROLE = re.compile(r"\{(?P<name>[\w:-]+)\}`(?P<body>[^`]*)`")
_TITLED = re.compile(r"^(?P<text>.*?)\s*<(?P<target>[^<>]+)>$")
_TARGET = re.compile(r"^\([\w.:-]+\)=\s*$")


class UnknownSyntax(ValueError):
    pass


def _role(match: re.Match) -> str:
    name, body = match.group("name"), match.group("body")
    titled = _TITLED.match(body)
    text, target = (titled.group("text"), titled.group("target")) if titled else (body, body)
    if name == "doc":
        return f"[{text}]({target.removesuffix('.md')}.ipynb)"
    if name == "math":
        return f"${body}$"
    if name == "eq":
        return f"({body})"
    if name in ("ref", "numref", "term"):
        return text
    raise UnknownSyntax(f"MyST role {{{name}}} has no plain-Markdown form yet (see attnlib.book.plain_markdown)")


def _roles(line: str) -> str:
    return _ROLE.sub(_role, line)


def _quote(lines: list[str]) -> list[str]:
    return [f"> {line}" if line.strip() else ">" for line in lines]


def _directive(name: str, arg: str, body: list[str]) -> list[str]:
    while body and not body[0].strip():
        body = body[1:]
    while body and not body[-1].strip():
        body = body[:-1]
    if name == "dropdown":
        # some renderers (JupyterLab's MyST) draw no disclosure triangle: the summary says what to do
        return ["<details>", f"<summary>{_roles(arg) or 'Show'} (click to open)</summary>", "", *body, "", "</details>"]
    if name in ADMONITIONS:
        title = _roles(arg) if arg else name.capitalize()
        return _quote([f"**{title}**", "", *body])
    if name in ("margin", "sidebar"):
        return _quote(([f"**{_roles(arg)}**", ""] if arg else []) + body)
    raise UnknownSyntax(f"MyST directive {{{name}}} has no plain-Markdown form yet (see attnlib.book.plain_markdown)")


def _convert(lines: list[str]) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        code = _CODE_FENCE.match(line)
        opened = _OPEN.match(line)
        if opened:
            fence = opened.group("fence")
            j = i + 1
            while j < len(lines) and _OPTION.match(lines[j]):  # :class: tip, :open:, ... (no plain form)
                j += 1
            start, depth = j, 0
            while j < len(lines):  # the matching close: the same fence alone, nested directives counted
                inner = _OPEN.match(lines[j])
                if inner and inner.group("fence") == fence:
                    depth += 1
                elif lines[j].rstrip() == fence:
                    if depth == 0:
                        break
                    depth -= 1
                j += 1
            if j == len(lines):
                raise UnknownSyntax(f"MyST directive {{{opened.group('name')}}} opened by {line!r} is never closed")
            out += _directive(opened.group("name"), opened.group("arg"), _convert(lines[start:j]))
            i = j + 1
        elif code:  # a code block is copied as it is, roles and all
            j = i + 1
            while j < len(lines) and lines[j].rstrip() != code.group(1):
                j += 1
            out += lines[i : j + 1]
            i = j + 1
        elif _TARGET.match(line) or line.startswith("%"):
            i += 1
        else:
            out.append(_roles(line))
            i += 1
    return out


def plain_markdown(text: str) -> str:
    """``text`` (a MyST Markdown cell) as Markdown that Jupyter, Colab and GitHub render as the book means it."""
    return "\n".join(_convert(text.split("\n")))
