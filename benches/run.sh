#!/usr/bin/env bash
# `make bench`: release build, then (1) bytes on first load per route, (2) requests per second
# of the home page next to a trivial axum handler, in the same run on the same machine.
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-target}"
port=3300
base_port=3301
duration="${BENCH_DURATION:-10s}"
connections="${BENCH_CONNECTIONS:-32}"

command -v wrk >/dev/null || { [ "$(id -u)" = 0 ] && apt-get install -y -qq wrk >/dev/null; } || {
  echo "wrk is missing: sudo apt-get install wrk" >&2; exit 1; }

cargo leptos build --release --split
cargo build --release --features ssr --example baseline_server

data="$(mktemp -d -t bawaba-bench-XXXXXX)"
out="$data/out"; mkdir -p "$out"   # each step's table, for the goals' summary at the end
BAWABA_BIND="127.0.0.1:$port" BAWABA_DATA_DIR="$data" BAWABA_LOG=warn \
  LEPTOS_SITE_ROOT=target/site LEPTOS_HASH_FILES=true "$target/release/bawaba" &
portal=$!
"$target/release/examples/baseline_server" "127.0.0.1:$base_port" &
baseline=$!
trap 'kill $portal $baseline 2>/dev/null || true; rm -rf "$data"' EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.2; done

echo "## Two requests on one keep-alive connection (issue 23: TCP_NODELAY)"
echo
# Without TCP_NODELAY the second request waited ~40 ms for the client's delayed ACK.
times=$(curl -s -o /dev/null -o /dev/null -w "%{time_total} " "http://127.0.0.1:$port/icons/icon.svg" "http://127.0.0.1:$port/icons/icon.svg")
echo "| request | seconds | goal |"
echo "|---|---:|---|"
echo "| first | $(echo $times | cut -d' ' -f1) | |"
echo "| second, same connection | $(echo $times | cut -d' ' -f2) | about the first's, not +40 ms |"
echo
echo "## Bytes on first load (Arabic, no cache)"
echo
BENCH_DATA_DIR="$data" node benches/bundle-sizes.mjs "http://127.0.0.1:$port" / /vignette /vignette/calculator \
  /vignette/buy /vehicles/add /vignette/verify /vignette/verify/offline /id-card /id-card/eligibility/date-of-birth /accessibility \
  /id-card/apply "/id-card/applications/{id}" "/id-card/applications/{id}/names" "/id-card/applications/{id}/documents" \
  "/id-card/applications/{id}/check" "/id-card/applications/{id}/appointment" | tee "$out/bytes"
echo
echo "## Lighthouse, mobile (Arabic)"
echo
BENCH_DATA_DIR="$data" node benches/lighthouse.mjs "http://127.0.0.1:$port" / /vignette /vignette/calculator \
  /vignette/verify /id-card /accessibility /vignette/buy /vehicles /vehicles/add | tee "$out/lighthouse"
echo
echo "## The fee calculator's quote in the browser"
echo
node benches/quote-in-browser.mjs "http://127.0.0.1:$port"
echo
echo "## Server throughput (wrk, $connections connections, $duration, 2 threads, same machine)"
echo
# As a browser asks: Arabic, brotli accepted. The public pages come from the page cache
# (platform::page_cache) after the first request; the quote is rendered every time.
rps() { wrk -t2 -c"$connections" -d"$duration" -H "accept-language: ar" -H "accept-encoding: br" "$1" | awk '/Requests\/sec/ {print $2}'; }
home=$(rps "http://127.0.0.1:$port/")
calculator=$(rps "http://127.0.0.1:$port/vignette/calculator")
# A quote computed by the server: the calculator page with a car's answers (no JavaScript).
quote=$(rps "http://127.0.0.1:$port/vignette/calculator?campaign=2026&category=1&fuel=petrol&first_year=2022&fiscal_hp=8&status=")
health=$(rps "http://127.0.0.1:$port/healthz")
trivial=$(rps "http://127.0.0.1:$base_port/")
echo "| handler | requests/s |"
echo "|---|---:|"
echo "| portal home page \`/\` (Arabic, brotli; the page cache) | $home |"
echo "| fee calculator without answers (the page cache) | $calculator |"
echo "| fee calculator with a quote (reference rows read, engine run, page rendered, compressed) | $quote |"
echo "| \`/healthz\` through every layer | $health |"
echo "| trivial axum handler | $trivial |"
echo
awk -v h="$home" -v t="$trivial" 'BEGIN { printf "Home / trivial: %.3f (goal, issue 23: at least 0.40): %s\n", h / t, (h / t >= 0.40 ? "met" : "NOT met") }'
echo
# Accounts: argon2id, sign-ins through HTTP, outbox to a loopback SMTP sink (benches/accounts.rs),
# on SQLite and, when BENCH_DATABASE_URL (or TEST_DATABASE_URL) names a server, on PostgreSQL.
cargo build --release --features ssr --example accounts_bench
"$target/release/examples/accounts_bench" | tee "$out/accounts"
pg="${BENCH_DATABASE_URL:-${TEST_DATABASE_URL:-}}"
if [ -n "$pg" ]; then echo; "$target/release/examples/accounts_bench" "$pg" | tee -a "$out/accounts"; fi
echo
# Payments: the whole flow over HTTP with the sandbox gateway (benches/payments.rs).
cargo build --release --features ssr --example payments_bench
"$target/release/examples/payments_bench"
if [ -n "$pg" ]; then echo; "$target/release/examples/payments_bench" "$pg"; fi
echo
# Vignette purchases: quote, Pay, the gateway, back to the vignette (the same example).
"$target/release/examples/payments_bench" vignette | tee "$out/purchases"
if [ -n "$pg" ]; then echo; "$target/release/examples/payments_bench" vignette "$pg" | tee -a "$out/purchases"; fi
echo
# Vignette PDFs per second (benches/pdf.rs).
cargo build --release --features ssr --example pdf_bench
"$target/release/examples/pdf_bench"
echo
# Document uploads: processing, HTTP, a 50 MB body refused (benches/uploads.rs).
cargo build --release --features ssr --example uploads_bench
"$target/release/examples/uploads_bench"
echo
# Appointments: slot search, bookings per second for one slot and spread (benches/appointments.rs).
cargo build --release --features ssr --example appointments_bench
"$target/release/examples/appointments_bench"
if [ -n "$pg" ]; then echo; "$target/release/examples/appointments_bench" "$pg"; fi
echo
# Mixed load (benches/mixed.rs): public pages, the calculator, sign-ins, signed-in pages and
# purchases at fixed arrival rates; the highest rate held for BENCH_MIXED_SECS (60 unless set).
cargo build --release --features ssr --example mixed_bench
"$target/release/examples/mixed_bench" | tee "$out/mixed"
if [ -n "$pg" ]; then echo; "$target/release/examples/mixed_bench" "$pg" | tee -a "$out/mixed"; fi
echo
echo "## Issue 23's goals"
echo
met() { [ "$1" -eq "$2" ] && echo "met" || echo "NOT met"; }
b_all=$(grep -c '^| `/' "$out/bytes"); b_ok=$(grep '^| `/' "$out/bytes" | grep -c ': met |')
l_all=$(grep -c '^| `/' "$out/lighthouse"); l_ok=$(grep '^| `/' "$out/lighthouse" | grep -c '| met')
ratio=$(awk -v h="$home" -v t="$trivial" 'BEGIN { printf "%.2f", h / t }')
# A purchase counts once its e-mails are sent (the outbox may fall behind the payers).
purchases=$(grep 'with their e-mails sent' "$out/purchases" | grep -o '[0-9.]* /s |' | tr -d '|' | paste -sd' ' -)
emails=$(grep 'outbox e-mails' "$out/accounts" | grep -o '[0-9.]* /s |' | tr -d '|' | paste -sd' ' -)
mixed=$(grep 'highest arrival rate held' "$out/mixed" | grep -o '[0-9]* /s |' | tr -d '|' | paste -sd' ' -)
mixed_runs=$(grep -c 'highest arrival rate held' "$out/mixed" || true)
echo "| goal | figure | target | |"
echo "|---|---|---|---|"
echo "| 1. no stall on a reused connection | $(echo $times | cut -d' ' -f2) s (first $(echo $times | cut -d' ' -f1) s) | about the first's | see above |"
echo "| 2. first-visit bytes | $b_ok of $b_all routes within their budget | 30 KiB without island, 150 KiB with | $(met "$b_ok" "$b_all") |"
echo "| 3. Lighthouse mobile | $l_ok of $l_all routes | ≥ 99, LCP ≤ 1.2 s, SEO 100 | $(met "$l_ok" "$l_all") |"
echo "| 4. public pages from the cache | home $home req/s, $ratio of the trivial handler | ≥ 0.40 | $(awk -v r="$ratio" 'BEGIN { print (r >= 0.40 ? "met" : "NOT met") }') |"
echo "| 5. vignette purchases, e-mails sent | $purchases (SQLite, PostgreSQL) | ≥ 300 /s each | $(echo "$purchases" | awk '{ ok = NF > 0; for (i = 1; i <= NF; i += 2) if ($i < 300) ok = 0; print (ok ? "met" : "NOT met") }') |"
echo "| 5. outbox e-mails to a loopback SMTP sink | $emails (SQLite, PostgreSQL) | ≥ 500 /s each | $(echo "$emails" | awk '{ ok = NF > 0; for (i = 1; i <= NF; i += 2) if ($i < 500) ok = 0; print (ok ? "met" : "NOT met") }') |"
echo "| 6. mixed load, highest arrival rate held | $mixed (SQLite$([ "$mixed_runs" -gt 1 ] && echo ", PostgreSQL")) | reported: ${BENCH_MIXED_SECS:-60} s at p99 < 200 ms, 0 errors, each backend | $([ "$mixed_runs" -gt 1 ] && echo "reported" || echo "SQLite only") |"
echo
echo "Machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; rustc $(rustc --version | cut -d" " -f2); $(date -u +%Y-%m-%d)"
