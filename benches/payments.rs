//! `cargo run --release --features ssr --example payments_bench [vignette] [DATABASE_URL]`:
//! completed payments per second through the whole HTTP flow with the sandbox gateway, one app
//! server. Prints Markdown for docs/BENCHMARKS.md.
//!
//! With `vignette`, each payment is a complete vignette purchase instead of a test order: the
//! quote page (GET, the tariff engine on the database's rows), "Pay" (POST: the amount checked
//! again, the order), the gateway's pages as below, then back to the portal (GET: the return
//! asks the gateway and the fulfilment issues the vignette) and the vignette's page (GET). Each
//! payer owns enough vehicles (written directly, as a fleet import would) for one purchase each.
//!
//! Each of 16 concurrent payers (or `BENCH_CLIENTS`; own account, own session, own address)
//! repeats for `FLOW_SECS`: create a test order (POST), open the order page (GET), Pay (POST), the
//! gateway's card page (GET), the card (POST), the code page (GET), the one-time code (POST).
//! The payer does not come back to the portal: the payment completes through the sandbox's
//! signed notification (one notifier, as on one server) and the engine's fulfilment. The run
//! ends when every payment started has been fulfilled; completed/s counts from the first
//! request to the last fulfilment. Each payment is then checked: one success event, one
//! fulfilled order.
//!
//! SQLite in a temporary directory by default; a `postgres://…` URL as the argument runs the
//! same against a new database on that server (dropped afterwards).
// A benchmark may unwrap: it measures, and stops at the first failure.
#![allow(clippy::unwrap_used)]

#[path = "common.rs"]
mod common;
#[path = "flows.rs"]
mod flows;
#[path = "../tests/api/support/smtp_sink.rs"]
mod smtp_sink;

use bawaba::{features::accounts::passwords, platform::config::Config, server};
use flows::{PASSWORD, Payer};
use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

/// Concurrent payers unless `BENCH_CLIENTS` says otherwise (doubling them tells a closed
/// loop's limit from a serial point's).
const CLIENTS: usize = 16;
const FLOW_SECS: u64 = 15;
/// Vehicles per payer in vignette mode: more than one payer buys in `FLOW_SECS`.
const VEHICLES_PER_PAYER: usize = 400;

#[tokio::main]
async fn main() {
    sqlx::any::install_default_drivers();
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let vignettes = args.first().is_some_and(|a| a == "vignette");
    if vignettes {
        args.remove(0);
    }
    let arg = args.first().cloned();
    let bench_db = common::BenchDatabase::new("payments-bench", arg.as_deref()).await;
    let (database_url, data_dir) = (bench_db.url.clone(), bench_db.data_dir.clone());
    let backend = bench_db.backend();
    let clients: usize = std::env::var("BENCH_CLIENTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .filter(|n| *n > 0)
        .unwrap_or(CLIENTS);

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let base = format!("http://{address}");
    let mut env = HashMap::new();
    env.insert("BAWABA_BIND", address.to_string());
    env.insert("BAWABA_PUBLIC_URL", base.clone());
    env.insert("BAWABA_DATA_DIR", data_dir.display().to_string());
    env.insert("DATABASE_URL", database_url.clone());
    // Ten unless the run says otherwise (`BAWABA_DB_MAX_CONNECTIONS=4 …`), to compare pool sizes.
    let connections = std::env::var("BAWABA_DB_MAX_CONNECTIONS").unwrap_or_else(|_| "10".into());
    env.insert("BAWABA_DB_MAX_CONNECTIONS", connections);
    env.insert("BAWABA_CLIENT_IP_HEADER", "X-Real-IP".to_string());
    env.insert("BAWABA_DEMO_PAYMENTS", "on".to_string());
    env.insert("BAWABA_LOG", "error".to_string());
    // E-mail goes over SMTP to a loopback sink, as a server's goes to its relay: the files the
    // portal writes without a relay are for development, one at a time (`Transports::lanes`).
    let sink = smtp_sink::SmtpSink::start(0).await;
    env.insert("BAWABA_SMTP_URL", sink.url());
    let config = Config::from_lookup(|k| env.get(k).cloned()).unwrap();
    // `BENCH_LOG=sqlx::query=debug` logs every statement to stderr, to count them per purchase.
    if let Ok(filter) = std::env::var("BENCH_LOG") {
        bawaba::platform::telemetry::init(&filter, false);
    }
    let state = server::build_state(config).await.unwrap();
    state.payments.local.set(base.clone());
    let db = state.db.clone();
    let workers = server::spawn_workers(&state);

    // One confirmed account per payer, signed in through the form.
    let stored = passwords::hash(PASSWORD.into()).await.unwrap();
    common::confirmed_accounts(&db, clients, "payer", &stored).await;
    tokio::spawn(async move {
        server::serve_on(listener, state, std::future::pending())
            .await
            .unwrap();
    });
    let mut payers = Vec::new();
    for i in 0..clients {
        let email = format!("payer{i}@bench.example");
        let vehicles = if vignettes {
            flows::vehicles_of(&db, &email, VEHICLES_PER_PAYER, i * VEHICLES_PER_PAYER).await
        } else {
            Vec::new()
        };
        let payer = Payer::new(&base, format!("10.1.0.{}", i + 1), vehicles, None);
        payer.sign_in(&email).await.unwrap();
        payers.push(payer);
    }

    let started_ids = Arc::new(Mutex::new(Vec::new()));
    let latencies = Arc::new(Mutex::new(Vec::new()));
    let writes_before = db.writer().uses();
    let started = Instant::now();
    let deadline = started + Duration::from_secs(FLOW_SECS);
    let tasks: Vec<_> = payers
        .into_iter()
        .map(|payer| {
            let (ids, latencies) = (started_ids.clone(), latencies.clone());
            tokio::spawn(async move {
                while Instant::now() < deadline {
                    let t = Instant::now();
                    let id = payer.pay_one().await.unwrap();
                    latencies.lock().unwrap().push(t.elapsed());
                    ids.lock().unwrap().push(id);
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    let payer_part = started.elapsed();
    let ids = started_ids.lock().unwrap().clone();
    // Wait for the notifications to fulfil every payment the payers finished.
    let wait_until = Instant::now() + Duration::from_secs(300);
    let fulfilled = loop {
        let (n,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM payments p JOIN orders o ON o.id = p.order_id \
             WHERE p.state = 'succeeded' AND o.fulfilled_at IS NOT NULL",
        )
        .fetch_one(db.pool())
        .await
        .unwrap();
        if n as usize >= ids.len() || Instant::now() > wait_until {
            break n as usize;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let total = started.elapsed();
    let writes = {
        let (uses, held) = db.writer().uses();
        (uses - writes_before.0, held - writes_before.1)
    };
    assert_eq!(fulfilled, ids.len(), "every payment fulfilled");
    // A purchase is done when its e-mails are sent too (the vignette's carries its PDF): the
    // outbox runs in the same process and may fall behind the payers, which would leave the
    // cost of sending out of the rate above. Wait for it, and give both figures.
    let outbox_left = flows::outbox_backlog(&db).await;
    while flows::outbox_backlog(&db).await > 0 && Instant::now() < wait_until {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let with_mail = started.elapsed();
    assert_eq!(flows::outbox_backlog(&db).await, 0, "every e-mail sent");
    let (sent,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM outbox WHERE channel = 'email' AND status = 'sent'")
            .fetch_one(db.pool())
            .await
            .unwrap();
    let received = sink.messages();
    assert_eq!(received.len(), sent as usize, "each e-mail received once");
    assert!(
        received
            .iter()
            .flat_map(|m| &m.to)
            .all(|to| to.ends_with("@bench.example")),
        "e-mail only to the payers"
    );
    let (successes,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM payment_events WHERE event = 'succeeded' AND to_state = 'succeeded'",
    )
    .fetch_one(db.pool())
    .await
    .unwrap();
    assert_eq!(successes as usize, ids.len(), "one success per payment");
    if vignettes {
        let (issued,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM vignettes")
            .fetch_one(db.pool())
            .await
            .unwrap();
        assert_eq!(issued as usize, ids.len(), "one vignette per payment");
        let with_pdf = received
            .iter()
            .filter(|m| m.data.contains("application/pdf"))
            .count();
        assert_eq!(with_pdf, ids.len(), "one vignette PDF per payment");
    }
    for w in workers {
        w.abort();
    }

    let mut l = latencies.lock().unwrap().clone();
    let mut pct = |p: f64| flows::quantile_ms(&mut l, p);
    let (what, flow, requests) = if vignettes {
        (
            "Vignette purchases",
            "quote → Pay → gateway page → card → code → return → vignette page",
            9,
        )
    } else {
        (
            "Payments",
            "create → gateway page → card → code → notification → fulfilment",
            7,
        )
    };
    println!("### {what} on {backend}");
    println!();
    println!("| measure | value |");
    println!("|---|---:|");
    println!(
        "| completed ({flow}), {clients} concurrent payers, {} in all | {:.1} /s |",
        ids.len(),
        ids.len() as f64 / total.as_secs_f64()
    );
    println!(
        "| payer's {requests} requests each, median / 95th percentile | {:.0} ms / {:.0} ms |",
        pct(0.5),
        pct(0.95)
    );
    println!(
        "| last fulfilment after the last payer finished (notification backlog) | {:.1} s |",
        (total - payer_part).as_secs_f64()
    );
    println!(
        "| e-mails waiting when the last payer finished; sent all after | {outbox_left}; {:.1} s |",
        (with_mail - payer_part).as_secs_f64()
    );
    println!(
        "| completed with their e-mails sent (until the outbox was empty) | {:.1} /s |",
        ids.len() as f64 / with_mail.as_secs_f64()
    );
    // Each hand-off is a ping saved (`platform::db::Conns`).
    println!(
        "| writing connection handed straight from task to task, a payment | {:.1} |",
        db.writer().handed_on() as f64 / ids.len() as f64
    );
    // On SQLite every write passes through one connection: held nearly all the time, it is
    // the serial point that caps the rate, however many cores are idle.
    println!(
        "| writes (statements and transactions) a payment; writing connections held, on average (SQLite has one) | {:.1}; {:.2} |",
        writes.0 as f64 / ids.len() as f64,
        writes.1.as_secs_f64() / total.as_secs_f64()
    );
    println!();

    bench_db.drop(db).await;
}
