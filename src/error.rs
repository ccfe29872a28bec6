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
        AppError::Transport(value.to_string())
    }
}

#[cfg(feature = "ssr")]
impl AppError {
    /// Logs an internal failure with its cause and returns what the user may see.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "internal error");
        AppError::Unavailable
    }
}
