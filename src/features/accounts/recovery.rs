//! A forgotten password: the holder gives their e-mail address and gets a link (the same page
//! whether or not an account uses it); the link opens a page to choose a new password, dies on
//! use and after 30 minutes, and using it ends every session of the account.

#[cfg(feature = "ssr")]
use crate::error::OrUnavailable;
use crate::ui::form::FormHeading;
use crate::ui::form::PageHeading;
use crate::ui::form::PageTitle;
use crate::{
    domain::journey::Draft,
    error::AppError,
    i18n::*,
    ui::form::{Button, InputKind, TextField},
    ui::problem::ServiceProblem,
};
use leptos::{prelude::*, server_fn::ServerFn};
use leptos_router::hooks::use_params_map;

pub const PATH: &str = "/forgotten-password";
pub const SENT_PATH: &str = "/forgotten-password/sent";
pub const RESET_PATH: &str = "/reset-password";
pub const DONE_PATH: &str = "/reset-password/done";
#[cfg(feature = "ssr")]
const DRAFT: &str = "recovery";

#[cfg(feature = "ssr")]
pub mod server {
    use crate::platform::db::{Db, DbError};
    use sha2::{Digest, Sha256};

    pub const LIFETIME_SECS: i64 = 30 * 60;
    /// One link per account per minute, however often it is asked for.
    pub const COOLDOWN_SECS: i64 = 60;

    pub fn token_hash(token: &str) -> String {
        hex::encode(Sha256::digest(token.as_bytes()))
    }

    /// What a reset link came to.
    #[derive(Debug, PartialEq, Eq)]
    pub enum Link {
        Live { account_id: String },
        Used,
        Expired,
        Unknown,
    }

    pub async fn look_up(db: &Db, token: &str, now: i64) -> Result<Link, DbError> {
        let row: Option<(String, i64, Option<i64>)> = sqlx::query_as(
            "SELECT account_id, expires_at, used_at FROM password_resets WHERE token_hash = $1",
        )
        .bind(token_hash(token))
        .fetch_optional(db.pool())
        .await?;
        Ok(match row {
            None => Link::Unknown,
            Some((_, _, Some(_))) => Link::Used,
            Some((_, expires, None)) if expires <= now => Link::Expired,
            Some((account_id, _, None)) => Link::Live { account_id },
        })
    }
}

#[server(endpoint = "account/recovery/request")]
pub async fn request_reset(email: Option<String>) -> Result<(), AppError> {
    use super::{messages, store};
    use crate::domain::{contact::Email, journey::Rejected};
    use crate::platform::{
        drafts,
        outbox::{self, Notification},
        security, session,
        state::AppState,
        throttle,
    };
    let state = expect_context::<AppState>();
    let now = session::now_secs();
    let typed = email.unwrap_or_default();
    let problem = match Email::parse(&typed) {
        Err(p) => Some(p.code().to_string()),
        Ok(_) => {
            let key = format!("reset-ip:{}", security::client_ip(&state.config));
            let limit = throttle::Limit {
                max: 10,
                window_secs: 15 * 60,
            };
            throttle::hit(&state.db, &key, limit, now)
                .await
                .or_unavailable()?
                .err()
                .map(|wait| format!("rate_limited:{wait}"))
        }
    };
    if let Some(problem) = problem {
        let id = session::ensure_for_request(&state).await.or_unavailable()?;
        let draft = Draft {
            answers: Default::default(),
            rejected: Some(Rejected {
                step: "request".into(),
                values: [("email".to_string(), typed)].into(),
                problems: vec![("email".into(), problem)],
            }),
        };
        drafts::save(&state.db, &id, DRAFT, &draft, now)
            .await
            .or_unavailable()?;
        leptos_axum::redirect(PATH);
        return Ok(());
    }
    let email = Email::parse(&typed).map_err(|_| AppError::Unavailable)?;
    if let Some(account_id) = store::id_by_email(&state.db, &email)
        .await
        .or_unavailable()?
    {
        let recent: Option<(i64,)> =
            sqlx::query_as("SELECT created_at FROM password_resets WHERE account_id = $1")
                .bind(&account_id)
                .fetch_optional(state.db.pool())
                .await
                .or_unavailable()?;
        if recent.is_none_or(|(at,)| at + server::COOLDOWN_SECS <= now) {
            let mut token = [0u8; 32];
            rand::fill(&mut token);
            let token = hex::encode(token);
            let link = format!("{}{RESET_PATH}/{token}", state.config.public_url);
            let language = crate::platform::request::language();
            let mut tx = state.db.begin_write().await.or_unavailable()?;
            sqlx::query("DELETE FROM password_resets WHERE account_id = $1")
                .bind(&account_id)
                .execute(&mut *tx)
                .await
                .or_unavailable()?;
            sqlx::query(
                "INSERT INTO password_resets (account_id, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(&account_id)
            .bind(server::token_hash(&token))
            .bind(now)
            .bind(now + server::LIFETIME_SECS)
            .execute(&mut *tx)
            .await
            .or_unavailable()?;
            outbox::enqueue(
                &mut tx,
                &Notification::email(messages::PASSWORD_RESET, email.as_str(), language)
                    .account(&account_id)
                    .params(serde_json::json!({ "link": link })),
                now,
            )
            .await
            .or_unavailable()?;
            tx.commit().await.or_unavailable()?;
        }
    }
    if let Some(s) = session::for_request() {
        drafts::discard(&state.db, &s.id, DRAFT)
            .await
            .or_unavailable()?;
    }
    leptos_axum::redirect(SENT_PATH);
    Ok(())
}

/// The new password, posted from the link's page.
#[server(endpoint = "account/recovery/reset")]
pub async fn reset_password(token: String, password: Option<String>) -> Result<(), AppError> {
    use super::{messages, passwords, store};
    use crate::domain::journey::Rejected;
    use crate::platform::{
        drafts,
        outbox::{self, Notification},
        session,
        state::AppState,
        throttle,
    };
    use server::Link;
    let state = expect_context::<AppState>();
    let now = session::now_secs();
    let token = crate::domain::digits::link_token(&token);
    let account_id = match server::look_up(&state.db, &token, now)
        .await
        .or_unavailable()?
    {
        Link::Live { account_id } => account_id,
        Link::Used => return redirect_to(&format!("{RESET_PATH}/problem/used")),
        Link::Expired => return redirect_to(&format!("{RESET_PATH}/problem/expired")),
        Link::Unknown => return redirect_to(&format!("{RESET_PATH}/problem/unknown")),
    };
    let password = password.unwrap_or_default();
    let problem = if password.is_empty() {
        Some("password_missing")
    } else {
        passwords::check_new_password(&password)
            .err()
            .map(|p| p.code())
    };
    if let Some(problem) = problem {
        let id = session::ensure_for_request(&state).await.or_unavailable()?;
        let draft = Draft {
            answers: Default::default(),
            rejected: Some(Rejected {
                step: "reset".into(),
                values: Default::default(),
                problems: vec![("password".into(), problem.into())],
            }),
        };
        drafts::save(&state.db, &id, DRAFT, &draft, now)
            .await
            .or_unavailable()?;
        return redirect_to(&format!("{RESET_PATH}/{token}"));
    }
    let hash = passwords::hash(password).await.or_unavailable()?;
    let Some(account) = store::by_id(&state.db, &account_id)
        .await
        .or_unavailable()?
    else {
        return redirect_to(&format!("{RESET_PATH}/problem/unknown"));
    };
    let language = crate::platform::request::language();
    let mut tx = state.db.begin_write().await.or_unavailable()?;
    // Only the first of two posts of the same link changes anything.
    let used = sqlx::query(
        "UPDATE password_resets SET used_at = $1 WHERE account_id = $2 AND token_hash = $3 AND used_at IS NULL",
    )
    .bind(now)
    .bind(&account_id)
    .bind(server::token_hash(&token))
    .execute(&mut *tx)
    .await
    .or_unavailable()?;
    if used.rows_affected() == 0 {
        return redirect_to(&format!("{RESET_PATH}/problem/used"));
    }
    // The link proves the address as well as a confirmation code would.
    sqlx::query(
        "UPDATE accounts SET password_hash = $1, updated_at = $2, \
         email_verified_at = COALESCE(email_verified_at, $2) WHERE id = $3",
    )
    .bind(&hash)
    .bind(now)
    .bind(&account_id)
    .execute(&mut *tx)
    .await
    .or_unavailable()?;
    outbox::enqueue(
        &mut tx,
        &Notification::email(messages::PASSWORD_CHANGED, &account.email, language)
            .account(&account_id)
            .params(serde_json::json!({})),
        now,
    )
    .await
    .or_unavailable()?;
    tx.commit().await.or_unavailable()?;
    // Whoever was signed in with the old password is not any more; the lockout is lifted.
    session::end_all_for(&state.db, &account_id)
        .await
        .or_unavailable()?;
    throttle::clear(
        &state.db,
        &super::lock_pass::server::account_key(&account_id),
    )
    .await
    .or_unavailable()?;
    store::record_event(&state.db, &account_id, "password_reset", None, None, now)
        .await
        .or_unavailable()?;
    session::set_cookie(&session::removal_cookie(state.config.is_https()));
    redirect_to(DONE_PATH)
}

#[cfg(feature = "ssr")]
fn redirect_to(path: &str) -> Result<(), AppError> {
    leptos_axum::redirect(path);
    Ok(())
}

#[server(endpoint = "account/recovery/view")]
pub async fn load_recovery() -> Result<Draft, AppError> {
    use crate::platform::{drafts, session, state::AppState};
    let state = expect_context::<AppState>();
    match session::for_request() {
        None => Ok(Draft::default()),
        Some(s) => drafts::load(&state.db, &s.id, DRAFT).await.or_unavailable(),
    }
}

/// The reset page's state: the draft (a refused password's problem) and, when the link cannot
/// be used, why (`used`, `expired`, `unknown`), so the page says so before anything is typed.
#[server(endpoint = "account/recovery/link")]
pub async fn load_reset(token: String) -> Result<(Draft, Option<String>), AppError> {
    use crate::platform::{session, state::AppState};
    use server::Link;
    let state = expect_context::<AppState>();
    let problem = match server::look_up(&state.db, &token, session::now_secs())
        .await
        .or_unavailable()?
    {
        Link::Live { .. } => None,
        Link::Used => Some("used"),
        Link::Expired => Some("expired"),
        Link::Unknown => Some("unknown"),
    };
    Ok((load_recovery().await?, problem.map(str::to_string)))
}

/// `/forgotten-password`.
#[component]
pub fn RequestPage() -> impl IntoView {
    let i18n = use_i18n();
    crate::ui::problem::loaded(load_recovery, move |draft| {
        let locale = i18n.get_locale_untracked();
        let errors = super::field_errors(locale, &draft.problems("request"));
        let title = td_string!(locale, account.forgotten_title).to_string();
        let error = errors.first().map(|e| e.message.clone());
        view! {
            <FormHeading title errors />
            <p>{t!(i18n, account.forgotten_lead)}</p>
            <form method="post" action=RequestReset::url() novalidate="">
                <TextField
                    id="email"
                    name="email"
                    label=td_string!(locale, account.email).to_string()
                    error=error
                    value=draft.shown("request", "email")
                    kind=InputKind::EMAIL
                />
                <Button>{t!(i18n, account.forgotten_button)}</Button>
            </form>
        }
        .into_any()
    })
}

/// `/forgotten-password/sent`.
#[component]
pub fn SentPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <PageHeading title=td_string!(i18n.get_locale_untracked(), account.forgotten_sent_title) />
        <p>{t!(i18n, account.forgotten_sent_body)}</p>
    }
}

/// `/reset-password/{token}`: the new password.
#[component]
pub fn ResetPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let token = params.read_untracked().get("token").unwrap_or_default();
    let state = Resource::new(
        {
            let token = token.clone();
            move || token.clone()
        },
        load_reset,
    );
    view! {
        <Suspense>
            {move || {
                let token = token.clone();
                Suspend::new(async move {
                    let locale = i18n.get_locale_untracked();
                    let (draft, problem) = match state.await {
                        Ok(s) => s,
                        Err(_) => return view! { <ServiceProblem /> }.into_any(),
                    };
                    if let Some(reason) = problem {
                        return view! { <LinkProblem reason /> }.into_any();
                    }
                    let errors = super::field_errors(locale, &draft.problems("reset"));
                    let title = td_string!(locale, account.reset_title).to_string();
                    let error = errors.first().map(|e| e.message.clone());
                    view! {
                        <FormHeading title errors />
                        <form method="post" action=ResetPassword::url() novalidate="">
                            <input type="hidden" name="token" value=token />
                            <TextField
                                id="password"
                                name="password"
                                label=td_string!(locale, account.password).to_string()
                                hint=td_string!(locale, account.password_hint).to_string()
                                error=error
                                kind=InputKind::NEW_PASSWORD
                            />
                            <Button>{t!(i18n, account.reset_button)}</Button>
                        </form>
                    }
                    .into_any()
                })
            }}
        </Suspense>
    }
}

/// `/reset-password/done`.
#[component]
pub fn DonePage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <PageTitle text=td_string!(i18n.get_locale_untracked(), account.reset_done_title).to_string() />
        <div class="panel panel--success">
            <h1>{t!(i18n, account.reset_done_title)}</h1>
        </div>
        <p>{t!(i18n, account.reset_done_body)}</p>
        <p><a class="button" href=super::sign_in::PATH>{t!(i18n, account.sign_in_link)}</a></p>
    }
}

/// `/reset-password/problem/{reason}`.
#[component]
pub fn ProblemPage() -> impl IntoView {
    let params = use_params_map();
    let reason = params.read_untracked().get("reason").unwrap_or_default();
    view! { <LinkProblem reason /> }
}

#[component]
fn LinkProblem(reason: String) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let text = match reason.as_str() {
        "used" => td_string!(locale, account.reset_used),
        "expired" => td_string!(locale, account.reset_expired),
        _ => td_string!(locale, account.reset_unknown),
    };
    view! {
        <PageHeading title=td_string!(locale, account.reset_title) />
        <p>{text}</p>
        <p><a class="button" href=PATH>{t!(i18n, account.forgotten_button)}</a></p>
    }
}
