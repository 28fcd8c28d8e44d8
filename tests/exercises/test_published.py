"""Exercises on the published page: the task, a hidden solution and how to check an answer; no checker verdict.

The published book has no kernel, so an exercise there is always unanswered: its checker cell must say how
to get an answer checked (in a notebook) rather than print a red "not answered" cross. In a live notebook the
same cell shows the verdict. The chapter tests below read every exercise of every chapter as the reader
meets it: the stub cell, its checker call with the stub answer, the solution dropdown and the hidden check.
"""

import ast
import math
from pathlib import Path

import jupytext
import pytest
import torch
from IPython.core.formatters import DisplayFormatter

from attnlib.book.build import ROOT
from attnlib.exercises import IN_A_NOTEBOOK, NOT_ANSWERED, Verdict
from attnlib.exercises.qkv import check_attention

PAGES = sorted((ROOT / "chapters").glob("*.md"))  # the numbered chapters (07b too), intro and appendix


def shown(obj, book: bool, monkeypatch) -> dict[str, str]:
    """What a notebook stores for ``obj`` as a cell's value (every mimetype), live or in the book build."""
    monkeypatch.setenv("ATTN_BOOK_BUILD", "1" if book else "0")
    data, _ = DisplayFormatter().format(obj)
    return data


def assert_note_not_verdict(data: dict[str, str]):
    for text in data.values():
        assert IN_A_NOTEBOOK in text
        assert "✗" not in text and "✓" not in text and "Not answered" not in text and "exercise-verdict" not in text


def test_an_unanswered_exercise_on_the_published_page_says_how_to_check_it(monkeypatch):
    assert_note_not_verdict(shown(NOT_ANSWERED, book=True, monkeypatch=monkeypatch))
    assert_note_not_verdict(shown(check_attention(lambda Q, K, V: None), book=True, monkeypatch=monkeypatch))
    assert not NOT_ANSWERED  # the hidden cells' `assert not check_…(…)` still reads it as wrong


def test_a_live_notebook_shows_the_verdict(monkeypatch):
    live = shown(check_attention(None), book=False, monkeypatch=monkeypatch)
    assert "✗ Not answered yet" in live["text/plain"] and "exercise-verdict" in live["text/html"]
    assert IN_A_NOTEBOOK not in "".join(live.values())


def test_a_real_answer_is_never_replaced_by_the_note(monkeypatch):
    """Only the unanswered verdict becomes the note: a checked answer shows as checked, wherever it runs."""
    def attention(Q, K, V):
        weights = torch.softmax(Q @ K.T / math.sqrt(K.shape[-1]), dim=-1)
        return weights @ V, weights

    right, wrong = check_attention(attention), check_attention(lambda Q, K, V: (V, torch.ones(2, 2)))
    assert right and not wrong
    for verdict, mark in ((wrong, "✗"), (right, "✓"), (Verdict(False, NOT_ANSWERED.message + " "), "✗")):
        data = shown(verdict, book=True, monkeypatch=monkeypatch)
        assert data["text/plain"].startswith(mark) and IN_A_NOTEBOOK not in data["text/html"]


# -- every chapter's exercises ------------------------------------------------------------------------------


def exercises_section(path: Path) -> list:
    """The cells of a page's "## Exercises" section (empty if it has none)."""
    cells, inside = [], False
    for cell in jupytext.read(path).cells:
        if cell.cell_type == "markdown":
            headings = [line for line in cell.source.splitlines() if line.startswith("## ")]
            if headings:
                inside = headings[-1].strip() == "## Exercises"
                if inside:
                    cell = cell.copy()
                    cell.source = cell.source[cell.source.index("## Exercises"):]
        if inside:
            cells.append(cell)
    return cells


def is_hidden(cell) -> bool:
    return "remove-cell" in cell.metadata.get("tags", [])


def checker_calls(tree: ast.AST) -> list[ast.Call]:
    return [n for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
            and n.func.id.startswith("check_")]


class _StandIn:
    """Chapter data a checker call takes (``table``, ``preset.warmup``): an unanswered check never reads it."""

    def __getattr__(self, name):
        return self

    def __getitem__(self, key):
        return self


class _Anything(dict):
    """A namespace in which every name the exercises did not define is a stand-in for the chapter's data."""

    def __missing__(self, name):
        return _StandIn()


def stub_value(cell_source: str, scope: _Anything):
    """What the reader's stub cell leaves in front of its checker: (the checker's result, the checker's name).

    Runs, in ``scope``, the cell's imports, the stub's definitions (``my_x = None``, ``def my_f(...): ...``)
    and its last line, the checker call; names the chapter defined elsewhere are stand-ins, which an
    unanswered check never touches.
    """
    tree = ast.parse(cell_source)
    *body, last = tree.body
    keep = [s for s in body if isinstance(s, (ast.Import, ast.ImportFrom, ast.FunctionDef))
            or (isinstance(s, ast.Assign) and not checker_calls(s) and isinstance(s.value, (ast.Constant, ast.Dict)))]
    exec(compile(ast.Module(keep, type_ignores=[]), "<stub>", "exec"), scope, scope)
    return eval(compile(ast.Expression(last.value), "<stub>", "eval"), scope, scope), last.value.func.id


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.stem)
def test_every_exercise_shows_its_task_solution_and_how_to_check_it_and_no_verdict(path, monkeypatch):
    cells = exercises_section(path)
    if not path.stem[0].isdigit() and not cells:
        return  # intro and appendix have no exercises; if they get some, they are checked like a chapter's
    assert cells, f"{path.name} has no ## Exercises section"
    stubs = [i for i, c in enumerate(cells) if c.cell_type == "code" and not is_hidden(c)]
    assert stubs, f"{path.name}: an Exercises section without an exercise"
    scope = _Anything(torch=torch, math=math)  # the chapter's kernel, as far as its exercises need it
    for i in stubs:
        cell = cells[i]
        tree = ast.parse(cell.source)
        last = tree.body[-1]
        # one checker call per cell, as the cell's value: it shows once, and nothing prints a verdict as well
        assert isinstance(last, ast.Expr) and checker_calls(last) == [last.value], cell.source
        assert checker_calls(tree) == [last.value], f"a second checker call shows a second verdict:\n{cell.source}"
        result, name = stub_value(cell.source, scope)
        assert result == NOT_ANSWERED, f"{name} with the stub answer: {result!r}"
        assert_note_not_verdict(shown(result, book=True, monkeypatch=monkeypatch))
        assert "Not answered yet" in shown(result, book=False, monkeypatch=monkeypatch)["text/html"]
        # then the solution, folded away, and a hidden cell that holds the checker to it
        solution, hidden = cells[i + 1], cells[i + 2]
        assert solution.cell_type == "markdown" and solution.source.startswith("````{dropdown} Solution")
        assert hidden.cell_type == "code" and is_hidden(hidden) and f"assert {name}(" in hidden.source
