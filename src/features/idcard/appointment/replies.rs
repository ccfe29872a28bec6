//! Replies to the reminder by SMS: 1 confirms the appointment, 2 cancels it (up to the
//! cut-off, as online). The SMS provider delivers each reply to `POST /webhooks/sms` as JSON
//! (`id`: its own message id, `from`: the sender in E.164, `text`), signed like the payment
//! gateways' notifications (`bawaba-signature: t=…,v1=…`, HMAC-SHA256 of the time and the
//! body, with the key `provider_key` gives). A forged or stale request is refused (401);
//! a replayed one (an `id` seen before) changes nothing (200, nothing done), so a provider that
//! retries is harmless and an attacker who captured a request gains nothing.
//!
//! The file provider (development and tests) has no webhook of its own: `simulate` signs a
//! reply as the provider would and sends it through the same handler, so the tests exercise
//! the whole path.

use super::store::{self, Outcome};
use crate::{
    domain::{digits::normalise_digits, idcard::slots::Rules},
    platform::{
        db::DbError,
        gateway::signature,
        outbox::{self, Channel, Notification},
        state::AppState,
    },
};

pub const PATH: &str = "/webhooks/sms";

/// The reply confirming what was done, by SMS to the sender.
pub const REPLY_SMS: &str = "idcard_appointment_reply_sms";

/// The key the provider signs inbound messages with: `BAWABA_SMS_INBOUND_KEY`, as the
/// provider gives it, or else one derived from the server's secret (which the operator gives
/// to the provider).
pub fn provider_key(
    config: &crate::platform::config::Config,
    secret: &crate::platform::secrets::SecretKey,
) -> Vec<u8> {
    match &config.sms_inbound_key {
        Some(key) => key.as_bytes().to_vec(),
        None => derived_key(secret).to_vec(),
    }
}

/// The key derived from the server's secret, when none is configured.
pub fn derived_key(secret: &crate::platform::secrets::SecretKey) -> [u8; 32] {
    crate::platform::state::derive_key(secret, b"sms provider inbound key")
}

/// One inbound SMS as the provider posts it.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct Inbound {
    pub id: String,
    pub from: String,
    pub text: String,
}

/// What a reply asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Asked {
    Confirm,
    Cancel,
    Unknown,
}

/// "1" or "2", in Latin or Arabic-Indic digits, with whatever spaces a phone adds.
pub fn asked(text: &str) -> Asked {
    match normalise_digits(text).trim() {
        "1" => Asked::Confirm,
        "2" => Asked::Cancel,
        _ => Asked::Unknown,
    }
}

/// What the handler did, for the response and the tests.
#[derive(Debug, PartialEq, Eq)]
pub enum Handled {
    Confirmed,
    Cancelled,
    TooLate,
    NotUnderstood,
    /// No reminded appointment for this number: nothing to do, nothing said.
    Nobody,
    /// This message id was handled before.
    Replayed,
}

/// `POST /webhooks/sms`.
pub async fn inbound(
    axum::extract::State(state): axum::extract::State<AppState>,
    headers: http::HeaderMap,
    body: axum::body::Bytes,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    use http::StatusCode;
    let now = crate::platform::session::now_secs();
    let header = headers.get(signature::HEADER).and_then(|v| v.to_str().ok());
    if let Err(e) = signature::verify(
        &provider_key(&state.config, &state.secret),
        header,
        &body,
        now,
    ) {
        tracing::warn!(error = %e, "inbound SMS refused");
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let Ok(message) = serde_json::from_slice::<Inbound>(&body) else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    match handle(&state, &message, now).await {
        Ok(done) => (StatusCode::OK, format!("{done:?}")).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "inbound SMS not handled");
            // The provider tries again; the message id keeps it to once.
            StatusCode::SERVICE_UNAVAILABLE.into_response()
        }
    }
}

/// Applies one reply: the sender's reminded appointment is confirmed or cancelled, and the
/// sender is told by SMS. The message id is recorded first, so a replay can never act again
/// (even after the applicant booked anew); a reply whose handling then fails is not retried,
/// and the applicant still has the page and the e-mail's links.
pub async fn handle(state: &AppState, m: &Inbound, now: i64) -> Result<Handled, DbError> {
    let mut tx = state.db.begin_write().await?;
    let fresh = sqlx::query(
        "INSERT INTO sms_inbound_nonces (nonce, received_at) VALUES ($1, $2)
         ON CONFLICT (nonce) DO NOTHING",
    )
    .bind(&m.id)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    if fresh.rows_affected() != 1 {
        return Ok(Handled::Replayed);
    }
    #[derive(sqlx::FromRow)]
    struct Found {
        account_id: String,
        application_id: String,
        reference: String,
        language: Option<String>,
        starts_at: i64,
    }
    // The sender's soonest appointment that was reminded: the one the reply answers.
    let found: Option<Found> = sqlx::query_as(
        "SELECT a.account_id, a.id AS application_id, a.reference, a.language, p.starts_at
         FROM idcard_appointments p
         JOIN idcard_applications a ON a.id = p.application_id
         JOIN accounts c ON c.id = a.account_id
         WHERE c.mobile = $1 AND p.ended_at IS NULL AND p.reminded_at IS NOT NULL
         ORDER BY p.starts_at LIMIT 1",
    )
    .bind(m.from.trim())
    .fetch_optional(&mut *tx)
    .await?;
    let Some(f) = found else {
        tx.commit().await?;
        return Ok(Handled::Nobody);
    };
    tx.commit().await?;
    let terms = crate::features::idcard::store::terms(&state.db).await?;
    let rules = Rules::from_terms(&terms);
    let public_url = &state.config.public_url;
    let done = match asked(&m.text) {
        Asked::Confirm => {
            store::confirm(&state.db, &f.account_id, &f.application_id, now).await?;
            Handled::Confirmed
        }
        Asked::Cancel => match store::cancel(
            &state.db,
            &f.account_id,
            &f.application_id,
            &rules,
            public_url,
            now,
        )
        .await?
        {
            Some(Outcome::Done(_)) => {
                super::waitlist::worker::kick(state);
                Handled::Cancelled
            }
            Some(Outcome::TooLate) => Handled::TooLate,
            _ => Handled::Nobody,
        },
        Asked::Unknown => Handled::NotUnderstood,
    };
    let kind = match done {
        Handled::Confirmed => "confirmed",
        Handled::Cancelled => "cancelled",
        Handled::TooLate => "too_late",
        Handled::NotUnderstood => "not_understood",
        _ => return Ok(done),
    };
    let link = format!(
        "{}{}",
        public_url.trim_end_matches('/'),
        super::appointment_path(&f.application_id)
    );
    let params = serde_json::json!({
        "kind": kind,
        "reference": f.reference,
        "starts_at": f.starts_at,
        "hours": rules.change_cutoff_hours,
        "link": link,
    });
    let language = f.language.unwrap_or_else(|| "ar".into());
    let mut conn = state.db.writer().acquire().await?;
    outbox::enqueue(
        &mut conn,
        &Notification::new(Channel::Sms, REPLY_SMS, m.from.trim(), &language)
            .account(&f.account_id)
            .params(params),
        now,
    )
    .await?;
    Ok(done)
}

/// The provider's side, for the file provider: signs `text` from `from` as the provider would
/// and posts it to this server's webhook (at `base`). Returns the webhook's status.
pub async fn simulate(
    key: &[u8],
    base: &str,
    from: &str,
    text: &str,
    now: i64,
) -> Result<u16, reqwest::Error> {
    let body = serde_json::to_vec(&Inbound {
        id: uuid::Uuid::new_v4().to_string(),
        from: from.to_string(),
        text: text.to_string(),
    })
    .expect("a plain struct serialises");
    let res = reqwest::Client::new()
        .post(format!("{}{PATH}", base.trim_end_matches('/')))
        .header(signature::HEADER, signature::sign(key, now, &body))
        .header(http::header::CONTENT_TYPE, "application/json")
        .body(body)
        .send()
        .await?;
    Ok(res.status().as_u16())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_and_two_are_read_in_either_digits() {
        assert_eq!(asked(" 1 "), Asked::Confirm);
        assert_eq!(asked("١"), Asked::Confirm);
        assert_eq!(asked("2\n"), Asked::Cancel);
        assert_eq!(asked("٢"), Asked::Cancel);
        assert_eq!(asked("12"), Asked::Unknown);
        assert_eq!(asked("yes"), Asked::Unknown);
    }
}
