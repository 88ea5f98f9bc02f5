# The two commands a fresh machine needs: `make run` and `make test`.
PY      ?= python3
TOOLS   := .tools
UV      := $(TOOLS)/bin/uv
VENV    := .venv
DB      ?= data/zhengce.db
HOST    ?= 127.0.0.1
PORT    ?= 8000
export UV_PROJECT_ENVIRONMENT := $(VENV)
export UV_PYTHON_DOWNLOADS := never

.PHONY: run test bench setup system clean

$(UV):
	$(PY) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install -q uv==0.13.8

$(VENV)/.synced: uv.lock pyproject.toml | $(UV)
	$(UV) sync --frozen --python $(PY)
	touch $@

setup: $(VENV)/.synced

# Ingest the bundled corpus (unchanged files are skipped), then serve the web app.
run: setup
	@mkdir -p $(dir $(DB))
	$(VENV)/bin/zhengce --db $(DB) ingest corpus/jilin/*.txt
	$(VENV)/bin/zhengce --db $(DB) serve --host $(HOST) --port $(PORT)

# Chromium and CJK fonts for the browser tests, PostgreSQL server binaries for
# the PostgreSQL storage tests (apt-get, only when missing).
system:
	sh scripts/setup-system.sh

test: setup system
	$(VENV)/bin/python -m pytest

bench: setup
	$(VENV)/bin/python benchmarks/parse.py
	$(VENV)/bin/python benchmarks/extract_eval.py
	$(VENV)/bin/python benchmarks/extract_speed.py
	$(VENV)/bin/python benchmarks/search_eval.py
	$(VENV)/bin/python benchmarks/search_scale.py
	$(VENV)/bin/python benchmarks/match.py
	$(VENV)/bin/python benchmarks/real_eval.py

clean:
	rm -rf $(VENV) $(TOOLS) data
