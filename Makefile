# Two commands for a fresh clone: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test clean-venv

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

test: $(STAMP)
	$(PY) -m pytest -q -n 2

EXAMPLE := data/example/responses.sav

# The main job on the shipped example study: check, validate, analyse, report
# (English and Dutch reports in reports/example/).
demo: $(STAMP)
	$(VENV)/bin/drivers check $(EXAMPLE)
	$(VENV)/bin/drivers validate $(EXAMPLE) --by organisation
	$(VENV)/bin/drivers analyse $(EXAMPLE) --by organisation --bootstrap 2000 --seed 1
	$(VENV)/bin/drivers report $(EXAMPLE) --by organisation --lang en --bootstrap 2000 --seed 1 --out reports/example
	$(VENV)/bin/drivers report $(EXAMPLE) --by organisation --lang nl --bootstrap 2000 --seed 1 --out reports/example/nl

clean-venv:
	rm -rf $(VENV)
