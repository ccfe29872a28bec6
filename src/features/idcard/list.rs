//! `/id-card/applications`: the account's applications, the newest first, each with where it
//! is and a link to follow it.

use crate::{
    domain::idcard::application::State,
    error::AppError,
    features::idcard::{APPLY_PATH, ApplicationSummary, PATH, application_path, messages},
    i18n::*,
    ui::{
        form::{BackLink, PageHeading, StartButton},
        problem::loaded,
        text::{Ltr, long_date},
    },
};
use leptos::prelude::*;

#[server(endpoint = "id-card/applications")]
pub async fn load_applications() -> Result<Vec<ApplicationSummary>, AppError> {
    use crate::error::OrUnavailable;
    let state = expect_context::<crate::platform::state::AppState>();
    let account = crate::platform::request::owner("idcard applications")?;
    Ok(super::store::applications(&state.db, &account)
        .await
        .or_unavailable()?
        .into_iter()
        .map(Into::into)
        .collect())
}

/// `/id-card/applications`.
#[component]
pub fn ApplicationsPage() -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    view! {
        <BackLink href=PATH />
        <PageHeading title=td_string!(locale, progress.list_title) />
        {loaded(load_applications, move |list: Vec<ApplicationSummary>| {
            let empty = list.is_empty();
            let any_open = list
                .iter()
                .any(|a| State::parse(&a.state).is_some_and(State::is_open));
            let rows = list
                .into_iter()
                .map(|a| {
                    let state = State::parse(&a.state).unwrap_or(State::Draft);
                    let started = long_date(locale, super::progress::in_qatar(a.created_at).0);
                    view! {
                        <li class="application-list__item">
                            <h2 class="application-list__title">
                                <a href=application_path(&a.id)>{messages::request(locale, &a.request)}</a>
                            </h2>
                            <p>
                                {t!(i18n, application.reference)} ": " <Ltr>{a.reference.clone()}</Ltr>
                            </p>
                            <p>{t!(i18n, progress.started, date = move || started.clone())}</p>
                            <p><strong class="tag">{messages::state(locale, state)}</strong></p>
                        </li>
                    }
                })
                .collect_view();
            view! {
                {empty.then(|| view! { <p>{t!(i18n, progress.none)}</p> })}
                <ul class="application-list">{rows}</ul>
                {(!any_open).then(|| view! {
                    <p><StartButton href=APPLY_PATH>{t!(i18n, progress.new_application)}</StartButton></p>
                })}
            }
        })}
    }
}
