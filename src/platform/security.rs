//! Security and caching headers for every response.
//!
//! Pages get a Content-Security-Policy with the per-response nonce that Leptos puts on its own
//! inline scripts (set by the shell, see `app::shell`); everything else gets a strict default.
//! `Referrer-Policy` is `strict-origin-when-cross-origin`, not `no-referrer`: forms posted
//! without JavaScript are redirected back to their Referer.
//!
//! Cross-site request forgery: every state-changing request (anything but GET, HEAD, OPTIONS),
//! whether a plain form post or a server-function call, is refused when the browser says it
//! comes from another site (`Sec-Fetch-Site`, else `Origin`, else the Referer's origin).

use super::guard::Check;
use axum::{extract::Request, response::Response};
use http::{HeaderMap, HeaderValue, Method, header};
use std::ops::ControlFlow;

/// Whether a request is a state change sent by a page of another site. `public_origin` is the
/// portal's origin as configured (`https://bawaba.example`); the origin the request was
/// addressed to (its Host) is accepted too, so a portal reached under another name it answers
/// to (localhost for 127.0.0.1) still works. A request with no origin information at all is
/// not from a browser page (browsers send `Origin` on every cross-site POST) and carries no
/// victim's cookies: it is let through.
pub fn is_cross_site(method: &Method, headers: &HeaderMap, public_origin: &str) -> bool {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return false;
    }
    let text = |name: header::HeaderName| headers.get(name).and_then(|v| v.to_str().ok());
    match headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        Some("same-origin") | Some("none") => return false,
        Some("cross-site") => return true,
        // `same-site` (a sibling subdomain) or unknown: decide on the origin below.
        _ => {}
    }
    let origin = text(header::ORIGIN)
        .map(str::to_string)
        .or_else(|| text(header::REFERER).and_then(origin_of));
    let Some(origin) = origin else {
        return false;
    };
    let scheme = public_origin.split("://").next().unwrap_or("http");
    let addressed = text(header::HOST).map(|host| format!("{scheme}://{host}"));
    origin != public_origin && Some(origin.as_str()) != addressed.as_deref()
}

/// `https://host:port` of an absolute URL.
pub fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let host = rest.split(['/', '?', '#']).next()?;
    (!host.is_empty()).then(|| format!("{scheme}://{host}"))
}

/// A layer (`guard::Guard`): refuses cross-site state changes with a 403 page (see
/// `is_cross_site`). Holds the portal's public origin.
#[derive(Clone)]
pub struct RefuseCrossSite(pub std::sync::Arc<str>);

impl Check for RefuseCrossSite {
    type Carry = ();

    fn before(&self, req: &mut Request) -> ControlFlow<Response, ()> {
        if is_cross_site(req.method(), req.headers(), &self.0) {
            tracing::warn!(method = %req.method(), path = %req.uri().path(), "cross-site request refused");
            return ControlFlow::Break(super::plain_pages::cross_site_response());
        }
        ControlFlow::Continue(())
    }
}

/// What to do with a request's path before any layer or route looks at it.
#[derive(Debug, PartialEq, Eq)]
pub enum PathCheck {
    /// Already in its one spelling.
    Canonical,
    /// Another spelling of this path: send the browser there.
    Respell(String),
    /// A path no page of ours has (an encoded slash or backslash, a control character).
    Refuse,
}

/// Every path has one spelling, so that a check made on the path (the sign-in layer, the
/// service worker's lists, the logs) sees what the router will route: percent-encoded
/// unreserved characters are decoded (`/%61dmin` is `/admin`), dot segments are resolved
/// (`/./admin`, `/x/../admin`) and empty segments dropped (`//admin`). The router normalises
/// some of these itself, and a layer that saw the raw path let `/./admin/payments` through
/// (issue 18, finding 1).
pub fn check_path(path: &str) -> PathCheck {
    let bytes = path.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'\\' || b < 0x20 || b == 0x7f {
            return PathCheck::Refuse;
        }
        if b == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok());
            let Some(v) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) else {
                return PathCheck::Refuse;
            };
            match v {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                    decoded.push(v)
                }
                b'/' | b'\\' | 0..0x20 | 0x7f => return PathCheck::Refuse,
                // Anything else stays encoded, its hex digits in capitals (one spelling).
                _ => decoded.extend(format!("%{v:02X}").bytes()),
            }
            i += 3;
            continue;
        }
        decoded.push(b);
        i += 1;
    }
    let Ok(decoded) = String::from_utf8(decoded) else {
        return PathCheck::Refuse;
    };
    let mut segments: Vec<&str> = Vec::new();
    let raw: Vec<&str> = decoded.split('/').skip(1).collect();
    for (n, segment) in raw.iter().enumerate() {
        let last = n + 1 == raw.len();
        match *segment {
            "." => {}
            ".." => {
                segments.pop();
            }
            // A trailing slash is kept (`/vehicles/`); an empty segment inside is dropped.
            "" if !last => {}
            s => segments.push(s),
        }
    }
    let mut canonical = format!("/{}", segments.join("/"));
    if matches!(raw.last(), Some(&".") | Some(&"..")) && canonical != "/" {
        canonical.push('/');
    }
    if canonical == path {
        PathCheck::Canonical
    } else {
        PathCheck::Respell(canonical)
    }
}

/// A layer, outside every other that reads the path: a path in another spelling is sent to its
/// one spelling (308, so a post stays a post), and a path no page has is refused (400).
#[derive(Clone)]
pub struct CanonicalPaths;

impl Check for CanonicalPaths {
    type Carry = ();

    fn before(&self, req: &mut Request) -> ControlFlow<Response, ()> {
        use axum::response::IntoResponse;
        match check_path(req.uri().path()) {
            PathCheck::Canonical => ControlFlow::Continue(()),
            PathCheck::Respell(path) => {
                let to = match req.uri().query() {
                    Some(q) => format!("{path}?{q}"),
                    None => path,
                };
                tracing::warn!(path = %req.uri().path(), to = %to, "path respelled");
                ControlFlow::Break(
                    (
                        http::StatusCode::PERMANENT_REDIRECT,
                        [(header::LOCATION, to)],
                    )
                        .into_response(),
                )
            }
            PathCheck::Refuse => {
                tracing::warn!(path = %req.uri().path(), "path refused");
                ControlFlow::Break(http::StatusCode::BAD_REQUEST.into_response())
            }
        }
    }
}

/// The policy for server-rendered pages. `'strict-dynamic'` lets the nonce'd hydration script
/// import the bundle; `'wasm-unsafe-eval'` allows compiling the WebAssembly and nothing else.
pub fn page_csp(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'nonce-{nonce}' 'strict-dynamic' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; font-src 'none'; connect-src 'self'; \
         manifest-src 'self'; worker-src 'self'; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'"
    )
}

/// For responses that are not rendered pages (files, JSON, redirects).
pub const DEFAULT_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; \
     frame-ancestors 'none'";

/// A layer (`guard::Guard`): the headers every response carries. `https` adds HSTS.
#[derive(Clone)]
pub struct Headers {
    pub https: bool,
}

/// What the response's headers depend on in the request.
pub struct AskedFor {
    https: bool,
    /// Asked with a session, or a server function (see `depends_on_session`).
    personally: bool,
    /// The caching policy of the path when the answer is not personal.
    policy: &'static str,
}

impl Check for Headers {
    type Carry = AskedFor;

    fn before(&self, req: &mut Request) -> ControlFlow<Response, AskedFor> {
        let path = req.uri().path();
        let with_session = super::session::token_from(req.headers(), self.https).is_some();
        ControlFlow::Continue(AskedFor {
            https: self.https,
            personally: depends_on_session(path, with_session),
            policy: cache_policy(path),
        })
    }

    fn after(asked: AskedFor, res: &mut Response) {
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
        // The camera for document photos; the position for "nearest centre first", which the
        // page asks for only when the person presses its button.
        h.insert(
            "permissions-policy",
            HeaderValue::from_static(
                "camera=(self), geolocation=(self), microphone=(), payment=()",
            ),
        );
        if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
            h.insert(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(DEFAULT_CSP),
            );
        }
        if asked.https {
            h.insert(
                header::STRICT_TRANSPORT_SECURITY,
                HeaderValue::from_static("max-age=31536000; includeSubDomains"),
            );
        }
        // A handler that declares its answer public (the published keys) knows it is the same
        // for everyone; anything else asked with a session is personal.
        let declared_public = h
            .get(header::CACHE_CONTROL)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("public"));
        let personal = !declared_public && (asked.personally || h.contains_key(header::SET_COOKIE));
        if personal {
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static(PERSONAL));
        } else if !h.contains_key(header::CACHE_CONTROL) {
            h.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static(asked.policy),
            );
        }
    }
}

/// What a response that depends on the session carries: no shared cache, no browser cache,
/// no service worker may keep it (issue 18, finding 5).
pub const PERSONAL: &str = "private, no-store";

/// Whether the answer to a request may depend on who sent it: anything asked with a session
/// cookie (pages, server functions, downloads), and every server function's answer; not the
/// bundle's files and icons, which are the same for everyone.
pub fn depends_on_session(path: &str, with_session: bool) -> bool {
    let shared_file = ["/pkg/", "/icons/"].iter().any(|p| path.starts_with(p)) || path == "/sw.js";
    !shared_file && (with_session || path.starts_with("/api/"))
}

/// Hashed bundle files never change under the same name; icons rarely; everything else
/// (pages, the service worker, the manifest) is revalidated on every use.
pub fn cache_policy(path: &str) -> &'static str {
    if path.starts_with("/pkg/") {
        "public, max-age=31536000, immutable"
    } else if path.starts_with("/icons/") {
        "public, max-age=2592000"
    } else {
        "no-cache"
    }
}

/// The address a request came from, for rate limits. Behind a reverse proxy every request
/// comes from the proxy, so `BAWABA_CLIENT_IP_HEADER` names the header it sets
/// (`X-Forwarded-For`: its last entry, the one the proxy added; `X-Real-IP`); without it the
/// TCP peer address is used.
pub fn client_ip_of(parts: &http::request::Parts, header: Option<&str>) -> String {
    client_ip_from(&parts.headers, &parts.extensions, header)
}

/// `client_ip_of` for a layer, which has the request's headers and extensions.
pub fn client_ip_from(
    headers: &HeaderMap,
    extensions: &http::Extensions,
    header: Option<&str>,
) -> String {
    let from_header = header.and_then(|name| {
        headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .rfind(|v| v.parse::<std::net::IpAddr>().is_ok())
            .map(str::to_string)
    });
    from_header
        .or_else(|| {
            extensions
                .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
                .map(|c| c.0.ip().to_string())
        })
        .unwrap_or_else(|| "unknown".into())
}

/// In a server function: the caller's address (see `client_ip_of`).
pub fn client_ip(config: &super::config::Config) -> String {
    leptos::prelude::use_context::<http::request::Parts>()
        .map(|p| client_ip_of(&p, config.client_ip_header.as_deref()))
        .unwrap_or_else(|| "unknown".into())
}

/// In a server function: the caller's `User-Agent`, for the activity page.
pub fn user_agent() -> Option<String> {
    leptos::prelude::use_context::<http::request::Parts>().and_then(|p| {
        p.headers
            .get(http::header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.chars().take(200).collect())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    const PORTAL: &str = "https://bawaba.example";

    #[test]
    fn a_path_has_one_spelling() {
        let respell = |p: &str| PathCheck::Respell(p.to_string());
        assert_eq!(check_path("/admin/payments"), PathCheck::Canonical);
        assert_eq!(check_path("/"), PathCheck::Canonical);
        assert_eq!(check_path("/vehicles/"), PathCheck::Canonical);
        assert_eq!(check_path("/./admin/payments"), respell("/admin/payments"));
        assert_eq!(check_path("/x/../admin"), respell("/admin"));
        assert_eq!(check_path("/../../admin"), respell("/admin"));
        assert_eq!(check_path("//admin//payments"), respell("/admin/payments"));
        assert_eq!(check_path("/%61dmin/payments"), respell("/admin/payments"));
        assert_eq!(check_path("/%2e/admin"), respell("/admin"));
        assert_eq!(check_path("/%2E%2E/admin"), respell("/admin"));
        assert_eq!(check_path("/admin/."), respell("/admin/"));
        assert_eq!(check_path("/."), respell("/"));
        assert_eq!(check_path("/a%3ab"), respell("/a%3Ab"));
        assert_eq!(check_path("/a%3Ab"), PathCheck::Canonical);
        for refused in [
            "/admin%2fpayments",
            "/admin%2Fpayments",
            "/a\\b",
            "/a%5cb",
            "/a%00",
            "/a%zz",
            "/a%4",
        ] {
            assert_eq!(check_path(refused), PathCheck::Refuse, "{refused}");
        }
    }

    #[test]
    fn state_changes_from_another_site_are_cross_site() {
        let post = Method::POST;
        assert!(is_cross_site(
            &post,
            &headers(&[("origin", "https://evil.example")]),
            PORTAL
        ));
        assert!(is_cross_site(
            &post,
            &headers(&[("sec-fetch-site", "cross-site")]),
            PORTAL
        ));
        assert!(is_cross_site(
            &post,
            &headers(&[("origin", "null")]),
            PORTAL
        ));
        assert!(is_cross_site(
            &post,
            &headers(&[("referer", "https://evil.example/page?x=1")]),
            PORTAL
        ));
        // A sibling subdomain is another site for us.
        assert!(is_cross_site(
            &post,
            &headers(&[
                ("sec-fetch-site", "same-site"),
                ("origin", "https://x.bawaba.example")
            ]),
            PORTAL
        ));
    }

    #[test]
    fn our_own_pages_reads_and_non_browser_clients_pass() {
        let post = Method::POST;
        assert!(!is_cross_site(
            &post,
            &headers(&[("origin", PORTAL)]),
            PORTAL
        ));
        assert!(!is_cross_site(
            &post,
            &headers(&[("sec-fetch-site", "same-origin")]),
            PORTAL
        ));
        assert!(!is_cross_site(
            &post,
            &headers(&[("referer", "https://bawaba.example/id-card")]),
            PORTAL
        ));
        assert!(!is_cross_site(
            &post,
            &headers(&[
                ("origin", "https://localhost:3000"),
                ("host", "localhost:3000")
            ]),
            PORTAL
        ));
        assert!(!is_cross_site(&post, &HeaderMap::new(), PORTAL));
        assert!(!is_cross_site(
            &Method::GET,
            &headers(&[("origin", "https://evil.example")]),
            PORTAL
        ));
    }

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
