//! "Confirm your e-mail address": the page after registration (type the 6-digit code), the
//! page a signed-in but unconfirmed holder reaches from their account, and the page the
//! e-mailed link opens (a button, so that a mail scanner fetching the link confirms nothing).
//!
//! Right after registration the browser is not signed in: a draft under its session names the
//! account to confirm (or, when the address was already taken, only the address, so the page
//! looks the same either way). The right code signs that browser in, with a new session id.

#[cfg(feature = "ssr")]
use crate::error::OrUnavailable;
use crate::features::accounts::CodeField;
use crate::ui::form::FormHeading;
use crate::ui::form::PageHeading;
use crate::ui::form::PageTitle;
use crate::{
    error::AppError,
    i18n::*,
    ui::form::{Button, ButtonKind},
    ui::problem::ServiceProblem,
};
use leptos::{prelude::*, server_fn::ServerFn};
use leptos_router::hooks::{use_params_map, use_query_map};
use serde::{Deserialize, Serialize};

pub const PATH: &str = "/account/verify-email";
pub const DONE_PATH: &str = "/account/verify-email/done";
pub const LINK_PATH: &str = "/account/verify-email/link";
/// The draft that remembers, after registration, which account this browser is confirming.
pub const DRAFT: &str = "verify-email";

/// What the code page shows.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifyView {
    /// The address the code went to; `None`: nothing to confirm from this browser.
    pub email: Option<String>,
    /// Signed in (the account is known to the user) rather than just registered.
    pub signed_in: bool,
    pub already_confirmed: bool,
    pub problems: Vec<(String, String)>,
}

#[cfg(feature = "ssr")]
pub mod server {
    use super::{DRAFT, LINK_PATH};
    use crate::error::OrUnavailable;
    use crate::{
        domain::{contact::Email, journey::Draft},
        error::AppError,
        features::accounts::{
            messages,
            store::{self, CreateError, NewAccount},
            verification::{self, Outcome},
        },
        platform::{
            drafts,
            outbox::{self, Notification},
            session::{self, SessionId},
            state::AppState,
        },
    };

    /// Whom this browser is confirming: (account, address). The account is `None` when the
    /// registration was refused because the address was taken.
    pub struct Target {
        pub account_id: Option<String>,
        pub email: String,
        pub signed_in: bool,
        pub already_confirmed: bool,
    }

    pub async fn target(state: &AppState) -> Result<Option<Target>, AppError> {
        let Some(session) = session::for_request() else {
            return Ok(None);
        };
        if let Some(account_id) = &session.account_id {
            let account = store::by_id(&state.db, account_id).await.or_unavailable()?;
            return Ok(account.map(|a| Target {
                account_id: Some(a.id),
                email: a.email,
                signed_in: true,
                already_confirmed: a.email_verified_at.is_some(),
            }));
        }
        let draft = drafts::load(&state.db, &session.id, DRAFT)
            .await
            .or_unavailable()?;
        Ok(draft.answers.get("email").map(|email| Target {
            account_id: draft.answers.get("account_id").cloned(),
            email: email.clone(),
            signed_in: false,
            already_confirmed: false,
        }))
    }

    /// Creates the account with its confirmation and the e-mail carrying it, all or nothing.
    pub async fn create_with_confirmation(
        state: &AppState,
        new: &NewAccount,
        language: &str,
        now: i64,
    ) -> Result<String, CreateError> {
        let mut tx = state.db.begin_write().await?;
        let account_id = store::insert(&mut tx, new, now).await?;
        send_code(state, &mut tx, &account_id, &new.email, language, now).await?;
        tx.commit().await.map_err(|e| CreateError::Db(e.into()))?;
        Ok(account_id)
    }

    async fn send_code(
        state: &AppState,
        tx: &mut crate::platform::db::WriteTx,
        account_id: &str,
        email: &Email,
        language: &str,
        now: i64,
    ) -> Result<(), crate::platform::db::DbError> {
        let issued = verification::issue(tx, &state.secret, account_id, email, now).await?;
        let link = format!(
            "{}{LINK_PATH}/{}",
            state.config.public_url, issued.link_token
        );
        outbox::enqueue(
            tx,
            &Notification::email(messages::EMAIL_VERIFICATION, email.as_str(), language)
                .account(account_id)
                .params(serde_json::json!({ "code": issued.code, "link": link })),
            now,
        )
        .await?;
        Ok(())
    }

    /// A new code for an account (the old one dies).
    pub async fn resend(
        state: &AppState,
        account_id: &str,
        email: &str,
        language: &str,
        now: i64,
    ) -> Result<(), AppError> {
        let email = Email::parse(email).map_err(|_| AppError::internal("stored e-mail invalid"))?;
        let mut tx = state.db.begin_write().await.or_unavailable()?;
        send_code(state, &mut tx, account_id, &email, language, now)
            .await
            .or_unavailable()?;
        tx.commit().await.or_unavailable()
    }

    /// Remembers, under this browser's session, what it is confirming.
    pub async fn remember(
        state: &AppState,
        session: &SessionId,
        account_id: Option<&str>,
        email: &Email,
        now: i64,
    ) -> Result<(), AppError> {
        let mut draft = Draft::default();
        draft
            .answers
            .insert("email".into(), email.as_str().to_string());
        draft.answers.insert("sent_at".into(), now.to_string());
        if let Some(id) = account_id {
            draft.answers.insert("account_id".into(), id.to_string());
        }
        drafts::save(&state.db, session, DRAFT, &draft, now)
            .await
            .or_unavailable()
    }

    /// Holders hear about attempts on their address or number at most once an hour.
    const NOTICE_EVERY_SECS: i64 = 3600;

    async fn notify_holder(
        state: &AppState,
        account_id: &str,
        email: &str,
        what: &str,
        language: &str,
        now: i64,
    ) -> Result<(), AppError> {
        let (recent,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM outbox WHERE account_id = $1 AND template = $2 AND created_at > $3",
        )
        .bind(account_id)
        .bind(messages::REGISTRATION_ATTEMPT)
        .bind(now - NOTICE_EVERY_SECS)
        .fetch_one(state.db.pool())
        .await
        .or_unavailable()?;
        if recent > 0 {
            return Ok(());
        }
        let sign_in = format!(
            "{}{}",
            state.config.public_url,
            crate::features::accounts::sign_in::PATH
        );
        let mut tx = state.db.begin_write().await.or_unavailable()?;
        outbox::enqueue(
            &mut tx,
            &Notification::email(messages::REGISTRATION_ATTEMPT, email, language)
                .account(account_id)
                .params(serde_json::json!({ "what": what, "sign_in": sign_in })),
            now,
        )
        .await
        .or_unavailable()?;
        tx.commit().await.or_unavailable()
    }

    /// Tells the holder of `email` that someone tried to register with it.
    pub async fn tell_holder(
        state: &AppState,
        email: &Email,
        what: &str,
        language: &str,
        now: i64,
    ) -> Result<(), AppError> {
        if let Some(id) = store::id_by_email(&state.db, email)
            .await
            .or_unavailable()?
        {
            notify_holder(state, &id, email.as_str(), what, language, now).await?;
        }
        Ok(())
    }

    /// Tells the holder of the identity number in `new` that someone tried to register with it.
    pub async fn tell_holder_of_identity(
        state: &AppState,
        new: &NewAccount,
        language: &str,
        now: i64,
    ) -> Result<(), AppError> {
        if let Some((id, email)) = store::by_identity(&state.db, &new.identity)
            .await
            .or_unavailable()?
        {
            notify_holder(state, &id, &email, "identity", language, now).await?;
        }
        Ok(())
    }

    /// The code page's answer to a code typed. Without an account behind the page (the address
    /// was taken), wrong codes are counted in the draft so the page behaves the same.
    pub async fn check(
        state: &AppState,
        target: &Target,
        code: &str,
        now: i64,
    ) -> Result<Outcome, AppError> {
        match &target.account_id {
            Some(id) => verification::check_code(&state.db, &state.secret, id, code, now)
                .await
                .or_unavailable(),
            None => {
                let Some(session) = session::for_request() else {
                    return Ok(Outcome::Unknown);
                };
                let mut draft = drafts::load(&state.db, &session.id, DRAFT)
                    .await
                    .or_unavailable()?;
                let tries: i64 = draft
                    .answers
                    .get("wrong_tries")
                    .and_then(|t| t.parse().ok())
                    .unwrap_or(0);
                draft
                    .answers
                    .insert("wrong_tries".into(), (tries + 1).to_string());
                drafts::save(&state.db, &session.id, DRAFT, &draft, now)
                    .await
                    .or_unavailable()?;
                let left = verification::MAX_WRONG_TRIES - tries - 1;
                Ok(if left > 0 {
                    Outcome::Wrong { tries_left: left }
                } else {
                    Outcome::TooManyTries
                })
            }
        }
    }
}

#[server(endpoint = "account/verify-email/view")]
pub async fn load_verify() -> Result<VerifyView, AppError> {
    use crate::platform::{drafts, session, state::AppState};
    let state = expect_context::<AppState>();
    let Some(target) = server::target(&state).await? else {
        return Ok(VerifyView::default());
    };
    let problems = match session::for_request() {
        Some(s) => drafts::load(&state.db, &s.id, DRAFT)
            .await
            .or_unavailable()?
            .problems("code"),
        None => Vec::new(),
    };
    Ok(VerifyView {
        email: Some(target.email),
        signed_in: target.signed_in,
        already_confirmed: target.already_confirmed,
        problems,
    })
}

/// Keeps the problem of the last code typed (or resend asked) in this browser's draft, so
/// the page shows it with or without JavaScript.
#[cfg(feature = "ssr")]
async fn refuse(
    state: &crate::platform::state::AppState,
    code: &str,
    problem: String,
) -> Result<(), AppError> {
    use crate::domain::journey::Rejected;
    use crate::platform::{drafts, session};
    let id = session::ensure_for_request(state).await.or_unavailable()?;
    let mut draft = drafts::load(&state.db, &id, DRAFT).await.or_unavailable()?;
    draft.rejected = Some(Rejected {
        step: "code".into(),
        values: [("code".to_string(), code.to_string())].into(),
        problems: vec![("code".into(), problem)],
    });
    drafts::save(&state.db, &id, DRAFT, &draft, session::now_secs())
        .await
        .or_unavailable()?;
    leptos_axum::redirect(PATH);
    Ok(())
}

#[server(endpoint = "account/verify-email/code")]
pub async fn confirm_email(code: Option<String>) -> Result<(), AppError> {
    use super::{store, verification::Outcome};
    use crate::platform::{drafts, security, session, state::AppState};
    let state = expect_context::<AppState>();
    let code: String = crate::domain::digits::normalise_digits(&code.unwrap_or_default())
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    let Some(target) = server::target(&state).await? else {
        leptos_axum::redirect(PATH);
        return Ok(());
    };
    if code.is_empty() {
        return refuse(&state, &code, "code_missing".into()).await;
    }
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return refuse(&state, &code, "code_format".into()).await;
    }
    let now = session::now_secs();
    // A code used already confirmed the address: nothing more to do, and no error.
    let problem = match server::check(&state, &target, &code, now).await? {
        Outcome::Used => None,
        other => other.problem(),
    };
    if let Some(problem) = problem {
        return refuse(&state, &code, problem).await;
    }
    let Some(account_id) = target.account_id else {
        return Ok(());
    };
    let current = session::for_request();
    if let Some(current) = &current {
        drafts::discard(&state.db, &current.id, DRAFT)
            .await
            .or_unavailable()?;
    }
    let user_agent = security::user_agent();
    if !target.signed_in {
        // The code proves the address, and this browser chose the password moments ago.
        super::sign_in::start_session(&state, &account_id, now).await?;
    }
    store::record_event(
        &state.db,
        &account_id,
        "email_verified",
        user_agent.as_deref(),
        None,
        now,
    )
    .await
    .or_unavailable()?;
    leptos_axum::redirect(DONE_PATH);
    Ok(())
}

#[server(endpoint = "account/verify-email/resend")]
pub async fn resend_code() -> Result<(), AppError> {
    use super::verification;
    use crate::platform::{drafts, session, state::AppState};
    let state = expect_context::<AppState>();
    let Some(target) = server::target(&state).await? else {
        leptos_axum::redirect(PATH);
        return Ok(());
    };
    let now = session::now_secs();
    let language = crate::platform::request::language();
    let wait = match &target.account_id {
        Some(id) => verification::resend_wait(&state.db, id, now)
            .await
            .or_unavailable()?,
        None => {
            // No account behind the page: the same cooldown, counted in the draft.
            let sent_at = match session::for_request() {
                Some(s) => drafts::load(&state.db, &s.id, DRAFT)
                    .await
                    .or_unavailable()?
                    .answers
                    .get("sent_at")
                    .and_then(|t| t.parse::<i64>().ok())
                    .unwrap_or(0),
                None => 0,
            };
            (sent_at + verification::RESEND_COOLDOWN_SECS - now).max(0)
        }
    };
    if wait > 0 {
        return refuse(&state, "", format!("resend_wait:{wait}")).await;
    }
    match (&target.account_id, target.already_confirmed) {
        (_, true) => {}
        (Some(id), false) => server::resend(&state, id, &target.email, language, now).await?,
        (None, false) => {}
    }
    if let Some(s) = session::for_request() {
        let mut draft = drafts::load(&state.db, &s.id, DRAFT)
            .await
            .or_unavailable()?;
        draft.rejected = None;
        draft.answers.insert("sent_at".into(), now.to_string());
        draft.answers.remove("wrong_tries");
        drafts::save(&state.db, &s.id, DRAFT, &draft, now)
            .await
            .or_unavailable()?;
    }
    leptos_axum::redirect(&format!("{PATH}?sent=1"));
    Ok(())
}

/// The button on the page the e-mailed link opens.
#[server(endpoint = "account/verify-email/link")]
pub async fn confirm_link(token: String) -> Result<(), AppError> {
    use super::{
        store,
        verification::{self, Outcome},
    };
    use crate::platform::{session, state::AppState};
    let state = expect_context::<AppState>();
    let now = session::now_secs();
    let token = crate::domain::digits::link_token(&token);
    let (outcome, account) = verification::check_link(&state.db, &token, now)
        .await
        .or_unavailable()?;
    let target = match outcome {
        Outcome::Confirmed => {
            if let Some(account_id) = account {
                store::record_event(&state.db, &account_id, "email_verified", None, None, now)
                    .await
                    .or_unavailable()?;
            }
            DONE_PATH.to_string()
        }
        Outcome::Used => format!("{LINK_PATH}/problem/used"),
        Outcome::Expired => format!("{LINK_PATH}/problem/expired"),
        _ => format!("{LINK_PATH}/problem/unknown"),
    };
    leptos_axum::redirect(&target);
    Ok(())
}

/// `/account/verify-email`.
#[component]
pub fn VerifyPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let view = Resource::new(|| (), |_| load_verify());
    view! {
        <Suspense>
            {move || Suspend::new(async move {
                let locale = i18n.get_locale_untracked();
                let title = td_string!(locale, account.verify_title).to_string();
                let v = match view.await {
                    Err(_) => return view! { <ServiceProblem /> }.into_any(),
                    Ok(v) => v,
                };
                let Some(email) = v.email.clone() else {
                    return view! {
                        <PageTitle text=title.clone() />
                        <h1>{title}</h1>
                        <p>{t!(i18n, account.verify_nothing)}</p>
                        <p><a class="button" href=super::sign_in::PATH>{t!(i18n, account.sign_in_link)}</a></p>
                    }
                    .into_any();
                };
                if v.already_confirmed {
                    return view! { <Confirmed /> }.into_any();
                }
                let errors = super::field_errors(locale, &v.problems);
                let error = errors.first().map(|e| e.message.clone());
                let sent = query.read_untracked().get("sent").is_some() && errors.is_empty();
                let lead = if v.signed_in { td_string!(locale, account.verify_sent_account) } else { td_string!(locale, account.verify_sent_new) };
                view! {
                    <FormHeading title errors notice=sent.then(|| td_string!(locale, account.resent).to_string()) />
                    <p>{lead}</p>
                    <p class="lead"><bdi dir="ltr">{email}</bdi></p>
                    <p>{t!(i18n, account.verify_expiry)}</p>
                    <form method="post" action=ConfirmEmail::url() novalidate="">
                        <CodeField label=td_string!(locale, account.code) hint=td_string!(locale, account.code_hint) error />
                        <Button>{t!(i18n, account.confirm_button)}</Button>
                    </form>
                    <h2>{t!(i18n, account.resend_heading)}</h2>
                    <form method="post" action=ResendCode::url()>
                        <Button kind=ButtonKind::Secondary>{t!(i18n, account.resend_button)}</Button>
                    </form>
                }
                .into_any()
            })}
        </Suspense>
    }
}

#[component]
fn Confirmed() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <PageTitle text=td_string!(i18n.get_locale_untracked(), account.verified_title).to_string() />
        <div class="panel panel--success">
            <h1>{t!(i18n, account.verified_title)}</h1>
        </div>
        <p>{t!(i18n, account.verified_body)}</p>
        <p><a class="button" href="/">{t!(i18n, portal_name)}</a></p>
    }
}

/// `/account/verify-email/done`.
#[component]
pub fn DonePage() -> impl IntoView {
    view! { <Confirmed /> }
}

/// `/account/verify-email/link/{token}`: one button, which posts the token.
#[component]
pub fn LinkPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let token = params.read_untracked().get("token").unwrap_or_default();
    view! {
        <PageHeading title=td_string!(i18n.get_locale_untracked(), account.verify_title) />
        <p>{t!(i18n, account.link_body)}</p>
        <form method="post" action=ConfirmLink::url()>
            <input type="hidden" name="token" value=token />
            <Button>{t!(i18n, account.confirm_button)}</Button>
        </form>
    }
}

/// `/account/verify-email/link/problem/{reason}`.
#[component]
pub fn LinkProblemPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let reason = params.read_untracked().get("reason").unwrap_or_default();
    let locale = i18n.get_locale_untracked();
    let text = match reason.as_str() {
        "used" => td_string!(locale, account.link_used),
        "expired" => td_string!(locale, account.link_expired),
        _ => td_string!(locale, account.link_unknown),
    };
    view! {
        <PageHeading title=td_string!(locale, account.verify_title) />
        <p>{text}</p>
        <p><a class="button" href=super::sign_in::PATH>{t!(i18n, account.sign_in_link)}</a></p>
    }
}
