//! Changing the e-mail address and the mobile number: the password, then a code sent to the
//! new one; the old one is told; an address another account has looks the same to the asker.

use crate::{
    on_both_backends,
    support::{
        mail::{code_for, deliver_mail},
        people::{AMINA, KARIM, PASSWORD, registered_and_confirmed},
    },
};

on_both_backends!(
    a_new_e_mail_address_replaces_the_old_only_with_its_code_and_the_old_is_told,
    |app: &TestApp| async move {
        let b = app.browser("en");
        registered_and_confirmed(app, &b, &AMINA).await;
        deliver_mail(app).await;
        let start = "/api/account/change/start";
        let new = "amina.new@example.dz";
        // The current address, a malformed one, a wrong password: each told at its field.
        for (fields, message) in [
            (
                vec![("new", AMINA.email), ("password", PASSWORD)],
                "This is the one you have now",
            ),
            (
                vec![("new", "amina@"), ("password", PASSWORD)],
                "Enter an e-mail address",
            ),
            (
                vec![("new", new), ("password", "wrong wrong wrong")],
                "The password is not right",
            ),
        ] {
            let mut form = vec![("what", "Email")];
            form.extend(fields);
            assert_eq!(b.post_form(start, &form).await, "/account/change-email");
            let page = b.page("/account/change-email").await;
            assert!(page.contains(message), "{message}: {page}");
        }
        // A new code waits a minute after the last one (here, the registration's).
        let to = b
            .post_form(
                start,
                &[("what", "Email"), ("new", new), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(to, "/account/change-email");
        assert!(
            b.page("/account/change-email")
                .await
                .contains("seconds before asking")
        );
        app.execute("UPDATE email_verifications SET created_at = created_at - 120")
            .await;
        let to = b
            .post_form(
                start,
                &[
                    ("what", "Email"),
                    ("new", "Amina.New@Example.dz"),
                    ("password", PASSWORD),
                ],
            )
            .await;
        assert_eq!(to, "/account/change-email/code");
        let sink = deliver_mail(app).await;
        let code = code_for(&sink, new);
        let confirm = "/api/account/change/confirm";
        let wrong = if code == "000000" { "111111" } else { "000000" };
        assert_eq!(
            b.post_form(confirm, &[("what", "Email"), ("code", wrong)])
                .await,
            "/account/change-email/code"
        );
        assert!(
            b.page("/account/change-email/code")
                .await
                .contains("This code is not right")
        );
        // Nothing changed yet.
        assert!(b.page("/account").await.contains(AMINA.email));
        assert_eq!(
            b.post_form(confirm, &[("what", "Email"), ("code", &code)])
                .await,
            "/account?changed=email"
        );
        let page = b.page("/account?changed=email").await;
        assert!(
            page.contains(new) && page.contains("has been changed"),
            "{page}"
        );
        let sink = deliver_mail(app).await;
        let told = sink.messages().into_iter().any(|m| {
            m.to.iter().any(|t| t == AMINA.email)
                && m.data
                    .replace("=\r\n", "")
                    .contains("Bawaba account is now")
        });
        assert!(told, "the old address is told");
        // The new address signs in; the old one no longer does.
        let other = app.browser("en");
        let sign_in = |id: &'static str| {
            let other = &other;
            async move {
                other
                    .post_form(
                        "/api/account/sign-in",
                        &[("identifier", id), ("password", PASSWORD), ("next", "")],
                    )
                    .await
            }
        };
        assert_eq!(sign_in(AMINA.email).await, "/sign-in");
        assert_eq!(sign_in("amina.new@example.dz").await, "/account");

        // Karim asking for Amina's address sees the same pages, gets no code, changes nothing.
        let k = app.browser("en");
        registered_and_confirmed(app, &k, &KARIM).await;
        deliver_mail(app).await;
        app.execute("UPDATE email_verifications SET created_at = created_at - 120")
            .await;
        let to = k
            .post_form(
                start,
                &[("what", "Email"), ("new", new), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(to, "/account/change-email/code");
        let sink = deliver_mail(app).await;
        assert!(
            sink.messages().is_empty(),
            "no code sent for a taken address"
        );
        assert_eq!(
            k.post_form(confirm, &[("what", "Email"), ("code", "123456")])
                .await,
            "/account/change-email/code"
        );
        assert!(k.page("/account").await.contains(KARIM.email));
    }
);

on_both_backends!(
    a_new_mobile_number_is_proved_by_sms_and_the_old_number_is_told,
    |app: &TestApp| async move {
        let b = app.browser("en");
        registered_and_confirmed(app, &b, &AMINA).await;
        let to = b
            .post_form(
                "/api/account/change/start",
                &[
                    ("what", "Mobile"),
                    ("new", "+974 5512 3456"),
                    ("password", PASSWORD),
                ],
            )
            .await;
        assert_eq!(to, "/account/change-mobile/code");
        deliver_mail(app).await;
        let sms = std::fs::read_dir(app.data_dir.join("sms"))
            .unwrap()
            .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
            .find(|t| t.starts_with("To: +97455123456"))
            .expect("an SMS to the new number");
        let code: String = sms
            .split(|c: char| !c.is_ascii_digit())
            .find(|w| w.len() == 6)
            .unwrap()
            .to_string();
        assert_eq!(
            b.post_form(
                "/api/account/change/confirm",
                &[("what", "Mobile"), ("code", &code)]
            )
            .await,
            "/account?changed=mobile"
        );
        assert!(b.page("/account").await.contains("+97455123456"));
        let sink = deliver_mail(app).await;
        assert!(
            sink.messages()
                .iter()
                .any(|m| m.to.iter().any(|t| t == AMINA.email))
        );
        let told_old = std::fs::read_dir(app.data_dir.join("sms"))
            .unwrap()
            .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
            .any(|t| t.starts_with("To: +213555123456") && t.contains("no longer linked"));
        assert!(told_old, "the old number is told");
    }
);
