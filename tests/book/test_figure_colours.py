"""The colour checks of the figure tests (figure_colours) can fail, and fail on what a reader would see.

Fast: plain Python, no browser. The browser half (the dark theme drawn by attn_figures.js) is checked by
test_figures.py on every figure, and by test_dark_theme_turns_lightness_over_and_keeps_hue below.
"""

from __future__ import annotations

import pytest
from coloraide import Color
from figure_colours import MIN_APART, VISIONS, apart, palette_problems, scale_at, scale_problems, seen_as

RED, GREEN, BLUE, ORANGE = "#d62728", "#2ca02c", "#1f77b4", "#ff7f0e"
OKABE_ITO = {"orange": "#e69f00", "sky blue": "#56b4e9", "bluish green": "#009e73", "yellow": "#f0e442",
             "blue": "#0072b2", "vermilion": "#d55e00", "reddish purple": "#cc79a7"}


def test_red_and_green_look_alike_with_deuteranopia_and_the_check_says_so():
    assert apart(Color(RED), Color(GREEN), "typical") > 50
    assert apart(Color(RED), Color(GREEN), "deuteranopia") < MIN_APART
    problems = palette_problems([("loss", RED), ("gain", GREEN)], "legend")
    assert problems and "deuteranopia" in problems[0] and "'loss'" in problems[0]


def test_blue_red_and_orange_stay_apart_for_every_reader():
    assert palette_problems([("a", BLUE), ("b", RED), ("c", ORANGE)], "legend") == []


def test_the_threshold_is_calibrated_on_okabe_ito():
    """All but one of the 21 pairs of the palette made for colour-blind readers pass (orange and purple
    come closest, under tritanopia)."""
    problems = palette_problems(list(OKABE_ITO.items()), "legend")
    assert len(problems) == 1 and "tritanopia" in problems[0]


def test_a_red_green_diverging_scale_loses_its_ends_and_a_red_blue_one_keeps_them():
    red_green = [[0, "#b2182b"], [0.5, "#f7f7f7"], [1, "#1b7837"]]
    red_blue = [[0, "#b2182b"], [0.5, "#f7f7f7"], [1, "#2166ac"]]
    assert any("deuteranopia" in p for p in scale_problems(red_green))
    assert scale_problems(red_blue) == []


def test_a_scale_without_visible_steps_fails():
    almost_flat = [[0, "#777777"], [1, "#7a7a7a"]]
    assert len(scale_problems(almost_flat)) == len(VISIONS)


def test_scale_at_interpolates_between_stops_as_plotly_does_in_srgb():
    stops = [[0, "rgb(0, 0, 0)"], [0.5, "rgb(200, 100, 0)"], [1, "rgb(255, 255, 255)"]]
    assert scale_at(stops, 0.25).convert("srgb").to_string(hex=True) == "#643200"
    assert scale_at(stops, 0.5).to_string(hex=True) == "#c86400"
    assert scale_at(stops, 1.0).to_string(hex=True) == "#ffffff"


@pytest.mark.parametrize("vision", [v for v in VISIONS if v != "typical"])
def test_a_simulated_deficiency_keeps_grey_grey(vision):
    grey = Color("#808080")
    assert seen_as(grey, vision).delta_e(grey, method="2000") < 1
