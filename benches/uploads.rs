//! `cargo run --release --features ssr --example uploads_bench`: what a document upload costs.
//! Prints Markdown for docs/BENCHMARKS.md:
//! 1. the process's peak memory while a 50 MB body is refused, sent as a stream so that the
//!    client holds none of it (measured first, before any image is decoded);
//! 2. the processing alone (type sniffed, image decoded, turned upright, encoded again, the
//!    quality pre-check) for a phone photo and a scan: files/s and MB/s on one core and on all;
//! 3. uploads through HTTP to the real router on loopback (local file store, SQLite):
//!    uploads/s and MB/s with several clients at once.
// A benchmark may unwrap: it measures, and stops at the first failure.
#![allow(clippy::unwrap_used)]

#[path = "common.rs"]
mod common;

use bawaba::{
    domain::idcard::documents::{DocumentKind, QualityRules},
    features::{
        accounts::passwords,
        idcard::documents::{process::process, samples::scan},
    },
    platform::config::Config,
    server,
};
use image::ImageFormat;
use std::{
    collections::HashMap,
    time::{Duration, Instant},
};

const SECONDS: u64 = 5;

fn rules() -> QualityRules {
    QualityRules {
        document_min_short_side: 1000,
        photo_min_width: 600,
        photo_min_height: 771,
        photo_aspect_milli: 1286,
        photo_aspect_tolerance_milli: 80,
        min_mean_luminance: 60,
        max_mean_luminance: 225,
        min_sharpness: 100,
        max_pdf_pages: 10,
    }
}

/// Files processed by `threads` threads in `SECONDS`.
fn processing(file: &[u8], threads: usize) -> f64 {
    let start = Instant::now();
    let deadline = start + Duration::from_secs(SECONDS);
    let done: usize = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut n = 0;
                    while Instant::now() < deadline {
                        let p =
                            process(DocumentKind::Passport, file.to_vec(), &rules(), 50_000_000);
                        std::hint::black_box(p.unwrap());
                        n += 1;
                    }
                    n
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).sum()
    });
    done as f64 / start.elapsed().as_secs_f64()
}

/// The process's peak resident memory so far, in MiB (Linux).
fn peak_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

fn mb(bytes: usize) -> f64 {
    bytes as f64 / 1_048_576.0
}

#[tokio::main]
async fn main() {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    // The real router on loopback, SQLite, local files.
    let db = common::BenchDatabase::new("uploads", None).await;
    let mut env = HashMap::new();
    env.insert("BAWABA_BIND", "127.0.0.1:0".to_string());
    env.insert("BAWABA_DATA_DIR", db.data_dir.display().to_string());
    env.insert("DATABASE_URL", db.url.clone());
    env.insert("BAWABA_LOG", "warn".to_string());
    let config = Config::from_lookup(|k| env.get(k).cloned()).unwrap();
    let state = server::build_state(config).await.unwrap();
    let pool = state.db.clone();
    let hash = passwords::hash("bench password for uploads".into())
        .await
        .unwrap();
    let clients = 8;
    common::confirmed_accounts(&pool, clients, "upload", &hash).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        server::serve_on(listener, state, std::future::pending())
            .await
            .unwrap();
    });
    // Each client signs in and starts an application.
    let mut sessions = Vec::new();
    for i in 0..clients {
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let email = format!("upload{i}@bench.example");
        let form = [
            ("identifier", email.as_str()),
            ("password", "bench password for uploads"),
            ("next", ""),
        ];
        client
            .post(format!("{base}/api/account/sign-in"))
            .header("accept", "text/html")
            .header("x-forwarded-for", format!("10.0.0.{i}"))
            .form(&form)
            .send()
            .await
            .unwrap();
        let started = client
            .post(format!("{base}/api/id-card/apply"))
            .header("accept", "text/html")
            .form(&[("request_type", "new")])
            .send()
            .await
            .unwrap();
        let id = started.headers()["location"]
            .to_str()
            .unwrap()
            .rsplit('/')
            .next()
            .unwrap()
            .to_string();
        sessions.push((client, id));
    }
    let post = move |client: &reqwest::Client, id: &str, body: reqwest::Body| {
        let boundary = "XbenchX";
        client
            .post(format!(
                "{}/id-card/applications/{id}/documents/passport",
                base
            ))
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .header("connection", "close")
            .body(body)
    };
    let part = |file: &[u8]| {
        let mut body = b"--XbenchX\r\ncontent-disposition: form-data; name=\"file\"; \
              filename=\"p.jpg\"\r\ncontent-type: image/jpeg\r\n\r\n"
            .to_vec();
        body.extend_from_slice(file);
        body.extend_from_slice(b"\r\n--XbenchX--\r\n");
        body
    };
    // 50 MB refused while it streams: the body comes from a generator, 64 KiB at a time.
    let before = peak_mib();
    let (client, id) = &sessions[0];
    let chunk = vec![b'%'; 64 * 1024];
    let head = part(b"%PDF-1.4\n");
    let stream = futures::stream::iter(
        std::iter::once(head)
            .chain(std::iter::repeat_n(chunk, 50 * 16))
            .map(Ok::<_, std::io::Error>),
    );
    let sent = post(client, id, reqwest::Body::wrap_stream(stream))
        .send()
        .await;
    let answer = match sent {
        Ok(res) => res.status().to_string(),
        Err(e) => format!("connection closed by the server ({})", e.is_request()),
    };
    println!("### A 50 MB upload, refused while it streams");
    println!();
    println!("| peak memory before | peak memory after | answer |");
    println!("|---:|---:|---|");
    println!("| {before:.0} MiB | {:.0} MiB | {answer} |", peak_mib());
    println!();
    // A phone photo of a document (12 megapixels, JPEG) and a 300 dpi A4 scan (PNG).
    let photo = scan(3000, 4000, 230, 25, ImageFormat::Jpeg);
    let a4 = scan(2480, 3508, 235, 20, ImageFormat::Png);
    println!("### Document processing (decode, turn upright, encode again, pre-check)");
    println!();
    println!("| file | size | threads | files/s | MB/s |");
    println!("|---|---:|---:|---:|---:|");
    for (name, file) in [
        ("phone photo 3000 × 4000 JPEG", &photo),
        ("A4 scan 2480 × 3508 PNG", &a4),
    ] {
        for threads in [1, cores] {
            let rate = processing(file, threads);
            println!(
                "| {name} | {:.1} MB | {threads} | {rate:.1} | {:.1} |",
                mb(file.len()),
                rate * mb(file.len())
            );
        }
    }
    println!();

    // A document keeps at most 2 files: each upload is removed again by the database, so the
    // clients can go on.
    let upload_photo = part(&photo);
    let start = Instant::now();
    let deadline = start + Duration::from_secs(SECONDS * 2);
    let mut tasks = Vec::new();
    for (client, id) in sessions {
        let (pool, body, post) = (pool.clone(), upload_photo.clone(), post.clone());
        tasks.push(tokio::spawn(async move {
            let mut n = 0usize;
            while Instant::now() < deadline {
                let res = post(&client, &id, body.clone().into())
                    .send()
                    .await
                    .unwrap();
                assert_eq!(res.status(), 303);
                sqlx::query("DELETE FROM idcard_documents WHERE application_id = $1")
                    .bind(&id)
                    .execute(pool.pool())
                    .await
                    .unwrap();
                n += 1;
            }
            n
        }));
    }
    let mut total = 0;
    for t in tasks {
        total += t.await.unwrap();
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "### Uploads through HTTP ({}, local files, {clients} clients)",
        db.backend()
    );
    println!();
    println!("| file | uploads/s | MB/s received |");
    println!("|---|---:|---:|");
    println!(
        "| phone photo 3000 × 4000 JPEG, {:.1} MB | {:.1} | {:.1} |",
        mb(photo.len()),
        total as f64 / secs,
        total as f64 * mb(upload_photo.len()) / secs
    );
    println!();

    db.drop(pool).await;
}
