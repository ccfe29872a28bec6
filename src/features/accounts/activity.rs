//! `/account/activity`: what happened to the account lately (sign-ins, failed sign-ins,
//! changes to how it signs in), with the device and address, so a holder can spot what was
//! not them. Only the signed-in holder's own events are read: there is no id to tamper with.

#[cfg(feature = "ssr")]
use crate::error::OrUnavailable;
use crate::ui::form::PageTitle;
use crate::{error::AppError, i18n::*};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

pub const PATH: &str = "/account/activity";
/// The page lists this many of the latest events.
pub const SHOWN: i64 = 30;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub kind: String,
    /// Unix seconds.
    pub at: i64,
    pub user_agent: Option<String>,
    pub ip: Option<String>,
}

#[server(endpoint = "account/activity")]
pub async fn load_activity() -> Result<Vec<Event>, AppError> {
    use crate::platform::state::AppState;
    let state = expect_context::<AppState>();
    let Some(account_id) = crate::platform::request::account() else {
        return Ok(Vec::new());
    };
    let rows: Vec<(String, i64, Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT kind, at, user_agent, ip FROM account_events WHERE account_id = $1 \
         ORDER BY at DESC, id LIMIT $2",
    )
    .bind(&account_id)
    .bind(SHOWN)
    .fetch_all(state.db.pool())
    .await
    .or_unavailable()?;
    Ok(rows
        .into_iter()
        .map(|(kind, at, user_agent, ip)| Event {
            kind,
            at,
            user_agent,
            ip,
        })
        .collect())
}

fn what(locale: Locale, kind: &str) -> String {
    let s = |v: &str| v.to_string();
    match kind {
        "signed_in" => s(td_string!(locale, account.event_signed_in)),
        "sign_in_failed" => s(td_string!(locale, account.event_sign_in_failed)),
        "signed_out_everywhere" => s(td_string!(locale, account.event_signed_out_everywhere)),
        "email_verified" => s(td_string!(locale, account.event_email_verified)),
        "password_reset" => s(td_string!(locale, account.event_password_reset)),
        "account_created" => s(td_string!(locale, account.event_account_created)),
        "email_changed" => s(td_string!(locale, account.event_email_changed)),
        "mobile_changed" => s(td_string!(locale, account.event_mobile_changed)),
        "two_step_on" => s(td_string!(locale, account.event_two_step_on)),
        "two_step_off" => s(td_string!(locale, account.event_two_step_off)),
        "two_step_codes_renewed" => s(td_string!(locale, account.event_two_step_codes_renewed)),
        "two_step_recovery_used" => s(td_string!(locale, account.event_two_step_recovery_used)),
        "password_reconfirm_failed" => {
            s(td_string!(locale, account.event_password_reconfirm_failed))
        }
        "sign_in_pass_used" => s(td_string!(locale, account.event_sign_in_pass_used)),
        other => other.to_string(),
    }
}

/// `/account/activity`.
#[component]
pub fn ActivityPage() -> impl IntoView {
    let i18n = use_i18n();
    crate::ui::problem::loaded(load_activity, move |events| {
        let locale = i18n.get_locale_untracked();
        let title = td_string!(locale, account.activity_title).to_string();
        let unknown = td_string!(locale, account.activity_unknown_device).to_string();
        let rows = events
            .into_iter()
            .map(|e| {
                let device = match crate::domain::device::describe(
                    e.user_agent.as_deref().unwrap_or_default(),
                ) {
                    (Some(b), Some(s)) => format!("{b} — {s}"),
                    (Some(x), None) | (None, Some(x)) => x.to_string(),
                    (None, None) => unknown.clone(),
                };
                let alert = e.kind == "sign_in_failed" || e.kind == "password_reconfirm_failed";
                view! {
                    <tr class:activity--alert=alert>
                        <td>{what(locale, &e.kind)}</td>
                        <td><bdi dir="ltr">{crate::domain::date::utc_time(e.at)}</bdi></td>
                        <td>{device}</td>
                        <td><bdi dir="ltr">{e.ip.unwrap_or_default()}</bdi></td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <PageTitle text=title.clone() />
            <h1>{title}</h1>
            <p>{t!(i18n, account.activity_lead)}</p>
            <div class="table-wrap" role="region" aria-labelledby="activity-caption" tabindex="0">
                <table class="table">
                    <caption id="activity-caption">{t!(i18n, account.activity_caption)}</caption>
                    <thead>
                        <tr>
                            <th scope="col">{t!(i18n, account.activity_what)}</th>
                            <th scope="col">{t!(i18n, account.activity_when)}</th>
                            <th scope="col">{t!(i18n, account.activity_device)}</th>
                            <th scope="col">{t!(i18n, account.activity_address)}</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            <p>{t!(i18n, account.activity_not_you)} " "
                <a href=super::recovery::PATH>{t!(i18n, account.forgot_link)}</a>
            </p>
            <p><a href=super::profile::PATH>{t!(i18n, account.back_to_account)}</a></p>
        }
        .into_any()
    })
}
