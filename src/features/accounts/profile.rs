//! `/account`: what the portal holds about the signed-in person, whether their e-mail address
//! is confirmed, and the ways out (sign out, sign out on every device).

#[cfg(feature = "ssr")]
use crate::error::OrUnavailable;
use crate::ui::form::PageTitle;
use crate::{
    error::AppError,
    i18n::*,
    ui::problem::ServiceProblem,
    ui::{
        form::{Button, ButtonKind},
        text::SummaryRow,
    },
};
use leptos::{prelude::*, server_fn::ServerFn};
use serde::{Deserialize, Serialize};

pub const PATH: &str = "/account";

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    pub full_name: String,
    pub identity_kind: String,
    pub identity_number: String,
    /// ISO 8601.
    pub date_of_birth: String,
    pub nationality: String,
    pub email: String,
    pub email_confirmed: bool,
    pub mobile: String,
    pub role: super::Role,
}

/// The signed-in holder's own account (`None`: not signed in). Reads only the account the
/// session belongs to: there is no account id to tamper with.
#[server(endpoint = "account/profile")]
pub async fn load_profile() -> Result<Option<Profile>, AppError> {
    use crate::platform::state::AppState;
    let state = expect_context::<AppState>();
    let Some(account_id) = crate::platform::request::account() else {
        return Ok(None);
    };
    let Some(a) = super::store::by_id(&state.db, &account_id)
        .await
        .or_unavailable()?
    else {
        return Ok(None);
    };
    let locale = crate::platform::request::locale();
    let nationality = super::store::countries(&state.db, locale)
        .await
        .or_unavailable()?
        .into_iter()
        .find(|c| i64::from(c.code) == a.nationality)
        .map(|c| c.name)
        .unwrap_or_default();
    Ok(Some(Profile {
        full_name: a.full_name,
        identity_kind: a.identity_kind,
        identity_number: a.identity_number,
        date_of_birth: a.date_of_birth,
        nationality,
        email: a.email,
        email_confirmed: a.email_verified_at.is_some(),
        mobile: a.mobile,
        role: a.role,
    }))
}

/// A link the other services put on the profile page (the app lists them, so this page knows
/// no service): to the holder's own records, or to a tool for administrators.
#[derive(Clone, Copy)]
pub struct ServiceLink {
    pub href: &'static str,
    pub text: fn(Locale) -> &'static str,
    pub administrators_only: bool,
}

#[component]
pub fn ProfilePage(links: &'static [ServiceLink]) -> impl IntoView {
    let profile = Resource::new(|| (), |_| load_profile());
    view! {
        <Suspense>
            {move || Suspend::new(async move {
                match profile.await {
                    Err(_) => view! { <ServiceProblem /> }.into_any(),
                    Ok(None) => view! { <super::SignInFirst back_to=PATH /> }.into_any(),
                    Ok(Some(p)) => view! { <ProfileView p links /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ProfileView(p: Profile, links: &'static [ServiceLink]) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let kind = match p.identity_kind.as_str() {
        "nin" => td_string!(locale, account.kind_nin),
        "qid" => td_string!(locale, account.kind_qid),
        _ => td_string!(locale, account.kind_other),
    };
    let role = match p.role {
        super::Role::Citizen => td_string!(locale, account.role_citizen),
        super::Role::Officer => td_string!(locale, account.role_officer),
        super::Role::Administrator => td_string!(locale, account.role_administrator),
    };
    let dob = {
        let parts: Vec<&str> = p.date_of_birth.split('-').collect();
        match parts.as_slice() {
            [y, m, d] => format!(
                "{}/{}/{y}",
                d.trim_start_matches('0'),
                m.trim_start_matches('0')
            ),
            _ => p.date_of_birth.clone(),
        }
    };
    let ltr = |v: String| view! { <bdi dir="ltr">{v}</bdi> }.into_any();
    let changed = match leptos_router::hooks::use_query_map()
        .read_untracked()
        .get("changed")
        .as_deref()
    {
        Some("email") => Some(td_string!(locale, account.changed_email_notice)),
        Some("mobile") => Some(td_string!(locale, account.changed_mobile_notice)),
        _ => None,
    };
    let email_status = if p.email_confirmed {
        td_string!(locale, account.email_confirmed)
    } else {
        td_string!(locale, account.email_unconfirmed)
    };
    let rows = vec![
        (
            td_string!(locale, account.full_name),
            p.full_name.clone().into_any(),
        ),
        (td_string!(locale, account.dob_legend), ltr(dob)),
        (
            td_string!(locale, account.nationality),
            p.nationality.clone().into_any(),
        ),
        (
            td_string!(locale, account.check_identity_kind),
            kind.into_any(),
        ),
        (
            td_string!(locale, account.identity_number),
            ltr(p.identity_number.clone()),
        ),
        (
            td_string!(locale, account.email),
            view! {
                <bdi dir="ltr">{p.email.clone()}</bdi> " — " {email_status} " "
                <a href=super::contact_change::EMAIL_PATH>{t!(i18n, account.change_link)}
                    <span class="visually-hidden">" " {td_string!(locale, account.email)}</span></a>
            }
            .into_any(),
        ),
        (
            td_string!(locale, account.mobile),
            view! {
                <bdi dir="ltr">{p.mobile.clone()}</bdi> " "
                <a href=super::contact_change::MOBILE_PATH>{t!(i18n, account.change_link)}
                    <span class="visually-hidden">" " {td_string!(locale, account.mobile)}</span></a>
            }
            .into_any(),
        ),
        (td_string!(locale, account.role), role.into_any()),
    ];
    view! {
        <PageTitle text=td_string!(locale, account.profile_title).to_string() />
        {changed.map(|n| view! { <div class="panel panel--info" role="status"><p>{n}</p></div> })}
        {(!p.email_confirmed).then(|| view! {
            <div class="panel panel--info" role="status">
                <p>{t!(i18n, account.unverified_banner)} " "
                    <a href=super::verify::PATH>{t!(i18n, account.unverified_link)}</a>
                </p>
            </div>
        })}
        <h1>{t!(i18n, account.profile_title)}</h1>
        <dl class="summary-list">
            {rows
                .into_iter()
                .map(|(label, value)| view! {
                    <SummaryRow label={label}>{value}</SummaryRow>
                })
                .collect_view()}
        </dl>
        {links
            .iter()
            .filter(|l| !l.administrators_only)
            .map(|l| view! { <p><a href=l.href>{(l.text)(locale)}</a></p> })
            .collect_view()}
        <h2>{t!(i18n, account.security_heading)}</h2>
        <ul class="list">
            <li><a href=super::two_step::PATH>{t!(i18n, account.two_step_link)}</a></li>
            <li><a href=super::activity::PATH>{t!(i18n, account.activity_link)}</a></li>
            <li><a href=super::notifications::PATH>{t!(i18n, account.notify_link)}</a></li>
        </ul>
        {(p.role == super::Role::Administrator).then(|| view! {
            <h2>{t!(i18n, account.role_administrator)}</h2>
            <ul class="list">
                {links
                    .iter()
                    .filter(|l| l.administrators_only)
                    .map(|l| view! { <li><a href=l.href>{(l.text)(locale)}</a></li> })
                    .collect_view()}
            </ul>
        })}
        <form method="post" action=super::sign_in::SignOut::url()>
            <Button kind=ButtonKind::Secondary>{t!(i18n, account.sign_out_button)}</Button>
        </form>
        <h2>{t!(i18n, account.sign_out_everywhere_heading)}</h2>
        <p>{t!(i18n, account.sign_out_everywhere_hint)}</p>
        <form method="post" action=super::sign_in::SignOutEverywhere::url()>
            <Button kind=ButtonKind::Secondary>{t!(i18n, account.sign_out_everywhere_button)}</Button>
        </form>
        <p class="field__hint">{t!(i18n, account.session_note)}</p>
    }
}
