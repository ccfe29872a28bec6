//! Submitting and paying the ID card application (issue 21) through HTTP, as a browser
//! without JavaScript: check answers, the declaration, the frozen answers, the fee through
//! the sandbox gateway or at the centre, the timeline with its target dates, a notification
//! at every change of state, and owner checks on every new route.

use crate::{
    on_both_backends,
    support::{
        app::TestApp,
        idcard::{
            GOOD, answer, applicant, choose_payment, fill_in, good_scan, one, refused, signed_in,
            start, submit, submitted, upload_all, upload_to,
        },
        mail::deliver_mail,
        payments::pay_on_sandbox,
        people::{AMINA, KARIM, account_id},
    },
};

async fn events(app: &TestApp, id: &str) -> Vec<String> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT event FROM idcard_application_events WHERE application_id = $1 ORDER BY seq",
    )
    .bind(id)
    .fetch_all(app.db.pool())
    .await
    .unwrap();
    rows.into_iter().map(|(e,)| e).collect()
}

on_both_backends!(
    an_application_is_checked_submitted_paid_online_and_followed,
    |app: &TestApp| async move {
        let (b, id) = applicant(app, &AMINA).await;
        let base = format!("/id-card/applications/{id}");
        fill_in(&b, &id, false).await;
        // Not before the documents: the last task cannot start, the check page says why.
        let list = b.page(&base).await;
        assert!(list.contains("Check and submit"), "{list}");
        let check = b.page(&format!("{base}/check")).await;
        assert!(check.contains("A document is missing"), "{check}");
        assert!(!check.contains("Submit the application"));
        assert_eq!(
            submit(&b, &id, true).await,
            format!("{base}/check?problem=documents")
        );
        upload_all(&b, &id, false).await;

        let check = b.page(&format!("{base}/check")).await;
        assert!(
            check.contains("Check your answers before submitting"),
            "{check}"
        );
        for shown in [
            "Amina Ben Ali",
            "N1234567",
            "Qatar Airways",
            "Files: 1",
            "Total",
        ] {
            assert!(check.contains(shown), "{shown} in {check}");
        }
        assert!(check.contains("120"), "the card and the post: {check}");
        // The declaration is required; nothing changes without it.
        let to = submit(&b, &id, false).await;
        assert_eq!(to, format!("{base}/check?problem=declaration"));
        let page = b.page(&to).await;
        assert!(page.contains("Confirm the declaration"), "{page}");
        assert_eq!(events(app, &id).await, ["created"]);

        assert_eq!(submit(&b, &id, true).await, format!("{base}/pay"));
        let (state, version, fee, currency, answers): (String, i64, i64, String, String) = one(
            app,
            "SELECT state, version, fee_minor, fee_currency, answers
             FROM idcard_applications WHERE id = $1",
            &id,
        )
        .await;
        assert_eq!(
            (state.as_str(), version, fee, currency.as_str()),
            ("awaiting_payment", 1, 12000, "QAR")
        );
        assert!(answers.contains("Amina Ben Ali"), "frozen: {answers}");
        let (drafts,): (i64,) = one(
            app,
            "SELECT COUNT(*) FROM account_drafts WHERE account_id = $1",
            &account_id(app, &AMINA).await,
        )
        .await;
        assert_eq!(drafts, 0, "the draft is discarded with the answers frozen");
        // A second click: the same application, nothing twice.
        assert_eq!(submit(&b, &id, true).await, base);
        assert_eq!(events(app, &id).await, ["created", "submit"]);
        // Frozen: a page posted now changes nothing, and no file comes or goes.
        assert_eq!(answer(&b, &id, "names", GOOD[0].1).await, base);
        assert_eq!(
            upload_to(&b, &id, "passport", "late.png", good_scan()).await,
            format!("{base}/documents")
        );
        let (files,): (i64,) = one(
            app,
            "SELECT COUNT(*) FROM idcard_documents WHERE application_id = $1",
            &id,
        )
        .await;
        assert_eq!(files, 5);
        let frozen = b.page(&format!("{base}/check")).await;
        assert!(frozen.contains("Your answers as submitted"), "{frozen}");
        assert!(!frozen.contains("Change"), "{frozen}");

        // The fee: a choice must be made; online goes to the gateway and back.
        let pay = b.page(&format!("{base}/pay")).await;
        assert!(pay.contains("How do you want to pay?"), "{pay}");
        assert!(pay.contains("Delivery by post"), "{pay}");
        assert_eq!(
            choose_payment(&b, &id, None).await,
            format!("{base}/pay?problem=choose")
        );
        assert!(
            b.page(&format!("{base}/pay?problem=choose"))
                .await
                .contains("Select how you want to pay")
        );
        let gateway = choose_payment(&b, &id, Some("online")).await;
        assert!(gateway.contains("/sandbox-pay/pay/"), "{gateway}");
        let (order, amount, kind): (String, i64, String) = one(
            app,
            "SELECT o.id, o.amount_minor, o.kind FROM orders o
             JOIN idcard_applications a ON a.order_id = o.id WHERE a.id = $1",
            &id,
        )
        .await;
        assert_eq!((amount, kind.as_str()), (12000, "idcard"));
        let back = pay_on_sandbox(&b, &gateway, "4111 1111 1111 1111").await;
        assert_eq!(back, base, "back to the application");
        let (state, paid): (String, Option<i64>) = one(
            app,
            "SELECT state, paid_at FROM idcard_applications WHERE id = $1",
            &id,
        )
        .await;
        assert_eq!(state, "awaiting_appointment");
        assert!(paid.is_some());
        assert_eq!(events(app, &id).await, ["created", "submit", "paid_online"]);
        // Paid: the pay page has nothing to offer, a second payment cannot start.
        assert_eq!(b.get(&format!("{base}/pay")).await.status(), 404);
        assert_eq!(choose_payment(&b, &id, Some("online")).await, base);
        let (orders,): (i64,) =
            one(app, "SELECT COUNT(*) FROM orders WHERE subject = $1", &id).await;
        assert_eq!(orders, 1, "one order per application: {order}");

        // The timeline: every state with its date, the stages ahead with target dates.
        let page = b.page(&base).await;
        for shown in [
            "Application started",
            "Application submitted",
            "Fee paid online",
            "Waiting for an appointment",
            "Appointment at a service centre, at the earliest",
            "Card posted to you",
            "Card delivered to your address",
            "Predicted completion",
            "Target: ",
        ] {
            assert!(page.contains(shown), "{shown} in {page}");
        }
        let list = b.page("/id-card/applications").await;
        assert!(list.contains("A new card") && list.contains("Waiting for an appointment"));

        // A notification at every change of state, in the language applied in.
        let sink = deliver_mail(app).await;
        let subjects: Vec<String> = sink
            .messages()
            .into_iter()
            .filter(|m| m.to.iter().any(|t| t.contains(AMINA.email)))
            .map(|m| m.data)
            .collect();
        let (reference,): (String,) = one(
            app,
            "SELECT reference FROM idcard_applications WHERE id = $1",
            &id,
        )
        .await;
        assert!(
            subjects
                .iter()
                .any(|d| d.contains("Application submitted") && d.contains(&reference)),
            "{subjects:?}"
        );
        assert!(
            subjects.iter().any(|d| d.contains("Fee paid online")),
            "{subjects:?}"
        );
    }
);

on_both_backends!(
    paying_at_the_centre_moves_on_and_online_payment_stays_possible,
    |app: &TestApp| async move {
        let (b, id) = submitted(app, &AMINA).await;
        let base = format!("/id-card/applications/{id}");
        assert_eq!(choose_payment(&b, &id, Some("centre")).await, base);
        let page = b.page(&base).await;
        assert!(
            page.contains("Fee to be paid at the service centre"),
            "{page}"
        );
        assert!(page.contains("to pay at the service centre"), "{page}");
        assert!(page.contains("Pay the fee online now instead"), "{page}");
        // Chosen once: the centre is no longer offered, online still is.
        let pay = b.page(&format!("{base}/pay")).await;
        assert!(!pay.contains("At the service centre"), "{pay}");
        assert_eq!(choose_payment(&b, &id, Some("centre")).await, base);
        assert_eq!(
            events(app, &id).await,
            ["created", "submit", "chose_pay_at_centre"]
        );
        let gateway = choose_payment(&b, &id, Some("online")).await;
        pay_on_sandbox(&b, &gateway, "4111 1111 1111 1111").await;
        let (state, paid): (String, Option<i64>) = one(
            app,
            "SELECT state, paid_at FROM idcard_applications WHERE id = $1",
            &id,
        )
        .await;
        assert_eq!(state, "awaiting_appointment");
        assert!(paid.is_some());
        assert_eq!(
            events(app, &id).await,
            ["created", "submit", "chose_pay_at_centre", "paid_online"]
        );
    }
);

on_both_backends!(
    a_submission_checks_everything_again,
    |app: &TestApp| async move {
        let (b, id) = applicant(app, &AMINA).await;
        let base = format!("/id-card/applications/{id}");
        fill_in(&b, &id, false).await;
        upload_all(&b, &id, false).await;
        // A passport valid when its page was saved may be too close to expiry now (here: the
        // rule changed to 200 months).
        sqlx::query("UPDATE idcard_terms SET value = 200 WHERE name = 'passport_valid_months'")
            .execute(app.db.pool())
            .await
            .unwrap();
        let check = b.page(&format!("{base}/check")).await;
        assert!(check.contains("Your passport expires too soon"), "{check}");
        assert!(
            check.contains(&format!("href=\"{base}/passport\"")),
            "{check}"
        );
        assert_eq!(
            submit(&b, &id, true).await,
            format!("{base}/check?problem=answers")
        );
        sqlx::query("UPDATE idcard_terms SET value = 6 WHERE name = 'passport_valid_months'")
            .execute(app.db.pool())
            .await
            .unwrap();
        // A document that fails the pre-check stops the submission.
        upload_to(
            &b,
            &id,
            "employer_letter",
            "dark.jpg",
            bawaba::features::idcard::documents::samples::scan(
                1200,
                1600,
                30,
                5,
                image::ImageFormat::Jpeg,
            ),
        )
        .await;
        assert_eq!(
            submit(&b, &id, true).await,
            format!("{base}/check?problem=documents")
        );
        let (state,): (String,) = one(
            app,
            "SELECT state FROM idcard_applications WHERE id = $1",
            &id,
        )
        .await;
        assert_eq!(state, "draft", "nothing half-written");
    }
);

on_both_backends!(
    a_request_changed_to_a_new_card_leaves_its_loss_declaration_behind,
    |app: &TestApp| async move {
        let b = signed_in(app, &AMINA).await;
        let id = start(&b, "lost").await;
        fill_in(&b, &id, true).await;
        upload_all(&b, &id, true).await;
        answer(&b, &id, "request", &[("request_type", "new")]).await;
        assert_eq!(
            submit(&b, &id, true).await,
            format!("/id-card/applications/{id}/pay")
        );
        let kinds: Vec<(String,)> = sqlx::query_as(
            "SELECT kind FROM idcard_documents WHERE application_id = $1 ORDER BY kind",
        )
        .bind(&id)
        .fetch_all(app.db.pool())
        .await
        .unwrap();
        assert!(
            !kinds.iter().any(|(k,)| k == "loss_declaration"),
            "{kinds:?}"
        );
        let files = std::fs::read_dir(app.data_dir.join("files").join("idcard").join(&id))
            .unwrap()
            .count();
        assert_eq!(files, kinds.len(), "its file is gone too");
        let (request,): (String,) = one(
            app,
            "SELECT request_type FROM idcard_applications WHERE id = $1",
            &id,
        )
        .await;
        assert_eq!(request, "new");
    }
);

on_both_backends!(
    another_account_or_a_visitor_cannot_check_submit_or_pay_an_application,
    |app: &TestApp| async move {
        let (owner, id) = submitted(app, &AMINA).await;
        let base = format!("/id-card/applications/{id}");
        let stranger = signed_in(app, &KARIM).await;
        for path in [format!("{base}/check"), format!("{base}/pay"), base.clone()] {
            let res = stranger.get(&path).await;
            assert_eq!(res.status(), 404, "{path}");
            // The page links its own address (the language switch), whose id may hold "120".
            let body = res.text().await.unwrap().replace(&id, "ID");
            assert!(!body.contains("Amina") && !body.contains("120"), "{body}");
        }
        for (path, fields) in [
            (
                "/api/id-card/application/pay-fee",
                vec![("id", id.as_str()), ("how", "centre"), ("key", "x")],
            ),
            (
                "/api/id-card/application/submit",
                vec![("id", id.as_str()), ("declaration", "yes")],
            ),
        ] {
            let res = stranger
                .client
                .post(format!("{}{path}", stranger.base))
                .header("accept", "text/html")
                .form(&fields)
                .send()
                .await
                .unwrap();
            refused(&res);
        }
        let list = stranger.page("/id-card/applications").await;
        assert!(!list.contains(&id) && list.contains("You have no ID card application yet"));
        let visitor = app.browser("en");
        for path in ["/id-card/applications".to_string(), format!("{base}/pay")] {
            let res = visitor.get(&path).await;
            assert_eq!(res.status(), 302, "{path}");
        }
        assert_eq!(events(app, &id).await, ["created", "submit"]);
        assert!(
            owner
                .page(&format!("{base}/pay"))
                .await
                .contains("How do you want to pay?")
        );
    }
);
