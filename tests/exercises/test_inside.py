"""The inside-the-translator chapter's checkers: alignment accuracy and the best head."""

import pytest

from attnlib.exercises.inside import check_alignment_accuracy, check_best_head
from attnlib.figures import inside
from attnlib.translation.alignment import alignment_accuracy


def _solution(weights, alignment):
    gold = {}
    for i, j in alignment:
        gold.setdefault(j, set()).add(i)
    best = weights.argmax(dim=-1)
    return sum(int(best[j]) in gold[j] for j in gold) / len(gold)


def _mistake(argmax_dim=-1, divide_by_rows=False, swap=False, count=False):
    def fn(weights, alignment):
        gold = {}
        for i, j in alignment:
            a, b = (i, j) if swap else (j, i)
            gold.setdefault(a, set()).add(b)
        best = weights.argmax(dim=argmax_dim)
        hits = sum(int(best[j]) in gold[j] for j in gold if j < len(best))
        return hits if count else hits / (weights.shape[0] if divide_by_rows else len(gold))
    return fn


@pytest.mark.parametrize("mistake, hint", [
    (_mistake(argmax_dim=0), "argmax(dim=-1)"),
    (_mistake(divide_by_rows=True), "without a gold link"),
    (_mistake(swap=True), "other way round"),
    (_mistake(count=True), "number of hits"),
    (lambda w, a: 0.3, "should be"),
])
def test_alignment_checker_rejects_plausible_mistakes(mistake, hint):
    verdict = check_alignment_accuracy(mistake)
    assert not verdict and hint in verdict.message


def test_alignment_checker_accepts_the_solution_and_the_library():
    assert check_alignment_accuracy(_solution)
    assert check_alignment_accuracy(alignment_accuracy)
    assert "Not answered" in check_alignment_accuracy(lambda w, a: None).message


def test_best_head_checker():
    table = inside.head_table()
    layer, head, _ = table.best_head()
    assert check_best_head((layer + 1, head + 1), table)
    zero_based = check_best_head((layer, head), table)
    assert not zero_based and ("counted from 0" in zero_based.message or "darkest" in zero_based.message)
    assert "two numbers" in check_best_head("layer one", table).message
    other = (1, 1) if (layer, head) != (0, 0) else (2, 2)
    assert not check_best_head(other, table)
