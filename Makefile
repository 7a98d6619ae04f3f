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
# Each size builds (and caches executed notebooks) in its own folder, so a
# cached result of one size is never shown as another's: book size in
# _build/html, the others in _build/<size>/_build/html.
BUILD_ROOT := $(if $(filter book,$(RESNOTES_SIZE)),.,_build/$(RESNOTES_SIZE))


# MathJax 3, served by the site itself so that math renders without internet
# (Jupyter Book's default loads it from a CDN). It comes from PyPI, where the
# wheel django-static-mathjax ships MathJax's own es5 build (so no npm is
# needed); only its es5/ folder is unpacked, outside _static/, since Jupyter
# Book adds every .js there as a script.
MATHJAX_WHEEL := django-static-mathjax==3.2.2.1
MATHJAX := _mathjax/mathjax/tex-chtml.js

# Chromium for the browser test: Debian's package, installed when missing and
# the machine allows it (root, apt-get), never a browser downloaded by a tool.
CHROMIUM ?= $(firstword $(shell command -v chromium chromium-browser 2>/dev/null))

.PHONY: setup book test store plain student grade clean browser gpu-check locale

setup: $(VENV)/.installed $(MATHJAX)

$(MATHJAX): | $(VENV)/.installed
	rm -rf .mathjax _mathjax
	$(PY) -m pip download -q --no-deps -d .mathjax $(MATHJAX_WHEEL)
	$(PY) -c 'import sys, zipfile, pathlib; z = zipfile.ZipFile(next(pathlib.Path(".mathjax").glob("*.whl"))); \
	  pre = "mathjax/static/mathjax/es5/"; names = [n for n in z.namelist() if n.startswith(pre) and not n.endswith("/")]; \
	  [(pathlib.Path("_mathjax/mathjax", n[len(pre):]).parent.mkdir(parents=True, exist_ok=True), \
	    pathlib.Path("_mathjax/mathjax", n[len(pre):]).write_bytes(z.read(n))) for n in names]; \
	  print(f"MathJax: {len(names)} files in _mathjax/mathjax")'
	test -f $@

browser:
	@# the glossary's Chinese terms need a CJK font, or pages and PDFs show empty boxes
	@if command -v fc-list >/dev/null && ! fc-list :lang=zh | grep -q . \
	    && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "Installing Debian's fonts-noto-cjk for the glossary's Chinese terms"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	    fonts-noto-cjk >/dev/null || echo "warning: fonts-noto-cjk could not be installed; Chinese shows as boxes"; \
	fi
	@if [ -n "$(CHROMIUM)" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "Installing Debian's chromium for the browser test"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	    chromium fonts-dejavu-core fonts-noto-cjk >/dev/null; \
	else \
	  echo "error: make test drives the built site in Chromium, and none was found."; \
	  echo "       Install it (Debian/Ubuntu: sudo apt-get install chromium) or set CHROMIUM=/path/to/chromium."; \
	  exit 1; \
	fi

$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --no-compile -c constraints.txt -e '.[book,test,d2l-deps,instructor]'
	$(PY) -m pip install -q --no-compile -c constraints.txt --no-deps d2l==1.0.3
	@# Bytecode for every installed module, compiled once here on every core (pip compiles one file
	@# at a time, so it installs with --no-compile). Without it a machine that writes no bytecode
	@# (PYTHONDONTWRITEBYTECODE=1, as on this project's machines) compiles torch, torchvision's
	@# torch._dynamo and sympy anew in every process: `import d2l.torch` took 11 s instead of 3 s,
	@# in each of the many kernels and workers of make test. A file that only a newer Python reads
	@# (torch ships one) stays uncompiled, as it stays unimported.
	$(PY) -c 'import compileall, sysconfig; compileall.compile_dir(sysconfig.get_paths()["purelib"], quiet=2, workers=0)'
	$(PY) -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $@

# The published book, at RESNOTES_SIZE (default: book): the English edition in
# _build/html/ and the Chinese one, from the same executions, in _build/html/zh/.
book: setup browser
	$(PY) -m tools check-data
	$(VENV)/bin/jupyter-book build . -W -n --keep-going --path-output $(BUILD_ROOT)
	$(PY) -m tools i18n build --root $(BUILD_ROOT)
	# the whole book and each chapter as PDF, printed by headless Chromium (Debian's `chromium`)
	$(PY) -m tools pdf $(BUILD_ROOT)/_build/html
	$(PY) -m tools pdf $(BUILD_ROOT)/_build/html/zh

# After English prose changes: refresh the Chinese catalogues (locale/zh_CN/LC_MESSAGES):
# new messages arrive untranslated, changed ones fuzzy; `make test` fails until they are
# translated (python -m tools i18n check lists them). Run after `make book`, whose Chinese
# build lists the computed words (glued text, figure descriptions) for words.po.
locale: setup
	$(PY) -m tools i18n extract

# Everything CI checks: types (mypy, beside the build), unit tests, nbval at smoke size, the simulated
# Colab, the -W book build at smoke size in both editions, their PDFs, and that site in headless
# Chromium (Debian's `chromium`, installed by `make browser` when missing).
# The book is built without any of the Makefile's variables but the size, as a plain
# `jupyter-book build .` would run; the chapters' outputs in it are those nbval's kernels gave.
# Each step keeps both cores busy: two pytest workers, or two processes side by side.
test: setup browser
	$(PY) -m tools check-data
	# two workers, each test file's tests kept together on one (--dist loadfile), one thread each
	# unless OMP_NUM_THREADS says otherwise: two workers of two threads on two cores ran 1.5x slower.
	# (nbval then compares one-thread runs with outputs stored at the default thread count.)
	# Each chapter nbval runs through cleanly goes into the smoke build's jupyter-cache with the
	# outputs nbval compared, and its run record beside it (tests/nbval_executed.py), so the build
	# below shows them and runs only what nbval did not (the appendices, a chapter that failed).
	rm -rf _build/smoke
	RESNOTES_SIZE=smoke RESNOTES_PROGRESS=0 OMP_NUM_THREADS=$(or $(OMP_NUM_THREADS),1) RESNOTES_NBVAL_BUILD=_build/smoke/_build \
	  $(PY) -m pytest -n 2 --dist loadfile --nbval tests chapters --ignore=tests/site
	# Types (mypy) on the second core while the book builds: the build is one process now
	# that it runs no chapter. Both must pass; mypy's report follows the build's.
	mkdir -p _build; $(PY) -m mypy > _build/mypy.log 2>&1 & mypy=$$!; \
	  env -u RESNOTES_PROGRESS RESNOTES_SIZE=smoke $(VENV)/bin/jupyter-book build . -W -n --keep-going --path-output _build/smoke; \
	  built=$$?; wait $$mypy; typed=$$?; echo "mypy:"; cat _build/mypy.log; test $$built = 0 -a $$typed = 0
	@grep -q 'src="../_static/../mathjax/tex-chtml.js' _build/smoke/_build/html/chapters/03_residual_blocks.html \
	  && test -f _build/smoke/_build/html/mathjax/tex-chtml.js \
	  || { echo "error: the built site does not load its own MathJax (see _config.yml mathjax_path)"; exit 1; }
	# The Chinese edition of that build, from the same executions (tools/i18n.py), while headless
	# Chromium prints the English PDFs; the build's report follows the PDFs'. Then the Chinese PDFs.
	env -u RESNOTES_PROGRESS RESNOTES_SIZE=smoke $(PY) -m tools i18n build --root _build/smoke > _build/zh-build.log 2>&1 & zh=$$!; \
	  $(PY) -m tools pdf _build/smoke/_build/html; printed=$$?; wait $$zh; built=$$?; \
	  echo "tools i18n build:"; cat _build/zh-build.log; test $$printed = 0 -a $$built = 0
	$(PY) -m tools pdf _build/smoke/_build/html/zh
	# The built site in a real browser (headless Chromium): pages, accessibility (axe-core), keyboard,
	# PDFs; screenshots and axe.json in _build/screenshots. Two workers, a test file each at a time:
	# the tour of every page (tests/site/test_tour.py, two browsers) on one, the other files on the other.
	rm -rf _build/screenshots
	RESNOTES_SITE=_build/smoke/_build/html RESNOTES_SCREENSHOTS=_build/screenshots \
	  $(PY) -m pytest -n 2 --dist loadfile tests/site -q

# Run one chapter at book size and store its outputs in the notebook (what
# GitHub and Colab show, and what nbval compares deterministic cells against):
#   make store NB=chapters/03_residual_blocks.ipynb
store: setup
	@test -n "$(NB)" || { echo "usage: make store NB=chapters/NN_name.ipynb  (several: NB=\"a.ipynb b.ipynb\")"; exit 2; }
	for nb in $(NB); do \
	  RESNOTES_SIZE=book RESNOTES_PROGRESS=0 $(VENV)/bin/jupyter execute --inplace $$nb || exit 1; \
	  $(PY) -c 'import json, sys; p = sys.argv[1]; nb = json.load(open(p)); \
	    [c["metadata"].pop("execution", None) for c in nb["cells"]]; \
	    open(p, "w").write(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")' $$nb || exit 1; \
	done
	$(MAKE) plain

# The plain-Jupyter notebooks (notebooks/en/, committed; what Colab and GitHub
# open): the chapters with their MyST markup turned into plain Markdown and the
# stored book-size numbers pasted in. tests/test_plain.py fails when they are stale.
# notebooks/zh/ is the same with the prose through locale/zh_CN (tools/plain_zh.py):
# it fails on any message without a translation (tests/test_plain_zh.py on stale files).
plain: setup
	$(PY) -m tools plain --lang all

# Student versions of chapters (solutions removed, otter-grader checks added):
#   make student CHAPTERS="03 05"   (default: every chapter notebook)
# Hand out _build/student/<chapter>/student/ (notebook + tests/); the
# autograder/ and master/ folders beside it hold the solutions.
CHAPTERS ?=
student: setup
	$(PY) -m tools student $(CHAPTERS) --out _build/student $(if $(STUDENT_TESTS_URL),--tests-url $(STUDENT_TESTS_URL))

# Grade a class offline (tools/grade.py): every submitted zip or notebook in
# SUBMISSIONS is re-run at smoke size with this environment and graded by its
# chapter's autograder (made by make student when missing); writes
# _build/grades/grades.csv (student, chapter, exercise, score) and summary.md.
#   make grade SUBMISSIONS=dir/ [GRADE_JOBS=2]
GRADE_JOBS ?= 1
grade: setup
	@test -n "$(SUBMISSIONS)" || { echo "usage: make grade SUBMISSIONS=dir/  (a folder of submitted .zip or .ipynb files)"; exit 2; }
	$(PY) -m tools grade $(SUBMISSIONS) --out _build/grades --student-dir _build/student --jobs $(GRADE_JOBS)

clean:
	rm -rf _build .jupyter_cache .mathjax _mathjax

# The CUDA code paths on a machine with an NVIDIA GPU, in under 9 minutes: the tests
# marked cuda, chapter 3 at full size, the three benchmarks (JSON to benchmarks/results/),
# then one summary table. Without a GPU it says so and stops before the set-up.
gpu-check:
	@command -v nvidia-smi >/dev/null && nvidia-smi -L >/dev/null 2>&1 \
	  || { echo "error: make gpu-check needs an NVIDIA GPU, and this machine has none (nvidia-smi finds no device)."; exit 1; }
	$(MAKE) setup
	$(PY) -m tools gpu-check
