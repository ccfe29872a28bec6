//! Payments for administrators, as a browser without JavaScript uses them: the day's report
//! and its CSV, refunds through the form (bad input told and kept, nothing refunded), the
//! comparison with the gateway and closing what it found — and every address refused to a
//! citizen and to a visitor who is not signed in.

use crate::{
    on_both_backends,
    support::{
        app::TestApp,
        html::hidden,
        mail::deliver_mail,
        payments::{demo_order, paid_order, press_pay},
        people::{AMINA, KARIM, SAMIRA, account_id, administrator, signed_in},
    },
};

use bawaba::{
    domain::{date::Date, payment::PaymentState},
    platform::session::now_secs,
};

fn today() -> String {
    Date::from_days_since_epoch(now_secs().div_euclid(86_400)).iso()
}

async fn one(app: &TestApp, sql: &str, bind: &str) -> (String, i64) {
    sqlx::query_as(sql)
        .bind(bind)
        .fetch_one(app.db.pool())
        .await
        .unwrap()
}

/// State and refunded amount of a payment.
async fn refunded(app: &TestApp, payment: &str) -> (PaymentState, i64) {
    let (state, minor) = one(
        app,
        "SELECT state, refunded_minor FROM payments WHERE id = $1",
        payment,
    )
    .await;
    (PaymentState::parse(&state).unwrap(), minor)
}

on_both_backends!(
    the_daily_report_counts_and_totals_the_days_payments_for_administrators_only,
    |app: &TestApp| async move {
        let (payer, paid) = paid_order(app, "fr").await;
        // A second order left at the gateway's page.
        let order = demo_order(&payer).await;
        press_pay(&payer, &payer.page(&order).await).await;
        let admin = administrator(app).await;

        let report = admin
            .page(&format!("/admin/payments?day={}", today()))
            .await;
        assert!(report.contains("Payments report"), "{report}");
        let started = &report[report.find("id=\"started\"").expect("the started table")..];
        let started = &started[..started.find("</table>").unwrap()];
        for part in [
            "Paid",
            "Bank card",
            "At the gateway",
            "Not known",
            "2\u{202F}000",
        ] {
            assert!(started.contains(part), "{part} in {started}");
        }
        let moved = &report[report.find("id=\"moved\"").expect("the money table")..];
        let moved = &moved[..moved.find("</table>").unwrap()];
        assert!(
            moved.contains("DZD") && moved.contains("2\u{202F}000"),
            "{moved}"
        );
        assert!(report.contains("Nothing to check."));
        // Another day has nothing; a day that is not one says so next to the field.
        let other = admin.page("/admin/payments?day=2020-01-01").await;
        assert!(other.contains("No payment was started on this day."));
        let bad = admin.page("/admin/payments?day=31-12-2026").await;
        assert!(bad.contains("Enter a day like 2026-11-30"), "{bad}");

        // The CSV: a header and one line per payment, amounts in minor units.
        let res = admin
            .get(&format!("/admin/reports/payments.csv?day={}", today()))
            .await;
        assert_eq!(res.status(), 200);
        assert!(
            res.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/csv")
        );
        assert!(
            res.headers()["content-disposition"]
                .to_str()
                .unwrap()
                .contains("attachment")
        );
        let csv = res.text().await.unwrap();
        let lines: Vec<&str> = csv.trim_end().split("\r\n").collect();
        assert_eq!(lines.len(), 3, "{csv}");
        assert!(lines[0].starts_with("\u{FEFF}reference,started_at_utc,state"));
        let (reference, _) = one(
            app,
            "SELECT reference, amount_minor FROM payments WHERE id = $1",
            &paid,
        )
        .await;
        let line = lines
            .iter()
            .find(|l| l.starts_with(&reference))
            .expect("the paid line");
        assert!(
            line.contains(",succeeded,demo,200000,0,DZD,card,visa,•••• 1111,"),
            "{line}"
        );
        assert!(
            lines
                .iter()
                .any(|l| l.contains(",pending,demo,200000,0,DZD,")),
            "{csv}"
        );

        // Finding a payment by its receipt's reference, and a reference that is no payment's.
        let to = admin
            .post_form(
                "/api/admin/payments/find",
                &[("reference", &reference.to_lowercase()), ("day", &today())],
            )
            .await;
        assert_eq!(to, format!("/admin/payments/{paid}"));
        let to = admin
            .post_form(
                "/api/admin/payments/find",
                &[("reference", "PAY-NOPE"), ("day", &today())],
            )
            .await;
        let page = admin.page(&to).await;
        assert!(page.contains("No payment has this reference"), "{page}");
        assert!(
            page.contains("value=\"PAY-NOPE\""),
            "what was typed is kept"
        );

        // A citizen, even the payer, and a visitor who is not signed in see none of it.
        let karim = signed_in(app, &KARIM, "en").await;
        for who in [&payer, &karim] {
            for path in [
                "/admin/payments".to_string(),
                format!("/admin/payments/{paid}"),
                format!("/admin/reports/payments.csv?day={}", today()),
            ] {
                let res = who.get(&path).await;
                assert_eq!(res.status(), 404, "{path}");
                let body = res.text().await.unwrap();
                assert!(!body.contains(&reference), "{path} leaks the reference");
            }
        }
        let stranger = app.browser("en");
        for path in [
            "/admin/payments",
            "/admin/reports/payments.csv?day=2026-11-30",
        ] {
            let res = stranger.get(path).await;
            assert!(res.status().is_redirection(), "{path}");
            assert!(
                res.headers()["location"]
                    .to_str()
                    .unwrap()
                    .starts_with("/sign-in")
            );
        }
    }
);

on_both_backends!(
    a_refund_by_form_is_checked_made_once_through_the_gateway_and_told_to_the_payer,
    |app: &TestApp| async move {
        let (payer, paid) = paid_order(app, "fr").await;
        let admin = administrator(app).await;
        let path = format!("/admin/payments/{paid}");
        let page = admin.page(&path).await;
        assert!(page.contains("Left to refund:"), "{page}");
        let key = hidden(&page, "key");
        let refund = |amount: &'static str, reason: &'static str, key: String| {
            let admin = &admin;
            let paid = paid.clone();
            async move {
                admin
                    .post_form(
                        "/api/admin/payments/refund",
                        &[
                            ("payment_id", &paid),
                            ("key", &key),
                            ("amount", amount),
                            ("reason", reason),
                        ],
                    )
                    .await
            }
        };

        // Bad input: told next to the field and in the summary, typed values kept, nothing refunded.
        for (amount, reason, message) in [
            ("", "Paid twice", "Enter the amount to refund"),
            ("abc", "Paid twice", "Enter an amount like 500 or 500.50"),
            ("0", "Paid twice", "Enter an amount more than 0"),
            (
                "2000.01",
                "Paid twice",
                "The amount is more than what is left to refund",
            ),
            ("500", "", "Say why the money is refunded"),
        ] {
            assert_eq!(refund(amount, reason, key.clone()).await, path);
            let page = admin.page(&path).await;
            assert!(page.contains("error-summary"), "{amount:?} {reason:?}");
            assert_eq!(
                page.matches(message).count(),
                2,
                "{message} by the field and in the summary"
            );
            assert!(
                page.contains(&format!("value=\"{amount}\"")),
                "the amount typed is kept"
            );
            assert!(
                page.contains(&format!("value=\"{reason}\"")),
                "the reason typed is kept"
            );
            assert_eq!(refunded(app, &paid).await, (PaymentState::Succeeded, 0));
        }

        // 500,50 DZD back, with a reason; the same post again refunds nothing more.
        let to = refund("500,50", "Paid twice", key.clone()).await;
        assert_eq!(to, format!("{path}?refunded=1"));
        assert!(
            admin
                .page(&to)
                .await
                .contains("Refunded. The payer has been told by e-mail.")
        );
        assert_eq!(refund("500,50", "Paid twice", key.clone()).await, to);
        assert_eq!(
            refunded(app, &paid).await,
            (PaymentState::PartiallyRefunded, 50_050)
        );
        let (theirs,): (i64,) =
            sqlx::query_as("SELECT refunded_minor FROM sandbox_payments WHERE merchant_ref = $1")
                .bind(&paid)
                .fetch_one(app.db.pool())
                .await
                .unwrap();
        assert_eq!(theirs, 50_050, "the gateway refunded once");
        // Recorded with the administrator and the reason, and shown in the history.
        let (actor, _) = one(
            app,
            "SELECT actor, amount_minor FROM payment_events WHERE payment_id = $1 AND event = 'refunded'",
            &paid,
        )
        .await;
        let samira = account_id(app, &SAMIRA).await;
        assert_eq!(actor, samira);
        let page = admin.page(&path).await;
        assert!(
            page.contains(SAMIRA.email) && page.contains("Paid twice"),
            "{page}"
        );
        // The payer is told once, in French, with the amount and the reason.
        let sink = deliver_mail(app).await;
        let notices: Vec<_> = sink
            .messages()
            .into_iter()
            .filter(|m| m.to.iter().any(|t| t == AMINA.email) && m.data.contains("Remboursement"))
            .collect();
        assert_eq!(notices.len(), 1, "one refund notice");

        // The rest, with a fresh form; then nothing is left to refund.
        let key2 = hidden(&admin.page(&path).await, "key");
        refund("1499.50", "Service not delivered", key2).await;
        assert_eq!(
            refunded(app, &paid).await,
            (PaymentState::Refunded, 200_000)
        );
        assert!(
            admin
                .page(&path)
                .await
                .contains("Nothing is left to refund on this payment.")
        );

        // A citizen posting the form refunds nothing.
        let res = payer
            .client
            .post(app.url("/api/admin/payments/refund"))
            .header("accept", "text/html")
            .form(&[
                ("payment_id", paid.as_str()),
                ("key", "k"),
                ("amount", "1"),
                ("reason", "x"),
            ])
            .send()
            .await
            .unwrap();
        assert!(!res.status().is_success() || res.status().is_redirection());
        let (n,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM payment_events WHERE payment_id = $1 AND event = 'refunded'",
        )
        .bind(&paid)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
        assert_eq!(n, 2);
    }
);

on_both_backends!(
    comparing_a_day_with_the_gateway_lists_each_difference_once_until_it_is_checked,
    |app: &TestApp| async move {
        let (_payer, paid) = paid_order(app, "en").await;
        let admin = administrator(app).await;
        // The two views agree: nothing found.
        let to = admin
            .post_form("/api/admin/payments/sweep", &[("day", &today())])
            .await;
        assert!(to.contains("compared=1&found=0"), "{to}");
        assert!(
            admin
                .page(&to)
                .await
                .contains("1 payments compared with the gateway; 0 new differences.")
        );

        // Our record says failed while the gateway took the money: a difference to check.
        app.execute(&format!(
            "UPDATE payments SET state = 'failed' WHERE id = '{paid}'"
        ))
        .await;
        let to = admin
            .post_form("/api/admin/payments/sweep", &[("day", &today())])
            .await;
        assert!(to.contains("found=1"), "{to}");
        let to = admin
            .post_form("/api/admin/payments/sweep", &[("day", &today())])
            .await;
        assert!(to.contains("found=0"), "listed once: {to}");
        let report = admin.page(&to).await;
        assert!(report.contains("The gateway’s state differs"), "{report}");
        // The CSV names the open difference on the payment's line.
        let csv = admin
            .get(&format!("/admin/reports/payments.csv?day={}", today()))
            .await
            .text()
            .await
            .unwrap();
        assert!(
            csv.contains(",failed,demo,") && csv.trim_end().ends_with(",status_mismatch"),
            "{csv}"
        );
        assert!(
            report.contains("ours failed, the gateway&#x27;s succeeded")
                || report.contains("ours failed, the gateway's succeeded"),
            "{report}"
        );

        // Closing it needs a word on what was done; then it leaves the list.
        let path = format!("/admin/payments/{paid}");
        let page = admin.page(&path).await;
        let flag = hidden(&page, "flag_id");
        let to = admin
            .post_form(
                "/api/admin/payments/resolve",
                &[
                    ("payment_id", &paid),
                    ("flag_id", &flag),
                    ("resolution", " "),
                ],
            )
            .await;
        assert_eq!(to, path);
        assert_eq!(
            admin
                .page(&path)
                .await
                .matches("Say what you found or did")
                .count(),
            2
        );
        admin
            .post_form(
                "/api/admin/payments/resolve",
                &[
                    ("payment_id", &paid),
                    ("flag_id", &flag),
                    ("resolution", "Restored the record; vignette issued"),
                ],
            )
            .await;
        let report = admin
            .page(&format!("/admin/payments?day={}", today()))
            .await;
        assert!(report.contains("Nothing to check."), "{report}");
        let (by, _) = one(
            app,
            "SELECT resolved_by, at FROM payment_flags WHERE id = $1",
            &flag,
        )
        .await;
        let samira = account_id(app, &SAMIRA).await;
        assert_eq!(by, samira);
    }
);

on_both_backends!(
    the_nightly_comparison_checks_the_previous_day_once_across_servers,
    |app: &TestApp| async move {
        use bawaba::features::payments::reconciliation;
        let (_payer, paid) = paid_order(app, "en").await;
        app.execute(&format!(
            "UPDATE payments SET state = 'failed' WHERE id = '{paid}'"
        ))
        .await;
        // Seen from tomorrow: before 01:00 UTC it waits; then one run, whoever asks first.
        let tomorrow = (now_secs().div_euclid(86_400) + 1) * 86_400;
        let run = |at: i64| reconciliation::nightly(&app.payments, &app.db, at);
        assert_eq!(run(tomorrow + 600).await.unwrap(), None);
        let swept = run(tomorrow + 2 * 3600)
            .await
            .unwrap()
            .expect("the night's run");
        assert_eq!((swept.compared, swept.found), (1, 1));
        assert_eq!(run(tomorrow + 3 * 3600).await.unwrap(), None, "once a day");
        let (kind, _) = one(
            app,
            "SELECT kind, at FROM payment_flags WHERE payment_id = $1",
            &paid,
        )
        .await;
        assert_eq!(kind, "status_mismatch");
    }
);
