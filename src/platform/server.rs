//! Builds the application (state and router) and serves it. `build` is apart from `serve` so
//! that tests can start the real router on port 0 against a real database.

use super::{
    config::{Config, GatewayChoice},
    db::{Db, DbError},
    http, locale,
    mail::{MailConfigError, MailTransport, SmsTransport},
    outbox::Transports,
    pwa,
    secrets::{SecretError, SecretKey},
    security, telemetry,
};
use crate::app::{App, shell};
use crate::features::payments::engine::Payments;
use axum::{Router, extract::FromRef, routing::get};
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list};
use std::{net::SocketAddr, sync::Arc};
use tokio::net::TcpListener;
use tower_http::{
    catch_panic::CatchPanicLayer, compression::CompressionLayer, timeout::TimeoutLayer,
};

/// Everything a request handler or a server function may need. App servers keep no other
/// state: sessions, drafts and jobs live in the database, so several can run side by side.
#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: Db,
    pub config: Arc<Config>,
    pub secret: SecretKey,
    /// Where the outbox worker sends e-mail and SMS.
    pub transports: Transports,
    /// The payment engine's gateway and the services' fulfilments.
    pub payments: Payments,
    /// The merchant key the sandbox gateway shares with the portal.
    pub sandbox_key: [u8; 32],
}

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("cannot create the data directory {path}: {source}")]
    DataDir {
        path: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Secret(#[from] SecretError),
    #[error(transparent)]
    Mail(#[from] MailConfigError),
    #[error("database: {0}")]
    Db(#[from] DbError),
    #[error("BAWABA_SANDBOX_KEY must be 64 hex digits (32 bytes)")]
    SandboxKey,
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("server: {0}")]
    Serve(std::io::Error),
}

/// Leptos's own settings. cargo-leptos passes them as environment variables; a binary started
/// any other way (tests, a deployment) gets the same values as defaults.
fn leptos_options(bind: SocketAddr) -> LeptosOptions {
    let env = |k: &str, d: &str| std::env::var(k).unwrap_or_else(|_| d.to_string());
    // With hashed file names the hash file sits next to the binary (cargo-leptos writes it).
    let hash_file_present = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|d| d.join("hash.txt").exists()))
        .unwrap_or(false);
    let hash_files = std::env::var("LEPTOS_HASH_FILES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(hash_file_present);
    LeptosOptions::builder()
        .output_name(env("LEPTOS_OUTPUT_NAME", "bawaba"))
        .site_root(env("LEPTOS_SITE_ROOT", "target/site"))
        .site_pkg_dir(env("LEPTOS_SITE_PKG_DIR", "pkg"))
        .site_addr(bind)
        .hash_files(hash_files)
        .build()
}

/// Opens the database, applies migrations and loads the secret key.
pub async fn build_state(config: Config) -> Result<AppState, StartupError> {
    std::fs::create_dir_all(&config.data_dir).map_err(|source| StartupError::DataDir {
        path: config.data_dir.display().to_string(),
        source,
    })?;
    let secret = SecretKey::load_or_create(config.secret_key_hex.as_deref(), &config.data_dir)?;
    let transports = Transports {
        mail: MailTransport::from_config(
            config.smtp_url.as_deref(),
            &config.mail_from,
            &config.data_dir,
        )?,
        sms: match &config.sms_url {
            Some(url) => SmsTransport::Http(super::mail::SmsHttp::new(
                url,
                config.sms_token.as_deref(),
                config
                    .sms_body
                    .as_deref()
                    .unwrap_or(super::mail::DEFAULT_SMS_BODY),
            )?),
            None => SmsTransport::files(config.data_dir.join("sms")),
        },
    };
    let sandbox_key = match &config.sandbox_key_hex {
        Some(hex_str) => hex::decode(hex_str.trim())
            .ok()
            .and_then(|b| <[u8; 32]>::try_from(b).ok())
            .ok_or(StartupError::SandboxKey)?,
        None => derive_key(&secret, b"sandbox gateway merchant key"),
    };
    let local = super::gateway::sandbox::LocalUrl::default();
    let payments = Payments {
        gateway: match &config.gateway {
            GatewayChoice::Sandbox => {
                super::gateway::Gateway::Sandbox(super::gateway::sandbox::SandboxClient::new(
                    config.sandbox_url.clone(),
                    local.clone(),
                    sandbox_key,
                ))
            }
            GatewayChoice::Epay {
                url,
                user,
                password,
            } => super::gateway::Gateway::Epay(super::gateway::epay::EpayClient::new(
                url.clone(),
                user.clone(),
                password.clone(),
            )),
        },
        fulfilments: crate::features::payments::fulfilments(&secret, &config.public_url),
        ttl_secs: config.payment_ttl_secs,
        public_url: config.public_url.clone(),
        local,
    };
    let db = Db::connect(&config.database_url, config.db_max_connections).await?;
    db.migrate().await?;
    tracing::info!(backend = ?db.backend(), "database ready, migrations applied");
    // The vignette signing key exists before the first sale (made on the first run).
    let key_id = super::signing::ensure(&db, &secret, super::session::now_secs()).await?;
    tracing::info!(key = %key_id, "signing key ready");
    Ok(AppState {
        leptos_options: leptos_options(config.bind),
        db,
        config: Arc::new(config),
        secret,
        transports,
        payments,
        sandbox_key,
    })
}

/// A key for one purpose, derived from the server's secret (HMAC-SHA256 with a label), so one
/// configured secret serves every purpose without reusing it directly.
fn derive_key(secret: &SecretKey, label: &[u8]) -> [u8; 32] {
    use hmac::{Hmac, Mac};
    let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(secret.bytes())
        .expect("HMAC takes any key length");
    mac.update(label);
    mac.finalize().into_bytes().into()
}

/// The background jobs every app server runs; abort them on shutdown.
pub fn spawn_workers(state: &AppState) -> Vec<tokio::task::JoinHandle<()>> {
    use std::time::Duration;
    let mut workers = vec![
        super::housekeeping::spawn(state.db.clone(), super::housekeeping::EVERY),
        super::outbox::spawn_worker(
            state.db.clone(),
            state.transports.clone(),
            crate::features::messages::render,
            Duration::from_secs(1),
        ),
        crate::features::payments::engine::spawn_poller(
            state.payments.clone(),
            state.db.clone(),
            Duration::from_secs(15),
        ),
        crate::features::payments::reconciliation::spawn_nightly(
            state.payments.clone(),
            state.db.clone(),
            Duration::from_secs(600),
        ),
        // Reminders are due by the day: every 15 minutes is prompt enough and costs one query
        // per campaign when there is nothing to send.
        crate::features::vignette::reminders::server::spawn(
            state.clone(),
            Duration::from_secs(15 * 60),
        ),
    ];
    // The sandbox's notifications exist only where the sandbox is the gateway.
    if matches!(state.config.gateway, GatewayChoice::Sandbox) {
        let key = std::sync::Arc::new(state.sandbox_key);
        for _ in 0..crate::sandbox::notifier::CONCURRENT {
            workers.push(crate::sandbox::notifier::spawn(
                state.db.clone(),
                key.clone(),
                Duration::from_secs(1),
            ));
        }
    }
    workers
}

/// The site's routes, generated once per process. Generating runs the app with resource
/// loading suppressed by a process-wide flag, and a page another router of the same process is
/// rendering at that moment would wait forever for its data (leptos#4773). One server builds
/// one router, but the test suite builds one per test while others serve.
fn route_list() -> Vec<leptos_axum::AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<leptos_axum::AxumRouteListing>> =
        std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// A route the app serves besides its pages and server functions.
pub struct PlainRoute {
    pub method: ::http::Method,
    pub path: &'static str,
    pub handler: axum::routing::MethodRouter<AppState>,
}

/// The plain axum routes. The router is built from this table, and the route-walking test
/// (tests/api/route_walk.rs) walks it with the pages and server functions, so a route added
/// here is walked as every kind of visitor without anyone listing it twice.
pub fn plain_routes() -> Vec<PlainRoute> {
    use ::http::Method;
    use axum::routing::post;
    let route = |method: Method, path: &'static str, handler| PlainRoute {
        method,
        path,
        handler,
    };
    vec![
        route(Method::GET, "/healthz", get(http::healthz)),
        route(Method::GET, "/readyz", get(http::readyz)),
        route(Method::GET, "/lang/{code}", get(locale::switch)),
        route(
            Method::GET,
            super::signing::KEYS_PATH,
            get(super::signing::key_set_handler),
        ),
        route(
            Method::POST,
            crate::features::accounts::EXTEND_PATH,
            post(crate::features::accounts::extend_session),
        ),
        route(Method::GET, "/sw.js", get(pwa::service_worker)),
        route(Method::GET, "/favicon.ico", get(pwa::favicon)),
        route(
            Method::POST,
            "/payments/notify/{gateway}",
            post(crate::features::payments::notify),
        ),
        route(
            Method::GET,
            "/payments/{id}/return",
            get(crate::features::payments::pages::returned),
        ),
        route(
            Method::GET,
            crate::features::vignette::import::TEMPLATE_PATH,
            get(crate::features::vignette::import::template),
        ),
        route(
            Method::POST,
            crate::features::vignette::import::UPLOAD_PATH,
            post(crate::features::vignette::import::upload),
        ),
        route(
            Method::GET,
            "/vignette/bought/{order}/pdf",
            get(crate::features::vignette::purchase::download),
        ),
        route(
            Method::GET,
            crate::features::payments::admin::CSV_PATH,
            get(crate::features::payments::admin::csv),
        ),
        route(
            Method::GET,
            super::dev_mailbox::PATH,
            get(super::dev_mailbox::list),
        ),
        route(
            Method::GET,
            super::dev_mailbox::SHOW_PATH,
            get(super::dev_mailbox::show),
        ),
    ]
}

/// The addresses of the pages (the route table of `app.rs`, as the router serves them, with
/// `{param}` for each parameter).
pub fn page_paths() -> Vec<String> {
    route_list().iter().map(|r| r.path().to_string()).collect()
}

/// The whole HTTP application. Layers run outside-in in the order listed last-to-first:
/// the request id is set first so every log line and the panic handler can use it.
pub fn router(state: AppState) -> Router {
    let routes = route_list();
    let https = state.config.is_https();
    let context = {
        let state = state.clone();
        move || provide_context(state.clone())
    };
    let render_shell = {
        let options = state.leptos_options.clone();
        move || shell(options.clone())
    };
    let plain = plain_routes()
        .into_iter()
        .fold(Router::new(), |router, route| {
            router.route(route.path, route.handler)
        });
    plain
        .merge(sandbox_gateway(&state))
        .leptos_routes_with_context(&state, routes, context.clone(), render_shell)
        .fallback(move |state, req| site_file_or_page(state, req, context.clone()))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::features::accounts::require_sign_in,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            super::session::resolve,
        ))
        .layer(CompressionLayer::new().br(true).gzip(true))
        // A request that has not produced its response in 30 s gets a 503 instead of holding
        // the connection (and the user) forever, whatever got stuck.
        .layer(TimeoutLayer::with_status_code(
            ::http::StatusCode::SERVICE_UNAVAILABLE,
            std::time::Duration::from_secs(30),
        ))
        // Before anything reads the path: one spelling per path (see `security::check_path`).
        .layer(axum::middleware::from_fn(security::canonical_paths))
        .layer(axum::middleware::from_fn({
            let public = &state.config.public_url;
            let origin: Arc<str> = security::origin_of(public).unwrap_or(public.clone()).into();
            move |req, next| security::refuse_cross_site(origin.clone(), req, next)
        }))
        .layer(axum::middleware::from_fn(move |req, next| {
            security::headers(https, req, next)
        }))
        .layer(CatchPanicLayer::custom(
            crate::features::errors::panic_response,
        ))
        .layer(telemetry::trace_layer())
        .layer(telemetry::propagate_request_id())
        .layer(telemetry::set_request_id())
        .layer(axum::middleware::from_fn(telemetry::accept_request_id))
        .with_state(state)
}

/// The sandbox payment company under `/sandbox-pay`, only when it is the configured gateway: with
/// the real one, nobody may open or "pay" a simulated payment on the portal's own address.
fn sandbox_gateway(state: &AppState) -> Router<AppState> {
    if !matches!(state.config.gateway, GatewayChoice::Sandbox) {
        return Router::new();
    }
    Router::new().nest_service(
        crate::sandbox::PREFIX,
        crate::sandbox::router(crate::sandbox::SandboxState {
            db: state.db.clone(),
            secret: Arc::new(state.sandbox_key),
            public_base: format!("{}{}", state.config.public_url, crate::sandbox::PREFIX),
        }),
    )
}

/// A file of the site (the bundle and its chunks, fonts, icons, the offline page), else the
/// page the router gives for that address (the 404 page).
///
/// Not leptos_axum's `file_and_error_handler` for the files: it answers a file under
/// `Owner::new()`, a child of whatever reactive owner the worker thread last left current, and
/// that is often a page being rendered on the same thread at that moment; it then moves that
/// page's response headers (the CSP with its nonce, `Vary`) onto the file. The page went out
/// with the default CSP and its own scripts blocked (about 3 page loads in 5 while the browser
/// fetched the bundle's chunks).
async fn site_file_or_page(
    axum::extract::State(state): axum::extract::State<AppState>,
    req: axum::extract::Request,
    context: impl Fn() + Clone + Send + 'static,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    use tower::ServiceExt;
    let mut file_req = ::http::Request::builder().uri(req.uri().clone());
    if let Some(encodings) = req.headers().get(::http::header::ACCEPT_ENCODING) {
        file_req = file_req.header(::http::header::ACCEPT_ENCODING, encodings);
    }
    let Ok(file_req) = file_req.body(axum::body::Body::empty()) else {
        return ::http::StatusCode::BAD_REQUEST.into_response();
    };
    let served = tower_http::services::ServeDir::new(state.leptos_options.site_root.as_ref())
        .append_index_html_on_directories(false)
        .precompressed_br()
        .precompressed_gzip()
        .oneshot(file_req)
        .await;
    match served {
        Ok(file) if file.status() == ::http::StatusCode::OK => file.into_response(),
        // Not a file: the router's answer (its 404 page), rendered with the page's own headers.
        _ => {
            let uri = req.uri().clone();
            leptos_axum::file_and_error_handler_with_context::<AppState, _>(context, shell)(
                uri,
                axum::extract::State(state),
                req,
            )
            .await
        }
    }
}

/// Serves until SIGTERM or Ctrl-C, then finishes the requests in flight and closes the pool.
pub async fn serve(config: Config) -> Result<(), StartupError> {
    let bind = config.bind;
    let state = build_state(config).await?;
    let listener = TcpListener::bind(bind)
        .await
        .map_err(|source| StartupError::Bind { addr: bind, source })?;
    let local = listener.local_addr().map_err(StartupError::Serve)?;
    state
        .payments
        .local
        .set(format!("http://{}", loopback(local)));
    let db = state.db.clone();
    let workers = spawn_workers(&state);
    tracing::info!(url = %format!("http://{local}"), public_url = %state.config.public_url, "Bawaba is listening");
    println!("Bawaba is running at http://{local}/");
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
    .map_err(StartupError::Serve)?;
    for w in workers {
        w.abort();
    }
    db.close().await;
    tracing::info!("stopped cleanly");
    Ok(())
}

/// The address to reach a listener from the same machine (0.0.0.0 listens, it is not reached).
pub fn loopback(addr: SocketAddr) -> SocketAddr {
    match addr.ip() {
        ip if ip.is_unspecified() && ip.is_ipv4() => {
            SocketAddr::from(([127, 0, 0, 1], addr.port()))
        }
        ip if ip.is_unspecified() => SocketAddr::from((std::net::Ipv6Addr::LOCALHOST, addr.port())),
        _ => addr,
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutdown signal received, finishing requests in flight");
}
