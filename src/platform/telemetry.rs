//! Structured logging. Every request gets an `x-request-id` (kept if a proxy already set one),
//! echoed in the response and recorded on the request's span, so one id ties a user's report to
//! the log lines.

use axum::http::Request;
use tower_http::{
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, RequestId, SetRequestIdLayer},
    trace::TraceLayer,
};
use tracing_subscriber::{EnvFilter, fmt, prelude::*};

pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// Installs the global subscriber; a second call (tests spawn many apps) is a no-op. Logs go
/// to stderr; stdout carries only the line with the URL, for people and scripts.
pub fn init(filter: &str, json: bool) {
    let filter = EnvFilter::try_new(filter).unwrap_or_else(|_| EnvFilter::new("info"));
    let registry = tracing_subscriber::registry().with(filter);
    let _ = if json {
        registry
            .with(fmt::layer().json().flatten_event(true))
            .try_init()
    } else {
        registry
            .with(fmt::layer().compact().with_writer(std::io::stderr))
            .try_init()
    };
}

pub fn set_request_id() -> SetRequestIdLayer<MakeRequestUuid> {
    SetRequestIdLayer::new(
        http::HeaderName::from_static(REQUEST_ID_HEADER),
        MakeRequestUuid,
    )
}

pub fn propagate_request_id() -> PropagateRequestIdLayer {
    PropagateRequestIdLayer::new(http::HeaderName::from_static(REQUEST_ID_HEADER))
}

/// One span per request, carrying the id; query strings are left out of the log on purpose
/// (they can hold a user's answers on error redirects).
pub fn trace_layer() -> TraceLayer<
    tower_http::classify::SharedClassifier<tower_http::classify::ServerErrorsAsFailures>,
    impl Fn(&Request<axum::body::Body>) -> tracing::Span + Clone,
> {
    TraceLayer::new_for_http().make_span_with(|req: &Request<axum::body::Body>| {
        let id = req
            .extensions()
            .get::<RequestId>()
            .and_then(|id| id.header_value().to_str().ok())
            .unwrap_or("-")
            .to_string();
        tracing::info_span!("request", id = %id, method = %req.method(), path = %req.uri().path())
    })
}
