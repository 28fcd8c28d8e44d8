"""The book's pages: how long each is in words of prose, and the introduction's map of all of them."""

import re

import pytest
from book_pages import ROOT, toc_pages

from attnlib.book.pages import PROSE_WORD_LIMIT, prose_words

# Pages held to a shorter limit than PROSE_WORD_LIMIT: the corpus chapter comes before any training, and a
# reader should reach the training quickly.
SHORTER = {"chapters/08_corpus": 2500}


def limit(page: str) -> int:
    return SHORTER.get(page, PROSE_WORD_LIMIT)


def test_every_page_in_the_table_of_contents_is_within_its_word_limit():
    counts = {page: prose_words((ROOT / f"{page}.md").read_text(encoding="utf-8")) for page in toc_pages()}
    over = [page for page, n in counts.items() if n > limit(page)]
    report = "\n".join(f"  {'OVER ' if page in over else '     '}{n:5d} / {limit(page)}  {page}"
                       for page, n in counts.items())
    assert not over, f"pages over their limit of prose words (attnlib.book.pages.prose_words):\n{report}"
    assert set(SHORTER) <= set(counts), "a page with its own limit left the table of contents"


PAGE = """---
jupytext:
  formats: md:myst
---

# A title

Some *prose* with `code spans`, {doc}`a role <elsewhere>`, $x^2 + y$ math and a [link](https://example.org).

```{code-cell} ipython3
:tags: [remove-cell]

these = "words are code"
```

$$
\\sum_i \\text{display math}
$$

:::{admonition} Two words
:class: tip
- a list item;
:::

````{dropdown} Solution
```python
def code(): ...
```
The explanation counts.
````

| word-by-word | don't |
|---|---|
| — | 1 |

<span class="x">tagged</span> <!-- a comment -->
"""


def test_prose_words_counts_prose_and_nothing_else():
    # "A title" (2) + "Some prose with, a role, math and a link." (9) + "a list item;" (3) + "The explanation
    # counts." (3) + the table: word-by-word, don't, 1 (3) + "tagged" (1)
    assert prose_words(PAGE) == 21
    assert prose_words("`all code`") == 0 and prose_words("$all math$") == 0
    assert prose_words("{doc}`appendix` {math}`a <b>` ``a`b <c>``") == 0  # untitled roles, math, code: nothing
    assert prose_words("one\n\n+++\n\ntwo") == 2  # a jupytext cell boundary is no word
    assert prose_words(":::{note}\n---\nclass: x\n---\nin a note\n:::") == 3  # a directive's YAML options


def test_every_chapter_has_prose_to_count():
    """The count reads real pages: a change in the markup must not silently zero them."""
    for page in toc_pages():
        text = (ROOT / f"{page}.md").read_text(encoding="utf-8")
        assert prose_words(text) > 300, page
        assert prose_words(text) < len(text.split()), page  # the code and the maths are left out


# -- the introduction's map ----------------------------------------------------------------------------------

def map_targets(intro: str) -> list[str]:
    """The pages the introduction's chapter map links to, in order, as paths like those of ``toc_pages``."""
    section = intro.split("## The map", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("|")]
    return [f"chapters/{target.strip()}" for row in rows
            for target in re.findall(r"\{doc\}`(?:[^`<]*<)?([^`<>]+)>?`", row)]


def test_the_introductions_map_lists_every_page_of_the_table_of_contents_in_order():
    pages = [page for page in toc_pages() if page != "chapters/intro"]
    targets = map_targets((ROOT / "chapters" / "intro.md").read_text(encoding="utf-8"))
    missing = [page for page in pages if page not in targets]
    assert not missing, f"the introduction's map leaves out {missing}"
    assert targets == pages, f"the introduction's map lists {targets}, _toc.yml {pages}"


@pytest.mark.parametrize("row, target", [
    ("| I | {doc}`1. Why attention <01_why_attention>` | Why? |", "chapters/01_why_attention"),
    ("| A | {doc}`appendix` | Reference |", "chapters/appendix"),
])
def test_map_rows_are_read_by_their_link_target(row, target):
    intro = f"# Intro\n\n## The map\n\n{row}\n| II | 9. A row without a link | ? |\n\n## Notation\n\n| {{doc}}`x` |\n"
    assert map_targets(intro) == [target]  # a row without a link names no page; the next section is not the map
