PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint samples bench fuzz clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python samples/demo.py

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/pytest -q

# The fuzz test at length (before a release): FUZZ_EXAMPLES generated files per property (default 2000).
fuzz: $(STAMP)
	HYPOTHESIS_PROFILE=fuzz $(BIN)/pytest -q -p no:cacheprovider tests/test_fuzz.py --hypothesis-show-statistics

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports

samples: $(STAMP)
	$(BIN)/python samples/make_samples.py

bench: $(STAMP)
	$(BIN)/python benchmarks/images.py
	$(BIN)/python benchmarks/dead_host.py
	$(BIN)/python benchmarks/contact_detection.py
	$(BIN)/python benchmarks/in_process.py
	$(BIN)/python benchmarks/vs_frictionless.py
	$(BIN)/python benchmarks/moderation.py
	$(BIN)/python benchmarks/bulk_2000.py
	$(BIN)/python benchmarks/refresh_feeds.py
	$(BIN)/python benchmarks/ingest_latency.py
	$(BIN)/python benchmarks/hostile_patterns.py

clean:
	rm -rf $(VENV) var .pytest_cache
