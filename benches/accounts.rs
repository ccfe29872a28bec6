//! `cargo run --release --features ssr --example accounts_bench [DATABASE_URL]`: what accounts
//! cost. Prints Markdown for docs/BENCHMARKS.md:
//! 1. argon2id hash and verify times (OWASP parameters, one thread each);
//! 2. sign-ins per second through HTTP: the real router on loopback, concurrent clients posting
//!    the sign-in form of distinct accounts from distinct addresses (a proxy header, so the
//!    per-address limit counts them apart, as behind a real load balancer), each a new session;
//! 3. outbox deliveries per second to a local SMTP sink (the tests' sink: real SMTP on
//!    loopback), with two workers of `Transports::lanes` lanes each, as two app servers run them.
//!
//! SQLite in a temporary directory by default; a `postgres://…` URL as the argument runs the
//! same against a new database on that server (dropped afterwards).
// A benchmark may unwrap: it measures, and stops at the first failure.
#![allow(clippy::unwrap_used)]

#[path = "common.rs"]
mod common;
#[path = "../tests/api/support/smtp_sink.rs"]
mod smtp_sink;

use bawaba::{
    features::accounts::passwords,
    messages::render,
    platform::{
        config::Config,
        mail::{MailTransport, SmsTransport},
        outbox::{self, Channel, Notification, Transports},
        session::now_secs,
    },
    server,
};
use std::{
    collections::HashMap,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

const PASSWORD: &str = "olive tree harbour lantern";
const ACCOUNTS: usize = 200;
const CLIENTS: usize = 16;
const SIGN_IN_SECS: u64 = 10;
const MESSAGES: usize = 2000;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

#[tokio::main]
async fn main() {
    sqlx::any::install_default_drivers();
    let arg = std::env::args().nth(1);
    let bench_db = common::BenchDatabase::new("accounts-bench", arg.as_deref()).await;
    let (database_url, data_dir) = (bench_db.url.clone(), bench_db.data_dir.clone());
    let backend = bench_db.backend();

    // 1. The hash alone.
    let mut hashes = Vec::new();
    let mut verifies = Vec::new();
    let mut stored = String::new();
    for _ in 0..10 {
        let t = Instant::now();
        stored = passwords::hash(PASSWORD.into()).await.unwrap();
        hashes.push(t.elapsed());
        let t = Instant::now();
        assert!(passwords::verify(PASSWORD.into(), stored.clone()).await);
        verifies.push(t.elapsed());
    }

    let (hash_time, verify_time) = (median(hashes), median(verifies));

    // 2. Sign-ins through HTTP.
    let mut env = HashMap::new();
    env.insert("BAWABA_BIND", "127.0.0.1:0".to_string());
    env.insert("BAWABA_DATA_DIR", data_dir.display().to_string());
    env.insert("DATABASE_URL", database_url.clone());
    env.insert("BAWABA_DB_MAX_CONNECTIONS", "10".to_string());
    env.insert("BAWABA_CLIENT_IP_HEADER", "X-Real-IP".to_string());
    env.insert("BAWABA_LOG", "error".to_string());
    let config = Config::from_lookup(|k| env.get(k).cloned()).unwrap();
    let state = server::build_state(config).await.unwrap();
    let db = state.db.clone();
    common::confirmed_accounts(&db, ACCOUNTS, "user", &stored).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        server::serve_on(listener, state, std::future::pending())
            .await
            .unwrap();
    });
    let done = Arc::new(AtomicU64::new(0));
    let refused = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + Duration::from_secs(SIGN_IN_SECS);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..CLIENTS {
        let (done, refused) = (done.clone(), refused.clone());
        tasks.push(tokio::spawn(async move {
            let mut n = c;
            while Instant::now() < deadline {
                // A fresh client per sign-in: no cookies carried over, like a new visitor.
                let client = reqwest::Client::builder()
                    .redirect(reqwest::redirect::Policy::none())
                    .build()
                    .unwrap();
                let i = n % ACCOUNTS;
                let res = client
                    .post(format!("http://{address}/api/account/sign-in"))
                    .header("accept", "text/html")
                    .header("x-real-ip", format!("10.0.{}.{}", i / 250, i % 250 + 1))
                    .form(&[
                        ("identifier", format!("user{i}@bench.example")),
                        ("password", PASSWORD.to_string()),
                        ("next", String::new()),
                    ])
                    .send()
                    .await
                    .unwrap();
                let ok = res
                    .headers()
                    .get("location")
                    .is_some_and(|l| l == "/account");
                if ok { &done } else { &refused }.fetch_add(1, Ordering::Relaxed);
                n += CLIENTS;
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let elapsed = started.elapsed().as_secs_f64();
    let signed_in = done.load(Ordering::Relaxed);
    assert_eq!(refused.load(Ordering::Relaxed), 0, "a sign-in was refused");

    // 3. Outbox to a local SMTP sink, two servers' workers.
    let sink = smtp_sink::SmtpSink::start(0).await;
    let transports = Transports {
        mail: MailTransport::from_config(
            Some(&sink.url()),
            "Bawaba <no-reply@bawaba.test>",
            &data_dir,
        )
        .unwrap(),
        sms: SmsTransport::files(data_dir.join("sms")),
    };
    let mut tx = db.begin_write().await.unwrap();
    for i in 0..MESSAGES {
        outbox::enqueue(
            &mut tx,
            &Notification {
                account_id: None,
                channel: Channel::Email,
                recipient: &format!("user{i}@bench.example"),
                template: "email_verification",
                language: "ar",
                params: serde_json::json!({ "code": "493817", "link": "https://bawaba.example/x" }),
            },
            now_secs(),
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    let started = Instant::now();
    // Two app servers' workers, each sending `lanes()` messages at once as `spawn_worker` does.
    let lanes = transports.lanes();
    let workers: Vec<_> = (0..2 * lanes)
        .map(|w| {
            let (db, t) = (db.clone(), transports.clone());
            tokio::spawn(async move {
                let name = format!("bench-{w}");
                while outbox::deliver_one(&db, &t, render, &name, now_secs())
                    .await
                    .unwrap()
                {}
            })
        })
        .collect();
    for w in workers {
        w.await.unwrap();
    }
    let outbox_secs = started.elapsed().as_secs_f64();
    let received = sink.messages();
    let recipients: std::collections::BTreeSet<_> =
        received.iter().flat_map(|m| m.to.clone()).collect();
    assert_eq!(received.len(), MESSAGES, "each message once");
    assert_eq!(recipients.len(), MESSAGES, "each recipient once");
    assert!(received.iter().all(|m| m.data.contains("Subject:")));

    println!("### Accounts on {backend}");
    println!();
    println!("| measure | value |");
    println!("|---|---:|");
    println!(
        "| argon2id hash (m=19 MiB, t=2, p=1), median of 10 | {:.1} ms |",
        hash_time.as_secs_f64() * 1000.0
    );
    println!(
        "| argon2id verify, median of 10 | {:.1} ms |",
        verify_time.as_secs_f64() * 1000.0
    );
    println!(
        "| sign-ins through HTTP ({CLIENTS} clients, {SIGN_IN_SECS} s, {signed_in} sign-ins) | {:.1} /s |",
        signed_in as f64 / elapsed
    );
    println!(
        "| outbox e-mails delivered over SMTP to a loopback sink (2 workers × {} lanes, {MESSAGES} messages) | {:.0} /s |",
        lanes,
        MESSAGES as f64 / outbox_secs
    );
    println!();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "Ceiling set by the hash alone: {cores} cores / verify time = {:.1} sign-ins/s.",
        cores as f64 / verify_time.as_secs_f64()
    );

    bench_db.drop(db).await;
}
