//! The page frame: skip link, header with the portal's name and the language switch,
//! landmarks, footer.

use crate::i18n::*;
use leptos::prelude::*;
use leptos_router::hooks::use_location;

/// `account` is the header's account corner (the accounts feature's "Sign in" or "Your
/// account"), passed in so that the frame knows no feature.
#[component]
pub fn Layout(#[prop(into)] account: ViewFn, children: Children) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <a class="skip-link" href="#main">{t!(i18n, skip_link)}</a>
        <header class="site-header">
            <div class="site-header__inner">
                <a class="site-header__name" href="/">
                    <svg class="site-header__logo" aria-hidden="true" viewBox="0 0 32 32" width="32" height="32">
                        <path d="M4 28V12L16 4l12 8v16h-7v-9h-10v9z" fill="currentColor" />
                    </svg>
                    <span>{t!(i18n, portal_name)}</span>
                    <span class="site-header__tagline">{t!(i18n, portal_tagline)}</span>
                </a>
                <LanguageSwitch />
                {account.run()}
            </div>
        </header>
        <main id="main" class="page" tabindex="-1">
            {children()}
        </main>
        <footer class="site-footer">
            <div class="site-footer__inner">
                <nav aria-label=move || t_string!(i18n, footer.label).to_string()>
                    <ul class="site-footer__links">
                        <li><a href="/accessibility">{t!(i18n, footer.accessibility)}</a></li>
                        <li><a href="/privacy">{t!(i18n, footer.privacy)}</a></li>
                        <li><a href="/help">{t!(i18n, footer.help)}</a></li>
                    </ul>
                </nav>
                <p>{t!(i18n, footer.owner)}</p>
            </div>
        </footer>
        <Hydrated />
    }
}

/// Last on every page. Islands are hydrated one after the other in page order, each awaited
/// (a lazy one loads its WebAssembly chunk first), so when this one runs every island above it
/// is live. It then sets `<html data-hydrated>`, which the end-to-end tests wait for. It does
/// not ask for the browser's code itself (`ui::hydration::needed`): on a page without another
/// island it stays inert markup, and nothing is loaded.
#[island]
fn Hydrated() -> impl IntoView {
    #[cfg(feature = "hydrate")]
    if let Some(root) = document().document_element() {
        let _ = root.set_attribute("data-hydrated", "");
    }
}

/// The three languages, each named in itself. Plain links to `/lang/{code}` (which sets the
/// cookie and comes back here), marked `rel="external"` so the client router lets the browser
/// follow them.
#[component]
fn LanguageSwitch() -> impl IntoView {
    let i18n = use_i18n();
    let location = use_location();
    let here = move || {
        let search = location.search.get();
        let path = location.pathname.get();
        if search.is_empty() {
            path
        } else {
            format!("{path}?{search}")
        }
    };
    let languages = [
        (Locale::ar, "العربية", "rtl"),
        (Locale::fr, "Français", "ltr"),
        (Locale::en, "English", "ltr"),
    ];
    view! {
        <nav class="lang-switch" aria-label=move || t_string!(i18n, lang_switch_label).to_string()>
            <ul>
                {languages
                    .into_iter()
                    .map(|(locale, name, dir)| {
                        let code = leptos_i18n::Locale::as_str(locale);
                        let current = move || i18n.get_locale() == locale;
                        view! {
                            <li>
                                <a
                                    href=move || format!("/lang/{code}?next={}", encode_component(&here()))
                                    rel="external"
                                    lang=code
                                    hreflang=code
                                    dir=dir
                                    aria-current=move || current().then_some("true")
                                >
                                    {name}
                                </a>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </nav>
    }
}

/// Percent-encodes a query-string value (RFC 3986 unreserved characters and `/` pass through).
pub fn encode_component(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::encode_component;

    #[test]
    fn query_values_are_percent_encoded() {
        assert_eq!(encode_component("/vignette"), "/vignette");
        assert_eq!(encode_component("/a?b=c&d=é"), "/a%3Fb%3Dc%26d%3D%C3%A9");
    }
}
