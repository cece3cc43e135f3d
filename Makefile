# The two commands on the README's first screen: `make up` and `make test`.
# Both install from nothing: a pinned uv in .tools/, then the locked deps in .venv/.
PY ?= python3.11
UV_VERSION := 0.13.9
UV := .tools/bin/uv
VENV := .venv
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: install up test lint deadcode typecheck unit integration e2e bench clean

$(UV):
	$(PY) -m venv .tools
	.tools/bin/pip install --quiet uv==$(UV_VERSION)

$(VENV)/.installed: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --python $(PY)
	@touch $@

install: $(VENV)/.installed

up: install
	$(VENV)/bin/academichub up

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/vulture

# Names defined and never used (vulture, at the confidence and with the names that
# [tool.vulture] in pyproject.toml gives); part of `make lint`.
deadcode: install
	$(VENV)/bin/vulture

typecheck: install
	$(VENV)/bin/mypy cli bench shared services

unit: install
	$(VENV)/bin/pytest -q tests/unit

test: lint typecheck
	$(VENV)/bin/pytest -q -p no:cacheprovider

# Default sizes: about 5 minutes in all on 2 shared cores (ingest ~20 s, match ~50 s plus
# ~2 min for the semantic radars, embed ~30 s, relevance ~15 s once the corpus's vectors
# are cached under var/cache/embeddings -- the first run embeds them, ~2-3 min --, briefing
# ~1 min on the same cached vectors, search ~80 s, most of it loading the 100k-paper store).
bench: install
	$(VENV)/bin/academichub bench ingest
	$(VENV)/bin/academichub bench match
	$(VENV)/bin/academichub bench pipeline
	$(VENV)/bin/academichub bench embed
	$(VENV)/bin/academichub bench nearest
	$(VENV)/bin/academichub bench relevance
	$(VENV)/bin/academichub bench briefing
	$(VENV)/bin/academichub bench search
	$(VENV)/bin/academichub bench backfill

clean:
	rm -rf $(VENV) .tools .mypy_cache .ruff_cache .pytest_cache
