//! The one error type that crosses the server-function boundary. It carries codes, not
//! English sentences: the page translates them, and internal causes stay in the server log.

use leptos::server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// Something on our side failed (database, a dependency); already logged with the cause.
    #[error("the service is temporarily unavailable")]
    Unavailable,
    #[error("not found")]
    NotFound,
    /// The request did not reach the function or its answer could not be read (network, codec).
    #[error("transport: {0}")]
    Transport(String),
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        // On the server, arguments that do not read are the caller's mistake (or a probe):
        // 400, not the 500 of a server fault.
        #[cfg(feature = "ssr")]
        if matches!(
            value,
            ServerFnErrorErr::Args(_) | ServerFnErrorErr::MissingArg(_)
        ) {
            answer_status(http::StatusCode::BAD_REQUEST);
        }
        AppError::Transport(value.to_string())
    }

    /// The error as the response carries it. A refusal is "not found" (404), not the 500 of a
    /// server fault; set here, where the error becomes the answer, and not where it is made
    /// (a server function may handle a refusal of its own and go on).
    fn ser(&self) -> leptos::server_fn::Bytes {
        #[cfg(feature = "ssr")]
        if *self == AppError::NotFound {
            answer_status(http::StatusCode::NOT_FOUND);
        }
        <JsonEncoding as leptos::server_fn::Encodes<Self>>::encode(self)
            .unwrap_or_else(|_| leptos::server_fn::Bytes::from_static(b"\"Unavailable\""))
    }
}

#[cfg(feature = "ssr")]
impl AppError {
    /// Logs an internal failure with its cause and where it happened (the caller's file and
    /// line), and returns what the user may see.
    #[track_caller]
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        let at = std::panic::Location::caller();
        tracing::error!(error = %cause, at = %format_args!("{}:{}", at.file(), at.line()), "internal error");
        AppError::Unavailable
    }

    /// Something the caller may not have: another account's record, a staff function, or a
    /// record that does not exist (the answer never says which). Logged as a warning with the
    /// account and the route, so that probing shows up in the logs as probing rather than as
    /// server faults; answered 404 (see `ser` below).
    pub fn refused(reason: &'static str) -> Self {
        let route = leptos::prelude::use_context::<http::request::Parts>()
            .map(|p| p.uri.path().to_string());
        let account = crate::platform::request::account();
        tracing::warn!(
            account = account.as_deref().unwrap_or("-"),
            route = route.as_deref().unwrap_or("-"),
            reason,
            "request refused"
        );
        AppError::NotFound
    }
}

/// A plain handler answers with the same error: `Result<Response, AppError>` and `?`.
#[cfg(feature = "ssr")]
impl axum::response::IntoResponse for AppError {
    fn into_response(self) -> axum::response::Response {
        use http::StatusCode;
        match self {
            AppError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Transport(_) => StatusCode::BAD_REQUEST,
        }
        .into_response()
    }
}

/// `.or_unavailable()?`: a failure on our side (the database, a dependency) becomes
/// `AppError::Unavailable`, logged with its cause and the file and line of the call. (With
/// `.or_unavailable()` the log could only say "somewhere": a function passed by
/// name does not know its caller.)
#[cfg(feature = "ssr")]
pub trait OrUnavailable<T> {
    #[track_caller]
    fn or_unavailable(self) -> Result<T, AppError>;
}

#[cfg(feature = "ssr")]
impl<T, E: std::fmt::Display> OrUnavailable<T> for Result<T, E> {
    #[track_caller]
    fn or_unavailable(self) -> Result<T, AppError> {
        match self {
            Ok(value) => Ok(value),
            Err(cause) => Err(AppError::internal(cause)),
        }
    }
}

/// Sets the status of the server function's response, unless it is a form posted without
/// JavaScript: that one goes back to its page (a redirect), which shows the error in its turn.
#[cfg(feature = "ssr")]
fn answer_status(status: http::StatusCode) {
    use leptos::prelude::use_context;
    let plain_form_post = use_context::<http::request::Parts>().is_some_and(|p| {
        p.headers
            .get(http::header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/html"))
    });
    if !plain_form_post && let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        res.set_status(status);
    }
}
