# The two commands a fresh machine needs: `make run` and `make test`.
PY      ?= python3
TOOLS   := .tools
UV      := $(TOOLS)/bin/uv
VENV    := .venv
DB      ?= data/zhengce.db
export UV_PROJECT_ENVIRONMENT := $(VENV)
export UV_PYTHON_DOWNLOADS := never

.PHONY: run test bench setup clean

$(UV):
	$(PY) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install -q uv==0.13.8

$(VENV)/.synced: uv.lock pyproject.toml | $(UV)
	$(UV) sync --frozen --python $(PY)
	touch $@

setup: $(VENV)/.synced

run: setup
	@mkdir -p $(dir $(DB))
	$(VENV)/bin/zhengce --db $(DB) ingest corpus/jilin/*.txt
	$(VENV)/bin/zhengce --db $(DB) docs

test: setup
	$(VENV)/bin/python -m pytest

bench: setup
	$(VENV)/bin/python benchmarks/parse.py
	$(VENV)/bin/python benchmarks/extract_eval.py

clean:
	rm -rf $(VENV) $(TOOLS) data
