// The page's translator rules (lib/attnlib/book/live_translator.js) against the answers Python wrote.
// Run by tests/book/test_page_rules.py, which writes the answers and names them in ATTN_PAGE_RULES:
//   ATTN_PAGE_RULES=rules.json node --test tests/book/page_rules.test.js
"use strict";

const { test } = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const util = require("node:util");

const rules = require(path.join(__dirname, "..", "..", "lib", "attnlib", "book", "live_translator.js"));

if (!process.env.ATTN_PAGE_RULES) {
  throw new Error("ATTN_PAGE_RULES names no file: run `pytest tests/book/test_page_rules.py`, which writes it");
}
const fixture = JSON.parse(fs.readFileSync(process.env.ATTN_PAGE_RULES, "utf8"));
const config = fixture.config;
const tokenizer = new rules.Tokenizer(config.tokenizer);
const index = new Map(config.source_tokens.map((t, i) => [t, i]));

/** Every case where the page and Python differ, shown ten at a time with what each said. */
function assertAllEqual(cases, page, python, what) {
  const differ = cases.map((c) => ({ input: c, page: page(c), python: python(c) }))
    .filter((d) => !util.isDeepStrictEqual(d.page, d.python));
  assert.equal(differ.length, 0, `${differ.length} of ${cases.length} ${what} differ from Python:\n`
    + differ.slice(0, 10).map((d) => JSON.stringify(d)).join("\n"));
}


test("the tokenizer splits as Python's", () => {
  assertAllEqual(fixture.sentences, (c) => tokenizer.tokenize(c.text), (c) => c.tokens, "tokenisations");
});

test("source ids and input messages are Python's", () => {
  const page = (c) => {
    try {
      return { ids: rules.sourceIds(config, tokenizer, index, c.text) };
    } catch (err) {
      if (!(err instanceof rules.InputError)) throw err;
      return { error: err.message };
    }
  };
  assertAllEqual(fixture.sentences, page, (c) => ("ids" in c ? { ids: c.ids } : { error: c.error }), "answers");
});

test("numbers are written as Python writes them", () => {
  assertAllEqual(fixture.numbers, (c) => [rules.cellText(c.value), rules.fixed(c.value, 3)],
    (c) => [c.cell, c.hover], "numbers");
});

test("long sentences get upright labels where Python's figure has them", () => {
  // Python's None is "plotly chooses", which the page writes as undefined
  assertAllEqual(fixture.columns, (c) => rules.tickAngle(c.columns, config.display) ?? null, (c) => c.angle, "angles");
});

test("numbers are written in the same maps as Python's (where the cells are wide enough)", () => {
  const wide = config.display.min_cell_px;
  assertAllEqual(fixture.cells, (c) => rules.numbered(c.cells, wide, config.display), (c) => c.numbered, "maps");
  assert.equal(rules.numbered(1, wide - 1, config.display), false);  // too narrow for a number: colour only
});
