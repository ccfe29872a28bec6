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
            .with(
                fmt::layer()
                    .compact()
                    // Colours for a person at a terminal; plain text for a log file or a pipe.
                    .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
                    .with_writer(std::io::stderr),
            )
            .try_init()
    };
}

/// Whether a request id given by the client (or a proxy) may be copied into the logs: 1 to 64
/// letters, digits, `-`, `_` or `.`. Anything else could forge or break log lines.
pub fn is_well_formed_request_id(id: &[u8]) -> bool {
    (1..=64).contains(&id.len())
        && id
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// A layer (`guard::Guard`) outside `set_request_id`: a malformed given id is dropped, so a
/// new one is made.
#[derive(Clone)]
pub struct AcceptRequestId;

impl super::guard::Check for AcceptRequestId {
    type Carry = ();

    fn before(
        &self,
        req: &mut axum::extract::Request,
    ) -> std::ops::ControlFlow<axum::response::Response, ()> {
        let given = req.headers().get_all(REQUEST_ID_HEADER);
        let malformed = given
            .iter()
            .any(|v| !is_well_formed_request_id(v.as_bytes()))
            || given.iter().count() > 1;
        if malformed {
            req.headers_mut().remove(REQUEST_ID_HEADER);
        }
        std::ops::ControlFlow::Continue(())
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_plain_short_request_id_is_kept() {
        assert!(is_well_formed_request_id(b"abc-123"));
        assert!(is_well_formed_request_id(
            b"0b6c2f1e-4a57-4f5e-9a3c-1d2e3f4a5b6c"
        ));
        assert!(!is_well_formed_request_id(b""));
        assert!(!is_well_formed_request_id(&[b'a'; 65]));
        assert!(!is_well_formed_request_id(b"a b"));
        assert!(!is_well_formed_request_id(b"x\" level=\"error"));
        assert!(!is_well_formed_request_id("id\u{202e}".as_bytes()));
    }
}
