//! `cargo run --release --features ssr --example pdf_bench`: vignette PDFs made per second
//! (layout, Arabic shaping, font subsetting, serialisation), on one core and on every core.
//! Prints Markdown for docs/BENCHMARKS.md. `pdf_bench sample <file> [ar|fr|en]` writes the
//! sample vignette instead, to look at.
// A benchmark may unwrap: it measures, and stops at the first failure.
#![allow(clippy::unwrap_used)]

use bawaba::{
    features::vignette::document::{VignetteDocument, pdf},
    i18n::Locale,
};
use std::time::{Duration, Instant};

const SECONDS: u64 = 5;

/// PDFs made by `threads` threads in `SECONDS`, and the size of one.
fn run(threads: usize, locale: Locale) -> (f64, usize) {
    let doc = VignetteDocument::sample();
    let size = pdf(&doc, locale).unwrap().len();
    let start = Instant::now();
    let deadline = start + Duration::from_secs(SECONDS);
    let made: usize = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut n = 0;
                    while Instant::now() < deadline {
                        std::hint::black_box(pdf(&doc, locale).unwrap());
                        n += 1;
                    }
                    n
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).sum()
    });
    (made as f64 / start.elapsed().as_secs_f64(), size)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let [cmd, file, rest @ ..] = args.as_slice()
        && cmd == "sample"
    {
        let locale = match rest.first().map(String::as_str) {
            Some("fr") => Locale::fr,
            Some("en") => Locale::en,
            _ => Locale::ar,
        };
        std::fs::write(file, pdf(&VignetteDocument::sample(), locale).unwrap()).unwrap();
        return;
    }
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!("### Vignette PDFs");
    println!();
    println!("| document | threads | PDFs/s | bytes each |");
    println!("|---|---:|---:|---:|");
    for (name, locale) in [("Arabic", Locale::ar), ("French", Locale::fr)] {
        for threads in [1, cores] {
            let (rate, size) = run(threads, locale);
            println!("| vignette and receipt, {name} | {threads} | {rate:.0} | {size} |");
        }
    }
    println!();
}
