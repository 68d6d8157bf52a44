# Two commands do everything: `make demo` and `make test`. Both create .venv,
# install the project into it and make sure Graphviz's `dot` is there.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
OUT    := out
EXAMPLE := examples/defined-manufacturer.yaml

SERVE_PORT ?= 8000

.PHONY: serve demo test setup graphviz pango bytecode bench bench-selection eval docs check clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test,pdf,web]'
	@touch $(STAMP)

setup: $(STAMP) graphviz pango bytecode

# Compile Accord's own modules once (pip does this for installed packages):
# a cold `accord` run then skips compiling them, even where the environment
# sets PYTHONDONTWRITEBYTECODE. Up-to-date files are skipped.
bytecode: $(STAMP)
	@$(BIN)/python -m compileall -q expert cli.py cli_consult.py cli_organisation.py cli_web.py

# Drawing SVG/PNG/PDF needs the system `dot` program. Install it where we can;
# everything else works without it.
graphviz:
	@command -v dot >/dev/null 2>&1 || { \
	  if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Graphviz (apt-get install graphviz)..."; \
	    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz >/dev/null; \
	  elif command -v brew >/dev/null 2>&1; then brew install graphviz; \
	  else echo "NOTE: Graphviz 'dot' is missing and could not be installed here; install it"; \
	       echo "      (Debian/Ubuntu: sudo apt-get install graphviz; macOS: brew install graphviz)"; \
	       echo "      to draw SVG/PNG/PDF. Text, JSON, GraphML, Mermaid and CSV work without it."; \
	  fi; }

# The PDF report (WeasyPrint) needs the Pango text libraries. Debian and Ubuntu
# images with any text stack have them; install them where we can.
pango:
	@ldconfig -p 2>/dev/null | grep -q 'libpangoft2-1.0' || { \
	  if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Pango for the PDF report (apt-get install libpango-1.0-0 libpangoft2-1.0-0)..."; \
	    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 >/dev/null; \
	  else echo "NOTE: the Pango libraries are missing; 'accord diagnose -o report.pdf' will say what to install."; \
	  fi; }

demo: setup
	@mkdir -p $(OUT)
	$(BIN)/accord diagnose --answers $(EXAMPLE)
	$(BIN)/accord diagnose --answers $(EXAMPLE) --format json -o $(OUT)/diagnosis.json
	$(BIN)/accord diagnose --answers $(EXAMPLE) -o $(OUT)/report.html
	$(BIN)/accord diagnose --answers $(EXAMPLE) -o $(OUT)/report.pdf
	$(BIN)/accord export --answers $(EXAMPLE) --format svg -o $(OUT)/plan.svg
	$(BIN)/accord export --answers $(EXAMPLE) --format png -o $(OUT)/plan.png

# The web shell with a demo organisation whose heads of sales and marketing have answered; the demo
# consultant's login is printed. Data in out/demo.db (a fresh one each time).
serve: setup
	@mkdir -p $(OUT) && rm -f $(OUT)/demo.db $(OUT)/demo.db-wal $(OUT)/demo.db-shm
	$(BIN)/accord serve --db sqlite:///$(OUT)/demo.db --port $(SERVE_PORT) \
	  --demo examples/respondents/uralpack-sales.yaml --demo examples/respondents/uralpack-marketing.yaml

# The tests run on every core (pytest-xdist; an idle worker takes tests queued for a busy one, so the
# long 10,000-sheet tests do not leave the other core idle): the suite keeps under five minutes on two.
test: setup
	$(BIN)/python -m pytest -n auto --dist worksteal

check: setup
	$(BIN)/accord kb check

docs: setup
	$(BIN)/accord kb docs -o docs

bench: setup
	$(BIN)/python bench/diagnose.py
	$(BIN)/python bench/diagnose.py --engine experta --cold-runs 2
	$(BIN)/python bench/engine.py
	$(BIN)/python bench/batch.py
	$(BIN)/python bench/selection.py --sheets 200

# Question selection on the 1,000 generated sheets of issue 14 (about half an hour on two cores).
bench-selection: setup
	$(BIN)/python bench/selection.py --sheets 1000

# The advice on the development cases of ../shared/cases (scored by its scorer).
eval: setup
	@$(BIN)/python bench/eval_cases.py

clean:
	rm -rf $(OUT) build dist .pytest_cache .hypothesis
