"""Automatic checkers for the book's exercises.

A checker takes the reader's answer and returns a :class:`Verdict`, which shows
as a green tick or a red cross with a hint. It never raises: an exception in the
reader's code becomes part of the hint, so a notebook keeps running.

The published book has no kernel, so its readers cannot answer there: in the book
build (:func:`attnlib.book.display.in_book_build`) an unanswered exercise's verdict shows
:data:`IN_A_NOTEBOOK`, how to get an answer checked, instead of a red cross.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any, Callable


@dataclass(frozen=True)
class Verdict:
    correct: bool
    message: str

    def __bool__(self) -> bool:
        return self.correct

    def _published(self) -> bool:
        """Whether this is an unanswered exercise on the published page."""
        from attnlib.book.display import in_book_build  # here, not at the top: display imports plotly, checkers need none

        return self == NOT_ANSWERED and in_book_build()

    def __repr__(self) -> str:
        if self._published():
            return IN_A_NOTEBOOK
        return ("✓ " if self.correct else "✗ ") + self.message

    def _repr_html_(self) -> str:
        if self._published():  # grey, no mark: a note on using the cell, not a verdict
            return ('<div class="exercise-note" style="border-left:4px solid #8c959f;padding:4px 10px;color:#57606a;">'
                    f'{html.escape(IN_A_NOTEBOOK)}</div>')
        color, mark = ("#1a7f37", "✓") if self.correct else ("#b35900", "✗")
        return (f'<div class="exercise-verdict" style="border-left:4px solid {color};padding:4px 10px;">'
                f'<b style="color:{color}">{mark}</b> {html.escape(self.message)}</div>')


def not_answered(answer: Any) -> bool:
    return answer is None or answer is Ellipsis


NOT_ANSWERED = Verdict(False, "Not answered yet: write your answer in the cell above and run the check again.")
IN_A_NOTEBOOK = "Run this chapter as a notebook and this cell checks your answer."


def guarded(check: Callable[..., Verdict]) -> Callable[..., Verdict]:
    """Turn a crash in the reader's code into a verdict with the error message."""

    def wrapper(answer, *args, **kwargs) -> Verdict:
        if not_answered(answer):
            return NOT_ANSWERED
        try:
            return check(answer, *args, **kwargs)
        except Exception as err:  # the reader's code may raise anything
            return Verdict(False, f"Your code raised {type(err).__name__}: {err}")

    wrapper.__name__ = check.__name__
    wrapper.__doc__ = check.__doc__
    return wrapper
