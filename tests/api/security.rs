use crate::on_both_backends;

fn header(res: &reqwest::Response, name: &str) -> String {
    res.headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default()
}

on_both_backends!(
    pages_carry_a_strict_csp_whose_nonce_matches_the_inline_scripts,
    |app: &TestApp| async move {
        let res = app.get("/").await;
        let csp = header(&res, "content-security-policy");
        let html = res.text().await.unwrap();
        let nonce = csp
            .split("'nonce-")
            .nth(1)
            .and_then(|rest| rest.split('\'').next())
            .expect("a nonce in the page's CSP");
        assert!(csp.contains("'wasm-unsafe-eval'"));
        assert!(csp.contains("frame-ancestors 'none'"));
        assert!(!csp.contains("unsafe-inline"));
        // Every script with content carries the nonce. (leptos_i18n renders one empty `<script>`
        // as a hydration placeholder: a browser never runs an empty script, so CSP never sees it.)
        let mut scripts = 0;
        for part in html.split("<script").skip(1) {
            let (tag, rest) = part.split_once('>').unwrap();
            let body = &rest[..rest.find("</script>").unwrap()];
            if body.trim().is_empty() && !tag.contains("src=") {
                continue;
            }
            scripts += 1;
            assert!(
                tag.contains(&format!("nonce=\"{nonce}\"")),
                "script without the nonce: <script{tag}>"
            );
        }
        assert!(
            scripts >= 2,
            "the hydration script and Leptos's resource script"
        );
        // A new nonce for every response.
        let again = header(&app.get("/").await, "content-security-policy");
        assert_ne!(csp, again);
    }
);

on_both_backends!(
    every_response_has_the_security_headers,
    |app: &TestApp| async move {
        for path in ["/", "/healthz", "/sw.js", "/no-such-page"] {
            let res = app.get(path).await;
            assert_eq!(header(&res, "x-content-type-options"), "nosniff", "{path}");
            assert_eq!(
                header(&res, "referrer-policy"),
                "strict-origin-when-cross-origin",
                "{path}"
            );
            assert!(
                header(&res, "content-security-policy").contains("frame-ancestors 'none'"),
                "{path}"
            );
        }
    }
);

on_both_backends!(
    each_request_gets_an_id_and_a_given_one_is_kept,
    |app: &TestApp| async move {
        let res = app.get("/healthz").await;
        assert_eq!(header(&res, "x-request-id").len(), 36, "a UUID");
        let res = app
            .get_with("/healthz", &[("x-request-id", "abc-123")])
            .await;
        assert_eq!(header(&res, "x-request-id"), "abc-123");
    }
);

on_both_backends!(
    pages_are_compressed_for_browsers_that_ask,
    |app: &TestApp| async move {
        let res = app.get_with("/", &[("accept-encoding", "br")]).await;
        assert_eq!(header(&res, "content-encoding"), "br");
        let res = app.get_with("/", &[("accept-encoding", "gzip")]).await;
        assert_eq!(header(&res, "content-encoding"), "gzip");
    }
);

on_both_backends!(
    pages_are_revalidated_and_vary_on_language_inputs,
    |app: &TestApp| async move {
        let res = app.get("/").await;
        assert_eq!(header(&res, "cache-control"), "no-cache");
        assert!(
            header(&res, "vary")
                .to_lowercase()
                .contains("accept-language")
        );
    }
);

on_both_backends!(
    a_cross_site_post_is_refused_and_changes_nothing,
    |app: &TestApp| async move {
        let answer = "/api/id-card/eligibility/answer";
        let body = "step=passport&passport=yes";
        let post = |origin: Option<&'static str>, site: Option<&'static str>| {
            let mut req = app
                .client
                .post(app.url(answer))
                .header("content-type", "application/x-www-form-urlencoded")
                .header("accept", "text/html")
                .body(body);
            if let Some(o) = origin {
                req = req.header("origin", o);
            }
            if let Some(s) = site {
                req = req.header("sec-fetch-site", s);
            }
            req.send()
        };
        for (origin, site) in [
            (Some("https://evil.example"), None),
            (None, Some("cross-site")),
            (Some("null"), None),
        ] {
            let res = post(origin, site).await.unwrap();
            assert_eq!(res.status(), 403, "{origin:?} {site:?}");
            assert!(res.headers().get("set-cookie").is_none());
            let text = res.text().await.unwrap();
            assert!(text.contains("Request refused") && text.contains("طلب مرفوض"));
        }
        let (sessions,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM sessions")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
        assert_eq!(sessions, 0, "nothing was written");

        // The same post from the portal's own page goes through.
        let own = format!("http://{}", app.address);
        let res = app
            .client
            .post(app.url(answer))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("accept", "text/html")
            .header("origin", own)
            .header("sec-fetch-site", "same-origin")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 302);
    }
);
