//! What the HTTP benchmarks do as a person would (`payments_bench`, `mixed_bench`): sign in,
//! pay a test order, buy a vignette. Each request's time can be recorded; a request that does
//! not answer as the flow expects is an `Err` naming it, so a load test can count it.

use std::{
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

pub const PASSWORD: &str = "olive tree harbour lantern";

/// Each request's time, for percentiles.
pub type Times = Arc<Mutex<Vec<Duration>>>;

/// The value of the hidden input `name` in a page.
pub fn hidden(html: &str, name: &str) -> Result<String, String> {
    let key = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&key)
        .ok_or_else(|| format!("no hidden input {name}"))?
        + key.len();
    let len = html[start..].find('"').ok_or("unterminated value")?;
    Ok(html[start..start + len].to_string())
}

/// Where the page's form whose action starts with `path` posts: a browser posts there, query
/// included (the sandbox's forms carry their page's language).
pub fn action(html: &str, path: &str) -> Result<String, String> {
    let key = format!("action=\"{path}");
    let start = html
        .find(&key)
        .ok_or_else(|| format!("no form posting to {path}"))?
        + "action=\"".len();
    let len = html[start..].find('"').ok_or("unterminated action")?;
    Ok(html[start..start + len].replace("&amp;", "&"))
}

pub fn path_of(url: &str) -> String {
    let rest = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    rest.find('/')
        .map(|i| rest[i..].to_string())
        .unwrap_or_default()
}

/// The `p` quantile (0 to 1) of `times`, in milliseconds; sorts them.
pub fn quantile_ms(times: &mut [Duration], p: f64) -> f64 {
    times.sort();
    let i = ((times.len() as f64 * p) as usize).min(times.len().saturating_sub(1));
    times.get(i).map_or(0.0, |t| t.as_secs_f64() * 1000.0)
}

/// One person with their own cookies and address (behind a proxy header, as a load balancer
/// would give it), and in vignette mode the vehicles they may still buy a vignette for.
pub struct Payer {
    pub client: reqwest::Client,
    pub base: String,
    pub ip: String,
    pub vehicles: Mutex<Vec<String>>,
    pub times: Option<Times>,
}

impl Payer {
    pub fn new(base: &str, ip: String, vehicles: Vec<String>, times: Option<Times>) -> Self {
        Self {
            client: reqwest::Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("an HTTP client"),
            base: base.to_string(),
            ip,
            vehicles: Mutex::new(vehicles),
            times,
        }
    }

    fn record(&self, since: Instant) {
        if let Some(times) = &self.times {
            times.lock().unwrap().push(since.elapsed());
        }
    }

    /// A form post the server answers with a redirect (as without JavaScript); where it leads.
    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> Result<String, String> {
        let t = Instant::now();
        let res = self
            .client
            .post(format!("{}{path}", self.base))
            .header("accept", "text/html")
            .header("x-real-ip", &self.ip)
            .form(form)
            .send()
            .await
            .map_err(|e| format!("POST {path}: {e}"))?;
        self.record(t);
        if !res.status().is_redirection() {
            return Err(format!("POST {path}: {}", res.status()));
        }
        res.headers()
            .get("location")
            .and_then(|l| l.to_str().ok())
            .map(str::to_string)
            .ok_or_else(|| format!("POST {path}: no location"))
    }

    /// A page that must answer 200; its text.
    pub async fn get(&self, path: &str) -> Result<String, String> {
        let (status, body) = self.get_any(path).await?;
        if status != 200 {
            return Err(format!("GET {path}: {status}"));
        }
        Ok(body)
    }

    /// Any answer: its status and body, or where it redirects.
    async fn get_any(&self, path: &str) -> Result<(u16, String), String> {
        let t = Instant::now();
        let res = self
            .client
            .get(format!("{}{path}", self.base))
            .header("x-real-ip", &self.ip)
            .header("accept-language", "ar")
            .send()
            .await
            .map_err(|e| format!("GET {path}: {e}"))?;
        let status = res.status().as_u16();
        let body = if res.status().is_redirection() {
            res.headers()
                .get("location")
                .and_then(|l| l.to_str().ok())
                .unwrap_or_default()
                .to_string()
        } else {
            res.text().await.map_err(|e| format!("GET {path}: {e}"))?
        };
        self.record(t);
        Ok((status, body))
    }

    pub async fn sign_in(&self, email: &str) -> Result<(), String> {
        let to = self
            .post(
                "/api/account/sign-in",
                &[("identifier", email), ("password", PASSWORD), ("next", "")],
            )
            .await?;
        (to == "/account")
            .then_some(())
            .ok_or_else(|| format!("signed in to {to}"))
    }

    /// One payment, as far as the payer goes (with a vehicle left: a vignette bought to its
    /// page; without: a test order paid, settled later by the gateway's notification); returns
    /// our payment id.
    pub async fn pay_one(&self) -> Result<String, String> {
        let vehicle = self.vehicles.lock().unwrap().pop();
        let gateway = match &vehicle {
            None => {
                let order = self.post("/api/payments/demo", &[]).await?;
                let page = self.get(&order).await?;
                let (order_id, key) = (hidden(&page, "order_id")?, hidden(&page, "key")?);
                self.post(
                    "/api/payments/pay",
                    &[("order_id", &order_id), ("key", &key)],
                )
                .await?
            }
            Some(id) => {
                let quote = self.get(&format!("/vignette/buy/{id}")).await?;
                self.post(
                    "/api/vignette/buy",
                    &[
                        ("vehicle_id", &hidden(&quote, "vehicle_id")?),
                        ("amount", &hidden(&quote, "amount")?),
                        ("key", &hidden(&quote, "key")?),
                    ],
                )
                .await?
            }
        };
        let gateway = path_of(&gateway);
        if !gateway.starts_with("/sandbox-pay/pay/") {
            return Err(format!("Pay led to {gateway}"));
        }
        let page = self.get(&gateway).await?;
        let card = [
            ("number", "4111 1111 1111 1111"),
            ("expiry", "12/30"),
            ("cvv", "123"),
            ("holder", "BENCH PAYER"),
        ];
        let to = action(&page, &format!("{gateway}/card"))?;
        let code = path_of(&self.post(&to, &card).await?);
        self.get(&code).await?;
        let back = path_of(&self.post(&code, &[("code", "123456")]).await?);
        if vehicle.is_some() {
            // Back to the portal: the return settles the payment and leads to the vignette.
            let (status, to) = self.get_any(&back).await?;
            if !(300..400).contains(&status) || !to.starts_with("/vignette/bought/") {
                return Err(format!("the return gave {status} {to}"));
            }
            if !self.get(&to).await?.contains("vignette-number") {
                return Err("a vignette page without its number".into());
            }
        }
        Ok(back
            .trim_start_matches("/payments/")
            .trim_end_matches("/return")
            .to_string())
    }
}

/// `n` vehicles for the account of `email` (2019 diesel cars of 6 CV, plates numbered from
/// `first_plate`), written in one transaction as a fleet import would; returns their ids.
pub async fn vehicles_of(
    db: &bawaba::platform::db::Db,
    email: &str,
    n: usize,
    first_plate: usize,
) -> Vec<String> {
    let (account,): (String,) = sqlx::query_as("SELECT id FROM accounts WHERE email = $1")
        .bind(email)
        .fetch_one(db.pool())
        .await
        .expect("the account");
    let mut tx = db.begin_write().await.expect("a transaction");
    let mut ids = Vec::with_capacity(n);
    for k in 0..n {
        let id = uuid::Uuid::new_v4().to_string();
        sqlx::query(
            "INSERT INTO vehicles (id, account_id, plate, vin, vin_non_standard, category, fuel,
                first_year, fiscal_hp, created_at, updated_at)
             VALUES ($1, $2, $3, 'VF1RFB00X56123456', 0, 1, 'diesel', 2019, 6, 0, 0)",
        )
        .bind(&id)
        .bind(&account)
        .bind(format!("{} 119 16", 100000 + first_plate + k))
        .execute(&mut *tx)
        .await
        .expect("a vehicle");
        ids.push(id);
    }
    tx.commit().await.expect("the vehicles");
    ids
}

/// Messages waiting in the outbox (a purchase is done once its e-mails are sent).
pub async fn outbox_backlog(db: &bawaba::platform::db::Db) -> i64 {
    let (n,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM outbox WHERE status IN ('pending', 'sending')")
            .fetch_one(db.pool())
            .await
            .unwrap();
    n
}
