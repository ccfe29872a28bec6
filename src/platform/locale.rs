//! The language switch. A plain link (`/lang/fr?next=/current/page`) so it works without
//! JavaScript: it remembers the choice in the cookie the localisation library reads on every
//! request, then sends the user back to the page they were on.

use super::state::AppState;
use axum::{
    extract::{Path, Query, State},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde::Deserialize;

/// The cookie leptos_i18n reads to choose the locale before looking at `Accept-Language`.
pub const LOCALE_COOKIE: &str = "i18n_pref_locale";

#[derive(Deserialize)]
pub struct SwitchQuery {
    next: Option<String>,
}

pub async fn switch(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(q): Query<SwitchQuery>,
) -> Response {
    if <crate::i18n::Locale as leptos_i18n::Locale>::get_all()
        .iter()
        .all(|l| leptos_i18n::Locale::as_str(*l) != code)
    {
        return StatusCode::NOT_FOUND.into_response();
    }
    let next = safe_next(q.next.as_deref());
    let secure = if state.config.is_https() {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!("{LOCALE_COOKIE}={code}; Path=/; Max-Age=31536000; SameSite=Lax{secure}");
    let mut res = StatusCode::SEE_OTHER.into_response();
    let h = res.headers_mut();
    if let (Ok(loc), Ok(cookie)) = (HeaderValue::from_str(&next), HeaderValue::from_str(&cookie)) {
        h.insert(header::LOCATION, loc);
        h.insert(header::SET_COOKIE, cookie);
    }
    res
}

/// Only a path on this site: `//evil.example` or `/\evil.example` would leave it.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.starts_with("/\\")
                && n.chars().all(crate::domain::text::is_allowed) =>
        {
            n.to_string()
        }
        _ => "/".to_string(),
    }
}

/// The language of a request, chosen as the pages choose it: the cookie set by the switch,
/// then the first of `Accept-Language` we have, then Arabic. For what is made outside a page
/// (e-mails, server functions).
pub fn from_headers(headers: &http::HeaderMap) -> crate::i18n::Locale {
    use crate::i18n::Locale;
    let known = |code: &str| {
        let code = code.trim().to_ascii_lowercase();
        let primary = code
            .split(['-', '_'])
            .next()
            .unwrap_or_default()
            .to_string();
        <Locale as leptos_i18n::Locale>::get_all()
            .iter()
            .copied()
            .find(|l| leptos_i18n::Locale::as_str(*l) == primary)
    };
    let from_cookie = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == LOCALE_COOKIE)
        .and_then(|(_, v)| known(v));
    let from_accept = || {
        headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.split(',')
                    .filter_map(|part| known(part.split(';').next().unwrap_or_default()))
                    .next()
            })
    };
    from_cookie.or_else(from_accept).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Locale;

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(safe_next(Some("/vignette?x=1")), "/vignette?x=1");
        assert_eq!(safe_next(Some("//evil.example/")), "/");
        assert_eq!(safe_next(Some("/\\evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example/")), "/");
        assert_eq!(safe_next(Some("/a\r\nSet-Cookie: x=1")), "/");
        assert_eq!(safe_next(Some("/vehicles/\u{202E}fdp.exe")), "/");
        assert_eq!(safe_next(None), "/");
    }

    #[test]
    fn the_cookie_wins_then_accept_language_then_arabic() {
        let mut h = http::HeaderMap::new();
        assert_eq!(from_headers(&h), Locale::ar);
        h.insert(
            header::ACCEPT_LANGUAGE,
            "de-DE, fr-FR;q=0.8, en;q=0.5".parse().unwrap(),
        );
        assert_eq!(from_headers(&h), Locale::fr);
        h.insert(header::COOKIE, "a=b; i18n_pref_locale=en".parse().unwrap());
        assert_eq!(from_headers(&h), Locale::en);
    }
}
