# Two entry points for a newcomer: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test setup clean browser

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

demo: $(STAMP)
	$(BIN)/vnfacts ingest corpus/articles --db data/vnfacts.db

test: $(STAMP) browser
	$(BIN)/python -m pytest -q

# The browser test drives Debian's chromium (Playwright cannot download its own
# browser here): install it when it is missing, as root or through sudo.
browser:
	@command -v chromium >/dev/null || { \
		sudo=""; [ "$$(id -u)" -eq 0 ] || sudo="sudo"; \
		echo "installing Debian's chromium for the browser test" >&2; \
		$$sudo apt-get update -qq && $$sudo apt-get install -y -qq --no-install-recommends chromium >/dev/null \
		|| echo "warning: could not install chromium; the browser test will fail" >&2; }

clean:
	rm -rf $(VENV) data/vnfacts.db
