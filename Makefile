# The front door: `make help` lists every target.
SHELL := /bin/bash
PYTHON_BASE ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
# The offline data mirror that sits beside the checkout (developers and CI).
MIRROR := $(abspath ../shared/data)
DATA_ENV := $(if $(wildcard $(MIRROR)/MANIFEST.tsv),D2L_DATA_MIRROR=$(MIRROR),)
# nbval workers: one kernel per core, one thread per kernel.
WORKERS ?= 2

.PHONY: help setup lib sync run run-all test test-gpu test-site html dist lab clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-9s %s\n", $$1, $$2}'

setup: ## set up a fresh machine: venv, pinned packages, d2l (editable), kernel, MathJax, Fashion-MNIST, chromium
	@command -v $(PYTHON_BASE) >/dev/null || { echo "setup: $(PYTHON_BASE) not found; MXNet 1.9.1 needs Python 3.11 (set PYTHON_BASE=...)"; exit 1; }
	@$(PYTHON_BASE) -c 'import sys; assert sys.version_info[:2] == (3, 11), sys.version' \
	  || { echo "setup: $(PYTHON_BASE) is not Python 3.11"; exit 1; }
	test -x $(PY) || $(PYTHON_BASE) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps -e d2l_lib
	$(PY) -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (d2l)" >/dev/null
	@bash .ci/install-system-packages.sh
	@command -v npm >/dev/null || { echo "setup: npm not found; it installs the local MathJax copy the site uses (apt-get install npm)"; exit 1; }
	test -f $(VENV)/mathjax/node_modules/mathjax/es5/tex-chtml.js || \
	  npm install --silent --no-audit --no-fund --prefix $(VENV)/mathjax mathjax@3.2.2
	@echo "setup: done. Next: make test (or make lab to read the notebooks)"

lib: ## regenerate d2l_lib/d2l/mxnet.py from the pages' #@save cells
	$(PY) d2l_lib/build_lib.py

sync: ## copy each page's .md cells into its .ipynb, keeping unchanged outputs
	$(PY) chapters/pages.py sync

run: ## execute one page and store its outputs: make run NB=ndarray
	@test -n "$(NB)" || { echo "usage: make run NB=<page name or path>"; exit 2; }
	$(PY) chapters/pages.py run $(NB)

run-all: ## execute every page in reading order and store the outputs
	$(PY) chapters/pages.py run $$($(PY) chapters/pages.py list)

test: ## the test suite: library, pairs, notebooks (smoke profile), figures, originality, site
	D2L_PROFILE=smoke $(DATA_ENV) $(PY) -m pytest -c tests/pytest.ini --rootdir=. \
	  -n $(WORKERS) --dist loadfile --nbval-lax \
	  tests $$($(PY) chapters/pages.py list --ipynb)

test-gpu: ## the notebook suite on a GPU (needs a GPU and MXNet's CUDA build; see installation)
	$(PY) tests/gpu_check.py
	D2L_PROFILE=smoke D2L_GPU_RUN=1 $(DATA_ENV) $(PY) -m pytest -c tests/pytest.ini --rootdir=. \
	  -n 1 --nbval-lax $$($(PY) chapters/pages.py list --ipynb)

html: ## build the site from the stored outputs into _build/html
	$(VENV)/bin/jupyter-book build . --warningiserror --nitpick --keep-going
	@echo "open _build/html/index.html"

test-site: ## build the site and check every page in headless Chromium (math, images, links, search)
	$(MAKE) html
	$(PY) tests/site_check.py _build/html

dist: ## zip every notebook with d2l_lib and requirements.txt into _build/dist/
	$(PY) chapters/pages.py dist _build/dist/d2l-mxnet-notebooks.zip

lab: ## open the notebooks in JupyterLab
	D2L_PROFILE=full $(DATA_ENV) $(VENV)/bin/jupyter lab chapters

clean: ## remove the built site and caches (keeps the venv)
	rm -rf _build .pytest_cache
	find . -name __pycache__ -not -path './$(VENV)/*' -prune -exec rm -rf {} +
