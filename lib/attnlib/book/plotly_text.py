"""Text as plotly draws it: its markup (<b>, <sup>, <br>), the lines it breaks into, and word wrap."""

from __future__ import annotations

import re

_TAGS = re.compile(r"</?(b|i|em|sup|sub|span|br|a)\b[^>]*>", re.I)  # what plotly draws; "<pad>" is a word
_BR = re.compile(r"<br\s*/?>", re.I)


def plain(text: str) -> str:
    """Text as a reader sees it: without the <b>, <i>, <sub> tags plotly draws."""
    return _TAGS.sub("", text)


def lines(text: str | None) -> list[str]:
    """The lines of a text as plotly draws them (``<br>`` breaks a line), without their markup."""
    return [plain(line) for line in _BR.split(text or "")]


def wrap(text: str, chars: int) -> str:
    """Text in lines of at most ``chars`` visible characters, broken at spaces; plotly's markup (<b>, <sup>)
    travels with its word. A text with markup that holds spaces (a styled span) is left as it is."""
    if not text or re.search(r"<[^>]*\s[^>]*>", text):
        return text
    out = []
    for paragraph in _BR.split(text):
        line = ""
        for word in paragraph.split(" "):
            if line and len(plain(f"{line} {word}")) > chars:
                out.append(line)
                line = word
            else:
                line = f"{line} {word}" if line else word
        out.append(line)
    return "<br>".join(out)
