# Bawaba — the two commands a newcomer needs:
#   make run    builds the portal and serves it on SQLite under data/ (prints the URL)
#   make test   runs every test: unit, integration (SQLite, and PostgreSQL when configured),
#               end-to-end in Chromium with JavaScript on and off
# Each installs what it needs first, skipping what is already there (see `make setup`).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

CARGO_LEPTOS_VERSION := 0.3.10
BINARYEN_VERSION := 132
# Lighthouse for `make bench` only (npm, into .tools; drives Debian's Chromium).
LIGHTHOUSE_VERSION := 13.5.0
# wasm-bindgen CLI must equal the crate version in Cargo.lock.
WASM_BINDGEN_VERSION := $(shell awk '/^name = "wasm-bindgen"$$/{getline; gsub(/"/,"",$$3); print $$3; exit}' Cargo.lock)
TOOLS := $(CURDIR)/.tools
export PATH := $(TOOLS)/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)
# One target directory for every build (cargo-leptos, cargo test, benchmarks).
export CARGO_TARGET_DIR ?= $(CURDIR)/target

.PHONY: help run test setup setup-build setup-e2e setup-bench build build-release unit integration e2e lint bench clean-data

help:
	@echo "make run     build and serve the portal at http://127.0.0.1:3000 (SQLite under data/)"
	@echo "make test    run every test (set TEST_DATABASE_URL=postgres://… to add PostgreSQL)"
	@echo "make bench   release build, bundle sizes per route and server throughput"
	@echo "make setup   install the toolchain pieces only"

## Tools -----------------------------------------------------------------------------------

setup: setup-build setup-e2e

# Rust target, cargo-leptos, wasm-bindgen CLI (exact version), wasm-opt (binaryen from npm).
setup-build:
	@rustup target list --installed | grep -q wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
	@if ! cargo leptos --version 2>/dev/null | grep -q "$(CARGO_LEPTOS_VERSION)"; then \
	  echo "Installing cargo-leptos $(CARGO_LEPTOS_VERSION) (about 13 minutes, once)"; \
	  cargo install cargo-leptos --locked --version $(CARGO_LEPTOS_VERSION) --features no_downloads; fi
	@if ! wasm-bindgen --version 2>/dev/null | grep -q "$(WASM_BINDGEN_VERSION)"; then \
	  echo "Installing wasm-bindgen-cli $(WASM_BINDGEN_VERSION) (about 3 minutes, once)"; \
	  cargo install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION) --force; fi
	@if ! [ -x "$(TOOLS)/node_modules/.bin/wasm-opt" ] || ! "$(TOOLS)/node_modules/.bin/wasm-opt" --version | grep -q "version $(BINARYEN_VERSION)"; then \
	  echo "Installing wasm-opt (binaryen@$(BINARYEN_VERSION) from npm)"; \
	  mkdir -p "$(TOOLS)" && npm install --prefix "$(TOOLS)" --no-audit --no-fund --silent binaryen@$(BINARYEN_VERSION); fi

# Playwright and axe for end-to-end tests; Debian's Chromium, poppler-utils (pdftotext and
# pdftoppm read the PDFs the portal makes) and zbar-tools (zbarimg reads their QR code) (apt needs root: run as root or
# install `chromium` yourself — Playwright's own browser download cannot work here).
setup-e2e:
	@if ! [ -x /usr/bin/chromium ] || ! command -v pdftotext >/dev/null || ! command -v zbarimg >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium poppler-utils zbar-tools >/dev/null; \
	  else echo "Chromium, poppler-utils (pdftotext) or zbar-tools (zbarimg) is missing: run 'sudo apt-get install chromium poppler-utils zbar-tools' and try again"; exit 1; fi; fi
	@cd end2end && { [ -d node_modules/@playwright/test ] && [ node_modules/.package-lock.json -nt package-lock.json ]; } || npm ci --no-audit --no-fund --silent

## Build and run ---------------------------------------------------------------------------

# `--split`: each island's code is its own WebAssembly chunk, loaded by the pages that show it
# (`#[island(lazy)]`); the islands need it (their loaders are resolved by the split step).
build: setup-build
	cargo leptos build --split

build-release: setup-build
	cargo leptos build --release --split

run: setup-build
	cargo leptos serve --release --split

## Tests -----------------------------------------------------------------------------------

test: setup lint unit integration e2e

lint:
	cargo fmt --all -- --check
	cargo clippy --features ssr --all-targets -- -D warnings
	cargo clippy --lib --features hydrate --target wasm32-unknown-unknown -- -D warnings

# Pure domain, components rendered to HTML, configuration (no database, no network).
unit:
	cargo test --features ssr --lib

# The real router against a real database: SQLite always; PostgreSQL too when
# TEST_DATABASE_URL is set (each test gets its own fresh database there).
integration:
	@if [ -z "$${TEST_DATABASE_URL:-}" ]; then echo "integration: TEST_DATABASE_URL is not set, so the PostgreSQL half is skipped (SQLite runs)"; fi
	cargo test --features ssr --test '*'

# Release build, bytes per route, throughput next to a trivial axum handler (docs/BENCHMARKS.md).
bench: setup-build setup-e2e setup-bench
	bash benches/run.sh

# wrk (Debian) and Lighthouse (npm) for the benchmarks.
setup-bench:
	@command -v wrk >/dev/null || { if [ "$$(id -u)" = 0 ]; then apt-get install -y -qq wrk >/dev/null; \
	  else echo "wrk is missing: run 'sudo apt-get install wrk' and try again"; exit 1; fi; }
	@if ! grep -qs '"version": "$(LIGHTHOUSE_VERSION)"' "$(TOOLS)/node_modules/lighthouse/package.json"; then \
	  echo "Installing Lighthouse $(LIGHTHOUSE_VERSION) (npm, about 20 seconds)"; \
	  mkdir -p "$(TOOLS)" && npm install --prefix "$(TOOLS)" --no-audit --no-fund --silent lighthouse@$(LIGHTHOUSE_VERSION); fi

# Chromium drives the built portal twice: JavaScript on and JavaScript off.
e2e: build
	cd end2end && npx playwright test
