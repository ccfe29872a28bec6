//! `/account/two-step/codes`: the recovery codes, shown once, and ten new ones on request.

use super::*;
#[cfg(feature = "ssr")]
use crate::error::OrUnavailable;
use crate::ui::form::PageTitle;
use crate::{error::AppError, ui::form::Button};
use leptos::server_fn::ServerFn;

/// The recovery codes just made, shown once.
#[server(endpoint = "account/two-step/codes/view")]
pub async fn load_recovery_codes() -> Result<Vec<String>, AppError> {
    use crate::features::accounts::second_factor;
    use crate::platform::{drafts, session, state::AppState};
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
    use crate::platform::state::AppState;
    let state = expect_context::<AppState>();
    crate::platform::request::owner("two-step settings")?;
    server::clear(&state, server::CODES).await?;
    leptos_axum::redirect(&format!("{PATH}?done=1"));
    Ok(())
}

/// Ten new recovery codes (the old ones stop working); asks for the password.
#[server(endpoint = "account/two-step/codes/new")]
pub async fn renew_recovery_codes(password: Option<String>) -> Result<(), AppError> {
    use crate::features::accounts::{second_factor, sign_in::Reconfirmed};
    use crate::platform::{session, state::AppState};
    let state = expect_context::<AppState>();
    let account_id = crate::platform::request::owner("two-step settings")?;
    let now = session::now_secs();
    match crate::features::accounts::sign_in::reconfirm_password(&state, &account_id, password)
        .await?
    {
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

/// `/account/two-step/codes`: the recovery codes, once.
#[component]
pub fn RecoveryCodesPage() -> impl IntoView {
    let i18n = use_i18n();
    crate::ui::problem::loaded(load_recovery_codes, move |codes| {
        let locale = i18n.get_locale_untracked();
        if codes.is_empty() {
            return view! { <NothingToSetUp /> }.into_any();
        }
        let title = td_string!(locale, account.two_step_codes_title).to_string();
        view! {
            <PageTitle text=title.clone() />
            <h1>{title}</h1>
            <p>{t!(i18n, account.two_step_codes_body)}</p>
            <ul class="recovery-codes" dir="ltr" translate="no">
                {codes.into_iter().map(|c| view! { <li><code>{c}</code></li> }).collect_view()}
            </ul>
            <p>{t!(i18n, account.two_step_codes_warning)}</p>
            <form method="post" action=FinishRecoveryCodes::url()>
                <Button>{t!(i18n, account.two_step_codes_done)}</Button>
            </form>
        }
        .into_any()
    })
}
