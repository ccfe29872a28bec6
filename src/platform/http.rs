//! Operational endpoints for load balancers and orchestrators.

use super::server::AppState;
use axum::{Json, extract::State, http::StatusCode, response::IntoResponse};
use serde_json::json;

/// The process is alive and serving HTTP. Touches nothing else, so a slow database never makes
/// an orchestrator kill a healthy process.
pub async fn healthz() -> impl IntoResponse {
    (StatusCode::OK, Json(json!({ "status": "ok" })))
}

/// The app server can take traffic: the database answers and all migrations are applied.
pub async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    match state.db.check_ready().await {
        Ok(()) => (StatusCode::OK, Json(json!({ "status": "ready" }))),
        Err(e) => {
            tracing::warn!(error = %e, "not ready");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({ "status": "not_ready" })),
            )
        }
    }
}
