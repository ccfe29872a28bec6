#!/usr/bin/env python3
"""Where a benchmark's CPU goes, by part of the portal, from a perf profile with call stacks.

    CARGO_TARGET_DIR=/work/fp-target RUSTFLAGS="-C force-frame-pointers=yes" \
        cargo build --release --features ssr --example payments_bench
    BENCH_LOG=error perf record -F 499 -g -o perf.data \
        /work/fp-target/release/examples/payments_bench vignette
    perf script -i perf.data -F comm,tid,ip,sym > perf.txt
    python3 benches/perf-split.py perf.txt

Each sample goes to the first part below whose names its stack holds (so the PDF's deflate is
"pdf: deflate", not "outbox"); the share of the kernel's own frames in each part is shown
beside it. The list is an aid for reading a profile, not a measure of its own: the figures in
docs/BENCHMARKS.md give the run they came from.
"""
import collections
import sys

# (part, names any frame may hold, a name the stack must also hold)
PARTS = [
    ("set-up: sign-ins, vehicles", ["argon2", "vehicles_of", "confirmed_accounts", "BenchDatabase", "migrate"], None),
    ("pdf: font subsets", ["subsetter::", "subset_font", "compute_bbox"], None),
    ("pdf: deflate", ["zlib_rs", "flate2"], "pdf::pdf"),
    ("pdf: QR code", ["fast_qr"], "pdf::pdf"),
    ("pdf: shaping", ["rustybuzz", "pdf::Line::new"], "pdf::pdf"),
    ("pdf: other", ["document::pdf::pdf", "krilla"], None),
    ("page QR code", ["fast_qr"], None),
    ("outbox: render, other", ["messages::render", "outbox::"], None),
    ("SMTP client (lettre)", ["lettre"], None),
    ("SMTP sink", ["smtp_sink"], None),
    ("SQLite", ["sqlite3"], None),
    ("sqlx: SQLite threads, channels", ["sqlx_sqlite", "flume"], None),
    ("sqlx: pool, Any, PostgreSQL", ["sqlx_core", "sqlx_postgres"], None),
    ("Leptos rendering", ["leptos", "tachys", "reactive_graph"], None),
    ("the benchmark's clients", ["reqwest", "flows::Payer", "payments_bench::main"], None),
    ("sandbox gateway", ["sandbox::"], None),
    ("handlers, other portal code", ["bawaba::"], None),
    ("hyper, axum, tower", ["hyper", "axum", "tower"], None),
    ("tokio: scheduler, parking", ["tokio::runtime"], None),
]


def part_of(frames):
    for name, keys, needs in PARTS:
        if needs and not any(needs in f for f in frames):
            continue
        if any(k in f for f in frames for k in keys):
            return name
    return "other"


def main(path):
    counts, kernel, total = collections.Counter(), collections.Counter(), 0
    frames = []

    def flush():
        nonlocal total
        if frames:
            part = part_of(frames)
            counts[part] += 1
            total += 1
            if frames[0].startswith("K:"):
                kernel[part] += 1

    for line in open(path, errors="replace"):
        if not line.strip():
            flush()
            frames = []
        elif line.startswith(("\t", " ")):
            address, _, symbol = line.strip().partition(" ")
            frames.append(("K:" if address.startswith("ffffffff") else "") + symbol)
    flush()
    print(f"| share of all {total} samples | of which in the kernel | part |")
    print("|---:|---:|---|")
    for part, n in counts.most_common():
        print(f"| {100 * n / total:.1f} % | {100 * kernel[part] / total:.1f} % | {part} |")


if __name__ == "__main__":
    main(sys.argv[1])
