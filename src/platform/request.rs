//! What the code serving a request knows about it, asked the same way everywhere: who is
//! signed in, and in which language to answer. Read from the request's context, so a server
//! function or a page calls these without passing anything down.

use crate::{error::AppError, i18n::Locale, platform::session};

/// The signed-in account of the request, if any.
pub fn account() -> Option<String> {
    session::for_request().and_then(|s| s.account_id)
}

/// The signed-in account, or a refusal: the owner check that opens every personal server
/// function. `what` names the record in the log (the answer is "not found" either way).
pub fn owner(what: &'static str) -> Result<String, AppError> {
    account().ok_or_else(|| AppError::refused(what))
}

/// Whether the signed-in account has confirmed its e-mail address: what a service asks before
/// it sells. It comes with the session's row (`session::Standing`), so asking costs nothing.
pub fn address_confirmed() -> bool {
    session::for_request().is_some_and(|s| s.address_confirmed())
}

/// The request's language (the cookie, then `Accept-Language`): for e-mails, SMS, names.
pub fn locale() -> Locale {
    leptos::prelude::use_context::<http::request::Parts>()
        .map(|p| super::locale::from_headers(&p.headers))
        .unwrap_or_default()
}

/// The request's language as its code (`ar`, `fr`, `en`), as stored with records.
pub fn language() -> &'static str {
    leptos_i18n::Locale::as_str(locale())
}
