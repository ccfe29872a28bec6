#!/usr/bin/env bash
# Starts the portal built by `cargo leptos build` on PORT with a fresh SQLite database (in
# BAWABA_DATA_DIR when given, else a new temporary directory), as the end-to-end tests need it.
# Run from the project root.
set -euo pipefail
port="${1:?port}"
data="${BAWABA_DATA_DIR:-$(mktemp -d -t bawaba-e2e-XXXXXX)}"
export BAWABA_BIND="127.0.0.1:${port}"
export BAWABA_DATA_DIR="$data"
export BAWABA_LOG="${BAWABA_LOG:-warn}"
# SMS go to files (no provider here); the tests read them through the development mailbox.
export BAWABA_DEV_MAILBOX="on"
export BAWABA_DEMO_PAYMENTS="on"
export LEPTOS_SITE_ROOT="target/site"
export LEPTOS_OUTPUT_NAME="bawaba"
export LEPTOS_HASH_FILES="true"
exec "${CARGO_TARGET_DIR:-target}/debug/bawaba"
