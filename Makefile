# Attention, Interactively: build the book, run its tests, train its translator.
# Every target sets up .venv first (Python 3.11+), so a fresh clone needs only `make book` or `make test`.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
BUILD  := _build/html
# -W: warnings are errors; -n: nitpicky references; --keep-going: report every failing page.
JB_FLAGS := -W -n --keep-going

.PHONY: book check test lab translator evaluate translate lm generate bench clean venv

venv: $(STAMP)

$(STAMP): requirements.txt constraints.txt pyproject.toml package.json package-lock.json
	@test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	npm ci --no-audit --no-fund --loglevel=error
	@touch $(STAMP)

book: $(STAMP)
	$(PY) -m attnlib.book build
	@echo "The book is built: open $(abspath $(BUILD))/index.html"

# The fast tier: every test that needs neither the built book, nor a browser, nor a subprocess that installs,
# trains or runs notebooks (a bare `pytest` runs the same tests, in one process). Two processes share them
# out a test file at a time (pytest-xdist); the page's JavaScript rules run under Node among them.
check: $(STAMP)
	$(PY) -m pytest -n 2 --dist loadfile

# Every test (-m "" lifts the fast tier's filter). The browser tests drive a Chromium: found on the machine,
# named by ATTN_CHROMIUM, or installed with apt.
test: $(STAMP)
	$(PY) tests/browser.py --ensure
	$(PY) -m pytest -m ""

lab: $(STAMP)
	$(VENV)/bin/jupyter lab chapters/

# The translator of Part II: train the shipped checkpoint, score it, use it.
translator: $(STAMP)
	$(PY) -m attnlib.translation train --out data/translator.pt --slim

evaluate: $(STAMP)
	@$(PY) -m attnlib.translation evaluate --checkpoint data/translator.pt --split test

# TEXT reaches the translator exactly as typed, quotes and $(...) included: make hands it over in the
# environment, unexpanded ($(value ...)), and no shell command line ever holds it.
TEXT ?= the black cat sees the dog
translate: export ATTN_TEXT = $(value TEXT)
translate: $(STAMP)
	@$(PY) -m attnlib.translation translate --checkpoint data/translator.pt --from-env ATTN_TEXT

# The language models of Part III (the book's GPT and BERT): train the two shipped checkpoints
# (data/lm-causal.pt, data/lm-masked.pt) as they were trained, on one thread, and sample from the causal one.
lm: $(STAMP)
	$(PY) -m attnlib.lm train --kind causal --slim --threads 1
	$(PY) -m attnlib.lm train --kind masked --slim --threads 1

# PROMPT reaches the model exactly as typed, as TEXT reaches the translator: through the environment.
PROMPT ?= the black cat
generate: export ATTN_PROMPT = $(value PROMPT)
generate: $(STAMP)
	@$(PY) -m attnlib.lm generate --from-env ATTN_PROMPT

# Benchmarks: ratios against torch measured side by side, written to benchmarks/results.json.
# BENCH_ARGS=--quick checks the machinery in seconds; BENCH_ARGS=--skip-slow leaves out training and the book build.
BENCH_ARGS ?=
bench: $(STAMP)
	$(PY) benchmarks/run.py $(BENCH_ARGS)

clean:
	rm -rf _build .pytest_cache
