# The course's two set-up commands: `make lab` (learn) and `make test` (verify).
# Both create .venv on first use and reinstall only when the requirements change.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: lab lab-zh refresh refresh-zh test figures html student bench bench-scale bench-notebooks clean

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt -e .
	touch $@

# The learner works in their own copy of the chapters (exercises blank, never overwritten; git ignores it).
LEARNER := my-notebooks

lab: $(STAMP)  ## install what is missing, make your copies of new chapters, then open JupyterLab on them
	$(BIN)/python tools/learner_copies.py --out $(LEARNER)
	COURSE_LIB_FIGURES=$(abspath $(LEARNER))/figures $(BIN)/jupyter lab $(LEARNER)/

refresh: $(STAMP)  ## replace your copy of CHAPTER (make refresh CHAPTER=02) with the course's version; yours goes to backups/
	$(BIN)/python tools/learner_copies.py --out $(LEARNER) --refresh $(CHAPTER)

# 中文版: the same, with the Chinese chapters (notebooks/zh/) copied to my-notebooks/zh/.
lab-zh: $(STAMP)  ## 中文版：安装缺少的依赖，生成你自己的中文章节副本，然后用 JupyterLab 打开
	$(BIN)/python tools/learner_copies.py --out $(LEARNER) --lang zh
	COURSE_LIB_FIGURES=$(abspath $(LEARNER))/figures $(BIN)/jupyter lab $(LEARNER)/zh/

refresh-zh: $(STAMP)  ## 中文版：用课程的新版本替换你的 CHAPTER 副本（make refresh-zh CHAPTER=02），旧副本移到 backups/
	$(BIN)/python tools/learner_copies.py --out $(LEARNER) --lang zh --refresh $(CHAPTER)

# The tests run with generic CPU kernels on one thread: the floating-point digits of another machine. The browser
# test runs the chapters again in JupyterLab with this machine's own kernels and threads, so every notebook's
# asserts hold on two kernel sets in one run (tests/README.md says what nbval compares and why).
PORTABLE := ATEN_CPU_CAPABILITY=default MKL_ENABLE_INSTRUCTIONS=SSE4_2 COURSE_LIB_THREADS=1

# pytest-xdist runs the test files on every core, one file per worker (nbval runs a notebook's cells in order in
# one kernel; the browser tests share one JupyterLab): nbval's kernels use one thread, so a second core is free.
test: $(STAMP)  ## install what is missing, then run unit tests, quiz-bank checks, nbval and the browser test
	$(PORTABLE) COURSE_LIB_QUIET=1 PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m pytest -n auto --dist loadfile

# The Chinese chapters are generated from the English ones (tools/zh_notebooks.py), then executed like them. Their
# figures are the English ones (same code, same seeds, English labels), so they go to a scratch folder.
figures: $(STAMP)  ## re-execute every notebook in place (English, then Chinese), rewriting their outputs and figures/*.png
	cd notebooks && COURSE_LIB_QUIET=1 COURSE_LIB_DATA_DIR=$$(mktemp -d) COURSE_LIB_FIGURES=$(CURDIR)/figures COURSE_LIB_OPTION_SEED=0 \
	    ../$(BIN)/jupyter nbconvert \
	    --to notebook --execute --inplace --ExecutePreprocessor.timeout=300 0*.ipynb
	$(BIN)/python tools/zh_notebooks.py
	cd notebooks/zh && COURSE_LIB_QUIET=1 COURSE_LIB_DATA_DIR=$$(mktemp -d) COURSE_LIB_FIGURES=$$(mktemp -d) COURSE_LIB_OPTION_SEED=0 \
	    ../../$(BIN)/jupyter nbconvert \
	    --to notebook --execute --inplace --ExecutePreprocessor.timeout=300 0*.ipynb

html: $(STAMP)  ## every chapter as a page to read offline or share, self-checks without answers -> build/html/ (Chinese: zh/)
	$(BIN)/python tools/export_html.py --out build/html

student: $(STAMP)  ## nbgrader: student notebooks (solutions removed) in build/student/, course folder build/nbgrader/
	$(BIN)/python instructor/student.py build

BENCH_STAMP := $(VENV)/.installed-bench

$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -c requirements.txt -e ".[bench]"
	touch $@

# The benchmarks are the package benchmarks/, run as modules from this directory (make runs recipes here).
bench: $(BENCH_STAMP)  ## install the peers if missing, then course_lib vs DeepCTR-Torch and torch-rechub -> docs/benchmarks.md
	COURSE_LIB_QUIET=1 $(BIN)/python -m benchmarks.compare_peers
	COURSE_LIB_QUIET=1 $(BIN)/python -m benchmarks.compare_peers --lrs 1e-3,3e-3,1e-2
	COURSE_LIB_QUIET=1 $(BIN)/python -m benchmarks.compare_peers --own-loops

bench-notebooks: $(STAMP)  ## seconds per notebook (fresh kernel, in memory) against the 90 s / 6 min budgets -> docs/benchmarks.md
	$(BIN)/python -m benchmarks.notebook_times

bench-scale: $(STAMP)  ## Amazon-Electronics-sized ShopSim: generation time, one DIN epoch (DEVICE=cuda on a GPU), peak memory -> docs/benchmarks.md
	COURSE_LIB_QUIET=1 $(BIN)/python -m benchmarks.scale --device $(or $(DEVICE),cpu)

clean:
	rm -rf $(VENV) test-artifacts
