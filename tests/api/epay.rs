//! The portal configured with a redirect-and-confirm gateway (`BAWABA_PAYMENT_GATEWAY=epay`)
//! against a fake of that platform started here: the same engine and pages, no notifications.
//! The outcome is learnt when the payer comes back, or by the poller when they never do.

use crate::support::{
    app::{Backend, TestApp, spawn_app_with},
    fakes::EpayFake,
    html::path_of,
    mail::deliver_mail,
    payments::{demo_order, poll, press_pay},
    people::{AMINA, signed_in},
};
use bawaba::{
    domain::payment::PaymentState,
    features::payments::engine::{self},
    platform::session::now_secs,
};

/// Runs `body` with the portal on `epay`, on SQLite and on PostgreSQL.
macro_rules! on_both_backends_with_epay {
    ($name:ident, |$app:ident, $fake:ident| async move $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            async fn run(backend: Backend) {
                let $fake = EpayFake::start().await;
                let Some(owned) = spawn_app_with(backend, &$fake.settings()).await else {
                    eprintln!("PostgreSQL half skipped: TEST_DATABASE_URL is not set");
                    return;
                };
                {
                    let $app: &TestApp = &owned;
                    let $fake = &$fake;
                    $body
                }
                owned.cleanup().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                run(Backend::Sqlite).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                run(Backend::Postgres).await
            }
        }
    };
}

async fn state_of(app: &TestApp, payment_id: &str) -> PaymentState {
    let (s,): (String,) = sqlx::query_as("SELECT state FROM payments WHERE id = $1")
        .bind(payment_id)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    PaymentState::parse(&s).unwrap()
}

/// The payment started for the order whose page is `order_path` (the platform knows it by
/// that id: it is the order number we register).
async fn payment_of(app: &TestApp, order_path: &str) -> String {
    let (id,): (String,) = sqlx::query_as("SELECT id FROM payments WHERE order_id = $1")
        .bind(order_path.trim_start_matches("/payments/order/"))
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    id
}

async fn fulfilled_orders(app: &TestApp) -> i64 {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM orders WHERE fulfilled_at IS NOT NULL")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    n
}

on_both_backends_with_epay!(
    an_epay_payment_is_confirmed_when_the_payer_comes_back,
    |app, fake| async move {
        let b = signed_in(app, &AMINA, "ar").await;
        let order = demo_order(&b).await;
        let form = press_pay(&b, &b.page(&order).await).await;
        assert!(
            form.starts_with(&format!("{}/payment/merchants/form?mdOrder=", fake.base)),
            "{form}"
        );
        let payment = payment_of(app, &order).await;
        let registered = fake
            .order(&payment)
            .expect("the order registered at the platform");
        assert_eq!(
            (registered.amount, registered.currency.as_str()),
            (200_000, "012")
        );
        assert_eq!(state_of(app, &payment).await, PaymentState::Pending);

        // The payer pays on the platform's form, which sends them back with its order id.
        let res = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
            .post(format!("{}/payment/merchants/pay", fake.base))
            .form(&[
                ("mdOrder", registered.id.as_str()),
                ("pan", "6280 5800 0000 0009"),
            ])
            .send()
            .await
            .unwrap();
        let back = res.headers()["location"].to_str().unwrap().to_string();
        assert!(
            back.contains(&format!("/payments/{payment}/return?orderId=")),
            "{back}"
        );
        // The portal asks the platform (nothing in the address decides) and shows the receipt.
        let res = b.get(&path_of(&back)).await;
        assert_eq!(res.status(), 303);
        assert_eq!(
            res.headers()["location"],
            format!("/payments/{payment}").as_str()
        );
        assert_eq!(state_of(app, &payment).await, PaymentState::Succeeded);
        let page = b.page(&format!("/payments/{payment}")).await;
        assert!(page.contains("تم استلام الدفع"), "{page}");
        assert!(
            page.contains("Edahabia") && page.contains("•••• 0009"),
            "{page}"
        );
        assert!(
            !page.contains("628058"),
            "never more than the last four digits"
        );
        assert_eq!(fulfilled_orders(app).await, 1);
        let sink = deliver_mail(app).await;
        assert_eq!(
            sink.messages()
                .iter()
                .filter(|m| m.to.iter().any(|t| t == AMINA.email) && m.data.contains("PAY-"))
                .count(),
            1
        );

        // Coming back again changes nothing; this gateway sends no notifications to accept.
        assert_eq!(b.get(&path_of(&back)).await.status(), 303);
        assert_eq!(fulfilled_orders(app).await, 1);
        let res = app
            .client
            .post(app.url("/payments/notify/epay"))
            .body("{}")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 400);
    }
);

on_both_backends_with_epay!(
    a_payer_who_never_comes_back_is_confirmed_by_the_poller_and_a_decline_is_told,
    |app, fake| async move {
        let b = signed_in(app, &AMINA, "en").await;
        let order = demo_order(&b).await;
        press_pay(&b, &b.page(&order).await).await;
        let payment = payment_of(app, &order).await;
        fake.pay_without_returning(&payment, "4111 1111 1111 1111");
        // Not asked before its check is due; asked once it is.
        assert_eq!(poll(app, now_secs()).await, 0);
        let later = now_secs() + engine::NOTIFICATION_OVERDUE_SECS + 1;
        assert_eq!(poll(app, later).await, 1);
        assert_eq!(state_of(app, &payment).await, PaymentState::Succeeded);
        assert_eq!(fulfilled_orders(app).await, 1);

        // A declined card: the payer comes back to a clear message and can try again.
        let order = demo_order(&b).await;
        press_pay(&b, &b.page(&order).await).await;
        let declined = payment_of(app, &order).await;
        fake.pay_without_returning(&declined, "4000 0000 0000 0002");
        let res = b
            .get(&format!("/payments/{declined}/return?orderId=x"))
            .await;
        assert_eq!(res.status(), 303);
        assert_eq!(state_of(app, &declined).await, PaymentState::Failed);
        let page = b.page(&format!("/payments/{declined}")).await;
        assert!(page.contains("Your bank declined the payment"), "{page}");
        assert!(page.contains("Try again and pay"));
    }
);

on_both_backends_with_epay!(
    refunds_through_epay_are_bounded_by_what_was_paid,
    |app, fake| async move {
        let b = signed_in(app, &AMINA, "fr").await;
        let order = demo_order(&b).await;
        press_pay(&b, &b.page(&order).await).await;
        let payment = payment_of(app, &order).await;
        fake.pay_without_returning(&payment, "5555 5555 5555 4444");
        b.get(&format!("/payments/{payment}/return")).await;
        assert_eq!(state_of(app, &payment).await, PaymentState::Succeeded);
        crate::support::payments::refunds_never_exceed_what_was_paid(app, &payment).await;
        assert_eq!(fake.order(&payment).unwrap().refunded, 200_000);
        assert_eq!(fake.order(&payment).unwrap().status, 4);
    }
);
