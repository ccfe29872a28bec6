//! What the two-step pages share on the server: a refused answer kept for the page it came
//! from, the SMS code, the notice of a change, turning the step on, and the sign-in waiting
//! for its second step (begun by `sign_in`).

use super::*;
use crate::error::OrUnavailable;
use crate::{
    domain::journey::{Draft, Rejected},
    features::accounts::{
        messages,
        second_factor::{self, Kind},
        store,
    },
    platform::{
        drafts,
        outbox::{self, Notification},
        security,
        session::{self, SessionId},
        state::AppState,
    },
};

/// Keeps a refused submission's problem for the page it came from, then goes back there.
pub async fn refuse(
    state: &AppState,
    draft_name: &str,
    field: &str,
    typed: &str,
    problem: String,
    back: &str,
) -> Result<(), AppError> {
    let id = session::ensure_for_request(state).await.or_unavailable()?;
    let mut draft = drafts::load(&state.db, &id, draft_name)
        .await
        .or_unavailable()?;
    draft.rejected = Some(Rejected {
        step: field.into(),
        values: [(field.to_string(), typed.to_string())].into(),
        problems: vec![(field.into(), problem)],
    });
    drafts::save(&state.db, &id, draft_name, &draft, session::now_secs())
        .await
        .or_unavailable()?;
    leptos_axum::redirect(back);
    Ok(())
}

pub async fn clear(state: &AppState, draft_name: &str) -> Result<(), AppError> {
    if let Some(s) = session::for_request() {
        drafts::discard(&state.db, &s.id, draft_name)
            .await
            .or_unavailable()?;
    }
    Ok(())
}

pub async fn problems(state: &AppState, draft_name: &str, field: &str) -> Draft {
    match session::for_request() {
        Some(s) => drafts::load(&state.db, &s.id, draft_name)
            .await
            .ok()
            .map(|d| Draft {
                answers: Default::default(),
                rejected: d.rejected.filter(|r| r.step == field),
            })
            .unwrap_or_default(),
        None => Draft::default(),
    }
}

/// Sends a new SMS code to the account's own mobile number.
pub async fn send_sms_code_to_account(
    state: &AppState,
    account_id: &str,
    now: i64,
) -> Result<(), AppError> {
    let mobile = store::by_id(&state.db, account_id)
        .await
        .or_unavailable()?
        .map(|a| a.mobile)
        .unwrap_or_default();
    send_sms_code(state, account_id, &mobile, now).await
}

/// "Send a new code" too soon after the last: the page (the draft `draft_name`, shown at
/// `back`) says how long to wait, and this returns true; false when a new code may go.
pub async fn resend_refused(
    state: &AppState,
    account_id: &str,
    draft_name: &str,
    back: &str,
    now: i64,
) -> Result<bool, AppError> {
    let wait = second_factor::sms_resend_wait(&state.db, account_id, now)
        .await
        .or_unavailable()?;
    if wait > 0 {
        refuse(
            state,
            draft_name,
            "code",
            "",
            format!("resend_wait:{wait}"),
            back,
        )
        .await?;
    }
    Ok(wait > 0)
}

/// Sends a new SMS code to `mobile` (the SMS goes through the outbox, in the same transaction
/// as the code it carries).
pub async fn send_sms_code(
    state: &AppState,
    account_id: &str,
    mobile: &str,
    now: i64,
) -> Result<(), AppError> {
    let mut tx = state.db.begin_write().await.or_unavailable()?;
    let code = second_factor::issue_sms_code(&mut tx, &state.secret, account_id, now)
        .await
        .or_unavailable()?;
    outbox::enqueue(
        &mut tx,
        &Notification::sms(
            messages::SMS_CODE,
            mobile,
            crate::platform::request::language(),
        )
        .account(account_id)
        .params(serde_json::json!({ "code": code })),
        now,
    )
    .await
    .or_unavailable()?;
    tx.commit().await.or_unavailable()
}

/// A security notice by e-mail (always e-mail, whatever the holder's channel choice).
pub async fn notify(
    state: &AppState,
    account_id: &str,
    what: &str,
    now: i64,
) -> Result<(), AppError> {
    let Some(account) = store::by_id(&state.db, account_id).await.or_unavailable()? else {
        return Ok(());
    };
    let mut tx = state.db.begin_write().await.or_unavailable()?;
    outbox::enqueue(
        &mut tx,
        &Notification::email(
            messages::TWO_STEP_CHANGED,
            &account.email,
            crate::platform::request::language(),
        )
        .account(account_id)
        .params(serde_json::json!({ "what": what })),
        now,
    )
    .await
    .or_unavailable()?;
    tx.commit().await.or_unavailable()?;
    crate::features::accounts::record_here(state, account_id, &format!("two_step_{what}"), now)
        .await
}

/// Keeps freshly made recovery codes (sealed) for the page that shows them once.
pub async fn keep_codes(
    state: &AppState,
    session: &SessionId,
    codes: &[String],
    now: i64,
) -> Result<(), AppError> {
    let mut draft = Draft::default();
    draft.answers.insert(
        "sealed".into(),
        second_factor::seal(&state.secret, codes.join(" ").as_bytes()),
    );
    drafts::save(&state.db, session, CODES_DRAFT, &draft, now)
        .await
        .or_unavailable()
}

/// Turns on the set-up second step, rotates the session id (a change of privilege) and
/// leads to the recovery codes.
pub async fn turn_on(state: &AppState, account_id: &str, now: i64) -> Result<(), AppError> {
    let mut tx = state.db.begin_write().await.or_unavailable()?;
    let codes = second_factor::confirm(&mut tx, &state.secret, account_id, now)
        .await
        .or_unavailable()?;
    tx.commit().await.or_unavailable()?;
    let previous = session::for_request().map(|s| s.id);
    let (new_id, cookie) = session::sign_in(
        &state.db,
        previous.as_ref(),
        account_id,
        security::user_agent().as_deref(),
        state.config.is_https(),
        now,
    )
    .await
    .or_unavailable()?;
    session::set_cookie(&cookie);
    drafts::discard(&state.db, &new_id, DRAFT)
        .await
        .or_unavailable()?;
    keep_codes(state, &new_id, &codes, now).await?;
    notify(state, account_id, "on", now).await?;
    leptos_axum::redirect(CODES_PATH);
    Ok(())
}

/// After a right password: either the account has no second step (and is not required to
/// have one) and `None` comes back, or this browser now waits for the code and the answer
/// is the page to go to.
pub async fn begin_sign_in(
    state: &AppState,
    account_id: &str,
    next: Option<&str>,
    now: i64,
) -> Result<Option<String>, AppError> {
    let Some(kind) = second_factor::confirmed(&state.db, account_id)
        .await
        .or_unavailable()?
    else {
        return Ok(None);
    };
    if kind == Kind::Sms {
        send_sms_code_to_account(state, account_id, now).await?;
    }
    let id = session::ensure_for_request(state).await.or_unavailable()?;
    let mut draft = Draft::default();
    draft
        .answers
        .insert("account_id".into(), account_id.to_string());
    draft.answers.insert("since".into(), now.to_string());
    draft
        .answers
        .insert("next".into(), next.unwrap_or_default().to_string());
    drafts::save(&state.db, &id, PENDING, &draft, now)
        .await
        .or_unavailable()?;
    Ok(Some(SIGN_IN_STEP_PATH.to_string()))
}

/// The account waiting for its second step in this browser, and where to go after.
pub async fn pending(state: &AppState, now: i64) -> Result<Option<(String, String)>, AppError> {
    let Some(s) = session::for_request() else {
        return Ok(None);
    };
    let draft = drafts::load(&state.db, &s.id, PENDING)
        .await
        .or_unavailable()?;
    let since: i64 = draft
        .answers
        .get("since")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    if now - since > PENDING_SECS {
        return Ok(None);
    }
    Ok(draft.answers.get("account_id").map(|id| {
        (
            id.clone(),
            draft.answers.get("next").cloned().unwrap_or_default(),
        )
    }))
}

pub async fn end_pending(state: &AppState) -> Result<(), AppError> {
    clear(state, PENDING).await
}

pub async fn pending_problems(state: &AppState) -> Vec<(String, String)> {
    problems(state, PENDING, "code").await.problems("code")
}

pub const PENDING_DRAFT: &str = PENDING;
pub const CODES: &str = CODES_DRAFT;
