//! The 404 page, the error page, and the last-resort answer when a request handler panics.

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

/// A panic anywhere in a request: a plain page in the three languages, no details (they are
/// in the log with the request id), status 500.
#[cfg(feature = "ssr")]
pub fn panic_response(
    _panic: Box<dyn std::any::Any + Send + 'static>,
) -> http::Response<axum::body::Body> {
    use crate::i18n::Locale;
    use leptos_i18n::Locale as _;
    tracing::error!("request handler panicked");
    let section = |locale: Locale, h: &str| {
        format!(
            "<section lang=\"{lang}\" dir=\"{dir}\"><{h}>{title}</{h}><p>{body}</p><p><a href=\"/\">{link}</a></p></section>",
            lang = locale.as_str(),
            dir = if locale == Locale::ar { "rtl" } else { "ltr" },
            title = td_string!(locale, error_page.title),
            body = td_string!(locale, error_page.body),
            link = td_string!(locale, error_page.home_link),
        )
    };
    let html = format!(
        "<!DOCTYPE html><html lang=\"ar\" dir=\"rtl\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title><link rel=\"stylesheet\" href=\"/static.css\"></head><body><header class=\"static-header\"><a href=\"/\">بوابة</a></header><main id=\"main\">{}{}{}</main></body></html>",
        section(Locale::ar, "h1"),
        section(Locale::fr, "h2"),
        section(Locale::en, "h2"),
        title = td_string!(Locale::ar, error_page.title),
    );
    http::Response::builder()
        .status(http::StatusCode::INTERNAL_SERVER_ERROR)
        .header(http::header::CONTENT_TYPE, "text/html; charset=utf-8")
        .body(axum::body::Body::from(html))
        .expect("static response parts are valid")
}
