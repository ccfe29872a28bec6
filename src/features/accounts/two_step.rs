//! Two-step sign-in: turning it on (authenticator app with a QR code, or SMS), the recovery
//! codes shown once, turning it off, and the second page of signing in. The rules and storage
//! are in `second_factor`; this file is the pages and their thin server functions.
//!
//! Between the password and the second step, the browser is not signed in: a draft under its
//! (anonymous) session names the account waiting for its code, for at most ten minutes.

use super::problem_message;
#[cfg(feature = "ssr")]
use crate::error::OrUnavailable;
use crate::{
    domain::journey::Draft,
    error::AppError,
    features::errors::ServiceProblem,
    i18n::*,
    ui::form::{Button, ButtonKind, ErrorSummary, FieldError, InputKind, TextField},
};
use leptos::{prelude::*, server_fn::ServerFn};
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

pub const PATH: &str = "/account/two-step";
pub const APP_PATH: &str = "/account/two-step/app";
pub const SMS_PATH: &str = "/account/two-step/sms";
pub const CODES_PATH: &str = "/account/two-step/codes";
pub const SIGN_IN_STEP_PATH: &str = "/sign-in/second-step";
/// Problems of the set-up and settings pages.
#[cfg(feature = "ssr")]
const DRAFT: &str = "two-step";
/// Under an anonymous session: the account whose password was right, waiting for its code.
#[cfg(feature = "ssr")]
const PENDING: &str = "sign-in-second-step";
/// The recovery codes just made, sealed, until the holder says they have kept them.
#[cfg(feature = "ssr")]
const CODES_DRAFT: &str = "recovery-codes";
/// How long the second page of signing in waits for its code.
#[cfg(feature = "ssr")]
const PENDING_SECS: i64 = 10 * 60;

/// The settings page.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TwoStepView {
    /// "totp" or "sms" when on.
    pub kind: Option<String>,
    pub recovery_left: i64,
    /// Officers and administrators cannot turn it off, and must turn it on.
    pub required: bool,
    pub mobile: String,
    pub problems: Vec<(String, String)>,
}

/// The authenticator set-up page.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppSetup {
    /// SVG markup made on the server from our own data (no user input reaches it).
    pub qr_svg: String,
    /// The key for typing by hand, in groups of four.
    pub key: String,
    pub problems: Vec<(String, String)>,
    pub typed: String,
}

/// The second page of signing in.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecondStepView {
    /// `None`: nothing is waiting (expired, or never started).
    pub kind: Option<String>,
    pub mobile: String,
    pub next: String,
    pub problems: Vec<(String, String)>,
}

#[cfg(feature = "ssr")]
pub mod server {
    use super::*;
    use crate::error::OrUnavailable;
    use crate::{
        domain::journey::Rejected,
        features::accounts::{
            messages,
            second_factor::{self, Kind},
            store,
        },
        platform::{
            drafts,
            outbox::{self, Channel, Notification},
            security,
            server::AppState,
            session::{self, SessionId},
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

    /// Sends a new SMS code to the account's mobile (the SMS goes through the outbox, in the
    /// same transaction as the code it carries).
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
            &Notification {
                account_id: Some(account_id),
                channel: Channel::Sms,
                recipient: mobile,
                template: messages::SMS_CODE,
                language: crate::platform::request::language(),
                params: serde_json::json!({ "code": code }),
            },
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
            &Notification {
                account_id: Some(account_id),
                channel: Channel::Email,
                recipient: &account.email,
                template: messages::TWO_STEP_CHANGED,
                language: crate::platform::request::language(),
                params: serde_json::json!({ "what": what }),
            },
            now,
        )
        .await
        .or_unavailable()?;
        tx.commit().await.or_unavailable()?;
        store::record_event(
            &state.db,
            account_id,
            &format!("two_step_{what}"),
            security::user_agent().as_deref(),
            Some(&security::client_ip(&state.config)),
            now,
        )
        .await
        .or_unavailable()
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
            let mobile = store::by_id(&state.db, account_id)
                .await
                .or_unavailable()?
                .map(|a| a.mobile)
                .unwrap_or_default();
            send_sms_code(state, account_id, &mobile, now).await?;
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
}

// ---- Settings ------------------------------------------------------------------------------

#[server(endpoint = "account/two-step/view")]
pub async fn load_two_step() -> Result<TwoStepView, AppError> {
    use super::{second_factor, store};
    use crate::platform::server::AppState;
    let state = expect_context::<AppState>();
    let account_id = crate::platform::request::owner("two-step settings")?;
    let account = store::by_id(&state.db, &account_id)
        .await
        .or_unavailable()?
        .ok_or_else(|| AppError::internal("account gone"))?;
    let kind = second_factor::confirmed(&state.db, &account_id)
        .await
        .or_unavailable()?;
    let recovery_left = second_factor::recovery_codes_left(&state.db, &account_id)
        .await
        .or_unavailable()?;
    Ok(TwoStepView {
        kind: kind.map(|k| k.code().to_string()),
        recovery_left,
        required: account.role != "citizen",
        mobile: crate::domain::contact::masked_mobile(&account.mobile),
        problems: server::problems(&state, DRAFT, "password")
            .await
            .problems("password"),
    })
}

/// "Use an authenticator app" / "Use text messages": starts the set-up.
#[server(endpoint = "account/two-step/start")]
pub async fn start_two_step(kind: String) -> Result<(), AppError> {
    use super::{second_factor, store};
    use crate::platform::{server::AppState, session};
    let state = expect_context::<AppState>();
    let account_id = crate::platform::request::owner("two-step settings")?;
    let now = session::now_secs();
    let kind = match kind.as_str() {
        "sms" => second_factor::Kind::Sms,
        _ => second_factor::Kind::Totp,
    };
    let began = second_factor::begin(&state.db, &state.secret, &account_id, kind, now)
        .await
        .or_unavailable()?;
    if began.is_none() {
        // Already on: the settings page says so.
        leptos_axum::redirect(PATH);
        return Ok(());
    }
    server::clear(&state, DRAFT).await?;
    if kind == second_factor::Kind::Sms {
        let mobile = store::by_id(&state.db, &account_id)
            .await
            .or_unavailable()?
            .map(|a| a.mobile)
            .unwrap_or_default();
        server::send_sms_code(&state, &account_id, &mobile, now).await?;
        leptos_axum::redirect(SMS_PATH);
    } else {
        leptos_axum::redirect(APP_PATH);
    }
    Ok(())
}

#[server(endpoint = "account/two-step/app/view")]
pub async fn load_app_setup() -> Result<Option<AppSetup>, AppError> {
    use super::{second_factor, store};
    use crate::platform::server::AppState;
    let state = expect_context::<AppState>();
    let account_id = crate::platform::request::owner("two-step settings")?;
    let factor = second_factor::factor(&state.db, &account_id)
        .await
        .or_unavailable()?;
    if !factor.is_some_and(|f| !f.confirmed && f.kind == second_factor::Kind::Totp) {
        return Ok(None);
    }
    let Some(key) = second_factor::totp_key(&state.db, &state.secret, &account_id)
        .await
        .or_unavailable()?
    else {
        return Ok(None);
    };
    let email = store::by_id(&state.db, &account_id)
        .await
        .or_unavailable()?
        .map(|a| a.email)
        .unwrap_or_default();
    let uri = second_factor::otpauth_uri("Bawaba", &email, &key);
    let base32 = second_factor::base32(&key);
    let key_groups: Vec<String> = base32
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect();
    let draft = server::problems(&state, DRAFT, "code").await;
    Ok(Some(AppSetup {
        qr_svg: crate::platform::qr::svg(&uri).unwrap_or_default(),
        key: key_groups.join(" "),
        problems: draft.problems("code"),
        typed: draft.shown("code", "code"),
    }))
}

/// The first code from the app (or the SMS) proves the set-up works: the step is now on.
#[server(endpoint = "account/two-step/confirm")]
pub async fn confirm_two_step(code: Option<String>) -> Result<(), AppError> {
    use super::second_factor::{self, Kind, SmsOutcome};
    use crate::platform::{server::AppState, session};
    let state = expect_context::<AppState>();
    let account_id = crate::platform::request::owner("two-step settings")?;
    let now = session::now_secs();
    let code = crate::domain::digits::clean_code(&code.unwrap_or_default());
    let Some(factor) = second_factor::factor(&state.db, &account_id)
        .await
        .or_unavailable()?
        .filter(|f| !f.confirmed)
    else {
        leptos_axum::redirect(PATH);
        return Ok(());
    };
    let back = if factor.kind == Kind::Sms {
        SMS_PATH
    } else {
        APP_PATH
    };
    let problem = if code.is_empty() {
        Some("code_missing".to_string())
    } else if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        Some("code_format".to_string())
    } else if factor.kind == Kind::Totp {
        (!second_factor::check_totp(&state.db, &state.secret, &account_id, &code, now)
            .await
            .or_unavailable()?)
        .then(|| "totp_wrong".to_string())
    } else {
        match second_factor::check_sms(&state.db, &state.secret, &account_id, &code, now)
            .await
            .or_unavailable()?
        {
            SmsOutcome::Right => None,
            SmsOutcome::Wrong { tries_left } => Some(format!("code_wrong:{tries_left}")),
            SmsOutcome::TooManyTries => Some("code_too_many".into()),
            SmsOutcome::Expired => Some("code_expired".into()),
            SmsOutcome::Unknown => Some("code_unknown".into()),
        }
    };
    if let Some(problem) = problem {
        return server::refuse(&state, DRAFT, "code", &code, problem, back).await;
    }
    server::turn_on(&state, &account_id, now).await
}

/// A new SMS code while setting up the SMS step.
#[server(endpoint = "account/two-step/sms/resend")]
pub async fn resend_setup_sms() -> Result<(), AppError> {
    use super::{second_factor, store};
    use crate::platform::{server::AppState, session};
    let state = expect_context::<AppState>();
    let account_id = crate::platform::request::owner("two-step settings")?;
    let now = session::now_secs();
    let wait = second_factor::sms_resend_wait(&state.db, &account_id, now)
        .await
        .or_unavailable()?;
    if wait > 0 {
        return server::refuse(
            &state,
            DRAFT,
            "code",
            "",
            format!("resend_wait:{wait}"),
            SMS_PATH,
        )
        .await;
    }
    let mobile = store::by_id(&state.db, &account_id)
        .await
        .or_unavailable()?
        .map(|a| a.mobile)
        .unwrap_or_default();
    server::send_sms_code(&state, &account_id, &mobile, now).await?;
    server::clear(&state, DRAFT).await?;
    leptos_axum::redirect(&format!("{SMS_PATH}?sent=1"));
    Ok(())
}

#[server(endpoint = "account/two-step/sms/view")]
pub async fn load_sms_setup() -> Result<Option<(String, Draft)>, AppError> {
    use super::{second_factor, store};
    use crate::platform::server::AppState;
    let state = expect_context::<AppState>();
    let account_id = crate::platform::request::owner("two-step settings")?;
    let setting_up = second_factor::factor(&state.db, &account_id)
        .await
        .or_unavailable()?
        .is_some_and(|f| !f.confirmed && f.kind == second_factor::Kind::Sms);
    if !setting_up {
        return Ok(None);
    }
    let mobile = store::by_id(&state.db, &account_id)
        .await
        .or_unavailable()?
        .map(|a| crate::domain::contact::masked_mobile(&a.mobile))
        .unwrap_or_default();
    Ok(Some((
        mobile,
        server::problems(&state, DRAFT, "code").await,
    )))
}

/// The recovery codes just made, shown once.
#[server(endpoint = "account/two-step/codes/view")]
pub async fn load_recovery_codes() -> Result<Vec<String>, AppError> {
    use super::second_factor;
    use crate::platform::{drafts, server::AppState, session};
    let state = expect_context::<AppState>();
    crate::platform::request::owner("two-step settings")?;
    let Some(s) = session::for_request() else {
        return Ok(Vec::new());
    };
    let draft = drafts::load(&state.db, &s.id, server::CODES)
        .await
        .or_unavailable()?;
    Ok(draft
        .answers
        .get("sealed")
        .and_then(|sealed| second_factor::open(&state.secret, sealed))
        .map(|plain| {
            String::from_utf8_lossy(&plain)
                .split(' ')
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default())
}

/// "I have kept my codes": they are never shown again.
#[server(endpoint = "account/two-step/codes/done")]
pub async fn finish_recovery_codes() -> Result<(), AppError> {
    use crate::platform::server::AppState;
    let state = expect_context::<AppState>();
    crate::platform::request::owner("two-step settings")?;
    server::clear(&state, server::CODES).await?;
    leptos_axum::redirect(&format!("{PATH}?done=1"));
    Ok(())
}

/// Ten new recovery codes (the old ones stop working); asks for the password.
#[server(endpoint = "account/two-step/codes/new")]
pub async fn renew_recovery_codes(password: Option<String>) -> Result<(), AppError> {
    use super::{second_factor, sign_in::Reconfirmed};
    use crate::platform::{server::AppState, session};
    let state = expect_context::<AppState>();
    let account_id = crate::platform::request::owner("two-step settings")?;
    let now = session::now_secs();
    match super::sign_in::reconfirm_password(&state, &account_id, password).await? {
        Reconfirmed::Right => {}
        Reconfirmed::SignedOut => return Ok(()),
        refused => {
            return server::refuse(&state, DRAFT, "password", "", refused.problem(), PATH).await;
        }
    }
    if second_factor::confirmed(&state.db, &account_id)
        .await
        .or_unavailable()?
        .is_none()
    {
        leptos_axum::redirect(PATH);
        return Ok(());
    }
    let mut tx = state.db.begin_write().await.or_unavailable()?;
    let codes = second_factor::new_recovery_codes(&mut tx, &state.secret, &account_id)
        .await
        .or_unavailable()?;
    tx.commit().await.or_unavailable()?;
    let session = session::for_request().ok_or_else(|| AppError::internal("no session"))?;
    server::keep_codes(&state, &session.id, &codes, now).await?;
    server::clear(&state, DRAFT).await?;
    server::notify(&state, &account_id, "codes_renewed", now).await?;
    leptos_axum::redirect(CODES_PATH);
    Ok(())
}

/// Turns the second step off (citizens only); asks for the password.
#[server(endpoint = "account/two-step/off")]
pub async fn turn_off_two_step(password: Option<String>) -> Result<(), AppError> {
    use super::{second_factor, sign_in::Reconfirmed, store};
    use crate::platform::{server::AppState, session};
    let state = expect_context::<AppState>();
    let account_id = crate::platform::request::owner("two-step settings")?;
    let now = session::now_secs();
    let role = store::by_id(&state.db, &account_id)
        .await
        .or_unavailable()?
        .map(|a| a.role)
        .unwrap_or_default();
    if role != "citizen" {
        return server::refuse(
            &state,
            DRAFT,
            "password",
            "",
            "two_step_required".into(),
            PATH,
        )
        .await;
    }
    match super::sign_in::reconfirm_password(&state, &account_id, password).await? {
        Reconfirmed::Right => {}
        Reconfirmed::SignedOut => return Ok(()),
        refused => {
            return server::refuse(&state, DRAFT, "password", "", refused.problem(), PATH).await;
        }
    }
    let mut tx = state.db.begin_write().await.or_unavailable()?;
    second_factor::remove(&mut tx, &account_id)
        .await
        .or_unavailable()?;
    tx.commit().await.or_unavailable()?;
    server::clear(&state, DRAFT).await?;
    server::notify(&state, &account_id, "off", now).await?;
    leptos_axum::redirect(&format!("{PATH}?off=1"));
    Ok(())
}

// ---- The second page of signing in ---------------------------------------------------------

#[server(endpoint = "sign-in/second-step/view")]
pub async fn load_second_step() -> Result<SecondStepView, AppError> {
    use super::{second_factor, store};
    use crate::platform::{server::AppState, session};
    let state = expect_context::<AppState>();
    let now = session::now_secs();
    let Some((account_id, next)) = server::pending(&state, now).await? else {
        return Ok(SecondStepView::default());
    };
    let kind = second_factor::confirmed(&state.db, &account_id)
        .await
        .or_unavailable()?;
    let mobile = store::by_id(&state.db, &account_id)
        .await
        .or_unavailable()?
        .map(|a| crate::domain::contact::masked_mobile(&a.mobile))
        .unwrap_or_default();
    Ok(SecondStepView {
        kind: kind.map(|k| k.code().to_string()),
        mobile,
        next,
        problems: server::pending_problems(&state).await,
    })
}

/// The code from the app or the SMS, or a recovery code: signs the browser in. Wrong codes
/// count towards the same lockout as wrong passwords.
#[server(endpoint = "sign-in/second-step")]
pub async fn second_step(code: Option<String>) -> Result<(), AppError> {
    use super::second_factor::{self, Kind, SmsOutcome};
    use crate::platform::{security, server::AppState, session, throttle};
    let state = expect_context::<AppState>();
    let now = session::now_secs();
    let typed = code.unwrap_or_default();
    let Some((account_id, next)) = server::pending(&state, now).await? else {
        leptos_axum::redirect(&format!("{}?expired=1", super::sign_in::PATH));
        return Ok(());
    };
    let refuse = |problem: String| {
        let state = state.clone();
        let typed = typed.clone();
        async move {
            server::refuse(
                &state,
                server::PENDING_DRAFT,
                "code",
                &typed,
                problem,
                SIGN_IN_STEP_PATH,
            )
            .await
        }
    };
    let ip = security::client_ip(&state.config);
    if let Err(wait) = throttle::hit(
        &state.db,
        &format!("sign-in-ip:{ip}"),
        super::sign_in::PER_IP,
        now,
    )
    .await
    .or_unavailable()?
    {
        return refuse(format!("rate_limited:{wait}")).await;
    }
    let key = super::lock_pass::server::lock_key(&state, &account_id, now).await?;
    if let Some(wait) = throttle::locked_for(&state.db, &key, now)
        .await
        .or_unavailable()?
    {
        return refuse(format!("locked:{wait}")).await;
    }
    let code = crate::domain::digits::clean_code(&typed);
    if code.is_empty() {
        return refuse("code_missing".into()).await;
    }
    let kind = second_factor::confirmed(&state.db, &account_id)
        .await
        .or_unavailable()?;
    let six_digits = code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit());
    let mut recovery_left = None;
    let right = if six_digits {
        match kind {
            Some(Kind::Totp) => {
                second_factor::check_totp(&state.db, &state.secret, &account_id, &code, now)
                    .await
                    .or_unavailable()?
            }
            Some(Kind::Sms) => {
                match second_factor::check_sms(&state.db, &state.secret, &account_id, &code, now)
                    .await
                    .or_unavailable()?
                {
                    SmsOutcome::Right => true,
                    SmsOutcome::Expired => return refuse("code_expired".into()).await,
                    SmsOutcome::TooManyTries => return refuse("code_too_many".into()).await,
                    _ => false,
                }
            }
            None => false,
        }
    } else {
        recovery_left =
            second_factor::use_recovery_code(&state.db, &state.secret, &account_id, &code, now)
                .await
                .or_unavailable()?;
        recovery_left.is_some()
    };
    if !right {
        let lock = throttle::fail(&state.db, &key, super::sign_in::LOCKOUT, now)
            .await
            .or_unavailable()?;
        return refuse(match lock {
            Some(secs) => format!("locked:{secs}"),
            None => "second_step_wrong".into(),
        })
        .await;
    }
    throttle::clear(&state.db, &key).await.or_unavailable()?;
    server::end_pending(&state).await?;
    if recovery_left.is_some() {
        server::notify(&state, &account_id, "recovery_used", now).await?;
    }
    let target = super::sign_in::complete(&state, &account_id, Some(&next), now).await?;
    leptos_axum::redirect(&target);
    Ok(())
}

/// A new SMS code on the second page of signing in.
#[server(endpoint = "sign-in/second-step/resend")]
pub async fn resend_second_step_sms() -> Result<(), AppError> {
    use super::{second_factor, store};
    use crate::platform::{server::AppState, session};
    let state = expect_context::<AppState>();
    let now = session::now_secs();
    let Some((account_id, _)) = server::pending(&state, now).await? else {
        leptos_axum::redirect(super::sign_in::PATH);
        return Ok(());
    };
    let wait = second_factor::sms_resend_wait(&state.db, &account_id, now)
        .await
        .or_unavailable()?;
    if wait > 0 {
        return server::refuse(
            &state,
            server::PENDING_DRAFT,
            "code",
            "",
            format!("resend_wait:{wait}"),
            SIGN_IN_STEP_PATH,
        )
        .await;
    }
    if second_factor::confirmed(&state.db, &account_id)
        .await
        .or_unavailable()?
        == Some(second_factor::Kind::Sms)
    {
        let mobile = store::by_id(&state.db, &account_id)
            .await
            .or_unavailable()?
            .map(|a| a.mobile)
            .unwrap_or_default();
        server::send_sms_code(&state, &account_id, &mobile, now).await?;
    }
    leptos_axum::redirect(&format!("{SIGN_IN_STEP_PATH}?sent=1"));
    Ok(())
}

// ---- Pages ---------------------------------------------------------------------------------

fn errors_of(locale: Locale, problems: &[(String, String)]) -> Vec<FieldError> {
    problems
        .iter()
        .map(|(field, code)| FieldError {
            field_id: field.clone(),
            message: problem_message(locale, code),
        })
        .collect()
}

fn titled(locale: Locale, title: &str, errors: &[FieldError]) -> String {
    if errors.is_empty() {
        title.to_string()
    } else {
        format!("{} {title}", td_string!(locale, common.error_prefix))
    }
}

fn code_kind() -> InputKind {
    InputKind {
        input_type: "text",
        inputmode: Some("numeric"),
        autocomplete: Some("one-time-code"),
        ltr: true,
    }
}

/// `/account/two-step`.
#[component]
pub fn TwoStepPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = leptos_router::hooks::use_query_map();
    let view = Resource::new(|| (), |_| load_two_step());
    view! {
        <Suspense>
            {move || Suspend::new(async move {
                let locale = i18n.get_locale_untracked();
                let Ok(v) = view.await else { return view! { <ServiceProblem /> }.into_any() };
                let errors = errors_of(locale, &v.problems);
                let title = td_string!(locale, account.two_step_title).to_string();
                let error = errors.first().map(|e| e.message.clone());
                let q = query.read_untracked();
                let notice = if q.get("done").is_some() {
                    Some(td_string!(locale, account.two_step_on_notice))
                } else if q.get("off").is_some() {
                    Some(td_string!(locale, account.two_step_off_notice))
                } else {
                    None
                };
                let password = move |error: Option<String>| view! {
                    <TextField
                        id="password"
                        name="password"
                        label=td_string!(locale, account.password_label).to_string()
                        error=error
                        kind=InputKind { input_type: "password", inputmode: None, autocomplete: Some("current-password"), ltr: true }
                    />
                };
                let body = match v.kind.as_deref() {
                    None => view! {
                        {v.required.then(|| view! {
                            <div class="panel panel--info" role="note"><p>{t!(i18n, account.two_step_required)}</p></div>
                        })}
                        <p>{t!(i18n, account.two_step_intro)}</p>
                        <h2>{t!(i18n, account.two_step_app_heading)}</h2>
                        <p>{t!(i18n, account.two_step_app_body)}</p>
                        <form method="post" action=StartTwoStep::url()>
                            <input type="hidden" name="kind" value="totp" />
                            <Button>{t!(i18n, account.two_step_app_button)}</Button>
                        </form>
                        <h2>{t!(i18n, account.two_step_sms_heading)}</h2>
                        <p>{t!(i18n, account.two_step_sms_body)} " " <bdi dir="ltr">{v.mobile.clone()}</bdi></p>
                        <form method="post" action=StartTwoStep::url()>
                            <input type="hidden" name="kind" value="sms" />
                            <Button kind=ButtonKind::Secondary>{t!(i18n, account.two_step_sms_button)}</Button>
                        </form>
                    }.into_any(),
                    Some(kind) => {
                        let how = if kind == "totp" { td_string!(locale, account.two_step_is_app) } else { td_string!(locale, account.two_step_is_sms) };
                        view! {
                            <p>{how}</p>
                            <p>{td_string!(locale, account.two_step_codes_left, count = v.recovery_left).to_string()}</p>
                            <h2>{t!(i18n, account.two_step_renew_heading)}</h2>
                            <form method="post" action=RenewRecoveryCodes::url() novalidate="">
                                {password(error.clone())}
                                <Button kind=ButtonKind::Secondary>{t!(i18n, account.two_step_renew_button)}</Button>
                            </form>
                            {(!v.required).then(|| view! {
                                <h2>{t!(i18n, account.two_step_off_heading)}</h2>
                                <p>{t!(i18n, account.two_step_off_body)}</p>
                                <form method="post" action=TurnOffTwoStep::url() novalidate="">
                                    <TextField
                                        id="password-off"
                                        name="password"
                                        label=td_string!(locale, account.password_label).to_string()
                                        kind=InputKind { input_type: "password", inputmode: None, autocomplete: Some("current-password"), ltr: true }
                                    />
                                    <Button kind=ButtonKind::Warning>{t!(i18n, account.two_step_off_button)}</Button>
                                </form>
                            })}
                        }.into_any()
                    }
                };
                view! {
                    <Title text=titled(locale, &title, &errors) />
                    <ErrorSummary errors />
                    {notice.map(|n| view! { <div class="panel panel--info" role="status"><p>{n}</p></div> })}
                    <h1>{title}</h1>
                    {body}
                    <p><a href=super::profile::PATH>{t!(i18n, account.back_to_account)}</a></p>
                }.into_any()
            })}
        </Suspense>
    }
}

/// `/account/two-step/app`: the QR code, the key to type instead, the first code.
#[component]
pub fn AppSetupPage() -> impl IntoView {
    let i18n = use_i18n();
    let setup = Resource::new(|| (), |_| load_app_setup());
    view! {
        <Suspense>
            {move || Suspend::new(async move {
                let locale = i18n.get_locale_untracked();
                let setup = match setup.await {
                    Err(_) => return view! { <ServiceProblem /> }.into_any(),
                    Ok(None) => return view! { <NothingToSetUp /> }.into_any(),
                    Ok(Some(s)) => s,
                };
                let errors = errors_of(locale, &setup.problems);
                let title = td_string!(locale, account.two_step_app_title).to_string();
                let error = errors.first().map(|e| e.message.clone());
                view! {
                    <Title text=titled(locale, &title, &errors) />
                    <ErrorSummary errors />
                    <h1>{title}</h1>
                    <ol class="steps-list">
                        <li>{t!(i18n, account.two_step_app_1)}</li>
                        <li>{t!(i18n, account.two_step_app_2)}</li>
                        <li>{t!(i18n, account.two_step_app_3)}</li>
                    </ol>
                    <figure class="qr">
                        <div role="img" aria-label=td_string!(locale, account.two_step_qr_label) inner_html=setup.qr_svg></div>
                    </figure>
                    <p>{t!(i18n, account.two_step_key_label)}</p>
                    <p><code class="secret-key" dir="ltr" translate="no">{setup.key}</code></p>
                    <form method="post" action=ConfirmTwoStep::url() novalidate="">
                        <TextField
                            id="code"
                            name="code"
                            label=td_string!(locale, account.two_step_app_code).to_string()
                            error=error
                            value=setup.typed
                            kind=code_kind()
                        />
                        <Button>{t!(i18n, account.two_step_confirm_button)}</Button>
                    </form>
                    <p><a href=PATH>{t!(i18n, account.two_step_cancel)}</a></p>
                }.into_any()
            })}
        </Suspense>
    }
}

/// `/account/two-step/sms`: the code sent to the mobile.
#[component]
pub fn SmsSetupPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = leptos_router::hooks::use_query_map();
    let setup = Resource::new(|| (), |_| load_sms_setup());
    view! {
        <Suspense>
            {move || Suspend::new(async move {
                let locale = i18n.get_locale_untracked();
                let (mobile, draft) = match setup.await {
                    Err(_) => return view! { <ServiceProblem /> }.into_any(),
                    Ok(None) => return view! { <NothingToSetUp /> }.into_any(),
                    Ok(Some(s)) => s,
                };
                let errors = errors_of(locale, &draft.problems("code"));
                let title = td_string!(locale, account.two_step_sms_title).to_string();
                let error = errors.first().map(|e| e.message.clone());
                let sent = query.read_untracked().get("sent").is_some();
                view! {
                    <Title text=titled(locale, &title, &errors) />
                    <ErrorSummary errors />
                    {sent.then(|| view! { <div class="panel panel--info" role="status"><p>{t!(i18n, account.two_step_sms_resent)}</p></div> })}
                    <h1>{title}</h1>
                    <p>{t!(i18n, account.two_step_sms_sent)} " " <bdi dir="ltr">{mobile}</bdi></p>
                    <form method="post" action=ConfirmTwoStep::url() novalidate="">
                        <TextField
                            id="code"
                            name="code"
                            label=td_string!(locale, account.two_step_sms_code).to_string()
                            error=error
                            value=draft.shown("code", "code")
                            kind=code_kind()
                        />
                        <Button>{t!(i18n, account.two_step_confirm_button)}</Button>
                    </form>
                    <form method="post" action=ResendSetupSms::url()>
                        <Button kind=ButtonKind::Secondary>{t!(i18n, account.two_step_sms_resend)}</Button>
                    </form>
                    <p><a href=PATH>{t!(i18n, account.two_step_cancel)}</a></p>
                }.into_any()
            })}
        </Suspense>
    }
}

#[component]
fn NothingToSetUp() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=td_string!(i18n.get_locale_untracked(), account.two_step_title).to_string() />
        <h1>{t!(i18n, account.two_step_title)}</h1>
        <p>{t!(i18n, account.two_step_nothing)}</p>
        <p><a href=PATH>{t!(i18n, account.two_step_title)}</a></p>
    }
}

/// `/account/two-step/codes`: the recovery codes, once.
#[component]
pub fn RecoveryCodesPage() -> impl IntoView {
    let i18n = use_i18n();
    let codes = Resource::new(|| (), |_| load_recovery_codes());
    view! {
        <Suspense>
            {move || Suspend::new(async move {
                let locale = i18n.get_locale_untracked();
                let Ok(codes) = codes.await else { return view! { <ServiceProblem /> }.into_any() };
                if codes.is_empty() {
                    return view! { <NothingToSetUp /> }.into_any();
                }
                let title = td_string!(locale, account.two_step_codes_title).to_string();
                view! {
                    <Title text=title.clone() />
                    <h1>{title}</h1>
                    <p>{t!(i18n, account.two_step_codes_body)}</p>
                    <ul class="recovery-codes" dir="ltr" translate="no">
                        {codes.into_iter().map(|c| view! { <li><code>{c}</code></li> }).collect_view()}
                    </ul>
                    <p>{t!(i18n, account.two_step_codes_warning)}</p>
                    <form method="post" action=FinishRecoveryCodes::url()>
                        <Button>{t!(i18n, account.two_step_codes_done)}</Button>
                    </form>
                }.into_any()
            })}
        </Suspense>
    }
}

/// `/sign-in/second-step`.
#[component]
pub fn SecondStepPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = leptos_router::hooks::use_query_map();
    let view = Resource::new(|| (), |_| load_second_step());
    view! {
        <Suspense>
            {move || Suspend::new(async move {
                let locale = i18n.get_locale_untracked();
                let Ok(v) = view.await else { return view! { <ServiceProblem /> }.into_any() };
                let title = td_string!(locale, account.second_step_title).to_string();
                let Some(kind) = v.kind.clone() else {
                    return view! {
                        <Title text=title.clone() />
                        <h1>{title}</h1>
                        <p>{t!(i18n, account.second_step_none)}</p>
                        <p><a class="button" href=super::sign_in::PATH>{t!(i18n, account.sign_in_link)}</a></p>
                    }.into_any();
                };
                let errors = errors_of(locale, &v.problems);
                let error = errors.first().map(|e| e.message.clone());
                let sms = kind == "sms";
                let sent = query.read_untracked().get("sent").is_some();
                let (intro, label) = if sms {
                    (td_string!(locale, account.second_step_sms), td_string!(locale, account.two_step_sms_code))
                } else {
                    (td_string!(locale, account.second_step_app), td_string!(locale, account.two_step_app_code))
                };
                view! {
                    <Title text=titled(locale, &title, &errors) />
                    <ErrorSummary errors />
                    {sent.then(|| view! { <div class="panel panel--info" role="status"><p>{t!(i18n, account.two_step_sms_resent)}</p></div> })}
                    <h1>{title}</h1>
                    <p>{intro} {sms.then(|| view! { " " <bdi dir="ltr">{v.mobile.clone()}</bdi> })}</p>
                    <form method="post" action=SecondStep::url() novalidate="">
                        <TextField
                            id="code"
                            name="code"
                            label=label.to_string()
                            hint=td_string!(locale, account.second_step_recovery_hint).to_string()
                            error=error
                            kind=InputKind { input_type: "text", inputmode: None, autocomplete: Some("one-time-code"), ltr: true }
                        />
                        <Button>{t!(i18n, account.sign_in_button)}</Button>
                    </form>
                    {sms.then(|| view! {
                        <form method="post" action=ResendSecondStepSms::url()>
                            <Button kind=ButtonKind::Secondary>{t!(i18n, account.two_step_sms_resend)}</Button>
                        </form>
                    })}
                }.into_any()
            })}
        </Suspense>
    }
}
