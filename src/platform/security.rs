//! Security and caching headers for every response.
//!
//! Pages get a Content-Security-Policy with the per-response nonce that Leptos puts on its own
//! inline scripts (set by the shell, see `app::shell`); everything else gets a strict default.
//! `Referrer-Policy` is `strict-origin-when-cross-origin`, not `no-referrer`: forms posted
//! without JavaScript are redirected back to their Referer.

use axum::{extract::Request, middleware::Next, response::Response};
use http::{HeaderValue, header};

/// The policy for server-rendered pages. `'strict-dynamic'` lets the nonce'd hydration script
/// import the bundle; `'wasm-unsafe-eval'` allows compiling the WebAssembly and nothing else.
pub fn page_csp(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'nonce-{nonce}' 'strict-dynamic' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; \
         manifest-src 'self'; worker-src 'self'; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'"
    )
}

/// For responses that are not rendered pages (files, JSON, redirects).
pub const DEFAULT_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; \
     frame-ancestors 'none'";

/// Adds the headers every response carries. `https` adds HSTS.
pub async fn headers(https: bool, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(self), geolocation=(), microphone=(), payment=()"),
    );
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(DEFAULT_CSP),
        );
    }
    if https {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static(cache_policy(&path)),
        );
    }
    res
}

/// Hashed bundle files never change under the same name; fonts rarely; everything else
/// (pages, the service worker, the manifest) is revalidated on every use.
pub fn cache_policy(path: &str) -> &'static str {
    if path.starts_with("/pkg/") {
        "public, max-age=31536000, immutable"
    } else if path.starts_with("/fonts/") || path.starts_with("/icons/") {
        "public, max-age=2592000"
    } else {
        "no-cache"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_policy_allows_only_the_nonce_and_wasm() {
        let csp = page_csp("abc123");
        assert!(csp.contains("script-src 'nonce-abc123' 'strict-dynamic' 'wasm-unsafe-eval';"));
        assert!(csp.contains("frame-ancestors 'none'"));
        assert!(!csp.contains("unsafe-inline"));
        assert!(!csp.contains("'unsafe-eval'"));
    }

    #[test]
    fn hashed_assets_are_immutable_and_pages_revalidate() {
        assert_eq!(
            cache_policy("/pkg/bawaba.abc.wasm"),
            "public, max-age=31536000, immutable"
        );
        assert_eq!(cache_policy("/"), "no-cache");
        assert_eq!(cache_policy("/sw.js"), "no-cache");
    }
}
