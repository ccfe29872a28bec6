//! "Create an account": a start page, three short grouped pages (about you, identity number,
//! contact), then a check-your-answers page where the password is chosen and the terms are
//! accepted. Answers are kept in a draft under the (anonymous) session like every journey;
//! the password never is. Creating the account, its confirmation code and the e-mail that
//! carries the code is one transaction.
// A server function's arguments are its form's fields.
#![allow(clippy::too_many_arguments)]

use super::Country;
#[cfg(feature = "ssr")]
use crate::error::OrUnavailable;
use crate::ui::form::PageHeading;
use crate::{
    domain::{journey::Draft, registration::JOURNEY},
    error::AppError,
    i18n::*,
    ui::form::StartButton,
};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

pub mod check;
pub mod steps;

pub const BASE: &str = "/register";

/// What the registration pages render from.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RegistrationView {
    pub draft: Draft,
    /// Only for the pages that show a nationality.
    pub countries: Vec<Country>,
}

#[server(endpoint = "account/register/draft")]
pub async fn load_registration(with_countries: bool) -> Result<RegistrationView, AppError> {
    use crate::platform::{drafts, state::AppState};
    let state = expect_context::<AppState>();
    let draft = drafts::load_answers(&state.db, JOURNEY.id)
        .await
        .or_unavailable()?;
    let countries = if with_countries {
        crate::features::accounts::store::countries(&state.db, crate::platform::request::locale())
            .await
            .or_unavailable()?
    } else {
        Vec::new()
    };
    Ok(RegistrationView { draft, countries })
}

#[cfg(feature = "ssr")]
pub(crate) mod server {
    use crate::{domain::date::Date, platform::session::now_secs};

    /// Accounts are opened in Algeria (UTC+1) and Qatar (UTC+3): an age checked on the later
    /// of the two calendars is never a day early anywhere.
    pub fn today() -> Date {
        Date::from_days_since_epoch((now_secs() + 3600).div_euclid(86_400))
    }
}

/// Saves one of the three pages (see `drafts::answer_page`).
#[server(endpoint = "account/register/answer")]
pub async fn answer_registration(
    step: String,
    full_name: Option<String>,
    dob_day: Option<String>,
    dob_month: Option<String>,
    dob_year: Option<String>,
    nationality: Option<String>,
    identity_kind: Option<String>,
    identity_number: Option<String>,
    email: Option<String>,
    mobile: Option<String>,
) -> Result<(), AppError> {
    use crate::domain::registration::validate;
    use crate::platform::{drafts, state::AppState};
    let state = expect_context::<AppState>();
    let known = crate::features::accounts::store::known_countries(&state.db)
        .await
        .or_unavailable()?;
    let posted = vec![
        ("full_name", full_name),
        ("dob_day", dob_day),
        ("dob_month", dob_month),
        ("dob_year", dob_year),
        ("nationality", nationality),
        ("identity_kind", identity_kind),
        ("identity_number", identity_number),
        ("email", email),
        ("mobile", mobile),
    ];
    drafts::answer_page(&JOURNEY, BASE, &step, posted, |submitted, accepted| {
        validate(&step, submitted, accepted, server::today(), |c| {
            known.contains(&c)
        })
    })
    .await
}

/// `/register`: what an account is for, what to have at hand.
#[component]
pub fn StartPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <PageHeading title=td_string!(i18n.get_locale_untracked(), account.register_title) />
        <p class="lead">{t!(i18n, account.register_lead)}</p>
        <p>
            <StartButton href=format!("{BASE}/{}", JOURNEY.steps[0].id)>
                {t!(i18n, account.register_start)}
            </StartButton>
        </p>
        <p>
            {t!(i18n, account.have_account)} " "
            <a href=super::sign_in::PATH>{t!(i18n, account.sign_in_link)}</a>
        </p>
    }
}

fn step_title(locale: Locale, step: &str) -> String {
    match step {
        "about-you" => td_string!(locale, account.about_title),
        "identity" => td_string!(locale, account.identity_title),
        _ => td_string!(locale, account.contact_title),
    }
    .to_string()
}
