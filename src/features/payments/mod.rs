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

/// `POST /payments/notify/{gateway}`: a gateway's signed server-to-server notification.
/// 200 when applied or harmless (a replay, a repeat, news older than ours), 401 when forged or
/// stale, 404 for a payment we do not know; the gateway tries again on anything else.
#[cfg(feature = "ssr")]
pub async fn notify(
    axum::extract::State(state): axum::extract::State<crate::platform::server::AppState>,
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

/// The fulfilment of each kind of order, registered by the service that sells it.
#[cfg(feature = "ssr")]
pub fn fulfilments(
    secret: &crate::platform::secrets::SecretKey,
    public_url: &str,
) -> engine::Fulfilments {
    engine::Fulfilments::default()
        .register(DEMO_KIND, FulfilDemo)
        .register(
            crate::features::vignette::purchase::KIND,
            crate::features::vignette::purchase::IssueVignette {
                secret: secret.clone(),
                public_url: public_url.to_string(),
            },
        )
}

/// The page showing what a paid order bought, for the kinds that have one: the payer is sent
/// there from the gateway once the payment has succeeded, and the receipt links to it.
pub fn delivered_page(kind: &str, order_id: &str) -> Option<String> {
    use crate::features::vignette::purchase;
    (kind == purchase::KIND).then(|| purchase::bought_path(order_id))
}

/// Orders for trying the payment flow on a development machine (a fixed amount, nothing to
/// deliver): what the end-to-end tests pay.
pub const DEMO_KIND: &str = "demo";

/// A demo order delivers nothing beyond being marked fulfilled, which the engine does.
#[cfg(feature = "ssr")]
struct FulfilDemo;

#[cfg(feature = "ssr")]
impl engine::Fulfil for FulfilDemo {
    fn fulfil<'c>(
        &'c self,
        _conn: &'c mut sqlx::AnyConnection,
        order: &'c store::Order,
        _now: i64,
    ) -> engine::FulfilFuture<'c> {
        Box::pin(async move {
            tracing::info!(order = %order.id, "demo order fulfilled");
            Ok(engine::Fulfilled::Done)
        })
    }
}
