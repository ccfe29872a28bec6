//! `cargo run --release --features ssr --example appointments_bench [postgres://…]`: what
//! booking an appointment costs, on SQLite (default) or PostgreSQL. Prints Markdown for
//! docs/BENCHMARKS.md:
//! 1. slot search for one centre over the booking window (14 working days): the domain's
//!    computation alone (what the browser would run), and with the database's read of the
//!    window's counts (what the server does for the calendar), as microseconds per search;
//! 2. bookings per second through `appointment::store::book` (the transaction the booking
//!    form runs: the application's row, the slot's conditional count, the appointment, the
//!    timeline and the notification), 32 at a time, all for one slot (contention on one row)
//!    and spread over many slots and centres.
// A benchmark may unwrap: it measures, and stops at the first failure.
#![allow(clippy::unwrap_used)]

// Only the database part of what the benchmarks share is used here.
#[allow(dead_code)]
#[path = "common.rs"]
mod common;

use bawaba::{
    domain::idcard::slots::{self, Rules, Slot},
    features::idcard::{appointment::store, store as idcard_store},
    platform::{db::Db, session::now_secs},
};
use std::time::Instant;

const SEARCHES: usize = 2_000;
const CONCURRENCY: usize = 32;

fn today() -> bawaba::domain::date::Date {
    bawaba::domain::date::Date::from_days_since_epoch((now_secs() + 3 * 3600).div_euclid(86_400))
}

/// `n` applications awaiting their appointment, each with its own account (in SQL: the
/// journey that leads there is measured elsewhere).
async fn applications(db: &Db, n: usize, tag: &str) -> Vec<(String, String)> {
    let now = now_secs();
    let mut all = Vec::with_capacity(n);
    let mut tx = db.begin_write().await.unwrap();
    for i in 0..n {
        let account = uuid::Uuid::new_v4().to_string();
        let application = uuid::Uuid::new_v4().to_string();
        sqlx::query(
            "INSERT INTO accounts (id, full_name, identity_kind, identity_number, date_of_birth,
               nationality, email, mobile, password_hash, role, email_verified_at, created_at,
               updated_at)
             VALUES ($1, 'Bench', 'qid', $2, '1990-01-01', 12, $3, '+97455000000', 'x',
               'citizen', $4, $4, $4)",
        )
        .bind(&account)
        .bind(format!("{tag}{i:09}"))
        .bind(format!("{tag}{i}@bench.example"))
        .bind(now)
        .execute(&mut *tx)
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO idcard_applications (id, reference, account_id, request_type, state,
               version, created_at, updated_at, language, fee_minor, fee_currency)
             VALUES ($1, $2, $3, 'new', 'awaiting_appointment', 1, $4, $4, 'ar', 10000, 'QAR')",
        )
        .bind(&application)
        .bind(format!("ID-{tag}{i:07}"))
        .bind(&account)
        .bind(now)
        .execute(&mut *tx)
        .await
        .unwrap();
        all.push((account, application));
    }
    tx.commit().await.unwrap();
    all
}

/// Opens the key the slips are signed with (made on the first booking of a fresh database).
static KEYS: std::sync::LazyLock<bawaba::platform::signing::Keyring> =
    std::sync::LazyLock::new(|| {
        bawaba::platform::signing::Keyring::new(bawaba::platform::secrets::SecretKey::from_bytes(
            [7; 32],
        ))
    });

/// Books every application, `CONCURRENCY` at a time, each at the slot `slot_of` gives it;
/// bookings per second (every one must succeed: the centres have room).
async fn book_all(
    db: &Db,
    people: &[(String, String)],
    slot_of: impl Fn(usize) -> (&'static str, Slot),
) -> f64 {
    use futures::StreamExt;
    let start = Instant::now();
    let results: Vec<bool> = futures::stream::iter(people.iter().enumerate())
        .map(|(i, (account, application))| {
            let (centre, slot) = slot_of(i);
            async move {
                matches!(
                    store::book(
                        db,
                        account,
                        application,
                        centre,
                        slot,
                        &store::Issuer {
                            public_url: "https://b.test",
                            keys: &KEYS,
                        },
                        now_secs()
                    )
                    .await
                    .unwrap(),
                    Some(store::Outcome::Done(_))
                )
            }
        })
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await;
    let rate = people.len() as f64 / start.elapsed().as_secs_f64();
    assert!(results.iter().all(|ok| *ok), "every booking succeeds");
    rate
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    // The PostgreSQL database is made through `sqlx::Any` before `Db::connect` installs them.
    sqlx::any::install_default_drivers();
    let arg = std::env::args().nth(1);
    let bench = common::BenchDatabase::new("appointments", arg.as_deref()).await;
    let db = Db::connect(&bench.url, 16).await.unwrap();
    db.migrate().await.unwrap();
    let rules = Rules::from_terms(&idcard_store::terms(&db).await.unwrap());
    let calendar = idcard_store::calendar(&db).await.unwrap();
    let doh = store::centre(&db, "DOH", today()).await.unwrap().unwrap();
    let window = slots::window(today(), &calendar, &rules);
    let days: Vec<_> = window
        .iter()
        .copied()
        .filter(|d| slots::day_problem(*d, &doh.centre, &calendar, today(), &rules).is_none())
        .collect();
    let (from, to) = (
        Slot {
            date: window[0],
            minute: 0,
        }
        .starts_at(),
        Slot {
            date: window[window.len() - 1].plus_days(1),
            minute: 0,
        }
        .starts_at(),
    );

    // Half the places of every other slot taken, so the count map is not empty.
    for (i, day) in days.iter().enumerate() {
        for minute in doh.centre.hours.starts(rules.slot_minutes).step_by(2) {
            sqlx::query("INSERT INTO appointment_slots (centre_code, starts_at, booked) VALUES ('DOH', $1, $2)")
                .bind(Slot { date: *day, minute }.starts_at())
                .bind(((i + minute as usize) % 7) as i64)
                .execute(db.pool())
                .await
                .unwrap();
        }
    }
    let counts: std::collections::HashMap<i64, i64> = store::booked(&db, "DOH", from, to)
        .await
        .unwrap()
        .into_iter()
        .collect();
    let search = |counts: &std::collections::HashMap<i64, i64>| {
        let free: u32 = window
            .iter()
            .filter(|d| slots::day_problem(**d, &doh.centre, &calendar, today(), &rules).is_none())
            .flat_map(|d| {
                slots::day_slots(*d, &doh.centre, &rules, |minute| {
                    counts
                        .get(&Slot { date: *d, minute }.starts_at())
                        .copied()
                        .unwrap_or(0)
                })
            })
            .map(|(_, f)| f)
            .sum();
        std::hint::black_box(free)
    };
    let start = Instant::now();
    for _ in 0..SEARCHES {
        search(&counts);
    }
    let pure = start.elapsed().as_secs_f64() * 1e6 / SEARCHES as f64;
    let start = Instant::now();
    for _ in 0..SEARCHES / 4 {
        let counts: std::collections::HashMap<i64, i64> = store::booked(&db, "DOH", from, to)
            .await
            .unwrap()
            .into_iter()
            .collect();
        search(&counts);
    }
    let with_db = start.elapsed().as_secs_f64() * 1e6 / (SEARCHES / 4) as f64;

    // Room for everyone in one slot: the bench's own centre, with 100 000 counters.
    sqlx::query(
        "INSERT INTO service_centres (code, name_ar, name_en, municipality, opens, closes, counters)
         VALUES ('BEN', 'مركز', 'Bench centre', 'Doha', '07:00', '14:00', 100000)",
    )
    .execute(db.pool())
    .await
    .unwrap();
    let n = 1_000;
    let one_slot = Slot {
        date: days[days.len() - 1],
        minute: 9 * 60,
    };
    let people = applications(&db, n, "a").await;
    let contended = book_all(&db, &people, |_| ("BEN", one_slot)).await;
    let people = applications(&db, n, "b").await;
    let centres = ["RAY", "WAK", "KHR", "USL", "DAY", "SHM"];
    let spread = book_all(&db, &people, |i| {
        let day = days[i % days.len()];
        // 20 slots a day from 07:00 at each centre in turn: one booking per slot.
        let minute = 7 * 60 + ((i / days.len()) % 20) as u16 * 15;
        (
            centres[(i / days.len() / 20) % centres.len()],
            Slot { date: day, minute },
        )
    })
    .await;

    println!("### Appointments ({})", bench.backend());
    println!();
    println!("| measure | result |");
    println!("|---|---:|");
    println!(
        "| slot search, one centre over {} working days, domain only (browser or server) | {pure:.1} µs |",
        rules.window_working_days
    );
    println!(
        "| slot search with the database's read of the window's counts (the calendar's server work) | {with_db:.1} µs |"
    );
    println!("| bookings/s, {CONCURRENCY} at a time, all for one slot | {contended:.0} |");
    println!(
        "| bookings/s, {CONCURRENCY} at a time, spread over many slots and centres | {spread:.0} |"
    );
    bench.drop(db).await;
}
