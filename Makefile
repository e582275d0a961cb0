# The workbook's commands. Run `make help` for the list.
# Each target calls `python -m tools <command>` (tools/commands.py), which works without make too
# (Windows: `py -3.12 -m tools test`). The first command creates .venv/ from requirements.txt.

PYTHON ?= python3
TOOLS  := $(PYTHON) -m tools
NB     ?=
PORT   ?= 8888

.PHONY: help lab test test-unit test-notebooks test-after refresh html pdf submit doctor bench env lock wheels clean

help:
	@echo "make lab       start JupyterLab on the notebooks (localhost, login token; PORT=8888, LAB_ARGS=...)"
	@echo "make test      run every test: strict inside the numeric profile, portable outside (STRICT=1 forces strict)"
	@echo "make test-unit / test-notebooks NB=... / test-after   one part of the tests"
	@echo "make refresh   re-run notebooks and STORE their outputs in notebooks/ (NB=path for one)"
	@echo "make submit    per assignment, the zip to upload (submission PDF + HTML) in build/submit/ (A=n: one)"
	@echo "make pdf       per assignment, the submission and the full workbook as PDF in build/export/ (A=n: one)"
	@echo "make html      the same as self-contained HTML pages in build/export/ (A=n: one)"
	@echo "make doctor    is this machine inside the numeric profile, and why"
	@echo "make bench     time helpers.nn against scikit-learn and PyTorch (build/bench.md)"
	@echo "make env       create or update .venv/ from the lock file (requirements.txt)"
	@echo "make lock      regenerate requirements.txt and environment.yml from requirements.in"
	@echo "make wheels    check every locked package has wheels for Linux/macOS/Windows, Python 3.11-3.13"
	@echo "make clean     remove build/ and caches (keeps .venv/)"

lab:
	$(TOOLS) lab --port $(PORT) $(LAB_ARGS)

test:
	$(TOOLS) test $(if $(STRICT),--strict,)

test-unit:
	$(TOOLS) test $(if $(STRICT),--strict,) tests/unit tests/nn

test-notebooks:
	$(TOOLS) test $(if $(STRICT),--strict,) $(or $(NB),notebooks)

test-after:
	$(TOOLS) test $(if $(STRICT),--strict,) tests/after_notebooks

refresh:
	$(TOOLS) refresh $(if $(FORCE),--force,) $(NB)

html:
	$(TOOLS) html $(if $(A),--assignment $(A),)

pdf:
	$(TOOLS) pdf $(if $(A),--assignment $(A),)

submit:
	$(TOOLS) submit $(if $(A),--assignment $(A),)

doctor:
	$(TOOLS) doctor

bench:
	$(TOOLS) bench

env:
	$(TOOLS) env

lock:
	$(TOOLS) lock

wheels:
	$(TOOLS) wheels

clean:
	$(TOOLS) clean
