//! `/sign-in/second-step`: the second page of signing in (the code from the app or the SMS,
//! or a recovery code). Until it is passed the browser is not signed in.

use super::*;
#[cfg(feature = "ssr")]
use crate::error::OrUnavailable;
use crate::features::accounts::CodeField;
use crate::ui::form::FormHeading;
use crate::ui::form::PageTitle;
use crate::{
    domain::account::SecondStepKind,
    error::AppError,
    ui::form::{Button, ButtonKind, InputKind},
};
use leptos::server_fn::ServerFn;
use serde::{Deserialize, Serialize};

/// The second page of signing in.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecondStepView {
    /// `None`: nothing is waiting (expired, or never started).
    pub kind: Option<SecondStepKind>,
    pub mobile: String,
    pub next: String,
    pub problems: Vec<(String, String)>,
}

#[server(endpoint = "sign-in/second-step/view")]
pub async fn load_second_step() -> Result<SecondStepView, AppError> {
    use crate::features::accounts::{second_factor, store};
    use crate::platform::{session, state::AppState};
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
        kind,
        mobile,
        next,
        problems: server::pending_problems(&state).await,
    })
}

/// The code from the app or the SMS, or a recovery code: signs the browser in. Wrong codes
/// count towards the same lockout as wrong passwords.
#[server(endpoint = "sign-in/second-step")]
pub async fn second_step(code: Option<String>) -> Result<(), AppError> {
    use crate::features::accounts::second_factor::{self, Kind, SmsOutcome};
    use crate::platform::{security, session, state::AppState, throttle};
    let state = expect_context::<AppState>();
    let now = session::now_secs();
    let typed = code.unwrap_or_default();
    let Some((account_id, next)) = server::pending(&state, now).await? else {
        leptos_axum::redirect(&format!(
            "{}?expired=1",
            crate::features::accounts::sign_in::PATH
        ));
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
        crate::features::accounts::sign_in::PER_IP,
        now,
    )
    .await
    .or_unavailable()?
    {
        return refuse(format!("rate_limited:{wait}")).await;
    }
    let key =
        crate::features::accounts::lock_pass::server::lock_key(&state, &account_id, now).await?;
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
        let lock = throttle::fail(
            &state.db,
            &key,
            crate::features::accounts::sign_in::LOCKOUT,
            now,
        )
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
    let target =
        crate::features::accounts::sign_in::complete(&state, &account_id, Some(&next), now).await?;
    leptos_axum::redirect(&target);
    Ok(())
}

/// A new SMS code on the second page of signing in.
#[server(endpoint = "sign-in/second-step/resend")]
pub async fn resend_second_step_sms() -> Result<(), AppError> {
    use crate::features::accounts::second_factor;
    use crate::platform::{session, state::AppState};
    let state = expect_context::<AppState>();
    let now = session::now_secs();
    let Some((account_id, _)) = server::pending(&state, now).await? else {
        leptos_axum::redirect(crate::features::accounts::sign_in::PATH);
        return Ok(());
    };
    if server::resend_refused(
        &state,
        &account_id,
        server::PENDING_DRAFT,
        SIGN_IN_STEP_PATH,
        now,
    )
    .await?
    {
        return Ok(());
    }
    if second_factor::confirmed(&state.db, &account_id)
        .await
        .or_unavailable()?
        == Some(second_factor::Kind::Sms)
    {
        server::send_sms_code_to_account(&state, &account_id, now).await?;
    }
    leptos_axum::redirect(&format!("{SIGN_IN_STEP_PATH}?sent=1"));
    Ok(())
}

/// `/sign-in/second-step`.
#[component]
pub fn SecondStepPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = leptos_router::hooks::use_query_map();
    crate::ui::problem::loaded(load_second_step, move |v| {
        let locale = i18n.get_locale_untracked();
        let title = td_string!(locale, account.second_step_title).to_string();
        let Some(kind) = v.kind else {
            return view! {
                <PageTitle text=title.clone() />
                <h1>{title}</h1>
                <p>{t!(i18n, account.second_step_none)}</p>
                <p><a class="button" href=crate::features::accounts::sign_in::PATH>{t!(i18n, account.sign_in_link)}</a></p>
            }.into_any();
        };
        let errors = crate::features::accounts::field_errors(locale, &v.problems);
        let error = errors.first().map(|e| e.message.clone());
        let sms = kind == SecondStepKind::Sms;
        let sent = query.read_untracked().get("sent").is_some();
        let (intro, label) = if sms {
            (
                td_string!(locale, account.second_step_sms),
                td_string!(locale, account.two_step_sms_code),
            )
        } else {
            (
                td_string!(locale, account.second_step_app),
                td_string!(locale, account.two_step_app_code),
            )
        };
        view! {
            <FormHeading title errors notice=sent.then(|| td_string!(locale, account.two_step_sms_resent).to_string()) />
            <p>{intro} {sms.then(|| view! { " " <bdi dir="ltr">{v.mobile.clone()}</bdi> })}</p>
            <form method="post" action=SecondStep::url() novalidate="">
                <CodeField label=label hint=td_string!(locale, account.second_step_recovery_hint) error kind=RECOVERY_OR_APP_CODE />
                <Button>{t!(i18n, account.sign_in_button)}</Button>
            </form>
            {sms.then(|| view! {
                <form method="post" action=ResendSecondStepSms::url()>
                    <Button kind=ButtonKind::Secondary>{t!(i18n, account.two_step_sms_resend)}</Button>
                </form>
            })}
        }.into_any()
    })
}

/// A code from the app or the SMS, or a recovery code (letters too: the full keyboard).
const RECOVERY_OR_APP_CODE: InputKind = InputKind {
    inputmode: None,
    ..InputKind::ONE_TIME_CODE
};
