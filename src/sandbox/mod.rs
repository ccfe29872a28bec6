//! The sandbox payment gateway: a simulated payment company, the embedded default so that the
//! portal takes (pretend) payments with nothing else installed.
//!
//! It is served by the same binary under [`PREFIX`] but built as a separate system would be:
//! its own tables (`sandbox_*`), its own secret (the merchant key it shares with the portal, as
//! a payment company shares one with each merchant), and no calls into the portal's code. The
//! portal reaches it only through its HTTP API (`protocol`), and it reaches the portal only by
//! posting signed notifications to the `notify_url` it was given.
//!
//! Test numbers (docs/SANDBOX.md, `scenarios`) make it decline, run out of funds, lose, repeat,
//! delay or reorder its notifications.

pub mod api;
pub mod notifier;
pub mod pages;
pub mod protocol;
pub mod scenarios;
pub mod store;
pub mod text;

use crate::platform::db::Db;
use axum::{
    Router,
    http::header,
    response::IntoResponse,
    routing::{get, post},
};
use std::sync::Arc;

pub use crate::platform::gateway::sandbox::PREFIX;

#[derive(Clone)]
pub struct SandboxState {
    pub db: Db,
    /// The merchant key: requests from the portal and notifications to it are signed with it.
    pub secret: Arc<[u8; 32]>,
    /// `https://portal.example/sandbox-pay`: where payers are sent.
    pub public_base: String,
}

/// The sandbox's routes, to be nested under [`PREFIX`].
pub fn router(state: SandboxState) -> Router {
    Router::new()
        .route("/api/payments", post(api::create))
        .route(
            "/api/payments/by-merchant-ref/{merchant_ref}",
            get(api::by_merchant_ref),
        )
        .route("/api/payments/{id}/refunds", post(api::refund))
        .route("/pay/{id}", get(pages::show))
        .route(
            "/pay/{id}/code",
            get(pages::show_code).post(pages::submit_code),
        )
        .route("/pay/{id}/cancel", post(pages::cancel))
        .route("/pay/{id}/{method}", post(pages::submit_method))
        .route("/assets/sandbox.css", get(stylesheet))
        .with_state(state)
}

async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("sandbox.css"),
    )
}
