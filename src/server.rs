//! The composition root: builds the application (state, router, workers) from what each
//! feature exposes, and serves it. Only this module, `app.rs` (the page table) and
//! `messages.rs` (the notification table) know every feature; `platform` and `ui` know none,
//! and are handed what they need. `build_state` is apart from `serve` so that tests can start
//! the real router on port 0 against a real database.

use crate::{
    app::{App, shell},
    features::{accounts, idcard, payments, vignette},
    platform::{
        config::{Config, GatewayChoice},
        guard::Guard,
        http::{self, PlainRoute},
        orders::Fulfilments,
        page_cache::{self, PageCache},
        pwa, security,
        signing::Keyring,
        telemetry,
    },
};
use axum::{Router, serve::ListenerExt};
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list};
use std::{net::SocketAddr, sync::Arc, time::Duration};
use tokio::net::TcpListener;
use tower_http::{catch_panic::CatchPanicLayer, compression::CompressionLayer};

pub use crate::platform::state::{AppState, StartupError};

/// Pages that work with no network from the first visit to any page (the service worker
/// precaches them): the roadside verifier.
const OFFLINE_PAGES: &[&str] = &[vignette::verify::OFFLINE_PATH];

/// What each kind of order delivers once paid; a service that sells registers its own here.
pub fn fulfilments(keys: &Arc<Keyring>, public_url: &str) -> Fulfilments {
    Fulfilments::default()
        .register(payments::DEMO_KIND, payments::FulfilDemo)
        .register(
            vignette::purchase::KIND,
            vignette::purchase::fulfil::IssueVignette {
                keys: keys.clone(),
                public_url: public_url.to_string(),
            },
        )
        .register(
            idcard::pay::KIND,
            idcard::pay::FulfilFee {
                public_url: public_url.to_string(),
            },
        )
}

/// Opens the database, applies migrations, loads the secret key and registers the services'
/// fulfilments.
pub async fn build_state(config: Config) -> Result<AppState, StartupError> {
    crate::platform::state::build_state(config, fulfilments).await
}

/// The background jobs every app server runs; abort them on shutdown.
pub fn spawn_workers(state: &AppState) -> Vec<tokio::task::JoinHandle<()>> {
    let mut workers = vec![
        crate::platform::housekeeping::spawn(
            state.db.clone(),
            crate::platform::housekeeping::EVERY,
        ),
        crate::platform::housekeeping::spawn_checkpoints(
            state.db.clone(),
            crate::platform::housekeeping::CHECKPOINT_EVERY,
        ),
        crate::platform::outbox::spawn_worker(
            state.db.clone(),
            state.transports.clone(),
            crate::messages::render,
            Duration::from_secs(1),
        ),
    ];
    workers.extend(payments::workers(state));
    workers.extend(vignette::workers(state));
    workers.extend(idcard::workers(state));
    // The sandbox's notifications exist only where the sandbox is the gateway.
    if matches!(state.config.gateway, GatewayChoice::Sandbox) {
        let key = Arc::new(state.sandbox_key);
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

/// The plain axum routes: the platform's and each feature's. The router is built from this
/// list, and the route-walking test (tests/api/route_walk.rs) walks it with the pages and
/// server functions.
pub fn plain_routes() -> Vec<PlainRoute> {
    let mut routes = http::routes();
    routes.push(PlainRoute::get(
        "/sw.js",
        |axum::extract::State(options): axum::extract::State<LeptosOptions>| {
            pwa::service_worker(options, OFFLINE_PAGES)
        },
    ));
    routes.extend(accounts::routes());
    routes.extend(payments::routes());
    routes.extend(vignette::routes());
    routes.extend(crate::features::idcard::routes());
    routes
}

/// The addresses of the pages (the route table of `app.rs`, as the router serves them, with
/// `{param}` for each parameter).
pub fn page_paths() -> Vec<String> {
    route_list().iter().map(|r| r.path().to_string()).collect()
}

/// The whole HTTP application: the routes, inside one stack of layers (listed outermost
/// first).
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
    let plain_list = plain_routes();
    let upload_paths: Vec<&'static str> = plain_list
        .iter()
        .filter(|r| r.upload)
        .map(|r| r.path)
        .collect();
    let server_to_server: Arc<[&'static str]> = plain_list
        .iter()
        .filter(|r| r.server_to_server)
        .map(|r| r.path)
        .collect();
    let plain = plain_list.into_iter().fold(Router::new(), |router, route| {
        router.route(route.path, route.handler)
    });
    plain
        .merge(sandbox_gateway(&state))
        .leptos_routes_with_context(&state, routes, context.clone(), render_shell)
        .fallback(move |state, req| site_file_or_page(state, req, context.clone()))
        .layer(
            // One stack, applied once: each `Router::layer` boxes every route again, and a
            // request then cloned the boxes below each layer it passed (78 allocations for
            // these 13 layers; issue 23). Outermost first.
            tower::ServiceBuilder::new()
                // Public pages from memory, outside everything: a kept page was answered by
                // all the layers below when it was rendered, and keeps their headers
                // (security, caching); the cache gives each answer its own nonce and request
                // id (issue 23, goal 4).
                .layer(axum::middleware::from_fn({
                    let fresh_for = Duration::from_secs(state.config.page_cache_secs);
                    let cache = PageCache::new(crate::app::SAME_FOR_EVERYONE, https, fresh_for);
                    let cache = Arc::new(cache);
                    move |req, next| page_cache::serve(cache.clone(), req, next)
                }))
                // The request id first, so every log line and the panic handler can use it.
                .layer(Guard(telemetry::AcceptRequestId))
                .layer(telemetry::set_request_id())
                .layer(telemetry::propagate_request_id())
                .layer(telemetry::trace_layer())
                .layer(CatchPanicLayer::custom(
                    crate::platform::plain_pages::panic_response,
                ))
                .layer(Guard(security::Headers { https }))
                .layer(Guard(security::RefuseCrossSite({
                    let public = &state.config.public_url;
                    security::origin_of(public).unwrap_or(public.clone()).into()
                })))
                // Before anything reads the path: one spelling per path (see
                // `security::check_path`).
                .layer(Guard(security::CanonicalPaths))
                // A request that has not produced its response in time gets a 503 instead of
                // holding the connection (and the user) forever, whatever got stuck; uploads
                // get longer.
                .layer(http::TimeLimit {
                    uploads: upload_paths.into(),
                    request: Duration::from_secs(state.config.request_secs),
                })
                .layer(CompressionLayer::new().br(true).gzip(true))
                .layer(axum::middleware::from_fn_with_state(
                    state.clone(),
                    move |state, req, next| {
                        crate::platform::session::resolve(
                            state,
                            server_to_server.clone(),
                            req,
                            next,
                        )
                    },
                ))
                .layer(axum::middleware::from_fn_with_state(
                    state.clone(),
                    accounts::require_sign_in,
                )),
        )
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
    serve_on(listener, state, shutdown_signal())
        .await
        .map_err(StartupError::Serve)?;
    for w in workers {
        w.abort();
    }
    db.close().await;
    tracing::info!("stopped cleanly");
    Ok(())
}

/// Serves `state` on `listener` as the portal does, until `shutdown` completes. The tests and
/// benchmarks serve through this too, so they measure the connections users get.
pub async fn serve_on(
    listener: TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    crate::without_huge_pages();
    // Every response leaves in more than one write; with Nagle's algorithm the second waited
    // for the client's delayed ACK, about 40 ms on every reused connection (issue 23).
    let listener = listener.tap_io(|stream| {
        if let Err(error) = stream.set_nodelay(true) {
            tracing::warn!(%error, "TCP_NODELAY not set on a connection");
        }
    });
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
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
