//! Issue 18: the findings of the outside security review, each as the reviewer reproduced it.
//! Every test here failed on the main branch the review read.

use crate::{
    on_both_backends,
    support::{
        app::{Browser, TestApp},
        mail::deliver_mail,
        payments::paid_order,
        people::{
            AMINA, KARIM, PASSWORD, SAMIRA, administrator, administrator_without_second_step,
            registered_and_confirmed, sign_in, signed_in,
        },
        vignette::add,
    },
};
use bawaba::server::{page_paths, plain_routes};

/// A server function called as a script calls it (no `Accept: text/html`, no Referer).
async fn call(b: &Browser, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
    b.client
        .post(format!("{}{path}", b.base))
        .form(form)
        .send()
        .await
        .expect("request")
}

fn location(res: &reqwest::Response) -> String {
    res.headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default()
}

/// A request sent byte for byte as written: an HTTP client library resolves dot segments (and
/// `%2e`) before sending, as browsers do, but a script need not. Returns the status and the
/// `Location` header.
async fn raw(b: &Browser, method: &str, path: &str, body: &str) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let host = b.base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(host).await.unwrap();
    let cookie = b
        .session_token()
        .map(|t| format!("Cookie: bawaba_session={t}\r\n"))
        .unwrap_or_default();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n{cookie}\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    let answer = String::from_utf8_lossy(&answer);
    let status = answer[9..12].parse().unwrap();
    let location = answer
        .lines()
        .take_while(|l| !l.is_empty())
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("location")
                .then(|| v.trim().to_string())
        })
        .unwrap_or_default();
    (status, location)
}

/// Other spellings of a path that the router (or a browser) takes for the same address.
fn spellings(path: &str) -> Vec<String> {
    let rest = path.trim_start_matches('/');
    let first = rest.chars().next().unwrap();
    vec![
        format!("/./{rest}"),
        format!("//{rest}"),
        format!("/nothing/../{rest}"),
        format!("/%2e/{rest}"),
        format!("/%{:02x}{}", first as u32, &rest[first.len_utf8()..]),
    ]
}

async fn refunded_minor(app: &TestApp, payment: &str) -> i64 {
    let (minor,): (i64,) = sqlx::query_as("SELECT refunded_minor FROM payments WHERE id = $1")
        .bind(payment)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    minor
}

on_both_backends!(
    staff_functions_and_pages_need_the_role_the_second_step_and_a_confirmed_address,
    |app: &TestApp| async move {
        let (_payer, paid) = paid_order(app, "en").await;
        let citizen = signed_in(app, &KARIM, "en").await;
        let half_admin = administrator_without_second_step(app, &SAMIRA).await;
        let stranger = app.browser("en");

        // Every staff server function, from the registry the router serves them from.
        let functions: Vec<&str> = leptos::server_fn::axum::server_fn_paths()
            .map(|(path, _)| path)
            .filter(|p| p.starts_with("/api/admin/"))
            .collect();
        assert!(functions.len() >= 8, "{functions:?}");
        let form = [
            ("payment_id", paid.as_str()),
            ("key", "review-key"),
            ("amount", "1"),
            ("reason", "probe"),
            ("day", "2026-11-30"),
            ("reference", "PAY-X"),
            ("flag_id", "x"),
            ("resolution", "probe"),
            ("id", "x"),
            ("decision", "keep"),
        ];
        for (who, label) in [
            (&stranger, "signed out"),
            (&citizen, "citizen"),
            (&half_admin, "administrator without a second step"),
        ] {
            for path in &functions {
                let res = call(who, path, &form).await;
                assert_eq!(res.status(), 404, "{label}: POST {path}");
                let body = res.text().await.unwrap();
                assert!(!body.contains(AMINA.email), "{label}: {path} leaks");
            }
        }
        assert_eq!(refunded_minor(app, &paid).await, 0, "nothing was refunded");

        // Every staff page, from the route table and the plain routes.
        let mut pages: Vec<String> = page_paths()
            .into_iter()
            .chain(plain_routes().into_iter().map(|r| r.path.to_string()))
            .filter(|p| p.starts_with("/admin/"))
            .map(|p| p.replace("{id}", &paid))
            .map(|p| {
                if p.ends_with(".csv") {
                    format!("{p}?day=2026-11-30")
                } else {
                    p
                }
            })
            .collect();
        pages.sort();
        pages.dedup();
        assert!(pages.len() >= 4, "{pages:?}");
        for page in &pages {
            let res = stranger.get(page).await;
            assert_eq!(res.status(), 302, "signed out: {page}");
            assert!(location(&res).starts_with("/sign-in?next="), "{page}");
            let res = citizen.get(page).await;
            assert_eq!(res.status(), 404, "citizen: {page}");
            let res = half_admin.get(page).await;
            assert_eq!(res.status(), 302, "half administrator: {page}");
            assert_eq!(location(&res), "/account/two-step", "{page}");
            // Another spelling of the same address is sent to the one spelling first, so
            // every check sees the path the router routes.
            for other in spellings(page.split('?').next().unwrap()) {
                for who in [&stranger, &citizen, &half_admin] {
                    let (status, to) = raw(who, "GET", &other, "").await;
                    assert_eq!(status, 308, "GET {other}");
                    assert_eq!(to, page.split('?').next().unwrap(), "GET {other}");
                }
            }
        }
        for path in &functions {
            for other in spellings(path) {
                let (status, to) = raw(&half_admin, "POST", &other, "day=2026-11-30").await;
                assert!(status == 308 && to == *path, "POST {other}: {status} {to}");
            }
        }
        // An encoded slash names no page of ours.
        let (status, _) = raw(&half_admin, "GET", "/admin%2Fpayments", "").await;
        assert_eq!(status, 400);
        assert_eq!(refunded_minor(app, &paid).await, 0, "nothing was refunded");

        // Once the second step is set up, the same administrator reaches all of it.
        drop(half_admin);
        let admin = {
            app.execute(&format!(
                "DELETE FROM accounts WHERE email = '{}'",
                SAMIRA.email
            ))
            .await;
            administrator(app).await
        };
        for page in &pages {
            assert_eq!(admin.get(page).await.status(), 200, "administrator: {page}");
        }
        let res = call(
            &admin,
            "/api/admin/payments/view",
            &[("payment_id", paid.as_str())],
        )
        .await;
        assert_eq!(res.status(), 200);
        assert!(res.text().await.unwrap().contains(AMINA.email));
        // An administrator whose address is not confirmed is not one yet.
        app.execute(&format!(
            "UPDATE accounts SET email_verified_at = NULL WHERE email = '{}'",
            SAMIRA.email
        ))
        .await;
        let res = call(
            &admin,
            "/api/admin/payments/view",
            &[("payment_id", paid.as_str())],
        )
        .await;
        assert_eq!(res.status(), 404);
    }
);

on_both_backends!(
    wrong_passwords_typed_inside_a_session_lock_the_account_and_end_the_session,
    |app: &TestApp| async move {
        let b = signed_in(app, &AMINA, "en").await;
        let start = "/api/account/change/start";
        let wrong = [
            ("what", "Email"),
            ("new", "thief@example.dz"),
            ("password", "not the password at all"),
        ];
        for _ in 0..4 {
            assert_eq!(b.post_form(start, &wrong).await, "/account/change-email");
        }
        // The fifth locks the account, like five wrong passwords at the sign-in page, and the
        // session that guessed is over.
        assert_eq!(b.post_form(start, &wrong).await, "/signed-out?locked=1");
        assert!(
            b.page("/signed-out?locked=1")
                .await
                .contains("Too many wrong passwords")
        );
        let res = b.get("/account").await;
        assert_eq!(res.status(), 302, "signed out");
        // The right password now changes nothing: the session is gone and the account locked.
        let right = [
            ("what", "Email"),
            ("new", "thief@example.dz"),
            ("password", PASSWORD),
        ];
        let res = call(&b, start, &right).await;
        assert_eq!(res.status(), 404);
        let other = app.browser("en");
        assert_eq!(sign_in(&other, AMINA.email, PASSWORD).await, "/sign-in");
        assert!(
            other
                .page("/sign-in")
                .await
                .contains("Too many wrong passwords")
        );
        let (n,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM outbox WHERE recipient = 'thief@example.dz'")
                .fetch_one(app.db.pool())
                .await
                .unwrap();
        assert_eq!(n, 0, "no code went to the thief's address");

        // Turning the second step off counts the same way.
        app.execute("DELETE FROM throttles").await;
        let c = signed_in(app, &KARIM, "en").await;
        crate::support::people::turn_on_app(&c).await;
        for _ in 0..4 {
            let to = c
                .post_form(
                    "/api/account/two-step/off",
                    &[("password", "guess guess guess")],
                )
                .await;
            assert_eq!(to, "/account/two-step");
        }
        let to = c
            .post_form(
                "/api/account/two-step/off",
                &[("password", "guess guess guess")],
            )
            .await;
        assert_eq!(to, "/signed-out?locked=1");
        let (still_on,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM second_factors f JOIN accounts a ON a.id = f.account_id \
             WHERE a.email = $1 AND f.confirmed_at IS NOT NULL",
        )
        .bind(KARIM.email)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
        assert_eq!(still_on, 1, "the second step is still on");
    }
);

async fn draft_bytes(app: &TestApp) -> i64 {
    let (n,): (i64,) = sqlx::query_as("SELECT COALESCE(MAX(LENGTH(answers)), 0) FROM drafts")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    n
}

on_both_backends!(
    an_anonymous_visitor_cannot_grow_the_database_without_limit,
    |app: &TestApp| async move {
        // A 1.9 MB "name": told it is too long, and the draft keeps no more than a name takes.
        let b = app.browser("en");
        let huge = "x".repeat(1_900_000);
        let to = b
            .post_form(
                "/api/account/register/answer",
                &[
                    ("step", "about-you"),
                    ("full_name", &huge),
                    ("dob_day", &"9".repeat(100_000)),
                    ("dob_month", "3"),
                    ("dob_year", "1990"),
                    ("nationality", "12"),
                ],
            )
            .await;
        assert_eq!(to, "/register/about-you");
        let page = b.page("/register/about-you").await;
        assert!(page.contains("100 characters"), "{page}");
        let bytes = draft_bytes(app).await;
        assert!(bytes < 2_000, "the draft holds {bytes} bytes");

        // The same for the eligibility check, and for every journey: fields are cut first.
        let to = b
            .post_form(
                "/api/id-card/eligibility/answer",
                &[("step", "passport"), ("passport", &"y".repeat(500_000))],
            )
            .await;
        assert!(to.starts_with("/id-card/eligibility/"), "{to}");
        assert!(draft_bytes(app).await < 2_000);

        // New sessions from one address are limited; reading pages is not.
        let limit = bawaba::platform::session::NEW_SESSIONS_PER_ADDRESS.max;
        let before = sessions(app).await;
        let mut refused = None;
        for n in 0..limit + 5 {
            let fresh = app.browser("en");
            let res = fresh
                .client
                .post(app.url("/api/id-card/eligibility/answer"))
                .header("accept", "text/html")
                .form(&[("step", "passport"), ("passport", "yes")])
                .send()
                .await
                .unwrap();
            if res.status() == 429 {
                assert!(res.headers().contains_key("retry-after"));
                assert!(res.text().await.unwrap().contains("Too many requests"));
                refused = Some(n);
                break;
            }
            assert_eq!(res.status(), 302);
        }
        // One session was made by the browser above (its first answer).
        assert_eq!(refused, Some(limit - 1), "refused once the limit is spent");
        assert_eq!(sessions(app).await - before, limit - 1);
        assert_eq!(app.browser("en").get("/").await.status(), 200);
        // A gateway's server posting from that address starts no session, so none is refused
        // to it: its handler answers (401, unsigned), not the limit (429).
        let notified = app
            .client
            .post(app.url("/payments/notify/sandbox"))
            .header("content-type", "application/json")
            .body("{}")
            .send()
            .await
            .unwrap();
        assert_eq!(notified.status(), 401);
        assert_eq!(sessions(app).await - before, limit - 1);
        // A visitor who already has a session goes on saving answers.
        let to = b
            .post_form(
                "/api/id-card/eligibility/answer",
                &[("step", "passport"), ("passport", "yes")],
            )
            .await;
        assert!(to.starts_with("/id-card/eligibility/"), "{to}");
    }
);

async fn sessions(app: &TestApp) -> i64 {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM sessions")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    n
}

/// Five wrong passwords for `email` from a stranger's browser: the account is locked.
async fn lock_out(app: &TestApp, email: &str) {
    let stranger = app.browser("fr");
    for _ in 0..5 {
        sign_in(&stranger, email, "a wrong guess of the password").await;
    }
    let other = app.browser("en");
    assert_eq!(sign_in(&other, email, PASSWORD).await, "/sign-in");
    assert!(
        other
            .page("/sign-in")
            .await
            .contains("Too many wrong passwords")
    );
}

on_both_backends!(
    a_lock_that_strangers_caused_lets_the_holder_in_by_an_e_mailed_link,
    |app: &TestApp| async move {
        let holder = app.browser("en");
        registered_and_confirmed(app, &holder, &AMINA).await;
        holder.post_form("/api/account/sign-out", &[]).await;
        deliver_mail(app).await;
        lock_out(app, AMINA.email).await;

        // The holder is told, in the language the portal last wrote to them in (English
        // here, although the stranger reads French), with a link that works once.
        let sink = deliver_mail(app).await;
        let mail = sink
            .messages()
            .into_iter()
            .rfind(|m| m.to.iter().any(|t| t == AMINA.email))
            .expect("an e-mail to the holder");
        let data = mail.data.replace("=\r\n", "").replace("=\n", "");
        assert!(
            data.contains("Signing in to your Bawaba account is paused"),
            "{data}"
        );
        let start = data.find("/sign-in/pass/").expect("the link");
        let link = &data[start..start + "/sign-in/pass/".len() + 64];
        let page = holder.page(link).await;
        assert!(page.contains("Continue to sign in"), "{page}");
        let token = link.rsplit('/').next().unwrap();
        let to = holder
            .post_form("/api/account/sign-in/pass", &[("token", token)])
            .await;
        assert_eq!(to, "/sign-in?pass=1");
        assert!(
            holder
                .page(&to)
                .await
                .contains("This device can now sign in")
        );
        assert_eq!(sign_in(&holder, AMINA.email, PASSWORD).await, "/account");
        assert_eq!(holder.get("/account").await.status(), 200);
        // Signed in while the lock lasts, a password asked again is not checked (nobody can
        // guess through it) and the holder stays signed in.
        let to = holder
            .post_form(
                "/api/account/change/start",
                &[
                    ("what", "Email"),
                    ("new", "amina.b@example.dz"),
                    ("password", PASSWORD),
                ],
            )
            .await;
        assert_eq!(to, "/account/change-email");
        assert!(holder.page(&to).await.contains("Too many wrong passwords"));
        assert_eq!(holder.get("/account").await.status(), 200);

        // Everyone else is still locked out; the link does not work twice; and a new lock
        // within the hour sends no second e-mail.
        let other = app.browser("en");
        assert_eq!(sign_in(&other, AMINA.email, PASSWORD).await, "/sign-in");
        let again = app.browser("en");
        let to = again
            .post_form("/api/account/sign-in/pass", &[("token", token)])
            .await;
        assert_eq!(to, "/sign-in?pass=dead");
        app.execute("UPDATE throttles SET locked_until = NULL WHERE key LIKE 'sign-in:account:%'")
            .await;
        lock_out(app, AMINA.email).await;
        let sink = deliver_mail(app).await;
        assert!(
            !sink
                .messages()
                .iter()
                .any(|m| m.data.contains("/sign-in/pass/")),
            "one e-mail an hour"
        );
    }
);

on_both_backends!(
    the_lock_stops_doubling_after_a_quiet_day,
    |app: &TestApp| async move {
        let b = app.browser("en");
        registered_and_confirmed(app, &b, &AMINA).await;
        b.post_form("/api/account/sign-out", &[]).await;
        lock_out(app, AMINA.email).await;
        // A day later the lock is over, and nobody has failed since.
        let day = bawaba::platform::throttle::QUIET_SECS + 60;
        app.execute(&format!(
            "UPDATE throttles SET locked_until = locked_until - {day}, \
             window_started_at = window_started_at - {day} WHERE key LIKE 'sign-in:account:%'"
        ))
        .await;
        // One more wrong password starts the count again: no lock (it would be 10 minutes
        // if the count went on).
        let stranger = app.browser("en");
        sign_in(&stranger, AMINA.email, "one more wrong guess").await;
        let page = stranger.page("/sign-in").await;
        assert!(!page.contains("Too many wrong passwords"), "{page}");
        assert_eq!(sign_in(&b, AMINA.email, PASSWORD).await, "/account");
    }
);

on_both_backends!(
    every_answer_that_depends_on_the_session_is_private_and_not_stored,
    |app: &TestApp| async move {
        let (payer, paid) = paid_order(app, "en").await;
        let car = add(app, &payer, "12345-119-16", &[]).await;
        for path in [
            "/account".to_string(),
            "/account/activity".to_string(),
            format!("/payments/{paid}"),
            "/vehicles".to_string(),
            format!("/vehicles/{car}"),
            "/vignette/buy".to_string(),
            // A public page, asked with a session: it shows who is signed in.
            "/".to_string(),
        ] {
            let res = payer.get(&path).await;
            assert_eq!(res.status(), 200, "{path}");
            assert_eq!(
                res.headers()["cache-control"],
                "private, no-store",
                "{path}"
            );
        }
        let res = call(&payer, "/api/vehicles/list", &[]).await;
        assert_eq!(res.headers()["cache-control"], "private, no-store");
        // Files are the same for everyone; a visitor without a session gets pages revalidated.
        let res = payer.get("/sw.js").await;
        assert_eq!(res.headers()["cache-control"], "no-cache");
        let res = app.browser("en").get("/").await;
        assert_eq!(res.headers()["cache-control"], "no-cache");
        // A response that starts a session is private too.
        let res = app
            .browser("en")
            .client
            .post(app.url("/api/id-card/eligibility/answer"))
            .form(&[("step", "passport"), ("passport", "yes")])
            .send()
            .await
            .unwrap();
        assert!(res.headers().contains_key("set-cookie"));
        assert_eq!(res.headers()["cache-control"], "private, no-store");
    }
);

on_both_backends!(
    direction_overrides_and_control_characters_are_taken_out_of_free_text,
    |app: &TestApp| async move {
        let b = app.browser("en");
        let to = b
            .post_form(
                "/api/account/register/answer",
                &[
                    ("step", "about-you"),
                    (
                        "full_name",
                        "Bob \u{202E}gnp.exe\u{202C} Bel\u{0}kacem\u{2066}",
                    ),
                    ("dob_day", "27"),
                    ("dob_month", "3"),
                    ("dob_year", "1990"),
                    ("nationality", "12"),
                ],
            )
            .await;
        assert_eq!(to, "/register/identity", "accepted, cleaned");
        let (answers,): (String,) = sqlx::query_as("SELECT answers FROM drafts")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
        assert!(answers.contains("Bob gnp.exe Belkacem"), "{answers}");
        for c in ['\u{202E}', '\u{202C}', '\u{0}', '\u{2066}'] {
            assert!(!answers.contains(c));
        }
        // Arabic joiners are letters' business, and stay.
        let to = b
            .post_form(
                "/api/account/register/answer",
                &[
                    ("step", "about-you"),
                    ("full_name", "عبد\u{200C}الله"),
                    ("dob_day", "27"),
                    ("dob_month", "3"),
                    ("dob_year", "1990"),
                    ("nationality", "12"),
                ],
            )
            .await;
        assert_eq!(to, "/register/identity");
        let (answers,): (String,) = sqlx::query_as("SELECT answers FROM drafts")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
        assert!(
            answers.contains("عبد\u{200C}الله") || answers.contains("\\u200c"),
            "{answers}"
        );

        // A file's name, as an administrator or the owner reads it on the import report.
        let owner = signed_in(app, &KARIM, "en").await;
        let template = owner
            .get("/vehicles/import/template.csv")
            .await
            .text()
            .await
            .unwrap();
        let to = crate::support::vignette::upload(
            app,
            &owner,
            "fleet\u{202E}vsc.exe\u{202C}.csv",
            template.as_bytes(),
        )
        .await;
        assert!(to.starts_with("/vehicles/import/report/"), "{to}");
        let (name,): (String,) = sqlx::query_as("SELECT file_name FROM vehicle_imports")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
        assert_eq!(name, "fleetvsc.exe.csv");

        // The address to come back to after signing in is one of ours, plainly spelled.
        let to = b
            .post_form(
                "/api/account/sign-in",
                &[
                    ("identifier", "nobody@example.dz\u{0}"),
                    ("password", "x"),
                    ("next", "/vehicles/\u{202E}fdp.exe"),
                ],
            )
            .await;
        assert_eq!(to, "/sign-in?next=/");
    }
);

on_both_backends!(
    a_refused_request_answers_404_and_a_malformed_request_id_is_replaced,
    |app: &TestApp| async move {
        let amina = signed_in(app, &AMINA, "en").await;
        let car = add(app, &amina, "12345-119-16", &[]).await;
        let karim = signed_in(app, &KARIM, "en").await;
        for (path, form) in [
            ("/api/vehicles/remove", vec![("id", car.as_str())]),
            ("/api/vehicles/form", vec![("id", car.as_str())]),
            ("/api/vignette/quote", vec![("vehicle_id", car.as_str())]),
        ] {
            let res = call(&karim, path, &form).await;
            assert_eq!(res.status(), 404, "{path}");
        }
        let (still,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM vehicles WHERE id = $1")
            .bind(&car)
            .fetch_one(app.db.pool())
            .await
            .unwrap();
        assert_eq!(still, 1);

        let res = app
            .get_with("/healthz", &[("x-request-id", "x\" level=\"error")])
            .await;
        let id = res.headers()["x-request-id"].to_str().unwrap().to_string();
        assert_eq!(id.len(), 36, "replaced by a UUID: {id}");
        let res = app
            .get_with("/healthz", &[("x-request-id", &"a".repeat(65))])
            .await;
        assert_eq!(res.headers()["x-request-id"].len(), 36);
    }
);

on_both_backends!(
    the_sandbox_gateway_is_mounted_only_as_the_gateway_and_signs_method_and_path,
    |app: &TestApp| async move {
        use bawaba::platform::{gateway::signature, session::now_secs};
        let (_payer, paid) = paid_order(app, "en").await;
        let key = crate::support::payments::sandbox_key(app);
        let lookup = |merchant_ref: &str| format!("/api/payments/by-merchant-ref/{merchant_ref}");
        let get = |path: String, header: String| {
            app.client
                .get(app.url(&format!("/sandbox-pay{path}")))
                .header(signature::HEADER, header)
                .send()
        };
        // Signed as before the review: over the (empty) body only. Refused.
        let res = get(lookup(&paid), signature::sign(&key, now_secs(), b""))
            .await
            .unwrap();
        assert_eq!(res.status(), 401);
        // A signature made for another payment's address. Refused.
        let other = signature::request_message("GET", &lookup("someone-else"), b"");
        let res = get(lookup(&paid), signature::sign(&key, now_secs(), &other))
            .await
            .unwrap();
        assert_eq!(res.status(), 401);
        // Its own: the payment.
        let own = signature::request_message("GET", &lookup(&paid), b"");
        let res = get(lookup(&paid), signature::sign(&key, now_secs(), &own))
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        let view: serde_json::Value = serde_json::from_str(&res.text().await.unwrap()).unwrap();
        let id = view["id"].as_str().unwrap().to_string();
        // A refund signed for another payment's address refunds nothing.
        let body = br#"{"refund_id":"r1","amount_minor":100}"#;
        let elsewhere = signature::request_message("POST", "/api/payments/other/refunds", body);
        let res = app
            .client
            .post(app.url(&format!("/sandbox-pay/api/payments/{id}/refunds")))
            .header(
                signature::HEADER,
                signature::sign(&key, now_secs(), &elsewhere),
            )
            .header("content-type", "application/json")
            .body(body.to_vec())
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 401);

        // With the real gateway configured, the sandbox is not there at all.
        let epay = crate::support::app::spawn_app_with(
            app.backend(),
            &[
                ("BAWABA_PAYMENT_GATEWAY", "epay".into()),
                ("BAWABA_EPAY_URL", "http://127.0.0.1:9".into()),
                ("BAWABA_EPAY_USER", "merchant".into()),
                ("BAWABA_EPAY_PASSWORD", "secret".into()),
            ],
        )
        .await
        .unwrap();
        for path in [
            "/sandbox-pay/pay/x",
            "/sandbox-pay/api/payments",
            "/sandbox-pay/assets/sandbox.css",
        ] {
            assert_eq!(epay.get(path).await.status(), 404, "{path}");
        }
        assert_eq!(
            app.get("/sandbox-pay/assets/sandbox.css").await.status(),
            200
        );
        epay.cleanup().await;
    }
);
