//! The `bawaba` binary as an operator runs it: `--help`, start-up on an empty data directory,
//! graceful shutdown on SIGTERM, and no secret in its output even at the most verbose level.

use std::{
    io::{BufRead, BufReader, Read},
    process::{Command, Stdio},
    time::Duration,
};

/// The administrator `admin create` makes in these tests, after `--email`.
const NADIA: [&str; 12] = [
    "--name",
    "Nadia Ferhat",
    "--identity-kind",
    "nin",
    "--identity-number",
    "119850123456789012",
    "--date-of-birth",
    "1985-06-02",
    "--nationality",
    "12",
    "--mobile",
    "+213661234567",
];

fn binary() -> Command {
    Command::new(env!("CARGO_BIN_EXE_bawaba"))
}

#[test]
fn help_lists_the_settings_and_exits_successfully() {
    let out = binary().arg("--help").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for name in [
        "BAWABA_BIND",
        "DATABASE_URL",
        "BAWABA_DATA_DIR",
        "BAWABA_SECRET_KEY",
        "BAWABA_PUBLIC_URL",
    ] {
        assert!(text.contains(name), "{name} in --help");
    }
}

#[test]
fn a_bad_setting_stops_start_up_with_its_name() {
    let out = binary()
        .env("BAWABA_BIND", "not-an-address")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("BAWABA_BIND"));
}

#[test]
fn sigterm_finishes_cleanly_and_the_secret_never_appears_in_the_output() {
    let data = std::env::temp_dir().join(format!("bawaba-process-{}", uuid::Uuid::new_v4()));
    let secret = "5ec7e75ec7e75ec7e75ec7e75ec7e75ec7e75ec7e75ec7e75ec7e75ec7e75ec7";
    let mut child = binary()
        .env("BAWABA_BIND", "127.0.0.1:0")
        .env("BAWABA_DATA_DIR", &data)
        .env("BAWABA_SECRET_KEY", secret)
        .env("BAWABA_LOG", "trace")
        .env_remove("DATABASE_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();

    // Drain both pipes from the start: at trace level the server writes more than a pipe holds
    // (64 KiB) to stderr before it listens, and a server blocked on a full pipe would never
    // print its address nor finish shutting down.
    let drain = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = pipe.read_to_string(&mut text);
            text
        })
    };
    let stderr = drain(Box::new(child.stderr.take().unwrap()));
    // The binary prints its URL once it listens.
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let url = line.trim().rsplit(' ').next().unwrap().to_string();
    assert!(url.starts_with("http://127.0.0.1:"), "{line}");
    let stdout = drain(Box::new(stdout));

    let runtime = tokio::runtime::Runtime::new().unwrap();
    let status =
        runtime.block_on(async { reqwest::get(format!("{url}readyz")).await.unwrap().status() });
    assert_eq!(status, 200);
    assert!(
        data.join("bawaba.db").exists(),
        "SQLite database created under the data directory"
    );

    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let mut waited = Duration::ZERO;
    let exit = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(
            waited < Duration::from_secs(20),
            "still running 20 s after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(100));
        waited += Duration::from_millis(100);
    };
    assert!(exit.success(), "exit status {exit:?}");

    let output = line + &stdout.join().unwrap() + &stderr.join().unwrap();
    assert!(output.contains("stopped cleanly"), "{output}");
    assert!(
        !output.contains(secret),
        "the secret key appeared in the output"
    );
    let _ = std::fs::remove_dir_all(data);
}

/// `bawaba admin create`, as an operator scripts it: details as options, the password twice
/// on standard input. A weak password and a second account with the same address are refused
/// with a message and exit status 2, and nothing is created.
#[test]
fn admin_create_makes_an_administrator_and_refuses_bad_input() {
    use std::io::Write;
    let data = std::env::temp_dir().join(format!("bawaba-admin-{}", uuid::Uuid::new_v4()));
    let run = |email: &str, stdin: &str| {
        let mut child = binary()
            .args(["admin", "create", "--email", email])
            .args(NADIA)
            .env("BAWABA_DATA_DIR", &data)
            .env_remove("DATABASE_URL")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).to_string()
                + &String::from_utf8_lossy(&out.stderr),
        )
    };
    let (code, text) = run("nadia@example.dz", "password123\npassword123\n");
    assert_eq!(code, Some(2), "{text}");
    assert!(text.contains("at least 12 characters"), "{text}");
    let (code, text) = run(
        "nadia@example.dz",
        "cedar river lantern 7\nsomething else entirely\n",
    );
    assert_eq!(code, Some(2));
    assert!(text.contains("differ"), "{text}");

    let (code, text) = run(
        "Nadia@Example.dz",
        "cedar river lantern 7\ncedar river lantern 7\n",
    );
    assert_eq!(code, Some(0), "{text}");
    assert!(
        text.contains("Administrator nadia@example.dz created"),
        "{text}"
    );
    let (code, text) = run(
        "nadia@example.dz",
        "cedar river lantern 7\ncedar river lantern 7\n",
    );
    assert_eq!(code, Some(2));
    assert!(text.contains("already has this"), "{text}");

    // One administrator, confirmed, with an argon2id hash (never the password).
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let rows: Vec<(String, Option<i64>, String)> = runtime.block_on(async {
        let url = format!("sqlite://{}", data.join("bawaba.db").display());
        let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
        sqlx::query_as("SELECT role, email_verified_at, password_hash FROM accounts")
            .fetch_all(&pool)
            .await
            .unwrap()
    });
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].0, "administrator");
    assert!(rows[0].1.is_some());
    assert!(rows[0].2.starts_with("$argon2id$"));
    let _ = std::fs::remove_dir_all(data);
}

/// Starts the server on `data`; returns it and its address once it listens (its output drained).
fn start_server(data: &std::path::Path, secret: &str) -> (std::process::Child, String) {
    let (child, url, _stderr) = start_server_keeping_stderr(data, secret);
    (child, url)
}

/// As `start_server`, with what the server writes to stderr handed back once it exits.
fn start_server_keeping_stderr(
    data: &std::path::Path,
    secret: &str,
) -> (std::process::Child, String, std::thread::JoinHandle<String>) {
    start_server_with(data, secret, &[])
}

/// As `start_server_keeping_stderr`, with more environment variables.
fn start_server_with(
    data: &std::path::Path,
    secret: &str,
    env: &[(&str, &std::ffi::OsStr)],
) -> (std::process::Child, String, std::thread::JoinHandle<String>) {
    let mut child = binary()
        .envs(env.iter().copied())
        .env("BAWABA_BIND", "127.0.0.1:0")
        .env("BAWABA_DATA_DIR", data)
        .env("BAWABA_SECRET_KEY", secret)
        .env("BAWABA_LOG", "warn")
        .env_remove("DATABASE_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let stderr = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
    let url = line
        .trim()
        .rsplit(' ')
        .next()
        .unwrap()
        .trim_end_matches('/')
        .to_string();
    (child, url, stderr)
}

/// One answer of `side_by_side`.
struct Answer {
    path: &'static str,
    status: u16,
    /// Its `Content-Security-Policy` headers.
    csp: Vec<String>,
}

/// `connections` clients at once, each sending `per_connection` GETs one after the other on
/// its kept-alive connection: `request(c, i)` gives the path and the language cookie. Each
/// answer is read to its end.
fn side_by_side(
    url: &str,
    connections: usize,
    per_connection: usize,
    request: fn(usize, usize) -> (&'static str, Option<&'static str>),
) -> Vec<Answer> {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let mut tasks = Vec::new();
        for c in 0..connections {
            let url = url.to_string();
            tasks.push(tokio::spawn(async move {
                let client = reqwest::Client::new();
                let mut answers = Vec::new();
                for i in 0..per_connection {
                    let (path, lang) = request(c, i);
                    let mut get = client.get(format!("{url}{path}"));
                    if let Some(lang) = lang {
                        get = get.header("Cookie", format!("i18n_pref_locale={lang}"));
                    }
                    let res = get.send().await.unwrap();
                    let csp = res
                        .headers()
                        .get_all("content-security-policy")
                        .iter()
                        .map(|v| v.to_str().unwrap().to_string())
                        .collect();
                    answers.push(Answer {
                        path,
                        status: res.status().as_u16(),
                        csp,
                    });
                    let _ = res.bytes().await;
                }
                answers
            }));
        }
        let mut all = Vec::new();
        for t in tasks {
            all.extend(t.await.unwrap());
        }
        all
    })
}

/// Pages rendered side by side on kept-alive connections, in every language: every answer is a
/// page and the server never panics. (A task the localisation library spawned per page used to
/// read the page's locale after the page was gone, about once in sixty requests under two
/// connections: the answers were right, the log had a panic.)
#[test]
fn pages_under_concurrent_load_never_panic() {
    let data = std::env::temp_dir().join(format!("bawaba-load-{}", uuid::Uuid::new_v4()));
    let secret = "7e57107e57107e57107e57107e57107e57107e57107e57107e57107e57107e57";
    let (mut server, url, stderr) = start_server_keeping_stderr(&data, secret);
    let answers = side_by_side(&url, 8, 150, |c, i| {
        let lang = ["ar", "fr", "en"][(c + i) % 3];
        (["/", "/vignette", "/help"][i % 3], Some(lang))
    });
    Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .unwrap();
    server.wait().unwrap();
    let log = stderr.join().unwrap();
    assert_eq!(answers.len(), 1200);
    for a in &answers {
        assert_eq!(a.status, 200, "{}", a.path);
    }
    assert!(!log.contains("panicked"), "{log}");
    let _ = std::fs::remove_dir_all(data);
}

/// Pages and the bundle's files fetched side by side, as a browser does while the islands'
/// chunks load: every page keeps its own CSP (the nonce of its scripts) and no file carries a
/// page's. (Files used to be answered under whatever reactive owner the worker thread had
/// last left current, often a page being rendered, and took that page's headers with them:
/// the page then went out under the default CSP and the browser blocked its scripts.)
#[test]
fn pages_keep_their_own_headers_while_files_are_served_alongside() {
    let data = std::env::temp_dir().join(format!("bawaba-files-{}", uuid::Uuid::new_v4()));
    let site = data.join("site");
    std::fs::create_dir_all(site.join("pkg")).unwrap();
    std::fs::write(site.join("pkg/chunk.wasm"), [0u8, 97, 115, 109, 1, 0, 0, 0]).unwrap();
    std::fs::write(site.join("static.css"), "body { margin: 0 }").unwrap();
    let secret = "7e57107e57107e57107e57107e57107e57107e57107e57107e57107e57107e57";
    let (mut server, url, _stderr) =
        start_server_with(&data, secret, &[("LEPTOS_SITE_ROOT", site.as_os_str())]);
    let answers = side_by_side(&url, 8, 120, |c, i| {
        let path = ["/vignette", "/pkg/chunk.wasm", "/help", "/static.css"][(c + i) % 4];
        (path, None)
    });
    let _ = server.kill();
    let _ = server.wait();
    assert_eq!(answers.len(), 960);
    for Answer { path, status, csp } in &answers {
        assert_eq!(*status, 200, "{path}");
        assert_eq!(csp.len(), 1, "{path}: {csp:?}");
        let page = !path.contains('.');
        assert_eq!(csp[0].contains("'nonce-"), page, "{path}: {csp:?}");
    }
    let _ = std::fs::remove_dir_all(data);
}

/// The money is taken at the gateway, then the server is killed (SIGKILL) before the payer comes
/// back and before any notification: after a restart the poller asks the gateway, marks the
/// payment succeeded and fulfils the order, once.
#[test]
fn a_payment_taken_while_the_server_was_killed_is_fulfilled_once_after_restart() {
    use bawaba::{
        domain::money::{Currency, Money},
        features::payments::{self, engine},
        platform::{db::Db, gateway, session::now_secs},
    };
    use std::io::Write;
    let data = std::env::temp_dir().join(format!("bawaba-kill-{}", uuid::Uuid::new_v4()));
    let secret = "0a1b2c3d0a1b2c3d0a1b2c3d0a1b2c3d0a1b2c3d0a1b2c3d0a1b2c3d0a1b2c3d";
    // An account to pay with (the operator's command is the quickest honest way to make one).
    let mut admin = binary()
        .args(["admin", "create", "--email", "payer@example.dz"])
        .args(NADIA)
        .env("BAWABA_DATA_DIR", &data)
        .env("BAWABA_SECRET_KEY", secret)
        .env_remove("DATABASE_URL")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    admin
        .stdin
        .take()
        .unwrap()
        .write_all(b"cedar river lantern 7\ncedar river lantern 7\n")
        .unwrap();
    assert!(admin.wait().unwrap().success());

    let (mut first, url) = start_server(&data, secret);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let db_url = format!("sqlite://{}", data.join("bawaba.db").display());
    let db = runtime.block_on(Db::connect(&db_url, 2)).unwrap();
    let (payment_id, order_id) = runtime.block_on(async {
        let (account,): (String,) = sqlx::query_as("SELECT id FROM accounts")
            .fetch_one(db.pool())
            .await
            .unwrap();
        let mut conn = db.pool().acquire().await.unwrap();
        let order = engine::create_order(
            &mut *conn,
            &engine::NewOrder {
                account_id: &account,
                kind: payments::DEMO_KIND,
                subject: "kill-test",
                description: [
                    ("ar", "طلب".into()),
                    ("fr", "Commande".into()),
                    ("en", "Order".into()),
                ],
                amount: Money::new(200_000, Currency::Dzd),
            },
            now_secs(),
        )
        .await
        .unwrap()
        .id;
        drop(conn);
        // The portal's engine as the server has it: the same merchant key, derived from the
        // same secret.
        use hmac::{Hmac, Mac};
        let mut mac =
            <Hmac<sha2::Sha256> as Mac>::new_from_slice(&hex::decode(secret).unwrap()).unwrap();
        mac.update(b"sandbox gateway merchant key");
        let key: [u8; 32] = mac.finalize().into_bytes().into();
        let local = gateway::sandbox::LocalUrl::default();
        local.set(url.clone());
        let p = engine::Payments {
            gateway: gateway::Gateway::Sandbox(gateway::sandbox::SandboxClient::new(
                None,
                local.clone(),
                key,
            )),
            fulfilments: bawaba::server::fulfilments(
                &std::sync::Arc::new(bawaba::platform::signing::Keyring::new(
                    bawaba::platform::secrets::SecretKey::load_or_create(Some(secret), &data)
                        .unwrap(),
                )),
                &url,
            ),
            ttl_secs: 1800,
            public_url: url.clone(),
            local,
        };
        let started = engine::start(
            &p,
            &db,
            &account,
            engine::ToPay::Named(&order),
            "key-1",
            "ar",
            now_secs(),
        )
        .await
        .unwrap();
        let engine::Started::Gateway {
            payment_id,
            url: page,
        } = started
        else {
            panic!("{started:?}");
        };
        // The payer pays on the gateway's page: a card whose notification never comes.
        let page = &page[page.find("/sandbox-pay").unwrap()..];
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let res = http
            .post(format!("{url}{page}/card"))
            .form(&[
                ("number", "4000000000000101"),
                ("expiry", "12/30"),
                ("cvv", "123"),
                ("holder", "N F"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303);
        let res = http
            .post(format!("{url}{page}/code"))
            .form(&[("code", "123456")])
            .send()
            .await
            .unwrap();
        assert_eq!(
            res.status(),
            303,
            "the gateway took the money and sends the payer back"
        );
        (payment_id, order)
    });

    // Killed before the payer's browser comes back.
    first.kill().unwrap();
    first.wait().unwrap();
    let state = |db: &Db| {
        runtime.block_on(async {
            let (s,): (String,) = sqlx::query_as("SELECT state FROM payments WHERE id = $1")
                .bind(&payment_id)
                .fetch_one(db.pool())
                .await
                .unwrap();
            s
        })
    };
    assert_eq!(state(&db), "pending");
    // Time passes: the notification is overdue.
    runtime.block_on(async {
        sqlx::query("UPDATE payments SET check_after = 0 WHERE id = $1")
            .bind(&payment_id)
            .execute(db.pool())
            .await
            .unwrap();
    });

    let (mut second, _url) = start_server(&data, secret);
    let mut waited = Duration::ZERO;
    while state(&db) != "succeeded" {
        assert!(
            waited < Duration::from_secs(30),
            "the poller did not settle the payment"
        );
        std::thread::sleep(Duration::from_millis(200));
        waited += Duration::from_millis(200);
    }
    let counts: (i64, i64, Option<i64>) = runtime.block_on(async {
        let (events,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM payment_events WHERE payment_id = $1 AND to_state = 'succeeded'",
        )
        .bind(&payment_id)
        .fetch_one(db.pool())
        .await
        .unwrap();
        let (receipts,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM outbox WHERE template = 'payment_receipt'")
                .fetch_one(db.pool())
                .await
                .unwrap();
        let (fulfilled,): (Option<i64>,) =
            sqlx::query_as("SELECT fulfilled_at FROM orders WHERE id = $1")
                .bind(&order_id)
                .fetch_one(db.pool())
                .await
                .unwrap();
        (events, receipts, fulfilled)
    });
    assert_eq!(counts.0, 1, "one success");
    assert_eq!(counts.1, 1, "one receipt");
    assert!(counts.2.is_some(), "the order is fulfilled");
    Command::new("kill")
        .args(["-TERM", &second.id().to_string()])
        .status()
        .unwrap();
    second.wait().unwrap();
    runtime.block_on(db.close());
    let _ = std::fs::remove_dir_all(data);
}

/// `bawaba keys`, as an operator runs it: the first key is made on first use, `rotate` retires
/// it and makes a new one, and `list` shows both (the retired one stays published).
#[test]
fn keys_rotate_retires_the_active_key_and_makes_a_new_one() {
    let data = std::env::temp_dir().join(format!("bawaba-keys-{}", uuid::Uuid::new_v4()));
    let run = |command: &str| {
        let out = binary()
            .args(["keys", command])
            .env("BAWABA_DATA_DIR", &data)
            .env_remove("DATABASE_URL")
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).to_string(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };
    let (code, first, err) = run("list");
    assert_eq!(code, Some(0), "{err}");
    let lines: Vec<&str> = first.lines().collect();
    assert_eq!(lines.len(), 1, "{first}");
    assert!(lines[0].ends_with("active"), "{first}");
    let first_id = lines[0].split_whitespace().next().unwrap().to_string();

    let (code, rotated, err) = run("rotate");
    assert_eq!(code, Some(0), "{err}");
    assert!(rotated.starts_with("New signing key "), "{rotated}");
    assert!(!rotated.contains(&format!("New signing key {first_id}")));
    let (_, listed, _) = run("list");
    let lines: Vec<&str> = listed.lines().collect();
    assert_eq!(lines.len(), 2, "{listed}");
    assert_eq!(lines.iter().filter(|l| l.ends_with("active")).count(), 1);
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with(&first_id) && l.contains("retired")),
        "{listed}"
    );

    let (code, _, err) = run("burn");
    assert_eq!(code, Some(2));
    assert!(err.contains("unknown command"), "{err}");
    let _ = std::fs::remove_dir_all(data);
}

/// An internal error's log line says where it happened (issue 20): the database loses a table
/// under a running server, the calculator's data can no longer be read, and the error line
/// names the file and line of the call that failed, not only "internal error".
#[test]
fn an_internal_error_is_logged_with_its_file_and_line() {
    let data = std::env::temp_dir().join(format!("bawaba-errors-{}", uuid::Uuid::new_v4()));
    let secret = "e7707e7707e7707e7707e7707e7707e7707e7707e7707e7707e7707e7707e770";
    let (mut child, url, stderr) = start_server_keeping_stderr(&data, secret);

    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let db = sqlx::sqlite::SqlitePool::connect(&format!(
            "sqlite://{}",
            data.join("bawaba.db").display()
        ))
        .await
        .unwrap();
        sqlx::query("ALTER TABLE vignette_campaigns RENAME TO vignette_campaigns_gone")
            .execute(&db)
            .await
            .unwrap();
        db.close().await;
        // The page says the service has a problem; the cause goes to the log only.
        reqwest::get(format!("{url}/vignette/calculator"))
            .await
            .unwrap();
    });

    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    child.wait().unwrap();
    let log = stderr.join().unwrap();
    let failure = log
        .lines()
        .find(|l| l.contains("internal error"))
        .unwrap_or_else(|| panic!("no internal error logged:\n{log}"));
    assert!(
        failure.contains("vignette_campaigns"),
        "the cause: {failure}"
    );
    let at = failure
        .split_whitespace()
        .find_map(|w| w.strip_prefix("at="))
        .unwrap_or_else(|| panic!("no place: {failure}"));
    let (file, line) = at.rsplit_once(':').unwrap();
    assert_eq!(file, "src/features/vignette/calculator.rs", "{failure}");
    assert!(line.parse::<u32>().unwrap() > 0, "{failure}");
    let _ = std::fs::remove_dir_all(data);
}
