"""Every page passes axe-core's WCAG 2.0 and 2.1 A and AA rules with no serious or critical finding, at a
laptop's width and at a phone's, the theme's own parts included; and at the laptop's width in the dark theme,
which the page takes from the reader's system setting (figures, translator and bertviz follow it).

axe-core (a development dependency in package.json, installed by ``npm ci``) is injected into each page
of the built book in headless Chromium, after its figures are drawn.
"""

from __future__ import annotations

import json

import pytest
from book_pages import new_tab, toc_pages, wait_for_figures

from attnlib.book.build import ROOT

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
RULE_SETS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
WIDTHS = (1280, 390)
SETTLE_MS = 1500  # figures drawn, bertviz frames filled


def findings(page) -> list[dict]:
    """axe-core's serious and critical violations on ``page``: rule, impact, and up to three elements."""
    page.add_script_tag(content=AXE.read_text())
    return page.evaluate("""async (tags) => {
        const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
        return result.violations.filter((v) => v.impact === "serious" || v.impact === "critical")
            .map((v) => ({rule: v.id, impact: v.impact, count: v.nodes.length, help: v.help,
                          where: v.nodes.slice(0, 3).map((n) => n.target.join(" "))}));
    }""", RULE_SETS)


@pytest.mark.parametrize(("width", "scheme"), [(w, "light") for w in WIDTHS] + [(WIDTHS[0], "dark")])
def test_no_page_has_a_serious_accessibility_finding(chromium, site, width, scheme):
    assert AXE.is_file(), f"{AXE} is missing: run `npm ci` (make does)"
    found = {}
    with new_tab(chromium, viewport={"width": width, "height": 900}, color_scheme=scheme) as page:
        for name in toc_pages():
            page.goto(f"{site}{name}.html")
            wait_for_figures(page)
            page.wait_for_timeout(SETTLE_MS)
            problems = findings(page)
            if problems:
                found[name] = problems
    assert not found, f"at {width} px, {scheme}:\n" + json.dumps(found, indent=1)
