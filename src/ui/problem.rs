//! What a page shows when there is nothing to show: the 404 page, and the notice in place of
//! a section whose data could not be read.

use crate::i18n::*;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        res.set_status(http::StatusCode::NOT_FOUND);
    }
    let i18n = use_i18n();
    view! {
        <Title text=td_string!(i18n.get_locale_untracked(), not_found.title).to_string() />
        <h1>{t!(i18n, not_found.title)}</h1>
        <p>{t!(i18n, not_found.body)}</p>
        <p><a href="/">{t!(i18n, not_found.home_link)}</a></p>
    }
}

/// Shown in place of a page section whose data could not be loaded.
#[component]
pub fn ServiceProblem() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="notice notice--problem" role="status">
            <p>{t!(i18n, common.data_unavailable)}</p>
        </div>
    }
}
