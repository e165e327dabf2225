# The central list of dev commands. Each target is a thin
# call into an npm script, docker compose, or scripts/native-stack.
#
# The stack runs with Docker Compose when a Docker engine answers, natively
# (npm start: the embedded PostgreSQL + the service in the background) otherwise.
# STACK=compose or STACK=native forces one. On free ports, side by side:
#   API_PORT=$(scripts/free-port) POSTGRES_PORT=$(scripts/free-port) make run check

.EXPORT_ALL_VARIABLES: # the npm scripts, compose and the tests read these
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

API_PORT ?= 8080
POSTGRES_PORT ?= 5432
POSTGRES_USER ?= postgres
POSTGRES_PASSWORD ?= postgres
POSTGRES_DB ?= postgres
DEBUG_PORT ?= 9229
# The scaled stack (make run_scaled): instances behind HAProxy, PgBouncer before PostgreSQL.
API_INSTANCES ?= 3
PGBOUNCER_PORT ?= 6432
BALANCER_STATS_PORT ?= 8404
# One name per stack, from its API port: compose containers, networks and volumes,
# and the native stack's directory, never collide between parallel stacks.
COMPOSE_PROJECT_NAME ?= notes-service-$(API_PORT)
STACK_DIR ?= .data/stacks/$(COMPOSE_PROJECT_NAME)
EMBEDDED_POSTGRES_DATA_DIR ?= $(STACK_DIR)/postgres
IMAGE ?= notes-service:dev
STACK_URL := http://127.0.0.1:$(API_PORT)

# `docker compose` (v2 plugin) where it exists, else the standalone docker-compose.
COMPOSE := $(shell docker compose version >/dev/null 2>&1 && echo "docker compose" || echo docker-compose)
ENGINE := $(shell timeout 5 docker info >/dev/null 2>&1 && echo yes)
# What make run started here, recorded so that the later targets follow it instead
# of guessing again: native or compose, plain or scaled (STACK_DIR/stack.kind), and
# the id its service answers GET / with (STACK_DIR/stack.id, passed as STACK_ID).
STACK_RECORD := $(STACK_DIR)/stack.kind
STACK_ID_FILE := $(STACK_DIR)/stack.id
RECORDED := $(shell cat $(STACK_RECORD) 2>/dev/null)
ifeq ($(STACK),)
ifneq ($(RECORDED),)
STACK := $(firstword $(subst -, ,$(RECORDED)))
STACK_REASON := $(RECORDED), as make run recorded it in $(STACK_RECORD)
else
STACK := $(if $(ENGINE),compose,native)
STACK_REASON := $(if $(ENGINE),a Docker engine answers,no Docker engine answers)
endif
else
STACK_REASON := STACK=$(STACK)
endif
# The scaled compose stack is another file: the targets after run_scaled name it.
COMPOSE_FILES := $(if $(filter compose-scaled,$(RECORDED)),-f docker-compose.scaled.yml)
# A new id for a stack that has none yet; make run keeps it for the stack's life.
NEW_STACK_ID = [ -s $(STACK_ID_FILE) ] || { mkdir -p $(STACK_DIR); echo "$(1)-$$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')" >$(STACK_ID_FILE); }
# compose up (1: the files, 2: up's options), and on failure: the project named, nothing left half-started (the data kept).
COMPOSE_UP = STACK_ID=$$(cat $(STACK_ID_FILE)) $(COMPOSE) $(1) up -d --build $(2) || { \
		echo "compose stack $(COMPOSE_PROJECT_NAME) did not start (above: why); removing what it started, keeping its data" >&2; \
		$(COMPOSE) $(1) down --remove-orphans >/dev/null 2>&1; exit 1; }
ifeq ($(filter $(STACK),compose native),)
$(error STACK must be compose or native, got "$(STACK)")
endif

.PHONY: help setup_development stacks run run_scaled stop run_reloading debug test test_containers test_scaled test_debug coverage mutation test_reloading check static_checks \
	_check_format _check_imports _check_lint _check_types _check_openapi _check_settings format db_migration seed make_migration db_shell \
	logs build_docker destroy show_api_documentation _stack _engine

help: ## list the targets
	@grep -E '^[a-z_]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-24s %s\n", $$1, $$2}'

setup_development: ## install the dependencies from the lockfile
	npm ci

# --- the stack ---------------------------------------------------------------

run: _stack ## start the stack in the background; returns once its own GET / answers 200
ifeq ($(STACK),compose)
	@scripts/offline-images
	@$(call NEW_STACK_ID,compose)
	@$(call COMPOSE_UP,)
	@scripts/wait-for-url --stack "$$(cat $(STACK_ID_FILE))" $(STACK_URL)/
	@echo compose >$(STACK_RECORD)
	@echo "compose stack $(COMPOSE_PROJECT_NAME) ($$(cat $(STACK_ID_FILE))) up on $(STACK_URL)"
else
	@scripts/native-stack up
endif

run_scaled: _stack ## API_INSTANCES (3) instances behind HAProxy and PgBouncer; returns once GET / answers through the balancer
ifeq ($(STACK),compose)
	@scripts/offline-images scaled
	@$(call NEW_STACK_ID,compose)
	@$(call COMPOSE_UP,-f docker-compose.scaled.yml,--scale api=$(API_INSTANCES))
	@scripts/wait-for-url --stack "$$(cat $(STACK_ID_FILE))" $(STACK_URL)/
	@echo compose-scaled >$(STACK_RECORD)
	@echo "scaled compose stack $(COMPOSE_PROJECT_NAME) up on $(STACK_URL): $(API_INSTANCES) instances (stats on 127.0.0.1:$(BALANCER_STATS_PORT)/stats)"
else
	@npm run -s build
	@$(call NEW_STACK_ID,native)
	@STACK_ID=$$(cat $(STACK_ID_FILE)) scripts/scaled-stack up
	@echo native-scaled >$(STACK_RECORD)
endif

stop: _stack ## stop the stack (plain or scaled), keeping its data
ifeq ($(STACK),compose)
	$(COMPOSE) $(COMPOSE_FILES) down --remove-orphans
else
	@scripts/native-stack down
endif

run_reloading: _stack ## run in the foreground, reloading on every save
ifeq ($(STACK),compose)
	@scripts/offline-images
	$(COMPOSE) up --build
else
	npm run dev
endif

debug: _stack ## run with the Node inspector on DEBUG_PORT (attach from Chrome DevTools or VS Code)
ifeq ($(STACK),compose)
	@echo "the compose development stack publishes the inspector on 127.0.0.1:$(DEBUG_PORT): make run_reloading, then attach"
	@scripts/offline-images
	$(COMPOSE) up --build
else
	npm run debug
endif

stacks: ## list the stacks of this checkout that run now, native and compose, with their ports
	@scripts/stacks

logs: _stack ## follow the stack's logs (compose: the database's statement log too)
ifeq ($(STACK),compose)
	$(COMPOSE) $(COMPOSE_FILES) logs -f
else
	@scripts/native-stack logs
endif

db_migration: _stack ## apply pending migrations to the stack's database (it waits for the database)
ifeq ($(STACK),compose)
	POSTGRES_HOST=127.0.0.1 npm run -s db:migrate
else
	npm run -s db:migrate
endif

seed: _stack ## fill the stack's database with N realistic notes in one statement: make seed N=10000
ifeq ($(STACK),compose)
	@POSTGRES_HOST=127.0.0.1 npm run -s db:seed -- "$(N)"
else
	@npm run -s db:seed -- "$(N)"
endif

make_migration: ## create the next empty migration: make make_migration NAME=add-tags
	@npm run -s db:new -- "$(NAME)"

db_shell: _stack ## psql on the stack's database (reads SQL from stdin when it isn't a terminal)
ifeq ($(STACK),compose)
	$(COMPOSE) $(COMPOSE_FILES) exec $$([ -t 0 ] || echo -T) database psql -U "$(POSTGRES_USER)" -d "$(POSTGRES_DB)"
else
	@command -v psql >/dev/null || { echo "psql is not installed: apt-get install postgresql-client (Debian/Ubuntu) or brew install libpq"; exit 1; }
	PGPASSWORD="$(POSTGRES_PASSWORD)" psql -h 127.0.0.1 -p "$(POSTGRES_PORT)" -U "$(POSTGRES_USER)" -d "$(POSTGRES_DB)"
endif

destroy: _stack ## stop the stack (plain or scaled) and delete its data (docker-compose down -v)
ifeq ($(STACK),compose)
	@if [ -z "$$(docker ps -aq --filter label=com.docker.compose.project=$(COMPOSE_PROJECT_NAME))$$(docker volume ls -q --filter label=com.docker.compose.project=$(COMPOSE_PROJECT_NAME))" ]; then \
		echo "nothing to remove: no compose stack $(COMPOSE_PROJECT_NAME)"; \
	else $(COMPOSE) $(COMPOSE_FILES) down -v --remove-orphans; fi
	@rm -rf $(STACK_DIR)
else
	@scripts/native-stack destroy
endif

build_docker: _engine ## build the production image, tagged IMAGE (notes-service:dev)
	@scripts/offline-images build
	docker build --target runtime -t $(IMAGE) .

show_api_documentation: ## open the API docs page (/docs) of the running stack
	@url=$(STACK_URL)/docs; \
	scripts/wait-for-url --once $$url || { echo "nothing answers on $$url: make run first"; exit 1; }; \
	if command -v xdg-open >/dev/null && [ -n "$${DISPLAY:-}$${WAYLAND_DISPLAY:-}" ]; then xdg-open $$url; \
	elif command -v open >/dev/null && [ "$$(uname)" = Darwin ]; then open $$url; \
	else echo "the API docs page: $$url (the document itself: $(STACK_URL)/openapi.json)"; fi

# --- checks ------------------------------------------------------------------

# With the stack up, the tests target it: the external tier over HTTP (APP_URL) and
# the integrated tier on its database; otherwise the suite starts its own.
# Only the stack make run started counts, known by the id its GET / answers: any
# other server on the port is left alone and the suite starts its own.
USE_RUNNING_STACK = id=$$(cat $(STACK_ID_FILE) 2>/dev/null || true); \
	if [ -n "$$id" ] && scripts/wait-for-url --once --stack "$$id" $(STACK_URL)/; then \
		echo "testing the running stack $$id$(if $(RECORDED), ($(RECORDED))) on $(STACK_URL)"; \
		export APP_URL=$(STACK_URL) POSTGRES_HOST=127.0.0.1 STACK_ID=$$id; \
	elif scripts/wait-for-url --once $(STACK_URL)/; then \
		echo "not testing what answers on $(STACK_URL): it is not a stack make run started here (its id: $${id:-none recorded in $(STACK_DIR)}); the suite starts its own database and service"; \
	else \
		echo "no stack answers on $(STACK_URL): the suite starts its own database and service"; \
	fi

test: ## run the three test tiers (against the running stack if there is one)
	@echo "=== Running tests... ==="
	@$(USE_RUNNING_STACK); npm test

test_containers: ## the image and the compose stacks on the Docker engine: build, run, reload, debug, make test, SIGTERM
	npm run test:containers

test_scaled: ## the scale-out tier: rolling restart, kill -9, PgBouncer restart, migrations racing, behind real HAProxy and PgBouncer
	npm run test:scaled

coverage: ## the three tiers with coverage, the service process's included: a summary, coverage/index.html, thresholds
	npm run test:coverage

mutation: ## mutation testing (StrykerJS, Node.js >= 22): the score per folder, reports/mutation/index.html; incremental, FORCE=1 for a full run
	npm run -s test:mutation -- $(if $(FORCE),--force,)

test_debug: ## the tests in one process, waiting for a debugger on DEBUG_PORT; TESTS=path narrows them (make test_debug TESTS=tests/unit/config.test.ts)
	@$(USE_RUNNING_STACK); echo "waiting for a debugger on $${DEBUG_HOST:-127.0.0.1}:$(DEBUG_PORT) (VS Code: Attach: tests (make test_debug))"; npm run -s test:debug

test_reloading: ## re-run the tests on every save
	@$(USE_RUNNING_STACK); npm run test:watch

check: static_checks test ## one target to validate the code

static_checks: _check_format _check_imports _check_lint _check_types _check_openapi _check_settings ## all the static checks

_check_format _check_imports _check_lint _check_types _check_openapi _check_settings: _check_%:
	@echo "=== Checking $*... ==="
	@npm run -s check:$*

format: ## format the code and sort the imports
	npm run format

# --- guards ------------------------------------------------------------------

_stack:
	@echo "stack: $(STACK) ($(STACK_REASON))"
ifeq ($(STACK),compose)
	@$(if $(ENGINE),true,echo "STACK=compose needs a Docker engine and none answers (docker info failed): use STACK=native, the embedded PostgreSQL" >&2; exit 1)
endif

_engine:
	@$(if $(ENGINE),true,echo "no Docker engine answers (docker info failed), so no image can be built here; npm run build compiles the same code natively" >&2; exit 1)
