//! Every route the app serves, walked as every kind of visitor (issue 18). The routes come from
//! the app itself, not from a list kept here: the pages from the route table (`page_paths`),
//! the plain handlers from the table the router is built from (`plain_routes`), and the
//! server functions from the registry they are served from. A route added later is walked
//! too, so one added without its check fails here.
//!
//! Amina owns things (a vehicle, a paid vignette and its payment, a demo payment, an import
//! report); every address with a parameter is tried with each of her ids. Expected:
//! - nothing answers 5xx, whoever asks;
//! - nobody but Amina (and the administrator, on staff pages) sees her name or address;
//! - a page that needs an account sends a visitor who is not signed in to the sign-in page,
//!   and an administrator without a second step to set one up;
//! - staff pages and functions answer "not found" to citizens and to an administrator without
//!   a second step, and work for an administrator with one;
//! - Amina reaches each of her own records through at least one address (the walk is real);
//! - after the walk, Amina's records are as they were;
//! - a page loads the browser's code (WebAssembly and its module) exactly when it shows an
//!   island (issue 19: a page without one preloaded 141 KB that it never ran).

use crate::{
    on_both_backends,
    support::{
        app::{Browser, TestApp},
        people::{
            AMINA, KARIM, PASSWORD, Person, administrator, administrator_without_second_step,
            sign_in, signed_in,
        },
        vignette::{add, press_buy},
    },
};
use bawaba::{
    features::accounts::needs_sign_in,
    server::{page_paths, plain_routes},
};

const NADIA: Person = Person {
    name: "Nadia Cherif",
    nin: "209990123456789015",
    email: "nadia@example.dz",
};

/// What must never reach anyone but Amina.
const MARKERS: [&str; 2] = [AMINA.email, AMINA.name];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Who {
    SignedOut,
    Owner,
    OtherCitizen,
    HalfAdministrator,
    Administrator,
}

/// Amina's records, every one of them an id a parameter may be given.
struct Owned {
    vehicle: String,
    vignette_order: String,
    vignette_payment: String,
    demo_payment: String,
    import: String,
}

impl Owned {
    fn ids(&self) -> Vec<&str> {
        vec![
            &self.vehicle,
            &self.vignette_order,
            &self.vignette_payment,
            &self.demo_payment,
            &self.import,
            // Something that is nobody's.
            "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        ]
    }
}

/// `path` with every `{param}` (or `*rest`) replaced by `value`.
fn fill(path: &str, value: &str) -> String {
    path.split('/')
        .map(|s| {
            if s.starts_with('{') || s.starts_with(':') || s.starts_with('*') {
                value
            } else {
                s
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

fn has_param(path: &str) -> bool {
    path.contains('{') || path.contains(':') || path.contains('*')
}

fn location(res: &reqwest::Response) -> String {
    res.headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default()
}

async fn arrange(app: &TestApp) -> (Browser, Owned) {
    let amina = signed_in(app, &AMINA, "en").await;
    let vehicle = add(app, &amina, "12345-119-16", &[]).await;
    let quote = amina.page(&format!("/vignette/buy/{vehicle}")).await;
    let gateway = press_buy(&amina, &quote).await;
    let back =
        crate::support::payments::pay_on_sandbox(&amina, &gateway, "4111 1111 1111 1111").await;
    let vignette_order = back.trim_start_matches("/vignette/bought/").to_string();
    let (vignette_payment,): (String,) =
        sqlx::query_as("SELECT id FROM payments WHERE order_id = $1")
            .bind(&vignette_order)
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    let order = crate::support::payments::demo_order(&amina).await;
    let gateway = crate::support::payments::press_pay(&amina, &amina.page(&order).await).await;
    let paid =
        crate::support::payments::pay_on_sandbox(&amina, &gateway, "4111 1111 1111 1111").await;
    let demo_payment = paid.trim_start_matches("/payments/").to_string();
    let template = amina
        .get("/vehicles/import/template.csv")
        .await
        .text()
        .await
        .unwrap()
        .replace("12345 119 16", "54321 119 16");
    let to = crate::support::vignette::upload(app, &amina, "fleet.csv", template.as_bytes()).await;
    let import = to
        .trim_start_matches("/vehicles/import/report/")
        .to_string();
    (
        amina,
        Owned {
            vehicle,
            vignette_order,
            vignette_payment,
            demo_payment,
            import,
        },
    )
}

/// What Amina's records look like: compared before and after the walk.
async fn snapshot(app: &TestApp) -> Vec<String> {
    let mut rows = Vec::new();
    for sql in [
        "SELECT a.email || ' ' || a.full_name || ' ' || a.mobile FROM accounts a WHERE a.email = 'amina@example.dz'",
        "SELECT v.id || ' ' || v.plate || ' ' || COALESCE(v.archived_at, 0) FROM vehicles v JOIN accounts a ON a.id = v.account_id WHERE a.email = 'amina@example.dz' ORDER BY v.id",
        "SELECT p.id || ' ' || p.state || ' ' || p.refunded_minor FROM payments p JOIN orders o ON o.id = p.order_id JOIN accounts a ON a.id = o.account_id WHERE a.email = 'amina@example.dz' ORDER BY p.id",
        "SELECT v.number || ' ' || v.plate FROM vignettes v ORDER BY v.number",
        "SELECT COUNT(*) || '' FROM second_factors",
    ] {
        let found: Vec<(String,)> = sqlx::query_as(sql).fetch_all(app.db.pool()).await.unwrap();
        rows.extend(found.into_iter().map(|(r,)| r));
    }
    rows
}

/// Signs `who` in again if a route signed them out (signing out is a route like any other).
async fn still_signed_in(app: &TestApp, b: &Browser, email: &str) {
    let alive = b
        .client
        .post(format!("{}/account/session/extend", b.base))
        .send()
        .await
        .unwrap()
        .status();
    if alive == 401 {
        // Probing counts towards the limits like anyone's: start them again.
        app.execute("DELETE FROM throttles").await;
        let to = sign_in(b, email, PASSWORD).await;
        assert!(
            to == "/account" || to == "/account/two-step",
            "{email} signs in again: {to}"
        );
    }
}

/// Whether a page shows an island that runs: `Hydrated` only reports when the others are live.
fn shows_island(body: &str) -> bool {
    body.match_indices("<leptos-island")
        .any(|(i, _)| !body[i..].starts_with("<leptos-island data-component=\"Hydrated"))
}

/// Whether a page loads the browser's code: Leptos' module, its WebAssembly, or a chunk.
fn loads_code(body: &str) -> bool {
    body.contains("rel=\"modulepreload\"") || body.contains(".wasm\"")
}

fn leaks(body: &str) -> Option<&'static str> {
    MARKERS.into_iter().find(|m| body.contains(m))
}

on_both_backends!(
    every_route_answers_each_kind_of_visitor_as_it_should,
    |app: &TestApp| async move {
        let (amina, owned) = arrange(app).await;
        let karim = signed_in(app, &KARIM, "en").await;
        let admin = administrator(app).await;
        let half = administrator_without_second_step(app, &NADIA).await;
        let stranger = app.browser("en");
        let before = snapshot(app).await;
        let visitors = [
            (Who::SignedOut, &stranger, ""),
            (Who::Owner, &amina, AMINA.email),
            (Who::OtherCitizen, &karim, KARIM.email),
            (Who::HalfAdministrator, &half, NADIA.email),
            (
                Who::Administrator,
                &admin,
                crate::support::people::SAMIRA.email,
            ),
        ];

        // Pages and plain GET handlers.
        let mut gets: Vec<String> = page_paths();
        gets.extend(
            plain_routes()
                .into_iter()
                .filter(|r| r.method == http::Method::GET)
                .map(|r| r.path.to_string()),
        );
        gets.sort();
        gets.dedup();
        assert!(gets.len() > 40, "{gets:?}");
        let mut owner_reached = std::collections::BTreeSet::new();
        let mut pages_by_island = std::collections::BTreeMap::<bool, usize>::new();
        for route in &gets {
            let addresses: Vec<(String, Option<&str>)> = if has_param(route) {
                owned
                    .ids()
                    .into_iter()
                    .map(|id| (fill(route, id), Some(id)))
                    .collect()
            } else {
                vec![(route.clone(), None)]
            };
            let staff = route.starts_with("/admin/");
            for (address, id) in &addresses {
                let address = if address.ends_with(".csv") {
                    format!("{address}?day=2026-11-30")
                } else {
                    address.clone()
                };
                let personal = needs_sign_in(address.split('?').next().unwrap());
                for (who, b, _) in &visitors {
                    let res = b.get(&address).await;
                    let status = res.status().as_u16();
                    let to = location(&res);
                    // With a session, nothing may be kept by a cache, but what is the same
                    // for everyone and says so (the published keys, the service worker).
                    let cache = res
                        .headers()
                        .get("cache-control")
                        .map(|v| v.to_str().unwrap().to_string())
                        .unwrap_or_default();
                    if *who != Who::SignedOut && address != "/sw.js" && !cache.starts_with("public")
                    {
                        assert_eq!(cache, "private, no-store", "{who:?} GET {address}");
                    }
                    let body = res.text().await.unwrap_or_default();
                    let here = format!("{who:?} GET {address} ({status} {to})");
                    assert!(status < 500, "{here}");
                    if body.starts_with("<!DOCTYPE html>") {
                        let island = shows_island(&body);
                        assert_eq!(island, loads_code(&body), "{here}: islands and code");
                        *pages_by_island.entry(island).or_insert(0) += 1;
                    }
                    if !matches!(who, Who::Owner | Who::Administrator) {
                        assert_eq!(leaks(&body), None, "{here}");
                    }
                    match who {
                        Who::SignedOut if personal || staff => {
                            assert_eq!(status, 302, "{here}");
                            assert!(to.starts_with("/sign-in?next="), "{here}");
                        }
                        Who::HalfAdministrator
                            if (personal || staff) && !address.starts_with("/account/two-step") =>
                        {
                            assert_eq!(status, 302, "{here}");
                            assert_eq!(to, "/account/two-step", "{here}");
                        }
                        Who::Owner | Who::OtherCitizen if staff => {
                            assert_eq!(status, 404, "{here}");
                        }
                        // Refused, or sent to an address this walk also tries.
                        Who::OtherCitizen if personal && id.is_some() => {
                            assert!(status == 404 || (300..400).contains(&status), "{here}");
                        }
                        Who::Administrator if staff && id.is_none() => {
                            assert_eq!(status, 200, "{here}");
                        }
                        Who::Owner if personal && status == 200 => {
                            if let Some(id) = id {
                                owner_reached.insert(id.to_string());
                            }
                        }
                        _ => {}
                    }
                }
            }
        }
        // Both kinds were seen: pages that run code, and pages that load none.
        assert!(
            pages_by_island.get(&true) > Some(&20),
            "{pages_by_island:?}"
        );
        assert!(
            pages_by_island.get(&false) > Some(&20),
            "{pages_by_island:?}"
        );
        for (id, what) in [
            (&owned.vehicle, "vehicle"),
            (&owned.vignette_order, "vignette"),
            (&owned.demo_payment, "payment"),
            (&owned.import, "import report"),
        ] {
            assert!(
                owner_reached.contains(id.as_str()),
                "Amina's {what} was reached"
            );
        }

        // Server functions and plain POST handlers, called with each of Amina's ids in every
        // argument a function may take, by everyone but Amina (a function may change what it
        // names: her own calls are the other tests' business).
        let mut posts: Vec<String> = leptos::server_fn::axum::server_fn_paths()
            .filter(|(_, m)| *m == http::Method::POST)
            .map(|(p, _)| p.to_string())
            .collect();
        posts.extend(
            plain_routes()
                .into_iter()
                .filter(|r| r.method == http::Method::POST)
                .map(|r| r.path.to_string()),
        );
        posts.sort();
        posts.dedup();
        assert!(posts.len() > 50, "{posts:?}");
        let names = [
            "id",
            "vehicle_id",
            "order_id",
            "payment_id",
            "order",
            "vehicle",
            "token",
            "flag_id",
            "key",
        ];
        // Everyone who is not staff first: then nothing of Amina's may have changed.
        let mut staff_reached = 0;
        for (who, b, email) in &visitors {
            if *who == Who::Owner {
                continue;
            }
            if *who == Who::Administrator {
                assert_eq!(
                    snapshot(app).await,
                    before,
                    "nobody changed Amina's records"
                );
            }
            for route in &posts {
                let staff = route.starts_with("/api/admin/");
                // The administrator is a citizen like Karim elsewhere: here, staff functions.
                if *who == Who::Administrator && !staff {
                    continue;
                }
                for id in owned.ids() {
                    let address = fill(route, id);
                    let mut form: Vec<(&str, &str)> = names.iter().map(|n| (*n, id)).collect();
                    form.extend([
                        ("what", "Email"),
                        ("step", "passport"),
                        ("amount", "1"),
                        ("reason", "walk"),
                        ("decision", "keep"),
                        ("reference", "PAY-WALK"),
                        ("resolution", "walk"),
                        ("day", "2026-11-30"),
                    ]);
                    let res = b
                        .client
                        .post(format!("{}{address}", b.base))
                        .form(&form)
                        .send()
                        .await
                        .unwrap();
                    let status = res.status().as_u16();
                    let body = res.text().await.unwrap_or_default();
                    let here = format!("{who:?} POST {address} ({status})");
                    assert!(status < 500, "{here}: {body}");
                    if *who != Who::Administrator {
                        assert_eq!(leaks(&body), None, "{here}");
                    }
                    // Refused; or, when the arguments do not read, refused before anything ran.
                    if staff && *who != Who::Administrator {
                        assert!(status == 404 || status == 400, "{here}");
                    }
                    if staff && *who == Who::Administrator && status != 404 {
                        staff_reached += 1;
                    }
                    if !email.is_empty() {
                        still_signed_in(app, b, email).await;
                    }
                }
            }
        }
        assert!(
            staff_reached > 0,
            "the administrator reached the staff functions"
        );
    }
);
