# Two entry points for a newcomer: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test setup clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

demo: $(STAMP)
	$(BIN)/vnfacts ingest corpus/articles --db data/vnfacts.db

test: $(STAMP)
	$(BIN)/python -m pytest -q

clean:
	rm -rf $(VENV) data/vnfacts.db
