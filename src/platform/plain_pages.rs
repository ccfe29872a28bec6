//! Plain pages for answers given outside the app (a panic, a cross-site request, too many
//! requests, a portal too busy to answer), where neither the page machinery nor the user's language can be relied on: the
//! three languages at once, Arabic first, with the static stylesheet only.

use crate::i18n::*;

/// A panic anywhere in a request: a plain page in the three languages, no details (they are
/// in the log with the request id), status 500.
pub fn panic_response(
    _panic: Box<dyn std::any::Any + Send + 'static>,
) -> http::Response<axum::body::Body> {
    use crate::i18n::Locale;
    tracing::error!("request handler panicked");
    static_page(http::StatusCode::INTERNAL_SERVER_ERROR, |locale: Locale| {
        [
            td_string!(locale, error_page.title),
            td_string!(locale, error_page.body),
            td_string!(locale, error_page.home_link),
        ]
    })
}

/// A state-changing request from another website (CSRF): refused, 403.
pub fn cross_site_response() -> http::Response<axum::body::Body> {
    use crate::i18n::Locale;
    static_page(http::StatusCode::FORBIDDEN, |locale: Locale| {
        [
            td_string!(locale, forbidden_page.title),
            td_string!(locale, forbidden_page.body),
            td_string!(locale, forbidden_page.home_link),
        ]
    })
}

/// Too many requests from one address (a limit that no person reaches by hand): 429, with
/// `Retry-After`.
pub fn too_many_response(wait_secs: i64) -> http::Response<axum::body::Body> {
    use crate::i18n::Locale;
    let mut res = static_page(http::StatusCode::TOO_MANY_REQUESTS, |locale: Locale| {
        [
            td_string!(locale, busy_page.title),
            td_string!(locale, busy_page.body),
            td_string!(locale, busy_page.home_link),
        ]
    });
    if let Ok(v) = http::HeaderValue::from_str(&wait_secs.max(1).to_string()) {
        res.headers_mut().insert(http::header::RETRY_AFTER, v);
    }
    res
}

/// The portal cannot answer now (the database kept it waiting past its limit): 503, with
/// `Retry-After` of a few seconds. The truth, rather than a page answered as if the user were
/// someone else.
pub fn unavailable_response() -> http::Response<axum::body::Body> {
    use crate::i18n::Locale;
    let mut res = static_page(http::StatusCode::SERVICE_UNAVAILABLE, |locale: Locale| {
        [
            td_string!(locale, unavailable_page.title),
            td_string!(locale, unavailable_page.body),
            td_string!(locale, unavailable_page.home_link),
        ]
    });
    res.headers_mut().insert(
        http::header::RETRY_AFTER,
        http::HeaderValue::from_static("5"),
    );
    res
}

/// A page that needs nothing but the static stylesheet, in the three languages (Arabic first):
/// for answers given outside the app (a panic, a refused request), where the user's language
/// is not known. `texts` gives title, body and home-link text per language.
fn static_page(
    status: http::StatusCode,
    texts: impl Fn(crate::i18n::Locale) -> [&'static str; 3],
) -> http::Response<axum::body::Body> {
    use crate::i18n::Locale;
    use leptos_i18n::Locale as _;
    let section = |locale: Locale, h: &str| {
        let [title, body, link] = texts(locale);
        format!(
            "<section lang=\"{lang}\" dir=\"{dir}\"><{h}>{title}</{h}><p>{body}</p><p><a href=\"/\">{link}</a></p></section>",
            lang = locale.as_str(),
            dir = if locale == Locale::ar { "rtl" } else { "ltr" },
        )
    };
    let html = format!(
        "<!DOCTYPE html><html lang=\"ar\" dir=\"rtl\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title><link rel=\"stylesheet\" href=\"/static.css\"></head><body><header class=\"static-header\"><a href=\"/\">بوابة</a></header><main id=\"main\">{}{}{}</main></body></html>",
        section(Locale::ar, "h1"),
        section(Locale::fr, "h2"),
        section(Locale::en, "h2"),
        title = texts(Locale::ar)[0],
    );
    http::Response::builder()
        .status(status)
        .header(http::header::CONTENT_TYPE, "text/html; charset=utf-8")
        .body(axum::body::Body::from(html))
        .expect("static response parts are valid")
}
