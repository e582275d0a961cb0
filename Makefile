# The workbook's commands. Run `make help` for the list.
# `make lab` and `make test` create the project's virtual environment (.venv/) when it is missing.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
NB     ?= notebooks
PORT   ?= 8888

# One environment for tests, refresh and lab, so stored outputs match fresh runs:
# BLAS pinned to one thread per process, stable cell names in warnings, fixed dates.
export OMP_NUM_THREADS      := 1
export OPENBLAS_NUM_THREADS := 1
export MKL_NUM_THREADS      := 1
export IPYKERNEL_CELL_NAME  := <IPY-INPUT>
export SOURCE_DATE_EPOCH    := 0
export PYTHONHASHSEED       := 0
export PYDEVD_DISABLE_FILE_VALIDATION := 1

NBVAL := --nbval --nbval-current-env --nbval-sanitize-with tests/sanitize.cfg --nbval-cell-timeout 180

.PHONY: help lab test test-unit test-notebooks test-after refresh html pdf submit bench clean env

help:
	@echo "make lab       start JupyterLab on the notebooks (creates .venv/ first if needed)"
	@echo "make test      run every test: helpers, notebooks (strict nbval), hygiene, exports"
	@echo "make refresh   re-run notebooks and STORE their outputs in notebooks/ (NB=path for one)"
	@echo "make submit    per assignment, the zip to upload (submission PDF + HTML) in build/submit/ (A=n: one)"
	@echo "make pdf       per assignment, the submission and the full workbook as PDF in build/export/"
	@echo "make html      the same as self-contained HTML pages in build/export/"
	@echo "make bench     time helpers.nn against scikit-learn and the matmul ceiling (build/bench.md)"
	@echo "make clean     remove build/ and caches (keeps .venv/)"

env: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	@$(PYTHON) tools/check_python.py
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $(STAMP)

lab: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=. --ServerApp.default_url=/lab/tree/notebooks --ServerApp.ip=127.0.0.1 \
	  --port=$(PORT) --IdentityProvider.token='' $(if $(filter 0,$(shell id -u)),--allow-root,) $(LAB_ARGS)

test: $(STAMP)
	@rm -rf build/results
	$(BIN)/python -m pytest -n 2 --dist loadscope --timeout 600 $(NBVAL) tests/unit tests/nn notebooks
	$(BIN)/python -m pytest --timeout 900 tests/after_notebooks

test-unit: $(STAMP)
	$(BIN)/python -m pytest -n 2 --timeout 600 tests/unit tests/nn

test-notebooks: $(STAMP)
	$(BIN)/python -m pytest -n 2 --dist loadscope --timeout 600 $(NBVAL) $(NB)

refresh: $(STAMP)
	@echo "make refresh WRITES the outputs of $(NB) into the notebook files (the only command that does)."
	$(BIN)/python tools/refresh.py $(NB)

html: $(STAMP)
	$(BIN)/python -m tools.export html $(if $(A),--assignment $(A),)

pdf: $(STAMP)
	$(BIN)/python -m tools.export pdf $(if $(A),--assignment $(A),)

submit: $(STAMP)
	$(BIN)/python -m tools.export submit $(if $(A),--assignment $(A),)

bench: $(STAMP)
	$(BIN)/python tools/bench.py

clean:
	rm -rf build .pytest_cache
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -print | xargs rm -rf
	find . -path ./$(VENV) -prune -o -name .ipynb_checkpoints -type d -print | xargs rm -rf
