//! `/account/two-step/sms`: setting up codes by text message (the code sent to the mobile, a
//! new one on request).

use super::*;
#[cfg(feature = "ssr")]
use crate::error::OrUnavailable;
use crate::features::accounts::CodeField;
use crate::ui::form::FormHeading;
use crate::{
    domain::journey::Draft,
    error::AppError,
    ui::form::{Button, ButtonKind},
    ui::problem::ServiceProblem,
};
use leptos::server_fn::ServerFn;

/// A new SMS code while setting up the SMS step.
#[server(endpoint = "account/two-step/sms/resend")]
pub async fn resend_setup_sms() -> Result<(), AppError> {
    use crate::platform::{session, state::AppState};
    let state = expect_context::<AppState>();
    let account_id = crate::platform::request::owner("two-step settings")?;
    let now = session::now_secs();
    if server::resend_refused(&state, &account_id, DRAFT, SMS_PATH, now).await? {
        return Ok(());
    }
    server::send_sms_code_to_account(&state, &account_id, now).await?;
    server::clear(&state, DRAFT).await?;
    leptos_axum::redirect(&format!("{SMS_PATH}?sent=1"));
    Ok(())
}

#[server(endpoint = "account/two-step/sms/view")]
pub async fn load_sms_setup() -> Result<Option<(String, Draft)>, AppError> {
    use crate::features::accounts::{second_factor, store};
    use crate::platform::state::AppState;
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
                let errors = crate::features::accounts::field_errors(locale, &draft.problems("code"));
                let title = td_string!(locale, account.two_step_sms_title).to_string();
                let error = errors.first().map(|e| e.message.clone());
                let sent = query.read_untracked().get("sent").is_some();
                view! {
                    <FormHeading title errors notice=sent.then(|| td_string!(locale, account.two_step_sms_resent).to_string()) />
                    <p>{t!(i18n, account.two_step_sms_sent)} " " <bdi dir="ltr">{mobile}</bdi></p>
                    <form method="post" action=ConfirmTwoStep::url() novalidate="">
                        <CodeField label=td_string!(locale, account.two_step_sms_code) error value=draft.shown("code", "code") />
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
