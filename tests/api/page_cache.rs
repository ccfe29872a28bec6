//! The cache of public pages (`platform::page_cache`, issue 23): who is answered from it, that
//! each answer carries a fresh nonce in every encoding, and that it never answers a session.

use crate::on_both_backends;
use crate::support::html::visible;
use crate::support::people::{AMINA, signed_in};
use std::io::Read as _;

/// The 2026 tariff shown on `/vignette` (tourism cars of 10 hp or more, under 3 years).
const SHOWN: &str = "25\u{202F}000\u{A0}DZD";
const CHANGED: &str = "26\u{202F}000\u{A0}DZD";
const RAISE: &str =
    "UPDATE vignette_tariffs SET amount_minor = 2600000 WHERE amount_minor = 2500000";

fn nonce_of(res: &reqwest::Response) -> String {
    let csp = res.headers()["content-security-policy"].to_str().unwrap();
    let start = csp.find("'nonce-").expect("a page policy") + "'nonce-".len();
    csp[start..start + csp[start..].find('\'').unwrap()].to_string()
}

/// The headers every layer gives a page, with this response's own values (nonce, request id,
/// length, coding, date) left out: a kept page must carry what a rendered one does.
fn layers_headers(res: &reqwest::Response) -> Vec<(String, String)> {
    let own = [
        "date",
        "content-length",
        "content-encoding",
        "transfer-encoding",
        "vary",
        "x-request-id",
    ];
    let nonce = nonce_of(res);
    let mut headers: Vec<(String, String)> = res
        .headers()
        .iter()
        .filter(|(name, _)| !own.contains(&name.as_str()))
        .map(|(name, value)| {
            let value = value.to_str().unwrap().replace(&nonce, "NONCE");
            (name.to_string(), value)
        })
        .collect();
    headers.sort();
    headers
}

/// The body as the browser reads it, whatever the content coding.
async fn decoded(res: reqwest::Response) -> String {
    let coding = res
        .headers()
        .get("content-encoding")
        .map(|v| v.to_str().unwrap().to_string());
    let bytes = res.bytes().await.unwrap();
    let mut out = String::new();
    match coding.as_deref() {
        Some("br") => brotli::Decompressor::new(&bytes[..], 4096)
            .read_to_string(&mut out)
            .map(|_| ())
            .expect("valid brotli"),
        Some("gzip") => flate2::read::GzDecoder::new(&bytes[..])
            .read_to_string(&mut out)
            .map(|_| ())
            .expect("valid gzip, its checksum included"),
        None => out = String::from_utf8(bytes.to_vec()).unwrap(),
        Some(other) => panic!("unexpected coding {other}"),
    }
    out
}

on_both_backends!(
    public_pages_are_kept_and_each_answer_has_a_fresh_nonce_in_every_encoding,
    |app: &TestApp| async move {
        for path in bawaba::app::SAME_FOR_EVERYONE {
            // The calculator carries the server's minute (its rules read minutes): the kept
            // page and the fresh render below are compared within one minute.
            let second = bawaba::platform::session::now_secs().rem_euclid(60) as u64;
            if second >= 45 {
                tokio::time::sleep(std::time::Duration::from_secs(61 - second)).await;
            }
            let mut pages = Vec::new();
            let mut nonces = std::collections::HashSet::new();
            let mut ids = std::collections::HashSet::new();
            let mut headers = Vec::new();
            for coding in ["br", "gzip", "gzip, deflate, br, zstd", "identity", "br"] {
                let res = app
                    .get_with(
                        path,
                        &[("accept-encoding", coding), ("accept-language", "fr")],
                    )
                    .await;
                assert_eq!(res.status(), 200, "{path} {coding}");
                let sent = res
                    .headers()
                    .get("content-encoding")
                    .map(|v| v.to_str().unwrap().to_string());
                let expected = match coding {
                    "identity" => None,
                    "gzip" => Some("gzip".to_string()),
                    _ => Some("br".to_string()),
                };
                assert_eq!(sent, expected, "{path} asked {coding}");
                assert!(
                    res.headers()["vary"].to_str().unwrap().contains("Cookie"),
                    "{path}"
                );
                let nonce = nonce_of(&res);
                assert!(nonces.insert(nonce.clone()), "{path}: a nonce used twice");
                // The cache is outside the telemetry layers: it gives each answer its own id.
                let id = res.headers()["x-request-id"].to_str().unwrap().to_string();
                assert!(ids.insert(id), "{path}: a request id used twice");
                headers.push(layers_headers(&res));
                let html = decoded(res).await;
                assert!(html.contains("<html lang=\"fr\""), "{path}");
                // Every inline script carries this response's nonce, and no other.
                assert!(html.contains(&format!("nonce=\"{nonce}\"")), "{path}");
                pages.push(html.replace(&nonce, "NONCE"));
            }
            assert!(
                pages.iter().all(|p| *p == pages[0]),
                "{path}: the same page in every encoding"
            );
            // Rendered afresh (another cookie keeps a request from the cache), it is the same page:
            // nothing on it depends on who asks.
            let res = app
                .get_with(
                    path,
                    &[("accept-language", "fr"), ("cookie", "someone=else")],
                )
                .await;
            let nonce = nonce_of(&res);
            let fresh_headers = layers_headers(&res);
            assert!(
                fresh_headers
                    .iter()
                    .any(|(n, v)| n == "x-content-type-options" && v == "nosniff"),
                "{path}: {fresh_headers:?}"
            );
            for kept in &headers {
                assert_eq!(*kept, fresh_headers, "{path}: the kept page's headers");
            }
            let fresh = decoded(res).await.replace(&nonce, "NONCE");
            assert_eq!(fresh, pages[0], "{path}: the kept page is the rendered one");
            // A well-formed request id the client (or the proxy) gave is kept, as the
            // telemetry layers keep it; a malformed one is replaced.
            for (given, kept) in [("trace-42.a", true), ("bad id\"", false)] {
                let res = app
                    .get_with(path, &[("accept-language", "fr"), ("x-request-id", given)])
                    .await;
                let id = res.headers()["x-request-id"].to_str().unwrap().to_string();
                assert_eq!(id == given, kept, "{path}: {given} gave {id}");
            }
        }
    }
);

on_both_backends!(
    a_kept_page_is_answered_without_rendering_and_never_to_a_session,
    |app: &TestApp| async move {
        let anonymous = app.browser("en");
        assert!(anonymous.page("/vignette").await.contains(SHOWN));
        // Signed in (a session cookie): the page is rendered, and kept nowhere.
        let signed_in = signed_in(app, &AMINA, "en").await;
        assert!(signed_in.page("/vignette").await.contains(SHOWN));

        // The amount changes in the database behind the cache's back.
        app.execute(RAISE).await;

        // The anonymous visitor gets the kept page, with the amount it was rendered with.
        assert!(anonymous.page("/vignette").await.contains(SHOWN));
        // The signed-in person's page is rendered again: the cache never answers a session,
        // even for a page it keeps.
        let page = signed_in.page("/vignette").await;
        assert!(page.contains(CHANGED), "{page}");
        // Nor a request with a query string, nor one with any cookie but the language's.
        let res = app
            .get_with("/vignette?from=home", &[("cookie", "i18n_pref_locale=en")])
            .await;
        assert!(visible(&res.text().await.unwrap()).contains(CHANGED));
        let res = app
            .get_with("/vignette", &[("cookie", "i18n_pref_locale=en; other=1")])
            .await;
        assert!(visible(&res.text().await.unwrap()).contains(CHANGED));
        // A session cookie that is not valid (signed out, expired, made up) is still a session
        // cookie: rendered.
        let res = app
            .get_with(
                "/vignette",
                &[("cookie", "i18n_pref_locale=en; bawaba_session=made-up")],
            )
            .await;
        assert!(visible(&res.text().await.unwrap()).contains(CHANGED));
    }
);

on_both_backends!(
    a_kept_page_is_rendered_again_when_it_is_older_than_the_setting,
    with[("BAWABA_PAGE_CACHE_SECONDS", "1".to_string())],
    |app: &TestApp| async move {
        let visitor = app.browser("en");
        assert!(visitor.page("/vignette").await.contains(SHOWN));
        app.execute(RAISE).await;
        assert!(visitor.page("/vignette").await.contains(SHOWN), "kept");
        tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
        assert!(
            visitor.page("/vignette").await.contains(CHANGED),
            "rendered again"
        );
    }
);

on_both_backends!(
    with_the_setting_at_zero_every_request_is_rendered,
    with[("BAWABA_PAGE_CACHE_SECONDS", "0".to_string())],
    |app: &TestApp| async move {
        let visitor = app.browser("en");
        assert!(visitor.page("/vignette").await.contains(SHOWN));
        app.execute(RAISE).await;
        assert!(visitor.page("/vignette").await.contains(CHANGED));
    }
);

on_both_backends!(
    the_language_is_part_of_the_key,
    |app: &TestApp| async move {
        let french = app
            .get_with("/", &[("accept-language", "fr-FR,fr;q=0.9")])
            .await;
        assert!(decoded(french).await.contains("<html lang=\"fr\""));
        // The cookie chosen with the switch wins over Accept-Language, as on a rendered page.
        let arabic = app
            .get_with(
                "/",
                &[("accept-language", "fr"), ("cookie", "i18n_pref_locale=ar")],
            )
            .await;
        assert!(
            decoded(arabic)
                .await
                .contains("<html lang=\"ar\" dir=\"rtl\"")
        );
        let english = app.get_with("/", &[("accept-language", "en-GB")]).await;
        assert!(decoded(english).await.contains("<html lang=\"en\""));
        let none = app.get("/").await;
        assert!(
            decoded(none).await.contains("<html lang=\"ar\""),
            "Arabic by default"
        );
    }
);
