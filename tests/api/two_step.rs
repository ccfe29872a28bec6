//! Two-step sign-in through HTTP, as a browser without JavaScript: the authenticator app set
//! up from the key under the QR code (codes computed here as the app would), asked at every
//! sign-in, a code good only once, recovery codes good only once, SMS codes read from the SMS
//! the outbox delivered, and officers and administrators held until they have a second step.

use crate::{
    on_both_backends,
    support::{
        app::{Browser, TestApp},
        mail::deliver_mail,
        people::{AMINA, KARIM, PASSWORD, registered_and_confirmed, turn_on_app},
    },
};

use bawaba::{features::accounts::second_factor, platform::session::now_secs};

async fn sign_in(b: &Browser, identifier: &str) -> String {
    b.post_form(
        "/api/account/sign-in",
        &[
            ("identifier", identifier),
            ("password", PASSWORD),
            ("next", ""),
        ],
    )
    .await
}

on_both_backends!(
    the_authenticator_step_is_asked_at_every_sign_in_and_each_code_works_once,
    |app: &TestApp| async move {
        let b = app.browser("en");
        registered_and_confirmed(app, &b, &AMINA).await;
        let page = b.page("/account/two-step").await;
        assert!(page.contains("Use an authenticator app"), "{page}");

        // A wrong first code keeps the set-up going, with the message by the field.
        b.post_form("/api/account/two-step/start", &[("kind", "totp")])
            .await;
        let to = b
            .post_form("/api/account/two-step/confirm", &[("code", "12345")])
            .await;
        assert_eq!(to, "/account/two-step/app");
        let page = b.page("/account/two-step/app").await;
        assert!(page.contains("The code has 6 digits"), "{page}");

        let before = b.session_token();
        let (key, codes, used_step) = turn_on_app(&b).await;
        assert_ne!(b.session_token(), before, "a new session id at the change");
        // Shown once: after "I have kept them" the page has nothing to show.
        let to = b.post_form("/api/account/two-step/codes/done", &[]).await;
        assert_eq!(to, "/account/two-step?done=1");
        assert!(!b.page("/account/two-step/codes").await.contains(&codes[0]));
        let page = b.page("/account/two-step").await;
        assert!(page.contains("10 recovery codes left"), "{page}");
        // The holder is told by e-mail.
        let sink = deliver_mail(app).await;
        assert!(
            sink.messages()
                .iter()
                .any(|m| m.to.iter().any(|t| t == AMINA.email)
                    && m.data.contains("Two-step sign-in was turned on"))
        );

        // Signing in now takes the password and then a code; the password alone signs nobody in.
        b.post_form("/api/account/sign-out", &[]).await;
        assert_eq!(sign_in(&b, AMINA.email).await, "/sign-in/second-step");
        assert_eq!(b.get("/account").await.status(), 302);
        let page = b.page("/sign-in/second-step").await;
        assert!(page.contains("authenticator app"), "{page}");
        // The code used to turn it on cannot be used again (its own step, not the clock's now:
        // a 30 s step may have ended since).
        let used = second_factor::totp_at(&key, used_step);
        let to = b
            .post_form("/api/sign-in/second-step", &[("code", &used)])
            .await;
        assert_eq!(to, "/sign-in/second-step");
        assert!(b.page("/sign-in/second-step").await.contains("not right"));
        // The next step's code (accepted: one step of clock drift) signs in, once.
        let next = second_factor::totp_at(&key, now_secs() / second_factor::STEP_SECS + 1);
        let to = b
            .post_form("/api/sign-in/second-step", &[("code", &next)])
            .await;
        assert_eq!(to, "/account");
        assert_eq!(b.get("/account").await.status(), 200);

        // A recovery code instead of the app, typed loosely; then it is spent.
        let other = app.browser("en");
        assert_eq!(sign_in(&other, AMINA.email).await, "/sign-in/second-step");
        let loose = codes[3].to_lowercase().replace('-', " ");
        let to = other
            .post_form("/api/sign-in/second-step", &[("code", &loose)])
            .await;
        assert_eq!(to, "/account");
        let third = app.browser("en");
        sign_in(&third, AMINA.email).await;
        let to = third
            .post_form("/api/sign-in/second-step", &[("code", &codes[3])])
            .await;
        assert_eq!(to, "/sign-in/second-step");
        assert_eq!(third.get("/account").await.status(), 302);
        assert!(
            other
                .page("/account/two-step")
                .await
                .contains("9 recovery codes left")
        );

        // Turning it off asks for the password; then the password alone is enough again.
        let to = b
            .post_form(
                "/api/account/two-step/off",
                &[("password", "not the password")],
            )
            .await;
        assert_eq!(to, "/account/two-step");
        assert!(
            b.page("/account/two-step")
                .await
                .contains("The password is not right")
        );
        let to = b
            .post_form("/api/account/two-step/off", &[("password", PASSWORD)])
            .await;
        assert_eq!(to, "/account/two-step?off=1");
        let fourth = app.browser("en");
        assert_eq!(sign_in(&fourth, AMINA.email).await, "/account");
    }
);

on_both_backends!(
    an_sms_step_sends_a_code_to_the_mobile_through_the_outbox,
    |app: &TestApp| async move {
        let b = app.browser("en");
        registered_and_confirmed(app, &b, &AMINA).await;
        let to = b
            .post_form("/api/account/two-step/start", &[("kind", "sms")])
            .await;
        assert_eq!(to, "/account/two-step/sms");
        let page = b.page("/account/two-step/sms").await;
        assert!(page.contains("+213 ••• 3456"), "masked mobile: {page}");
        let code = last_sms_code(app).await;
        let to = b
            .post_form("/api/account/two-step/confirm", &[("code", &code)])
            .await;
        assert_eq!(to, "/account/two-step/codes");

        b.post_form("/api/account/sign-out", &[]).await;
        assert_eq!(sign_in(&b, AMINA.nin).await, "/sign-in/second-step");
        // The old code died on use; the new one signs in.
        let to = b
            .post_form("/api/sign-in/second-step", &[("code", &code)])
            .await;
        assert_eq!(to, "/sign-in/second-step");
        let fresh = last_sms_code(app).await;
        assert_ne!(fresh, code);
        let to = b
            .post_form("/api/sign-in/second-step", &[("code", &fresh)])
            .await;
        assert_eq!(to, "/account");
    }
);

/// Delivers the outbox and reads the code in the newest SMS written under `data/sms/`.
async fn last_sms_code(app: &TestApp) -> String {
    deliver_mail(app).await;
    let mut files: Vec<_> = std::fs::read_dir(app.data_dir.join("sms"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort_by_key(|p| std::fs::metadata(p).unwrap().modified().unwrap());
    let text = std::fs::read_to_string(files.last().expect("an SMS")).unwrap();
    assert!(text.starts_with("To: +213555123456"), "{text}");
    text.split(|c: char| !c.is_ascii_digit())
        .find(|w| w.len() == 6)
        .expect("a 6-digit code")
        .to_string()
}

// The gate reads the role with the session's own row (one statement per page): a role given
// while the person is signed in still holds them at their very next page, not at the next
// sign-in, and the second step counts as soon as it is confirmed.
on_both_backends!(
    a_role_given_while_signed_in_holds_the_account_at_its_next_page,
    |app: &TestApp| async move {
        let b = app.browser("en");
        registered_and_confirmed(app, &b, &KARIM).await;
        assert_eq!(b.get("/account").await.status(), 200);
        app.execute(&format!(
            "UPDATE accounts SET role = 'officer' WHERE email = '{}'",
            KARIM.email
        ))
        .await;
        for page in ["/account", "/vehicles", "/vignette/buy"] {
            let res = b.get(page).await;
            assert_eq!(res.status(), 302, "{page}");
            assert_eq!(res.headers()["location"], "/account/two-step", "{page}");
        }
        turn_on_app(&b).await;
        assert_eq!(b.get("/vehicles").await.status(), 200);
        // The step removed (as support would): held again at once.
        app.execute(&format!(
            "DELETE FROM second_factors WHERE account_id = \
             (SELECT id FROM accounts WHERE email = '{}')",
            KARIM.email
        ))
        .await;
        assert_eq!(
            b.get("/vehicles").await.headers()["location"],
            "/account/two-step"
        );
    }
);

on_both_backends!(
    an_administrator_must_set_up_a_second_step_before_anything_else,
    |app: &TestApp| async move {
        let b = app.browser("en");
        registered_and_confirmed(app, &b, &KARIM).await;
        app.execute(&format!(
            "UPDATE accounts SET role = 'administrator' WHERE email = '{}'",
            KARIM.email
        ))
        .await;
        b.post_form("/api/account/sign-out", &[]).await;
        assert_eq!(sign_in(&b, KARIM.email).await, "/account/two-step");
        let res = b.get("/account").await;
        assert_eq!(res.status(), 302);
        assert_eq!(res.headers()["location"], "/account/two-step");
        let page = b.page("/account/two-step").await;
        assert!(page.contains("must turn on two-step sign-in"), "{page}");
        assert!(!page.contains("Turn it off"));
        turn_on_app(&b).await;
        assert_eq!(b.get("/account").await.status(), 200);
        // Cannot be turned off, even with the password.
        let to = b
            .post_form("/api/account/two-step/off", &[("password", PASSWORD)])
            .await;
        assert_eq!(to, "/account/two-step");
        assert!(
            b.page("/account/two-step")
                .await
                .contains("cannot be turned off")
        );
    }
);
