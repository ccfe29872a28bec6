//! The sandbox's merchant API: open a payment, look one up, refund. Every request is signed
//! with the merchant secret over its time, method, path and body (an empty body for GET).

use super::{
    SandboxState,
    protocol::{ApiError, CreatePayment, Refund},
    store::{self, SandboxError},
};
use crate::platform::gateway::signature;
use axum::{
    Json,
    body::Bytes,
    extract::{Path, State},
    http::{HeaderMap, Method, StatusCode, Uri},
    response::{IntoResponse, Response},
};

fn now() -> i64 {
    crate::platform::session::now_secs()
}

fn error(status: StatusCode, code: &str) -> Response {
    (
        status,
        Json(ApiError {
            error: code.to_string(),
        }),
    )
        .into_response()
}

/// `Some(401 answer)` when the request is not signed with the merchant key for this method,
/// path (below the sandbox's prefix, as the router hands it over) and body.
fn refuse_unsigned(
    s: &SandboxState,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Option<Response> {
    let header = headers.get(signature::HEADER).and_then(|v| v.to_str().ok());
    let signed = signature::request_message(method.as_str(), uri.path(), body);
    signature::verify(&*s.secret, header, &signed, now())
        .err()
        .map(|_| error(StatusCode::UNAUTHORIZED, "bad_signature"))
}

fn failed(e: SandboxError) -> Response {
    match e {
        SandboxError::NotFound => error(StatusCode::NOT_FOUND, "not_found"),
        SandboxError::NotOpen => error(StatusCode::CONFLICT, "not_open"),
        SandboxError::RefundTooLarge => error(StatusCode::CONFLICT, "refund_exceeds_payment"),
        SandboxError::NotPaid => error(StatusCode::CONFLICT, "not_paid"),
        SandboxError::Db(e) => {
            tracing::error!(error = %e, "sandbox API failed");
            error(StatusCode::SERVICE_UNAVAILABLE, "unavailable")
        }
    }
}

pub async fn create(
    State(s): State<SandboxState>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(refusal) = refuse_unsigned(&s, &method, &uri, &headers, &body) {
        return refusal;
    }
    let Ok(req) = serde_json::from_slice::<CreatePayment>(&body) else {
        return error(StatusCode::BAD_REQUEST, "malformed");
    };
    let valid = req.amount_minor > 0
        && matches!(req.currency.as_str(), "DZD" | "QAR")
        && matches!(req.language.as_str(), "ar" | "fr" | "en")
        && !req.merchant_ref.is_empty()
        && (req.return_url.starts_with("http://") || req.return_url.starts_with("https://"));
    if !valid {
        return error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    }
    match store::create(&s.db, &req, now()).await {
        Ok(row) => (StatusCode::CREATED, Json(row.view(Some(&s.public_base)))).into_response(),
        Err(e) => failed(e),
    }
}

pub async fn by_merchant_ref(
    State(s): State<SandboxState>,
    Path(merchant_ref): Path<String>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    if let Some(refusal) = refuse_unsigned(&s, &method, &uri, &headers, b"") {
        return refusal;
    }
    let found = match store::by_merchant_ref(&s.db, &merchant_ref).await {
        Ok(Some(row)) => store::get(&s.db, &row.id, now()).await,
        Ok(None) => Err(SandboxError::NotFound),
        Err(e) => Err(e),
    };
    match found {
        Ok(row) => Json(row.view(Some(&s.public_base))).into_response(),
        Err(e) => failed(e),
    }
}

pub async fn refund(
    State(s): State<SandboxState>,
    Path(id): Path<String>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(refusal) = refuse_unsigned(&s, &method, &uri, &headers, &body) {
        return refusal;
    }
    let Ok(req) = serde_json::from_slice::<Refund>(&body) else {
        return error(StatusCode::BAD_REQUEST, "malformed");
    };
    match store::refund(&s.db, &id, &req.refund_id, req.amount_minor, now()).await {
        Ok(row) => Json(row.view(Some(&s.public_base))).into_response(),
        Err(e) => failed(e),
    }
}
