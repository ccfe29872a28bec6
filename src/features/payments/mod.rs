//! Payments: one engine for every service (`engine`), its tables (`store`), and the portal's
//! end of the gateway protocol (the notification endpoint). Services create an order in their
//! own transaction, register a fulfilment for their kind of order, and send the user to pay.

pub mod admin;
#[cfg(feature = "ssr")]
pub mod engine;
#[cfg(feature = "ssr")]
pub mod messages;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod reconciliation;
#[cfg(feature = "ssr")]
pub mod store;

/// The gateway's two ends (its notifications, the payer's return) and the staff CSV.
#[cfg(feature = "ssr")]
pub fn routes() -> Vec<crate::platform::http::PlainRoute> {
    use crate::platform::http::PlainRoute;
    vec![
        PlainRoute::post("/payments/notify/{gateway}", notify).server_to_server(),
        PlainRoute::get("/payments/{id}/return", pages::returned),
        PlainRoute::get(admin::CSV_PATH, admin::csv::csv),
    ]
}

/// The poller (asks the gateway about payments it has not told us about; several servers may
/// poll, every change is compare-and-set) and the nightly reconciliation.
#[cfg(feature = "ssr")]
pub fn workers(state: &crate::platform::state::AppState) -> Vec<tokio::task::JoinHandle<()>> {
    use std::time::Duration;
    vec![
        every(
            state,
            Duration::from_secs(15),
            "payment poller round",
            |p, db, now| async move { engine::poll_due(&p, &db, now).await.map(drop) },
        ),
        every(
            state,
            Duration::from_secs(600),
            "nightly payments comparison",
            |p, db, now| async move { reconciliation::nightly(&p, &db, now).await.map(drop) },
        ),
    ]
}

/// Runs `round` every `period` on this server; a round that fails is logged, and the next one
/// tries again.
#[cfg(feature = "ssr")]
fn every<F, Fut>(
    state: &crate::platform::state::AppState,
    period: std::time::Duration,
    what: &'static str,
    round: F,
) -> tokio::task::JoinHandle<()>
where
    F: Fn(crate::platform::orders::Payments, crate::platform::db::Db, i64) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = Result<(), engine::PaymentError>> + Send + 'static,
{
    let (p, db) = (state.payments.clone(), state.db.clone());
    crate::platform::housekeeping::repeat(period, move || {
        let round = round(p.clone(), db.clone(), crate::platform::session::now_secs());
        async move {
            if let Err(e) = round.await {
                tracing::warn!(error = %e, "{what} failed");
            }
        }
    })
}

/// `POST /payments/notify/{gateway}`: a gateway's signed server-to-server notification.
/// 200 when applied or harmless (a replay, a repeat, news older than ours), 401 when forged or
/// stale, 404 for a payment we do not know; the gateway tries again on anything else.
#[cfg(feature = "ssr")]
pub async fn notify(
    axum::extract::State(state): axum::extract::State<crate::platform::state::AppState>,
    axum::extract::Path(gateway): axum::extract::Path<String>,
    headers: http::HeaderMap,
    body: axum::body::Bytes,
) -> axum::response::Response {
    use crate::platform::gateway::{NotificationError, PaymentGateway};
    use axum::response::IntoResponse;
    use engine::PaymentError;
    use http::StatusCode;
    let p = &state.payments;
    if gateway != p.gateway.name() {
        return StatusCode::NOT_FOUND.into_response();
    }
    let signature = headers
        .get(crate::platform::gateway::signature::HEADER)
        .and_then(|v| v.to_str().ok());
    let now = crate::platform::session::now_secs();
    match engine::notification(p, &state.db, signature, &body, now).await {
        Ok(applied) => (StatusCode::OK, format!("{applied:?}")).into_response(),
        Err(PaymentError::Notification(
            e @ (NotificationError::BadSignature | NotificationError::Stale),
        )) => {
            tracing::warn!(error = %e, "gateway notification refused");
            StatusCode::UNAUTHORIZED.into_response()
        }
        Err(PaymentError::Notification(_)) => StatusCode::BAD_REQUEST.into_response(),
        Err(PaymentError::NotFound) => StatusCode::NOT_FOUND.into_response(),
        Err(e) => {
            tracing::error!(error = %e, "gateway notification not applied");
            StatusCode::SERVICE_UNAVAILABLE.into_response()
        }
    }
}

/// Orders for trying the payment flow on a development machine (a fixed amount, nothing to
/// deliver): what the end-to-end tests pay.
pub const DEMO_KIND: &str = "demo";

/// A demo order delivers nothing beyond being marked fulfilled, which the engine does.
#[cfg(feature = "ssr")]
pub struct FulfilDemo;

#[cfg(feature = "ssr")]
impl engine::Fulfil for FulfilDemo {
    fn fulfil<'c>(
        &'c self,
        _conn: &'c mut sqlx::AnyConnection,
        order: &'c store::Order,
        _paid: engine::Paid<'c>,
        _outgoing: &'c mut crate::platform::outbox::Outgoing,
        _now: i64,
    ) -> engine::FulfilFuture<'c> {
        Box::pin(async move {
            tracing::info!(order = %order.id, "demo order fulfilled");
            Ok(engine::Fulfilled::Done)
        })
    }
}
