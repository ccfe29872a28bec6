//! The ID card application (issue 21) through HTTP, as a browser without JavaScript: the
//! request starts it, one open application per resident, every page saved with the account
//! (another device sees it), bad answers kept with their messages, and owner checks on every
//! application route.

use crate::{
    on_both_backends,
    support::{
        idcard::{ANSWER, GOOD, answer, refused, signed_in, start, today},
        people::{AMINA, KARIM, PASSWORD, html, sign_in},
    },
};

on_both_backends!(
    an_application_is_filled_in_section_by_section_and_resumes_on_another_device,
    |app: &TestApp| async move {
        let phone = signed_in(app, &AMINA).await;
        let id = start(&phone, "new").await;
        let base = format!("/id-card/applications/{id}");
        let list = phone.page(&base).await;
        assert!(list.contains("Your ID card application"), "{list}");
        assert!(list.contains("Sections completed: 0 of 8"), "{list}");
        assert!(
            list.contains("Cannot start yet"),
            "delivery waits for the address"
        );
        assert!(!list.contains("Loss declaration"), "only for a lost card");
        // The date of birth and nationality the account holds are not asked again: the
        // personal section goes from the names straight back to the list once they are given.
        assert_eq!(
            answer(&phone, &id, "names", GOOD[0].1).await,
            format!("{base}/nationality"),
            "the date of birth is known from the account"
        );
        for (step, fields) in &GOOD[2..] {
            let to = answer(&phone, &id, step, fields).await;
            assert_eq!(to, base, "{step} completes its section");
        }
        let list = phone.page(&base).await;
        assert!(list.contains("Sections completed: 6 of 8"), "{list}");
        assert!(
            !list.contains("Every section is complete"),
            "the documents are still to come"
        );

        // Another device, after sign-in: the same answers.
        let laptop = app.browser("en");
        sign_in(&laptop, AMINA.email, PASSWORD).await;
        let list = laptop.page(&base).await;
        assert!(list.contains("Sections completed: 6 of 8"), "{list}");
        let page = html(&laptop, &format!("{base}/address")).await;
        assert!(page.contains("value=\"950\""), "{page}");
        // And after signing out everywhere.
        phone.post_form("/api/account/sign-out", &[]).await;
        laptop.post_form("/api/account/sign-out", &[]).await;
        sign_in(&laptop, AMINA.email, PASSWORD).await;
        assert!(
            laptop
                .page(&base)
                .await
                .contains("Sections completed: 6 of 8")
        );
    }
);

on_both_backends!(
    bad_answers_come_back_with_their_messages_and_the_other_answers_kept,
    |app: &TestApp| async move {
        let b = signed_in(app, &AMINA).await;
        let id = start(&b, "new").await;
        let base = format!("/id-card/applications/{id}");
        // A passport that expires in five months.
        let soon = bawaba::domain::idcard::form::add_months(today(), 5);
        let (d, m, y) = (
            soon.day.to_string(),
            soon.month.to_string(),
            soon.year.to_string(),
        );
        let to = answer(
            &b,
            &id,
            "passport",
            &[
                ("passport_number", "N1234567"),
                ("passport_country", "12"),
                ("passport_expiry_day", &d),
                ("passport_expiry_month", &m),
                ("passport_expiry_year", &y),
            ],
        )
        .await;
        assert_eq!(to, format!("{base}/passport"), "shown again");
        let page = b.page(&format!("{base}/passport")).await;
        assert!(page.contains("Your passport expires too soon"), "{page}");
        assert!(page.contains("There is a problem"));
        let raw = html(&b, &format!("{base}/passport")).await;
        assert!(
            raw.contains("value=\"N1234567\""),
            "the other answers are kept"
        );
        assert!(raw.contains("<title>Error:"), "{raw}");
        // Letters in the zone number.
        answer(
            &b,
            &id,
            "address",
            &[
                ("zone", "5a"),
                ("street", "950"),
                ("building", "12"),
                ("unit", ""),
            ],
        )
        .await;
        let page = b.page(&format!("{base}/address")).await;
        assert!(
            page.contains("Enter the zone number in digits only"),
            "{page}"
        );
        // Nothing of a refused page counts as answered.
        let list = b.page(&base).await;
        assert!(list.contains("Sections completed: 0 of 8"), "{list}");
        // Arabic: the same message in Arabic.
        assert!(b.get("/lang/ar").await.status().is_redirection());
        let page = b.page(&format!("{base}/address")).await;
        assert!(page.contains("أدخل رقم المنطقة بالأرقام فقط"), "{page}");
    }
);

on_both_backends!(
    a_lost_card_adds_the_loss_declaration_and_a_changed_request_changes_the_record,
    |app: &TestApp| async move {
        let b = signed_in(app, &AMINA).await;
        let id = start(&b, "lost").await;
        let base = format!("/id-card/applications/{id}");
        let list = b.page(&base).await;
        assert!(list.contains("Loss declaration"), "{list}");
        assert!(list.contains("Sections completed: 0 of 9"));
        let to = answer(
            &b,
            &id,
            "loss",
            &[
                ("loss_day", "20"),
                ("loss_month", "11"),
                ("loss_year", "2026"),
                ("loss_place", "Souq Waqif"),
                ("police_report", ""),
            ],
        )
        .await;
        assert_eq!(to, base);
        // Changed to a damaged card: the loss section goes, with its answers.
        assert_eq!(
            answer(&b, &id, "request", &[("request_type", "damaged")]).await,
            base
        );
        let list = b.page(&base).await;
        assert!(!list.contains("Loss declaration"), "{list}");
        assert!(list.contains("A replacement for a damaged card"));
        let (request,): (String,) =
            sqlx::query_as("SELECT request_type FROM idcard_applications WHERE id = $1")
                .bind(&id)
                .fetch_one(app.db.pool())
                .await
                .unwrap();
        assert_eq!(request, "damaged");
        // An unknown request is refused and the record keeps its own.
        answer(&b, &id, "request", &[("request_type", "renewal")]).await;
        assert!(
            b.page(&format!("{base}/request"))
                .await
                .contains("Select what you need")
        );
    }
);

on_both_backends!(
    a_resident_has_one_open_application_and_a_second_leads_to_it,
    |app: &TestApp| async move {
        let b = signed_in(app, &AMINA).await;
        let first = start(&b, "new").await;
        assert_eq!(
            start(&b, "damaged").await,
            first,
            "the open one, not a second"
        );
        let page = b.page("/id-card/apply").await;
        assert!(page.contains("You already have an application"), "{page}");
        let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM idcard_applications")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
        assert_eq!(count, 1);
        // The database refuses a second open application whatever the code does.
        let account = crate::support::people::account_id(app, &AMINA).await;
        let second = sqlx::query(
            "INSERT INTO idcard_applications (id, reference, account_id, request_type, state, \
             version, created_at, updated_at) VALUES ('x', 'ID-X', $1, 'new', 'draft', 0, 0, 0)",
        )
        .bind(&account)
        .execute(app.db.pool())
        .await;
        assert!(second.is_err(), "the unique index holds");
        // The start page offers to continue it.
        let start_page = b.page("/id-card").await;
        assert!(
            start_page.contains("Continue your application"),
            "{start_page}"
        );
        // Ten at once: still one.
        let other = signed_in(app, &KARIM).await;
        let starts =
            (0..10).map(|_| other.post_form("/api/id-card/apply", &[("request_type", "new")]));
        let targets = futures::future::join_all(starts).await;
        assert!(targets.windows(2).all(|w| w[0] == w[1]), "{targets:?}");
        let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM idcard_applications")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
        assert_eq!(count, 2);
    }
);

on_both_backends!(
    another_account_or_a_visitor_cannot_read_or_change_an_application,
    |app: &TestApp| async move {
        let owner = signed_in(app, &AMINA).await;
        let id = start(&owner, "new").await;
        answer(&owner, &id, "names", GOOD[0].1).await;
        let base = format!("/id-card/applications/{id}");
        let stranger = signed_in(app, &KARIM).await;
        for path in [
            base.clone(),
            format!("{base}/names"),
            format!("{base}/request"),
        ] {
            let res = stranger.get(&path).await;
            assert_eq!(res.status(), 404, "{path}");
            let body = res.text().await.unwrap();
            assert!(!body.contains("Amina") && !body.contains("أمينة"), "{body}");
        }
        let res = stranger
            .client
            .post(format!("{}{ANSWER}", stranger.base))
            .header("accept", "text/html")
            .form(&[
                ("id", id.as_str()),
                ("step", "names"),
                ("name_ar", "كريم"),
                ("name_latin", "Karim"),
            ])
            .send()
            .await
            .unwrap();
        refused(&res);
        // A visitor is sent to sign in, and the answer is refused.
        let visitor = app.browser("en");
        let res = visitor.get(&base).await;
        assert_eq!(res.status(), 302);
        assert!(
            res.headers()["location"]
                .to_str()
                .unwrap()
                .starts_with("/sign-in?next=")
        );
        let res = visitor
            .client
            .post(format!("{}{ANSWER}", visitor.base))
            .form(&[
                ("id", id.as_str()),
                ("step", "names"),
                ("name_ar", "كريم"),
                ("name_latin", "Karim"),
            ])
            .send()
            .await
            .unwrap();
        refused(&res);
        // The owner's answers are untouched.
        let page = html(&owner, &format!("{base}/names")).await;
        assert!(page.contains("value=\"Amina Ben Ali\""), "{page}");
    }
);

on_both_backends!(
    the_start_page_states_the_terms_the_data_holds,
    // Every request rendered: the public page cache would answer the second read with the
    // first page for a minute (tests/api/page_cache.rs).
    with[("BAWABA_PAGE_CACHE_SECONDS", "0".to_string())],
    |app: &TestApp| async move {
        let b = app.browser("en");
        let page = b.page("/id-card").await;
        assert!(page.contains("about 15 minutes"), "{page}");
        assert!(page.contains("within 5 working days"), "{page}");
        assert!(page.contains("at least 6 months"), "{page}");
        for (name, value) in [
            ("minutes_to_apply", 25),
            ("production_working_days", 7),
            ("passport_valid_months", 3),
            ("appointment_change_cutoff_hours", 48),
        ] {
            sqlx::query("UPDATE idcard_terms SET value = $1 WHERE name = $2")
                .bind(value)
                .bind(name)
                .execute(app.db.pool())
                .await
                .unwrap();
        }
        let page = b.page("/id-card").await;
        assert!(page.contains("about 25 minutes"), "{page}");
        assert!(page.contains("within 7 working days"), "{page}");
        assert!(page.contains("at least 3 months"), "{page}");
        // Every step it lists has its pages, the appointment's cut-off from data too.
        assert!(page.contains("Upload your documents"));
        assert!(page.contains("Pay the fee online"));
        assert!(page.contains("Book an appointment"));
        assert!(page.contains("up to 48 hours before"), "{page}");
    }
);
