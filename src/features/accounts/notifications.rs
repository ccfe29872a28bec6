//! `/account/notifications`: how the holder wants non-essential messages (reminders, copies of
//! receipts): e-mail, SMS or both; and whether to be reminded of vignette campaigns. Security messages (codes, changes to the account) always go
//! by e-mail and are not affected. Services enqueue such messages with `enqueue_chosen`, which
//! reads the choice in the same transaction as the event.

#[cfg(feature = "ssr")]
use crate::error::OrUnavailable;
use crate::ui::form::PageTitle;
use crate::{
    error::AppError,
    i18n::*,
    ui::form::{Button, Legend},
};
use leptos::{prelude::*, server_fn::ServerFn};

pub const PATH: &str = "/account/notifications";

/// The stored choices, in the order the page offers them.
pub const CHOICES: [&str; 3] = ["email", "sms", "both"];

/// Which channels a choice means (an unknown value falls back to e-mail).
pub fn channels_of(choice: &str) -> (bool, bool) {
    match choice {
        "sms" => (false, true),
        "both" => (true, true),
        _ => (true, false),
    }
}

/// The account's channel choice and whether it wants vignette reminders.
#[server(endpoint = "account/notifications/view")]
pub async fn load_choice() -> Result<Option<(String, bool)>, AppError> {
    use crate::platform::state::AppState;
    let state = expect_context::<AppState>();
    let Some(account_id) = crate::platform::request::account() else {
        return Ok(None);
    };
    let row: Option<(String, i64)> =
        sqlx::query_as("SELECT notify_by, vignette_reminders FROM accounts WHERE id = $1")
            .bind(account_id)
            .fetch_optional(state.db.pool())
            .await
            .or_unavailable()?;
    Ok(row.map(|(c, r)| (c, r == 1)))
}

#[server(endpoint = "account/notifications")]
pub async fn save_choice(
    notify_by: Option<String>,
    vignette_reminders: Option<String>,
) -> Result<(), AppError> {
    use crate::platform::{session, state::AppState};
    let state = expect_context::<AppState>();
    let account_id = crate::platform::request::owner("account settings")?;
    let choice = notify_by.unwrap_or_default();
    // The radios always send one of the three; anything else keeps what was there.
    if CHOICES.contains(&choice.as_str()) {
        sqlx::query("UPDATE accounts SET notify_by = $2, updated_at = $3 WHERE id = $1")
            .bind(&account_id)
            .bind(&choice)
            .bind(session::now_secs())
            .execute(state.db.writer())
            .await
            .or_unavailable()?;
    }
    // A checkbox left unticked sends nothing.
    super::store::set_reminders(&state.db, &account_id, vignette_reminders.is_some())
        .await
        .or_unavailable()?;
    leptos_axum::redirect(&format!("{PATH}?saved=1"));
    Ok(())
}

/// Enqueues a non-essential message for an account by the channels it chose, in the caller's
/// transaction: `email_template` to its address, `sms_template` to its mobile.
#[cfg(feature = "ssr")]
pub async fn enqueue_chosen(
    conn: &mut sqlx::AnyConnection,
    account_id: &str,
    email_template: &str,
    sms_template: &str,
    language: &str,
    params: serde_json::Value,
    now: i64,
) -> Result<(), crate::platform::db::DbError> {
    use crate::platform::outbox::{self, Channel, Notification};
    let row: Option<(String, String, String)> =
        sqlx::query_as("SELECT email, mobile, notify_by FROM accounts WHERE id = $1")
            .bind(account_id)
            .fetch_optional(&mut *conn)
            .await?;
    let Some((email, mobile, choice)) = row else {
        return Ok(());
    };
    let (by_email, by_sms) = channels_of(&choice);
    let sends = [
        (by_email, Channel::Email, email.as_str(), email_template),
        (by_sms, Channel::Sms, mobile.as_str(), sms_template),
    ];
    for (wanted, channel, recipient, template) in sends {
        if wanted {
            outbox::enqueue(
                conn,
                &Notification::new(channel, template, recipient, language)
                    .account(account_id)
                    .params(params.clone()),
                now,
            )
            .await?;
        }
    }
    Ok(())
}

/// `/account/notifications`.
#[component]
pub fn NotificationsPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = leptos_router::hooks::use_query_map();
    crate::ui::problem::loaded(load_choice, move |choice| {
        let locale = i18n.get_locale_untracked();
        let (current, reminders) = choice.unwrap_or_else(|| ("email".into(), true));
        let title = td_string!(locale, account.notify_title).to_string();
        let saved = query.read_untracked().get("saved").is_some();
        let options = [
            ("email", td_string!(locale, account.notify_email)),
            ("sms", td_string!(locale, account.notify_sms)),
            ("both", td_string!(locale, account.notify_both)),
        ];
        view! {
            <PageTitle text=title.clone() />
            {saved.then(|| view! { <div class="panel panel--info" role="status"><p>{t!(i18n, account.notify_saved)}</p></div> })}
            <form method="post" action=SaveChoice::url()>
                <div class="field">
                    <fieldset class="fieldset" aria-describedby="notify_by-hint">
                        <Legend
                            title=title
                            heading=true
                            hint=Some(td_string!(locale, account.notify_hint).to_string())
                            hint_id="notify_by-hint".into()
                            error=None
                            error_id="notify_by-error".into()
                        />
                        <div class="radios">
                            {options.into_iter().enumerate().map(|(i, (code, label))| {
                                let id = if i == 0 { "notify_by".to_string() } else { format!("notify_by-{code}") };
                                view! {
                                    <div class="radios__item">
                                        <input class="radios__input" id=id.clone() name="notify_by" type="radio" value=code checked=current == code />
                                        <label class="radios__label" for=id>{label}</label>
                                    </div>
                                }
                            }).collect_view()}
                        </div>
                    </fieldset>
                </div>
                <div class="field">
                    <div class="checkboxes__item">
                        <input class="checkboxes__input" id="vignette_reminders" name="vignette_reminders" type="checkbox" value="on" checked=reminders />
                        <label class="checkboxes__label" for="vignette_reminders">{t!(i18n, reminders.setting)}</label>
                    </div>
                </div>
                <Button>{t!(i18n, account.notify_save)}</Button>
            </form>
            <p><a href=super::profile::PATH>{t!(i18n, account.back_to_account)}</a></p>
        }.into_any()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_choice_names_its_channels_and_anything_else_means_e_mail() {
        assert_eq!(channels_of("email"), (true, false));
        assert_eq!(channels_of("sms"), (false, true));
        assert_eq!(channels_of("both"), (true, true));
        assert_eq!(channels_of("pigeon"), (true, false));
    }
}
