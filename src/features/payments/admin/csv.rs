//! The day's payments as CSV, for a spreadsheet.

use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::error::OrUnavailable;

/// `GET /admin/reports/payments.csv?day=YYYY-MM-DD`: the day's payments, for a spreadsheet.
#[cfg(feature = "ssr")]
pub async fn csv(
    axum::extract::State(state): axum::extract::State<crate::platform::state::AppState>,
    axum::extract::Query(query): axum::extract::Query<std::collections::HashMap<String, String>>,
    req: axum::extract::Request,
) -> Result<axum::response::Response, AppError> {
    use crate::features::accounts::{Role, staff};
    use axum::response::IntoResponse;
    let account = crate::platform::session::account_of(&req);
    staff::require(&state.db, account.as_deref(), Role::Administrator).await?;
    let Some(day) = query
        .get("day")
        .and_then(|d| crate::domain::date::Date::parse_iso(d))
    else {
        return Ok((http::StatusCode::BAD_REQUEST, "day=YYYY-MM-DD").into_response());
    };
    let body = crate::features::payments::reconciliation::csv(
        &state.db,
        crate::features::payments::reconciliation::Day::of(day),
    )
    .await
    .or_unavailable()?;
    Ok(crate::platform::http::attachment(
        "text/csv; charset=utf-8",
        &format!("bawaba-payments-{}.csv", day.iso()),
        body,
    ))
}
