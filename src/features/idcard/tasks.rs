//! `/id-card/applications/{id}`: the application's task list (GOV.UK pattern). Each section
//! of the form with its status (not started, in progress, completed, cannot start yet), each
//! resumable, on any device: the answers belong to the account.

use crate::{
    domain::{
        date::Date,
        idcard::form::{self, Status},
        journey::Draft,
        money::Money,
    },
    error::AppError,
    features::{
        accounts::Country,
        idcard::{
            ApplicationSummary, application_path, messages,
            progress::{Progress, ProgressView, check_path},
        },
    },
    i18n::*,
    ui::{
        form::{BackLink, PageHeading, StartButton},
        problem::loaded_for,
        text::Ltr,
    },
};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use serde::{Deserialize, Serialize};

/// An application with its answers so far: what the task list and every form page show.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ApplicationForm {
    pub summary: ApplicationSummary,
    pub draft: Draft,
    /// Only for the pages that ask a country.
    pub countries: Vec<Country>,
    /// What delivery by post adds (data).
    pub post_fee: Money,
    /// The passport must be valid at least until this day (today plus the data's months).
    pub passport_valid_until: Date,
    /// The documents section's status (from the files kept).
    pub documents: Status,
}

#[cfg(feature = "ssr")]
pub(crate) mod server {
    use super::ApplicationForm;
    use crate::{
        domain::{
            idcard::{application::State, form},
            journey::Draft,
        },
        error::{AppError, OrUnavailable},
        features::idcard::store::{self, ApplicationRecord},
        platform::state::AppState,
    };

    /// The account's application `id`; refused (404) for anyone else's, or none.
    pub async fn owned(
        state: &AppState,
        account: &str,
        id: &str,
    ) -> Result<ApplicationRecord, AppError> {
        store::application(&state.db, account, id)
            .await
            .or_unavailable()?
            .ok_or_else(|| AppError::refused("idcard application"))
    }

    /// The application with its answers: the account's draft while they can change, the
    /// answers as submitted after.
    pub async fn application_form(
        state: &AppState,
        account: &str,
        record: ApplicationRecord,
        countries: bool,
    ) -> Result<ApplicationForm, AppError> {
        use crate::platform::drafts;
        let open = record.state().is_some_and(State::answers_open);
        let draft = match record.frozen_answers() {
            Some(answers) if !open => Draft {
                answers,
                rejected: None,
            },
            _ => drafts::load(
                &state.db,
                drafts::Keeper::Account(account.to_string()),
                form::APPLICATION.id,
            )
            .await
            .or_unavailable()?,
        };
        let countries = if countries {
            crate::features::accounts::store::countries(
                &state.db,
                crate::platform::request::locale(),
            )
            .await
            .or_unavailable()?
        } else {
            Vec::new()
        };
        let terms = store::terms(&state.db).await.or_unavailable()?;
        let post_fee = store::fees(&state.db)
            .await
            .or_unavailable()?
            .into_iter()
            .find(|f| f.item == "delivery_by_post")
            .ok_or_else(|| AppError::internal("idcard_fees has no delivery_by_post"))?
            .amount;
        let documents = {
            use crate::domain::idcard::{application::RequestType, documents};
            let needed = RequestType::parse(&record.request_type)
                .map(documents::required)
                .unwrap_or_default();
            let files: Vec<(documents::DocumentKind, bool)> =
                crate::features::idcard::documents::store::documents(&state.db, &record.id)
                    .await
                    .or_unavailable()?
                    .into_iter()
                    .filter_map(|d| {
                        documents::DocumentKind::parse(&d.kind).map(|k| (k, d.problems.is_empty()))
                    })
                    .collect();
            documents::status(&needed, &files)
        };
        Ok(ApplicationForm {
            documents,
            summary: record.into(),
            draft,
            countries,
            post_fee,
            passport_valid_until: form::add_months(
                crate::features::idcard::today_in_qatar(),
                terms.passport_valid_months,
            ),
        })
    }
}

/// The account's application `id` with its answers; refused (404) for anyone else's.
#[server(endpoint = "id-card/application")]
pub async fn load_application(id: String, countries: bool) -> Result<ApplicationForm, AppError> {
    let state = expect_context::<crate::platform::state::AppState>();
    let account = crate::platform::request::owner("idcard application")?;
    let record = server::owned(&state, &account, &id).await?;
    server::application_form(&state, &account, record, countries).await
}

/// What the application's own page shows: the task list while it is filled in, its progress
/// once submitted.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Overview {
    Draft(ApplicationForm),
    Submitted(Progress),
}

#[server(endpoint = "id-card/application/overview")]
pub async fn load_overview(id: String) -> Result<Overview, AppError> {
    use crate::domain::idcard::application::State;
    let state = expect_context::<crate::platform::state::AppState>();
    let account = crate::platform::request::owner("idcard application")?;
    let record = server::owned(&state, &account, &id).await?;
    if record.state().is_some_and(State::answers_open) {
        server::application_form(&state, &account, record, false)
            .await
            .map(Overview::Draft)
    } else {
        super::progress::server::progress_of(&state, record)
            .await
            .map(Overview::Submitted)
    }
}

/// `/id-card/applications/{id}`.
#[component]
pub fn TaskListPage() -> impl IntoView {
    let params = use_params_map();
    let id = params.read_untracked().get("id").unwrap_or_default();
    loaded_for(id, load_overview, |overview: Overview| match overview {
        Overview::Draft(app) => view! { <TaskList app /> }.into_any(),
        Overview::Submitted(p) => view! { <ProgressView p /> }.into_any(),
    })
}

#[component]
fn TaskList(app: ApplicationForm) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let answers = app.draft.answers.clone();
    let base = application_path(&app.summary.id);
    // The form's sections, then the documents.
    let sections: Vec<(&str, Status, String)> = form::sections(&answers)
        .into_iter()
        .map(|s| {
            let href = format!("{base}/{}", form::entry(s, &answers));
            (s.id, form::status(s, &answers), href)
        })
        .chain([(
            "documents",
            app.documents,
            super::documents::path(&app.summary.id),
        )])
        .collect();
    // The last task, "check and submit" (the declaration is there), opens once every other
    // is completed.
    let ready =
        form::form_completed(&answers) && sections.iter().all(|(_, s, _)| *s == Status::Completed);
    let check = if ready {
        Status::NotStarted
    } else {
        Status::CannotStartYet
    };
    let mut sections = sections;
    sections.push(("check", check, check_path(&app.summary.id)));
    let done = sections
        .iter()
        .filter(|(_, s, _)| *s == Status::Completed)
        .count();
    let total = sections.len();
    let completed = ready;
    let check_href = check_path(&app.summary.id);
    let rows = sections
        .into_iter()
        .map(|(id, status, href)| {
            let name = messages::section(locale, id);
            let status_id = format!("{id}-status");
            let tag = messages::status(locale, status);
            let tag_class = match status {
                Status::Completed => "tag",
                Status::InProgress => "tag tag--blue",
                Status::NotStarted => "tag tag--grey",
                Status::CannotStartYet => "tag tag--grey tag--muted",
            };
            let title = if status == Status::CannotStartYet {
                view! { <span class="task-list__name">{name}</span> }.into_any()
            } else {
                view! {
                    <a class="task-list__name" href=href aria-describedby=status_id.clone()>{name}</a>
                }
                .into_any()
            };
            view! {
                <li class="task-list__item">
                    {title}
                    <strong class=tag_class id=status_id>{tag}</strong>
                </li>
            }
        })
        .collect_view();
    let reference = app.summary.reference.clone();
    let request = messages::request(locale, &app.summary.request);
    view! {
        <BackLink href=super::PATH />
        <PageHeading title=td_string!(locale, application.task_list_title) />
        <dl class="summary-list">
            <div class="summary-list__row">
                <dt class="summary-list__key">{t!(i18n, application.reference)}</dt>
                <dd class="summary-list__value"><Ltr>{reference}</Ltr></dd>
            </div>
            <div class="summary-list__row">
                <dt class="summary-list__key">{t!(i18n, application.request)}</dt>
                <dd class="summary-list__value">{request}</dd>
                <dd class="summary-list__actions">
                    <a href=format!("{base}/request")>
                        {t!(i18n, common.change)}
                        <span class="visually-hidden">" " {t!(i18n, application.request)}</span>
                    </a>
                </dd>
            </div>
        </dl>
        <p>{t!(i18n, application.sections_done, done = move || done, total = move || total)}</p>
        <ol class="task-list">{rows}</ol>
        {completed.then(|| view! {
            <div class="panel panel--success">
                <h2>{t!(i18n, application.form_completed_heading)}</h2>
            </div>
            <p>{t!(i18n, application.form_completed_body)}</p>
            <p><StartButton href=check_href>{t!(i18n, application.check_button)}</StartButton></p>
        })}
        <p>{t!(i18n, application.saved_with_account)}</p>
    }
}
