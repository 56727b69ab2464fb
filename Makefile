# Pageturn: Build vs Run — the two commands are `make lab` and `make test`.
# Everything else here is what those two need, plus tools for the course's authors.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
STAMP  := $(VENV)/.pageturn-installed
PORT   ?= 8888
# nbgrader shells out to `alembic`, so the environment's bin/ must be on PATH.
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: lab test bench data release html lock clean-venv help venv grade grade-demo teacher hub hub-deps hub-test nav lint

help:
	@echo "make lab    - set up .venv if needed and open the course in JupyterLab (127.0.0.1:$(PORT))"
	@echo "make test   - set up .venv if needed and run the whole test suite"
	@echo "make lint   - ruff: lint and format check (make test runs it first)"
	@echo "make venv   - set up .venv only (make clean-venv removes it; make lock refreshes the pins)"
	@echo "make bench  - print the speed table"
	@echo "make data   - regenerate data/ from the engine (byte-identical)"
	@echo "make release [FORCE=1] [LAB=name] - release grading/source/<lab> into labs/<lab>"
	@echo "make html   - export the lessons to static HTML in build/html"
	@echo "make nav    - write every notebook's navigation line and the start page's list from course.toml"
	@echo "make teacher     - JupyterLab for teachers, with nbgrader's formgrader"
	@echo "make grade LAB=<lab> - release, collect, autograde, feedback and grades CSV for one lab"
	@echo "make grade-demo  - grade a generated demo class of submissions"
	@echo "make hub         - (root) the course's JupyterHub with a demo class, on 127.0.0.1:$(HUB_PORT)"
	@echo "make hub-deps    - (root) install what the hub needs beside the environment (proxy, Node.js, setfacl)"
	@echo "make hub-test    - (root) a whole term on a real JupyterHub (make test runs it too)"

# The environment: created once, refreshed only when the pins or the package metadata change.
$(STAMP): pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is needed; found " + sys.version.split()[0])'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $(STAMP)

venv: $(STAMP)

lab: $(STAMP)
	$(PY) -m pageturn.course.views student --port=$(PORT) $(LAB_ARGS)

test: $(STAMP) hub-deps lint
	$(PY) -m pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

# Lint and format check (ruff; rules in pyproject.toml). `$(BIN)/ruff format .` fixes the formatting.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: $(STAMP)
	$(PY) -m pageturn.course.bench

data: $(STAMP)
	$(PY) -m pageturn.course.databuild data

release: $(STAMP)
	$(PY) -m pageturn.grading.release $(if $(FORCE),--force) $(LAB)

# Authors: after editing course.toml, write the navigation lines and the start page's list from it,
# then release the labs so labs/ gets them too (release still refuses to overwrite a learner's edits).
nav: $(STAMP)
	$(PY) -m pageturn.course.nav
	$(PY) -m pageturn.grading.release $(if $(FORCE),--force)

html: $(STAMP)
	$(PY) -m pageturn.course.statichtml notebooks build/html

# Authors only: refresh the pins after changing pyproject.toml.
lock:
	rm -rf /tmp/pageturn-lock && $(PYTHON) -m venv /tmp/pageturn-lock
	/tmp/pageturn-lock/bin/pip install --quiet ".[test]"
	/tmp/pageturn-lock/bin/pip freeze --exclude pageturn | grep -v '^-e' > requirements.lock

clean-venv:
	rm -rf $(VENV)

# Teachers: grade a lab end to end with the real nbgrader, or try it on the demo class.
grade: $(STAMP)
	$(PY) -m pageturn.grading grade $(LAB)

grade-demo: $(STAMP)
	$(PY) -m pageturn.grading demo

# Teachers: JupyterLab with nbgrader's formgrader and assignment tools (the student view hides them).
teacher: $(STAMP)
	$(PY) -m pageturn.course.views teacher --port=$(PORT) $(LAB_ARGS)

# The course's JupyterHub (grading/jupyterhub/): JupyterHub comes with the environment; hub-deps adds npm's
# configurable-http-proxy (and Node.js, setfacl from Debian if missing). Root only: the hub creates Unix
# accounts and runs each user's server as that user. Elsewhere hub-deps says so and the hub tests skip
# (outside CI).
HUB_STAMP := $(VENV)/.pageturn-hub-installed
HUB_PORT  ?= 8000

$(HUB_STAMP): $(STAMP) grading/jupyterhub/install_hub.sh
	grading/jupyterhub/install_hub.sh $(BIN)
	@touch $(HUB_STAMP)

hub-deps: $(STAMP)
	@if [ "$$(id -u)" = "0" ]; then $(MAKE) --no-print-directory $(HUB_STAMP); \
	else echo "hub: not root, so no JupyterHub here (the hub tests skip)"; fi

hub: hub-deps
	$(PY) -m pageturn.grading.hub demo --port=$(HUB_PORT)

hub-test: hub-deps
	$(PY) -m pytest tests/hub -n 0 $(PYTEST_ARGS)
