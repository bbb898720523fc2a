# The front door: `make help` lists every target. The tools behind the targets
# are the booktools package (d2l_lib/booktools), installed by `make setup`.
SHELL := /bin/bash
PYTHON_BASE ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PAGES := $(PY) -m booktools.pages
# nbval workers: one kernel per core, one thread per kernel.
WORKERS ?= 2

.PHONY: help setup lib sync run run-all stale run-stale test test-gpu test-site html dist lab minutes bench clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

setup: ## set up a fresh machine: venv, pinned packages, d2l + booktools (editable), kernel, MathJax, Fashion-MNIST, chromium
	@command -v $(PYTHON_BASE) >/dev/null || { echo "setup: $(PYTHON_BASE) not found; MXNet 1.9.1 needs Python 3.11 (set PYTHON_BASE=...)"; exit 1; }
	@$(PYTHON_BASE) -c 'import sys; assert sys.version_info[:2] == (3, 11), sys.version' \
	  || { echo "setup: $(PYTHON_BASE) is not Python 3.11"; exit 1; }
	test -x $(PY) || $(PYTHON_BASE) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
# The pins on requirements.txt's '# no-deps:' lines; it says why.
	pins=$$(sed -n 's/^# no-deps: //p' requirements.txt); \
	  [ -z "$$pins" ] || $(PY) -m pip install --quiet --no-deps $$pins
	$(PY) -m pip install --quiet --no-deps -e d2l_lib
	$(PY) -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (d2l)" >/dev/null
	@bash .ci/install-system-packages.sh $(PY)
	@command -v npm >/dev/null || { echo "setup: npm not found; it installs the local MathJax copy the site uses (apt-get install npm)"; exit 1; }
	test -f $(VENV)/mathjax/node_modules/mathjax/es5/tex-chtml.js || \
	  npm install --silent --no-audit --no-fund --prefix $(VENV)/mathjax mathjax@3.2.2
	@echo "setup: done. Next: make test (or make lab to read the notebooks)"

lib: ## regenerate d2l_lib/d2l/mxnet.py from the pages' #@save cells
	$(PY) -m booktools.extract

sync: ## copy each page's .md cells into its .ipynb, keeping unchanged outputs
	$(PAGES) sync

run: ## execute one page in its stored profile and store its outputs: make run NB=ndarray
	@test -n "$(NB)" || { echo "usage: make run NB=<page name or path>"; exit 2; }
	$(PAGES) run $(NB)

run-all: ## execute every page in reading order and store the outputs
	$(PAGES) run $$($(PAGES) list)

stale: ## list the pages whose stored outputs came from other library code or settings
	$(PAGES) stale

run-stale: ## re-run the stale pages
	$(PAGES) run-stale

test: ## the test suite: library, tools, pairs, every notebook (smoke profile), figures, originality, site + browser check
	D2L_PROFILE=smoke $(PY) -m pytest -c tests/pytest.ini --rootdir=. \
	  -n $(WORKERS) --dist loadfile --nbval-lax \
	  tests $$($(PAGES) list --ipynb)

test-gpu: ## the notebook suite on a GPU (needs a GPU and MXNet's CUDA build; see installation)
	$(PY) -m booktools.gpu_check
	D2L_PROFILE=smoke D2L_GPU_RUN=1 $(PY) -m pytest -c tests/pytest.ini --rootdir=. \
	  -n 1 --nbval-lax $$($(PAGES) list --ipynb)

html: ## build the site from the stored outputs into _build/html
	$(VENV)/bin/jupyter-book build . --warningiserror --nitpick --keep-going
	@echo "open _build/html/index.html"

test-site: ## check the built site in headless Chromium (make html first; make test does both)
	$(PY) -m booktools.site_check _build/html

dist: ## zip every notebook with d2l_lib and requirements.txt into _build/dist/
	$(PAGES) dist _build/dist/d2l-mxnet-notebooks.zip

lab: ## open the notebooks in JupyterLab (full profile, offline mirror when there is one)
	env D2L_PROFILE=full $$($(PY) -m booktools.paths --env) $(VENV)/bin/jupyter lab chapters \
	  $(if $(filter 0,$(shell id -u)),--allow-root)

minutes: ## the stored runs over their budget (30 minutes, or the header's budget_minutes); HERE=1: also estimated on this machine
	$(PAGES) minutes $(if $(HERE),--here)

bench: ## time the book's training loops against the original edition's d2l 0.16.6 (a measurement, not a test)
	$(PY) -m booktools.loop_benchmark

clean: ## remove the built site and caches (keeps the venv)
	rm -rf _build .pytest_cache
	find . -name __pycache__ -not -path './$(VENV)/*' -prune -exec rm -rf {} +
