# Two entry points (see README.md): `make book` and `make test`.
# Each does all of its own set-up on a fresh machine.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
# Where Fashion-MNIST lies locally; the loader also searches other places
# (see resnotes/data.py). ../shared is where CI and developers keep a copy.
RESNOTES_DATA ?= $(firstword $(wildcard $(CURDIR)/../shared/data/fashion-mnist))
export RESNOTES_DATA
# smoke | book | full
RESNOTES_SIZE ?= book
export RESNOTES_SIZE
export RESNOTES_PROGRESS ?= 0
# Each size builds (and caches executed notebooks) in its own folder, so a
# cached result of one size is never shown as another's: book size in
# _build/html, the others in _build/<size>/_build/html.
BUILD_ROOT := $(if $(filter book,$(RESNOTES_SIZE)),.,_build/$(RESNOTES_SIZE))


# MathJax 3 from the npm registry, served by the site itself so that math
# renders without internet (Jupyter Book's default loads it from a CDN).
# Copied outside _static/, since Jupyter Book adds every .js there as a script.
MATHJAX_VERSION := 3.2.2
MATHJAX := _mathjax/mathjax/tex-chtml.js

.PHONY: setup book test store student clean

setup: $(VENV)/.installed $(MATHJAX)

$(MATHJAX):
	rm -rf .mathjax _mathjax
	npm install --prefix .mathjax --no-audit --no-fund --silent mathjax@$(MATHJAX_VERSION)
	mkdir -p _mathjax
	cp -r .mathjax/node_modules/mathjax/es5 _mathjax/mathjax

$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --no-compile -c constraints.txt -e '.[book,test,d2l-deps,instructor]'
	$(PY) -m pip install -q --no-compile -c constraints.txt --no-deps d2l==1.0.3
	$(PY) -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $@

# The published book, at RESNOTES_SIZE (default: book).
book: setup
	$(PY) -m resnotes check-data
	$(VENV)/bin/jupyter-book build . -W -n --keep-going --path-output $(BUILD_ROOT)
	# the whole book and each chapter as PDF, printed by headless Chromium (Debian's `chromium`)
	$(PY) -m tools.pdf $(BUILD_ROOT)/_build/html

# Everything CI checks: types (mypy), unit tests, nbval at smoke size, the -W book build at smoke size,
# and that site in headless Chromium (Debian's `chromium`; .ci/run installs it).
test: setup
	$(PY) -m resnotes check-data
	$(PY) -m mypy
	RESNOTES_SIZE=smoke $(PY) -m pytest --nbval tests chapters --ignore=tests/site
	rm -rf _build/smoke
	RESNOTES_SIZE=smoke $(VENV)/bin/jupyter-book build . -W -n --keep-going --path-output _build/smoke
	@grep -q 'src="../_static/../mathjax/tex-chtml.js' _build/smoke/_build/html/chapters/03_residual_blocks.html \
	  && test -f _build/smoke/_build/html/mathjax/tex-chtml.js \
	  || { echo "error: the built site does not load its own MathJax (see _config.yml mathjax_path)"; exit 1; }
	$(PY) -m tools.pdf _build/smoke/_build/html
	# The built site in a real browser (headless Chromium): pages, accessibility (axe-core),
	# keyboard, PDFs; screenshots and axe.json in _build/screenshots.
	rm -rf _build/screenshots
	RESNOTES_SITE=_build/smoke/_build/html RESNOTES_SCREENSHOTS=_build/screenshots $(PY) -m pytest tests/site -q

# Run one chapter at book size and store its outputs in the notebook (what
# GitHub and Colab show, and what nbval compares deterministic cells against):
#   make store NB=chapters/03_residual_blocks.ipynb
store: setup
	@test -n "$(NB)" || { echo "usage: make store NB=chapters/NN_name.ipynb"; exit 2; }
	RESNOTES_SIZE=book $(VENV)/bin/jupyter execute --inplace $(NB)
	$(PY) -c 'import json, sys; p = sys.argv[1]; nb = json.load(open(p)); \
	  [c["metadata"].pop("execution", None) for c in nb["cells"]]; \
	  open(p, "w").write(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")' $(NB)

# Student versions of chapters (solutions removed, otter-grader checks added):
#   make student CHAPTERS="03 05"   (default: every chapter notebook)
# Hand out _build/student/<chapter>/student/ (notebook + tests/); the
# autograder/ and master/ folders beside it hold the solutions.
CHAPTERS ?=
student: setup
	$(PY) -m resnotes student $(CHAPTERS) --out _build/student $(if $(STUDENT_TESTS_URL),--tests-url $(STUDENT_TESTS_URL))

clean:
	rm -rf _build .jupyter_cache .mathjax _mathjax
