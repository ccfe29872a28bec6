//! Information pages linked from every footer: accessibility statement, privacy, help.

use crate::i18n::*;
use crate::ui::form::PageHeading;
use leptos::prelude::*;

#[component]
pub fn AccessibilityPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <PageHeading title=td_string!(i18n.get_locale_untracked(), accessibility.title) />
        <p class="lead">{t!(i18n, accessibility.intro)}</p>
        <h2>{t!(i18n, accessibility.standard_heading)}</h2>
        <p>{t!(i18n, accessibility.standard)}</p>
        <h2>{t!(i18n, accessibility.what_heading)}</h2>
        <ul class="list">
            <li>{t!(i18n, accessibility.what_1)}</li>
            <li>{t!(i18n, accessibility.what_2)}</li>
            <li>{t!(i18n, accessibility.what_3)}</li>
            <li>{t!(i18n, accessibility.what_4)}</li>
        </ul>
        <h2>{t!(i18n, accessibility.testing_heading)}</h2>
        <p>{t!(i18n, accessibility.testing)}</p>
        <h2>{t!(i18n, accessibility.contact_heading)}</h2>
        <p>{t!(i18n, accessibility.contact)}</p>
    }
}

#[component]
pub fn PrivacyPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <PageHeading title=td_string!(i18n.get_locale_untracked(), privacy.title) />
        <p class="lead">{t!(i18n, privacy.intro)}</p>
        <h2>{t!(i18n, privacy.what_heading)}</h2>
        <p>{t!(i18n, privacy.what)}</p>
        <h2>{t!(i18n, privacy.cookies_heading)}</h2>
        <p>{t!(i18n, privacy.cookies)}</p>
        <h2>{t!(i18n, privacy.device_heading)}</h2>
        <p>{t!(i18n, privacy.device)}</p>
        <h2>{t!(i18n, privacy.rights_heading)}</h2>
        <p>{t!(i18n, privacy.rights)}</p>
    }
}

/// The conditions of use an account holder accepts when registering.
#[component]
pub fn TermsPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <PageHeading title=td_string!(i18n.get_locale_untracked(), terms.title) />
        <p class="lead">{t!(i18n, terms.intro)}</p>
        <h2>{t!(i18n, terms.account_heading)}</h2>
        <p>{t!(i18n, terms.account)}</p>
        <h2>{t!(i18n, terms.truth_heading)}</h2>
        <p>{t!(i18n, terms.truth)}</p>
        <h2>{t!(i18n, terms.messages_heading)}</h2>
        <p>{t!(i18n, terms.messages)}</p>
        <h2>{t!(i18n, terms.end_heading)}</h2>
        <p>{t!(i18n, terms.end)}</p>
    }
}

#[component]
pub fn HelpPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <PageHeading title=td_string!(i18n.get_locale_untracked(), help.title) />
        <p class="lead">{t!(i18n, help.intro)}</p>
        <h2>{t!(i18n, help.q_language)}</h2>
        <p>{t!(i18n, help.a_language)}</p>
        <h2>{t!(i18n, help.q_saved)}</h2>
        <p>{t!(i18n, help.a_saved)}</p>
        <h2>{t!(i18n, help.q_offline)}</h2>
        <p>{t!(i18n, help.a_offline)}</p>
        <h2>{t!(i18n, help.q_reminders)}</h2>
        <p>{t!(i18n, help.a_reminders)}</p>
        <h2>{t!(i18n, help.q_contact)}</h2>
        <p>{t!(i18n, help.a_contact)}</p>
    }
}
