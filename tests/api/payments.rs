//! The payment engine with the sandbox gateway, through the sandbox's real HTTP pages and API:
//! exactly one payment per order however often "Pay" is pressed, exactly one fulfilment however
//! many notifications arrive, forged/stale/replayed/out-of-order news refused or harmless,
//! expiry, refunds, and the poller for notifications that never come.

use crate::{
    on_both_backends,
    support::{
        app::{Browser, TestApp},
        payments::{
            COUNTED, fulfilled, poll, refunds_never_exceed_what_was_paid, sandbox_key,
            sandbox_notifies,
        },
        people::{AMINA, KARIM, Person, register},
    },
};

use bawaba::{
    domain::{
        money::{Currency, Money},
        payment::PaymentState,
    },
    features::payments::engine::{self, Applied, NewOrder, PaymentError, Started},
    platform::{gateway::signature, session::now_secs},
    sandbox::{
        protocol::{CreatePayment, Notification, PaymentView},
        store,
    },
};

const AMOUNT: Money = Money {
    minor: 200_000,
    currency: Currency::Dzd,
};

/// A registered account (through the real pages) and the id of an order of 2 000 DZD for it.
async fn account_with_order(app: &TestApp, who: &Person) -> (Browser, String, String) {
    let b = app.browser("ar");
    register(&b, who).await;
    let (account_id,): (String,) = sqlx::query_as("SELECT id FROM accounts WHERE email = $1")
        .bind(who.email)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    let order_id = new_order(app, &account_id).await;
    (b, account_id, order_id)
}

async fn new_order(app: &TestApp, account_id: &str) -> String {
    let mut conn = app.db.pool().acquire().await.unwrap();
    engine::create_order(
        &mut *conn,
        &NewOrder {
            account_id,
            kind: COUNTED,
            subject: &uuid::Uuid::new_v4().to_string(),
            description: [
                ("ar", "طلب تجريبي".into()),
                ("fr", "Commande d’essai".into()),
                ("en", "Test order".into()),
            ],
            amount: AMOUNT,
        },
        now_secs(),
    )
    .await
    .unwrap()
    .id
}

async fn start(app: &TestApp, account_id: &str, order_id: &str, key: &str) -> Started {
    engine::start(
        &app.payments,
        &app.db,
        account_id,
        engine::ToPay::Named(order_id),
        key,
        "ar",
        now_secs(),
    )
    .await
    .unwrap()
}

/// The path of an absolute URL (the test server's public URL names port 0).
fn path_of(url: &str) -> String {
    let rest = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    rest.find('/')
        .map(|i| rest[i..].to_string())
        .unwrap_or_default()
}

/// Starts a payment and returns (payment id, the sandbox page's path).
async fn started(app: &TestApp, account_id: &str, order_id: &str) -> (String, String) {
    match start(app, account_id, order_id, &uuid::Uuid::new_v4().to_string()).await {
        Started::Gateway { payment_id, url } => (payment_id, path_of(&url)),
        other => panic!("expected the gateway page, got {other:?}"),
    }
}

/// Pays on the sandbox's pages as a browser without JavaScript: card form, then the code.
/// Returns where the sandbox sends the payer back to.
async fn pay_by_card(b: &Browser, page: &str, number: &str) -> String {
    let html = b.page(page).await;
    assert!(
        html.contains("dir=\"rtl\""),
        "the Arabic page is right-to-left"
    );
    assert!(
        html.contains("2\u{202F}000"),
        "the page shows the amount: {html}"
    );
    let next = b
        .post_form(
            &format!("{page}/card"),
            &[
                ("number", number),
                ("expiry", "12/30"),
                ("cvv", "123"),
                ("holder", "AMINA BENALI"),
            ],
        )
        .await;
    assert!(next.starts_with(&format!("{page}/code")), "{next}");
    b.post_form(&path_of(&next), &[("code", "123456")]).await
}

/// Posts a one-time code to a sandbox code page as the browser's form would, without following
/// a redirect: the status and the page.
async fn post_code(app: &TestApp, b: &Browser, code_page: &str, code: &str) -> (u16, String) {
    let res = b
        .client
        .post(app.url(code_page))
        .form(&[("code", code)])
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

async fn state_of(app: &TestApp, payment_id: &str) -> PaymentState {
    let (state,): (String,) = sqlx::query_as("SELECT state FROM payments WHERE id = $1")
        .bind(payment_id)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    PaymentState::parse(&state).unwrap()
}

async fn count(app: &TestApp, sql: &str, bind: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as(sql)
        .bind(bind)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    n
}

/// A notification as the sandbox would sign it, about a payment of ours.
fn notification_body(
    app_payment: &str,
    gateway_ref: &str,
    status: &str,
    amount_minor: i64,
) -> String {
    serde_json::to_string(&Notification {
        notification_id: format!("ntf_{}", uuid::Uuid::new_v4().simple()),
        seq: 9,
        payment: PaymentView {
            id: gateway_ref.to_string(),
            merchant_ref: app_payment.to_string(),
            status: status.to_string(),
            failure: None,
            amount_minor,
            currency: "DZD".into(),
            method: Some("card".into()),
            brand: Some("visa".into()),
            masked: Some("•••• 1111".into()),
            refunded_minor: 0,
            redirect_url: None,
        },
    })
    .unwrap()
}

async fn post_notification(app: &TestApp, body: &str, signature: &str) -> u16 {
    app.client
        .post(app.url("/payments/notify/sandbox"))
        .header(signature::HEADER, signature)
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

async fn gateway_ref(app: &TestApp, payment_id: &str) -> String {
    let (r,): (Option<String>,) = sqlx::query_as("SELECT gateway_ref FROM payments WHERE id = $1")
        .bind(payment_id)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    r.unwrap()
}

/// A payment's history: (event, from, to, actor, gateway reference), oldest first.
async fn history(
    app: &TestApp,
    payment_id: &str,
) -> Vec<(String, String, String, String, Option<String>)> {
    sqlx::query_as(
        "SELECT event, from_state, to_state, actor, gateway_ref FROM payment_events \
         WHERE payment_id = $1 ORDER BY at",
    )
    .bind(payment_id)
    .fetch_all(app.db.pool())
    .await
    .unwrap()
}

// Each move writes one line of the payment's history, and only a move writes one (on
// PostgreSQL the line is written by the move's own statement, which is the whole transaction
// when nothing else is written). An expiry decided on a row read before another request
// expired the payment finds it moved, decides again on the row as it is, and writes nothing.
on_both_backends!(
    each_move_writes_one_line_of_history_and_a_move_on_an_old_row_writes_none,
    |app: &TestApp| async move {
        let (_b, account, order) = account_with_order(app, &AMINA).await;
        let (payment, _page) = started(app, &account, &order).await;
        let gref = gateway_ref(app, &payment).await;
        let (read, _, _) = engine::owned_payment_with_order_ref(&app.db, &account, &payment)
            .await
            .unwrap();
        assert_eq!(read.state(), PaymentState::Pending);
        // Past its time and the grace after it, while the gateway still says it is open.
        let later = read.expires_at + 3600;
        let check = || engine::check_row(&app.payments, &app.db, &read, "poller", later);
        assert_eq!(
            check().await.unwrap(),
            Applied::Moved(PaymentState::Expired)
        );
        assert_eq!(
            check().await.unwrap(),
            Applied::AlreadyIn(PaymentState::Expired)
        );
        assert_eq!(state_of(app, &payment).await, PaymentState::Expired);
        let line = |event: &str, from: &str, to: &str, actor: &str| {
            let s = |t: &str| t.to_string();
            (s(event), s(from), s(to), s(actor), Some(gref.clone()))
        };
        assert_eq!(
            history(app, &payment).await,
            [
                line("accepted", "created", "pending", "portal"),
                line("expired", "pending", "expired", "poller"),
            ]
        );
    }
);

// An order that is already fulfilled when a payment of it succeeds (two payments of one order
// both paid) is not fulfilled again: the payment is flagged for a person to refund, and the
// receipt still names the order (read again on that path: `mark_fulfilled` gives back only an
// order it fulfilled).
on_both_backends!(
    a_payment_for_an_order_already_fulfilled_is_flagged_not_fulfilled_again,
    |app: &TestApp| async move {
        let (b, account, order) = account_with_order(app, &AMINA).await;
        let (payment, page) = started(app, &account, &order).await;
        // Fulfilled meanwhile, as by another payment of the same order.
        sqlx::query("UPDATE orders SET fulfilled_at = $1 WHERE id = $2")
            .bind(now_secs())
            .bind(&order)
            .execute(app.db.pool())
            .await
            .unwrap();
        pay_by_card(&b, &page, "6280 5800 0000 0009").await;
        sandbox_notifies(app, now_secs()).await;
        assert_eq!(state_of(app, &payment).await, PaymentState::Succeeded);
        assert_eq!(fulfilled(&order), 0, "not fulfilled a second time");
        assert_eq!(
            count(app, "SELECT COUNT(*) FROM payment_flags WHERE payment_id = $1 AND kind = 'order_paid_twice'", &payment).await,
            1
        );
        assert_eq!(
            count(app, "SELECT COUNT(*) FROM outbox WHERE template = 'payment_receipt' AND account_id = $1", &account).await,
            1,
            "the payer still has the receipt of what was taken"
        );
    }
);

on_both_backends!(
    twenty_simultaneous_pay_submissions_create_one_payment,
    |app: &TestApp| async move {
        let (_b, account, order) = account_with_order(app, &AMINA).await;
        // Ten double clicks (one key each, twice) and ten other tabs, all at once.
        let keys: Vec<String> = (0..10)
            .flat_map(|i| [format!("key-{i}"), format!("key-{i}")])
            .collect();
        let results =
            futures::future::join_all(keys.iter().map(|k| start(app, &account, &order, k))).await;
        let pages: std::collections::HashSet<_> = results
            .iter()
            .map(|r| match r {
                Started::Gateway { payment_id, url } => (payment_id.clone(), url.clone()),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(
            pages.len(),
            1,
            "every submission leads to the same payment page"
        );
        assert_eq!(
            count(
                app,
                "SELECT COUNT(*) FROM payments WHERE order_id = $1",
                &order
            )
            .await,
            1
        );
        assert_eq!(
            count(app, "SELECT COUNT(*) FROM sandbox_payments WHERE merchant_ref IN (SELECT id FROM payments WHERE order_id = $1)", &order).await,
            1,
            "and the gateway opened one payment"
        );
    }
);

on_both_backends!(
    paying_by_card_with_the_code_succeeds_and_fulfils_the_order_once,
    |app: &TestApp| async move {
        let (b, account, order) = account_with_order(app, &AMINA).await;
        let (payment, page) = started(app, &account, &order).await;
        assert_eq!(state_of(app, &payment).await, PaymentState::Pending);
        let back = pay_by_card(&b, &page, "4111 1111 1111 1111").await;
        assert!(
            back.ends_with(&format!("/payments/{payment}/return")),
            "{back}"
        );
        // The notification arrives and is applied.
        assert_eq!(sandbox_notifies(app, now_secs()).await, 1);
        assert_eq!(state_of(app, &payment).await, PaymentState::Succeeded);
        assert_eq!(fulfilled(&order), 1);
        let (fulfilled_at, masked, brand): (Option<i64>, Option<String>, Option<String>) =
            sqlx::query_as(
                "SELECT o.fulfilled_at, p.masked, p.brand FROM orders o JOIN payments p ON p.order_id = o.id WHERE p.id = $1",
            )
            .bind(&payment)
            .fetch_one(app.db.pool())
            .await
            .unwrap();
        assert!(fulfilled_at.is_some());
        // Only the masked number and the brand: never the card number or the CVV.
        assert_eq!(masked.as_deref(), Some("•••• 1111"));
        assert_eq!(brand.as_deref(), Some("visa"));
        for table in ["payments", "payment_events", "payment_flags", "orders"] {
            let dump: Vec<(String,)> =
                sqlx::query_as(&format!("SELECT CAST(id AS TEXT) FROM {table}"))
                    .fetch_all(app.db.pool())
                    .await
                    .unwrap();
            assert!(!format!("{dump:?}").contains("4111111111111111"));
        }
        // Paying again for a paid order is refused; the same submission shows its outcome.
        let again = engine::start(
            &app.payments,
            &app.db,
            &account,
            engine::ToPay::Named(&order),
            "another",
            "ar",
            now_secs(),
        )
        .await;
        assert!(matches!(again, Err(PaymentError::AlreadyPaid)), "{again:?}");
    }
);

on_both_backends!(
    an_order_made_at_pay_is_written_with_its_payment_and_a_repeated_submission_adds_neither,
    |app: &TestApp| async move {
        let (_b, account, _) = account_with_order(app, &AMINA).await;
        let made = || {
            engine::new_order(
                &NewOrder {
                    account_id: &account,
                    kind: COUNTED,
                    subject: "one thing",
                    description: [("ar", "x".into()), ("fr", "x".into()), ("en", "x".into())],
                    amount: AMOUNT,
                },
                now_secs(),
            )
        };
        let pay = |order, key: &'static str| {
            let account = account.clone();
            async move {
                engine::start(
                    &app.payments,
                    &app.db,
                    &account,
                    engine::ToPay::New(order),
                    key,
                    "ar",
                    now_secs(),
                )
                .await
            }
        };
        let first = made();
        let first_id = first.id.clone();
        let opened = pay(first, "k1").await.unwrap();
        assert!(matches!(opened, Started::Gateway { .. }), "{opened:?}");
        let one = "SELECT COUNT(*) FROM payments WHERE order_id = $1";
        assert_eq!(
            count(app, one, &first_id).await,
            1,
            "the order, with its payment"
        );
        assert_eq!(
            engine::owned_order(&app.db, &account, &first_id)
                .await
                .unwrap()
                .amount,
            AMOUNT
        );

        // The same submission again, its request having made its own order (a double click
        // whose two requests ran side by side): the first's payment, no second payment; on
        // PostgreSQL, where the two are one statement, no second order either.
        let second = made();
        let second_id = second.id.clone();
        assert_eq!(pay(second, "k1").await.unwrap(), opened);
        assert_eq!(count(app, one, &second_id).await, 0);
        let orders = "SELECT COUNT(*) FROM orders WHERE account_id = $1";
        let left = if app.db.backend() == bawaba::platform::db::Backend::Postgres {
            0
        } else {
            1
        };
        assert_eq!(count(app, orders, &account).await, 2 + left);
    }
);

on_both_backends!(
    twenty_simultaneous_success_notifications_fulfil_the_order_once,
    |app: &TestApp| async move {
        let (b, account, order) = account_with_order(app, &AMINA).await;
        let (payment, page) = started(app, &account, &order).await;
        // Paid at the gateway, its own notification lost: twenty copies arrive at once.
        pay_by_card(&b, &page, "4000 0000 0000 0101").await;
        assert_eq!(sandbox_notifies(app, now_secs() + 3600).await, 0);
        let gref = gateway_ref(app, &payment).await;
        let statuses = futures::future::join_all((0..20).map(|_| {
            let body = notification_body(&payment, &gref, "succeeded", AMOUNT.minor);
            let sig = signature::sign(&sandbox_key(app), now_secs(), body.as_bytes());
            async move { post_notification(app, &body, &sig).await }
        }))
        .await;
        assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
        assert_eq!(state_of(app, &payment).await, PaymentState::Succeeded);
        assert_eq!(fulfilled(&order), 1);
        assert_eq!(
            count(app, "SELECT COUNT(*) FROM payment_events WHERE payment_id = $1 AND to_state = 'succeeded'", &payment).await,
            1
        );
    }
);

on_both_backends!(
    forged_stale_replayed_and_out_of_order_notifications_change_nothing,
    |app: &TestApp| async move {
        let (_b, account, order) = account_with_order(app, &AMINA).await;
        let (payment, _page) = started(app, &account, &order).await;
        let gref = gateway_ref(app, &payment).await;
        let key = sandbox_key(app);
        let body = notification_body(&payment, &gref, "succeeded", AMOUNT.minor);

        // Forged: signed with another key, or not signed.
        let forged = signature::sign(b"not the merchant key", now_secs(), body.as_bytes());
        assert_eq!(post_notification(app, &body, &forged).await, 401);
        assert_eq!(post_notification(app, &body, "").await, 401);
        // Stale: genuinely signed, ten minutes ago (a captured message played back).
        let stale = signature::sign(&key, now_secs() - 600, body.as_bytes());
        assert_eq!(post_notification(app, &body, &stale).await, 401);
        // A body changed after signing.
        let sig = signature::sign(&key, now_secs(), body.as_bytes());
        let tampered = body.replace("200000", "100");
        assert_eq!(post_notification(app, &tampered, &sig).await, 401);
        assert_eq!(state_of(app, &payment).await, PaymentState::Pending);
        assert_eq!(fulfilled(&order), 0);

        // The genuine one, then the same one replayed, then older news ("still open").
        assert_eq!(post_notification(app, &body, &sig).await, 200);
        assert_eq!(post_notification(app, &body, &sig).await, 200);
        let older = notification_body(&payment, &gref, "open", AMOUNT.minor);
        let older_sig = signature::sign(&key, now_secs(), older.as_bytes());
        assert_eq!(post_notification(app, &older, &older_sig).await, 200);
        let failed = notification_body(&payment, &gref, "failed", AMOUNT.minor);
        let failed_sig = signature::sign(&key, now_secs(), failed.as_bytes());
        assert_eq!(post_notification(app, &failed, &failed_sig).await, 200);
        // A second success notification, under its own id (the news the return page may
        // already have brought): nothing to do.
        let again = notification_body(&payment, &gref, "succeeded", AMOUNT.minor);
        let again_sig = signature::sign(&key, now_secs(), again.as_bytes());
        assert_eq!(post_notification(app, &again, &again_sig).await, 200);
        assert_eq!(state_of(app, &payment).await, PaymentState::Succeeded);
        assert_eq!(fulfilled(&order), 1);
        assert_eq!(
            count(app, "SELECT COUNT(*) FROM payment_events WHERE payment_id = $1 AND to_state = 'succeeded'", &payment).await,
            1
        );
        // Only the notification that moved the payment is on record: news that changed
        // nothing will change nothing if replayed, so it costs no write.
        let recorded = |body: &str| {
            let v: serde_json::Value = serde_json::from_str(body).unwrap();
            v["notification_id"].as_str().unwrap().to_string()
        };
        let sql = "SELECT COUNT(*) FROM gateway_notifications WHERE notification_id = $1";
        assert_eq!(count(app, sql, &recorded(&body)).await, 1);
        for unchanged in [&older, &failed, &again] {
            assert_eq!(count(app, sql, &recorded(unchanged)).await, 0);
        }
    }
);

on_both_backends!(
    an_amount_that_differs_from_the_order_is_refused_and_flagged,
    |app: &TestApp| async move {
        let (_b, account, order) = account_with_order(app, &AMINA).await;
        let (payment, _page) = started(app, &account, &order).await;
        let gref = gateway_ref(app, &payment).await;
        let body = notification_body(&payment, &gref, "succeeded", 100);
        let sig = signature::sign(&sandbox_key(app), now_secs(), body.as_bytes());
        assert_eq!(post_notification(app, &body, &sig).await, 200);
        // Replayed: flagged once, not twice.
        assert_eq!(post_notification(app, &body, &sig).await, 200);
        assert_eq!(state_of(app, &payment).await, PaymentState::Pending);
        assert_eq!(fulfilled(&order), 0);
        assert_eq!(
            count(app, "SELECT COUNT(*) FROM payment_flags WHERE payment_id = $1 AND kind = 'amount_mismatch'", &payment).await,
            1
        );
        // Another currency, same number: refused too.
        let body = notification_body(&payment, &gref, "succeeded", AMOUNT.minor)
            .replace("\"DZD\"", "\"QAR\"");
        let sig = signature::sign(&sandbox_key(app), now_secs(), body.as_bytes());
        assert_eq!(post_notification(app, &body, &sig).await, 200);
        assert_eq!(state_of(app, &payment).await, PaymentState::Pending);
        assert_eq!(
            count(app, "SELECT COUNT(*) FROM payment_flags WHERE payment_id = $1 AND kind = 'amount_mismatch'", &payment).await,
            2
        );
    }
);

on_both_backends!(
    an_expired_payment_cannot_succeed_and_a_new_one_can_start,
    |app: &TestApp| async move {
        let (b, account, order) = account_with_order(app, &AMINA).await;
        let (payment, page) = started(app, &account, &order).await;
        let gref = gateway_ref(app, &payment).await;
        // Its time runs out (moved into the past, as the clock would).
        app.execute(&format!(
            "UPDATE payments SET expires_at = {} WHERE id = '{payment}'",
            now_secs() - 3600
        ))
        .await;
        app.execute(&format!(
            "UPDATE sandbox_payments SET expires_at = {} WHERE merchant_ref = '{payment}'",
            now_secs() - 3600
        ))
        .await;
        // The payer's page now says it is over; the poller expires ours.
        let html = b.page(&page).await;
        assert!(
            !html.contains("name=\"number\""),
            "no card form on an expired payment"
        );
        engine::check(&app.payments, &app.db, &payment, "poller", now_secs())
            .await
            .unwrap();
        assert_eq!(state_of(app, &payment).await, PaymentState::Expired);
        // Success news after that is refused and flagged for a refund by a person.
        let body = notification_body(&payment, &gref, "succeeded", AMOUNT.minor);
        let sig = signature::sign(&sandbox_key(app), now_secs(), body.as_bytes());
        assert_eq!(post_notification(app, &body, &sig).await, 200);
        // Replayed: flagged once, not twice.
        assert_eq!(post_notification(app, &body, &sig).await, 200);
        assert_eq!(state_of(app, &payment).await, PaymentState::Expired);
        assert_eq!(fulfilled(&order), 0);
        assert_eq!(
            count(app, "SELECT COUNT(*) FROM payment_flags WHERE payment_id = $1 AND kind = 'paid_after_close'", &payment).await,
            1
        );
        // The user starts again and pays.
        let (second, page) = started(app, &account, &order).await;
        assert_ne!(second, payment);
        pay_by_card(&b, &page, "6280 5800 0000 0009").await;
        sandbox_notifies(app, now_secs()).await;
        assert_eq!(state_of(app, &second).await, PaymentState::Succeeded);
        assert_eq!(fulfilled(&order), 1);
    }
);

on_both_backends!(
    the_return_page_finds_the_notification_came_first_and_writes_nothing,
    |app: &TestApp| async move {
        let (b, account, order) = account_with_order(app, &AMINA).await;
        let (payment, page) = started(app, &account, &order).await;
        pay_by_card(&b, &page, "6280 5800 0000 0009").await;
        // The return page has read the payment (still waiting for news) when the gateway's
        // notification is applied; then it asks the gateway itself, on what it read.
        let (read, _, _) = engine::owned_payment_with_order_ref(&app.db, &account, &payment)
            .await
            .unwrap();
        assert!(read.state().is_live(), "{:?}", read.state());
        sandbox_notifies(app, now_secs()).await;
        assert_eq!(state_of(app, &payment).await, PaymentState::Succeeded);
        let events = "SELECT COUNT(*) FROM payment_events WHERE payment_id = $1";
        let before = count(app, events, &payment).await;
        // It learns that the payment is paid (so it sends the payer to what was bought without
        // reading the order), and the news is not applied twice.
        assert_eq!(
            engine::check_row(&app.payments, &app.db, &read, "return", now_secs())
                .await
                .unwrap(),
            Applied::AlreadyIn(PaymentState::Succeeded)
        );
        assert_eq!(count(app, events, &payment).await, before);
        assert_eq!(fulfilled(&order), 1);
    }
);

on_both_backends!(
    a_declined_card_and_three_wrong_codes_fail_and_let_the_user_try_again,
    |app: &TestApp| async move {
        let (b, account, order) = account_with_order(app, &AMINA).await;
        let (first, page) = started(app, &account, &order).await;
        pay_by_card(&b, &page, "4000 0000 0000 0002").await;
        sandbox_notifies(app, now_secs()).await;
        assert_eq!(state_of(app, &first).await, PaymentState::Failed);
        let (failure,): (Option<String>,) =
            sqlx::query_as("SELECT failure FROM payments WHERE id = $1")
                .bind(&first)
                .fetch_one(app.db.pool())
                .await
                .unwrap();
        assert_eq!(failure.as_deref(), Some("declined"));

        // Second try: three wrong codes.
        let (second, page) = started(app, &account, &order).await;
        let next = b
            .post_form(
                &format!("{page}/wallet"),
                &[("mobile", "+213 550 00 00 01")],
            )
            .await;
        let code_page = path_of(&next);
        for left in [2, 1] {
            let (status, html) = post_code(app, &b, &code_page, "000000").await;
            assert_eq!(status, 422);
            assert!(html.contains(&format!("{left}/3")), "{html}");
            assert!(html.contains("error-summary"));
        }
        let back = b.post_form(&code_page, &[("code", "000000")]).await;
        assert!(back.ends_with("/return"), "{back}");
        sandbox_notifies(app, now_secs()).await;
        assert_eq!(state_of(app, &second).await, PaymentState::Failed);

        // Third try, from a bank account: paid.
        let (third, page) = started(app, &account, &order).await;
        let next = b
            .post_form(
                &format!("{page}/account"),
                &[("rib", "007 99999 0000000001 34")],
            )
            .await;
        b.post_form(&path_of(&next), &[("code", "123456")]).await;
        sandbox_notifies(app, now_secs()).await;
        assert_eq!(state_of(app, &third).await, PaymentState::Succeeded);
        assert_eq!(fulfilled(&order), 1);
    }
);

on_both_backends!(
    bad_card_details_are_told_next_to_their_field_and_kept,
    |app: &TestApp| async move {
        let (b, account, order) = account_with_order(app, &AMINA).await;
        let (payment, page) = started(app, &account, &order).await;
        // Refused details come back as the form, with status 422.
        let refused = |path: String, expiry: &'static str, cvv: &'static str| {
            let request = b.client.post(app.url(&path)).form(&[
                ("number", "4111 1111 1111 1112"),
                ("expiry", expiry),
                ("cvv", cvv),
                ("holder", "AMINA BENALI"),
            ]);
            async move {
                let res = request.send().await.unwrap();
                assert_eq!(res.status(), 422);
                res.text().await.unwrap()
            }
        };
        let html = refused(format!("{page}/card"), "01/20", "12").await;
        assert!(
            html.contains("رقم البطاقة غير صحيح"),
            "Luhn typo told in Arabic: {html}"
        );
        assert!(
            html.contains("انتهت صلاحية هذه البطاقة"),
            "expired card told"
        );
        assert!(
            html.contains("href=\"#cvv\""),
            "the summary links to the field"
        );
        assert!(
            html.contains("value=\"AMINA BENALI\""),
            "other answers kept"
        );
        assert!(
            !html.contains("value=\"12\""),
            "the security code is never echoed"
        );
        // As a browser posts them, through the form's action with its language: bad details
        // leave the one-statement path and are told in that language, answers kept.
        let html = refused(format!("{page}/card?lang=fr"), "12/30", "123").await;
        assert!(
            html.contains("Le numéro de carte est incorrect"),
            "the typo told in French: {html}"
        );
        assert!(
            html.contains("href=\"#number\""),
            "the summary links to the number: {html}"
        );
        assert!(
            html.contains("value=\"4111 1111 1111 1112\"") && html.contains("value=\"12/30\""),
            "the number and expiry kept"
        );
        assert!(
            !html.contains("value=\"123\""),
            "the security code is never echoed"
        );
        assert_eq!(state_of(app, &payment).await, PaymentState::Pending);
        assert_eq!(
            sandbox_status(app, &payment).await,
            "open",
            "nothing written for bad details"
        );
    }
);

on_both_backends!(
    card_details_posted_in_the_form_language_lead_on_and_are_refused_once_the_payment_ended,
    |app: &TestApp| async move {
        let (b, account, order) = account_with_order(app, &AMINA).await;
        let (payment, page) = started(app, &account, &order).await;
        let card = [
            ("number", "4111 1111 1111 1111"),
            ("expiry", "12/30"),
            ("cvv", "123"),
            ("holder", "AMINA BENALI"),
        ];
        // As the sandbox's own form posts them: its action carries the page's language.
        let next = b.post_form(&format!("{page}/card?lang=fr"), &card).await;
        assert_eq!(next, format!("{page}/code?lang=fr"));
        assert_eq!(sandbox_status(app, &payment).await, "awaiting_code");
        // Cancelled, the payment takes no details: the page says it has ended, in French.
        b.post_form(&format!("{page}/cancel?lang=fr"), &[]).await;
        let res = b
            .client
            .post(app.url(&format!("{page}/card?lang=fr")))
            .form(&card)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        let html = res.text().await.unwrap();
        assert!(html.contains("Ce paiement est terminé"), "{html}");
        assert_eq!(
            sandbox_status(app, &payment).await,
            "cancelled",
            "the ended payment was not moved back"
        );
    }
);

on_both_backends!(
    the_right_code_pays_once_and_not_once_the_payment_has_run_out,
    |app: &TestApp| async move {
        let (b, account, order) = account_with_order(app, &AMINA).await;
        let card = [
            ("number", "4111 1111 1111 1111"),
            ("expiry", "12/30"),
            ("cvv", "123"),
            ("holder", "AMINA BENALI"),
        ];
        // Its time runs out while the code page is open: the right code no longer pays, and
        // the page says the time has run out, in the form's language.
        let (payment, page) = started(app, &account, &order).await;
        let next = b.post_form(&format!("{page}/card?lang=fr"), &card).await;
        app.execute(&format!(
            "UPDATE sandbox_payments SET expires_at = {} WHERE merchant_ref = '{payment}'",
            now_secs() - 1
        ))
        .await;
        let (status, html) = post_code(app, &b, &next, "123456").await;
        assert_eq!(status, 200);
        assert!(html.contains("Le délai de paiement est dépassé"), "{html}");
        assert_eq!(sandbox_status(app, &payment).await, "expired");

        // Another payment: the right code pays and sends the payer back; posted again (a
        // double click), it changes nothing and queues no second notification.
        let (b, account, order) = account_with_order(app, &KARIM).await;
        let (payment, page) = started(app, &account, &order).await;
        let next = b.post_form(&format!("{page}/card?lang=fr"), &card).await;
        let back = b.post_form(&path_of(&next), &[("code", "123456")]).await;
        assert!(back.ends_with("/return"), "{back}");
        let (status, html) = post_code(app, &b, &next, "123456").await;
        assert_eq!(status, 200);
        assert!(html.contains("Ce paiement est terminé"), "{html}");
        assert_eq!(sandbox_status(app, &payment).await, "succeeded");
        let (notifications,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM sandbox_notifications n \
             JOIN sandbox_payments p ON p.id = n.payment_id WHERE p.merchant_ref = $1",
        )
        .bind(&payment)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
        assert_eq!(notifications, 1);
        // What it will post: the payment as the sandbox's API shows it (on PostgreSQL the
        // database writes this body, in the statement that moves the payment).
        let (ntf, body, sandbox_id): (String, String, String) = sqlx::query_as(
            "SELECT n.id, n.body, p.id FROM sandbox_notifications n \
             JOIN sandbox_payments p ON p.id = n.payment_id WHERE p.merchant_ref = $1",
        )
        .bind(&payment)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
        let sent: Notification = serde_json::from_str(&body).unwrap();
        assert_eq!((sent.notification_id.as_str(), sent.seq), (ntf.as_str(), 1));
        let row = bawaba::sandbox::store::get(&app.db, &sandbox_id, now_secs())
            .await
            .unwrap();
        assert_eq!(sent.payment, row.view(None));
        assert_eq!(sent.payment.status, "succeeded");
        assert_eq!(sent.payment.masked.as_deref(), Some("•••• 1111"), "{body}");
        sandbox_notifies(app, now_secs()).await;
        assert_eq!(state_of(app, &payment).await, PaymentState::Succeeded);
        assert_eq!(fulfilled(&order), 1);
    }
);

/// The sandbox's own status of our payment `payment`.
async fn sandbox_status(app: &TestApp, payment: &str) -> String {
    let (status,): (String,) =
        sqlx::query_as("SELECT status FROM sandbox_payments WHERE merchant_ref = $1")
            .bind(payment)
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    status
}

on_both_backends!(
    a_lost_notification_is_made_good_by_the_poller,
    |app: &TestApp| async move {
        let (b, account, order) = account_with_order(app, &AMINA).await;
        let (payment, page) = started(app, &account, &order).await;
        pay_by_card(&b, &page, "4000 0000 0000 0101").await;
        assert_eq!(
            sandbox_notifies(app, now_secs() + 3600).await,
            0,
            "the sandbox sends nothing"
        );
        // Not due yet: nothing asked.
        assert_eq!(poll(app, now_secs()).await, 0);
        assert_eq!(state_of(app, &payment).await, PaymentState::Pending);
        // Once the notification is overdue, the poller asks and fulfils.
        let later = now_secs() + engine::NOTIFICATION_OVERDUE_SECS + 1;
        assert_eq!(poll(app, later).await, 1);
        assert_eq!(state_of(app, &payment).await, PaymentState::Succeeded);
        assert_eq!(fulfilled(&order), 1);
    }
);

on_both_backends!(
    duplicated_late_and_reordered_sandbox_notifications_fulfil_once,
    |app: &TestApp| async move {
        for card in [
            "4000 0000 0000 0200",
            "4000 0000 0000 0309",
            "4000 0000 0000 0408",
        ] {
            let (b, account, order) = account_with_order(
                app,
                &if card.ends_with("0200") {
                    AMINA
                } else if card.ends_with("0309") {
                    KARIM
                } else {
                    Person {
                        name: "Nadia Saidi",
                        nin: "309990123456789014",
                        email: "nadia@example.dz",
                    }
                },
            )
            .await;
            let (payment, page) = started(app, &account, &order).await;
            pay_by_card(&b, &page, card).await;
            // Everything the sandbox sends, however late.
            let sent = sandbox_notifies(app, now_secs() + 3600).await;
            assert!(sent >= 1, "{card}");
            assert_eq!(
                state_of(app, &payment).await,
                PaymentState::Succeeded,
                "{card}"
            );
            assert_eq!(fulfilled(&order), 1, "{card}");
            // Numbered from 1 in the order the sandbox means them (it does not read them back).
            let seqs: Vec<(i64, String)> = sqlx::query_as(
                "SELECT n.seq, n.body FROM sandbox_notifications n \
                 JOIN sandbox_payments p ON p.id = n.payment_id \
                 WHERE p.merchant_ref = $1 ORDER BY n.seq",
            )
            .bind(&payment)
            .fetch_all(app.db.pool())
            .await
            .unwrap();
            let numbers: Vec<i64> = seqs.iter().map(|(n, _)| *n).collect();
            let late = card.ends_with("0309");
            assert_eq!(numbers, if late { vec![1] } else { vec![1, 2] }, "{card}");
            for (n, body) in &seqs {
                let sent: Notification = serde_json::from_str(body).unwrap();
                assert_eq!(sent.seq, *n, "{card}: the body carries its number");
            }
        }
    }
);

on_both_backends!(
    the_sandbox_notifier_takes_several_due_notifications_and_records_each_outcome,
    |app: &TestApp| async move {
        let mut payments = Vec::new();
        for who in [
            &AMINA,
            &KARIM,
            &Person {
                name: "Nadia Saidi",
                nin: "309990123456789014",
                email: "nadia@example.dz",
            },
        ] {
            let (b, account, order) = account_with_order(app, who).await;
            let (payment, page) = started(app, &account, &order).await;
            pay_by_card(&b, &page, "4111 1111 1111 1111").await;
            payments.push((payment, order));
        }
        let due = |status: &'static str| async move {
            let (n,): (i64,) =
                sqlx::query_as("SELECT COUNT(*) FROM sandbox_notifications WHERE status = $1")
                    .bind(status)
                    .fetch_one(app.db.pool())
                    .await
                    .unwrap();
            n
        };
        assert_eq!(due("pending").await, 3, "one notification a payment");
        // The third payment's notification goes where nothing answers.
        sqlx::query(
            "UPDATE sandbox_notifications SET url = $1 WHERE payment_id = \
             (SELECT id FROM sandbox_payments WHERE merchant_ref = $2)",
        )
        .bind("http://127.0.0.1:9/payments/notify/sandbox")
        .bind(&payments[2].0)
        .execute(app.db.pool())
        .await
        .unwrap();

        let http = reqwest::Client::new();
        let (key, now) = (sandbox_key(app), now_secs());
        let notify = |limit| {
            let (http, key) = (&http, &key);
            async move {
                bawaba::sandbox::notifier::deliver_due(&app.db, http, key, now, limit)
                    .await
                    .unwrap()
            }
        };
        // A claim takes no more than its limit, and the rest wait for the next.
        assert_eq!(notify(2).await, 2);
        assert_eq!(due("pending").await, 1);
        assert_eq!(notify(4).await, 1);
        assert_eq!(notify(4).await, 0, "nothing else is due");
        assert_eq!((due("delivered").await, due("sending").await), (2, 0));
        for (payment, order) in &payments[..2] {
            assert_eq!(state_of(app, payment).await, PaymentState::Succeeded);
            assert_eq!(fulfilled(order), 1);
        }
        // The one refused is tried again later, its error kept.
        let (status, error, after, attempts): (String, Option<String>, i64, i64) = sqlx::query_as(
            "SELECT n.status, n.last_error, n.deliver_after, n.attempts \
                 FROM sandbox_notifications n JOIN sandbox_payments p ON p.id = n.payment_id \
                 WHERE p.merchant_ref = $1",
        )
        .bind(&payments[2].0)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
        assert_eq!((status.as_str(), attempts), ("pending", 1));
        assert!(error.is_some(), "the error is kept");
        assert!(after >= now + 10, "a pause before the next try");
        assert_eq!(state_of(app, &payments[2].0).await, PaymentState::Pending);
    }
);

/// A payment as the portal asks the sandbox to open it, valid ten minutes from `now`.
fn sandbox_request(merchant_ref: &str, now: i64) -> CreatePayment {
    CreatePayment {
        merchant_ref: merchant_ref.into(),
        reference: "BWB-TEST".into(),
        amount_minor: 200_000,
        currency: "DZD".into(),
        description: "test".into(),
        language: "ar".into(),
        return_url: "http://portal.example/return".into(),
        notify_url: "http://portal.example/notify".into(),
        expires_at: now + 600,
    }
}

on_both_backends!(
    the_sandbox_opens_one_payment_per_merchant_reference,
    |app: &TestApp| async move {
        let req = sandbox_request("pay_repeated", now_secs());
        let opened = store::create(&app.db, &req, now_secs()).await.unwrap();
        assert_eq!(
            (opened.amount_minor, opened.status.as_str()),
            (200_000, "open")
        );
        // The merchant asks again (a retry after a lost answer): the same payment, unchanged.
        let again = CreatePayment {
            amount_minor: 1,
            ..req.clone()
        };
        let found = store::create(&app.db, &again, now_secs()).await.unwrap();
        assert_eq!(found.id, opened.id);
        assert_eq!(found.amount_minor, 200_000);
        let (n,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM sandbox_payments WHERE merchant_ref = $1")
                .bind(&req.merchant_ref)
                .fetch_one(app.db.pool())
                .await
                .unwrap();
        assert_eq!(n, 1);
    }
);

on_both_backends!(
    the_sandbox_takes_a_lapsed_notification_again_after_what_is_pending,
    |app: &TestApp| async move {
        let now = now_secs();
        let req = sandbox_request("pay_lapsed", now);
        let paid = store::create(&app.db, &req, now).await.unwrap();
        for (id, seq, deliver_after) in [("n1", 1, now), ("n2", 2, now + 1)] {
            sqlx::query(
                "INSERT INTO sandbox_notifications (id, payment_id, seq, url, body, status, \
                 attempts, deliver_after, created_at) VALUES ($1, $2, $3, 'http://portal.example/notify', \
                 '{}', 'pending', 0, $4, $5)",
            )
            .bind(id)
            .bind(&paid.id)
            .bind(seq)
            .bind(deliver_after)
            .bind(now)
            .execute(app.db.writer())
            .await
            .unwrap();
        }
        // The notifier takes the first and dies; the second is not due yet.
        let ids = |due: Vec<store::Due>| due.into_iter().map(|d| d.id).collect::<Vec<_>>();
        assert_eq!(
            ids(store::claim_notifications(&app.db, now, 5).await.unwrap()),
            ["n1"]
        );
        assert!(
            store::claim_notifications(&app.db, now, 5)
                .await
                .unwrap()
                .is_empty()
        );
        // Ten minutes on, the lease has lapsed: the pending one first, within the limit.
        let then = now + 600;
        assert_eq!(
            ids(store::claim_notifications(&app.db, then, 1).await.unwrap()),
            ["n2"]
        );
        let again = store::claim_notifications(&app.db, then, 5).await.unwrap();
        assert_eq!(again.len(), 1);
        assert_eq!((again[0].id.as_str(), again[0].attempts), ("n1", 2));
    }
);

on_both_backends!(
    refunds_go_through_the_gateway_and_never_exceed_what_was_paid,
    |app: &TestApp| async move {
        let (b, account, order) = account_with_order(app, &AMINA).await;
        let (payment, page) = started(app, &account, &order).await;
        pay_by_card(&b, &page, "4111 1111 1111 1111").await;
        sandbox_notifies(app, now_secs()).await;
        refunds_never_exceed_what_was_paid(app, &payment).await;
        let (ours,): (i64,) = sqlx::query_as("SELECT refunded_minor FROM payments WHERE id = $1")
            .bind(&payment)
            .fetch_one(app.db.pool())
            .await
            .unwrap();
        let (theirs,): (i64,) =
            sqlx::query_as("SELECT refunded_minor FROM sandbox_payments WHERE merchant_ref = $1")
                .bind(&payment)
                .fetch_one(app.db.pool())
                .await
                .unwrap();
        assert_eq!((ours, theirs), (200_000, 200_000));
    }
);

on_both_backends!(
    another_account_cannot_pay_or_see_someone_elses_order,
    |app: &TestApp| async move {
        let (_b, _amina, order) = account_with_order(app, &AMINA).await;
        let (_k, karim, _karims_order) = account_with_order(app, &KARIM).await;
        let r = engine::start(
            &app.payments,
            &app.db,
            &karim,
            engine::ToPay::Named(&order),
            "k",
            "ar",
            now_secs(),
        )
        .await;
        assert!(matches!(r, Err(PaymentError::NotFound)), "{r:?}");
        // Nor as an order in hand, as a service passes the one it has just made.
        let amina_s = bawaba::features::payments::store::order(app.db.pool(), &order)
            .await
            .unwrap()
            .unwrap();
        let r = engine::start(
            &app.payments,
            &app.db,
            &karim,
            engine::ToPay::New(amina_s),
            "k2",
            "ar",
            now_secs(),
        )
        .await;
        assert!(matches!(r, Err(PaymentError::NotFound)), "{r:?}");
        assert_eq!(
            count(
                app,
                "SELECT COUNT(*) FROM payments WHERE order_id = $1",
                &order
            )
            .await,
            0
        );
    }
);
