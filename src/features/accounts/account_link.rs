//! The header's account corner, on every page: "Sign in", or "Your account" and the session
//! timer once signed in. The page frame (`ui::layout`) receives it from the app.

use crate::{i18n::*, ui::session_timer::SessionTimer};
use leptos::prelude::*;

/// "Sign in", or "Your account" once signed in. Read from the request's session on the
/// server: every page is rendered there, so no request is needed to know.
#[component]
pub fn AccountLink() -> impl IntoView {
    let i18n = use_i18n();
    let session = super::signed_in();
    let (href, text) = if session.is_some() {
        (
            super::profile::PATH,
            td_string!(i18n.get_locale_untracked(), account.your_account_link),
        )
    } else {
        (
            super::sign_in::PATH,
            td_string!(i18n.get_locale_untracked(), account.sign_in_link),
        )
    };
    let locale = i18n.get_locale_untracked();
    let timer = session.map(|(_, seconds_left)| view! { <SessionTimer seconds_left sign_in_href=super::sign_in::PATH /> });
    view! {
        <nav class="site-header__account" aria-label=td_string!(locale, account.header_label)>
            <a href=href>{text}</a>
        </nav>
        {timer}
    }
}
