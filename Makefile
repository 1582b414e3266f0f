# Two commands for a fresh clone: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

CONSTRAINTS := constraints.txt

.PHONY: demo test clean-venv constraints

# Installs the exact versions in constraints.txt, so that a test never depends on the
# day's package releases; pyproject.toml keeps the ranges. The 'dev' extra holds the test
# tools and cross-checks (semopy, pingouin), 'notebooks' JupyterLab for notebooks/.
$(STAMP): pyproject.toml $(CONSTRAINTS)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -c $(CONSTRAINTS) -e '.[dev,notebooks]'
	touch $(STAMP)

# The dashboard's browser tests drive Debian's chromium (never a downloaded browser): installed here
# where the machine allows (root with apt-get); otherwise those tests are skipped and say why.
test: $(STAMP)
	@command -v chromium >/dev/null || (command -v apt-get >/dev/null && apt-get install -y -qq chromium >/dev/null 2>&1) \
	  || echo "note: Chromium not installed (apt-get install chromium); the dashboard's browser tests will be skipped"
	$(PY) -m pytest -q -n 2

EXAMPLE := data/example/responses.sav

# The main job on the shipped example study: check, validate, analyse, report
# (English and Dutch reports in reports/example/, and the interactive dashboard.html beside them).
demo: $(STAMP)
	$(VENV)/bin/drivers check $(EXAMPLE)
	$(VENV)/bin/drivers validate $(EXAMPLE) --by organisation
	$(VENV)/bin/drivers analyse $(EXAMPLE) --by organisation --bootstrap 2000 --seed 1
	$(VENV)/bin/drivers report $(EXAMPLE) --by organisation --lang en --bootstrap 2000 --seed 1 --out reports/example
	$(VENV)/bin/drivers report $(EXAMPLE) --by organisation --lang nl --bootstrap 2000 --seed 1 --out reports/example/nl
	$(VENV)/bin/drivers dashboard $(EXAMPLE) --by organisation --bootstrap 2000 --seed 1 -o reports/example/dashboard.html

clean-venv:
	rm -rf $(VENV)

# Refresh constraints.txt on purpose: newest releases within pyproject.toml's ranges,
# resolved in a throw-away environment; then run `make clean-venv test` and commit both.
constraints:
	rm -rf .venv-constraints
	$(PYTHON) -m venv .venv-constraints
	.venv-constraints/bin/pip install --quiet --disable-pip-version-check -e '.[dev,notebooks]'
	{ echo "# Exact versions that make test and make demo install (pip install -c constraints.txt)."; \
	  echo "# pyproject.toml keeps the ranges. Refresh on purpose with: make constraints"; \
	  .venv-constraints/bin/pip freeze --exclude-editable; } > $(CONSTRAINTS)
	rm -rf .venv-constraints
