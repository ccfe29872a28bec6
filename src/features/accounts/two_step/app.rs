//! `/account/two-step/app`: setting up an authenticator app (the QR code, the key to type
//! instead, the first code).

use super::*;
#[cfg(feature = "ssr")]
use crate::error::OrUnavailable;
use crate::features::accounts::CodeField;
use crate::ui::form::FormHeading;
use crate::{error::AppError, ui::form::Button, ui::problem::ServiceProblem};
use leptos::server_fn::ServerFn;
use serde::{Deserialize, Serialize};

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

#[server(endpoint = "account/two-step/app/view")]
pub async fn load_app_setup() -> Result<Option<AppSetup>, AppError> {
    use crate::features::accounts::{second_factor, store};
    use crate::platform::state::AppState;
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
                let errors = crate::features::accounts::field_errors(locale, &setup.problems);
                let title = td_string!(locale, account.two_step_app_title).to_string();
                let error = errors.first().map(|e| e.message.clone());
                view! {
                    <FormHeading title errors />
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
                        <CodeField label=td_string!(locale, account.two_step_app_code) error value=setup.typed />
                        <Button>{t!(i18n, account.two_step_confirm_button)}</Button>
                    </form>
                    <p><a href=PATH>{t!(i18n, account.two_step_cancel)}</a></p>
                }.into_any()
            })}
        </Suspense>
    }
}
