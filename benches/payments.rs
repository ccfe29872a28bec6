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
//! Each of `CLIENTS` concurrent payers (own account, own session, own address) repeats for
//! `FLOW_SECS`: create a test order (POST), open the order page (GET), Pay (POST), the
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

use bawaba::{features::accounts::passwords, platform::config::Config, server};
use std::{
    collections::HashMap,
    net::SocketAddr,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

const PASSWORD: &str = "olive tree harbour lantern";
const CLIENTS: usize = 16;
const FLOW_SECS: u64 = 15;

/// The value of the hidden input `name` in a page.
fn hidden(html: &str, name: &str) -> String {
    let key = format!("name=\"{name}\" value=\"");
    let start = html.find(&key).expect("hidden input") + key.len();
    html[start..start + html[start..].find('"').unwrap()].to_string()
}

fn path_of(url: &str) -> String {
    let rest = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    rest.find('/')
        .map(|i| rest[i..].to_string())
        .unwrap_or_default()
}

struct Payer {
    client: reqwest::Client,
    base: String,
    ip: String,
    /// Vignette mode: the payer's vehicles still without a vignette.
    vehicles: Mutex<Vec<String>>,
}

impl Payer {
    async fn post(&self, path: &str, form: &[(&str, &str)]) -> String {
        let res = self
            .client
            .post(format!("{}{path}", self.base))
            .header("accept", "text/html")
            .header("x-real-ip", &self.ip)
            .form(form)
            .send()
            .await
            .unwrap();
        assert!(
            res.status().is_redirection(),
            "POST {path}: {}",
            res.status()
        );
        res.headers()["location"].to_str().unwrap().to_string()
    }

    async fn get(&self, path: &str) -> String {
        let res = self
            .client
            .get(format!("{}{path}", self.base))
            .header("x-real-ip", &self.ip)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "GET {path}");
        res.text().await.unwrap()
    }

    /// One payment, as far as the payer goes; returns our payment id.
    async fn pay_one(&self) -> String {
        let vehicle = self.vehicles.lock().unwrap().pop();
        let gateway = match &vehicle {
            None => {
                let order = self.post("/api/payments/demo", &[]).await;
                let page = self.get(&order).await;
                let (order_id, key) = (hidden(&page, "order_id"), hidden(&page, "key"));
                self.post(
                    "/api/payments/pay",
                    &[("order_id", &order_id), ("key", &key)],
                )
                .await
            }
            Some(id) => {
                let quote = self.get(&format!("/vignette/buy/{id}")).await;
                self.post(
                    "/api/vignette/buy",
                    &[
                        ("vehicle_id", &hidden(&quote, "vehicle_id")),
                        ("amount", &hidden(&quote, "amount")),
                        ("key", &hidden(&quote, "key")),
                    ],
                )
                .await
            }
        };
        let gateway = path_of(&gateway);
        assert!(gateway.starts_with("/sandbox-pay/pay/"), "{gateway}");
        self.get(&gateway).await;
        let code = path_of(
            &self
                .post(
                    &format!("{gateway}/card"),
                    &[
                        ("number", "4111 1111 1111 1111"),
                        ("expiry", "12/30"),
                        ("cvv", "123"),
                        ("holder", "BENCH PAYER"),
                    ],
                )
                .await,
        );
        self.get(&code).await;
        let back = path_of(&self.post(&code, &[("code", "123456")]).await);
        if vehicle.is_some() {
            // Back to the portal: the return settles the payment and leads to the vignette.
            let res = self
                .client
                .get(format!("{}{back}", self.base))
                .header("x-real-ip", &self.ip)
                .send()
                .await
                .unwrap();
            let to = res.headers()["location"].to_str().unwrap().to_string();
            assert!(to.starts_with("/vignette/bought/"), "{to}");
            assert!(self.get(&to).await.contains("vignette-number"));
        }
        back.trim_start_matches("/payments/")
            .trim_end_matches("/return")
            .to_string()
    }
}

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

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let base = format!("http://{address}");
    let mut env = HashMap::new();
    env.insert("BAWABA_BIND", address.to_string());
    env.insert("BAWABA_PUBLIC_URL", base.clone());
    env.insert("BAWABA_DATA_DIR", data_dir.display().to_string());
    env.insert("DATABASE_URL", database_url.clone());
    env.insert("BAWABA_DB_MAX_CONNECTIONS", "10".to_string());
    env.insert("BAWABA_CLIENT_IP_HEADER", "X-Real-IP".to_string());
    env.insert("BAWABA_DEMO_PAYMENTS", "on".to_string());
    env.insert("BAWABA_LOG", "error".to_string());
    let config = Config::from_lookup(|k| env.get(k).cloned()).unwrap();
    let state = server::build_state(config).await.unwrap();
    state.payments.local.set(base.clone());
    let db = state.db.clone();
    let workers = server::spawn_workers(&state);

    // One confirmed account per payer, signed in through the form.
    let stored = passwords::hash(PASSWORD.into()).await.unwrap();
    common::confirmed_accounts(&db, CLIENTS, "payer", &stored).await;
    let router = server::router(state);
    tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .unwrap();
    });
    let mut payers = Vec::new();
    for i in 0..CLIENTS {
        let payer = Payer {
            client: reqwest::Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            base: base.clone(),
            ip: format!("10.1.0.{}", i + 1),
            vehicles: Mutex::new(if vignettes {
                vehicles_of(&db, i).await
            } else {
                Vec::new()
            }),
        };
        let to = payer
            .post(
                "/api/account/sign-in",
                &[
                    ("identifier", &format!("payer{i}@bench.example")),
                    ("password", PASSWORD),
                    ("next", ""),
                ],
            )
            .await;
        assert_eq!(to, "/account");
        payers.push(payer);
    }

    let started_ids = Arc::new(Mutex::new(Vec::new()));
    let latencies = Arc::new(Mutex::new(Vec::new()));
    let started = Instant::now();
    let deadline = started + Duration::from_secs(FLOW_SECS);
    let tasks: Vec<_> = payers
        .into_iter()
        .map(|payer| {
            let (ids, latencies) = (started_ids.clone(), latencies.clone());
            tokio::spawn(async move {
                while Instant::now() < deadline {
                    let t = Instant::now();
                    let id = payer.pay_one().await;
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
    assert_eq!(fulfilled, ids.len(), "every payment fulfilled");
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
    }
    for w in workers {
        w.abort();
    }

    let mut l = latencies.lock().unwrap().clone();
    l.sort();
    let pct = |p: f64| l[((l.len() as f64 * p) as usize).min(l.len() - 1)].as_secs_f64() * 1000.0;
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
        "| completed ({flow}), {CLIENTS} concurrent payers, {} in all | {:.1} /s |",
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
    println!();

    bench_db.drop(db).await;
}

/// Vehicles for payer `i` (a 2019 diesel car of 6 CV each, plates of this payer only), written
/// in one transaction; returns their ids.
async fn vehicles_of(db: &bawaba::platform::db::Db, i: usize) -> Vec<String> {
    const PER_PAYER: usize = 400;
    let (account,): (String,) = sqlx::query_as("SELECT id FROM accounts WHERE email = $1")
        .bind(format!("payer{i}@bench.example"))
        .fetch_one(db.pool())
        .await
        .unwrap();
    let mut tx = db.pool().begin().await.unwrap();
    let mut ids = Vec::with_capacity(PER_PAYER);
    for n in 0..PER_PAYER {
        let id = uuid::Uuid::new_v4().to_string();
        sqlx::query(
            "INSERT INTO vehicles (id, account_id, plate, vin, vin_non_standard, category, fuel,
                first_year, fiscal_hp, created_at, updated_at)
             VALUES ($1, $2, $3, 'VF1RFB00X56123456', 0, 1, 'diesel', 2019, 6, 0, 0)",
        )
        .bind(&id)
        .bind(&account)
        .bind(format!("{} 119 16", 100000 + i * PER_PAYER + n))
        .execute(&mut *tx)
        .await
        .unwrap();
        ids.push(id);
    }
    tx.commit().await.unwrap();
    ids
}
