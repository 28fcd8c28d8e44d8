"""The whole book, built as `make book` builds it: every page executes, every figure survives."""

import json
import re

import pytest
from book_pages import toc_pages

pytestmark = pytest.mark.book


def test_every_page_in_the_table_of_contents_is_built(built_book):
    for page in toc_pages():
        assert (built_book / f"{page}.html").is_file(), page


def test_no_cell_failed_and_no_figure_was_dropped(built_book):
    for page in toc_pages():
        html = (built_book / f"{page}.html").read_text()
        assert "Traceback (most recent call last)" not in html, page
        assert 'class="output error"' not in html, page
        # a plotly figure myst-nb could not render leaves its mimetype behind instead of a plot
        assert "application/vnd.plotly.v1+json" not in html, page


def test_chapters_ship_figures_that_use_the_sites_own_plotly(built_book):
    for page in toc_pages()[1:]:
        html = (built_book / f"{page}.html").read_text()
        assert html.count("attnFigures.plot(") >= 1, f"{page} shows no figure"
        assert "cdn.plot.ly" not in html, page
        assert re.search(r'<script src="\.\./_static/plotly(-cartesian)?\.min\.js', html), page
    for bundle in ("plotly.min.js", "plotly-cartesian.min.js"):  # the whole of plotly.js, for a page that needs it
        assert (built_book / "_static" / bundle).stat().st_size > 1_000_000


def figures(html: str) -> list[tuple[list, dict]]:
    """(data, layout) of every plotly figure on a page."""
    out = []
    for m in re.finditer(r'attnFigures\.plot\(\s*"[^"]+",\s*(\[.*?\]),\s*(\{.*?\}),\s*\{"displaylogo"', html, re.S):
        out.append((json.loads(m.group(1)), json.loads(m.group(2))))
    return out


def test_queries_keys_values_has_page_controls_that_switch_attention_maps(built_book):
    html = (built_book / "chapters" / "02_queries_keys_values.html").read_text()
    figs = figures(html)
    assert figs, "no figure could be parsed"
    specs = [json.loads(t.replace("<\\/", "</")) for t in
             re.findall(r'<script type="application/json" class="attn-fig-spec">(.*?)</script>', html, re.S)]
    tables = [spec for spec in specs if spec.get("params")]
    assert tables, "no figure has page controls"
    controlled = [(d, l) for d, l in figs if len(d) == tables[0]["n"]]
    data, layout = controlled[0]
    heatmaps = [t for t in data if t["type"] == "heatmap"]
    assert len(heatmaps) > 1 and sum(t.get("visible", True) is True for t in data) == 1
    assert len({json.dumps(t["z"]) for t in heatmaps}) == len(heatmaps)  # every state is a different map
    # the page's own controls: a menu or a slider per parameter, named by a label
    assert re.search(r'<label for="ctl-[0-9a-f]+-0">', html) and ('<select id="ctl-' in html or 'type="range"' in html)
    assert "_static/attn_figures.js" in html  # the script that links them to the states


def test_every_chapter_can_be_downloaded_as_a_clean_notebook(built_book):
    import nbformat

    for page in toc_pages()[1:]:
        html = (built_book / f"{page}.html").read_text()
        assert f"_sources/{page}.ipynb" in html, f"{page} offers no .ipynb download"
        nb = nbformat.read(built_book / "_sources" / f"{page}.ipynb", as_version=4)
        nbformat.validate(nb)
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert code and all(not c.outputs for c in code), page  # made from the source: nothing pre-run
        assert "install" in code[0].metadata["tags"], page  # first: install the library where it is missing
        assert "from attnlib.book import setup" in code[1].source, page
