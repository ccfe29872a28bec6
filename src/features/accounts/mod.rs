//! Accounts: registration with an identity number, a confirmed e-mail address, sign-in and
//! sign-out on server-side sessions. Built in slices (issue 3). The pure rules (identity
//! numbers, e-mail and mobile numbers, passwords, the registration pages) are in `domain`,
//! shared with the browser; the pages and server functions are here, one file per journey.

pub mod account_link;
pub mod activity;
#[cfg(feature = "ssr")]
pub mod admin;
pub mod contact_change;
pub mod lock_pass;
#[cfg(feature = "ssr")]
pub mod messages;
pub mod notifications;
#[cfg(feature = "ssr")]
pub mod passwords;
pub mod profile;
pub mod recovery;
pub mod register;
#[cfg(feature = "ssr")]
pub mod second_factor;
pub mod sign_in;
#[cfg(feature = "ssr")]
pub mod staff;
#[cfg(feature = "ssr")]
pub mod store;
pub mod two_step;
#[cfg(feature = "ssr")]
pub mod verification;
pub mod verify;

use crate::i18n::*;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

pub use crate::domain::account::Role;

/// A nationality to choose from (the countries table), named in the page's language.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Country {
    /// ISO 3166-1 numeric.
    pub code: u16,
    pub name: String,
}

/// A refused form's errors, each with its problem's message in `locale`.
pub fn field_errors<'a>(
    locale: Locale,
    problems: impl IntoIterator<Item = &'a (String, String)>,
) -> Vec<crate::ui::form::FieldError> {
    crate::ui::form::FieldError::all(problems, |code| problem_message(locale, code))
}

/// The field for a code the user was sent or reads from an app; `label` says which.
#[component]
pub fn CodeField(
    #[prop(into)] label: String,
    #[prop(optional, into)] hint: MaybeProp<String>,
    error: Option<String>,
    /// What was typed, on a page that came back refused.
    #[prop(optional, into)]
    value: String,
    #[prop(default = crate::ui::form::InputKind::ONE_TIME_CODE)] kind: crate::ui::form::InputKind,
) -> impl IntoView {
    view! { <crate::ui::form::TextField id="code" name="code" label hint error value kind /> }
}

/// The account's password, asked again before a change that matters.
#[component]
pub fn PasswordField(error: Option<String>) -> impl IntoView {
    let locale = use_i18n().get_locale_untracked();
    view! {
        <crate::ui::form::TextField
            id="password"
            name="password"
            label=td_string!(locale, account.password_label).to_string()
            error
            kind=crate::ui::form::InputKind::CURRENT_PASSWORD
        />
    }
}

/// Adds a line to the account's activity page, with this request's browser and address.
#[cfg(feature = "ssr")]
pub async fn record_here(
    state: &crate::platform::state::AppState,
    account_id: &str,
    kind: &str,
    now: i64,
) -> Result<(), crate::error::AppError> {
    use crate::error::OrUnavailable;
    use crate::platform::security;
    let ip = security::client_ip(&state.config);
    let user_agent = security::user_agent();
    store::record_event(
        &state.db,
        account_id,
        kind,
        user_agent.as_deref(),
        Some(&ip),
        now,
    )
    .await
    .or_unavailable()
}

/// The message for a problem code of the account pages. Codes that carry a number say it
/// after a colon (`code_wrong:3`, `locked:300`: seconds).
pub fn problem_message(locale: Locale, code: &str) -> String {
    let (code, n) = match code.split_once(':') {
        Some((c, n)) => (c, n.parse::<i64>().unwrap_or(1)),
        None => (code, 1),
    };
    let minutes = (n.max(1) + 59) / 60;
    let s = |v: &str| v.to_string();
    match code {
        "name_missing" => s(td_string!(locale, account.err_name_missing)),
        "name_too_long" => s(td_string!(locale, account.err_name_too_long)),
        "name_invalid" => s(td_string!(locale, account.err_name_invalid)),
        "dob_missing" => s(td_string!(locale, eligibility.err_dob_missing)),
        "dob_incomplete" => s(td_string!(locale, eligibility.err_dob_incomplete)),
        "dob_not_real" => s(td_string!(locale, eligibility.err_dob_not_real)),
        "dob_future" => s(td_string!(locale, eligibility.err_dob_future)),
        "dob_too_young" => s(td_string!(locale, account.err_dob_too_young)),
        "nationality_missing" => s(td_string!(locale, account.err_nationality_missing)),
        "nationality_unknown" => s(td_string!(locale, account.err_nationality_unknown)),
        "identity_kind_missing" => s(td_string!(locale, account.err_identity_kind_missing)),
        "id_missing" => s(td_string!(locale, account.err_id_missing)),
        "nin_length" => s(td_string!(locale, account.err_nin_length)),
        "qid_length" => s(td_string!(locale, account.err_qid_length)),
        "qid_first_digit" => s(td_string!(locale, account.err_qid_first_digit)),
        "qid_birth_year" => s(td_string!(locale, account.err_qid_birth_year)),
        "qid_nationality" => s(td_string!(locale, account.err_qid_nationality)),
        "other_id_format" => s(td_string!(locale, account.err_other_id_format)),
        "identity_taken" => s(td_string!(locale, account.err_identity_taken)),
        "email_missing" => s(td_string!(locale, account.err_email_missing)),
        "email_format" => s(td_string!(locale, account.err_email_format)),
        "email_too_long" => s(td_string!(locale, account.err_email_too_long)),
        "mobile_missing" => s(td_string!(locale, account.err_mobile_missing)),
        "mobile_format" => s(td_string!(locale, account.err_mobile_format)),
        "mobile_dz" => s(td_string!(locale, account.err_mobile_dz)),
        "mobile_qa" => s(td_string!(locale, account.err_mobile_qa)),
        "password_missing" => s(td_string!(locale, account.err_password_missing)),
        "password_too_short" => s(td_string!(locale, account.err_password_too_short)),
        "password_too_long" => s(td_string!(locale, account.err_password_too_long)),
        "password_common" => s(td_string!(locale, account.err_password_common)),
        "consent_missing" => s(td_string!(locale, account.err_consent_missing)),
        "code_missing" => s(td_string!(locale, account.err_code_missing)),
        "code_format" => s(td_string!(locale, account.err_code_format)),
        "code_wrong" => td_string!(locale, account.err_code_wrong, count = n).to_string(),
        "code_too_many" => s(td_string!(locale, account.err_code_too_many)),
        "code_expired" => s(td_string!(locale, account.err_code_expired)),
        "code_unknown" => s(td_string!(locale, account.err_code_unknown)),
        "totp_wrong" => s(td_string!(locale, account.err_totp_wrong)),
        "second_step_wrong" => s(td_string!(locale, account.err_second_step_wrong)),
        "password_wrong" => s(td_string!(locale, account.err_password_wrong)),
        "two_step_required" => s(td_string!(locale, account.err_two_step_required)),
        "contact_same" => s(td_string!(locale, account.err_contact_same)),
        "resend_wait" => td_string!(locale, account.err_resend_wait, count = n).to_string(),
        "identifier_missing" => s(td_string!(locale, account.err_identifier_missing)),
        "locked" => td_string!(locale, account.err_locked, count = minutes).to_string(),
        "rate_limited" => td_string!(locale, account.err_rate_limited, count = minutes).to_string(),
        "sign_in_failed" => s(td_string!(locale, account.err_sign_in_failed)),
        unknown => crate::ui::form::unknown_problem(locale, unknown),
    }
}

/// The signed-in account of the current request and the seconds its session has left, if
/// any (server only; always `None` in the browser, which never renders the pages that ask).
pub fn signed_in() -> Option<(String, i64)> {
    #[cfg(feature = "ssr")]
    {
        crate::platform::session::for_request().and_then(|s| {
            let left = s.expires_at - crate::platform::session::now_secs();
            s.account_id.map(|id| (id, left))
        })
    }
    #[cfg(not(feature = "ssr"))]
    {
        None
    }
}

/// The accounts feature's plain routes (its pages are in the app's table).
#[cfg(feature = "ssr")]
pub fn routes() -> Vec<crate::platform::http::PlainRoute> {
    vec![crate::platform::http::PlainRoute::post(
        EXTEND_PATH,
        extend_session,
    )]
}

/// `POST /account/session/extend` ("Stay signed in"): the request itself slid the session;
/// the answer is the seconds now left, as plain text, or 401 once it has ended.
#[cfg(feature = "ssr")]
pub async fn extend_session(req: axum::extract::Request) -> axum::response::Response {
    use axum::response::IntoResponse;
    use http::{StatusCode, header};
    let left = req
        .extensions()
        .get::<crate::platform::session::Resolved>()
        .and_then(|r| r.0.as_ref())
        .filter(|s| s.account_id.is_some())
        .map(|s| s.expires_at - crate::platform::session::now_secs());
    match left {
        Some(secs) => (
            StatusCode::OK,
            [
                (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
                (header::CACHE_CONTROL, "no-store"),
            ],
            secs.to_string(),
        )
            .into_response(),
        None => StatusCode::UNAUTHORIZED.into_response(),
    }
}

/// For a page that needs a signed-in holder, rendered for a visitor who is not: the response
/// becomes a redirect to the sign-in page (which comes back here after), and the body, for
/// whatever does not follow redirects, says the same with a link.
#[leptos::component]
pub fn SignInFirst(#[prop(into)] back_to: String) -> impl leptos::IntoView {
    use leptos::prelude::*;
    let i18n = use_i18n();
    let to = format!(
        "{}?next={}",
        sign_in::PATH,
        crate::ui::layout::encode_component(&back_to)
    );
    #[cfg(feature = "ssr")]
    leptos_axum::redirect(&to);
    view! {
        <h1>{t!(i18n, account.sign_in_title)}</h1>
        <p><a href=to>{t!(i18n, account.sign_in_link)}</a></p>
    }
}

/// Pages only a signed-in holder may see: every `/account` page except the e-mail confirmation
/// pages (reached from an e-mail, or right after registering, before signing in), every
/// payment page, every vehicle page, every ID card application page, and every administration
/// page (which also check the role).
pub fn needs_sign_in(path: &str) -> bool {
    let account = (path == profile::PATH || path.starts_with("/account/"))
        && !path.starts_with(verify::PATH)
        && path != EXTEND_PATH;
    // Orders, payments and receipts; not the gateways' notifications (server to server).
    let payments = path.starts_with("/payments/") && !path.starts_with("/payments/notify/");
    let vehicles = path == "/vehicles" || path.starts_with("/vehicles/");
    // Buying a vignette and the vignettes bought (the calculator and the public check are open).
    let vignettes = path == "/vignette/buy"
        || path.starts_with("/vignette/buy/")
        || path.starts_with("/vignette/bought/");
    // The ID card application (the start page and the eligibility check are open).
    let idcard = path == "/id-card/apply" || path.starts_with("/id-card/applications");
    account || payments || vehicles || vignettes || idcard || path.starts_with("/admin/")
}

pub const EXTEND_PATH: &str = "/account/session/extend";

/// A layer: a visitor who is not signed in is sent to the sign-in page before any of those
/// pages renders (and comes back after signing in); an officer or administrator without a
/// second sign-in step is sent to set one up before anything else.
#[cfg(feature = "ssr")]
pub async fn require_sign_in(
    axum::extract::State(state): axum::extract::State<crate::platform::state::AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let path = req.uri().path().to_string();
    if !needs_sign_in(&path) {
        return next.run(req).await;
    }
    let account_id = crate::platform::session::account_of(&req);
    let found =
        |to: String| (http::StatusCode::FOUND, [(http::header::LOCATION, to)]).into_response();
    let Some(account_id) = account_id else {
        return found(format!(
            "{}?next={}",
            sign_in::PATH,
            crate::ui::layout::encode_component(&path)
        ));
    };
    if !path.starts_with(two_step::PATH) {
        let standing = req
            .extensions()
            .get::<crate::platform::session::Resolved>()
            .and_then(|r| r.0.as_ref())
            .and_then(|s| s.standing);
        match must_add_second_step(&state, standing, &account_id).await {
            Ok(false) => {}
            Ok(true) => return found(two_step::PATH.to_string()),
            Err(e) => {
                tracing::error!(error = %e, "could not check the second sign-in step");
                return http::StatusCode::SERVICE_UNAVAILABLE.into_response();
            }
        }
    }
    next.run(req).await
}

/// An officer or administrator with no second sign-in step yet. The session layer read both
/// facts with the session's row; a request it did not resolve is read here.
#[cfg(feature = "ssr")]
async fn must_add_second_step(
    state: &crate::platform::state::AppState,
    standing: Option<crate::platform::session::Standing>,
    account_id: &str,
) -> Result<bool, crate::platform::db::DbError> {
    let (role, second_step) = match standing {
        Some(s) => (s.role, s.second_step),
        None => match store::standing(&state.db, account_id).await? {
            Some(s) => (s.role, s.second_step),
            None => return Ok(false),
        },
    };
    Ok(role.needs_second_step() && !second_step)
}
