"""The book's pages as a reader reads them: how many words of prose each one asks a reader to get through.

:func:`prose_words` counts the words of a page's prose, the yardstick for a page's length
(:data:`PROSE_WORD_LIMIT`): code, mathematics and markup are not counted, because a reader does not read
them as running text. ``tests/book/test_pages.py`` holds every page of ``_toc.yml`` to its limit.
"""

from __future__ import annotations

import re
from pathlib import Path

#: The most words of prose one page may hold (:func:`prose_words`).
PROSE_WORD_LIMIT = 3000

# MyST directives whose body is code or mathematics, not prose
_CODE_DIRECTIVES = {"code-cell", "code", "code-block", "sourcecode", "math", "raw", "literalinclude", "eval-rst"}
_FENCE = re.compile(r"^\s*(?P<fence>`{3,}|~{3,}|:{3,})\s*(?P<info>.*)$")
_OPTION = re.compile(r"^\s*:[\w-]+:(\s|$)")  # ":class: tip", ":tags: [remove-cell]"
_ROLE_OR_CODE = re.compile(r"(?:\{(?P<role>[\w:-]+)\})?(?P<ticks>`+)(?P<body>(?:(?!(?P=ticks)).)+)(?P=ticks)")
_TITLED = re.compile(r"^(?P<title>.*?)\s*<[^<>]*>$", re.S)  # "chapter 11b <11b_what_it_refers_to>"
_INLINE_MATH = re.compile(r"\$\$[^$]+\$\$|\$[^$\n]+\$")
_HTML = re.compile(r"<!--.*?-->|</?[A-Za-z][^<>]*>", re.S)
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")  # [text](target) -> text; an image's alt text counts too
_WORD = re.compile(r"[^\W_]")  # a letter or a digit


def _front_matter_end(lines: list[str]) -> int:
    if lines and lines[0].strip() == "---":
        for i in range(1, len(lines)):
            if lines[i].strip() == "---":
                return i + 1
    return 0


def prose_lines(text: str) -> list[str]:
    """The lines of a MyST-markdown page that hold prose, as :func:`prose_words` defines it, with the code
    spans, roles, inline math, HTML tags and link targets still in them."""
    lines = text.splitlines()
    out: list[str] = []
    i = _front_matter_end(lines)
    closing: list[str] = []  # the fences of the prose directives we are inside, innermost last
    while i < len(lines):
        line = lines[i]
        m = _FENCE.match(line)
        if closing and line.strip() == closing[-1]:
            closing.pop()
            i += 1
            continue
        if m:
            fence, info = m.group("fence"), m.group("info").strip()
            directive = re.match(r"\{([\w:-]+)\}", info)
            if directive and directive.group(1) not in _CODE_DIRECTIVES:
                # a prose directive (admonition, dropdown, note, figure...): its options are not prose
                closing.append(fence)
                i += 1
                if i < len(lines) and lines[i].strip() == "---":  # options as a YAML block
                    i += 1
                    while i < len(lines) and lines[i].strip() != "---":
                        i += 1
                    i += 1
                while i < len(lines) and _OPTION.match(lines[i]):
                    i += 1
                continue
            # code: a code cell, a fenced block, or a directive of code or math; skip to its closing fence
            i += 1
            while i < len(lines) and not (lines[i].strip().startswith(fence[0] * len(fence))
                                          and not lines[i].strip().strip(fence[0])):
                i += 1
            i += 1
            continue
        stripped = line.strip()
        if stripped.startswith("$$"):  # display math, on one line or several
            rest = stripped[2:]
            if "$$" not in rest:
                i += 1
                while i < len(lines) and "$$" not in lines[i]:
                    i += 1
            i += 1
            continue
        if stripped.startswith("+++"):  # a jupytext cell boundary
            i += 1
            continue
        out.append(line)
        i += 1
    return out


def _shown(match: re.Match) -> str:
    """What a code span or a role leaves of its text: a role's title (``{doc}`title <target>```), else nothing."""
    titled = _TITLED.match(match.group("body")) if match.group("role") not in (None, "math", "eq") else None
    return f" {titled.group('title')} " if titled else " "


def prose_words(text: str) -> int:
    """How many words of prose a MyST-markdown page (a chapter's ``.md`` file) holds.

    Prose is the page's Markdown outside its code: headings, paragraphs, lists, table cells, admonitions
    and dropdowns (a solution's explanation counts, its code does not). Not counted:

    * the jupytext front matter (``---`` … ``---``) and jupytext cell boundaries (``+++``);
    * code cells (```` ```{code-cell} ````) and every other fenced block of code, and MyST directives whose
      body is code or mathematics (``{code-block}``, ``{math}``, ``{raw}``, …), bodies included;
    * the opening line of every other directive (```` ```{dropdown} Solution ````, ``:::{admonition}``),
      its option lines (``:class: tip``, or a ``---`` YAML block) and its closing fence;
    * mathematics: display math (``$$ … $$``, on one line or several) and inline math (``$ … $``);
    * code spans (`` `like this` ``), and MyST roles but for the title they show: {doc}`` `chapter 11b
      <11b_what_it_refers_to>` `` counts *chapter 11b*; a role without a title, or ``{math}``, counts nothing;
    * HTML tags and comments, and a link's target (the text of ``[text](target)`` counts).

    A word is then a whitespace-separated piece of what is left that holds at least one letter or digit:
    *word-by-word* and *don't* are one word each, a dash or a table's ``|`` none.
    """
    words = 0
    for line in prose_lines(text):
        line = _ROLE_OR_CODE.sub(_shown, line)
        line = _INLINE_MATH.sub(" ", line)
        line = _HTML.sub(" ", line)
        line = _LINK.sub(r" \1 ", line)
        words += sum(1 for token in line.split() if _WORD.search(token))
    return words


def page_prose_words(path: str | Path) -> int:
    """:func:`prose_words` of the page at ``path`` (``chapters/08_corpus.md``)."""
    return prose_words(Path(path).read_text(encoding="utf-8"))
