//! Two-step sign-in: turning it on (authenticator app with a QR code, or SMS), the recovery
//! codes shown once, turning it off, and the second page of signing in. The rules and storage
//! are in `second_factor`; this module is the pages and their thin server functions, one file
//! per page (the settings page here), and `server` for what they share.
//!
//! Between the password and the second step, the browser is not signed in: a draft under its
//! (anonymous) session names the account waiting for its code, for at most ten minutes.

#[cfg(feature = "ssr")]
use crate::error::OrUnavailable;
use crate::features::accounts::PasswordField;
use crate::ui::form::FormHeading;
use crate::ui::form::PageHeading;
use crate::{
    domain::account::SecondStepKind,
    error::AppError,
    i18n::*,
    ui::form::{Button, ButtonKind, InputKind, TextField},
};
use leptos::{prelude::*, server_fn::ServerFn};
use serde::{Deserialize, Serialize};

pub mod app;
pub mod codes;
pub mod second_step;
#[cfg(feature = "ssr")]
pub mod server;
pub mod sms;

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
    /// `None` while off.
    pub kind: Option<SecondStepKind>,
    pub recovery_left: i64,
    /// Officers and administrators cannot turn it off, and must turn it on.
    pub required: bool,
    pub mobile: String,
    pub problems: Vec<(String, String)>,
}

#[server(endpoint = "account/two-step/view")]
pub async fn load_two_step() -> Result<TwoStepView, AppError> {
    use super::{second_factor, store};
    use crate::platform::state::AppState;
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
        kind,
        recovery_left,
        required: account.role.needs_second_step(),
        mobile: crate::domain::contact::masked_mobile(&account.mobile),
        problems: server::problems(&state, DRAFT, "password")
            .await
            .problems("password"),
    })
}

/// "Use an authenticator app" / "Use text messages": starts the set-up.
#[server(endpoint = "account/two-step/start")]
pub async fn start_two_step(kind: String) -> Result<(), AppError> {
    use super::second_factor;
    use crate::platform::{session, state::AppState};
    let state = expect_context::<AppState>();
    let account_id = crate::platform::request::owner("two-step settings")?;
    let now = session::now_secs();
    // The two buttons send "totp" or "sms"; anything else is the app, the default choice.
    let kind = SecondStepKind::from_code(&kind).unwrap_or(SecondStepKind::Totp);
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
        server::send_sms_code_to_account(&state, &account_id, now).await?;
        leptos_axum::redirect(SMS_PATH);
    } else {
        leptos_axum::redirect(APP_PATH);
    }
    Ok(())
}

/// The first code from the app (or the SMS) proves the set-up works: the step is now on.
#[server(endpoint = "account/two-step/confirm")]
pub async fn confirm_two_step(code: Option<String>) -> Result<(), AppError> {
    use super::second_factor::{self, Kind};
    use crate::platform::{session, state::AppState};
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
        second_factor::check_sms(&state.db, &state.secret, &account_id, &code, now)
            .await
            .or_unavailable()?
            .problem()
    };
    if let Some(problem) = problem {
        return server::refuse(&state, DRAFT, "code", &code, problem, back).await;
    }
    server::turn_on(&state, &account_id, now).await
}

/// Turns the second step off (citizens only); asks for the password.
#[server(endpoint = "account/two-step/off")]
pub async fn turn_off_two_step(password: Option<String>) -> Result<(), AppError> {
    use super::{second_factor, sign_in::Reconfirmed, store};
    use crate::platform::{session, state::AppState};
    let state = expect_context::<AppState>();
    let account_id = crate::platform::request::owner("two-step settings")?;
    let now = session::now_secs();
    let role = store::by_id(&state.db, &account_id)
        .await
        .or_unavailable()?
        .map(|a| a.role)
        .unwrap_or(crate::domain::account::Role::Citizen);
    if role.needs_second_step() {
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

/// `/account/two-step`.
#[component]
pub fn TwoStepPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = leptos_router::hooks::use_query_map();
    crate::ui::problem::loaded(load_two_step, move |v| {
        let locale = i18n.get_locale_untracked();
        let errors = super::field_errors(locale, &v.problems);
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
        let password = move |error: Option<String>| {
            view! {
                <PasswordField error />
            }
        };
        let body = match v.kind {
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
                let how = if kind == SecondStepKind::Totp { td_string!(locale, account.two_step_is_app) } else { td_string!(locale, account.two_step_is_sms) };
                view! {
                    <p>{how}</p>
                    <p>{td_string!(locale, account.two_step_codes_left, count = v.recovery_left).to_string()}</p>
                    <h2>{t!(i18n, account.two_step_renew_heading)}</h2>
                    <form method="post" action=codes::RenewRecoveryCodes::url() novalidate="">
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
                                kind=InputKind::CURRENT_PASSWORD
                            />
                            <Button kind=ButtonKind::Warning>{t!(i18n, account.two_step_off_button)}</Button>
                        </form>
                    })}
                }.into_any()
            }
        };
        view! {
            <FormHeading title errors notice=notice.map(|n| n.to_string()) />
            {body}
            <p><a href=super::profile::PATH>{t!(i18n, account.back_to_account)}</a></p>
        }
        .into_any()
    })
}

#[component]
fn NothingToSetUp() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <PageHeading title=td_string!(i18n.get_locale_untracked(), account.two_step_title) />
        <p>{t!(i18n, account.two_step_nothing)}</p>
        <p><a href=PATH>{t!(i18n, account.two_step_title)}</a></p>
    }
}
