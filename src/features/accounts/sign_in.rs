//! Signing in and out. One generic message for a wrong identifier or password (it never says
//! which), a lockout with an increasing delay per account (per identifier typed, when no
//! account has it, so a locked message gives nothing away), and a per-address rate limit.
//! Signing in replaces the session with a new one (a new id: no session fixation).

use super::problem_message;
#[cfg(feature = "ssr")]
use crate::error::OrUnavailable;
use crate::features::accounts::PasswordField;
use crate::ui::form::FormHeading;
use crate::ui::form::PageHeading;
use crate::{
    domain::journey::Draft,
    error::AppError,
    i18n::*,
    ui::form::{Button, FieldError, InputKind, TextField},
};
use leptos::{prelude::*, server_fn::ServerFn};
use leptos_router::hooks::use_query_map;

pub const PATH: &str = "/sign-in";
pub const SIGNED_OUT_PATH: &str = "/signed-out";
/// The draft that keeps a refused sign-in's identifier and problem (never the password).
const DRAFT: &str = "sign-in";

#[cfg(feature = "ssr")]
pub(super) use policy::{LOCKOUT, PER_IP};

#[cfg(feature = "ssr")]
mod policy {
    use crate::platform::throttle::{Limit, Lockout};

    /// Five wrong passwords in a row lock the account for 5 minutes, then 10, 20… up to a day.
    pub const LOCKOUT: Lockout = Lockout {
        free: 5,
        first_lock_secs: 5 * 60,
        max_lock_secs: 24 * 3600,
    };
    /// Attempts from one address: generous for a shared connection, slow for a script.
    pub const PER_IP: Limit = Limit {
        max: 30,
        window_secs: 15 * 60,
    };
}

#[server(endpoint = "account/sign-in/view")]
pub async fn load_sign_in() -> Result<Draft, AppError> {
    use crate::platform::{drafts, session, state::AppState};
    let state = expect_context::<AppState>();
    match session::for_request() {
        None => Ok(Draft::default()),
        Some(s) => drafts::load(&state.db, &s.id, DRAFT).await.or_unavailable(),
    }
}

#[server(endpoint = "account/sign-in")]
pub async fn sign_in(
    identifier: Option<String>,
    password: Option<String>,
    next: Option<String>,
) -> Result<(), AppError> {
    use super::{passwords, store};
    use crate::domain::journey::Rejected;
    use crate::platform::{
        drafts, locale::safe_next, security, session, state::AppState, throttle,
    };
    use sha2::{Digest, Sha256};
    let state = expect_context::<AppState>();
    let identifier = crate::domain::text::clean_line(identifier.unwrap_or_default().trim());
    let identifier = crate::domain::text::cut(&identifier, 320).to_string();
    let password = password.unwrap_or_default();
    let now = session::now_secs();
    let ip = security::client_ip(&state.config);
    let user_agent = security::user_agent();

    let refusal: Option<String> = 'check: {
        if identifier.is_empty() {
            break 'check Some("identifier_missing".into());
        }
        if let Err(wait) =
            throttle::hit(&state.db, &format!("sign-in-ip:{ip}"), policy::PER_IP, now)
                .await
                .or_unavailable()?
        {
            break 'check Some(format!("rate_limited:{wait}"));
        }
        let candidates = store::sign_in_candidates(&state.db, &identifier)
            .await
            .or_unavailable()?;
        let key = match candidates.first() {
            Some((id, _)) => super::lock_pass::server::lock_key(&state, id, now).await?,
            None => format!(
                "sign-in:unknown:{}",
                hex::encode(Sha256::digest(identifier.to_lowercase().as_bytes()))
            ),
        };
        if let Some(wait) = throttle::locked_for(&state.db, &key, now)
            .await
            .or_unavailable()?
        {
            break 'check Some(format!("locked:{wait}"));
        }
        let mut matched = None;
        for (id, hash) in &candidates {
            if passwords::verify(password.clone(), hash.clone()).await {
                matched = Some(id.clone());
                break;
            }
        }
        if candidates.is_empty() {
            // The same time spent whether or not an account exists.
            passwords::verify_nobody(password.clone()).await;
        }
        let Some(account_id) = matched else {
            if let Some((id, _)) = candidates.first() {
                store::record_event(
                    &state.db,
                    id,
                    "sign_in_failed",
                    user_agent.as_deref(),
                    Some(&ip),
                    now,
                )
                .await
                .or_unavailable()?;
            }
            let lock = throttle::fail(&state.db, &key, policy::LOCKOUT, now)
                .await
                .or_unavailable()?;
            if let (Some(_), Some((id, _))) = (lock, candidates.first())
                && key == super::lock_pass::server::account_key(id)
            {
                super::lock_pass::server::offer(&state, id, now).await?;
            }
            break 'check Some(match lock {
                Some(secs) => format!("locked:{secs}"),
                None => "sign_in_failed".into(),
            });
        };
        throttle::clear(&state.db, &key).await.or_unavailable()?;
        if let Some(s) = session::for_request() {
            drafts::discard(&state.db, &s.id, DRAFT)
                .await
                .or_unavailable()?;
        }
        let target =
            match super::two_step::server::begin_sign_in(&state, &account_id, next.as_deref(), now)
                .await?
            {
                Some(second_step) => second_step,
                None => complete(&state, &account_id, next.as_deref(), now).await?,
            };
        leptos_axum::redirect(&target);
        return Ok(());
    };

    if let Some(problem) = refusal {
        // Every sign-in problem belongs to the identifier field (never says "the password").
        let field = "identifier";
        let id = session::ensure_for_request(&state).await.or_unavailable()?;
        let draft = Draft {
            answers: Default::default(),
            rejected: Some(Rejected {
                step: DRAFT.into(),
                values: [("identifier".to_string(), identifier)].into(),
                problems: vec![(field.into(), problem)],
            }),
        };
        drafts::save(&state.db, &id, DRAFT, &draft, now)
            .await
            .or_unavailable()?;
        let back = match next.as_deref() {
            Some(n) if !n.is_empty() => {
                format!(
                    "{PATH}?next={}",
                    crate::ui::layout::encode_component(&safe_next(Some(n)))
                )
            }
            _ => PATH.to_string(),
        };
        leptos_axum::redirect(&back);
    }
    Ok(())
}

/// Signs this browser in as `account_id` (the password, and the second step if it has one,
/// were right): a new session id, the sign-in recorded. Returns where to go next: the e-mail
/// confirmation if still needed, the two-step set-up for an officer or administrator without
/// one, else `next` or the account page.
/// This browser is now signed in to `account_id`: a new session (the one it had, and its
/// drafts, end), its cookie, and the "signed in" line of the account's activity.
#[cfg(feature = "ssr")]
pub(super) async fn start_session(
    state: &crate::platform::state::AppState,
    account_id: &str,
    now: i64,
) -> Result<(), AppError> {
    use crate::platform::{security, session};
    let user_agent = security::user_agent();
    let previous = session::for_request().map(|s| s.id);
    let (_, cookie) = session::sign_in(
        &state.db,
        previous.as_ref(),
        account_id,
        user_agent.as_deref(),
        state.config.is_https(),
        now,
    )
    .await
    .or_unavailable()?;
    session::set_cookie(&cookie);
    super::record_here(state, account_id, "signed_in", now).await
}

#[cfg(feature = "ssr")]
pub(super) async fn complete(
    state: &crate::platform::state::AppState,
    account_id: &str,
    next: Option<&str>,
    now: i64,
) -> Result<String, AppError> {
    use super::{second_factor, store};
    use crate::platform::locale::safe_next;
    start_session(state, account_id, now).await?;
    let account = store::by_id(&state.db, account_id).await.or_unavailable()?;
    let verified = account
        .as_ref()
        .is_some_and(|a| a.email_verified_at.is_some());
    let must_add_step = account.as_ref().is_some_and(|a| a.role.needs_second_step())
        && second_factor::confirmed(&state.db, account_id)
            .await
            .or_unavailable()?
            .is_none();
    Ok(if !verified {
        super::verify::PATH.to_string()
    } else if must_add_step {
        super::two_step::PATH.to_string()
    } else if next.is_some_and(|n| !n.is_empty()) {
        safe_next(next)
    } else {
        super::profile::PATH.to_string()
    })
}

/// What a password typed again inside a session (turning the second step off, new recovery
/// codes, changing the e-mail address or mobile number) came to.
#[cfg(feature = "ssr")]
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Reconfirmed {
    Right,
    Wrong,
    /// The account was already locked (by wrong passwords elsewhere): nothing was checked;
    /// the seconds left.
    Locked(i64),
    /// This wrong answer locked the account: the session has ended and the browser is on its
    /// way to the signed-out page; the caller has nothing more to do.
    SignedOut,
}

#[cfg(feature = "ssr")]
impl Reconfirmed {
    /// The problem the form shows for a refused answer (`Wrong`, `Locked`).
    pub(super) fn problem(&self) -> String {
        match self {
            Reconfirmed::Locked(wait) => format!("locked:{wait}"),
            _ => "password_wrong".into(),
        }
    }
}

/// Checks a password typed again inside a session. Wrong answers count towards the same
/// lockout as signing in, so that someone holding a stolen session cannot guess the password
/// and then remove the second step or take the address over; a lockout ends the session
/// (issue 18, finding 2).
#[cfg(feature = "ssr")]
pub(super) async fn reconfirm_password(
    state: &crate::platform::state::AppState,
    account_id: &str,
    password: Option<String>,
) -> Result<Reconfirmed, AppError> {
    use super::{passwords, store};
    use crate::platform::{session, throttle};
    let now = session::now_secs();
    let key = super::lock_pass::server::account_key(account_id);
    if let Some(wait) = throttle::locked_for(&state.db, &key, now)
        .await
        .or_unavailable()?
    {
        return Ok(Reconfirmed::Locked(wait));
    }
    let right = match store::password_hash(&state.db, account_id)
        .await
        .or_unavailable()?
    {
        Some(hash) => passwords::verify(password.unwrap_or_default(), hash).await,
        None => false,
    };
    if right {
        throttle::clear(&state.db, &key).await.or_unavailable()?;
        return Ok(Reconfirmed::Right);
    }
    let locked = throttle::fail(&state.db, &key, policy::LOCKOUT, now)
        .await
        .or_unavailable()?
        .is_some();
    crate::features::accounts::record_here(state, account_id, "password_reconfirm_failed", now)
        .await?;
    if !locked {
        return Ok(Reconfirmed::Wrong);
    }
    // The holder may not be the one guessing: they get the way back in (`lock_pass`).
    super::lock_pass::server::offer(state, account_id, now).await?;
    tracing::warn!(
        account = account_id,
        "locked by wrong passwords inside a session; session ended"
    );
    if let Some(s) = session::for_request() {
        session::end(&state.db, &s.id).await.or_unavailable()?;
    }
    session::set_cookie(&session::removal_cookie(state.config.is_https()));
    leptos_axum::redirect(&format!("{SIGNED_OUT_PATH}?locked=1"));
    Ok(Reconfirmed::SignedOut)
}

/// Ends this browser's session (its drafts go with it).
#[server(endpoint = "account/sign-out")]
pub async fn sign_out() -> Result<(), AppError> {
    use crate::platform::{session, state::AppState};
    let state = expect_context::<AppState>();
    if let Some(s) = session::for_request() {
        session::end(&state.db, &s.id).await.or_unavailable()?;
    }
    session::set_cookie(&session::removal_cookie(state.config.is_https()));
    leptos_axum::redirect(SIGNED_OUT_PATH);
    Ok(())
}

/// Ends every session of the signed-in account, on every device.
#[server(endpoint = "account/sign-out-everywhere")]
pub async fn sign_out_everywhere() -> Result<(), AppError> {
    use crate::platform::{session, state::AppState};
    let state = expect_context::<AppState>();
    if let Some(account_id) = crate::platform::request::account() {
        session::end_all_for(&state.db, &account_id)
            .await
            .or_unavailable()?;
        crate::features::accounts::record_here(
            &state,
            &account_id,
            "signed_out_everywhere",
            session::now_secs(),
        )
        .await?;
    }
    session::set_cookie(&session::removal_cookie(state.config.is_https()));
    leptos_axum::redirect(&format!("{SIGNED_OUT_PATH}?everywhere=1"));
    Ok(())
}

/// `/sign-in`.
#[component]
pub fn SignInPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    crate::ui::problem::loaded(load_sign_in, move |draft| {
        let locale = i18n.get_locale_untracked();
        let errors: Vec<FieldError> = draft
            .problems(DRAFT)
            .iter()
            .map(|(field, code)| FieldError {
                field_id: field.clone(),
                message: problem_message(locale, code),
            })
            .collect();
        let title = td_string!(locale, account.sign_in_title).to_string();
        let error = errors.first().map(|e| e.message.clone());
        let next = query.read_untracked().get("next").unwrap_or_default();
        let pass = query.read_untracked().get("pass");
        view! {
            <FormHeading title errors />
            {pass.map(|p| {
                let text = if p == "1" { td_string!(locale, account.pass_ready) } else { td_string!(locale, account.pass_dead) };
                view! { <div class="panel panel--info" role="status"><p>{text}</p></div> }
            })}
            <form method="post" action=SignIn::url() novalidate="">
                <input type="hidden" name="next" value=next />
                <TextField
                    id="identifier"
                    name="identifier"
                    label=td_string!(locale, account.identifier).to_string()
                    error=error
                    value=draft.shown(DRAFT, "identifier")
                    kind=InputKind { input_type: "text", inputmode: None, autocomplete: Some("username"), ltr: true }
                />
                <PasswordField error=None />
                <Button>{t!(i18n, account.sign_in_button)}</Button>
            </form>
            <p><a href=super::recovery::PATH>{t!(i18n, account.forgot_link)}</a></p>
            <p class="field__hint">{t!(i18n, account.session_note)}</p>
            <h2>{t!(i18n, account.no_account)}</h2>
            <p><a href=super::register::BASE>{t!(i18n, account.create_link)}</a></p>
        }
        .into_any()
    })
}

/// `/signed-out`.
#[component]
pub fn SignedOutPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let everywhere = query.read_untracked().get("everywhere").is_some();
    let locked = query.read_untracked().get("locked").is_some();
    view! {
        <PageHeading title=td_string!(i18n.get_locale_untracked(), account.signed_out_title) />
        {locked.then(|| view! { <div class="panel panel--info" role="status"><p>{t!(i18n, account.signed_out_locked)}</p></div> })}
        {everywhere.then(|| view! { <p>{t!(i18n, account.signed_out_everywhere)}</p> })}
        <p>{t!(i18n, account.signed_out_body)}</p>
        <p><a class="button" href=PATH>{t!(i18n, account.sign_in_link)}</a></p>
    }
}
