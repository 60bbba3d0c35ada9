# The course's two set-up commands: `make lab` (learn) and `make test` (verify).
# Both create .venv on first use and reinstall only when the requirements change.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: lab test figures student bench bench-scale bench-notebooks clean

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt -e .
	touch $@

lab: $(STAMP)  ## install what is missing, then open JupyterLab on the notebooks
	$(BIN)/jupyter lab notebooks/

test: $(STAMP)  ## install what is missing, then run unit tests, quiz-bank checks and nbval
	COURSE_LIB_QUIET=1 PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m pytest

figures: $(STAMP)  ## re-execute every notebook in place (outputs committed); they save figures/*.png
	cd notebooks && COURSE_LIB_QUIET=1 COURSE_LIB_DATA_DIR=$$(mktemp -d) ../$(BIN)/jupyter nbconvert \
	    --to notebook --execute --inplace --ExecutePreprocessor.timeout=300 0*.ipynb

student: $(STAMP)  ## nbgrader: student notebooks (solutions removed) in build/student/, course folder build/nbgrader/
	$(BIN)/python instructor/student.py build

BENCH_STAMP := $(VENV)/.installed-bench

$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -c requirements.txt -e ".[bench]"
	touch $@

bench: $(BENCH_STAMP)  ## install the peers if missing, then course_lib vs DeepCTR-Torch and torch-rechub -> docs/benchmarks.md
	COURSE_LIB_QUIET=1 $(BIN)/python benchmarks/compare_peers.py
	COURSE_LIB_QUIET=1 $(BIN)/python benchmarks/compare_peers.py --lrs 1e-3,3e-3,1e-2
	COURSE_LIB_QUIET=1 $(BIN)/python benchmarks/compare_peers.py --own-loops

bench-notebooks: $(STAMP)  ## seconds per notebook (fresh kernel, in memory) against the 90 s / 6 min budgets -> docs/benchmarks.md
	$(BIN)/python benchmarks/notebook_times.py

bench-scale: $(STAMP)  ## Amazon-Electronics-sized ShopSim: generation time, one DIN epoch, peak memory -> docs/benchmarks.md
	COURSE_LIB_QUIET=1 $(BIN)/python benchmarks/scale.py

clean:
	rm -rf $(VENV) test-artifacts
