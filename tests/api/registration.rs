//! Registration, e-mail confirmation, sign-in and sign-out, through HTTP as a browser without
//! JavaScript does them: forms posted, redirects followed, cookies kept. The confirmation
//! code is read from the e-mail delivered over real SMTP (a sink on loopback).

use crate::{
    on_both_backends,
    support::{
        mail::{SmtpSink, code_for, deliver_mail, link_for},
        people::{AMINA, KARIM, PASSWORD, Person, register, registered_and_confirmed, sign_in},
    },
};

on_both_backends!(
    a_new_user_registers_confirms_signs_out_and_signs_in_again,
    |app: &TestApp| async move {
        let b = app.browser("en");
        assert_eq!(register(&b, &AMINA).await, "/account/verify-email");
        let page = b.page("/account/verify-email").await;
        assert!(page.contains("amina@example.dz"), "{page}");
        // Not signed in yet: the header offers to sign in.
        assert!(page.contains(">Sign in</a>"));
        let sink = deliver_mail(app).await;
        let code = code_for(&sink, AMINA.email);
        let before = b.session_token().unwrap();
        let next = b
            .post_form("/api/account/verify-email/code", &[("code", &code)])
            .await;
        assert_eq!(next, "/account/verify-email/done");
        assert_ne!(
            b.session_token().unwrap(),
            before,
            "a new session id at sign-in"
        );
        let profile = b.page("/account").await;
        assert!(
            profile.contains("Amina Benali") && profile.contains("Confirmed"),
            "{profile}"
        );
        assert!(profile.contains(">Your account</a>"));

        assert_eq!(
            b.post_form("/api/account/sign-out", &[]).await,
            "/signed-out"
        );
        let res = b.get("/account").await;
        let status = res.status();
        let location = res.headers().get("location").cloned();
        assert_eq!(status, 302, "{}", res.text().await.unwrap());
        assert_eq!(location.unwrap(), "/sign-in?next=/account");

        // Signed in again with the e-mail address typed in another case, then the NIN.
        assert_eq!(sign_in(&b, "AMINA@example.DZ", PASSWORD).await, "/account");
        assert!(b.page("/account").await.contains("Amina Benali"));
        b.post_form("/api/account/sign-out", &[]).await;
        assert_eq!(
            sign_in(&b, "1099 9012 3456 7890 12", PASSWORD).await,
            "/account"
        );
    }
);

on_both_backends!(
    a_duplicate_identity_number_is_a_field_error_and_its_holder_is_told,
    |app: &TestApp| async move {
        registered_and_confirmed(app, &app.browser("en"), &AMINA).await;
        deliver_mail(app).await;
        let other = app.browser("en");
        let dup = Person {
            email: "someone@example.dz",
            ..AMINA
        };
        assert_eq!(register(&other, &dup).await, "/register/identity");
        let page = other.page("/register/identity").await;
        assert!(
            page.contains("An account already uses this identity number"),
            "{page}"
        );
        let (accounts,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM accounts")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
        assert_eq!(accounts, 1);
        let sink = deliver_mail(app).await;
        let notice = sink.messages();
        assert_eq!(notice.len(), 1);
        assert_eq!(notice[0].to, [AMINA.email]);
        assert!(notice[0].data.contains("identity number"));
    }
);

on_both_backends!(
    a_duplicate_e_mail_in_another_case_looks_like_success_but_only_its_holder_hears,
    |app: &TestApp| async move {
        registered_and_confirmed(app, &app.browser("en"), &AMINA).await;
        deliver_mail(app).await;
        let other = app.browser("en");
        let dup = Person {
            email: "Amina@EXAMPLE.dz",
            ..KARIM
        };
        // The same page as for a new address: nothing says the address is taken…
        assert_eq!(register(&other, &dup).await, "/account/verify-email");
        let page = other.page("/account/verify-email").await;
        assert!(page.contains("If this e-mail address is new to Bawaba"));
        // …no account was made, and the holder (only) got a notice.
        let (accounts,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM accounts")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
        assert_eq!(accounts, 1);
        let sink = deliver_mail(app).await;
        let notice = sink.messages();
        assert_eq!(notice.len(), 1);
        assert_eq!(notice[0].to, [AMINA.email]);
        assert!(
            notice[0]
                .data
                .contains("tried to create a Bawaba account with your e-mail")
        );
        // Codes typed there are wrong like any wrong code, five times, then no more tries.
        for left in (1..=4).rev() {
            other
                .post_form("/api/account/verify-email/code", &[("code", "123456")])
                .await;
            let page = other.page("/account/verify-email").await;
            let expected = if left == 1 {
                "You have 1 try left".to_string()
            } else {
                format!("You have {left} tries left")
            };
            assert!(page.contains(&expected), "{page}");
        }
        other
            .post_form("/api/account/verify-email/code", &[("code", "123456")])
            .await;
        assert!(
            other
                .page("/account/verify-email")
                .await
                .contains("Too many wrong codes")
        );
    }
);

on_both_backends!(
    malformed_answers_and_a_common_password_are_refused_with_their_messages,
    |app: &TestApp| async move {
        let b = app.browser("en");
        let answer = "/api/account/register/answer";
        let cases: [(&[(&str, &str)], &str, &str); 5] = [
            (
                &[
                    ("step", "identity"),
                    ("identity_kind", "nin"),
                    ("identity_number", "12345"),
                ],
                "/register/identity",
                "A national identification number has exactly 18 digits",
            ),
            (
                &[
                    ("step", "identity"),
                    ("identity_kind", "qid"),
                    ("identity_number", "19001212345"),
                ],
                "/register/identity",
                "A Qatar ID starts with 2 or 3",
            ),
            (
                &[
                    ("step", "contact"),
                    ("email", "amina@example"),
                    ("mobile", "0555 12 34 56"),
                ],
                "/register/contact",
                "Enter an e-mail address in the right format",
            ),
            (
                &[
                    ("step", "contact"),
                    ("email", "amina@example.dz"),
                    ("mobile", "+213 455 12 34 56"),
                ],
                "/register/contact",
                "An Algerian mobile number has 9 digits after +213",
            ),
            (
                &[
                    ("step", "about-you"),
                    ("full_name", ""),
                    ("dob_day", "31"),
                    ("dob_month", "2"),
                    ("dob_year", "1990"),
                    ("nationality", "12"),
                ],
                "/register/about-you",
                "Enter your full name",
            ),
        ];
        for (fields, page, message) in cases {
            assert_eq!(b.post_form(answer, fields).await, page);
            let html = b.page(page).await;
            assert!(html.contains(message), "{page}: {message}\n{html}");
            assert!(html.contains("<title>Error: "), "{page}");
        }
        // The QID is checked against the date of birth and nationality given before it.
        b.post_form(
            answer,
            &[
                ("step", "about-you"),
                ("full_name", "Amina"),
                ("dob_day", "27"),
                ("dob_month", "3"),
                ("dob_year", "1990"),
                ("nationality", "504"),
            ],
        )
        .await;
        b.post_form(
            answer,
            &[
                ("step", "identity"),
                ("identity_kind", "qid"),
                ("identity_number", "28850412345"),
            ],
        )
        .await;
        assert!(
            b.page("/register/identity")
                .await
                .contains("does not match your year of birth")
        );

        let b = app.browser("en");
        let person = Person {
            name: "Nadia",
            nin: "309990123456789014",
            email: "nadia@example.dz",
        };
        for (step, fields) in [
            (
                "about-you",
                vec![
                    ("full_name", person.name),
                    ("dob_day", "1"),
                    ("dob_month", "1"),
                    ("dob_year", "1980"),
                    ("nationality", "12"),
                ],
            ),
            (
                "identity",
                vec![("identity_kind", "nin"), ("identity_number", person.nin)],
            ),
            (
                "contact",
                vec![("email", person.email), ("mobile", "0661 00 00 00")],
            ),
        ] {
            let mut f = vec![("step", step)];
            f.extend(fields);
            b.post_form(answer, &f).await;
        }
        let next = b
            .post_form(
                "/api/account/register/create",
                &[("password", "password1234")],
            )
            .await;
        assert_eq!(next, "/register/check");
        let html = b.page("/register/check").await;
        assert!(
            html.contains("This password is too easy to guess"),
            "{html}"
        );
        assert!(html.contains("Accept the conditions of use"));
        assert!(
            html.contains("nadia@example.dz"),
            "the other answers are kept"
        );
        assert!(
            !html.contains("password1234"),
            "a password is never shown back"
        );
    }
);

on_both_backends!(
    codes_expire_links_die_on_use_and_the_sixth_wrong_code_is_refused,
    |app: &TestApp| async move {
        let b = app.browser("en");
        register(&b, &AMINA).await;
        let sink = deliver_mail(app).await;
        let code = code_for(&sink, AMINA.email);
        let wrong = if code == "000000" { "111111" } else { "000000" };
        for _ in 0..5 {
            b.post_form("/api/account/verify-email/code", &[("code", wrong)])
                .await;
        }
        // The sixth try, even with the right code, needs a new code.
        b.post_form("/api/account/verify-email/code", &[("code", &code)])
            .await;
        assert!(
            b.page("/account/verify-email")
                .await
                .contains("Too many wrong codes")
        );

        // A new code (the cooldown is a minute: arranged as if the last one were older).
        app.execute("UPDATE email_verifications SET created_at = created_at - 120")
            .await;
        assert_eq!(
            b.post_form("/api/account/verify-email/resend", &[]).await,
            "/account/verify-email?sent=1"
        );
        // An immediate second resend waits.
        b.post_form("/api/account/verify-email/resend", &[]).await;
        assert!(
            b.page("/account/verify-email")
                .await
                .contains("before asking for a new code")
        );
        let sink = deliver_mail(app).await;
        let code = code_for(&sink, AMINA.email);
        // Expired: 31 minutes later.
        app.execute("UPDATE email_verifications SET expires_at = expires_at - 1860")
            .await;
        b.post_form("/api/account/verify-email/code", &[("code", &code)])
            .await;
        assert!(
            b.page("/account/verify-email")
                .await
                .contains("This code has expired")
        );

        // A fresh code; its link confirms once, and is dead after.
        app.execute("UPDATE email_verifications SET created_at = created_at - 120")
            .await;
        b.post_form("/api/account/verify-email/resend", &[]).await;
        let sink = deliver_mail(app).await;
        let link = link_for(&sink, AMINA.email);
        let stranger = app.browser("en");
        assert!(stranger.page(&link).await.contains("Press the button"));
        let token = link.rsplit('/').next().unwrap();
        assert_eq!(
            stranger
                .post_form("/api/account/verify-email/link", &[("token", token)])
                .await,
            "/account/verify-email/done"
        );
        assert_eq!(
            stranger
                .post_form("/api/account/verify-email/link", &[("token", token)])
                .await,
            "/account/verify-email/link/problem/used"
        );
        let (verified,): (Option<i64>,) = sqlx::query_as("SELECT email_verified_at FROM accounts")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
        assert!(verified.is_some());
        // The link did not sign the stranger in.
        assert_eq!(stranger.get("/account").await.status(), 302);
    }
);

on_both_backends!(
    wrong_passwords_lock_the_account_with_a_clear_delay,
    |app: &TestApp| async move {
        registered_and_confirmed(app, &app.browser("en"), &AMINA).await;
        let b = app.browser("en");
        for _ in 0..4 {
            assert_eq!(
                sign_in(&b, AMINA.email, "not the password").await,
                "/sign-in"
            );
            assert!(
                b.page("/sign-in")
                    .await
                    .contains("The e-mail address, identity number or password is not right")
            );
        }
        sign_in(&b, AMINA.email, "not the password").await;
        assert!(b.page("/sign-in").await.contains("Try again in 5 minutes"));
        // Locked: even the right password waits.
        assert_eq!(sign_in(&b, AMINA.email, PASSWORD).await, "/sign-in");
        assert!(
            b.page("/sign-in")
                .await
                .contains("Too many wrong passwords for this account")
        );
        // An unknown identifier reads the same, and locks the same way.
        for _ in 0..5 {
            sign_in(&b, "nobody@example.dz", "whatever it is").await;
        }
        assert!(b.page("/sign-in").await.contains("Try again in 5 minutes"));
        // Once the lock is over, the right password works and clears the count.
        app.execute("UPDATE throttles SET locked_until = 0").await;
        assert_eq!(sign_in(&b, AMINA.email, PASSWORD).await, "/account");
    }
);

on_both_backends!(
    one_address_is_rate_limited_across_accounts,
    |app: &TestApp| async move {
        let b = app.browser("en");
        for i in 0..30 {
            sign_in(&b, &format!("user{i}@example.dz"), "wrong password").await;
        }
        sign_in(&b, "user99@example.dz", "wrong password").await;
        let page = b.page("/sign-in").await;
        assert!(
            page.contains("Too many attempts from your connection. Try again in 15 minutes"),
            "{page}"
        );
    }
);

on_both_backends!(
    the_session_id_changes_at_sign_in_and_the_old_one_is_dead,
    |app: &TestApp| async move {
        registered_and_confirmed(app, &app.browser("en"), &AMINA).await;
        let b = app.browser("en");
        // An anonymous session first (a refused sign-in keeps the identifier typed).
        sign_in(&b, AMINA.email, "wrong password").await;
        let planted = b.session_token().expect("an anonymous session");
        assert_eq!(sign_in(&b, AMINA.email, PASSWORD).await, "/account");
        let signed_in = b.session_token().unwrap();
        assert_ne!(planted, signed_in);
        // Whoever held the old id (an attacker who planted it) is not signed in.
        let res = app
            .get_with(
                "/account",
                &[("cookie", &format!("bawaba_session={planted}"))],
            )
            .await;
        assert_eq!(res.status(), 302);
        // Signing out everywhere ends the other browser's session too.
        let other = app.browser("en");
        sign_in(&other, AMINA.nin, PASSWORD).await;
        assert_eq!(
            b.post_form("/api/account/sign-out-everywhere", &[]).await,
            "/signed-out?everywhere=1"
        );
        assert_eq!(other.get("/account").await.status(), 302);
        // "Stay signed in" answers the seconds left: 30 minutes again.
        sign_in(&b, AMINA.email, PASSWORD).await;
        app.execute("UPDATE sessions SET expires_at = expires_at - 1700")
            .await;
        let res = b.post_empty("/account/session/extend").await;
        assert_eq!(res.status(), 200);
        let left: i64 = res.text().await.unwrap().parse().unwrap();
        assert!((1790..=1800).contains(&left), "{left}");
        let page = b.page("/account").await;
        assert!(
            page.contains("you will be signed out in 2 minutes"),
            "the warning is on the page"
        );
        let anon = app.browser("en");
        let res = anon.post_empty("/account/session/extend").await;
        assert_eq!(res.status(), 401);
        // Idle for 31 minutes: signed out.
        app.execute("UPDATE sessions SET expires_at = expires_at - 1860")
            .await;
        assert_eq!(b.get("/account").await.status(), 302);
    }
);

on_both_backends!(
    a_session_slides_at_most_once_a_minute_and_never_past_thirty_idle_minutes,
    |app: &TestApp| async move {
        let b = app.browser("en");
        registered_and_confirmed(app, &b, &AMINA).await;
        sign_in(&b, AMINA.email, PASSWORD).await;
        let expiry = || async {
            let (at,): (i64,) = sqlx::query_as("SELECT expires_at FROM sessions")
                .fetch_one(app.db.pool())
                .await
                .unwrap();
            at - bawaba::platform::session::now_secs()
        };
        // A request 30 s after the last write only reads: the end stays where it was.
        app.execute("UPDATE sessions SET expires_at = expires_at - 30")
            .await;
        assert_eq!(b.get("/account").await.status(), 200);
        let left = expiry().await;
        assert!((1760..=1770).contains(&left), "not moved: {left}");
        // A minute or more behind: the request moves it to 30 minutes from now.
        app.execute("UPDATE sessions SET expires_at = expires_at - 40")
            .await;
        assert_eq!(b.get("/account").await.status(), 200);
        let left = expiry().await;
        assert!((1795..=1800).contains(&left), "moved: {left}");
        // Never past the absolute end, 12 hours after sign-in.
        app.execute(
            "UPDATE sessions SET absolute_expires_at = expires_at - 200, expires_at = expires_at - 300",
        )
        .await;
        assert_eq!(b.get("/account").await.status(), 200);
        let left = expiry().await;
        assert!((1595..=1600).contains(&left), "capped: {left}");
    }
);

on_both_backends!(
    a_session_that_cannot_be_looked_up_is_answered_busy_not_as_a_visitor,
    |app: &TestApp| async move {
        let b = app.browser("en");
        registered_and_confirmed(app, &b, &AMINA).await;
        assert_eq!(sign_in(&b, AMINA.email, PASSWORD).await, "/account");
        // The sessions cannot be read (as when the database is down or its pool is exhausted).
        app.execute("ALTER TABLE sessions RENAME TO sessions_away")
            .await;
        for path in ["/account", "/"] {
            let res = b.get(path).await;
            // Not a redirect to sign in, and not a page for someone signed out: a page in the
            // three languages (the language, too, may be unknown).
            assert_eq!(res.status(), 503, "GET {path}");
            assert_eq!(res.headers()["retry-after"], "5");
            let body = res.text().await.unwrap();
            assert!(body.contains("البوابة مشغولة"), "{body}");
            assert!(body.contains("The portal is busy"));
        }
        let res = b
            .client
            .post(format!("{}/api/account/sign-out", b.base))
            .header("accept", "text/html")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 503, "a post is not run either");
        // The busy page's stylesheet is a file: no lookup, so not refused (the tests serve no
        // built site, so it is 404 here; the release serves it).
        assert_ne!(b.get("/static.css").await.status(), 503);
        // A visitor without a session cookie needs no lookup.
        assert_eq!(app.browser("ar").get("/").await.status(), 200);
        app.execute("ALTER TABLE sessions_away RENAME TO sessions")
            .await;
        assert_eq!(b.get("/account").await.status(), 200, "still signed in");
    }
);

on_both_backends!(
    another_user_sees_only_their_own_account,
    |app: &TestApp| async move {
        let amina = app.browser("en");
        registered_and_confirmed(app, &amina, &AMINA).await;
        let karim = app.browser("en");
        registered_and_confirmed(app, &karim, &KARIM).await;
        // Every owner-scoped page and function, as Karim: his data, never Amina's.
        for path in [
            "/account",
            "/account/verify-email",
            "/account/activity",
            "/account/two-step",
            "/account/two-step/app",
            "/account/two-step/sms",
            "/account/two-step/codes",
            "/account/change-email",
            "/account/change-email/code",
            "/account/change-mobile",
            "/account/change-mobile/code",
        ] {
            let page = karim.page(path).await;
            assert!(
                !page.contains(AMINA.name) && !page.contains(AMINA.email),
                "{path}"
            );
        }
        let res = karim.post_empty("/api/account/profile").await;
        let body = res.text().await.unwrap();
        assert!(
            body.contains(KARIM.email) && !body.contains(AMINA.email),
            "{body}"
        );
        // The activity page lists the holder's own events, with the device: a wrong password
        // typed for Amina shows on hers, not on Karim's.
        app.browser("en")
            .post_form(
                "/api/account/sign-in",
                &[
                    ("identifier", AMINA.email),
                    ("password", "not it at all"),
                    ("next", ""),
                ],
            )
            .await;
        let mine = amina.page("/account/activity").await;
        assert!(
            mine.contains("Account created") && mine.contains("Signed in"),
            "{mine}"
        );
        let amina_events = amina
            .post_empty("/api/account/activity")
            .await
            .text()
            .await
            .unwrap();
        let karim_events = karim
            .post_empty("/api/account/activity")
            .await
            .text()
            .await
            .unwrap();
        assert!(amina_events.contains("sign_in_failed"), "{amina_events}");
        assert!(!karim_events.contains("sign_in_failed"), "{karim_events}");
        // Amina turns on the authenticator step: Karim's pages and functions stay his own.
        amina
            .post_form("/api/account/two-step/start", &[("kind", "totp")])
            .await;
        for endpoint in [
            "/api/account/two-step/app/view",
            "/api/account/two-step/sms/view",
            "/api/account/two-step/codes/view",
        ] {
            let body = karim.post_empty(endpoint).await.text().await.unwrap();
            assert!(body == "null" || body == "[]", "{endpoint}: {body}");
        }
        // Karim's "sign out everywhere" ends his sessions, not hers.
        karim
            .post_form("/api/account/sign-out-everywhere", &[])
            .await;
        assert_eq!(amina.get("/account").await.status(), 200);
        // Nobody signed in gets nothing.
        let anon = app.browser("en");
        assert_eq!(anon.get("/account").await.status(), 302);
        let body = anon
            .post_empty("/api/account/profile")
            .await
            .text()
            .await
            .unwrap();
        assert_eq!(body, "null");
    }
);

/// The path of the password-reset link in the last e-mail to `to`.
fn reset_link_for(sink: &SmtpSink, to: &str) -> String {
    let message = sink
        .messages()
        .into_iter()
        .rfind(|m| m.to.iter().any(|t| t == to) && m.data.contains("/reset-password/"))
        .unwrap_or_else(|| panic!("no reset e-mail to {to}"));
    let data = message.data.replace("=\r\n", "").replace("=\n", "");
    let start = data.find("/reset-password/").unwrap();
    data[start..start + "/reset-password/".len() + 64].to_string()
}

on_both_backends!(
    a_forgotten_password_is_reset_by_a_link_that_works_once_and_ends_every_session,
    |app: &TestApp| async move {
        let first = app.browser("en");
        registered_and_confirmed(app, &first, &AMINA).await;
        let second = app.browser("en");
        sign_in(&second, AMINA.email, PASSWORD).await;
        deliver_mail(app).await;

        // The same answer whether or not an account uses the address.
        let b = app.browser("en");
        for email in ["nobody@example.dz", "Amina@Example.dz"] {
            assert_eq!(
                b.post_form("/api/account/recovery/request", &[("email", email)])
                    .await,
                "/forgotten-password/sent"
            );
        }
        let sink = deliver_mail(app).await;
        assert_eq!(sink.messages().len(), 1, "only the holder gets a link");
        let link = reset_link_for(&sink, AMINA.email);
        let token = link.rsplit('/').next().unwrap().to_string();
        assert!(b.page(&link).await.contains("Choose a new password"));

        // A common password is refused on the same page; nothing changes.
        assert_eq!(
            b.post_form(
                "/api/account/recovery/reset",
                &[("token", &token), ("password", "password1234")]
            )
            .await,
            link
        );
        assert!(
            b.page(&link)
                .await
                .contains("This password is too easy to guess")
        );
        let new_password = "copper kettle mountain rain";
        assert_eq!(
            b.post_form(
                "/api/account/recovery/reset",
                &[("token", &token), ("password", new_password)]
            )
            .await,
            "/reset-password/done"
        );
        // Every session ended; the old password is dead, the new one works.
        assert_eq!(first.get("/account").await.status(), 302);
        assert_eq!(second.get("/account").await.status(), 302);
        assert_eq!(sign_in(&b, AMINA.email, PASSWORD).await, "/sign-in");
        assert_eq!(sign_in(&b, AMINA.email, new_password).await, "/account");
        // The link works once.
        assert!(
            b.page(&link)
                .await
                .contains("This link has already been used")
        );
        assert_eq!(
            b.post_form(
                "/api/account/recovery/reset",
                &[("token", &token), ("password", "another long phrase here")]
            )
            .await,
            "/reset-password/problem/used"
        );
        // The holder is told the password changed.
        let sink = deliver_mail(app).await;
        assert!(
            sink.messages()
                .iter()
                .any(|m| m.data.contains("password has been changed"))
        );

        // A link older than 30 minutes is refused.
        app.execute("UPDATE password_resets SET created_at = created_at - 3600")
            .await;
        b.post_form("/api/account/recovery/request", &[("email", AMINA.email)])
            .await;
        let sink = deliver_mail(app).await;
        let link = reset_link_for(&sink, AMINA.email);
        app.execute("UPDATE password_resets SET expires_at = expires_at - 1860")
            .await;
        assert!(b.page(&link).await.contains("This link has expired"));
    }
);
