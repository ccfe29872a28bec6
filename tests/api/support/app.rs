//! `spawn_app`: starts the portal exactly as `bawaba` does (configuration, migrations, router)
//! on port 0, and a `TestApp` whose methods are what a browser does.

use super::html::visible;
use bawaba::{
    platform::{config::Config, db::Db},
    server::{self, AppState},
};
use std::{collections::HashMap, net::SocketAddr, path::PathBuf};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub struct TestApp {
    pub address: SocketAddr,
    /// Keeps cookies like a browser (the session cookie, once a draft is saved).
    pub client: reqwest::Client,
    jar: std::sync::Arc<reqwest::cookie::Jar>,
    pub db: Db,
    pub data_dir: PathBuf,
    /// The payment engine as the server has it (its gateway, the services' fulfilments).
    pub payments: bawaba::features::payments::engine::Payments,
    pg_cleanup: Option<(String, String)>,
}

/// Runs a test body once per backend: `sqlite` always, `postgres` when configured.
/// Written like a closure over the app: `on_both_backends!(name, |app: &TestApp| async move { … })`.
#[macro_export]
macro_rules! on_both_backends {
    ($name:ident, |$app:ident: &TestApp| async move $body:block) => {
        $crate::on_both_backends!($name, with [], |$app: &TestApp| async move $body);
    };
    // With settings of the test's own (`[("BAWABA_…", value)]`) added to the test settings.
    ($name:ident, with $extra:expr, |$app:ident: &TestApp| async move $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let owned = $crate::support::app::spawn_app_with(
                    $crate::support::app::Backend::Sqlite,
                    &$extra,
                )
                .await
                .unwrap();
                $crate::support::app::watched(async {
                    let $app: &$crate::support::app::TestApp = &owned;
                    $body
                })
                .await;
                owned.cleanup().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some(owned) = $crate::support::app::spawn_app_with(
                    $crate::support::app::Backend::Postgres,
                    &$extra,
                )
                .await
                else {
                    eprintln!("PostgreSQL half skipped: TEST_DATABASE_URL is not set");
                    return;
                };
                $crate::support::app::watched(async {
                    let $app: &$crate::support::app::TestApp = &owned;
                    $body
                })
                .await;
                owned.cleanup().await;
            }
        }
    };
}

/// A watchdog, not a timing: a test body that never ends (an await nothing will wake) fails
/// with its own name instead of stalling the suite until CI's limit. Far above the slowest
/// test's time.
pub async fn watched<T>(body: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(std::time::Duration::from_secs(300), body)
        .await
        .expect("the test did not end within 5 minutes: something it awaits is never woken")
}

fn temp_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("bawaba-test-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// A fresh PostgreSQL database for one test, created through `TEST_DATABASE_URL`.
async fn fresh_postgres_database() -> Option<(String, String, String)> {
    use sqlx::Executor;
    let admin_url = std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty())?;
    sqlx::any::install_default_drivers();
    let name = format!("bawaba_test_{}", uuid::Uuid::new_v4().simple());
    let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&admin_url)
        .await
        .expect("TEST_DATABASE_URL must reach a PostgreSQL server");
    conn.execute(format!("CREATE DATABASE {name}").as_str())
        .await
        .expect("create test database");
    let (base, _db) = admin_url
        .rsplit_once('/')
        .expect("TEST_DATABASE_URL ends with /database");
    Some((format!("{base}/{name}"), admin_url, name))
}

pub fn settings(data_dir: &std::path::Path, database_url: &str) -> Config {
    settings_with(data_dir, database_url, &[])
}

/// The test settings plus `extra` (a test's own choices, e.g. another payment gateway).
pub fn settings_with(
    data_dir: &std::path::Path,
    database_url: &str,
    extra: &[(&'static str, String)],
) -> Config {
    let mut env = HashMap::new();
    env.insert("BAWABA_BIND", "127.0.0.1:0".to_string());
    env.insert("BAWABA_DATA_DIR", data_dir.display().to_string());
    env.insert("DATABASE_URL", database_url.to_string());
    env.insert("BAWABA_DB_MAX_CONNECTIONS", "5".to_string());
    env.insert("BAWABA_DEMO_PAYMENTS", "on".to_string());
    env.extend(extra.iter().cloned());
    Config::from_lookup(|k| env.get(k).cloned()).expect("test configuration")
}

/// A new empty database: a file in a new directory, or a new PostgreSQL database.
/// `None` when the backend is PostgreSQL and no server is configured.
pub async fn fresh_database(
    backend: Backend,
) -> Option<(String, PathBuf, Option<(String, String)>)> {
    let data_dir = temp_dir();
    match backend {
        Backend::Sqlite => Some((
            format!("sqlite://{}?mode=rwc", data_dir.join("bawaba.db").display()),
            data_dir,
            None,
        )),
        Backend::Postgres => {
            let (url, admin, name) = fresh_postgres_database().await?;
            Some((url, data_dir, Some((admin, name))))
        }
    }
}

/// Starts the app; `None` when the backend is PostgreSQL and no server is configured.
pub async fn spawn_app(backend: Backend) -> Option<TestApp> {
    spawn_app_with(backend, &[]).await
}

/// Starts the app with settings of the test's own added.
pub async fn spawn_app_with(backend: Backend, extra: &[(&'static str, String)]) -> Option<TestApp> {
    let (database_url, data_dir, pg_cleanup) = fresh_database(backend).await?;
    // The server's fulfilments, and a kind of order whose fulfilments the payment tests count.
    let state = bawaba::platform::state::build_state(
        settings_with(&data_dir, &database_url, extra),
        |keys, public_url| {
            server::fulfilments(keys, public_url).register(
                crate::support::payments::COUNTED,
                crate::support::payments::FulfilCounted,
            )
        },
    )
    .await
    .expect("app starts");
    Some(serve(state, data_dir, pg_cleanup).await)
}

/// Drops a database made by `fresh_database` that no `TestApp` owns.
pub async fn drop_database(data_dir: PathBuf, pg_cleanup: Option<(String, String)>) {
    let _ = std::fs::remove_dir_all(&data_dir);
    if let Some((admin_url, name)) = pg_cleanup {
        use sqlx::Executor;
        if let Ok(mut conn) = <sqlx::AnyConnection as sqlx::Connection>::connect(&admin_url).await {
            let _ = conn
                .execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
                .await;
        }
    }
}

/// Serves an already built state (tests that need an unusual state build it themselves).
pub async fn serve(
    state: AppState,
    data_dir: PathBuf,
    pg_cleanup: Option<(String, String)>,
) -> TestApp {
    let db = state.db.clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().unwrap();
    state.payments.local.set(format!("http://{address}"));
    let payments = state.payments.clone();
    tokio::spawn(async move {
        server::serve_on(listener, state, std::future::pending())
            .await
            .unwrap();
    });
    let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
    let client = client(&jar);
    TestApp {
        address,
        client,
        jar,
        db,
        data_dir,
        payments,
        pg_cleanup,
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request")
    }

    /// A post with no body (a server function without arguments, a button).
    pub async fn post_empty(&self, path: &str) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .send()
            .await
            .expect("request")
    }

    pub async fn get_with(&self, path: &str, headers: &[(&str, &str)]) -> reqwest::Response {
        let mut req = self.client.get(self.url(path));
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        req.send().await.expect("request")
    }

    /// The page's HTML, asserting it answered 200.
    pub async fn get_html(&self, path: &str) -> String {
        let res = self.get(path).await;
        assert_eq!(res.status(), 200, "GET {path}");
        res.text().await.unwrap()
    }

    /// A page's visible text (see `visible`) as a visitor who chose `lang` reads it.
    pub async fn text_in(&self, lang: &str, path: &str) -> String {
        // An explicit Cookie header replaces the jar's: send both, as a browser would.
        use reqwest::cookie::CookieStore;
        let url = self.url(path).parse().unwrap();
        let mut cookie = format!("i18n_pref_locale={lang}");
        if let Some(kept) = self.jar.cookies(&url) {
            cookie = format!("{cookie}; {}", kept.to_str().unwrap());
        }
        let res = self.get_with(path, &[("cookie", &cookie)]).await;
        assert_eq!(res.status(), 200, "GET {path} in {lang}");
        visible(&res.text().await.unwrap())
    }

    /// Runs a statement on the app's database (arranging data the way an administrator would).
    pub async fn execute(&self, sql: &str) {
        sqlx::query(sql).execute(self.db.pool()).await.expect(sql);
    }

    pub async fn cleanup(self) {
        // A watchdog too: `close` waits for every connection to come back.
        tokio::time::timeout(std::time::Duration::from_secs(60), self.db.close())
            .await
            .expect("the database closes once every connection is back");
        drop_database(self.data_dir, self.pg_cleanup).await;
    }

    pub fn backend(&self) -> Backend {
        match self.db.backend() {
            bawaba::platform::db::Backend::Sqlite => Backend::Sqlite,
            bawaba::platform::db::Backend::Postgres => Backend::Postgres,
        }
    }
}

/// Another browser on the same app: its own cookies, its own language.
pub struct Browser {
    pub client: reqwest::Client,
    jar: std::sync::Arc<reqwest::cookie::Jar>,
    pub base: String,
}

impl TestApp {
    /// A new browser whose language is `lang` (the language cookie is set, as the switch does).
    pub fn browser(&self, lang: &str) -> Browser {
        let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
        let base = format!("http://{}", self.address);
        jar.add_cookie_str(
            &format!("i18n_pref_locale={lang}; Path=/"),
            &base.parse().unwrap(),
        );
        let client = client(&jar);
        Browser { client, jar, base }
    }
}

/// An HTTP client as a browser without JavaScript: it keeps cookies in `jar` and shows each
/// redirect instead of following it.
fn client(jar: &std::sync::Arc<reqwest::cookie::Jar>) -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_provider(jar.clone())
        .redirect(reqwest::redirect::Policy::none())
        // A stuck response fails its test instead of stalling the whole suite.
        .timeout(std::time::Duration::from_secs(45))
        .build()
        .unwrap()
}

impl Browser {
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("request")
    }

    /// A post with no body, from this browser.
    pub async fn post_empty(&self, path: &str) -> reqwest::Response {
        self.client
            .post(format!("{}{path}", self.base))
            .send()
            .await
            .expect("request")
    }

    /// The page's visible text, asserting it answered 200.
    pub async fn page(&self, path: &str) -> String {
        let res = self.get(path).await;
        assert_eq!(res.status(), 200, "GET {path}");
        visible(&res.text().await.unwrap())
    }

    /// A form posted without JavaScript; returns where the server sends the browser next.
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> String {
        let res = self
            .client
            .post(format!("{}{path}", self.base))
            .header("accept", "text/html")
            .form(fields)
            .send()
            .await
            .expect("request");
        assert!(
            res.status().is_redirection(),
            "POST {path}: {} {}",
            res.status(),
            res.text().await.unwrap_or_default()
        );
        res.headers()["location"].to_str().unwrap().to_string()
    }

    /// The session cookie's token, if the browser holds one.
    pub fn session_token(&self) -> Option<String> {
        use reqwest::cookie::CookieStore;
        let cookies = self.jar.cookies(&self.base.parse().unwrap())?;
        cookies
            .to_str()
            .ok()?
            .split(';')
            .filter_map(|p| p.trim().split_once('='))
            .find(|(k, _)| *k == "bawaba_session")
            .map(|(_, v)| v.to_string())
    }
}
