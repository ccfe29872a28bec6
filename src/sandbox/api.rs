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
    extract::{FromRequest, Path, Request, State},
    http::StatusCode,
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

/// A request signed with the merchant key over its method, path (below the sandbox's prefix,
/// as the router hands it over) and body; holds the body. Anything else is answered 401.
pub struct Signed(Bytes);

impl FromRequest<SandboxState> for Signed {
    type Rejection = Response;

    async fn from_request(req: Request, s: &SandboxState) -> Result<Self, Response> {
        let (method, path) = (req.method().clone(), req.uri().path().to_string());
        let header = req
            .headers()
            .get(signature::HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let body = Bytes::from_request(req, s)
            .await
            .map_err(IntoResponse::into_response)?;
        let signed = signature::request_message(method.as_str(), &path, &body);
        signature::verify(&*s.secret, header.as_deref(), &signed, now())
            .map_err(|_| error(StatusCode::UNAUTHORIZED, "bad_signature"))?;
        Ok(Signed(body))
    }
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

pub async fn create(State(s): State<SandboxState>, Signed(body): Signed) -> Response {
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
    _signed: Signed,
) -> Response {
    let found = match store::by_merchant_ref(&s.db, &merchant_ref).await {
        Ok(Some(row)) => store::current(&s.db, row, now()).await,
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
    Signed(body): Signed,
) -> Response {
    let Ok(req) = serde_json::from_slice::<Refund>(&body) else {
        return error(StatusCode::BAD_REQUEST, "malformed");
    };
    match store::refund(&s.db, &id, &req.refund_id, req.amount_minor, now()).await {
        Ok(row) => Json(row.view(Some(&s.public_base))).into_response(),
        Err(e) => failed(e),
    }
}
