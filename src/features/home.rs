//! The home page: the catalogue of services.

use crate::i18n::*;
use crate::ui::form::PageHeading;
use leptos::prelude::*;

#[component]
pub fn HomePage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <PageHeading
            title=td_string!(i18n.get_locale_untracked(), home.title)
            description=td_string!(i18n.get_locale_untracked(), home.lead)
        />
        <p class="lead">{t!(i18n, home.lead)}</p>
        <h2>{t!(i18n, home.services_heading)}</h2>
        <ul class="service-list">
            <li class="service-card">
                <h3 class="service-card__title">
                    <a href="/vignette">{t!(i18n, home.vignette_title)}</a>
                </h3>
                <p>{t!(i18n, home.vignette_summary)}</p>
            </li>
            <li class="service-card">
                <h3 class="service-card__title">
                    <a href="/id-card">{t!(i18n, home.idcard_title)}</a>
                </h3>
                <p>{t!(i18n, home.idcard_summary)}</p>
            </li>
        </ul>
    }
}
