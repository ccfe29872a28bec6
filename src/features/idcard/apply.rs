//! `/id-card/apply`: choosing the request starts the application. A resident has one open
//! application at a time: a second is refused with a link to the open one. The answers the
//! portal already has (the date of birth from the eligibility check or the account, the
//! nationality from the account) are put in, so that they are not asked again.

#[cfg(feature = "ssr")]
use crate::error::OrUnavailable;
use crate::ui::form::PageTitle;
use crate::{
    error::AppError,
    features::idcard::{ApplicationSummary, application_path, messages},
    i18n::*,
    ui::{
        form::{BackLink, Button, ErrorSummary, FieldError, Radios, page_title},
        text::Ltr,
    },
};
use leptos::{prelude::*, server_fn::ServerFn};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ApplyView {
    /// The open application, when there is one: the page then offers it instead.
    pub open: Option<ApplicationSummary>,
    /// The request chosen before, when the page was refused.
    pub problem: Option<String>,
}

#[server(endpoint = "id-card/apply/page")]
pub async fn load_apply(problem: Option<String>) -> Result<ApplyView, AppError> {
    let state = expect_context::<crate::platform::state::AppState>();
    let account = crate::platform::request::owner("idcard application")?;
    let open = super::store::open_application(&state.db, &account)
        .await
        .or_unavailable()?
        .map(Into::into);
    Ok(ApplyView { open, problem })
}

/// Starts the application (or finds the open one) and goes to its task list.
#[server(endpoint = "id-card/apply")]
pub async fn start_application(request_type: Option<String>) -> Result<(), AppError> {
    use super::store::{self, Started};
    use crate::domain::idcard::application::RequestType;
    let state = expect_context::<crate::platform::state::AppState>();
    let account = crate::platform::request::owner("idcard application")?;
    // A service starts only from a confirmed address (what the payment and the notifications
    // need).
    if !crate::platform::request::address_confirmed() {
        leptos_axum::redirect(crate::features::accounts::verify::PATH);
        return Ok(());
    }
    let Some(request) = request_type.as_deref().and_then(RequestType::parse) else {
        leptos_axum::redirect(&format!("{}?problem=choose_request", super::APPLY_PATH));
        return Ok(());
    };
    let first = server::first_answers(&state, &account, request).await?;
    let now = crate::platform::session::now_secs();
    let started = store::start(&state.db, &account, request, &first, now)
        .await
        .or_unavailable()?;
    let id = match started {
        Started::New(app) => {
            tracing::info!(reference = %app.reference, "idcard application started");
            app.id
        }
        // Refused: the open one is where the resident continues.
        Started::AlreadyOpen(open) => open.id,
    };
    leptos_axum::redirect(&application_path(&id));
    Ok(())
}

#[cfg(feature = "ssr")]
mod server {
    use crate::{
        domain::{
            idcard::{application::RequestType, form::field},
            journey::{Answers, Draft},
        },
        error::{AppError, OrUnavailable},
        platform::{drafts, state::AppState},
    };

    /// The request, and what the portal already knows: the date of birth given in the
    /// eligibility check (else the account's), and the account's nationality.
    pub async fn first_answers(
        state: &AppState,
        account: &str,
        request: RequestType,
    ) -> Result<Draft, AppError> {
        let mut answers = Answers::new();
        answers.insert(field::REQUEST_TYPE.into(), request.code().into());
        let eligibility = drafts::load(
            &state.db,
            drafts::Keeper::Account(account.to_string()),
            crate::domain::eligibility::JOURNEY.id,
        )
        .await
        .or_unavailable()?;
        let holder = crate::features::accounts::store::by_id(&state.db, account)
            .await
            .or_unavailable()?;
        let dob_parts = ["dob_day", "dob_month", "dob_year"];
        if dob_parts
            .iter()
            .all(|f| eligibility.answers.get(*f).is_some_and(|v| !v.is_empty()))
        {
            for f in dob_parts {
                answers.insert(f.into(), eligibility.answers[f].clone());
            }
        } else if let Some(date) = holder
            .as_ref()
            .and_then(|h| crate::domain::date::Date::parse_iso(&h.date_of_birth))
        {
            answers.insert("dob_day".into(), date.day.to_string());
            answers.insert("dob_month".into(), date.month.to_string());
            answers.insert("dob_year".into(), date.year.to_string());
        }
        if let Some(h) = &holder {
            answers.insert(field::NATIONALITY.into(), h.nationality.to_string());
        }
        Ok(Draft {
            answers,
            rejected: None,
        })
    }
}

/// `/id-card/apply`.
#[component]
pub fn ApplyPage() -> impl IntoView {
    let query = leptos_router::hooks::use_query_map();
    let problem = move || query.read().get("problem");
    view! {
        {crate::ui::problem::loaded_for(problem(), load_apply, |page: ApplyView| view! { <ApplyBody page /> })}
    }
}

#[component]
fn ApplyBody(page: ApplyView) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    if let Some(open) = page.open {
        let href = application_path(&open.id);
        let reference = open.reference.clone();
        return view! {
            <PageTitle text=td_string!(locale, application.already_open_title).to_string() />
            <BackLink href=super::PATH />
            <h1>{t!(i18n, application.already_open_title)}</h1>
            <p>
                {t!(i18n, application.already_open_body, reference = move || {
                    let r = reference.clone();
                    view! { <Ltr>{r}</Ltr> }
                })}
            </p>
            <p><a class="button" href=href>{t!(i18n, idcard.continue_application)}</a></p>
        }
        .into_any();
    }
    let errors: Vec<FieldError> = page
        .problem
        .iter()
        .filter(|code| code.as_str() == "choose_request")
        .map(|_| FieldError {
            field_id: "request_type".into(),
            message: td_string!(locale, application.err_choose_request).to_string(),
        })
        .collect();
    let title = td_string!(locale, application.request_title).to_string();
    let error = errors.first().map(|e| e.message.clone());
    view! {
        <PageTitle text=page_title(locale, &title, !errors.is_empty()) />
        <BackLink href=super::PATH />
        <ErrorSummary errors />
        <form method="post" action=StartApplication::url() novalidate="">
            <Radios
                name="request_type"
                legend=title
                heading=true
                choices=messages::request_choices(locale)
                value=""
                error
            />
            <Button>{t!(i18n, application.start_button)}</Button>
        </form>
    }
    .into_any()
}
