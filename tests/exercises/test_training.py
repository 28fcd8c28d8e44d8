"""The training chapter's checkers: smoothed targets and the step where the learning rate halves."""

import pytest
import torch

from attnlib.exercises import NOT_ANSWERED
from attnlib.exercises.training import check_half_peak_step, check_smoothed_targets, half_peak_step
from attnlib.lessons.smoothing import smoothed_targets
from attnlib.translation.train import TrainConfig, lr_at


def solution(targets, V, eps, pad_id):
    targets = torch.tensor(targets)
    q = torch.full((len(targets), V), eps / V)
    q[torch.arange(len(targets)), targets] += 1 - eps
    q[targets == pad_id] = 0
    return q


def other_convention(targets, V, eps, pad_id):
    t = torch.tensor(targets)
    q = torch.full((len(t), V), eps / (V - 1))
    q[torch.arange(len(t)), t] = 1 - eps
    q[t == pad_id] = 0
    return q


def forgot_right_share(targets, V, eps, pad_id):
    q = solution(targets, V, eps, pad_id)
    t = torch.tensor(targets)
    q[torch.arange(len(t)), t] -= eps / V
    q[t == pad_id] = 0
    return q


def pad_rows_kept(targets, V, eps, pad_id):
    t = torch.tensor(targets)
    q = torch.full((len(t), V), eps / V)
    q[torch.arange(len(t)), t] += 1 - eps
    return q


def no_pad_column(targets, V, eps, pad_id):
    q = solution(targets, V, eps, pad_id)
    q[:, pad_id] = 0
    return q / q.sum(-1, keepdim=True).clamp(min=1e-9)


@pytest.mark.parametrize("mistake, hint", [
    (other_convention, "other common convention"),
    (forgot_right_share, "summing to 1"),
    (pad_rows_kept, "all zeros"),
    (no_pad_column, "<pad> column"),
    (lambda t, V, e, p: torch.nn.functional.one_hot(torch.tensor(t), V).float(), "one-hot"),
    (lambda t, V, e, p: torch.zeros(len(t), V + 1), "shape"),
    (lambda t, V, e, p: 1 / 0, "ZeroDivisionError"),
])
def test_smoothing_checker_rejects_plausible_mistakes_with_a_hint(mistake, hint):
    verdict = check_smoothed_targets(mistake)
    assert not verdict and hint in verdict.message


def test_smoothing_checker_accepts_the_solution():
    assert check_smoothed_targets(solution)
    assert check_smoothed_targets(lambda *a: smoothed_targets(a[0], a[1], a[2], a[3]).tolist())
    assert check_smoothed_targets(lambda *a: None) == NOT_ANSWERED


@pytest.mark.parametrize("answer, hint", [(50, "way *up*"), (200, "1/√step"), (300, "× the peak"),
                                          ("soon", "integer")])
def test_half_peak_checker(answer, hint):
    verdict = check_half_peak_step(answer, 100)
    assert not verdict and hint in verdict.message


def test_half_peak_checker_accepts_four_times_the_warm_up():
    assert half_peak_step(100) == 400 and lr_at(400, TrainConfig(lr=1.0, warmup=100)) == pytest.approx(0.5)
    assert check_half_peak_step(400, 100) and check_half_peak_step("400", 100)
    assert check_half_peak_step(None, 100) == NOT_ANSWERED
