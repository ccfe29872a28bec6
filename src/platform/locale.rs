//! The language switch. A plain link (`/lang/fr?next=/current/page`) so it works without
//! JavaScript: it remembers the choice in the cookie the localisation library reads on every
//! request, then sends the user back to the page they were on.

use super::server::AppState;
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
                && !n.chars().any(|c| c.is_control()) =>
        {
            n.to_string()
        }
        _ => "/".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(safe_next(Some("/vignette?x=1")), "/vignette?x=1");
        assert_eq!(safe_next(Some("//evil.example/")), "/");
        assert_eq!(safe_next(Some("/\\evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example/")), "/");
        assert_eq!(safe_next(Some("/a\r\nSet-Cookie: x=1")), "/");
        assert_eq!(safe_next(None), "/");
    }
}
