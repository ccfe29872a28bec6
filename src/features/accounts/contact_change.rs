//! Changing the e-mail address or the mobile number: the password first, then a code sent to
//! the new one proves it is the holder's; only then does it replace the old one, and the old
//! one is told (an e-mail to the old address; an SMS to the old number).
//!
//! An address another account uses gets the same pages (a code is "sent"; none is): the form
//! does not tell anyone which addresses have accounts.

#[cfg(feature = "ssr")]
use crate::error::OrUnavailable;
use crate::features::accounts::{CodeField, PasswordField};
use crate::ui::form::FormHeading;
use crate::{
    error::AppError,
    i18n::*,
    ui::form::{Button, InputKind, TextField},
};
use leptos::{prelude::*, server_fn::ServerFn};
use serde::{Deserialize, Serialize};

pub const EMAIL_PATH: &str = "/account/change-email";
pub const EMAIL_CODE_PATH: &str = "/account/change-email/code";
pub const MOBILE_PATH: &str = "/account/change-mobile";
pub const MOBILE_CODE_PATH: &str = "/account/change-mobile/code";

/// Which contact is being changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum What {
    Email,
    Mobile,
}

// The pages only link; the server functions use the rest.
#[cfg_attr(not(feature = "ssr"), allow(dead_code))]
impl What {
    fn draft(self) -> &'static str {
        match self {
            What::Email => "change-email",
            What::Mobile => "change-mobile",
        }
    }
    fn form_path(self) -> &'static str {
        match self {
            What::Email => EMAIL_PATH,
            What::Mobile => MOBILE_PATH,
        }
    }
    fn code_path(self) -> &'static str {
        match self {
            What::Email => EMAIL_CODE_PATH,
            What::Mobile => MOBILE_CODE_PATH,
        }
    }
}

/// What a change page shows.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeView {
    /// The new address or number the code went to (code page), or the current one (form page).
    pub value: String,
    pub typed: String,
    pub problems: Vec<(String, String)>,
}

#[cfg(feature = "ssr")]
mod server {
    use super::What;
    use crate::error::OrUnavailable;
    use crate::{
        domain::journey::{Draft, Rejected},
        error::AppError,
        platform::{drafts, session, state::AppState},
    };

    pub async fn load(state: &AppState, what: What) -> Result<Draft, AppError> {
        match session::for_request() {
            Some(s) => drafts::load(&state.db, &s.id, what.draft())
                .await
                .or_unavailable(),
            None => Ok(Draft::default()),
        }
    }

    pub async fn save(state: &AppState, what: What, draft: &Draft) -> Result<(), AppError> {
        let s = session::for_request().ok_or_else(|| AppError::internal("no session"))?;
        drafts::save(&state.db, &s.id, what.draft(), draft, session::now_secs())
            .await
            .or_unavailable()
    }

    /// Keeps the problem (and what was typed, never a password) and goes back to `to`.
    pub async fn refuse(
        state: &AppState,
        what: What,
        field: &str,
        typed: &str,
        problem: &str,
        to: &str,
    ) -> Result<(), AppError> {
        let mut draft = load(state, what).await?;
        draft.rejected = Some(Rejected {
            step: to.into(),
            values: [(field.to_string(), typed.to_string())].into(),
            problems: vec![(field.into(), problem.into())],
        });
        save(state, what, &draft).await?;
        leptos_axum::redirect(to);
        Ok(())
    }
}

#[server(endpoint = "account/change/view")]
pub async fn load_change(what: What, code_page: bool) -> Result<ChangeView, AppError> {
    use super::store;
    use crate::platform::state::AppState;
    let state = expect_context::<AppState>();
    let Some(account_id) = crate::platform::request::account() else {
        return Ok(ChangeView::default());
    };
    let draft = server::load(&state, what).await?;
    let step = if code_page {
        what.code_path()
    } else {
        what.form_path()
    };
    let field = if code_page {
        "code"
    } else {
        match what {
            What::Email => "email",
            What::Mobile => "mobile",
        }
    };
    let value = if code_page {
        draft.answers.get("new").cloned().unwrap_or_default()
    } else {
        let account = store::by_id(&state.db, &account_id)
            .await
            .or_unavailable()?;
        account
            .map(|a| match what {
                What::Email => a.email,
                What::Mobile => a.mobile,
            })
            .unwrap_or_default()
    };
    Ok(ChangeView {
        value,
        typed: draft.shown(step, field),
        problems: draft.problems(step),
    })
}

/// The new address or number and the password: sends a code to the new one.
#[server(endpoint = "account/change/start")]
pub async fn start_change(
    what: What,
    new: Option<String>,
    password: Option<String>,
) -> Result<(), AppError> {
    use super::{second_factor, store, verification};
    use crate::{
        domain::{
            contact::{Email, Mobile},
            journey::Draft,
        },
        platform::{session, state::AppState},
    };
    let state = expect_context::<AppState>();
    let account_id = crate::platform::request::owner("account settings")?;
    let account = store::by_id(&state.db, &account_id)
        .await
        .or_unavailable()?
        .ok_or_else(|| AppError::internal("account gone"))?;
    let typed = new.unwrap_or_default();
    let field = match what {
        What::Email => "email",
        What::Mobile => "mobile",
    };
    let back = what.form_path();
    // Normalised value, and whether it is the current one.
    let parsed: Result<(String, bool), &'static str> = match what {
        What::Email => Email::parse(&typed)
            .map(|e| {
                let v = e.as_str().to_string();
                let same = v == account.email;
                (v, same)
            })
            .map_err(|p| p.code()),
        What::Mobile => Mobile::parse(&typed)
            .map(|m| {
                let v = m.as_str().to_string();
                let same = v == account.mobile;
                (v, same)
            })
            .map_err(|p| p.code()),
    };
    let (value, same) = match parsed {
        Ok(v) => v,
        Err(code) => return server::refuse(&state, what, field, &typed, code, back).await,
    };
    if same {
        return server::refuse(&state, what, field, &typed, "contact_same", back).await;
    }
    match super::sign_in::reconfirm_password(&state, &account_id, password).await? {
        super::sign_in::Reconfirmed::Right => {}
        super::sign_in::Reconfirmed::SignedOut => return Ok(()),
        refused => {
            return server::refuse(&state, what, "password", "", &refused.problem(), back).await;
        }
    }
    let now = session::now_secs();
    let wait = match what {
        What::Email => verification::resend_wait(&state.db, &account_id, now).await,
        What::Mobile => second_factor::sms_resend_wait(&state.db, &account_id, now).await,
    }
    .or_unavailable()?;
    if wait > 0 {
        let problem = format!("resend_wait:{wait}");
        return server::refuse(&state, what, field, &typed, &problem, back).await;
    }
    let language = crate::platform::request::language();
    match what {
        What::Email => {
            let email = Email::parse(&value).map_err(|_| AppError::internal("parsed twice"))?;
            if store::id_by_email(&state.db, &email)
                .await
                .or_unavailable()?
                .is_some()
            {
                // Taken: a confirmation nobody receives, so the pages look the same and every
                // code typed is wrong.
                let mut tx = state.db.begin_write().await.or_unavailable()?;
                verification::issue(&mut tx, &state.secret, &account_id, &email, now)
                    .await
                    .or_unavailable()?;
                tx.commit().await.or_unavailable()?;
            } else {
                super::verify::server::resend(&state, &account_id, &value, language, now).await?;
            }
        }
        What::Mobile => {
            super::two_step::server::send_sms_code(&state, &account_id, &value, now).await?;
        }
    }
    let mut draft = Draft::default();
    draft.answers.insert("new".into(), value);
    server::save(&state, what, &draft).await?;
    leptos_axum::redirect(what.code_path());
    Ok(())
}

/// The code from the new address or number: the change is made, the old one told.
#[server(endpoint = "account/change/confirm")]
pub async fn confirm_change(what: What, code: Option<String>) -> Result<(), AppError> {
    use super::{
        messages,
        second_factor::{self},
        store,
        verification::{self},
    };
    use crate::platform::{
        outbox::{self, Channel, Notification},
        session,
        state::AppState,
    };
    let state = expect_context::<AppState>();
    let account_id = crate::platform::request::owner("account settings")?;
    let draft = server::load(&state, what).await?;
    let Some(new) = draft.answers.get("new").cloned() else {
        leptos_axum::redirect(what.form_path());
        return Ok(());
    };
    let back = what.code_path();
    let code = crate::domain::digits::clean_code(&code.unwrap_or_default());
    if code.is_empty() {
        return server::refuse(&state, what, "code", &code, "code_missing", back).await;
    }
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return server::refuse(&state, what, "code", &code, "code_format", back).await;
    }
    let old = store::by_id(&state.db, &account_id)
        .await
        .or_unavailable()?
        .ok_or_else(|| AppError::internal("account gone"))?;
    let now = session::now_secs();
    let problem = match what {
        What::Email => verification::check_code(&state.db, &state.secret, &account_id, &code, now)
            .await
            .or_unavailable()?
            .problem(),
        What::Mobile => second_factor::check_sms(&state.db, &state.secret, &account_id, &code, now)
            .await
            .or_unavailable()?
            .problem(),
    };
    if let Some(problem) = problem {
        return server::refuse(&state, what, "code", &code, &problem, back).await;
    }
    // The e-mail check above already wrote the new address (with its confirmation); the mobile
    // is written here, with the notices to the old contact, in one transaction.
    let mut tx = state.db.begin_write().await.or_unavailable()?;
    let (kind, template) = match what {
        What::Email => ("email_changed", messages::EMAIL_CHANGED),
        What::Mobile => {
            sqlx::query("UPDATE accounts SET mobile = $2, updated_at = $3 WHERE id = $1")
                .bind(&account_id)
                .bind(&new)
                .bind(now)
                .execute(&mut *tx)
                .await
                .or_unavailable()?;
            ("mobile_changed", messages::MOBILE_CHANGED)
        }
    };
    let masked = match what {
        What::Email => crate::domain::contact::masked_email(&new),
        What::Mobile => crate::domain::contact::masked_mobile(&new),
    };
    let language = crate::platform::request::language();
    // To the old address always (security messages go by e-mail); to the old number too.
    let mut notices = vec![(Channel::Email, old.email.clone(), template)];
    if what == What::Mobile {
        notices.push((
            Channel::Sms,
            old.mobile.clone(),
            messages::MOBILE_CHANGED_SMS,
        ));
    }
    for (channel, recipient, template) in notices {
        outbox::enqueue(
            &mut tx,
            &Notification::new(channel, template, &recipient, language)
                .account(&account_id)
                .params(serde_json::json!({ "new": masked })),
            now,
        )
        .await
        .or_unavailable()?;
    }
    tx.commit().await.or_unavailable()?;
    crate::features::accounts::record_here(&state, &account_id, kind, now).await?;
    if let Some(s) = session::for_request() {
        crate::platform::drafts::discard(&state.db, &s.id, what.draft())
            .await
            .or_unavailable()?;
    }
    let changed = match what {
        What::Email => "email",
        What::Mobile => "mobile",
    };
    leptos_axum::redirect(&format!("{}?changed={changed}", super::profile::PATH));
    Ok(())
}

#[component]
fn ChangeForm(what: What) -> impl IntoView {
    let i18n = use_i18n();
    crate::ui::problem::loaded(
        move || load_change(what, false),
        move |v| {
            let locale = i18n.get_locale_untracked();
            let errors = super::field_errors(locale, &v.problems);
            let error_for = |field: &str| {
                errors
                    .iter()
                    .find(|e| e.field_id == field)
                    .map(|e| e.message.clone())
            };
            let (title, field, label, kind) = match what {
                What::Email => (
                    td_string!(locale, account.change_email_title),
                    "email",
                    td_string!(locale, account.change_email_new),
                    InputKind::EMAIL,
                ),
                What::Mobile => (
                    td_string!(locale, account.change_mobile_title),
                    "mobile",
                    td_string!(locale, account.change_mobile_new),
                    InputKind::PHONE,
                ),
            };
            let (field_error, password_error) = (error_for(field), error_for("password"));
            view! {
            <FormHeading title=title errors=errors.clone() />
            <p>{t!(i18n, account.change_current)} " " <bdi dir="ltr">{v.value}</bdi></p>
            <p>{t!(i18n, account.change_lead)}</p>
            <form method="post" action=StartChange::url() novalidate="">
                <input type="hidden" name="what" value=format!("{what:?}") />
                <TextField id=field name="new" label=label.to_string() error=field_error value=v.typed kind=kind />
                <PasswordField error=password_error />
                <Button>{t!(i18n, account.change_send_code)}</Button>
            </form>
            <p><a href=super::profile::PATH>{t!(i18n, account.back_to_account)}</a></p>
        }.into_any()
        },
    )
}

#[component]
fn CodeForm(what: What) -> impl IntoView {
    let i18n = use_i18n();
    crate::ui::problem::loaded(
        move || load_change(what, true),
        move |v| {
            let locale = i18n.get_locale_untracked();
            let errors = super::field_errors(locale, &v.problems);
            let error = errors.first().map(|e| e.message.clone());
            let title = td_string!(locale, account.change_code_title).to_string();
            view! {
                <FormHeading title errors />
                <p>{t!(i18n, account.change_code_sent)} " " <bdi dir="ltr">{v.value}</bdi></p>
                <form method="post" action=ConfirmChange::url() novalidate="">
                    <input type="hidden" name="what" value=format!("{what:?}") />
                    <CodeField label=td_string!(locale, account.code) error value=v.typed />
                    <Button>{t!(i18n, account.change_confirm)}</Button>
                </form>
                <p><a href=what.form_path()>{t!(i18n, account.change_start_again)}</a></p>
            }
            .into_any()
        },
    )
}

/// `/account/change-email`.
#[component]
pub fn ChangeEmailPage() -> impl IntoView {
    view! { <ChangeForm what=What::Email /> }
}

/// `/account/change-email/code`.
#[component]
pub fn ChangeEmailCodePage() -> impl IntoView {
    view! { <CodeForm what=What::Email /> }
}

/// `/account/change-mobile`.
#[component]
pub fn ChangeMobilePage() -> impl IntoView {
    view! { <ChangeForm what=What::Mobile /> }
}

/// `/account/change-mobile/code`.
#[component]
pub fn ChangeMobileCodePage() -> impl IntoView {
    view! { <CodeForm what=What::Mobile /> }
}
