//! The portal's payment pages as a browser without JavaScript uses them: a demo order, the Pay
//! button, the sandbox's pages, the way back, the receipt (page and e-mail), the back button
//! and a second press of Pay, a declined card, and another account trying every address.

use crate::{
    on_both_backends,
    support::{
        app::TestApp,
        html::{hidden, path_of},
        mail::deliver_mail,
        payments::{demo_order, pay_on_sandbox, press_pay},
        people::{AMINA, KARIM, PASSWORD, register, sign_in, signed_in},
    },
};

use bawaba::domain::payment::PaymentState;

async fn payment_state(app: &TestApp, payment_path: &str) -> PaymentState {
    let id = payment_path.trim_start_matches("/payments/");
    let (s,): (String,) = sqlx::query_as("SELECT state FROM payments WHERE id = $1")
        .bind(id)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    PaymentState::parse(&s).unwrap()
}

on_both_backends!(
    a_demo_order_is_paid_by_card_and_the_receipt_is_shown_and_e_mailed_once,
    |app: &TestApp| async move {
        let b = signed_in(app, &AMINA, "en").await;
        let order = demo_order(&b).await;
        let order_html = b.page(&order).await;
        assert!(order_html.contains("2\u{202F}000"), "{order_html}");
        let gateway = press_pay(&b, &order_html).await;
        let payment = pay_on_sandbox(&b, &gateway, "4111 1111 1111 1111").await;
        assert!(payment.starts_with("/payments/"), "{payment}");
        // Settled on return: no notification needed for the page to say so.
        assert_eq!(payment_state(app, &payment).await, PaymentState::Succeeded);
        let receipt = b.page(&payment).await;
        assert!(receipt.contains("Payment received"), "{receipt}");
        assert!(receipt.contains("Bank card Visa"));
        assert!(receipt.contains("•••• 1111"));
        assert!(receipt.contains("PAY-"));

        // The back button and Pay again, with the form as it was: the receipt, no new payment.
        assert_eq!(press_pay(&b, &order_html).await, payment);
        // A freshly loaded order page says it is paid; its Pay form leads to the receipt too.
        let again = b.page(&order).await;
        assert!(again.contains("This order is paid"), "{again}");
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM payments")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
        assert_eq!(n, 1);

        // The notification arrives later and changes nothing; the receipt goes out once.
        let http = reqwest::Client::new();
        while bawaba::sandbox::notifier::deliver_one(
            &app.db,
            &http,
            &crate::support::payments::sandbox_key(app),
            bawaba::platform::session::now_secs(),
        )
        .await
        .unwrap()
        {}
        let sink = deliver_mail(app).await;
        let reference = receipt
            .split("PAY-")
            .nth(1)
            .map(|r| format!("PAY-{}", &r[..10]))
            .unwrap();
        let receipts: Vec<_> = sink
            .messages()
            .into_iter()
            .filter(|m| m.to.iter().any(|t| t == AMINA.email) && m.data.contains(&reference))
            .collect();
        assert_eq!(receipts.len(), 1, "one receipt e-mail");
        assert!(receipts[0].data.contains("Payment receipt"));
    }
);

on_both_backends!(
    a_declined_card_says_so_and_lets_the_user_try_again,
    |app: &TestApp| async move {
        let b = signed_in(app, &AMINA, "ar").await;
        let order = demo_order(&b).await;
        let gateway = press_pay(&b, &b.page(&order).await).await;
        let payment = pay_on_sandbox(&b, &gateway, "4000 0000 0000 0002").await;
        assert_eq!(payment_state(app, &payment).await, PaymentState::Failed);
        let page = b.page(&payment).await;
        assert!(
            page.contains("رفض البنك الدفع"),
            "the decline told in Arabic: {page}"
        );
        assert!(page.contains("لم يُقتطع أي مبلغ"));
        // Try again: a new payment at the gateway.
        let second = press_pay(&b, &page).await;
        assert!(
            path_of(&second).starts_with("/sandbox-pay/pay/"),
            "{second}"
        );
        assert_ne!(path_of(&second), path_of(&gateway));
        let paid = pay_on_sandbox(&b, &second, "5555 5555 5555 4444").await;
        assert_eq!(payment_state(app, &paid).await, PaymentState::Succeeded);
    }
);

on_both_backends!(
    an_unconfirmed_account_cannot_start_a_payment,
    |app: &TestApp| async move {
        let b = app.browser("en");
        register(&b, &AMINA).await;
        sign_in(&b, AMINA.email, PASSWORD).await;
        let order = demo_order(&b).await;
        let to = press_pay(&b, &b.page(&order).await).await;
        assert_eq!(to, "/account/verify-email");
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM payments")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
        assert_eq!(n, 0);
    }
);

on_both_backends!(
    another_account_cannot_see_or_pay_someone_elses_order_or_payment,
    |app: &TestApp| async move {
        let amina = signed_in(app, &AMINA, "en").await;
        let order = demo_order(&amina).await;
        let order_html = amina.page(&order).await;
        let gateway = press_pay(&amina, &order_html).await;
        let payment = pay_on_sandbox(&amina, &gateway, "4111 1111 1111 1111").await;

        let karim = signed_in(app, &KARIM, "en").await;
        for page in [order.as_str(), payment.as_str()] {
            let res = karim.get(page).await;
            assert_eq!(res.status(), 404, "{page}");
            let html = res.text().await.unwrap();
            assert!(
                !html.contains("PAY-") && !html.contains("1111"),
                "{page} leaks: {html}"
            );
        }
        // Pressing Pay with her order's id does nothing.
        let res = karim
            .client
            .post(app.url("/api/payments/pay"))
            .header("accept", "text/html")
            .form(&[
                ("order_id", hidden(&order_html, "order_id")),
                ("key", "k".into()),
            ])
            .send()
            .await
            .unwrap();
        assert!(
            !res.status().is_redirection()
                || !res.headers()["location"]
                    .to_str()
                    .unwrap()
                    .contains("sandbox-pay")
        );
        // Nobody signed in is sent to sign in first.
        let stranger = app.browser("en");
        let res = stranger.get(&payment).await;
        assert!(res.status().is_redirection());
        assert!(
            res.headers()["location"]
                .to_str()
                .unwrap()
                .starts_with("/sign-in")
        );
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM payments")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
        assert_eq!(n, 1);
    }
);
